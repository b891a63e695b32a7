"""Every endpoint: what it answers, and every refusal, as problem details."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from cerchia.accounts.models import AccessToken, ConsentRecord, ProfileVisibility, User
from cerchia.api.tests.conftest import ApiClient, make_token
from cerchia.communities.models import (
    Community,
    Invitation,
    JoinRequest,
    Membership,
    Role,
    SiteSettings,
    WaitlistEntry,
)
from cerchia.core import testing
from cerchia.core.pagination import encode_cursor

pytestmark = pytest.mark.django_db


def assert_problem(response, status: int, code: str | None = None) -> dict:
    """The response is a problem-details answer with this status (and code)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["type"].startswith("urn:cerchia:problem:")
    if code is not None:
        assert body["code"] == code, body
    return body


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json() if response.content else {}


@pytest.fixture
def suspended(db) -> User:
    return testing.make_user("sid_suspended", suspended_at=timezone.now())


# --- Authentication ----------------------------------------------------------------------------


def test_anonymous_reads_public_but_must_sign_in_for_the_rest(anon, public_community):
    assert ok(anon.get("/communities/espresso"))["viewer"]["role"] is None
    response = anon.get("/me")
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_problem(anon.post("/communities/espresso/join", {}), 401)


def test_revoked_malformed_and_unknown_tokens_are_401_even_where_anonymous_may_read(
    member, public_community
):
    raw = make_token(member)
    AccessToken.objects.filter(user=member).update(revoked_at=timezone.now())
    assert_problem(ApiClient(raw).get("/communities"), 401, "not_authenticated")
    assert_problem(ApiClient("cer_nothing").get("/communities"), 401)
    basic = ApiClient().get("/communities", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert_problem(basic, 401)


def test_token_of_an_inactive_account_is_refused(member):
    raw = make_token(member)
    User.objects.filter(pk=member.pk).update(is_active=False)
    assert_problem(ApiClient(raw).get("/me"), 401)


def test_read_token_reads_but_cannot_write(as_user, stranger, public_community):
    client = as_user(stranger, AccessToken.Scope.READ)
    assert ok(client.get("/me"))["handle"] == "sam_stranger"
    body = assert_problem(client.post("/communities/espresso/join", {}), 403, "permission_denied")
    assert "read" in body["detail"]
    assert_problem(client.patch("/me", {"bio": "x"}), 403)
    assert_problem(client.delete("/me/join-requests/1"), 403)
    assert not Membership.objects.filter(user=stranger, community=public_community).exists()


def test_token_requests_run_as_the_token_owner_and_record_last_use(as_user, member):
    client = as_user(member)
    assert ok(client.get("/me"))["email"] == member.email
    assert AccessToken.objects.get(user=member).last_used_at is not None


def test_session_auth_needs_csrf_for_unsafe_methods(stranger, public_community):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(stranger)
    client = ApiClient(client=browser)
    assert ok(client.get("/me"))["handle"] == stranger.handle
    refused = assert_problem(client.post("/communities/espresso/join", {"accept_rules": True}), 403)
    assert refused["code"] == "csrf_failed"
    docs = browser.get("/api/v1/docs")
    assert docs.status_code == 200
    token = browser.cookies["csrftoken"].value
    joined = client.post(
        "/communities/espresso/join", {"accept_rules": True}, headers={"X-CSRFToken": token}
    )
    assert ok(joined, 201)["status"] == "joined"


def test_token_wins_over_a_session_and_needs_no_csrf(member, stranger, public_community):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    client = ApiClient(make_token(stranger), client=browser)
    assert ok(client.get("/me"))["handle"] == stranger.handle
    ok(client.post("/communities/espresso/join", {"accept_rules": True}), 201)


def test_token_owner_language_is_used_for_messages(as_user, stranger, hidden_community):
    stranger.language = "it"
    stranger.save()
    response = as_user(stranger).get("/communities/founders")
    assert_problem(response, 404)
    assert response["Content-Language"] == "it"


@override_settings(CERCHIA_API_RATES={"anon": "2/m", "user": "3/m", "write": "1/m"})
def test_rate_limits_answer_429_with_retry_after(as_user, member):
    ip = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    anonymous = ApiClient(client=Client(REMOTE_ADDR=ip))
    ok(anonymous.get("/communities"))
    ok(anonymous.get("/communities"))
    throttled = anonymous.get("/communities")
    assert_problem(throttled, 429, "throttled")
    assert 1 <= int(throttled["Retry-After"]) <= 60
    writer = as_user(testing.make_user())
    ok(writer.patch("/me", {"bio": "one"}))
    assert_problem(writer.patch("/me", {"bio": "two"}), 429)


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "status", "field"),
    [
        ('"just a string"', 422, "__all__"),
        ("[1, 2]", 422, "__all__"),
        ("{not json", 400, None),
        (b"\xff\xfe\x00", 400, None),
        ('{"name": 5, "slug": "ok-slug", "tagline": "t"}', 422, "name"),
        ('{"name": "A", "slug": "Bad Slug!", "tagline": "t"}', 422, "slug"),
        (
            '{"name": "A", "slug": "good", "tagline": "t", "visibility": "secret"}',
            422,
            "visibility",
        ),
        ('{"name": "A", "slug": "good", "tagline": "t", "member_cap": 0}', 422, "member_cap"),
        ('{"name": "A", "slug": "good", "tagline": "t", "member_cap": "5"}', 422, "member_cap"),
        ('{"name": "A", "slug": "good", "tagline": "t", "surprise": 1}', 422, "surprise"),
        ('{"name": "A", "slug": "good", "tagline": "t", "interests": "a,b"}', 422, "interests"),
        ("{}", 422, "name"),
        ("", 422, None),
    ],
)
def test_bad_bodies_are_4xx_problems(as_user, member, raw, status, field):
    response = as_user(member).post("/communities", raw=raw)
    body = assert_problem(response, status)
    if field:
        assert field in body["errors"], body
    assert not Community.objects.exists()


