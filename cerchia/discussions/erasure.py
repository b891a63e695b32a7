"""What happens to a member's discussions when they delete their account.

Called by ``accounts.actions.delete_account`` inside its transaction (the account
action records the event). ``keep`` leaves topics and posts, attributed to the
tombstone account shown as "deleted member"; ``remove`` erases their text. Either way
the member's private traces (reactions, bookmarks, read state, subscriptions,
unattached uploads) go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count
from django.utils import timezone

from cerchia.discussions.models import (
    Attachment,
    Bookmark,
    CommunityReadMark,
    Mention,
    Post,
    PostRevision,
    Reaction,
    ReadState,
    Subscription,
    Topic,
)
from cerchia.search import backend as search

if TYPE_CHECKING:
    from cerchia.accounts.models import User

ERASED = ""


def erase_member_discussions(user: User, *, remove_posts: bool) -> None:
    """Apply the member's choice to what they wrote and drop their private traces."""
    _drop_reactions(user)
    Bookmark.objects.filter(user=user).delete()
    ReadState.objects.filter(user=user).delete()
    CommunityReadMark.objects.filter(user=user).delete()
    Subscription.objects.filter(user=user).delete()
    Mention.objects.filter(user=user).delete()
    for attachment in Attachment.objects.filter(uploaded_by=user, post__isnull=True):
        attachment.image.delete(save=False)
        attachment.delete()
    if remove_posts:
        _remove_posts(user)


def _drop_reactions(user: User) -> None:
    post_ids = list(Reaction.objects.filter(user=user).values_list("post_id", flat=True))
    if not post_ids:
        return
    Reaction.objects.filter(user=user).delete()
    counts: dict[int, dict[str, int]] = {pk: {} for pk in post_ids}
    for row in (
        Reaction.objects.filter(post_id__in=post_ids)
        .values("post_id", "kind")
        .annotate(n=Count("id"))
    ):
        counts[row["post_id"]][row["kind"]] = row["n"]
    for post_id, by_kind in counts.items():
        Post.objects.filter(pk=post_id).update(reaction_counts=by_kind)


def _remove_posts(user: User) -> None:
    now = timezone.now()
    posts = Post.objects.filter(author=user)
    post_ids = list(posts.values_list("pk", flat=True))
    topic_ids = set(posts.values_list("topic_id", flat=True))
    PostRevision.objects.filter(post_id__in=post_ids).delete()
    for attachment in Attachment.objects.filter(post_id__in=post_ids):
        attachment.image.delete(save=False)
        attachment.delete()
    posts.update(body=ERASED, body_html=ERASED, deleted_at=now)
    Topic.objects.filter(author=user).update(deleted_at=now)
    search.remove_posts(post_ids)
    for topic in Topic.objects.filter(pk__in=topic_ids):
        live = Post.objects.filter(topic=topic, deleted_at__isnull=True)
        newest = live.order_by("-number").values("created_at", "author_id").first()
        topic.reply_count = live.filter(number__gt=1).count()
        if newest is not None:
            topic.last_posted_at = newest["created_at"]
            topic.last_poster_id = newest["author_id"]
        topic.participant_ids = [pk for pk in topic.participant_ids if pk != user.pk]
        if topic.accepted_answer_id in post_ids:
            topic.accepted_answer = None
        topic.save(
            update_fields=[
                "reply_count",
                "last_posted_at",
                "last_poster",
                "participant_ids",
                "accepted_answer",
            ]
        )
