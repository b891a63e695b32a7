"""Trust levels: what a member has earned in a community, from their activity there.

A level needs every threshold of that level (days since joining, posts published, topics
read) and no warning, mute or ban in the last ``SANCTION_COOLDOWN``. Levels are reached in
order and never lowered automatically; hosts may set a level by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cerchia.communities.models import Community, Membership, TrustLevel
from cerchia.discussions.models import Post, ReadState
from cerchia.moderation.models import Sanction, SanctionKind

#: A warning, mute or ban this recent keeps a member from rising.
SANCTION_COOLDOWN = timedelta(days=30)
#: The levels earned automatically (level 0 is where everyone starts).
EARNED_LEVELS = ("1", "2", "3")
#: The levels that have limits; from level 2 on, members post freely.
LIMITED_LEVELS = ("0", "1")
THRESHOLD_FIELDS = ("days", "posts", "topics_read")
LIMIT_FIELDS = ("posts_per_hour", "links_per_post", "images_per_post", "mentions_per_post")

THRESHOLD_LABELS = {
    "days": _("Days since joining"),
    "posts": _("Posts published"),
    "topics_read": _("Topics read"),
}
LIMIT_LABELS = {
    "posts_per_hour": _("Posts per hour"),
    "links_per_post": _("Links per post"),
    "images_per_post": _("Images per post"),
    "mentions_per_post": _("Mentions per post"),
}


@dataclass(frozen=True)
class Activity:
    """What counts towards a member's trust in one community."""

    days: int
    posts: int
    topics_read: int
    sanctioned: bool


def earned_level(activity: Activity, thresholds: dict[str, dict[str, int]]) -> int:
    """The highest level whose thresholds (and every lower level's) the activity meets."""
    if activity.sanctioned:
        return int(TrustLevel.NEW)
    level = int(TrustLevel.NEW)
    for key in EARNED_LEVELS:
        needs = thresholds.get(key, {})
        if any(getattr(activity, name) < int(needs.get(name, 0)) for name in THRESHOLD_FIELDS):
            break
        level = int(key)
    return level


def _annotated(memberships: Any, community: Community, now: datetime) -> Any:
    """Memberships with their posts, topics read and recent sanctions counted in one query."""
    posts = (
        Post.objects.filter(community=community, author=OuterRef("user"), deleted_at__isnull=True)
        .order_by()
        .values("author")
        .annotate(n=Count("pk"))
        .values("n")
    )
    reads = (
        ReadState.objects.filter(
            topic__community=community, user=OuterRef("user"), last_read_number__gt=0
        )
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    sanctioned = Sanction.objects.filter(
        community=community,
        member=OuterRef("user"),
        kind__in=[SanctionKind.WARNING, SanctionKind.MUTE, SanctionKind.BAN],
    ).filter(
        Q(created_at__gte=now - SANCTION_COOLDOWN)
        | Q(lifted_at__isnull=True, ends_at__gt=now)
        | Q(lifted_at__isnull=True, ends_at__isnull=True, kind=SanctionKind.BAN)
    )
    zero = Value(0, output_field=IntegerField())
    return memberships.annotate(
        post_count=Coalesce(Subquery(posts, output_field=IntegerField()), zero),
        read_count=Coalesce(Subquery(reads, output_field=IntegerField()), zero),
        sanctioned=Exists(sanctioned),
    )


def _activity(membership: Any, now: datetime) -> Activity:
    return Activity(
        days=max(0, (now - membership.joined_at).days),
        posts=membership.post_count,
        topics_read=membership.read_count,
        sanctioned=membership.sanctioned,
    )


def activity_of(membership: Membership, now: datetime | None = None) -> Activity:
    """One member's activity in their community (one query)."""
    now = now or timezone.now()
    annotated = _annotated(
        Membership.objects.filter(pk=membership.pk), membership.community, now
    ).get()
    return _activity(annotated, now)


def earned_levels(
    community: Community, thresholds: dict[str, dict[str, int]], now: datetime | None = None
) -> list[tuple[Membership, int]]:
    """Every member below the top level whose earned level is above their current one."""
    now = now or timezone.now()
    rows = _annotated(
        Membership.objects.filter(community=community, trust_level__lt=TrustLevel.REGULAR),
        community,
        now,
    )
    raised = []
    for membership in rows:
        level = earned_level(_activity(membership, now), thresholds)
        if level > membership.trust_level:
            raised.append((membership, level))
    return raised


def level_counts(community: Community) -> dict[int, int]:
    """How many members are at each level (every level present, zero included)."""
    counts = dict.fromkeys(TrustLevel.values, 0)
    for row in (
        Membership.objects.filter(community=community)
        .order_by()
        .values("trust_level")
        .annotate(n=Count("pk"))
    ):
        counts[row["trust_level"]] = row["n"]
    return counts