def test_nul_characters_are_refused_before_reaching_the_database(as_user, owner, public_community):
    client = as_user(owner)
    assert_problem(client.get("/communities/espresso%00/members"), 422, "validation_error")
    assert_problem(client.get("/communities", search="a\x00b"), 422)
    assert_problem(client.get("/users/ab%00c"), 422)
    body = assert_problem(
        client.post("/communities", {"name": "A\x00", "slug": "nul-test", "tagline": "x"}), 422
    )
    assert list(body["errors"]) == ["name"]
    body = assert_problem(client.patch("/me", {"interests": ["ok", "n\x00l"]}), 422)
    assert list(body["errors"]) == ["interests"]
    assert_problem(client.post("/communities/espresso/invitations", {"email": "a\x00@b.it"}), 422)


def test_null_for_a_field_that_cannot_be_empty_names_the_field(as_user, member):
    body = assert_problem(as_user(member).patch("/me", {"bio": None, "handle": 5}), 422)
    assert set(body["errors"]) == {"bio", "handle"}


def test_wrong_path_parameter_type_is_422(as_user, owner, public_community):
    assert_problem(as_user(owner).delete("/me/join-requests/abc"), 422, "validation_error")


def test_unknown_path_and_method_are_problems(as_user, member):
    client = as_user(member)
    assert_problem(client.get("/nothing/here"), 404, "not_found")
    response = client.request("PUT", "/me", {})
    assert_problem(response, 405, "method_not_allowed")
    assert "PATCH" in response["Allow"]


def test_form_encoded_body_is_400(as_user, member):
    response = as_user(member).post(
        "/communities", raw="name=A&slug=abc", content_type="application/x-www-form-urlencoded"
    )
    assert_problem(response, 400, "malformed_body")


# --- Me and profiles ---------------------------------------------------------------------------


def test_get_me(as_user, member, public_community):
    body = ok(as_user(member).get("/me"))
    assert body["handle"] == "mia_member"
    assert body["consents"] == {"analytics": False, "marketing": False}
    assert body["suspended"] is False


