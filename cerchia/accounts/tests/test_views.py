"""Profile and settings pages, the language switch and the admin, through the test client."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cerchia.accounts import actions
from cerchia.accounts.models import AccessToken, ConsentRecord, ProfileVisibility, User
from cerchia.accounts.tests.conftest import PASSWORD, image_bytes, join, make_community
from cerchia.communities.models import Community, Membership, Role, Visibility
from cerchia.insights.models import Event

pytestmark = pytest.mark.django_db

Upload = Callable[..., SimpleUploadedFile]


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def profile_url(user: User) -> str:
    return reverse("accounts:profile", kwargs={"handle": user.handle})


def profile_form(user: User, **changes: Any) -> dict[str, Any]:
    data = {
        "display_name": user.display_name,
        "handle": user.handle,
        "bio": user.bio,
        "interests": "",
        "profile_visibility": user.profile_visibility,
    }
    data.update(changes)
    return data


# --- Profile page -----------------------------------------------------------------------


def test_public_profile_shows_name_bio_interests_and_communities(
    client: Client, person: User, circle: Community
) -> None:
    actions.update_profile(
        person,
        person,
        bio="Espresso <script>alert(1)</script>",
        interests="home espresso",
        profile_visibility=ProfileVisibility.PUBLIC,
    )
    response = client.get(profile_url(person))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Paola Persona" in html
    assert "@person" in html
    assert "home espresso" in html
    assert "Espresso Circle" in html
    assert "<script>alert(1)</script>" not in html  # escaped, never run
    assert "Edit profile" not in html


def test_profile_address_ignores_case_and_redirects_to_the_handle(
    client: Client, person: User
) -> None:
    person.profile_visibility = ProfileVisibility.PUBLIC
    person.save()
    response = client.get("/u/PERSON/")
    assert response.status_code == 302
    assert response["Location"] == profile_url(person)


@pytest.mark.parametrize("visibility", [ProfileVisibility.MEMBERS, ProfileVisibility.PRIVATE])
def test_hidden_profiles_answer_404(client: Client, person: User, visibility: str) -> None:
    person.profile_visibility = visibility
    person.save()
    assert client.get(profile_url(person)).status_code == 404
    assert client.get("/u/nobody_here/").status_code == 404


def test_own_profile_offers_editing(person: User) -> None:
    response = signed_in(person).get(profile_url(person))
    assert response.status_code == 200
    assert reverse("accounts:settings") in response.content.decode()


def test_private_and_hidden_communities_show_only_to_their_members(
    client: Client, person: User, co_member: User, outsider: User
) -> None:
    person.profile_visibility = ProfileVisibility.PUBLIC
    person.save()
    secret = make_community("secret-club", Visibility.HIDDEN)
    lab = make_community("film-lab", Visibility.PRIVATE)
    join(secret, person)
    join(lab, person)
    join(lab, outsider)

    def names(viewer_client: Client) -> set[str]:
        memberships = viewer_client.get(profile_url(person)).context["memberships"]
        return {m.community.slug for m in memberships}

    public = {"espresso-circle"}
    assert names(client) == public
    assert names(signed_in(co_member)) == public
    assert names(signed_in(outsider)) == public | {"film-lab"}
    assert names(signed_in(person)) == public | {"secret-club", "film-lab"}


def test_public_communities_are_listed_with_roles(
    client: Client, person: User, circle: Community
) -> None:
    person.profile_visibility = ProfileVisibility.PUBLIC
    person.save()
    Membership.objects.filter(user=person).update(role=Role.MODERATOR)
    html = client.get(profile_url(person)).content.decode()
    assert "Espresso Circle" in html
    assert "Moderator" in html


def test_profile_page_query_count_does_not_grow(
    person: User, co_member: User, django_assert_max_num_queries: Any
) -> None:
    viewer = signed_in(co_member)
    viewer.get(profile_url(person))  # warm up sessions and site caches
    for number in range(8):
        join(make_community(f"extra-{number}"), person)
    actions.update_profile(person, person, interests="a1, b2, c3, d4, e5")
    with django_assert_max_num_queries(8):
        assert viewer.get(profile_url(person)).status_code == 200


# --- Settings pages -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "accounts:settings",
        "accounts:settings_privacy",
        "accounts:settings_preferences",
        "accounts:settings_tokens",
        "accounts:settings_export",
        "accounts:settings_delete",
    ],
)
def test_settings_need_signing_in_and_render(client: Client, person: User, name: str) -> None:
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    response = signed_in(person).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for link in ("account_email", "account_change_password", "mfa_index"):
        assert reverse(link) in html
    assert 'aria-current="page"' in html


def test_profile_settings_save(person: User, upload: Upload) -> None:
    data = profile_form(
        person,
        display_name="Paola R",
        handle="paola",
        interests="Espresso, Film Photography",
        avatar=upload(),
    )
    response = signed_in(person).post(reverse("accounts:settings"), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.display_name, person.handle) == ("Paola R", "paola")
    assert (person.avatar.name or "").endswith(".jpg")
    assert sorted(person.interests.values_list("slug", flat=True)) == [
        "espresso",
        "film-photography",
    ]
    page = signed_in(person).get(reverse("accounts:settings")).content.decode()
    assert "espresso, film photography" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param({"handle": "no"}, "handle", "3–30", id="bad-handle"),
        pytest.param({"handle": "CO_MEMBER"}, "handle", "already taken", id="taken-handle"),
        pytest.param({"interests": "x"}, "interests", "2 to 40", id="short-interest"),
        pytest.param({"profile_visibility": "all"}, "profile_visibility", "", id="visibility"),
    ],
)
def test_profile_settings_refuse_bad_input(
    person: User, co_member: User, changes: dict[str, str], field: str, message: str
) -> None:
    response = signed_in(person).post(reverse("accounts:settings"), profile_form(person, **changes))
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])
    person.refresh_from_db()
    assert person.handle == "person"


def test_non_image_avatar_is_a_form_error(person: User, upload: Upload) -> None:
    fake = upload(b"MZ\x90\x00 not a picture", "avatar.png", "image/png")
    response = signed_in(person).post(
        reverse("accounts:settings"), profile_form(person, display_name="New", avatar=fake)
    )
    assert response.status_code == 400
    assert "avatar" in response.context["form"].errors
    person.refresh_from_db()
    assert person.display_name == "Paola Persona"
    assert not person.avatar


def test_huge_avatar_is_a_form_error(person: User, upload: Upload, settings: Any) -> None:
    settings.CERCHIA_MAX_IMAGE_BYTES = 10_000
    big = upload(image_bytes("PNG", (300, 300)) + b"\0" * 20_000, "big.png", "image/png")
    response = signed_in(person).post(
        reverse("accounts:settings"), profile_form(person, avatar=big)
    )
    assert response.status_code == 400
    assert "at most" in " ".join(response.context["form"].errors["avatar"])


def test_pixel_bomb_avatar_is_a_form_error(person: User, upload: Upload) -> None:
    bomb = upload(image_bytes("PNG", (9000, 9000), mode="1"), "bomb.png", "image/png")
    response = signed_in(person).post(
        reverse("accounts:settings"), profile_form(person, avatar=bomb)
    )
    assert response.status_code == 400
    assert "too large" in " ".join(response.context["form"].errors["avatar"])


def test_privacy_settings_record_changes_and_show_the_history(person: User) -> None:
    client = signed_in(person)
    url = reverse("accounts:settings_privacy")
    assert client.post(url, {"analytics_consent": "on"}).status_code == 302
    assert client.post(url, {"analytics_consent": "on"}).status_code == 302  # same again
    assert client.post(url, {"marketing_consent": "on"}).status_code == 302
    person.refresh_from_db()
    assert (person.analytics_consent, person.marketing_consent) == (False, True)
    assert ConsentRecord.objects.filter(user=person).count() == 3
    history = client.get(url).context["history"]
    assert [(r.kind, r.granted) for r in history] == [
        ("marketing", True),
        ("analytics", False),
        ("analytics", True),
    ]


def test_unticking_every_consent_is_a_real_submission(person: User) -> None:
    actions.update_consents(person, person, analytics=True, marketing=True)
    response = signed_in(person).post(reverse("accounts:settings_privacy"), {})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.analytics_consent, person.marketing_consent) == (False, False)


def test_preferences_save_and_set_the_language_cookie(person: User) -> None:
    response = signed_in(person).post(
        reverse("accounts:settings_preferences"), {"language": "it", "timezone": "Europe/Rome"}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "it"
    person.refresh_from_db()
    assert (person.language, person.timezone) == ("it", "Europe/Rome")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param({"language": "en", "timezone": "Europe/Atlantis"}, "timezone", id="tz"),
        pytest.param({"language": "xx", "timezone": ""}, "language", id="language"),
    ],
)
def test_preferences_refuse_unknown_values(person: User, data: dict[str, str], field: str) -> None:
    response = signed_in(person).post(reverse("accounts:settings_preferences"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors


# --- Tokens ------------------------------------------------------------------------------


def test_token_is_shown_once_then_only_its_prefix(person: User) -> None:
    client = signed_in(person)
    url = reverse("accounts:settings_tokens")
    response = client.post(url, {"name": "Zapier", "scope": "write"})
    assert response.status_code == 200
    raw = response.context["new_token"]
    assert raw.startswith("cer_")
    assert raw in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = AccessToken.objects.get(user=person)
    page = client.get(url).content.decode()
    assert raw not in page
    assert token.token_hash not in page
    assert f"cer_{token.prefix}_" in page
    assert "Zapier" in page


def test_duplicate_token_name_is_a_form_error(person: User) -> None:
    client = signed_in(person)
    url = reverse("accounts:settings_tokens")
    client.post(url, {"name": "Zapier", "scope": "read"})
    response = client.post(url, {"name": "zapier", "scope": "read"})
    assert response.status_code == 400
    assert response.context["new_token"] is None
    assert AccessToken.objects.count() == 1


def test_revoke_token(person: User) -> None:
    token, _raw = actions.create_access_token(person, person, name="ci")
    url = reverse("accounts:revoke_token", kwargs={"token_id": token.pk})
    client = signed_in(person)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_someone_elses_token_is_not_found(person: User, co_member: User) -> None:
    token, _raw = actions.create_access_token(person, person, name="ci")
    url = reverse("accounts:revoke_token", kwargs={"token_id": token.pk})
    assert signed_in(co_member).post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# --- Export ----------------------------------------------------------------------------


def test_export_downloads_a_json_attachment(person: User, circle: Community) -> None:
    actions.create_access_token(person, person, name="ci")
    response = signed_in(person).post(reverse("accounts:settings_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="cerchia-person-')
    data = json.loads(response.content)
    assert data["account"]["email"] == person.email
    assert data["memberships"][0]["community"] == "espresso-circle"
    assert "token_hash" not in response.content.decode()
    assert Event.objects.filter(kind="account.data_exported", actor=person).exists()


# --- Deletion ------------------------------------------------------------------------


def test_delete_with_wrong_password_is_a_form_error(person: User) -> None:
    response = signed_in(person).post(
        reverse("accounts:settings_delete"), {"password": "guess", "posts": "keep"}
    )
    assert response.status_code == 400
    assert "password" in response.context["form"].errors
    person.refresh_from_db()
    assert person.is_active


def test_delete_needs_a_choice_for_posts(person: User) -> None:
    response = signed_in(person).post(reverse("accounts:settings_delete"), {"password": PASSWORD})
    assert response.status_code == 400
    assert "posts" in response.context["form"].errors


def test_owner_sees_why_they_cannot_delete(circle: Community, circle_owner: User) -> None:
    client = signed_in(circle_owner)
    page = client.get(reverse("accounts:settings_delete"))
    assert [c.slug for c in page.context["owned_communities"]] == ["espresso-circle"]
    assert "Transfer ownership" in page.content.decode()
    response = client.post(
        reverse("accounts:settings_delete"), {"password": PASSWORD, "posts": "keep"}
    )
    assert response.status_code == 400
    assert "Transfer ownership" in " ".join(response.context["form"].non_field_errors())
    circle_owner.refresh_from_db()
    assert circle_owner.is_active


def test_delete_account_signs_out(person: User) -> None:
    client = signed_in(person)
    response = client.post(
        reverse("accounts:settings_delete"), {"password": PASSWORD, "posts": "keep"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    person.refresh_from_db()
    assert person.deleted_at is not None
    assert client.get(reverse("accounts:settings")).status_code == 302


def test_delete_attempts_are_rate_limited(person: User, settings: Any) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reauthenticate": "2/m/user"}
    client = signed_in(person)
    url = reverse("accounts:settings_delete")
    for _attempt in range(2):
        client.post(url, {"password": "wrong", "posts": "keep"})
    response = client.post(url, {"password": PASSWORD, "posts": "keep"})
    assert response.status_code == 400
    assert "Too many attempts" in " ".join(response.context["form"].non_field_errors())
    person.refresh_from_db()
    assert person.deleted_at is None


# --- Suspended members --------------------------------------------------------------------


def test_suspended_member_sees_a_notice_and_keeps_export_and_delete(person: User) -> None:
    person.suspended_at = timezone.now()
    person.suspension_reason = "Repeated spam"
    person.save()
    client = signed_in(person)
    page = client.get(reverse("accounts:settings"))
    html = page.content.decode()
    assert "Your account is suspended." in html
    assert "Repeated spam" in html
    assert page.context["can_edit"] is False
    response = client.post(reverse("accounts:settings"), profile_form(person, display_name="X"))
    assert response.status_code == 403
    assert client.post(reverse("accounts:settings_export")).status_code == 200
    response = client.post(
        reverse("accounts:settings_delete"), {"password": PASSWORD, "posts": "remove"}
    )
    assert response.status_code == 302


# --- Language switch -------------------------------------------------------------------


def test_set_language_sets_the_cookie_and_redirects(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "it", "next": "/u/x/"})
    assert response.status_code == 302
    assert response["Location"] == "/u/x/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "it"


def test_set_language_saves_the_members_choice(person: User) -> None:
    signed_in(person).post(reverse("set_language"), {"language": "it", "next": "/"})
    person.refresh_from_db()
    assert person.language == "it"
    assert Event.objects.filter(kind="account.preferences_updated", actor=person).exists()


@pytest.mark.parametrize("language", ["fr", "", "it-evil"])
def test_set_language_refuses_unknown_languages(client: Client, language: str) -> None:
    response = client.post(reverse("set_language"), {"language": language})
    assert response.status_code == 400
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/path", "javascript:alert(1)"]
)
def test_set_language_never_redirects_off_site(client: Client, target: str) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response["Location"] == "/"


def test_set_language_next_cannot_inject_headers(client: Client) -> None:
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/u/x/\r\nSet-Cookie: evil=1"}
    )
    assert response.status_code == 302
    assert "\n" not in response["Location"]
    assert "evil" not in response.cookies


def test_set_language_falls_back_to_the_referer(client: Client) -> None:
    response = client.post(
        reverse("set_language"), {"language": "en"}, HTTP_REFERER="http://testserver/u/someone/"
    )
    assert response["Location"] == "http://testserver/u/someone/"


def test_set_language_needs_post(client: Client) -> None:
    assert client.get(reverse("set_language")).status_code == 405


# --- Admin -------------------------------------------------------------------------------


def test_admin_searches_members(admin_user: User, person: User) -> None:
    client = signed_in(admin_user)
    response = client.get(reverse("admin:accounts_user_changelist"), {"q": "persona"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [person]
    assert client.get(reverse("admin:accounts_user_change", args=[person.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200


def test_admin_suspends_with_a_reason_then_lifts(admin_user: User, person: User) -> None:
    client = signed_in(admin_user)
    url = reverse("admin:accounts_user_changelist")
    selection = {"action": "suspend_selected", "_selected_action": [person.pk]}
    confirm = client.post(url, selection)
    assert confirm.status_code == 200
    assert "accounts/admin/suspend_confirmation.html" in [t.name for t in confirm.templates]
    missing_reason = client.post(url, {**selection, "apply": "1", "reason": ""})
    assert missing_reason.status_code == 200
    person.refresh_from_db()
    assert not person.is_suspended
    done = client.post(url, {**selection, "apply": "1", "reason": "Spam"})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.is_suspended
    assert person.suspension_reason == "Spam"
    client.post(url, {"action": "unsuspend_selected", "_selected_action": [person.pk]})
    person.refresh_from_db()
    assert not person.is_suspended
    assert list(
        Event.objects.filter(actor=admin_user).order_by("id").values_list("kind", flat=True)
    ) == ["account.suspended", "account.unsuspended"]


def test_admin_cannot_suspend_themselves(admin_user: User) -> None:
    client = signed_in(admin_user)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "suspend_selected",
            "_selected_action": [admin_user.pk],
            "apply": "1",
            "reason": "oops",
        },
    )
    admin_user.refresh_from_db()
    assert not admin_user.is_suspended
