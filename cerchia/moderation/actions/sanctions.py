"""The sanction ladder: nudge, warning, timed mute, ban; lifting, expiry and message templates.

Hosts (and site admins) sanction members of their community. A mute stops the member
posting, replying, editing and reacting until it ends; a ban removes the membership and
keeps them out (joining, asking, invitations) while it lasts. The member is told, in
their own language, with the reason and the end.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cerchia.communities.models import Community, Membership, Role, WaitlistEntry
from cerchia.communities.permissions import forget_access, get_access
from cerchia.core.errors import ActionRefused
from cerchia.insights.log import record_event
from cerchia.moderation import permissions
from cerchia.moderation.models import (
    LogAction,
    ModerationLogEntry,
    Report,
    Sanction,
    SanctionKind,
    SanctionTemplate,
)
from cerchia.moderation.queries_sanctions import RESTRICTING

if TYPE_CHECKING:
    from cerchia.accounts.models import User

MIN_DURATION = timedelta(hours=1)
MAX_DURATION = timedelta(days=90)
MAX_REASON = 300
MAX_MESSAGE = 5000


def _field_error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: [ValidationError(message, code=code)]})


def _clean_text(value: str | None, field: str, limit: int, *, required: bool) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise _field_error(field, _("Text cannot contain NUL characters."))
    if required and not text:
        raise _field_error(field, _("This field is required."), "required")
    if len(text) > limit:
        raise _field_error(
            field, _("Use at most %(limit)d characters.") % {"limit": limit}, "max_length"
        )
    return text


def _clean_kind(kind: str) -> str:
    if kind not in SanctionKind.values:
        raise _field_error("kind", _("Choose a step of the ladder."))
    return kind


def _clean_duration(kind: str, duration: timedelta | None) -> timedelta | None:
    if kind not in RESTRICTING:
        if duration is not None:
            raise _field_error("duration", _("Only mutes and bans last for a time."))
        return None
    if duration is None:
        if kind == SanctionKind.MUTE:
            raise _field_error("duration", _("Say how long the mute lasts."), "required")
        return None
    if duration < MIN_DURATION or duration > MAX_DURATION:
        raise _field_error("duration", _("Choose between one hour and 90 days."))
    return duration


def default_message(kind: str, community: Community) -> str:
    """The built-in message for a step, in the active language."""
    name = community.name
    messages = {
        SanctionKind.NUDGE: _(
            "The hosts of %(community)s would like to draw your attention to the community's "
            "rules. Nothing more than that: thank you for taking part."
        ),
        SanctionKind.WARNING: _(
            "This is a warning from the hosts of %(community)s. Please read the community's "
            "rules again; a further breach may lead to a mute or a ban."
        ),
        SanctionKind.MUTE: _(
            "The hosts of %(community)s have muted you for a while: until it ends you can read "
            "but not post, reply or react."
        ),
        SanctionKind.BAN: _(
            "The hosts of %(community)s have banned you from the community. You are no longer "
            "a member and cannot join again while the ban lasts."
        ),
    }
    return messages[kind] % {"community": name}  # type: ignore[index]


def message_for(kind: str, community: Community, member: Any) -> str:
    """The message a step sends by default: the community's template, else the built-in
    one, in the member's language."""
    template = (
        SanctionTemplate.objects.filter(community=community, kind=kind)
        .values_list("message", flat=True)
        .first()
    )
    if template:
        return template
    language = getattr(member, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        return default_message(kind, community)


def _check_target(actor: User, community: Community, member: Any) -> Membership:
    """Who may be sanctioned by whom: not oneself, not the owner, another host only by the owner."""
    if member.pk == actor.pk:
        raise PermissionDenied(_("You cannot sanction yourself."))
    membership = Membership.objects.filter(community=community, user=member).first()
    if membership is None:
        raise ActionRefused(_("This person is not a member of the community."), code="not_member")
    if membership.role == Role.OWNER:
        raise PermissionDenied(_("The community's owner cannot be sanctioned."))
    if membership.role == Role.MODERATOR:
        access = get_access(actor, community)
        if not (access.is_owner or access.is_site_admin):
            raise PermissionDenied(_("Only the owner can sanction another host."))
    return membership


def _check_report(report: Report | None, community: Community, member: Any) -> None:
    if report is None:
        return
    if report.community_id != community.pk:
        raise _field_error("report", _("No such report."))
    about = {report.member_id}
    if report.post_id is not None:
        about.add(report.post.author_id)  # type: ignore[union-attr]
    if report.topic_id is not None:
        about.add(report.topic.author_id)  # type: ignore[union-attr]
    if member.pk not in about:
        raise _field_error("report", _("This report is about someone else."))


def _resolve_report(actor: User, report: Report | None) -> None:
    """Close the reports the sanction answers (every open one on the same thing), through
    the queue's own action, which also tells the reporters (without the sanction)."""
    if report is None or report.status != Report.Status.OPEN:
        return
    from cerchia.moderation.actions import review

    review.close_reports(actor, report, "sanctioned")


def _remove_membership(community: Community, membership: Membership) -> None:
    """Inside the transaction: a ban ends the membership (the member count follows)."""
    locked = Community.objects.select_for_update().get(pk=community.pk)
    deleted, _rows = Membership.objects.filter(pk=membership.pk).delete()
    WaitlistEntry.objects.filter(community=locked, user_id=membership.user_id).delete()
    if deleted:
        Community.objects.filter(pk=locked.pk).update(member_count=F("member_count") - 1)
        community.member_count = locked.member_count - 1


def sanction_member(
    actor: User,
    community: Community,
    member: Any,
    kind: str,
    reason: str,
    message: str | None = None,
    duration: timedelta | None = None,
    report: Report | None = None,
) -> Sanction:
    """Give ``member`` a step of the ladder, tell them, and log it.

    Raises PermissionDenied/Http404 (rights), ValidationError (bad input), ActionRefused
    (not a member)."""
    permissions.check_moderate(actor, community)
    kind = _clean_kind(kind)
    reason = _clean_text(reason, "reason", MAX_REASON, required=True)
    duration = _clean_duration(kind, duration)
    membership = _check_target(actor, community, member)
    _check_report(report, community, member)
    if message is None or not message.strip():
        message = message_for(kind, community, member)
    message = _clean_text(message, "message", MAX_MESSAGE, required=False)
    now = timezone.now()
    with transaction.atomic():
        sanction = Sanction.objects.create(
            community=community,
            member=member,
            kind=kind,
            reason=reason,
            message=message,
            report=report,
            created_by=actor,
            created_at=now,
            ends_at=now + duration if duration is not None else None,
        )
        if kind == SanctionKind.BAN:
            _remove_membership(community, membership)
        _resolve_report(actor, report)
        ModerationLogEntry.objects.create(
            community=community,
            actor=actor,
            action=LogAction.SANCTION,
            detail=kind,
            member=member,
            rule=reason,
            created_at=now,
        )
        record_event(
            "moderation.sanctioned",
            actor=actor,
            community=community,
            subject=sanction,
            member_id=member.pk,
            step=kind,
            ends_at=sanction.ends_at.isoformat() if sanction.ends_at else None,
            report_id=report.pk if report is not None else None,
        )
        sanction_id = sanction.pk
        transaction.on_commit(lambda: _notify_sanction(sanction_id))
    forget_access(community)
    return sanction


def _notify_sanction(sanction_id: int) -> None:
    from cerchia.moderation.notifications_sanctions import notify_sanction

    notify_sanction(sanction_id)


def lift_sanction(actor: User, sanction: Sanction, note: str = "") -> Sanction:
    """End a sanction early, with a record. Raises PermissionDenied/Http404, ActionRefused."""
    permissions.check_moderate(actor, sanction.community)
    note = _clean_text(note, "note", 2000, required=False)
    with transaction.atomic():
        _lift(actor, sanction, note)
    forget_access(sanction.community)
    return sanction


def _lift(actor: User, sanction: Sanction, note: str, *, via: str = "host") -> None:
    """Inside a transaction: lift ``sanction`` if it is still in force (else refuse)."""
    locked = Sanction.objects.select_for_update().get(pk=sanction.pk)
    now = timezone.now()
    if locked.lifted_at is not None:
        raise ActionRefused(_("This sanction was already lifted."), code="already_lifted")
    if locked.ends_at is not None and locked.ends_at <= now:
        raise ActionRefused(_("This sanction has already ended."), code="already_ended")
    Sanction.objects.filter(pk=sanction.pk).update(lifted_at=now, lifted_by=actor, lift_note=note)
    sanction.lifted_at, sanction.lifted_by, sanction.lift_note = now, actor, note
    ModerationLogEntry.objects.create(
        community=sanction.community,
        actor=actor,
        action=LogAction.SANCTION_LIFTED,
        detail=sanction.kind,
        member_id=sanction.member_id,
        rule=sanction.reason,
        note=note,
        created_at=now,
    )
    record_event(
        "moderation.sanction_lifted",
        actor=actor,
        community=sanction.community,
        subject=sanction,
        member_id=sanction.member_id,
        step=sanction.kind,
        via=via,
    )


def expire_sanctions(now: Any = None) -> int:
    """Record, once, each mute or ban that ran its course; how many were recorded.

    An ended sanction gets ``lifted_at`` set to its end with nobody lifting it, so it is
    found only once."""
    moment = now or timezone.now()
    recorded = 0
    due = Sanction.objects.filter(
        kind__in=RESTRICTING, lifted_at__isnull=True, ends_at__isnull=False, ends_at__lte=moment
    ).select_related("community")
    for sanction in due[:500]:
        with transaction.atomic():
            changed = Sanction.objects.filter(pk=sanction.pk, lifted_at__isnull=True).update(
                lifted_at=sanction.ends_at
            )
            if not changed:
                continue
            ModerationLogEntry.objects.create(
                community=sanction.community,
                actor=None,
                action=LogAction.SANCTION_LIFTED,
                detail=sanction.kind,
                member_id=sanction.member_id,
                rule=sanction.reason,
                note="expired",
                created_at=sanction.ends_at or moment,
            )
            record_event(
                "moderation.sanction_expired",
                actor=None,
                community=sanction.community,
                subject=sanction,
                member_id=sanction.member_id,
                step=sanction.kind,
            )
            recorded += 1
    return recorded


def set_sanction_template(actor: User, community: Community, kind: str, message: str) -> str:
    """Set the community's message for a step; an empty message restores the default."""
    permissions.check_moderate(actor, community)
    kind = _clean_kind(kind)
    message = _clean_text(message, "message", MAX_MESSAGE, required=False)
    with transaction.atomic():
        if message:
            SanctionTemplate.objects.update_or_create(
                community=community, kind=kind, defaults={"message": message}
            )
        else:
            SanctionTemplate.objects.filter(community=community, kind=kind).delete()
        record_event(
            "moderation.sanction_template_set",
            actor=actor,
            community=community,
            subject=community,
            step=kind,
            default=not message,
        )
    return message
