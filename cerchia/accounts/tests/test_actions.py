"""Account actions: what they change, what they refuse, and the events they record."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from cerchia.accounts import actions
from cerchia.accounts.models import ConsentRecord, Interest, ProfileVisibility, User
from cerchia.accounts.tests.conftest import PASSWORD, join, make_community, make_user
from cerchia.communities.models import (
    Community,
    Invitation,
    JoinRequest,
    Membership,
    Role,
    Visibility,
    WaitlistEntry,
)
from cerchia.core.errors import ActionRefused
from cerchia.insights.models import Event

pytestmark = pytest.mark.django_db

Upload = Callable[..., SimpleUploadedFile]


def kinds(user: User | None = None) -> list[str]:
    events = Event.objects.all() if user is None else Event.objects.filter(actor=user)
    return list(events.order_by("id").values_list("kind", flat=True))


# --- Profile ------------------------------------------------------------------------


def test_update_profile_changes_fields_and_records_which(person: User) -> None:
    changed = actions.update_profile(
        person,
        person,
        display_name="  Paola   Rossi ",
        handle="Paola_R",
        bio="Espresso nerd.\r\nBalcony gardener.",
        interests="Home Espresso, balcony gardening, home espresso",
        profile_visibility=ProfileVisibility.PUBLIC,
    )
    person.refresh_from_db()
    assert person.display_name == "Paola Rossi"
    assert person.handle == "Paola_R"
    assert person.bio == "Espresso nerd.\nBalcony gardener."
    assert person.profile_visibility == ProfileVisibility.PUBLIC
    assert sorted(person.interests.values_list("slug", flat=True)) == [
        "balcony-gardening",
        "home-espresso",
    ]
    assert set(changed) == {"display_name", "handle", "bio", "profile_visibility", "interests"}
    event = Event.objects.get(kind="account.profile_updated")
    assert event.actor == person
    assert event.subject_id == person.pk
    assert set(event.payload["fields"]) == set(changed)


def test_unchanged_profile_records_nothing(person: User) -> None:
    assert actions.update_profile(person, person, display_name=person.display_name) == []
    assert kinds() == []


def test_interests_reuse_existing_rows(person: User, co_member: User) -> None:
    actions.update_profile(person, person, interests="film photography")
    actions.update_profile(co_member, co_member, interests="Film Photography")
    assert Interest.objects.filter(slug="film-photography").count() == 1
    assert person.interests.get() == co_member.interests.get()


@pytest.mark.parametrize(
    ("interests", "code"),
    [
        pytest.param(",".join(f"tag{n}" for n in range(11)), "too_many_tags", id="eleven"),
        pytest.param("x", "invalid_tag", id="too-short"),
        pytest.param("a" * 41, "invalid_tag", id="too-long"),
        pytest.param("!!", "invalid_tag", id="no-letters"),
    ],
)
def test_bad_interests_are_refused(person: User, interests: str, code: str) -> None:
    with pytest.raises(ValidationError) as raised:
        actions.update_profile(person, person, interests=interests)
    assert raised.value.error_dict["interests"][0].code == code
    assert not person.interests.exists()


def test_ten_interests_with_duplicates_and_blanks_are_fine(person: User) -> None:
    raw = ", ".join(f"Tag {n}" for n in range(10)) + ", tag 0, , ,"
    actions.update_profile(person, person, interests=raw)
    assert person.interests.count() == 10


@pytest.mark.parametrize(
    ("handle", "code"),
    [
        pytest.param("ab", "invalid_handle", id="too-short"),
        pytest.param("has space", "invalid_handle", id="space"),
        pytest.param("dash-ed", "invalid_handle", id="dash"),
        pytest.param("x" * 31, "invalid_handle", id="too-long"),
        pytest.param("admin", "reserved_handle", id="reserved"),
        pytest.param("Deleted_member", "reserved_handle", id="tombstone-prefix"),
        pytest.param("CO_MEMBER", "handle_taken", id="taken-other-case"),
    ],
)
def test_bad_handles_are_refused(person: User, co_member: User, handle: str, code: str) -> None:
    with pytest.raises(ValidationError) as raised:
        actions.update_profile(person, person, handle=handle, display_name="Changed")
    assert raised.value.error_dict["handle"][0].code == code
    person.refresh_from_db()
    assert (person.handle, person.display_name) == ("person", "Paola Persona")
    assert kinds() == []


def test_member_keeps_a_handle_that_became_reserved(db: None) -> None:
    user = make_user("support")
    actions.update_profile(user, user, handle="Support", display_name="Help desk")
    user.refresh_from_db()
    assert user.handle == "Support"


def test_errors_on_several_fields_are_reported_together(person: User) -> None:
    with pytest.raises(ValidationError) as raised:
        actions.update_profile(
            person, person, handle="a", interests="x", profile_visibility="everyone", bio="b" * 601
        )
    assert set(raised.value.error_dict) == {"handle", "interests", "profile_visibility", "bio"}


def test_avatar_is_processed_stored_and_replaced(
    person: User, upload: Upload, django_capture_on_commit_callbacks: Any
) -> None:
    actions.update_profile(person, person, avatar=upload())
    person.refresh_from_db()
    first = person.avatar.name or ""
    assert first.startswith("avatars/")
    assert first.endswith(".jpg")
    assert default_storage.exists(first)

    with django_capture_on_commit_callbacks(execute=True):
        actions.update_profile(person, person, avatar=upload())
    person.refresh_from_db()
    assert person.avatar.name != first
    assert default_storage.exists(person.avatar.name or "")
    assert not default_storage.exists(first)  # the old file went with the commit
    assert kinds() == ["account.profile_updated", "account.profile_updated"]


def test_avatar_can_be_removed(
    person: User, upload: Upload, django_capture_on_commit_callbacks: Any
) -> None:
    actions.update_profile(person, person, avatar=upload())
    person.refresh_from_db()
    name = person.avatar.name or ""
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_profile(person, person, remove_avatar=True)
    person.refresh_from_db()
    assert not person.avatar
    assert not default_storage.exists(name)


def test_non_image_avatar_is_refused_and_nothing_changes(
    person: User, upload: Upload, media_root: Path
) -> None:
    with pytest.raises(ValidationError) as raised:
        actions.update_profile(
            person, person, display_name="New", avatar=upload(b"#!/bin/sh\nrm -rf /", "a.jpg")
        )
    assert raised.value.error_dict["avatar"][0].code == "invalid_image"
    person.refresh_from_db()
    assert person.display_name == "Paola Persona"
    assert not person.avatar
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_avatar_written_then_rolled_back_is_removed(
    person: User, co_member: User, upload: Upload, media_root: Path, monkeypatch: Any
) -> None:
    # A race: the handle was free when validated, taken by the time the row is written.
    monkeypatch.setattr(actions, "validate_handle", lambda handle, user=None: handle)
    with pytest.raises(ValidationError) as raised:
        actions.update_profile(person, person, handle="co_member", avatar=upload())
    assert raised.value.error_dict["handle"][0].code == "handle_taken"
    assert not any(media_root.rglob("*.jpg"))
    person.refresh_from_db()
    assert not person.avatar


def test_others_and_suspended_members_cannot_edit_a_profile(person: User, admin_user: User) -> None:
    for actor in (AnonymousUser(), admin_user):
        with pytest.raises(PermissionDenied):
            actions.update_profile(actor, person, display_name="Hacked")
    person.suspended_at = timezone.now()
    person.save()
    with pytest.raises(PermissionDenied):
        actions.update_profile(person, person, display_name="Still here")
    person.refresh_from_db()
    assert person.display_name == "Paola Persona"


# --- Preferences ---------------------------------------------------------------------


def test_preferences_change_language_and_timezone(person: User) -> None:
    changed = actions.update_preferences(person, person, language="it", timezone_name="Europe/Rome")
    person.refresh_from_db()
    assert (person.language, person.timezone) == ("it", "Europe/Rome")
    assert changed == ["language", "timezone"]
    event = Event.objects.get(kind="account.preferences_updated")
    assert event.payload == {"fields": ["language", "timezone"], "language": "it"}
    assert actions.update_preferences(person, person, language="it") == []
    assert Event.objects.filter(kind="account.preferences_updated").count() == 1


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        pytest.param({"language": "fr"}, "language", id="unknown-language"),
        pytest.param({"timezone_name": "Mars/Olympus_Mons"}, "timezone", id="unknown-timezone"),
        pytest.param({"timezone_name": "../../etc/passwd"}, "timezone", id="path-timezone"),
    ],
)
def test_unknown_language_or_timezone_is_refused(
    person: User, fields: dict[str, str], bad: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        actions.update_preferences(person, person, **fields)
    assert list(raised.value.error_dict) == [bad]
    person.refresh_from_db()
    assert (person.language, person.timezone) == ("", "")


def test_suspended_member_may_still_change_preferences(person: User) -> None:
    person.suspended_at = timezone.now()
    person.save()
    actions.update_preferences(person, person, language="it")


# --- Consent -------------------------------------------------------------------------------


def test_consents_are_off_by_default(person: User) -> None:
    assert not person.analytics_consent
    assert not person.marketing_consent
    assert not ConsentRecord.objects.exists()


def test_each_consent_change_is_recorded_once(person: User) -> None:
    assert actions.update_consents(person, person, analytics=True, marketing=False) == ["analytics"]
    assert actions.update_consents(person, person, analytics=True, marketing=False) == []
    assert actions.update_consents(person, person, analytics=True, marketing=True) == ["marketing"]
    assert actions.update_consents(person, person, analytics=False) == ["analytics"]
    person.refresh_from_db()
    assert (person.analytics_consent, person.marketing_consent) == (False, True)
    records = list(
        ConsentRecord.objects.order_by("created_at", "id").values_list("kind", "granted")
    )
    assert records == [("analytics", True), ("marketing", True), ("analytics", False)]
    events = Event.objects.filter(kind="account.consent_changed").order_by("id")
    assert [(e.payload["consent"], e.payload["granted"]) for e in events] == records


def test_consent_records_carry_their_time(person: User) -> None:
    before = timezone.now()
    actions.update_consents(person, person, marketing=True)
    record = ConsentRecord.objects.get()
    assert before <= record.created_at <= timezone.now()


def test_only_the_member_gives_consent(person: User, admin_user: User) -> None:
    with pytest.raises(PermissionDenied):
        actions.update_consents(admin_user, person, marketing=True)
    assert not ConsentRecord.objects.exists()


# --- Export --------------------------------------------------------------------------


@pytest.fixture
def busy_world(person: User, circle: Community, co_member: User, host: User) -> dict[str, Any]:
    """``person`` and a co-member, each with requests, invitations, tokens and events."""
    hidden = make_community("secret-club", Visibility.HIDDEN)
    join(hidden, co_member, Role.OWNER)
    JoinRequest.objects.create(community=hidden, user=person, message="Let me in, please")
    JoinRequest.objects.create(
        community=circle, user=make_user("newcomer"), message="NEWCOMER-SECRET"
    )
    Invitation.objects.create(
        community=circle, created_by=person, token="PERSON-INVITE-TOKEN", email="friend@x.org"
    )
    Invitation.objects.create(community=circle, created_by=co_member, token="CO-TOKEN")
    WaitlistEntry.objects.create(community=hidden, user=person)
    _t, person_raw = actions.create_access_token(person, person, name="person's token")
    _t, co_raw = actions.create_access_token(co_member, co_member, name="co-member token")
    actions.update_consents(person, person, analytics=True)
    actions.update_consents(co_member, co_member, marketing=True)
    actions.update_profile(person, person, interests="espresso", bio="PERSON-BIO")
    actions.update_profile(co_member, co_member, bio="CO-MEMBER-BIO", display_name="Cora")
    return {"hidden": hidden, "person_raw": person_raw, "co_raw": co_raw}


def test_export_holds_everything_about_the_member(person: User, busy_world: dict[str, Any]) -> None:
    data = actions.export_account(person, person)
    assert data["format"] == "cerchia-account-export"
    assert data["account"]["email"] == "person@example.org"
    assert data["profile"]["handle"] == "person"
    assert data["profile"]["bio"] == "PERSON-BIO"
    assert data["interests"] == ["espresso"]
    assert data["consents"]["analytics"] is True
    assert [h["consent"] for h in data["consents"]["history"]] == ["analytics"]
    assert [m["community"] for m in data["memberships"]] == ["espresso-circle"]
    assert [r["message"] for r in data["join_requests"]] == ["Let me in, please"]
    assert [i["community"] for i in data["invitations_created"]] == ["espresso-circle"]
    assert data["invitations_created"][0]["addressed_to_an_email"] is True
    assert [w["community"] for w in data["waitlist"]] == ["secret-club"]
    assert [t["name"] for t in data["access_tokens"]] == ["person's token"]
    assert {e["kind"] for e in data["events"]} >= {
        "account.token_created",
        "account.consent_changed",
        "account.profile_updated",
        "account.data_exported",
    }


def test_export_has_no_secrets_and_no_one_elses_data(
    person: User, co_member: User, busy_world: dict[str, Any]
) -> None:
    text = json.dumps(actions.export_account(person, person), cls=DjangoJSONEncoder)
    secrets = [
        busy_world["person_raw"],
        *person.access_tokens.values_list("token_hash", flat=True),
        "PERSON-INVITE-TOKEN",
        "friend@x.org",
    ]
    others = [
        busy_world["co_raw"],
        *co_member.access_tokens.values_list("token_hash", flat=True),
        "co_member",
        "CO-MEMBER-BIO",
        "Cora",
        "co-member token",
        "NEWCOMER-SECRET",
        "CO-TOKEN",
        "the_host",
    ]
    for value in secrets + others:
        assert value not in text, value
    assert "token_hash" not in text
    assert "password" not in text


def test_export_records_an_event(person: User) -> None:
    actions.export_account(person, person)
    event = Event.objects.get(kind="account.data_exported")
    assert event.actor == person


def test_only_the_member_exports_their_data(person: User, admin_user: User) -> None:
    with pytest.raises(PermissionDenied):
        actions.export_account(admin_user, person)


def test_suspended_member_can_export(person: User) -> None:
    person.suspended_at = timezone.now()
    person.save()
    assert actions.export_account(person, person)["account"]["suspended_at"]


def test_export_runs_in_a_fixed_number_of_queries(
    person: User, busy_world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(18):
        actions.export_account(person, person)


# --- Deletion --------------------------------------------------------------------------


def test_wrong_password_refuses_deletion(person: User) -> None:
    with pytest.raises(ValidationError) as raised:
        actions.delete_account(person, person, password="not it", posts="keep")
    assert raised.value.error_dict["password"][0].code == "wrong_password"
    person.refresh_from_db()
    assert person.is_active
    assert person.deleted_at is None


def test_unknown_posts_choice_is_refused(person: User) -> None:
    with pytest.raises(ValidationError):
        actions.delete_account(person, person, password=PASSWORD, posts="sell")


def test_owner_cannot_delete_until_ownership_is_transferred(
    circle: Community, circle_owner: User
) -> None:
    with pytest.raises(ActionRefused) as raised:
        actions.delete_account(circle_owner, circle_owner, password=PASSWORD, posts="keep")
    assert raised.value.code == "owns_communities"
    assert "Espresso Circle" in raised.value.message
    circle_owner.refresh_from_db()
    assert circle_owner.is_active
    assert Membership.objects.filter(user=circle_owner).exists()
    assert not Event.objects.filter(kind="account.deleted").exists()


def test_only_the_member_deletes_their_account(person: User, admin_user: User) -> None:
    with pytest.raises(PermissionDenied):
        actions.delete_account(admin_user, person, password=PASSWORD, posts="keep")


def test_deletion_erases_personal_data_and_keeps_a_tombstone(
    person: User,
    circle: Community,
    busy_world: dict[str, Any],
    upload: Upload,
    django_capture_on_commit_callbacks: Any,
) -> None:
    actions.update_profile(person, person, avatar=upload())
    person.refresh_from_db()
    avatar = person.avatar.name or ""
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    hidden = busy_world["hidden"]
    circle_count = Community.objects.get(pk=circle.pk).member_count
    pk = person.pk

    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_account(person, person, password=PASSWORD, posts="remove")

    tombstone = User.objects.get(pk=pk)
    assert tombstone.deleted_at is not None
    assert not tombstone.is_active
    assert not tombstone.has_usable_password()
    assert tombstone.email.endswith("@deleted.invalid")
    assert tombstone.handle.startswith("deleted_")
    assert (tombstone.display_name, tombstone.bio, tombstone.avatar.name) == ("", "", "")
    assert tombstone.name == "deleted member"
    assert not tombstone.analytics_consent
    assert not tombstone.marketing_consent
    assert not tombstone.interests.exists()
    assert not Membership.objects.filter(user_id=pk).exists()
    assert Community.objects.get(pk=circle.pk).member_count == circle_count - 1
    assert Community.objects.get(pk=hidden.pk).member_count == 1  # not a member there
    assert not JoinRequest.objects.filter(user_id=pk).exists()
    assert not WaitlistEntry.objects.filter(user_id=pk).exists()
    assert not tombstone.access_tokens.exists()
    assert not ConsentRecord.objects.filter(user_id=pk).exists()
    assert not EmailAddress.objects.filter(user_id=pk).exists()
    assert not default_storage.exists(avatar)
    # Invitations they created stay with the community.
    assert Invitation.objects.filter(token="PERSON-INVITE-TOKEN").exists()

    event = Event.objects.get(kind="account.deleted")
    assert event.payload == {"posts": "remove", "memberships_removed": 1}
    assert event.subject_id == pk


def test_deleted_email_can_sign_up_again(person: User) -> None:
    actions.delete_account(person, person, password=PASSWORD, posts="keep")
    again = User.objects.create_user("person@example.org", PASSWORD, handle="person")
    assert again.pk != person.pk


def test_suspended_member_can_delete_their_account(person: User) -> None:
    person.suspended_at = timezone.now()
    person.save()
    actions.delete_account(person, person, password=PASSWORD, posts="keep")
    person.refresh_from_db()
    assert person.deleted_at is not None


# --- Suspension ---------------------------------------------------------------------


def test_site_admin_suspends_and_lifts(person: User, admin_user: User) -> None:
    assert actions.suspend_account(admin_user, person, "  Spam links  ") is True
    person.refresh_from_db()
    assert person.is_suspended
    assert person.suspension_reason == "Spam links"
    assert actions.suspend_account(admin_user, person, "again") is False
    assert actions.unsuspend_account(admin_user, person) is True
    person.refresh_from_db()
    assert not person.is_suspended
    assert person.suspension_reason == ""
    assert actions.unsuspend_account(admin_user, person) is False
    assert kinds(admin_user) == ["account.suspended", "account.unsuspended"]
    event = Event.objects.get(kind="account.suspended")
    assert (event.subject_id, event.payload) == (person.pk, {"reason": "Spam links"})


def test_suspension_needs_a_reason(person: User, admin_user: User) -> None:
    with pytest.raises(ValidationError):
        actions.suspend_account(admin_user, person, "   ")
    person.refresh_from_db()
    assert not person.is_suspended


def test_members_cannot_suspend(person: User, co_member: User) -> None:
    with pytest.raises(PermissionDenied):
        actions.suspend_account(co_member, person, "I don't like them")
    with pytest.raises(PermissionDenied):
        actions.unsuspend_account(person, person)
