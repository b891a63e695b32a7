"""Reactions and bookmarks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cerchia.discussions import events, permissions
from cerchia.discussions.models import Bookmark, Post, Reaction, ReactionKind
from cerchia.insights.log import record_event

if TYPE_CHECKING:
    from cerchia.accounts.models import User


def _recount(post: Post) -> None:
    """Lock the post and store its per-kind counts, so concurrent reactions never lose one."""
    Post.objects.select_for_update().filter(pk=post.pk).values_list("pk", flat=True).first()
    counts: dict[str, int] = {}
    for kind in Reaction.objects.filter(post=post).values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    ordered = {kind: counts[kind] for kind in ReactionKind.values if kind in counts}
    Post.objects.filter(pk=post.pk).update(reaction_counts=ordered)
    post.reaction_counts = ordered


def add_reaction(actor: User, post: Post, kind: str) -> bool:
    """React to a post with one of the fixed kinds; True if it was new.

    Raises PermissionDenied/Http404, ValidationError (unknown kind)."""
    if kind not in ReactionKind.values:
        raise ValidationError({"kind": _("Choose one of the available reactions.")})
    permissions.check_react(actor, post)
    try:
        with transaction.atomic():
            reaction = Reaction.objects.create(post=post, user=actor, kind=kind)
            _recount(post)
            record_event(
                "reaction.added",
                actor=actor,
                community=post.topic.community,
                subject=post,
                topic_id=post.topic_id,
                post_id=post.pk,
                reaction=kind,
                post_author_id=post.author_id,
            )
            events.publish_reactions(post)
            if post.author_id != actor.pk:
                from cerchia.notifications import tasks as notification_tasks

                reaction_id = reaction.pk
                transaction.on_commit(
                    lambda: notification_tasks.notify_reaction.enqueue(reaction_id)
                )
    except IntegrityError:
        return False
    return True


def remove_reaction(actor: User, post: Post, kind: str) -> bool:
    """Take one's reaction back; True if there was one. Raises PermissionDenied/Http404."""
    permissions.check_react(actor, post)
    with transaction.atomic():
        deleted, _rows = Reaction.objects.filter(post=post, user=actor, kind=kind).delete()
        if not deleted:
            return False
        _recount(post)
        record_event(
            "reaction.removed",
            actor=actor,
            community=post.topic.community,
            subject=post,
            topic_id=post.topic_id,
            post_id=post.pk,
            reaction=kind,
        )
        events.publish_reactions(post)
    return True


def add_bookmark(actor: User, post: Post) -> Bookmark:
    """Bookmark a post (the opening post stands for the topic). Raises PermissionDenied/Http404."""
    permissions.check_bookmark(actor, post)
    with transaction.atomic():
        bookmark, created = Bookmark.objects.get_or_create(user=actor, post=post)
        if created:
            record_event(
                "bookmark.added",
                actor=actor,
                community=post.topic.community,
                subject=post,
                post_id=post.pk,
            )
    return bookmark


def remove_bookmark(actor: User, post: Post) -> None:
    """Forget a bookmark; allowed even if the post can no longer be read."""
    if not actor.is_authenticated:
        return
    with transaction.atomic():
        deleted, _rows = Bookmark.objects.filter(user=actor, post=post).delete()
        if deleted:
            record_event("bookmark.removed", actor=actor, subject=post, post_id=post.pk)
