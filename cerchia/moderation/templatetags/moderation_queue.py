"""Template tags for the review queue: what waits for the hosts."""

from __future__ import annotations

from typing import Any

from django import template

from cerchia.communities.models import Community
from cerchia.moderation import queries_queue
from cerchia.moderation.permissions import can_moderate

register = template.Library()


@register.simple_tag(takes_context=True)
def queue_counts(context: dict[str, Any], community: Community) -> queries_queue.QueueCounts | None:
    """Reported things and held posts waiting in ``community``'s queue, for its hosts only
    (None for everyone else); counted once per request and community."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can_moderate(user, community):
        return None
    cache: dict[int, queries_queue.QueueCounts] = community.__dict__.setdefault("_queue_counts", {})
    if user.pk not in cache:
        cache[user.pk] = queries_queue.queue_counts(user, community)
    return cache[user.pk]
