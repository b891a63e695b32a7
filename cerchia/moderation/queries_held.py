"""Reading held posts from their author's side: what awaits approval, what was declined."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from cerchia.communities.models import Community
from cerchia.discussions.models import Topic
from cerchia.moderation.models import HeldPost

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cerchia.accounts.models import User

#: How long a declined post stays in its author's list, with the host's note.
REJECTED_SHOWN_FOR = timedelta(days=30)
MY_HELD_LIMIT = 20


def _mine(actor: User | AnonymousUser) -> Q | None:
    if not actor.is_authenticated:
        return None
    since = timezone.now() - REJECTED_SHOWN_FOR
    return Q(author=actor) & (
        Q(status=HeldPost.Status.PENDING)
        | Q(status=HeldPost.Status.REJECTED, decided_at__gte=since)
    )


def list_my_held_posts(actor: User | AnonymousUser, community: Community) -> list[HeldPost]:
    """The actor's own posts in the community awaiting approval or recently declined."""
    mine = _mine(actor)
    if mine is None:
        return []
    return list(
        HeldPost.objects.filter(mine, community=community)
        .select_related("topic")
        .order_by("-created_at", "-id")[:MY_HELD_LIMIT]
    )


def list_my_held_replies(actor: User | AnonymousUser, topic: Topic) -> list[HeldPost]:
    """The actor's own replies to the topic awaiting approval or recently declined."""
    mine = _mine(actor)
    if mine is None:
        return []
    return list(HeldPost.objects.filter(mine, topic=topic)[:MY_HELD_LIMIT])
