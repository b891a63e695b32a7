"""Community pages: who sees what, what each POST writes, bad input, htmx, query budgets."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from PIL import Image

from cerchia.accounts.models import ProfileVisibility
from cerchia.communities.models import (
    Community,
    Invitation,
    JoinPolicy,
    JoinRequest,
    Membership,
    Role,
    SiteSettings,
    Visibility,
    WaitlistEntry,
)
from cerchia.core import testing
from cerchia.core.pagination import encode_cursor
from cerchia.core.testing import event_kinds

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, community: Community | None = None, **kwargs) -> str:
    if community is not None:
        kwargs["slug"] = community.slug
    return reverse(f"communities:{name}", kwargs=kwargs or None)


def signed_in(client, user):
    client.force_login(user)
    return client


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and reverse("account_login") in response["Location"]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


@pytest.fixture
def people(owner, moderator, member, stranger, site_admin):
    return {
        "anonymous": None,
        "stranger": stranger,
        "member": member,
        "moderator": moderator,
        "owner": owner,
        "site_admin": site_admin,
    }


@pytest.fixture
def communities(public_community, private_community, hidden_community):
    return {
        "public": public_community,
        "private": private_community,
        "hidden": hidden_community,
    }


def get_as(client, people, who, path):
    if people[who] is not None:
        client.force_login(people[who])
    return client.get(path)


# --- Who sees which page ------------------------------------------------------------------

HOSTS = {"moderator", "owner", "site_admin"}
INSIDERS = {"member"} | HOSTS


def expected_front_page(visibility: str, who: str) -> int:
    if visibility == "hidden" and who not in INSIDERS:
        return 404
    return 200


def expected_members_page(visibility: str, who: str) -> int:
    if visibility != "public" and who not in INSIDERS:
        return 404
    return 200


def expected_settings_page(visibility: str, who: str) -> int:
    if who == "anonymous":
        return 302
    if visibility != "public" and who not in INSIDERS:
        return 404
    return 200 if who in HOSTS else 403


@pytest.mark.parametrize("visibility", ["public", "private", "hidden"])
@pytest.mark.parametrize(
    "who", ["anonymous", "stranger", "member", "moderator", "owner", "site_admin"]
)
def test_page_access_matrix(client, people, communities, visibility, who):
    community = communities[visibility]
    if people[who] is not None:
        client.force_login(people[who])
    assert client.get(url("detail", community)).status_code == expected_front_page(visibility, who)
    assert client.get(url("members", community)).status_code == expected_members_page(
        visibility, who
    )
    for name in ("settings", "settings_membership", "requests", "invitations", "roles"):
        response = client.get(url(name, community))
        assert response.status_code == expected_settings_page(visibility, who), name
        if response.status_code == 302:
            assert is_login_redirect(response)


def test_forbidden_page_says_why(client, public_community, member):
    response = signed_in(client, member).get(url("settings", public_community))
    assert response.status_code == 403
    assert "Only the community" in response.content.decode()


def test_transfer_page_is_for_the_owner(client, public_community, owner, moderator, member):
    path = url("transfer", public_community, handle=member.handle)
    assert signed_in(client, moderator).get(path).status_code == 403
    response = signed_in(client, owner).get(path)
    assert response.status_code == 200
    assert member.name in response.content.decode()


def test_transfer_page_refuses_the_owner_as_target(client, public_community, owner):
    path = url("transfer", public_community, handle=owner.handle)
    assert signed_in(client, owner).get(path).status_code == 403


def test_unknown_member_handle_is_404(client, public_community, owner):
    signed_in(client, owner)
    assert client.get(url("transfer", public_community, handle="nobody")).status_code == 404
    assert (
        client.post(
            url("change_role", public_community, handle="nobody"), {"role": "moderator"}
        ).status_code
        == 404
    )


# --- Home and directory ------------------------------------------------------------------------


def test_home_for_visitors_shows_what_cerchia_is_and_communities(
    client, public_community, private_community, hidden_community
):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Small communities, close circles" in body
    assert public_community.name in body
    assert private_community.name in body
    assert escape(hidden_community.name) not in body


def test_home_lists_my_communities_with_roles(client, owner, public_community, hidden_community):
    other = testing.make_community(name="Someone else's circle")
    response = signed_in(client, owner).get(reverse("home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert public_community.name in body
    assert escape(hidden_community.name) in body
    assert escape(other.name) not in body
    assert "pill--owner" in body


def test_home_without_communities_prompts_to_discover(client, stranger):
    body = signed_in(client, stranger).get(reverse("home")).content.decode()
    assert "You have not joined a community yet" in body
    assert url("directory") in body


def test_directory_lists_listed_communities_with_lock_and_member_marker(
    client, member, public_community, private_community, hidden_community
):
    body = signed_in(client, member).get(url("directory")).content.decode()
    assert public_community.name in body
    assert private_community.name in body
    assert escape(hidden_community.name) not in body
    assert "Private" in body
    assert "You are a member" in body


def test_directory_search_and_tag(client, owner):
    moka = testing.make_community(owner, name="Moka lovers", tagline="Stovetop coffee")
    moka.interests.create(slug="coffee", name="coffee")
    trail = testing.make_community(owner, name="Trail runners", tagline="Dolomites at dawn")
    body = client.get(url("directory"), {"q": "stovetop"}).content.decode()
    assert moka.name in body
    assert trail.name not in body
    body = client.get(url("directory"), {"tag": "coffee"}).content.decode()
    assert moka.name in body
    assert trail.name not in body
    assert 'href="?tag=coffee"' in body
    body = client.get(url("directory"), {"q": "knitting"}).content.decode()
    assert "No community matches yet" in body


def test_directory_pages_with_next_link(client, owner):
    for index in range(30):
        testing.make_community(owner, name=f"Circle {index:02d}")
    response = client.get(url("directory"))
    page = response.context["page"]
    assert len(page.items) == 24
    assert page.next_cursor
    body = response.content.decode()
    assert f"cursor={page.next_cursor}" in body
    second = client.get(url("directory"), {"cursor": page.next_cursor})
    assert [c.name for c in second.context["page"].items] == [
        f"Circle {index:02d}" for index in range(24, 30)
    ]


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!!",
        encode_cursor(["a", "not-a-number"]),
        encode_cursor([1, 2, 3]),
        encode_cursor(["A", 10**30]),
    ],
)
def test_bad_cursor_gives_the_first_page(client, public_community, cursor):
    response = client.get(url("directory"), {"cursor": cursor})
    assert response.status_code == 200
    assert public_community.name in response.content.decode()
    response = client.get(url("members", public_community), {"cursor": cursor})
    assert response.status_code == 200


def test_directory_htmx_gets_the_results_partial(client, public_community):
    response = client.get(url("directory"), {"q": "espresso"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="directory-results"' in body
    assert "<html" not in body
    assert public_community.name in body
    assert "HX-Request" in response["Vary"]


def _directory_queries(client, count: int) -> int:
    owner = testing.make_user()
    for index in range(count):
        community = testing.make_community(owner, name=f"Circle {index:03d}")
        community.interests.create(slug=f"tag-{count}-{index}", name=f"tag {index}")
    client.get(url("directory"))  # warm up: the first visit creates the site settings row
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("directory"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["anonymous", "stranger"])
def test_directory_query_budget_does_not_grow(client, stranger, who, django_assert_max_num_queries):
    if who == "stranger":
        client.force_login(stranger)
    few = _directory_queries(client, 3)
    Community.objects.all().delete()
    many = _directory_queries(client, 30)
    assert few == many
    with django_assert_max_num_queries(8):
        client.get(url("directory"))


# --- Front page and member directory --------------------------------------------------------------


def test_front_page_shows_description_rules_hosts(client, public_community, owner):
    public_community.description_html = "<p>All about <strong>espresso</strong></p>"
    public_community.rules_html = "<p>Be kind.</p>"
    public_community.save()
    owner.profile_visibility = ProfileVisibility.PUBLIC
    owner.save()
    body = client.get(url("detail", public_community)).content.decode()
    assert "All about <strong>espresso</strong>" in body
    assert "Be kind." in body
    assert owner.name in body
    assert "Sign in to join" in body


def test_private_front_page_hides_members_from_outsiders(
    client, private_community, stranger, owner
):
    owner.profile_visibility = ProfileVisibility.PUBLIC
    owner.save()
    body = signed_in(client, stranger).get(url("detail", private_community)).content.decode()
    assert "Members only." in body
    assert url("members", private_community) not in body
    assert "Ask to join" in body
    assert private_community.screening_questions[0] in body


@pytest.mark.parametrize(
    ("who", "text"),
    [
        ("member", "Leave community"),
        ("owner", "transfer ownership to another member"),
        ("stranger", "Join community"),
    ],
)
def test_front_page_call_to_action(client, people, public_community, who, text):
    body = signed_in(client, people[who]).get(url("detail", public_community)).content.decode()
    assert text in body


def test_front_page_shows_the_rules_checkbox_only_with_rules(client, stranger, owner):
    with_rules = testing.make_community(owner, rules="Be kind.")
    without = testing.make_community(owner)
    signed_in(client, stranger)
    assert 'name="accept_rules"' in client.get(url("detail", with_rules)).content.decode()
    assert 'name="accept_rules"' not in client.get(url("detail", without)).content.decode()


def test_front_page_invitation_only(client, stranger, owner):
    community = testing.make_community(owner, join_policy=JoinPolicy.INVITATION)
    body = signed_in(client, stranger).get(url("detail", community)).content.decode()
    assert "invitation only" in body


def test_front_page_of_a_full_community_offers_the_waitlist(client, stranger, owner):
    community = testing.make_community(owner, member_cap=1)
    body = signed_in(client, stranger).get(url("detail", community)).content.decode()
    assert "Join the waitlist" in body


def test_invited_person_sees_the_invitation(client, stranger, hidden_community):
    invitation = testing.make_invitation(hidden_community, email=stranger.email)
    body = signed_in(client, stranger).get(url("detail", hidden_community)).content.decode()
    assert url("invitation", token=invitation.token) in body


def test_member_directory_lists_visible_profiles(client, public_community, member, stranger):
    quiet = testing.make_user("quiet_one", profile_visibility=ProfileVisibility.PRIVATE)
    testing.add_member(public_community, quiet)
    loud = testing.make_user("loud_one", profile_visibility=ProfileVisibility.PUBLIC)
    testing.add_member(public_community, loud)
    body = signed_in(client, stranger).get(url("members", public_community)).content.decode()
    assert "@loud_one" in body
    assert "@quiet_one" not in body
    body = signed_in(client, member).get(url("members", public_community)).content.decode()
    assert "@loud_one" in body


def test_member_directory_search_and_role_filter(
    client, public_community, owner, member, moderator
):
    signed_in(client, owner)
    body = client.get(url("members", public_community), {"q": "mia"}).content.decode()
    assert f"@{member.handle}" in body
    assert f"@{moderator.handle}" not in body
    response = client.get(url("members", public_community), {"role": "moderator"})
    assert [m.user for m in response.context["page"].items] == [moderator]
    assert client.get(url("members", public_community), {"role": "nonsense"}).status_code == 200


def test_member_directory_htmx_partial(client, public_community, owner):
    response = signed_in(client, owner).get(url("members", public_community), {"q": "o"}, **HTMX)
    body = response.content.decode()
    assert 'id="member-results"' in body
    assert "<html" not in body


def _members_queries(client, community, count: int) -> int:
    for _index in range(count):
        user = testing.make_user(profile_visibility=ProfileVisibility.PUBLIC)
        user.interests.create(slug=f"i-{user.handle}", name="interest")
        testing.add_member(community, user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("members", community))
    assert response.status_code == 200
    return len(queries)


def test_member_directory_query_budget_does_not_grow(client, owner, django_assert_max_num_queries):
    signed_in(client, owner)
    few = _members_queries(client, testing.make_community(owner), 3)
    many = _members_queries(client, testing.make_community(owner), 30)
    assert few == many
    with django_assert_max_num_queries(10):
        client.get(url("members", Community.objects.last()))


# --- Joining and leaving --------------------------------------------------------------------------


def test_join_with_rules_accepted(client, public_community, stranger):
    response = signed_in(client, stranger).post(
        url("join", public_community), {"accept_rules": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("detail", public_community)
    assert Membership.objects.filter(community=public_community, user=stranger).exists()
    assert event_kinds(kind__startswith="membership") == ["membership.joined"]
    assert "Welcome to" in messages_of(response)[0]


def test_join_without_accepting_rules_shows_the_error(client, public_community, stranger):
    response = signed_in(client, stranger).post(url("join", public_community))
    assert response.status_code == 400
    assert "accept the rules" in response.content.decode()
    assert not Membership.objects.filter(community=public_community, user=stranger).exists()
    assert event_kinds() == []


def test_join_htmx_swaps_the_call_to_action(client, public_community, stranger):
    response = signed_in(client, stranger).post(
        url("join", public_community), {"accept_rules": "on"}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="membership"' in body
    assert "<html" not in body
    assert "Leave community" in body
    assert "hx-swap-oob" in body
    assert Membership.objects.filter(community=public_community, user=stranger).exists()


def test_join_htmx_error_is_swapped_with_422(client, public_community, stranger):
    response = signed_in(client, stranger).post(url("join", public_community), **HTMX)
    assert response.status_code == 422
    assert "accept the rules" in response.content.decode()


def test_anonymous_posts_go_to_sign_in(client, public_community):
    for name in ("join", "leave", "request", "withdraw_request", "leave_waitlist"):
        response = client.post(url(name, public_community))
        assert is_login_redirect(response), name
        assert "next=" in response["Location"]
    assert event_kinds() == []


def test_get_on_a_post_endpoint_is_405(client, public_community, stranger):
    assert signed_in(client, stranger).get(url("join", public_community)).status_code == 405


def test_join_refused_where_approval_is_needed(client, private_community, stranger):
    response = signed_in(client, stranger).post(
        url("join", private_community), {"accept_rules": "on"}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(community=private_community, user=stranger).exists()


def test_join_hidden_community_is_404(client, hidden_community, stranger):
    response = signed_in(client, stranger).post(url("join", hidden_community))
    assert response.status_code == 404


def test_join_twice_is_harmless(client, public_community, member):
    response = signed_in(client, member).post(url("join", public_community), {"accept_rules": "on"})
    assert response.status_code == 302
    assert event_kinds() == []


def test_join_a_full_community_gives_a_waitlist_place(client, owner, stranger):
    community = testing.make_community(owner, member_cap=1)
    earlier = testing.make_user()
    WaitlistEntry.objects.create(community=community, user=earlier)
    response = signed_in(client, stranger).post(url("join", community))
    assert response.status_code == 302
    assert WaitlistEntry.objects.filter(community=community, user=stranger).exists()
    assert not Membership.objects.filter(community=community, user=stranger).exists()
    assert "number 2 on the waitlist" in messages_of(response)[0]
    assert event_kinds() == ["community.waitlisted"]
    body = client.get(url("detail", community)).content.decode()
    assert "You are number 2 on the waitlist" in body


def test_leave_waitlist(client, owner, stranger):
    community = testing.make_community(owner, member_cap=1)
    WaitlistEntry.objects.create(community=community, user=stranger)
    response = signed_in(client, stranger).post(url("leave_waitlist", community))
    assert response.status_code == 302
    assert not WaitlistEntry.objects.filter(community=community, user=stranger).exists()
    assert event_kinds() == ["community.waitlist_left"]


def test_leave(client, public_community, member):
    response = signed_in(client, member).post(url("leave", public_community))
    assert response.status_code == 302
    assert not Membership.objects.filter(community=public_community, user=member).exists()
    assert event_kinds() == ["membership.left"]


def test_leave_hidden_community_goes_home(client, hidden_community, member):
    response = signed_in(client, member).post(url("leave", hidden_community))
    assert response["Location"] == reverse("home")


def test_owner_cannot_leave(client, public_community, owner):
    response = signed_in(client, owner).post(url("leave", public_community))
    assert response.status_code == 403
    assert "Transfer ownership" in response.content.decode()
    assert Membership.objects.filter(community=public_community, user=owner).exists()
    assert event_kinds() == []


def test_leave_htmx(client, public_community, member):
    response = signed_in(client, member).post(url("leave", public_community), **HTMX)
    assert response.status_code == 200
    assert "Join community" in response.content.decode()


# --- Join requests ------------------------------------------------------------------------------


def test_request_to_join(client, private_community, stranger):
    response = signed_in(client, stranger).post(
        url("request", private_community), {"answer_0": "A Nikon FM2", "message": "Hi!"}
    )
    assert response.status_code == 302
    join_request = JoinRequest.objects.get(community=private_community, user=stranger)
    assert join_request.answers == [
        {"question": "Which camera do you shoot?", "answer": "A Nikon FM2"}
    ]
    assert join_request.message == "Hi!"
    assert event_kinds() == ["join_request.created"]
    body = client.get(url("detail", private_community)).content.decode()
    assert "Your request to join is waiting" in body


def test_request_without_answers_shows_errors(client, private_community, stranger):
    response = signed_in(client, stranger).post(url("request", private_community), {})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not JoinRequest.objects.exists()
    assert event_kinds() == []


def test_request_needs_rules_accepted_when_there_are_rules(client, owner, stranger):
    community = testing.make_community(
        owner, join_policy=JoinPolicy.REQUEST, rules="Be kind.", screening_questions=[]
    )
    response = signed_in(client, stranger).post(url("request", community), {})
    assert response.status_code == 400
    assert "accept the rules" in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_request_refused_for_open_community(client, public_community, stranger):
    response = signed_in(client, stranger).post(url("request", public_community), {})
    assert response.status_code == 403


def test_request_twice_is_harmless(client, private_community, stranger):
    testing.make_join_request(private_community, stranger)
    response = signed_in(client, stranger).post(
        url("request", private_community), {"answer_0": "x"}
    )
    assert response.status_code == 302
    assert JoinRequest.objects.count() == 1


def test_withdraw_request(client, private_community, stranger):
    join_request = testing.make_join_request(private_community, stranger)
    response = signed_in(client, stranger).post(url("withdraw_request", private_community))
    assert response.status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.WITHDRAWN
    assert event_kinds() == ["join_request.withdrawn"]
    response = client.post(url("withdraw_request", private_community))
    assert response.status_code == 302
    assert event_kinds() == ["join_request.withdrawn"]


def test_hosts_see_requests_with_answers(client, private_community, moderator, stranger):
    testing.make_join_request(
        private_community, stranger, answers=[{"question": "Camera?", "answer": "Leica M6"}]
    )
    body = signed_in(client, moderator).get(url("requests", private_community)).content.decode()
    assert "Leica M6" in body
    assert stranger.name in body


def test_approve_request(
    client, private_community, owner, stranger, django_capture_on_commit_callbacks
):
    join_request = testing.make_join_request(private_community, stranger)
    path = url("decide_request", private_community, request_id=join_request.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, owner).post(path, {"decision": "approve", "note": "Welcome!"})
    assert response.status_code == 302
    assert Membership.objects.filter(community=private_community, user=stranger).exists()
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED
    assert join_request.decision_note == "Welcome!"
    assert event_kinds() == ["membership.joined", "join_request.approved"]
    assert len(mail.outbox) == 1


def test_decline_request_htmx(client, private_community, owner, stranger):
    join_request = testing.make_join_request(private_community, stranger)
    path = url("decide_request", private_community, request_id=join_request.pk)
    response = signed_in(client, owner).post(path, {"decision": "decline"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="join-request-{join_request.pk}"' in body
    assert "Declined." in body
    assert "<html" not in body
    assert not Membership.objects.filter(community=private_community, user=stranger).exists()
    assert event_kinds() == ["join_request.declined"]


def test_decide_twice_is_harmless(client, private_community, owner, stranger):
    join_request = testing.make_join_request(private_community, stranger)
    path = url("decide_request", private_community, request_id=join_request.pk)
    signed_in(client, owner).post(path, {"decision": "decline"})
    response = client.post(path, {"decision": "approve"})
    assert response.status_code == 302
    assert event_kinds() == ["join_request.declined"]


def test_decide_bad_input(client, private_community, owner, stranger):
    join_request = testing.make_join_request(private_community, stranger)
    signed_in(client, owner)
    path = url("decide_request", private_community, request_id=join_request.pk)
    assert client.post(path, {"decision": "maybe"}).status_code == 400
    assert client.post(path, {}).status_code == 400
    missing = url("decide_request", private_community, request_id=10**12)
    assert client.post(missing, {"decision": "approve"}).status_code == 404
    assert event_kinds() == []


def test_members_cannot_decide(client, private_community, member, stranger):
    join_request = testing.make_join_request(private_community, stranger)
    path = url("decide_request", private_community, request_id=join_request.pk)
    assert signed_in(client, member).post(path, {"decision": "approve"}).status_code == 403
    assert event_kinds() == []


def test_request_of_another_community_is_404(
    client, private_community, public_community, owner, stranger
):
    join_request = testing.make_join_request(private_community, stranger)
    path = url("decide_request", public_community, request_id=join_request.pk)
    assert signed_in(client, owner).post(path, {"decision": "approve"}).status_code == 404


# --- Invitations ----------------------------------------------------------------------------------


def test_create_invitation_link(client, public_community, moderator):
    response = signed_in(client, moderator).post(
        url("invitations", public_community), {"expires_days": "3", "max_uses": "5"}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(community=public_community)
    assert invitation.max_uses == 5
    assert invitation.email == ""
    assert invitation.expires_at is not None
    assert timedelta(days=2) < invitation.expires_at - timezone.now() <= timedelta(days=3)
    assert event_kinds() == ["invitation.created"]
    body = client.get(url("invitations", public_community)).content.decode()
    assert "http://testserver" + url("invitation", token=invitation.token) in body


def test_create_email_invitation_sends_it(
    client, public_community, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(client, owner).post(
            url("invitations", public_community),
            {"email": "Friend@Example.org", "expires_days": "7"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(community=public_community)
    assert invitation.email == "friend@example.org"
    assert invitation.max_uses == 1
    assert mail.outbox[0].to == ["friend@example.org"]


@pytest.mark.parametrize(
    "data",
    [
        {"max_uses": "0"},
        {"max_uses": "many"},
        {"expires_days": "0"},
        {"expires_days": "400"},
        {"email": "not-an-email"},
    ],
)
def test_create_invitation_bad_input(client, public_community, owner, data):
    response = signed_in(client, owner).post(url("invitations", public_community), data)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not Invitation.objects.exists()
    assert event_kinds() == []


def test_members_cannot_invite(client, public_community, member):
    response = signed_in(client, member).post(url("invitations", public_community), {})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_revoke_invitation(client, public_community, owner):
    invitation = testing.make_invitation(public_community)
    path = url("revoke_invitation", public_community, invitation_id=invitation.pk)
    response = signed_in(client, owner).post(path)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert event_kinds() == ["invitation.revoked"]
    assert "Invitation revoked." in messages_of(response)


def test_revoke_invitation_htmx(client, public_community, owner):
    invitation = testing.make_invitation(public_community)
    path = url("revoke_invitation", public_community, invitation_id=invitation.pk)
    response = signed_in(client, owner).post(path, **HTMX)
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "Invitation revoked." in response.content.decode()


def test_revoke_invitation_of_another_community_is_404(
    client, public_community, private_community, owner
):
    invitation = testing.make_invitation(private_community)
    path = url("revoke_invitation", public_community, invitation_id=invitation.pk)
    assert signed_in(client, owner).post(path).status_code == 404


def test_invitation_page_for_visitors_links_to_sign_in(client, hidden_community):
    invitation = testing.make_invitation(hidden_community)
    response = client.get(url("invitation", token=invitation.token))
    body = response.content.decode()
    assert response.status_code == 200
    assert escape(hidden_community.name) in body
    assert f"?next={url('invitation', token=invitation.token)}" in body


def test_unknown_invitation_is_404(client):
    assert client.get(url("invitation", token="nope")).status_code == 404


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"revoked_at": timezone.now()}, "withdrawn"),
        ({"expires_at": timezone.now() - timedelta(days=1)}, "expired"),
        ({"max_uses": 1, "use_count": 1}, "used as many times"),
    ],
)
def test_unusable_invitation_explains(client, hidden_community, stranger, fields, text):
    invitation = testing.make_invitation(hidden_community, **fields)
    path = url("invitation", token=invitation.token)
    body = signed_in(client, stranger).get(path).content.decode()
    assert text in body
    assert "Accept and join" not in body
    response = client.post(path, {"accept_rules": "on"})
    assert response.status_code == 403
    assert not Membership.objects.filter(community=hidden_community, user=stranger).exists()


def test_accept_invitation_to_hidden_community(client, hidden_community, stranger):
    invitation = testing.make_invitation(hidden_community)
    path = url("invitation", token=invitation.token)
    assert "Accept and join" in signed_in(client, stranger).get(path).content.decode()
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == url("detail", hidden_community)
    assert Membership.objects.filter(community=hidden_community, user=stranger).exists()
    invitation.refresh_from_db()
    assert invitation.use_count == 1
    assert event_kinds() == ["membership.joined"]
    assert client.get(response["Location"]).status_code == 200


def test_accept_invitation_needs_the_rules(client, owner, stranger):
    community = testing.make_community(owner, visibility=Visibility.HIDDEN, rules="Be kind.")
    invitation = testing.make_invitation(community)
    response = signed_in(client, stranger).post(url("invitation", token=invitation.token))
    assert response.status_code == 400
    assert "accept the rules" in response.content.decode()
    assert not Membership.objects.filter(community=community, user=stranger).exists()


def test_accept_invitation_anonymous_goes_to_sign_in(client, hidden_community):
    invitation = testing.make_invitation(hidden_community)
    response = client.post(url("invitation", token=invitation.token))
    assert is_login_redirect(response)


def test_email_invitation_for_someone_else(client, hidden_community, stranger):
    invitation = testing.make_invitation(hidden_community, email="other@example.org")
    path = url("invitation", token=invitation.token)
    assert "different email address" in signed_in(client, stranger).get(path).content.decode()
    assert client.post(path).status_code == 403


def test_accept_invitation_when_full_waitlists(client, owner, stranger):
    community = testing.make_community(owner, visibility=Visibility.HIDDEN, member_cap=1)
    invitation = testing.make_invitation(community)
    path = url("invitation", token=invitation.token)
    response = signed_in(client, stranger).post(path)
    assert response["Location"] == path
    assert WaitlistEntry.objects.filter(community=community, user=stranger).exists()
    assert "number 1 on the waitlist" in client.get(path).content.decode()


def test_accept_invitation_twice_is_harmless(client, hidden_community, member):
    invitation = testing.make_invitation(hidden_community)
    path = url("invitation", token=invitation.token)
    assert "already a member" in signed_in(client, member).get(path).content.decode()
    assert client.post(path).status_code == 302
    assert event_kinds() == []


# --- Roles ---------------------------------------------------------------------------------------


def test_promote_and_demote(client, public_community, owner, member):
    path = url("change_role", public_community, handle=member.handle)
    response = signed_in(client, owner).post(path, {"role": "moderator"})
    assert response.status_code == 302
    assert Membership.objects.get(community=public_community, user=member).role == Role.MODERATOR
    response = client.post(path, {"role": "member"}, **HTMX)
    assert response.status_code == 200
    assert "<tr" in response.content.decode()
    assert "toast" in response["HX-Trigger"]
    assert Membership.objects.get(community=public_community, user=member).role == Role.MEMBER
    assert event_kinds() == ["membership.role_changed", "membership.role_changed"]


def test_moderators_cannot_change_roles(client, public_community, moderator, member):
    path = url("change_role", public_community, handle=member.handle)
    assert signed_in(client, moderator).post(path, {"role": "moderator"}).status_code == 403
    assert event_kinds() == []


def test_change_role_bad_input(client, public_community, owner, member):
    signed_in(client, owner)
    path = url("change_role", public_community, handle=member.handle)
    assert client.post(path, {"role": "owner"}).status_code == 302
    assert client.post(path, {}).status_code == 302
    owner_path = url("change_role", public_community, handle=owner.handle)
    assert client.post(owner_path, {"role": "member"}).status_code == 403
    assert event_kinds() == []


def test_transfer_ownership(client, public_community, owner, member):
    path = url("transfer", public_community, handle=member.handle)
    response = signed_in(client, owner).post(path)
    assert response.status_code == 302
    roles = dict(
        Membership.objects.filter(community=public_community).values_list("user__handle", "role")
    )
    assert roles[member.handle] == Role.OWNER
    assert roles[owner.handle] == Role.MODERATOR
    assert event_kinds() == ["community.ownership_transferred"]


# --- Creating and editing -------------------------------------------------------------------------


def png_upload(name: str = "cover.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 400), "#c0562f").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


CREATE = {
    "name": "Balcony gardens",
    "tagline": "Tomatoes on the fourth floor",
    "description": "Grow **food**",
    "interests": "Gardening, urban farming",
    "language": "en",
    "rules": "",
    "visibility": "public",
    "join_policy": "open",
    "member_cap": "",
    "screening_questions": "",
}


def test_create_page_needs_sign_in(client):
    assert is_login_redirect(client.get(url("create")))
    assert is_login_redirect(client.post(url("create"), CREATE))
    assert not Community.objects.exists()


def test_create_community(client, stranger):
    response = signed_in(client, stranger).post(url("create"), CREATE | {"cover": png_upload()})
    community = Community.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("detail", community)
    assert community.slug == "balcony-gardens"
    assert community.cover
    assert [i.slug for i in community.interests.all()] == ["gardening", "urban-farming"]
    assert Membership.objects.get(community=community).role == Role.OWNER
    assert event_kinds() == ["community.created"]


def test_create_with_screening_questions(client, stranger):
    data = CREATE | {
        "slug": "balcony",
        "visibility": "private",
        "join_policy": "request",
        "member_cap": "20",
        "screening_questions": "What do you grow?\n\n  Where is your balcony?  \n",
    }
    assert signed_in(client, stranger).post(url("create"), data).status_code == 302
    community = Community.objects.get(slug="balcony")
    assert community.screening_questions == ["What do you grow?", "Where is your balcony?"]
    assert community.member_cap == 20


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"name": ""}, "This field is required"),
        ({"slug": "Bad Slug!"}, "lowercase letters"),
        ({"slug": "admin"}, "This address is taken"),
        ({"slug": "espresso"}, "This address is taken"),
        ({"visibility": "secret"}, "Select a valid choice"),
        ({"visibility": "hidden", "join_policy": "open"}, "only be joined by invitation"),
        ({"member_cap": "0"}, "greater than or equal to 1"),
        ({"screening_questions": "q?\n" * 6}, "at most 5 questions"),
        ({"interests": "x"}, "a tag has"),
        ({"cover": SimpleUploadedFile("x.png", b"not an image")}, "not one we can read"),
    ],
)
def test_create_bad_input_shows_errors(client, stranger, public_community, data, error):
    before = Community.objects.count()
    response = signed_in(client, stranger).post(url("create"), CREATE | data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert Community.objects.count() == before
    assert event_kinds() == []


def test_create_refused_when_only_admins_may(client, stranger, site_admin):
    SiteSettings.objects.update_or_create(
        pk=1, defaults={"community_creation": SiteSettings.CommunityCreation.ADMINS}
    )
    assert signed_in(client, stranger).get(url("create")).status_code == 403
    assert client.post(url("create"), CREATE).status_code == 403
    assert signed_in(client, site_admin).get(url("create")).status_code == 200
    assert not Community.objects.exists()


def test_edit_general_settings(client, public_community, moderator):
    path = url("settings", public_community)
    form = signed_in(client, moderator).get(path).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["interests"] = "espresso, grinders"
    data["tagline"] = "Better espresso"
    response = client.post(path, data)
    assert response.status_code == 302
    public_community.refresh_from_db()
    assert public_community.tagline == "Better espresso"
    assert event_kinds() == ["community.updated"]


def test_changing_the_address_redirects_to_it(client, public_community, owner):
    data = {"name": "Espresso", "slug": "espresso-home", "tagline": "x", "language": "en"}
    response = signed_in(client, owner).post(url("settings", public_community), data)
    assert response["Location"] == reverse("communities:settings", kwargs={"slug": "espresso-home"})


def test_edit_settings_bad_input(client, public_community, private_community, owner):
    path = url("settings", public_community)
    data = {"name": "Espresso", "slug": private_community.slug, "tagline": "x", "language": "en"}
    response = signed_in(client, owner).post(path, data)
    assert response.status_code == 400
    assert "This address is taken" in response.content.decode()
    public_community.refresh_from_db()
    assert public_community.slug == "espresso"
    assert event_kinds() == []


def test_edit_membership_settings(client, public_community, owner):
    path = url("settings_membership", public_community)
    data = {"visibility": "private", "join_policy": "request", "screening_questions": "Why?"}
    assert signed_in(client, owner).post(path, data).status_code == 302
    public_community.refresh_from_db()
    assert public_community.visibility == Visibility.PRIVATE
    assert public_community.screening_questions == ["Why?"]
    response = client.post(path, {"visibility": "hidden", "join_policy": "open"})
    assert response.status_code == 400
    assert "only be joined by invitation" in response.content.decode()
    public_community.refresh_from_db()
    assert public_community.visibility == Visibility.PRIVATE


def test_members_cannot_edit_settings(client, public_community, member):
    response = signed_in(client, member).post(
        url("settings", public_community), {"name": "Hacked", "slug": "espresso", "tagline": "x"}
    )
    assert response.status_code == 403
    public_community.refresh_from_db()
    assert public_community.name == "Espresso at home"
