"""Notifications from the review queue: a reporter hears their report was reviewed (never
what happened to anyone), a held post's author hears it was approved or declined.

Registered on import (``ModerationConfig.ready``); the tasks run after the change commits
and are safe to run twice (one notification per recipient and subject).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cerchia.notifications.registry import (
    NotificationKind,
    _community_name,
    _post_target,
    register,
)

if TYPE_CHECKING:
    from cerchia.notifications.models import Notification

#: The two outcomes a reporter is told about: something was done, or nothing was needed.
ACTIONED = "actioned"
DISMISSED = "dismissed"


def _report_reviewed(n: Notification) -> str:
    if (n.data or {}).get("outcome") == DISMISSED:
        return _("Your report in %(community)s was reviewed: no action was needed. Thank you.") % {
            "community": _community_name(n)
        }
    return _("Your report in %(community)s was reviewed. Thank you.") % {
        "community": _community_name(n)
    }


def _held_approved(n: Notification) -> str:
    return _("Your post in %(community)s was approved and published") % {
        "community": _community_name(n)
    }


def _held_rejected(n: Notification) -> str:
    note = (n.data or {}).get("note") or ""
    if note:
        return _("Your post in %(community)s was not approved. The hosts wrote: %(note)s") % {
            "community": _community_name(n),
            "note": note,
        }
    return _("Your post in %(community)s was not approved") % {"community": _community_name(n)}


REPORT_REVIEWED = register(
    NotificationKind(
        "report_reviewed",
        gettext_lazy("Your reports reviewed"),
        "flag",
        _report_reviewed,
        lambda notification: None,
    )
)
HELD_APPROVED = register(
    NotificationKind(
        "held_approved",
        gettext_lazy("Your posts approved by the hosts"),
        "check",
        _held_approved,
        _post_target,
    )
)
HELD_REJECTED = register(
    NotificationKind(
        "held_rejected",
        gettext_lazy("Your posts not approved by the hosts"),
        "x",
        _held_rejected,
        lambda notification: None,
    )
)


def notify_reports_reviewed(report_ids: list[int], outcome: str) -> int:
    """Tell each reporter of ``report_ids`` their report was reviewed; no detail of what
    was done. Returns how many were told."""
    from cerchia.moderation.models import Report
    from cerchia.notifications import events
    from cerchia.notifications.models import Notification
    from cerchia.notifications.permissions import can_be_notified

    told = []
    reports = Report.objects.filter(pk__in=report_ids, reporter__isnull=False).select_related(
        "reporter"
    )
    with transaction.atomic():
        for report in reports:
            if not can_be_notified(report.reporter):  # type: ignore[arg-type]
                continue
            _notification, created = Notification.objects.get_or_create(
                recipient_id=report.reporter_id,
                dedupe_key=f"report:{report.pk}",
                defaults={
                    "kind": REPORT_REVIEWED.name,
                    "community_id": report.community_id,
                    "data": {"outcome": outcome},
                },
            )
            if created:
                told.append(report.reporter_id)
        events.publish_changed(told)  # type: ignore[arg-type]
    return len(told)


def notify_held_decided(held_id: int) -> bool:
    """Tell a held post's author it was approved (linking the post) or declined (with the
    host's note). Returns whether a notification was created."""
    from cerchia.moderation.models import HeldPost
    from cerchia.notifications import events
    from cerchia.notifications.models import Notification
    from cerchia.notifications.permissions import can_be_notified

    held = HeldPost.objects.select_related("author", "post").filter(pk=held_id).first()
    if held is None or held.status == HeldPost.Status.PENDING:
        return False
    if not can_be_notified(held.author):
        return False
    approved = held.status == HeldPost.Status.APPROVED
    defaults: dict[str, object] = {
        "kind": HELD_APPROVED.name if approved else HELD_REJECTED.name,
        "community_id": held.community_id,
        "actor_id": held.decided_by_id,
        "actor_ids": [held.decided_by_id] if held.decided_by_id else [],
    }
    if approved and held.post is not None:
        defaults["post_id"] = held.post_id
        defaults["topic_id"] = held.post.topic_id
    if not approved and held.decision_note:
        defaults["data"] = {"note": held.decision_note[:300]}
    with transaction.atomic():
        _notification, created = Notification.objects.get_or_create(
            recipient_id=held.author_id, dedupe_key=f"held:{held.pk}", defaults=defaults
        )
        if created:
            events.publish_changed([held.author_id])
    return created


@task()
def reports_reviewed(report_ids: list[int], outcome: str) -> None:
    """Tell the reporters their reports were reviewed."""
    notify_reports_reviewed(report_ids, outcome)


@task()
def held_decided(held_id: int) -> None:
    """Tell a held post's author what the hosts decided."""
    notify_held_decided(held_id)
