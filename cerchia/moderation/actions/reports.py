"""Reporting a post, a topic or a member of a community to its hosts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cerchia.communities.models import Community
from cerchia.core import ratelimit
from cerchia.core.errors import ActionRefused
from cerchia.discussions.models import Post, Topic
from cerchia.insights.log import record_event
from cerchia.moderation import permissions
from cerchia.moderation.models import Report, ReportReason

if TYPE_CHECKING:
    from cerchia.accounts.models import User

NOTE_MAX_LENGTH = 2000


def already_reported() -> ActionRefused:
    return ActionRefused(
        _("You already reported this; the hosts will look at it soon."),
        code="already_reported",
    )


def _clean(reason: str, note: str) -> tuple[str, str]:
    """The reason (one of ``ReportReason``) and the trimmed note; ValidationError by field."""
    errors: dict[str, str] = {}
    if reason not in ReportReason.values:
        errors["reason"] = _("Choose a reason.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("Keep the note under %(max)d characters.") % {"max": NOTE_MAX_LENGTH}
    elif reason == ReportReason.OTHER and not note:
        errors["note"] = _("Tell the hosts what is wrong.")
    if errors:
        raise ValidationError(errors)
    return reason, note


def _file(
    actor: User,
    community: Community,
    *,
    target: str,
    target_id: int,
    reason: str,
    note: str,
    post: Post | None = None,
    topic: Topic | None = None,
    member: User | None = None,
) -> Report:
    ratelimit.hit("report", user=actor)
    reason, note = _clean(reason, note)
    key = f"{target}:{target_id}"
    if Report.objects.filter(reporter=actor, target_key=key, status=Report.Status.OPEN).exists():
        raise already_reported()
    try:
        with transaction.atomic():
            report = Report.objects.create(
                community=community,
                reporter=actor,
                target=target,
                post=post,
                topic=topic,
                member=member,
                target_key=key,
                reason=reason,
                note=note,
            )
            record_event(
                "moderation.reported",
                actor=actor,
                community=community,
                subject=report,
                target=target,
                target_id=target_id,
                reason=reason,
            )
    except IntegrityError as error:
        raise already_reported() from error
    return report


def report_post(actor: User, post: Post, *, reason: str, note: str = "") -> Report:
    """Report a post to its community's hosts. Raises PermissionDenied/Http404,
    ValidationError (reason, note), ActionRefused (already reported)."""
    permissions.check_report_post(actor, post)
    return _file(
        actor,
        post.topic.community,
        target=Report.Target.POST,
        target_id=post.pk,
        reason=reason,
        note=note,
        post=post,
        topic=post.topic,
    )


def report_topic(actor: User, topic: Topic, *, reason: str, note: str = "") -> Report:
    """Report a topic (its title and opening post). Raises as ``report_post``."""
    permissions.check_report_topic(actor, topic)
    return _file(
        actor,
        topic.community,
        target=Report.Target.TOPIC,
        target_id=topic.pk,
        reason=reason,
        note=note,
        topic=topic,
    )


def report_member(
    actor: User, community: Community, member: User, *, reason: str, note: str = ""
) -> Report:
    """Report a member of ``community`` (their behaviour there). Raises as ``report_post``."""
    permissions.check_report_member(actor, community, member)
    return _file(
        actor,
        community,
        target=Report.Target.MEMBER,
        target_id=member.pk,
        reason=reason,
        note=note,
        member=member,
    )
