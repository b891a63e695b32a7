"""Reads about blocks between members: who the viewer blocked, who blocked them.

The viewer's block set is loaded once per request (cached on the user object), so pages
that ask about many authors pay one query at most.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from cerchia.moderation.models import Block

if TYPE_CHECKING:
    from cerchia.accounts.models import User

_CACHE_ATTR = "_cerchia_block_set"


@dataclass(frozen=True)
class BlockSet:
    """The ids the viewer blocked, and the ids of those who blocked the viewer."""

    blocked: frozenset[int] = field(default_factory=frozenset)
    blocked_by: frozenset[int] = field(default_factory=frozenset)

    def state(self, user_id: int | None) -> str:
        """``"blocker"`` when the viewer blocked them, ``"blocked"`` when they blocked the
        viewer, else ``""``."""
        if user_id is None:
            return ""
        if user_id in self.blocked:
            return "blocker"
        if user_id in self.blocked_by:
            return "blocked"
        return ""

    def either(self, user_id: int | None) -> bool:
        return bool(self.state(user_id))


EMPTY = BlockSet()


def block_set(viewer: Any) -> BlockSet:
    """The viewer's blocks both ways (one query, then cached on the viewer object)."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return EMPTY
    cached = viewer.__dict__.get(_CACHE_ATTR)
    if cached is not None:
        return cached
    blocked: set[int] = set()
    blocked_by: set[int] = set()
    rows = Block.objects.filter(Q(blocker_id=viewer.pk) | Q(blocked_id=viewer.pk)).values_list(
        "blocker_id", "blocked_id"
    )
    for blocker_id, blocked_id in rows:
        if blocker_id == viewer.pk:
            blocked.add(blocked_id)
        else:
            blocked_by.add(blocker_id)
    result = BlockSet(frozenset(blocked), frozenset(blocked_by))
    viewer.__dict__[_CACHE_ATTR] = result
    return result


def forget_block_set(viewer: Any) -> None:
    """Drop the cached block set after a block or unblock."""
    if viewer is not None:
        viewer.__dict__.pop(_CACHE_ATTR, None)


def between(user_id: int, other_id: int) -> bool:
    """Whether either of the two blocked the other (one query)."""
    return Block.objects.filter(
        Q(blocker_id=user_id, blocked_id=other_id) | Q(blocker_id=other_id, blocked_id=user_id)
    ).exists()


def not_blocked_with(user_id: int | None, field_name: str = "pk") -> Q:
    """A filter keeping users (by ``field_name``) with no block either way with ``user_id``;
    a subquery, so it adds no query of its own."""
    if user_id is None:
        return Q()
    blocked = Block.objects.filter(blocker_id=user_id).values("blocked_id")
    blockers = Block.objects.filter(blocked_id=user_id).values("blocker_id")
    return ~Q(**{f"{field_name}__in": blocked}) & ~Q(**{f"{field_name}__in": blockers})


def list_blocked(actor: User) -> QuerySet[Block]:
    """The members the actor blocked, newest first."""
    return (
        Block.objects.filter(blocker_id=actor.pk)
        .select_related("blocked")
        .order_by("-created_at", "-id")
    )
