"""Running topics: accepted answers, pin, lock, close, move."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from cerchia.communities.models import Community
from cerchia.discussions import events, permissions
from cerchia.discussions.models import Attachment, Post, Subscription, Topic
from cerchia.insights.log import record_event
from cerchia.search import backend as search

if TYPE_CHECKING:
    from cerchia.accounts.models import User


def accept_answer(actor: User, topic: Topic, post: Post) -> None:
    """Mark ``post`` as the question's answer (replacing any earlier one).

    Raises PermissionDenied/Http404."""
    permissions.check_accept_answer(actor, topic, post)
    if topic.accepted_answer_id == post.pk:
        return
    with transaction.atomic():
        previous = topic.accepted_answer_id
        Topic.objects.filter(pk=topic.pk).update(accepted_answer=post)
        topic.accepted_answer = post
        search.reindex_topic(topic)
        record_event(
            "answer.accepted",
            actor=actor,
            community=topic.community,
            subject=post,
            topic_id=topic.pk,
            post_id=post.pk,
            answer_author_id=post.author_id,
            replaced_post_id=previous,
        )
        events.publish_topic("topic.updated", topic)
        from cerchia.notifications import tasks as notification_tasks

        post_id = post.pk
        transaction.on_commit(lambda: notification_tasks.notify_accepted_answer.enqueue(post_id))


def unaccept_answer(actor: User, topic: Topic) -> None:
    """Take back the accepted answer. Raises PermissionDenied/Http404."""
    answer = topic.accepted_answer
    if answer is None:
        return
    permissions.check_accept_answer(actor, topic, answer)
    with transaction.atomic():
        Topic.objects.filter(pk=topic.pk).update(accepted_answer=None)
        topic.accepted_answer = None
        search.reindex_topic(topic)
        record_event(
            "answer.unaccepted",
            actor=actor,
            community=topic.community,
            subject=topic,
            topic_id=topic.pk,
            post_id=answer.pk,
        )
        events.publish_topic("topic.updated", topic)


def _toggle(actor: User, topic: Topic, field: str, value: object, kind: str) -> None:
    permissions.check_moderate_topic(actor, topic)
    if getattr(topic, field) == value:
        return
    with transaction.atomic():
        Topic.objects.filter(pk=topic.pk).update(**{field: value})
        setattr(topic, field, value)
        record_event(kind, actor=actor, community=topic.community, subject=topic, topic_id=topic.pk)
        events.publish_topic("topic.updated", topic)


def pin_topic(actor: User, topic: Topic, pinned: bool = True) -> None:
    """Pin to (or unpin from) the top of the community page. Raises PermissionDenied/Http404."""
    _toggle(actor, topic, "is_pinned", pinned, "topic.pinned" if pinned else "topic.unpinned")


def lock_topic(actor: User, topic: Topic, locked: bool = True) -> None:
    """Lock: no replies, edits or reactions except by hosts. Raises PermissionDenied/Http404."""
    if locked == topic.is_locked:
        permissions.check_moderate_topic(actor, topic)
        return
    _toggle(
        actor,
        topic,
        "locked_at",
        timezone.now() if locked else None,
        "topic.locked" if locked else "topic.unlocked",
    )


def close_topic(actor: User, topic: Topic, closed: bool = True) -> None:
    """Close to new replies (reactions stay), or reopen. Raises PermissionDenied/Http404."""
    if closed == topic.is_closed:
        permissions.check_moderate_topic(actor, topic)
        return
    _toggle(
        actor,
        topic,
        "closed_at",
        timezone.now() if closed else None,
        "topic.closed" if closed else "topic.reopened",
    )


def move_topic(actor: User, topic: Topic, target: Community) -> None:
    """Move a topic, its posts and their images to another community the actor hosts.

    Tags that the target community does not use are dropped. Raises PermissionDenied/Http404."""
    permissions.check_move_topic(actor, topic, target)
    source = topic.community
    with transaction.atomic():
        Topic.objects.filter(pk=topic.pk).update(community=target, is_pinned=False)
        Post.objects.filter(topic=topic).update(community=target)
        Attachment.objects.filter(post__topic=topic).update(community=target)
        # Topic-level notification choices are looked up by the topic's community.
        Subscription.objects.filter(topic=topic).update(community=target)
        topic.community, topic.is_pinned = target, False
        kept = list(topic.tags.filter(pk__in=target.interests.values("pk")))
        topic.tags.set(kept)
        search.reindex_topic(topic)
        record_event(
            "topic.moved",
            actor=actor,
            community=target,
            subject=topic,
            topic_id=topic.pk,
            from_community_id=source.pk,
        )
        record_event(
            "topic.moved_out",
            actor=actor,
            community=source,
            subject=topic,
            topic_id=topic.pk,
            to_community_id=target.pk,
        )
        events.publish_topic("topic.updated", topic)
