"""Posts held for review: storing them, approving (publishing) and rejecting them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cerchia.communities.models import Community
from cerchia.core.errors import ActionRefused
from cerchia.discussions.models import Post, Topic
from cerchia.insights.log import record_event
from cerchia.moderation import permissions
from cerchia.moderation.models import HeldPost, LogAction, ModerationLogEntry
from cerchia.moderation.screening import PostHeld, Verdict

if TYPE_CHECKING:
    from cerchia.accounts.models import User


def hold_post(
    actor: User,
    community: Community,
    verdict: Verdict,
    *,
    body: str,
    topic: Topic | None = None,
    title: str = "",
    kind: str = "",
    tags: list[str] | None = None,
    reply_to: Post | None = None,
    quoted: Post | None = None,
    disclosure: str = "",
    disclosure_brand: str = "",
    attachment_ids: list[int] | None = None,
    idempotency_key: str = "",
) -> HeldPost:
    """Store a submission for review and raise ``PostHeld``; a repeated key finds the first.

    Called by the posting actions after their own checks and screening."""
    if idempotency_key:
        existing = HeldPost.objects.filter(author=actor, idempotency_key=idempotency_key).first()
        if existing is not None:
            raise PostHeld(existing)
    try:
        with transaction.atomic():
            held = HeldPost.objects.create(
                community=community,
                author=actor,
                topic=topic,
                title=title,
                kind=kind,
                tags=list(tags or []),
                body=body,
                reply_to=reply_to,
                quoted=quoted,
                disclosure=disclosure,
                disclosure_brand=disclosure_brand,
                attachment_ids=list(attachment_ids or []),
                idempotency_key=idempotency_key,
                reason=verdict.reason,
                rule=verdict.rule,
                notice=verdict.notice,
            )
            record_event(
                "post.held",
                actor=actor,
                community=community,
                subject=held,
                held_id=held.pk,
                topic_id=topic.pk if topic is not None else None,
                reason=verdict.reason,
                rule_id=verdict.rule.pk if verdict.rule is not None else None,
            )
    except IntegrityError:
        existing = HeldPost.objects.filter(author=actor, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        held = existing
    raise PostHeld(held)


def _tell_author(held: HeldPost) -> None:
    """After commit: the author hears the hosts' decision (with their note on a rejection)."""
    from cerchia.moderation import notifications_queue

    held_id = held.pk
    transaction.on_commit(lambda: notifications_queue.held_decided.enqueue(held_id))


def _already_reviewed() -> ActionRefused:
    return ActionRefused(_("This post was already reviewed."), code="already_reviewed")


def approve_held_post(actor: User, held: HeldPost) -> Post:
    """Publish a held post as its author, sending the notifications it would have sent.

    Raises PermissionDenied/Http404 (rights, including the author's own right to post now),
    ValidationError, ActionRefused."""
    from cerchia.discussions import actions as discussions

    permissions.check_review_held(actor, held)
    if held.status != HeldPost.Status.PENDING:
        raise _already_reviewed()
    key = held.idempotency_key or f"held:{held.pk}"
    with transaction.atomic():
        locked = HeldPost.objects.select_for_update().get(pk=held.pk)
        if locked.status != HeldPost.Status.PENDING:
            raise _already_reviewed()
        if held.topic is None:
            topic = discussions.create_topic(
                held.author,
                held.community,
                title=held.title,
                body=held.body,
                kind=held.kind or "discussion",
                tags=held.tags,
                idempotency_key=key,
                attachment_ids=held.attachment_ids,
                disclosure=held.disclosure,
                disclosure_brand=held.disclosure_brand,
                screen=False,
            )
            post = Post.objects.get(topic=topic, number=1)
        else:
            post = discussions.create_reply(
                held.author,
                held.topic,
                body=held.body,
                reply_to=held.reply_to,
                quoted=held.quoted,
                idempotency_key=key,
                attachment_ids=held.attachment_ids,
                disclosure=held.disclosure,
                disclosure_brand=held.disclosure_brand,
                screen=False,
            )
        now = timezone.now()
        HeldPost.objects.filter(pk=held.pk).update(
            status=HeldPost.Status.APPROVED, decided_at=now, decided_by=actor, post=post
        )
        held.status, held.decided_at, held.decided_by, held.post = (
            HeldPost.Status.APPROVED,
            now,
            actor,
            post,
        )
        ModerationLogEntry.objects.create(
            community=held.community,
            actor=actor,
            action=LogAction.POST_APPROVED,
            member=held.author,
            post=post,
            topic=post.topic,
        )
        record_event(
            "post.approved",
            actor=actor,
            community=held.community,
            subject=held,
            held_id=held.pk,
            post_id=post.pk,
            author_id=held.author_id,
        )
        _tell_author(held)
    return post


def reject_held_post(actor: User, held: HeldPost, *, note: str = "") -> None:
    """Decline a held post; its author is told, with the host's note.

    Raises PermissionDenied/Http404, ActionRefused."""

    permissions.check_review_held(actor, held)
    with transaction.atomic():
        locked = HeldPost.objects.select_for_update().get(pk=held.pk)
        if locked.status != HeldPost.Status.PENDING:
            raise _already_reviewed()
        now = timezone.now()
        note = (note or "").strip()[:2000]
        HeldPost.objects.filter(pk=held.pk).update(
            status=HeldPost.Status.REJECTED, decided_at=now, decided_by=actor, decision_note=note
        )
        held.status, held.decided_at, held.decided_by, held.decision_note = (
            HeldPost.Status.REJECTED,
            now,
            actor,
            note,
        )
        ModerationLogEntry.objects.create(
            community=held.community,
            actor=actor,
            action=LogAction.POST_REJECTED,
            member=held.author,
            topic=held.topic,
            note=note,
        )
        record_event(
            "post.rejected",
            actor=actor,
            community=held.community,
            subject=held,
            held_id=held.pk,
            author_id=held.author_id,
        )
        _tell_author(held)
