"""Reads for the hosts' member table and segments, each in a fixed number of queries.

Activity (last engaged day, engaged events in the last 30 days) comes from the rollups and is
only read for members who gave analytics consent; for the others it is ``None`` (shown "—").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from cerchia.core.pagination import keyset_page
from cerchia.insights.models import MemberFact, Segment, SegmentMember
from cerchia.insights.permissions import check_segment, check_view_members
from cerchia.insights.segments import (
    Context,
    RuleError,
    community_memberships,
    engaged_sum,
    make_context,
    matching_memberships,
    rules_q,
    segment_memberships,
    validate_rules,
)

if TYPE_CHECKING:
    from cerchia.accounts.models import User
    from cerchia.communities.models import Community, Membership

PAGE_SIZE = 50
#: Aggregates over fewer members than this are shown as "fewer than 5".
SMALL_GROUP = 5
ACTIVITY_DAYS = 30
ORDERING = ("user__handle", "id")


def withheld(count: int | None) -> bool:
    """True when a count is too small to show (the small-group rule; 0 included)."""
    return count is not None and count < SMALL_GROUP


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    user: User
    #: None for members without analytics consent (and for the consenting who never engaged).
    last_engaged: dt.date | None
    engaged_recent: int | None

    @property
    def consented(self) -> bool:
        return bool(self.user.analytics_consent)


@dataclass(frozen=True)
class MemberTable:
    rows: list[MemberRow]
    count: int
    next_cursor: str | None

    @property
    def withheld(self) -> bool:
        return withheld(self.count)


def with_activity(queryset: QuerySet[Membership], context: Context) -> QuerySet[Membership]:
    """The memberships with the user loaded and the rollup-based activity annotated."""
    last = MemberFact.objects.filter(
        community_id=context.community.pk, user_id=OuterRef("user_id")
    ).values("last_engaged_on")[:1]
    return queryset.select_related("user").annotate(
        last_engaged=Subquery(last), engaged_recent=engaged_sum(context, ACTIVITY_DAYS)
    )


def _rows(memberships: list[Membership]) -> list[MemberRow]:
    rows = []
    for membership in memberships:
        user = membership.user
        consented = bool(user.analytics_consent)
        rows.append(
            MemberRow(
                membership=membership,
                user=user,
                last_engaged=getattr(membership, "last_engaged", None) if consented else None,
                engaged_recent=getattr(membership, "engaged_recent", None) if consented else None,
            )
        )
    return rows


def search_q(search: str) -> Q:
    """Members whose handle or display name holds ``search`` (a leading @ ignored)."""
    search = search.replace("\x00", "").strip().lstrip("@")
    if not search:
        return Q()
    return Q(user__handle__icontains=search) | Q(user__display_name__icontains=search)


def _page(
    queryset: QuerySet[Membership], context: Context, cursor: str | None, limit: int
) -> MemberTable:
    page = keyset_page(with_activity(queryset, context), ORDERING, cursor, limit)
    return MemberTable(rows=_rows(page.items), count=queryset.count(), next_cursor=page.next_cursor)


def list_members(
    actor: User,
    community: Community,
    *,
    rules: Any = None,
    search: str = "",
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    context: Context | None = None,
) -> MemberTable:
    """One page of the community's members matching ``rules`` and ``search``, with the count
    (3 queries: the fields, the page, the count). Raises PermissionDenied/Http404 for
    non-hosts, RuleError for bad rules, InvalidCursor for a bad cursor."""
    check_view_members(actor, community)
    context = context or make_context(community)
    queryset = matching_memberships(community, rules, context).filter(search_q(search))
    return _page(queryset, context, cursor, limit)


# --- Segments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentRow:
    segment: Segment
    #: None when a dynamic segment's rules no longer fit (e.g. a field was archived).
    count: int | None
    error: str = ""

    @property
    def withheld(self) -> bool:
        return withheld(self.count)


def list_segments(actor: User, community: Community) -> list[SegmentRow]:
    """The community's segments with their member counts now (3 queries: segments, fields,
    one aggregate counting them all)."""
    check_view_members(actor, community)
    segments = list(Segment.objects.filter(community=community).order_by("name", "id"))
    if not segments:
        return []
    context = make_context(community)
    conditions: dict[str, Q] = {}
    errors: dict[int, str] = {}
    for segment in segments:
        key = f"s{segment.pk}"
        if segment.kind == Segment.Kind.STATIC:
            frozen = SegmentMember.objects.filter(
                segment_id=segment.pk, user_id=OuterRef("user_id")
            )
            conditions[key] = Q(Exists(frozen))
            continue
        try:
            conditions[key] = rules_q(validate_rules(segment.rules, context), context)
        except RuleError as error:
            errors[segment.pk] = str(error)
    counts = community_memberships(community).aggregate(
        **{key: Count("pk", filter=condition) for key, condition in conditions.items()}
    )
    return [
        SegmentRow(
            segment=segment,
            count=counts.get(f"s{segment.pk}"),
            error=errors.get(segment.pk, ""),
        )
        for segment in segments
    ]


def get_segment(actor: User, community: Community, segment_id: int) -> Segment:
    """The community's segment ``segment_id`` (404 if it is not this community's)."""
    check_view_members(actor, community)
    segment = Segment.objects.filter(community=community, pk=segment_id).first()
    if segment is None:
        raise Http404(_("No such segment."))
    segment.community = community
    return segment


def list_segment_members(
    actor: User,
    segment: Segment,
    *,
    search: str = "",
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> MemberTable:
    """One page of a segment's members now, with the count (RuleError if a dynamic segment's
    rules no longer fit)."""
    check_segment(actor, segment)
    context = make_context(segment.community)
    queryset = segment_memberships(segment, context).filter(search_q(search))
    return _page(queryset, context, cursor, limit)


def count_matching(actor: User, community: Community, rules: Any) -> int:
    """How many members match ``rules`` now (RuleError for bad rules)."""
    check_view_members(actor, community)
    return matching_memberships(community, rules).count()