def test_patch_me_changes_profile_preferences_and_consents(as_user, member):
    body = ok(
        as_user(member).patch(
            "/me",
            {
                "display_name": "Mia R.",
                "handle": "mia_r",
                "bio": "Espresso every morning.",
                "interests": ["Coffee", "Latte art"],
                "profile_visibility": "public",
                "language": "it",
                "timezone": "Europe/Rome",
                "consents": {"analytics": True},
            },
        )
    )
    assert body["handle"] == "mia_r"
    assert body["interests"] == ["coffee", "latte-art"]
    assert body["language"] == "it"
    assert body["timezone"] == "Europe/Rome"
    assert body["consents"] == {"analytics": True, "marketing": False}
    record = ConsentRecord.objects.get(user=member)
    assert record.kind == "analytics"
    assert record.granted


def test_patch_me_is_all_or_nothing(as_user, member, owner):
    body = assert_problem(
        as_user(member).patch(
            "/me",
            {"display_name": "Changed", "handle": owner.handle, "timezone": "Mars/Olympus"},
        ),
        422,
        "validation_error",
    )
    assert set(body["errors"]) == {"handle", "timezone"}
    member.refresh_from_db()
    assert member.display_name == "Mia Member"
    assert member.timezone == ""


@pytest.mark.parametrize(
    "payload",
    [
        {"display_name": None},
        {"display_name": 12},
        {"bio": "x" * 601},
        {"profile_visibility": "everyone"},
        {"interests": ["x" * 61]},
        {"interests": ["a"]},
        {"consents": {"analytics": "yes"}},
        {"consents": {"sales": True}},
        {"handle": "no spaces"},
        {"handle": "admin"},
        {"language": "fr"},
        {"email": "new@example.org"},
    ],
)
def test_patch_me_refuses_bad_fields(as_user, member, payload):
    assert_problem(as_user(member).patch("/me", payload), 422, "validation_error")


def test_suspended_member_can_change_preferences_and_consents_but_not_the_profile(
    as_user, suspended
):
    client = as_user(suspended)
    assert ok(client.get("/me"))["suspended"] is True
    assert_problem(client.patch("/me", {"bio": "hello"}), 403, "permission_denied")
    body = ok(client.patch("/me", {"language": "it", "consents": {"marketing": True}}))
    assert body["consents"]["marketing"] is True


def test_my_memberships_include_hidden_communities(
    as_user, member, hidden_community, public_community
):
    body = ok(as_user(member).get("/me/memberships"))
    assert [item["community"]["slug"] for item in body["items"]] == ["espresso", "founders"]
    assert body["next_cursor"] is None
    assert all(item["community"]["is_member"] for item in body["items"])


def test_profile_visibility(anon, as_user, owner, member, stranger, public_community):
    member.profile_visibility = ProfileVisibility.MEMBERS
    member.save()
    assert_problem(anon.get("/users/mia_member"), 404, "not_found")
    assert_problem(as_user(stranger).get("/users/mia_member"), 404)
    body = ok(as_user(owner).get("/users/MIA_MEMBER"))
    assert body["handle"] == "mia_member"
    assert body["communities"] == [
        {"slug": "espresso", "name": "Espresso at home", "role": "member"}
    ]
    member.profile_visibility = ProfileVisibility.PUBLIC
    member.save()
    assert ok(anon.get("/users/mia_member"))["handle"] == "mia_member"
    assert_problem(anon.get("/users/nobody_here"), 404)


def test_public_profile_lists_only_communities_the_viewer_may_see(
    anon, owner, public_community, private_community, hidden_community
):
    owner.profile_visibility = ProfileVisibility.PUBLIC
    owner.save()
    body = ok(anon.get("/users/olivia_owner"))
    assert [c["slug"] for c in body["communities"]] == ["espresso"]


# --- Communities -------------------------------------------------------------------------------


def test_directory_lists_public_and_private_never_hidden(
    anon, as_user, member, public_community, private_community, hidden_community
):
    slugs = [c["slug"] for c in ok(anon.get("/communities"))["items"]]
    assert slugs == ["espresso", "film-lab"]
    items = ok(as_user(member).get("/communities"))["items"]
    assert [c["slug"] for c in items] == ["espresso", "film-lab"]
    assert all(c["is_member"] for c in items)


