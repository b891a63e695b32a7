"""Personal access tokens: shown once, stored hashed, revocable, checked in constant time."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cerchia.accounts import actions, tokens
from cerchia.accounts.models import AccessToken, User
from cerchia.accounts.tests.conftest import make_user
from cerchia.core.errors import ActionRefused
from cerchia.insights.models import Event

pytestmark = pytest.mark.django_db


def test_generated_token_has_the_documented_shape() -> None:
    raw, prefix, digest = tokens.generate_token()
    assert re.fullmatch(r"cer_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", raw)
    assert raw.startswith(f"cer_{prefix}_")
    assert digest == tokens.hash_token(raw)
    assert len(digest) == 64


def test_create_stores_only_a_hash_and_returns_the_plain_token_once(person: User) -> None:
    token, raw = actions.create_access_token(person, person, name="Newsletter sync", scope="write")
    token.refresh_from_db()
    assert token.token_hash == tokens.hash_token(raw)
    assert raw not in {token.token_hash, token.prefix, token.name}
    assert raw.split("_")[1] == token.prefix
    assert token.scope == AccessToken.Scope.WRITE
    event = Event.objects.get(kind="account.token_created")
    assert (event.actor, event.subject_id) == (person, token.pk)
    assert raw not in str(event.payload)
    assert token.token_hash not in str(event.payload)


def test_authenticate_returns_the_token_with_its_user(person: User) -> None:
    token, raw = actions.create_access_token(person, person, name="ci")
    found = tokens.authenticate_token(raw)
    assert found == token
    assert found is not None
    assert found.user == person


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"), id="wrong-secret"),
        pytest.param(lambda raw: raw.replace("cer_", "xyz_"), id="wrong-namespace"),
        pytest.param(lambda raw: raw[:20], id="truncated"),
        pytest.param(lambda raw: "", id="empty"),
        pytest.param(lambda raw: "cer_zzzzzzzz_" + "a" * 43, id="bad-prefix"),
        pytest.param(lambda raw: raw + "x", id="too-long"),
    ],
)
def test_wrong_or_malformed_tokens_do_not_authenticate(person: User, mangle: Any) -> None:
    _token, raw = actions.create_access_token(person, person, name="ci")
    assert tokens.authenticate_token(mangle(raw)) is None


def test_revoked_tokens_do_not_authenticate(person: User) -> None:
    token, raw = actions.create_access_token(person, person, name="ci")
    assert actions.revoke_access_token(person, token) is True
    assert token.revoked_at is not None
    assert tokens.authenticate_token(raw) is None
    assert Event.objects.filter(kind="account.token_revoked", subject_id=token.pk).count() == 1


def test_revoking_twice_is_harmless_and_records_one_event(person: User) -> None:
    token, _raw = actions.create_access_token(person, person, name="ci")
    actions.revoke_access_token(person, token)
    assert actions.revoke_access_token(person, token) is False
    assert Event.objects.filter(kind="account.token_revoked").count() == 1


def test_tokens_of_inactive_or_deleted_accounts_do_not_authenticate(person: User) -> None:
    _token, raw = actions.create_access_token(person, person, name="ci")
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert tokens.authenticate_token(raw) is None


def test_suspended_members_tokens_authenticate_but_writes_are_refused_elsewhere(
    person: User,
) -> None:
    _token, raw = actions.create_access_token(person, person, name="ci")
    User.objects.filter(pk=person.pk).update(suspended_at=timezone.now())
    found = tokens.authenticate_token(raw)
    assert found is not None
    assert found.user.is_suspended


def test_last_used_is_written_at_most_once_a_minute(
    person: User, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    token, raw = actions.create_access_token(person, person, name="ci")
    start = timezone.now()
    monkeypatch.setattr(tokens.timezone, "now", lambda: start)
    with django_assert_num_queries(2):  # look-up, then the first write
        tokens.authenticate_token(raw)
    monkeypatch.setattr(tokens.timezone, "now", lambda: start + timedelta(seconds=30))
    with django_assert_num_queries(1):  # look-up only
        tokens.authenticate_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == start
    later = start + timedelta(seconds=61)
    monkeypatch.setattr(tokens.timezone, "now", lambda: later)
    tokens.authenticate_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == later


def test_token_needs_a_name_and_a_known_scope(person: User) -> None:
    with pytest.raises(ValidationError) as raised:
        actions.create_access_token(person, person, name="   ", scope="admin")
    assert set(raised.value.error_dict) == {"name", "scope"}
    assert not AccessToken.objects.exists()


def test_two_active_tokens_cannot_share_a_name(person: User) -> None:
    actions.create_access_token(person, person, name="Sync")
    with pytest.raises(ActionRefused) as raised:
        actions.create_access_token(person, person, name="sync")
    assert raised.value.code == "token_name_taken"
    assert AccessToken.objects.count() == 1


def test_a_revoked_name_can_be_reused(person: User) -> None:
    token, _raw = actions.create_access_token(person, person, name="Sync")
    actions.revoke_access_token(person, token)
    actions.create_access_token(person, person, name="Sync")
    assert AccessToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_active_tokens_are_capped(person: User, settings: Any) -> None:
    for number in range(actions.MAX_ACTIVE_TOKENS):
        actions.create_access_token(person, person, name=f"t{number}")
    with pytest.raises(ActionRefused) as raised:
        actions.create_access_token(person, person, name="one too many")
    assert raised.value.code == "too_many_tokens"


def test_only_the_member_creates_and_revokes_their_tokens(person: User, admin_user: User) -> None:
    token, _raw = actions.create_access_token(person, person, name="ci")
    for actor in (AnonymousUser(), admin_user, make_user("somebody")):
        with pytest.raises(PermissionDenied):
            actions.create_access_token(actor, person, name="evil")
        with pytest.raises(PermissionDenied):
            actions.revoke_access_token(actor, token)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_suspended_member_revokes_but_cannot_create(person: User) -> None:
    token, _raw = actions.create_access_token(person, person, name="ci")
    person.suspended_at = timezone.now()
    person.save()
    with pytest.raises(PermissionDenied):
        actions.create_access_token(person, person, name="another")
    assert actions.revoke_access_token(person, token) is True
