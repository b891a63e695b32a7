"""The review queue's actions: hide or show a post, and handle reports.

Handling one report of a thing (a post, a topic, a member) closes every open report on
it; each reporter is told, after commit, that their report was reviewed, never what
was done to anyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cerchia.core.errors import ActionRefused
from cerchia.discussions import actions as discussions
from cerchia.discussions import events
from cerchia.discussions.models import Post, Topic
from cerchia.discussions.permissions import check_read_post
from cerchia.insights.log import record_event
from cerchia.moderation import notifications_queue, permissions
from cerchia.moderation.models import LogAction, ModerationLogEntry, Report

if TYPE_CHECKING:
    from cerchia.accounts.models import User

#: What a host can do from a report (besides dismissing it or sanctioning the member).
RESOLUTIONS = ("hide", "delete", "lock")


# --- Hiding ------------------------------------------------------------------------------


def _check_hide(actor: User, post: Post) -> None:
    check_read_post(actor, post)
    permissions.check_moderate(actor, post.topic.community)
    if post.deleted_at is not None:
        raise Http404(_("No such post."))


def hide_post(actor: User, post: Post, *, note: str = "") -> bool:
    """Collapse a post for everyone but its author and the hosts; it keeps its place.

    Returns False when it was already hidden. Raises PermissionDenied/Http404."""
    _check_hide(actor, post)
    if post.hidden_at is not None:
        return False
    now = timezone.now()
    with transaction.atomic():
        if Post.objects.select_for_update().get(pk=post.pk).hidden_at is not None:
            return False
        post.hidden_at, post.hidden_by = now, actor
        # save(), not update(): caches of the page listen to the post's save signal.
        post.save(update_fields=["hidden_at", "hidden_by"])
        community = post.topic.community
        ModerationLogEntry.objects.create(
            community=community,
            actor=actor,
            action=LogAction.POST_HIDDEN,
            member_id=post.author_id,
            post=post,
            topic=post.topic,
            note=(note or "").strip()[:2000],
        )
        record_event(
            "moderation.post_hidden",
            actor=actor,
            community=community,
            subject=post,
            topic_id=post.topic_id,
            post_id=post.pk,
            author_id=post.author_id,
        )
        # Viewers refetch the post through the permission-checked pages.
        events.publish_post("post.edited", post)
    return True


def unhide_post(actor: User, post: Post) -> bool:
    """Show a hidden post again. Returns False when it was not hidden.

    Raises PermissionDenied/Http404."""
    _check_hide(actor, post)
    if post.hidden_at is None:
        return False
    with transaction.atomic():
        if Post.objects.select_for_update().get(pk=post.pk).hidden_at is None:
            return False
        post.hidden_at = post.hidden_by = None
        post.save(update_fields=["hidden_at", "hidden_by"])
        community = post.topic.community
        ModerationLogEntry.objects.create(
            community=community,
            actor=actor,
            action=LogAction.POST_UNHIDDEN,
            member_id=post.author_id,
            post=post,
            topic=post.topic,
        )
        record_event(
            "moderation.post_unhidden",
            actor=actor,
            community=community,
            subject=post,
            topic_id=post.topic_id,
            post_id=post.pk,
        )
        events.publish_post("post.edited", post)
    return True


# --- Reports -----------------------------------------------------------------------------


def _already_handled() -> ActionRefused:
    return ActionRefused(_("This report was already handled."), code="already_handled")


def _check_open(actor: User, report: Report) -> None:
    permissions.check_review_queue(actor, report.community)
    if not Report.objects.filter(pk=report.pk, status=Report.Status.OPEN).exists():
        raise _already_handled()


def close_reports(actor: User, report: Report, resolution: str) -> list[int]:
    """Close every open report on ``report``'s thing as handled (``resolution``: what the
    hosts did) and tell the reporters after commit. Runs inside the caller's transaction
    (the sanction form calls it too). Returns the ids closed.

    Raises PermissionDenied/Http404."""
    permissions.check_review_queue(actor, report.community)
    dismissed = resolution == "dismissed"
    status = Report.Status.DISMISSED if dismissed else Report.Status.HANDLED
    with transaction.atomic():
        ids = list(
            Report.objects.select_for_update()
            .filter(
                community=report.community,
                target_key=report.target_key,
                status=Report.Status.OPEN,
            )
            .values_list("pk", flat=True)
        )
        if not ids:
            return []
        Report.objects.filter(pk__in=ids).update(
            status=status,
            resolution=resolution[:12],
            handled_at=timezone.now(),
            handled_by=actor,
        )
        record_event(
            "moderation.reports_closed",
            actor=actor,
            community=report.community,
            subject=report,
            target_key=report.target_key,
            resolution=resolution,
            report_ids=ids,
        )
        outcome = notifications_queue.DISMISSED if dismissed else notifications_queue.ACTIONED
        transaction.on_commit(lambda: notifications_queue.reports_reviewed.enqueue(ids, outcome))
    return ids


def dismiss_report(actor: User, report: Report, *, note: str = "") -> list[int]:
    """Nothing to do: close the thing's open reports; reporters hear no action was needed.

    Raises PermissionDenied/Http404, ActionRefused (already handled)."""
    _check_open(actor, report)
    with transaction.atomic():
        ids = close_reports(actor, report, "dismissed")
        if not ids:
            raise _already_handled()
        ModerationLogEntry.objects.create(
            community=report.community,
            actor=actor,
            action=LogAction.REPORT_DISMISSED,
            member_id=report.member_id or _author_id(report),
            post_id=report.post_id,
            topic_id=report.topic_id,
            note=(note or "").strip()[:2000],
        )
    return ids


def _author_id(report: Report) -> int | None:
    if report.post is not None:
        return report.post.author_id
    if report.topic is not None:
        return report.topic.author_id
    return None


def _reported_post(report: Report) -> Post:
    """The post a report is about: the post itself, or a topic's opening post."""
    if report.post is not None:
        post = report.post
    elif report.topic is not None:
        found = Post.objects.filter(topic=report.topic, number=1).first()
        if found is None:
            raise Http404(_("No such post."))
        post = found
        post.topic = report.topic
    else:
        raise ActionRefused(_("A member report can be dismissed or lead to a sanction."))
    return post


