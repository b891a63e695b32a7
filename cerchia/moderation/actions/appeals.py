"""Appeals: the sanctioned member asks once; a host answers, and granting lifts the sanction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cerchia.communities.permissions import forget_access
from cerchia.core.errors import ActionRefused
from cerchia.insights.log import record_event
from cerchia.moderation import permissions
from cerchia.moderation.actions.sanctions import _clean_text, _field_error, _lift
from cerchia.moderation.models import Appeal, LogAction, ModerationLogEntry, Sanction
from cerchia.moderation.queries_sanctions import can_appeal

if TYPE_CHECKING:
    from cerchia.accounts.models import User

MAX_BODY = 5000


def check_appeal(actor: Any, sanction: Sanction) -> None:
    """Only the sanctioned member, while the sanction is in force (a nudge or warning for
    30 days), and once."""
    if not actor.is_authenticated or sanction.member_id != actor.pk:
        raise Http404(_("No such sanction."))
    if actor.suspended_at is not None:
        raise PermissionDenied(_("Your account is suspended."))
    if Appeal.objects.filter(sanction=sanction).exists():
        raise ActionRefused(_("You have already appealed this sanction."), code="already_appealed")
    if not can_appeal(sanction):
        raise ActionRefused(_("This sanction can no longer be appealed."), code="appeal_closed")


def appeal_sanction(member: User, sanction: Sanction, body: str) -> Appeal:
    """Appeal a sanction. Raises Http404 (not yours), PermissionDenied, ActionRefused
    (already appealed, closed), ValidationError (empty or too long)."""
    check_appeal(member, sanction)
    body = _clean_text(body, "body", MAX_BODY, required=True)
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(sanction=sanction, body=body)
            record_event(
                "moderation.appealed",
                actor=member,
                community=sanction.community,
                subject=appeal,
                sanction_id=sanction.pk,
            )
            appeal_id = appeal.pk
            transaction.on_commit(lambda: _notify_hosts(appeal_id))
    except IntegrityError as error:
        raise ActionRefused(
            _("You have already appealed this sanction."), code="already_appealed"
        ) from error
    return appeal


def answer_appeal(actor: User, appeal: Appeal, granted: bool, answer: str) -> Appeal:
    """Uphold or grant an appeal; granting lifts the sanction. The member is told.

    Raises PermissionDenied/Http404, ActionRefused (already answered), ValidationError."""
    sanction = appeal.sanction
    permissions.check_moderate(actor, sanction.community)
    if not isinstance(granted, bool):
        raise _field_error("granted", _("Choose to grant or uphold."))
    answer = _clean_text(answer, "answer", MAX_BODY, required=True)
    with transaction.atomic():
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if locked.status != Appeal.Status.PENDING:
            raise ActionRefused(_("This appeal was already answered."), code="already_answered")
        now = timezone.now()
        status = Appeal.Status.GRANTED if granted else Appeal.Status.UPHELD
        if granted and sanction.lifted_at is None and sanction.is_active(now):
            _lift(actor, sanction, answer, via="appeal")
        Appeal.objects.filter(pk=appeal.pk).update(
            status=status, answer=answer, decided_by=actor, decided_at=now
        )
        appeal.status, appeal.answer, appeal.decided_by, appeal.decided_at = (
            status,
            answer,
            actor,
            now,
        )
        ModerationLogEntry.objects.create(
            community=sanction.community,
            actor=actor,
            action=LogAction.APPEAL_ANSWERED,
            detail=sanction.kind,
            member_id=sanction.member_id,
            rule=sanction.reason,
            note=answer,
            created_at=now,
        )
        record_event(
            "moderation.appeal_answered",
            actor=actor,
            community=sanction.community,
            subject=appeal,
            sanction_id=sanction.pk,
            granted=granted,
        )
        appeal_id = appeal.pk
        transaction.on_commit(lambda: _notify_answer(appeal_id))
    forget_access(sanction.community)
    return appeal


def _notify_hosts(appeal_id: int) -> None:
    from cerchia.moderation.notifications_sanctions import notify_appeal

    notify_appeal(appeal_id)


def _notify_answer(appeal_id: int) -> None:
    from cerchia.moderation.notifications_sanctions import notify_appeal_answer

    notify_appeal_answer(appeal_id)
