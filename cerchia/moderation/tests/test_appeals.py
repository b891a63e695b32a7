"""Appeals: once per sanction, only by the sanctioned member, answered by a host."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from cerchia.core import testing
from cerchia.core.errors import ActionRefused
from cerchia.moderation.actions.appeals import answer_appeal, appeal_sanction
from cerchia.moderation.actions.sanctions import lift_sanction, sanction_member
from cerchia.moderation.models import Appeal, LogAction, ModerationLogEntry, Sanction
from cerchia.notifications.models import Notification

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


@pytest.fixture
def mute(public_community, moderator, member):
    return sanction_member(moderator, public_community, member, "mute", "Rule 3", duration=HOUR)


def test_the_sanctioned_member_appeals_once(mute, member):
    appeal = appeal_sanction(member, mute, "  I was quoting someone.  ")
    assert (appeal.body, appeal.status) == ("I was quoting someone.", "pending")
    assert "moderation.appealed" in testing.event_kinds()
    with pytest.raises(ActionRefused) as refused:
        appeal_sanction(member, mute, "Again")
    assert refused.value.code == "already_appealed"
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize("who", ["moderator", "owner", "stranger"])
def test_nobody_else_appeals(mute, request, who):
    with pytest.raises(Http404):
        appeal_sanction(request.getfixturevalue(who), mute, "On their behalf")


def test_a_banned_member_may_still_appeal(public_community, owner, member):
    ban = sanction_member(owner, public_community, member, "ban", "Rule 4")
    assert appeal_sanction(member, ban, "Please").pk


def test_an_ended_or_lifted_sanction_is_not_appealed(mute, moderator, member):
    lift_sanction(moderator, mute)
    with pytest.raises(ActionRefused) as refused:
        appeal_sanction(member, Sanction.objects.get(pk=mute.pk), "Too late")
    assert refused.value.code == "appeal_closed"


def test_a_warning_may_be_appealed_for_30_days(public_community, owner, member):
    warning = sanction_member(owner, public_community, member, "warning", "Rule 1")
    Sanction.objects.filter(pk=warning.pk).update(created_at=timezone.now() - timedelta(days=31))
    with pytest.raises(ActionRefused):
        appeal_sanction(member, Sanction.objects.get(pk=warning.pk), "Late")
    recent = sanction_member(owner, public_community, member, "warning", "Rule 1")
    assert appeal_sanction(member, recent, "On time").pk


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001, "nul\x00"])
def test_a_bad_appeal_is_a_field_error(mute, member, body):
    with pytest.raises(ValidationError) as error:
        appeal_sanction(member, mute, body)
    assert "body" in error.value.message_dict
    assert not Appeal.objects.exists()


def test_a_suspended_member_cannot_appeal(mute, member):
    from cerchia.accounts.models import User

    User.objects.filter(pk=member.pk).update(suspended_at=timezone.now())
    member.refresh_from_db()
    with pytest.raises(PermissionDenied):
        appeal_sanction(member, mute, "Please")


def test_granting_an_appeal_lifts_the_sanction_and_tells_the_member(
    mute, owner, member, django_capture_on_commit_callbacks
):
    appeal = appeal_sanction(member, mute, "I was quoting someone.")
    with django_capture_on_commit_callbacks(execute=True):
        answer_appeal(owner, appeal, True, "You are right, sorry.")
    mute.refresh_from_db()
    assert mute.lifted_by == owner
    assert Appeal.objects.get(pk=appeal.pk).status == "granted"
    actions = set(ModerationLogEntry.objects.values_list("action", flat=True))
    assert {LogAction.APPEAL_ANSWERED, LogAction.SANCTION_LIFTED} <= actions
    notification = Notification.objects.get(recipient=member, kind="appeal_answered")
    assert notification.data == {"granted": True}


def test_upholding_keeps_the_sanction(mute, owner, member):
    appeal = appeal_sanction(member, mute, "Please")
    answer_appeal(owner, appeal, False, "The rule is clear.")
    mute.refresh_from_db()
    assert mute.lifted_at is None
    assert Appeal.objects.get(pk=appeal.pk).answer == "The rule is clear."


def test_an_appeal_is_answered_once(mute, owner, moderator, member):
    appeal = appeal_sanction(member, mute, "Please")
    answer_appeal(owner, appeal, False, "No")
    with pytest.raises(ActionRefused) as refused:
        answer_appeal(moderator, Appeal.objects.get(pk=appeal.pk), True, "Yes")
    assert refused.value.code == "already_answered"


def test_only_hosts_answer(mute, member, stranger):
    appeal = appeal_sanction(member, mute, "Please")
    for person in (member, stranger):
        with pytest.raises(PermissionDenied):
            answer_appeal(person, appeal, True, "Sure")
    with pytest.raises(ValidationError):
        answer_appeal(mute.created_by, appeal, True, "   ")
    assert Appeal.objects.get(pk=appeal.pk).status == "pending"


def test_the_hosts_hear_of_an_appeal(
    mute, owner, moderator, member, django_capture_on_commit_callbacks
):
    from cerchia.notifications.queries import notification_row

    with django_capture_on_commit_callbacks(execute=True):
        appeal_sanction(member, mute, "Please")
    received = Notification.objects.filter(kind="appeal_received")
    assert set(received.values_list("recipient", flat=True)) == {owner.pk, moderator.pk}
    row = notification_row(received.get(recipient=owner))
    assert row.text == "Mia Member appealed a sanction in Espresso at home"
    assert row.url == "/c/espresso/moderation/appeals/"
    assert not Notification.objects.filter(recipient=member, kind="appeal_received").exists()