def _reported_topic(report: Report) -> Topic:
    if report.topic is not None:
        return report.topic
    if report.post is not None:
        return report.post.topic
    raise ActionRefused(_("A member report can be dismissed or lead to a sanction."))


def resolve_report(actor: User, report: Report, action: str) -> list[int]:
    """Act on a report: ``hide`` or ``delete`` the post (a topic's opening post), or
    ``lock`` the topic; then close every open report on the thing.

    Raises PermissionDenied/Http404, ActionRefused (handled already, or an action that
    does not fit a member report)."""
    if action not in RESOLUTIONS:
        raise ActionRefused(_("Choose hide, delete or lock."), code="unknown_action", status=422)
    _check_open(actor, report)
    resolution = {"hide": "hidden", "delete": "deleted", "lock": "locked"}[action]
    with transaction.atomic():
        if action == "lock":
            topic = _reported_topic(report)
            if topic.locked_at is None:
                discussions.lock_topic(actor, topic, True)
                ModerationLogEntry.objects.create(
                    community=report.community,
                    actor=actor,
                    action=LogAction.TOPIC_LOCKED,
                    member_id=topic.author_id,
                    topic=topic,
                )
        else:
            post = _reported_post(report)
            if action == "hide":
                if post.deleted_at is None:
                    hide_post(actor, post)
            elif post.deleted_at is None:
                discussions.delete_post(actor, post)
                ModerationLogEntry.objects.create(
                    community=report.community,
                    actor=actor,
                    action=LogAction.POST_DELETED,
                    member_id=post.author_id,
                    post=post,
                    topic=post.topic,
                )
        ids = close_reports(actor, report, resolution)
        if not ids:
            # Another host handled it meanwhile: undo this action too.
            raise _already_handled()
    return ids