def test_directory_search_interest_and_pages(anon, owner):
    for index in range(5):
        community = testing.make_community(owner, name=f"Garden {index}", slug=f"garden-{index}")
        if index % 2 == 0:
            from cerchia.core.tags import interests_for

            community.interests.set(interests_for(["balcony"]))  # type: ignore[arg-type]
    testing.make_community(owner, name="Trail running", slug="trail")
    assert [c["slug"] for c in ok(anon.get("/communities", search="trail"))["items"]] == ["trail"]
    tagged = ok(anon.get("/communities", interest="balcony"))["items"]
    assert [c["slug"] for c in tagged] == ["garden-0", "garden-2", "garden-4"]
    assert tagged[0]["interests"] == ["balcony"]
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = ok(anon.get("/communities", **query))
        seen += [c["slug"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"garden-{i}" for i in range(5)] + ["trail"]
    assert_problem(anon.get("/communities", cursor="not-a-cursor"), 400, "invalid_cursor")
    assert_problem(anon.get("/communities", limit=0), 422)
    assert_problem(anon.get("/communities", limit="many"), 422)


@pytest.mark.parametrize(
    "values",
    [
        [5, 1],
        ["not a date", 1],
        ["2026-01-01T00:00:00+00:00", "x"],
        ["2026-01-01", 2],
        [1.5, 2],
        ["", -1],
    ],
)
def test_forged_cursors_are_400_not_server_errors(as_user, member, public_community, values):
    cursor = encode_cursor(values)
    client = as_user(member)
    assert_problem(
        client.get("/communities/espresso/members", cursor=cursor), 400, "invalid_cursor"
    )
    assert client.get("/communities", cursor=encode_cursor([values[0], 1])).status_code < 500
    if not isinstance(values[1], int):
        assert_problem(client.get("/communities", cursor=cursor), 400, "invalid_cursor")


def test_directory_query_count_does_not_grow_with_rows(
    as_user, member, owner, django_assert_max_num_queries
):
    client = as_user(member)
    for index in range(3):
        testing.make_community(owner, slug=f"few-{index}")
    with django_assert_max_num_queries(8) as few:
        ok(client.get("/communities"))
    for index in range(15):
        testing.make_community(owner, slug=f"many-{index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        ok(client.get("/communities"))


def test_create_community(as_user, member):
    body = ok(
        as_user(member).post(
            "/communities",
            {
                "name": "Balcony gardens",
                "slug": "balcony",
                "tagline": "Tomatoes on the fourth floor",
                "description": "Grow **food** <script>alert(1)</script>",
                "rules": "Be kind.",
                "interests": ["Gardening", "gardening"],
                "visibility": "private",
                "join_policy": "request",
                "member_cap": 50,
                "screening_questions": ["What do you grow?"],
            },
        ),
        201,
    )
    assert body["viewer"]["role"] == "owner"
    assert body["member_count"] == 1
    assert body["interests"] == ["gardening"]
    assert "<script>" not in body["description_html"]
    assert "<strong>food</strong>" in body["description_html"]
    assert Membership.objects.get(community__slug="balcony").user == member


def test_create_hidden_defaults_to_invitations_and_refuses_open(as_user, member):
    client = as_user(member)
    base = {"name": "Secret", "tagline": "Shh", "visibility": "hidden"}
    assert (
        ok(client.post("/communities", base | {"slug": "secret"}), 201)["join_policy"]
        == "invitation"
    )
    body = assert_problem(
        client.post("/communities", base | {"slug": "secret-2", "join_policy": "open"}), 422
    )
    assert "join_policy" in body["errors"]


def test_create_refuses_taken_and_reserved_slugs(as_user, member, public_community):
    client = as_user(member)
    for slug in ("espresso", "admin"):
        body = assert_problem(
            client.post("/communities", {"name": "X", "slug": slug, "tagline": "t"}), 422
        )
        assert "slug" in body["errors"]


def test_create_refused_for_suspended_and_where_only_admins_create(
    as_user, member, suspended, site_admin
):
    payload = {"name": "X", "slug": "xyz", "tagline": "t"}
    assert_problem(as_user(suspended).post("/communities", payload), 403)
    SiteSettings.objects.update_or_create(
        pk=1, defaults={"community_creation": SiteSettings.CommunityCreation.ADMINS}
    )
    assert_problem(as_user(member).post("/communities", payload), 403)
    ok(as_user(site_admin).post("/communities", payload), 201)


def test_community_visibility(
    anon, as_user, stranger, member, public_community, private_community, hidden_community
):
    private = ok(anon.get("/communities/film-lab"))
    assert private["viewer"]["can_read"] is False
    assert private["screening_questions"] == ["Which camera do you shoot?"]
    assert_problem(anon.get("/communities/founders"), 404, "not_found")
    assert_problem(as_user(stranger).get("/communities/founders"), 404)
    assert ok(as_user(member).get("/communities/founders"))["viewer"]["can_read"] is True
    assert_problem(anon.get("/communities/no-such-place"), 404)


def test_hidden_community_is_visible_to_its_email_invitee(as_user, stranger, hidden_community):
    testing.make_invitation(hidden_community, email=stranger.email)
    assert ok(as_user(stranger).get("/communities/founders"))["viewer"]["can_read"] is False


def test_update_community(
    as_user, owner, moderator, member, stranger, public_community, hidden_community
):
    body = ok(
        as_user(moderator).patch(
            "/communities/espresso",
            {"tagline": "Better coffee at home", "member_cap": 10, "interests": ["coffee"]},
        )
    )
    assert body["tagline"] == "Better coffee at home"
    assert body["member_cap"] == 10
    assert body["interests"] == ["coffee"]
    assert (
        ok(as_user(owner).patch("/communities/espresso", {"member_cap": None}))["member_cap"]
        is None
    )
    assert_problem(as_user(member).patch("/communities/espresso", {"name": "Mine"}), 403)
    assert_problem(as_user(stranger).patch("/communities/founders", {"name": "Mine"}), 404)
    assert_problem(as_user(owner).patch("/communities/espresso", {"name": None}), 422)
    assert_problem(
        as_user(owner).patch(
            "/communities/espresso", {"visibility": "hidden", "join_policy": "open"}
        ),
        422,
    )
    public_community.refresh_from_db()
    assert public_community.name == "Espresso at home"


def test_update_community_slug(as_user, owner, public_community, private_community):
    assert_problem(as_user(owner).patch("/communities/espresso", {"slug": "film-lab"}), 422)
    assert (
        ok(as_user(owner).patch("/communities/espresso", {"slug": "espresso-home"}))["slug"]
        == "espresso-home"
    )
    assert ok(as_user(owner).get("/communities/espresso-home"))["name"] == "Espresso at home"


def test_suspended_host_cannot_manage(as_user, owner, public_community):
    owner.suspended_at = timezone.now()
    owner.save()
    assert_problem(as_user(owner).patch("/communities/espresso", {"tagline": "x"}), 403)
    assert_problem(as_user(owner).post("/communities/espresso/invitations", {}), 403)


# --- Members and roles -------------------------------------------------------------------------


def test_member_directory_visibility(
    anon, as_user, stranger, member, public_community, private_community, hidden_community
):
    handles = [
        m["user"]["handle"]
        for m in ok(as_user(member).get("/communities/espresso/members"))["items"]
    ]
    assert handles == ["olivia_owner", "marco_mod", "mia_member"]
    assert_problem(anon.get("/communities/film-lab/members"), 404)
    assert_problem(as_user(stranger).get("/communities/film-lab/members"), 404)
    assert len(ok(as_user(member).get("/communities/film-lab/members"))["items"]) == 3
    assert_problem(as_user(stranger).get("/communities/founders/members"), 404)


def test_member_directory_respects_profile_visibility_and_pages(
    anon, as_user, member, owner, public_community
):
    User.objects.filter(pk=owner.pk).update(profile_visibility=ProfileVisibility.PUBLIC)
    assert [
        m["user"]["handle"] for m in ok(anon.get("/communities/espresso/members"))["items"]
    ] == ["olivia_owner"]
    client = as_user(member)
    page = ok(client.get("/communities/espresso/members", limit=2))
    assert len(page["items"]) == 2
    assert page["next_cursor"]
    rest = ok(client.get("/communities/espresso/members", limit=2, cursor=page["next_cursor"]))
    assert [m["user"]["handle"] for m in rest["items"]] == ["mia_member"]
    assert rest["next_cursor"] is None
    moderators = ok(client.get("/communities/espresso/members", role="moderator"))["items"]
    assert [m["user"]["handle"] for m in moderators] == ["marco_mod"]
    assert_problem(client.get("/communities/espresso/members", role="king"), 422)
    assert_problem(client.get("/communities/espresso/members", cursor="@@@"), 400)


def test_member_directory_query_count_is_fixed(
    as_user, member, public_community, django_assert_max_num_queries
):
    client = as_user(member)
    with django_assert_max_num_queries(12) as few:
        ok(client.get("/communities/espresso/members"))
    for _ in range(10):
        testing.add_member(public_community, testing.make_user())
    with django_assert_max_num_queries(len(few.captured_queries)):
        ok(client.get("/communities/espresso/members"))


def test_change_role(as_user, owner, moderator, member, public_community):
    body = ok(
        as_user(owner).patch("/communities/espresso/members/mia_member", {"role": "moderator"})
    )
    assert body["role"] == "moderator"
    assert body["user"]["handle"] == "mia_member"
    assert (
        ok(as_user(owner).patch("/communities/espresso/members/mia_member", {"role": "member"}))[
            "role"
        ]
        == "member"
    )
    assert_problem(
        as_user(moderator).patch("/communities/espresso/members/mia_member", {"role": "moderator"}),
        403,
    )
    assert_problem(
        as_user(owner).patch("/communities/espresso/members/mia_member", {"role": "owner"}), 422
    )
    assert_problem(
        as_user(owner).patch("/communities/espresso/members/olivia_owner", {"role": "member"}), 403
    )
    assert_problem(
        as_user(owner).patch("/communities/espresso/members/nobody", {"role": "member"}), 404
    )


def test_transfer_ownership(as_user, owner, member, public_community):
    assert_problem(
        as_user(member).post("/communities/espresso/transfer-ownership", {"handle": "mia_member"}),
        403,
    )
    body = ok(
        as_user(owner).post("/communities/espresso/transfer-ownership", {"handle": "mia_member"})
    )
    assert body["role"] == "owner"
    roles = dict(
        Membership.objects.filter(community=public_community).values_list("user__handle", "role")
    )
    assert roles["mia_member"] == Role.OWNER
    assert roles["olivia_owner"] == Role.MODERATOR
    assert_problem(
        as_user(member).post("/communities/espresso/transfer-ownership", {"handle": "ghost"}), 404
    )


# --- Joining and leaving -----------------------------------------------------------------------


def test_join_open_community(as_user, stranger, public_community):
    client = as_user(stranger)
    body = assert_problem(client.post("/communities/espresso/join", {}), 422)
    assert "accept_rules" in body["errors"]
    body = ok(client.post("/communities/espresso/join", {"accept_rules": True}), 201)
    assert body == {
        "status": "joined",
        "community": "espresso",
        "membership": body["membership"] | {"role": "member"},
    }
    assert_problem(client.post("/communities/espresso/join", {"accept_rules": True}), 403)


def test_join_full_community_is_waitlisted_202(as_user, stranger, owner):
    testing.make_community(owner, slug="tiny", member_cap=1)
    body = ok(as_user(stranger).post("/communities/tiny/join", {}), 202)
    assert body["status"] == "waitlisted"
    assert body["membership"] is None
    assert WaitlistEntry.objects.filter(user=stranger, community__slug="tiny").exists()


def test_join_refusals(
    as_user, stranger, suspended, private_community, hidden_community, public_community
):
    assert_problem(as_user(stranger).post("/communities/film-lab/join", {}), 403)
    assert_problem(as_user(stranger).post("/communities/founders/join", {}), 404)
    assert_problem(
        as_user(suspended).post("/communities/espresso/join", {"accept_rules": True}), 403
    )
    assert_problem(
        as_user(stranger).post("/communities/espresso/join", {"accept_rules": "yes"}), 422
    )
    assert_problem(as_user(stranger).post("/communities/espresso/join", raw='"join"'), 422)
    answers = {"answers": ["A Leica"]}
    assert_problem(as_user(suspended).post("/communities/film-lab/join-requests", answers), 403)


def test_my_memberships_query_count_is_fixed(as_user, member, owner, django_assert_max_num_queries):
    client = as_user(member)
    testing.add_member(testing.make_community(owner), member)
    with django_assert_max_num_queries(8) as few:
        ok(client.get("/me/memberships"))
    for _ in range(8):
        testing.add_member(testing.make_community(owner), member)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(ok(client.get("/me/memberships"))["items"]) == 9


def test_leave(as_user, owner, member, stranger, public_community):
    assert_problem(as_user(owner).post("/communities/espresso/leave"), 403)
    assert_problem(as_user(stranger).post("/communities/espresso/leave"), 403)
    response = as_user(member).post("/communities/espresso/leave")
    assert response.status_code == 204
    assert response.content == b""
    public_community.refresh_from_db()
    assert public_community.member_count == 2


# --- Join requests -----------------------------------------------------------------------------


def test_request_to_join_and_host_decisions(
    as_user,
    owner,
    moderator,
    member,
    stranger,
    private_community,
    django_capture_on_commit_callbacks,
):
    applicant = as_user(stranger)
    body = assert_problem(
        applicant.post("/communities/film-lab/join-requests", {"answers": []}), 422
    )
    assert "answers" in body["errors"]
    created = ok(
        applicant.post(
            "/communities/film-lab/join-requests", {"answers": ["A Leica M6"], "message": "Hi!"}
        ),
        201,
    )
    assert created["status"] == "pending"
    assert created["answers"] == [
        {"question": "Which camera do you shoot?", "answer": "A Leica M6"}
    ]
    assert_problem(
        applicant.post("/communities/film-lab/join-requests", {"answers": ["Again"]}), 403
    )

    assert_problem(as_user(member).get("/communities/film-lab/join-requests"), 403)
    # Not a reader of the private community: its requests are hidden, not forbidden.
    assert_problem(applicant.get("/communities/film-lab/join-requests"), 404)
    listed = ok(as_user(moderator).get("/communities/film-lab/join-requests"))
    assert [r["id"] for r in listed["items"]] == [created["id"]]
    assert listed["next_cursor"] is None

    path = f"/communities/film-lab/join-requests/{created['id']}"
    assert_problem(as_user(member).post(f"{path}/approve", {}), 403)
    with django_capture_on_commit_callbacks(execute=True):
        decided = ok(as_user(owner).post(f"{path}/approve", {"note": "Welcome"}))
    assert decided["outcome"] == "joined"
    assert decided["join_request"]["status"] == "approved"
    assert Membership.objects.filter(user=stranger, community=private_community).exists()
    assert len(mail.outbox) == 1
    assert_problem(as_user(owner).post(f"{path}/decline", {}), 403)
    assert_problem(
        as_user(owner).post("/communities/film-lab/join-requests/999999/approve", {}), 404
    )


def test_decline_and_withdraw(as_user, owner, stranger, private_community, public_community):
    first = testing.make_join_request(private_community, stranger, answers=[])
    declined = ok(
        as_user(owner).post(f"/communities/film-lab/join-requests/{first.pk}/decline", {})
    )
    assert declined["outcome"] is None
    assert declined["join_request"]["status"] == "declined"
    assert_problem(as_user(stranger).delete(f"/me/join-requests/{first.pk}"), 403)
    second = testing.make_join_request(private_community, stranger, answers=[])
    assert_problem(as_user(owner).delete(f"/me/join-requests/{second.pk}"), 404)
    assert_problem(
        as_user(owner).post(f"/communities/espresso/join-requests/{second.pk}/approve", {}), 404
    )
    response = as_user(stranger).delete(f"/me/join-requests/{second.pk}")
    assert response.status_code == 204
    second.refresh_from_db()
    assert second.status == JoinRequest.Status.WITHDRAWN


def test_request_refused_where_the_policy_is_not_request(
    as_user, stranger, public_community, hidden_community
):
    assert_problem(as_user(stranger).post("/communities/espresso/join-requests", {}), 403)
    assert_problem(as_user(stranger).post("/communities/founders/join-requests", {}), 404)


def test_private_community_join_requests_are_404_for_outsiders_of_hidden(
    as_user, stranger, hidden_community
):
    assert_problem(as_user(stranger).get("/communities/founders/join-requests"), 404)
    assert_problem(as_user(stranger).get("/communities/founders/invitations"), 404)


# --- Invitations -------------------------------------------------------------------------------


def test_invitation_links(as_user, owner, member, stranger, hidden_community):
    host = as_user(owner)
    created = ok(
        host.post("/communities/founders/invitations", {"max_uses": 2, "expires_in_hours": 24}), 201
    )
    assert created["token"]
    assert created["url"].endswith(f"/invite/{created['token']}/")
    assert created["max_uses"] == 2
    assert created["email"] == ""
    assert created["expires_at"] is not None
    listed = ok(host.get("/communities/founders/invitations"))["items"]
    assert [i["id"] for i in listed] == [created["id"]]
    assert "token" not in listed[0]
    assert_problem(as_user(member).post("/communities/founders/invitations", {}), 403)
    assert_problem(as_user(member).get("/communities/founders/invitations"), 403)

    joined = ok(as_user(stranger).post(f"/invitations/{created['token']}/accept", {}), 201)
    assert joined["community"] == "founders"
    assert joined["membership"]["role"] == "member"
    assert Invitation.objects.get(pk=created["id"]).use_count == 1
    assert_problem(as_user(stranger).post(f"/invitations/{created['token']}/accept", {}), 403)
    assert_problem(as_user(stranger).post("/invitations/no-such-token/accept", {}), 404)


def test_invitation_revoke_and_expiry(as_user, owner, stranger, public_community):
    host = as_user(owner)
    created = ok(host.post("/communities/espresso/invitations", {"expires_in_hours": None}), 201)
    assert created["expires_at"] is None
    response = host.delete(f"/communities/espresso/invitations/{created['id']}")
    assert response.status_code == 204
    assert host.delete(f"/communities/espresso/invitations/{created['id']}").status_code == 204
    assert_problem(
        as_user(stranger).post(f"/invitations/{created['token']}/accept", {"accept_rules": True}),
        403,
    )
    assert ok(host.get("/communities/espresso/invitations"))["items"] == []
    expired = testing.make_invitation(
        public_community, expires_at=timezone.now() - timedelta(hours=1)
    )
    assert_problem(
        as_user(stranger).post(f"/invitations/{expired.token}/accept", {"accept_rules": True}), 403
    )
    assert_problem(host.delete("/communities/espresso/invitations/999999"), 404)


def test_email_invitation_is_sent_and_only_for_its_addressee(
    as_user, owner, member, stranger, private_community, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = ok(
            as_user(owner).post("/communities/film-lab/invitations", {"email": stranger.email}), 201
        )
    assert created["max_uses"] == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [stranger.email]
    assert_problem(
        as_user(testing.make_user()).post(f"/invitations/{created['token']}/accept", {}), 403
    )
    ok(as_user(stranger).post(f"/invitations/{created['token']}/accept", {}), 201)


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "not-an-email"},
        {"max_uses": 0},
        {"expires_in_hours": 0},
        {"expires_in_hours": 9000},
        {"max_uses": "3"},
    ],
)
def test_invitation_bad_input(as_user, owner, public_community, payload):
    assert_problem(as_user(owner).post("/communities/espresso/invitations", payload), 422)


def test_suspended_member_cannot_accept_an_invitation(as_user, suspended, public_community):
    invitation = testing.make_invitation(public_community)
    assert_problem(
        as_user(suspended).post(f"/invitations/{invitation.token}/accept", {"accept_rules": True}),
        403,
    )


def test_a_body_nested_thousands_deep_gets_a_4xx_not_a_500(client, member, public_community):
    client.force_login(member)
    deep = "[" * 5000 + '"x"' + "]" * 5000
    body = '{"title": "Deep", "body": "text", "tags": ' + deep + "}"
    response = client.post(
        f"/api/v1/communities/{public_community.slug}/topics",
        data=body,
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500
