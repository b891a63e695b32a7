"""Engagement metrics for a community, read from the daily rollups (never from raw events).

Every figure passes through :func:`figure`, which applies the small-group rule: a value that
aggregates fewer than ``SMALL_GROUP`` members is withheld (``value`` and ``n`` are ``None``,
``suppressed`` is true), so pages, exports and the API cannot show it by mistake.

The exact definitions, and which members each figure's n counts, are written down for hosts and
integrators in ``docs/insights.md``; :func:`build_dashboard` is their one implementation.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Least, TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from cerchia.communities.models import Community

#: No aggregate over fewer members than this is ever shown.
SMALL_GROUP = 5


class Unit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    SECONDS = "seconds"


@dataclass(frozen=True)
class Period:
    """Local days ``start``..``end``, both included, in the community's timezone."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a period ends on or after its start")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=offset) for offset in range(self.days)]


@dataclass(frozen=True)
class Figure:
    """One number on the dashboard with its n, the previous period's value and the change."""

    key: str
    value: float | None
    n: int | None
    previous: float | None
    previous_n: int | None
    unit: Unit = Unit.COUNT
    suppressed: bool = False
    previous_suppressed: bool = False

    @property
    def change(self) -> float | None:
        """value − previous (percentage points for percentages); None if either is missing."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def figure(
    key: str,
    value: float | None,
    n: int,
    previous: float | None,
    previous_n: int,
    unit: Unit = Unit.COUNT,
) -> Figure:
    """A figure with the small-group rule applied to both periods."""
    suppressed = n < SMALL_GROUP
    previous_suppressed = previous_n < SMALL_GROUP
    return Figure(
        key=key,
        value=None if suppressed else value,
        n=None if suppressed else n,
        previous=None if previous_suppressed else previous,
        previous_n=None if previous_suppressed else previous_n,
        unit=unit,
        suppressed=suppressed,
        previous_suppressed=previous_suppressed,
    )


@dataclass(frozen=True)
class Point:
    """One day of a series; ``value`` is None when it aggregates fewer than 5 members."""

    day: date
    value: float | None


@dataclass(frozen=True)
class Series:
    key: str
    points: list[Point]
    unit: Unit = Unit.COUNT


@dataclass(frozen=True)
class CohortRow:
    """A join cohort: its first day, its size (None under 5) and the share active in each step."""

    start: date
    size: int | None
    #: cell(c, k) as a percentage for k = 0, 1, ...; None when the whole row is withheld or
    #: step k has not happened yet.
    shares: list[float | None]


@dataclass(frozen=True)
class UnansweredTopic:
    topic_id: int
    title: str
    url: str
    created_at: object  # datetime; object keeps this module free of Django imports
    hours_waiting: int


@dataclass(frozen=True)
class MemberRow:
    """A member-level row (top contributors, quiet regulars): only members who consented."""

    user_id: int
    handle: str
    name: str
    score: float
    reason: str


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard page, its CSV exports and the API show for one period."""

    period: Period
    previous_period: Period
    include_everyone: bool
    figures: dict[str, Figure] = field(default_factory=dict)
    series: dict[str, Series] = field(default_factory=dict)
    cohorts: list[CohortRow] = field(default_factory=list)
    cohort_unit: str = "week"
    unanswered: list[UnansweredTopic] = field(default_factory=list)
    top_contributors: list[MemberRow] = field(default_factory=list)
    quiet_regulars: list[MemberRow] = field(default_factory=list)
    #: How far the rollups got: figures are complete up to this moment.
    rolled_up_to: object | None = None


# --- Definitions ---------------------------------------------------------------------------

#: Affiliations whose members are left out unless the host includes everyone (bots always are).
EXCLUDED_AFFILIATIONS = ("staff", "brand")

#: A topic counts as answered in time when another member replied within this many seconds.
RESPONSE_WINDOW_SECONDS = 24 * 60 * 60

#: Activation: an engaged event from the join day to this many days after it, both included.
ACTIVATION_DAYS = 7

#: Regulars going quiet: engaged days are counted over this many days ending on period.end...
REGULAR_WINDOW_DAYS = 90
#: ...and a regular is "going quiet" after this many days without an engaged event (inclusive).
QUIET_MIN_DAYS = 7
QUIET_MAX_DAYS = 28

#: How many rows the member-level lists and the unanswered list show.
TOP_CONTRIBUTORS = 10
UNANSWERED_LIMIT = 50

#: Retention cohorts: how many weeks or months of join cohorts are shown.
COHORT_COUNTS = {"week": 12, "month": 6}


@dataclass(frozen=True)
class ScoreRule:
    """Points per action in the top contributors' score, counted up to ``daily_cap`` a day."""

    column: str
    points: float
    daily_cap: int


#: The top contributors' score: for each day, min(count, cap) × points, summed over the period.
SCORE_RULES: tuple[ScoreRule, ...] = (
    ScoreRule("topics", 3, 5),
    ScoreRule("replies", 2, 20),
    ScoreRule("accepted_answers", 10, 3),
    ScoreRule("reactions_received", 1, 10),
    ScoreRule("reactions", 0.5, 10),
    ScoreRule("responses", 1, 10),
)


# --- Periods -------------------------------------------------------------------------------


#: The longest period a host may ask for, in days.
MAX_PERIOD_DAYS = 366


def community_today(community: Community, *, now: datetime | None = None) -> date:
    """The current local day in the community's timezone (UTC if the name is unknown)."""
    now = now or timezone.now()
    try:
        zone = ZoneInfo(community.timezone or "UTC")
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


def period_for(community: Community, days: int, *, today: date | None = None) -> Period:
    """The ``days`` local days ending today (in the community's timezone), today included;
    ValueError (translated) for fewer than 1 or more than 366 days."""
    if days < 1:
        raise ValueError(_("A period has at least one day."))
    if days > MAX_PERIOD_DAYS:
        raise ValueError(
            _("A period can be at most %(days)s days long.") % {"days": MAX_PERIOD_DAYS}
        )
    end = today or community_today(community)
    return Period(end - timedelta(days=days - 1), end)


def custom_period(
    start: date, end: date, *, community: Community | None = None, today: date | None = None
) -> Period:
    """A host's own period; ValueError (translated) if it ends before it starts, is longer than
    366 days or reaches into the future (today in the community's timezone when given)."""
    if today is None:
        today = community_today(community) if community is not None else timezone.localdate()
    if end < start:
        raise ValueError(_("The period must end on or after the day it starts."))
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValueError(
            _("A period can be at most %(days)s days long.") % {"days": MAX_PERIOD_DAYS}
        )
    if end > today:
        raise ValueError(_("A period cannot end in the future."))
    return Period(start, end)


# --- Small helpers (pure, tested on their own) ---------------------------------------------


def median(values: Sequence[float]) -> float | None:
    """The middle value; the mean of the two middle values for an even count; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile_nearest_rank(values: Sequence[float], percent: float) -> float | None:
    """The nearest-rank percentile: the ⌈percent/100 · n⌉-th smallest value; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return float(ordered[rank - 1])


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean; None if empty."""
    return sum(values) / len(values) if values else None


def share(part: float, whole: float) -> float | None:
    """part ÷ whole × 100, or None when whole is 0."""
    return part / whole * 100 if whole else None


def week_start(day: date) -> date:
    """The Monday that starts ``day``'s week."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month (negative goes back)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def regular_ids(engaged_days: dict[int, int]) -> set[int]:
    """The top quarter by engaged days: the ⌈N/4⌉ highest, ties at the boundary included."""
    if not engaged_days:
        return set()
    counts = sorted(engaged_days.values(), reverse=True)
    threshold = counts[math.ceil(len(counts) / 4) - 1]
    return {user_id for user_id, days in engaged_days.items() if days >= threshold}


# --- Querysets -----------------------------------------------------------------------------


def _excluded_q(community: Community, user_field: str = "user") -> Q:
    """Rows of staff- or brand-affiliated members of the community and of bot accounts."""
    from cerchia.communities.models import Membership

    affiliated = Membership.objects.filter(
        community=community, affiliation__in=EXCLUDED_AFFILIATIONS
    ).values("user_id")
    return Q(**{f"{user_field}__is_bot": True}) | Q(**{f"{user_field}_id__in": affiliated})


def _scoped(queryset: Any, community: Community, include_everyone: bool, user_field: str) -> Any:
    return queryset if include_everyone else queryset.exclude(_excluded_q(community, user_field))


# --- The dashboard -------------------------------------------------------------------------


@dataclass
class _PeriodMembers:
    """Distinct-member counts of one period, from MemberDay."""

    active: int = 0
    posters: int = 0
    reactors: int = 0
    visitors: int = 0
    reciprocal: int = 0


def build_dashboard(
    community: Community,
    period: Period,
    *,
    include_everyone: bool = False,
    cohort_unit: str = "week",
    now: datetime | None = None,
) -> Dashboard:
    """Every figure, series and list of the dashboard for ``period`` and the period before,
    read from the rollups in a fixed number of queries whatever the amount of activity.

    Figures and their n (the members each aggregates over; under 5 the figure is withheld):
    active_members, dau, stickiness, wau_mau, reciprocity — members with an engaged event in the
    period; wau, mau — WAU / MAU on the last day; response_rate, unanswered — distinct authors of
    the period's topics; first_reply_* — distinct authors of the period's topics that got a reply;
    new_contributors — themselves; activation — members who joined in the period; topics,
    replies, member_post_share — distinct posters; reactions — distinct reactors; visits,
    visitors — distinct visitors; joins — the joins themselves.
    """
    from cerchia.insights.models import RollupState

    if cohort_unit not in COHORT_COUNTS:
        raise ValueError(_("Cohorts are weekly or monthly."))
    now = now or timezone.now()
    previous = period.previous()
    scope = "everyone" if include_everyone else "members"

    days = _community_days(community, previous.start, period.end)
    members = _period_members(community, period, previous, include_everyone)
    topics = _topic_rows(community, previous.start, period.end, include_everyone)
    facts = _member_facts(community, period, previous, cohort_unit, include_everyone)
    activation_days = _activation_days(community, previous, period, include_everyone)
    cohorts = _cohorts(community, period, cohort_unit, include_everyone, facts)
    top = _top_contributors(community, period, include_everyone)
    quiet = _quiet_regulars(community, period, include_everyone)
    state = RollupState.objects.filter(name="daily").values_list("last_run_at", flat=True).first()

    current_days = [days[scope].get(day, {}) for day in period.each_day()]
    previous_days = [days[scope].get(day, {}) for day in previous.each_day()]
    everyone_current = [days["everyone"].get(day, {}) for day in period.each_day()]
    everyone_previous = [days["everyone"].get(day, {}) for day in previous.each_day()]

    figures: dict[str, Figure] = {}

    def add(key: str, compute: Any, unit: Unit = Unit.COUNT) -> None:
        value, n = compute(True)
        previous_value, previous_n = compute(False)
        figures[key] = figure(key, value, n, previous_value, previous_n, unit)

    def rows(current: bool) -> list[dict[str, int]]:
        return current_days if current else previous_days

    def counts(current: bool) -> _PeriodMembers:
        return members[0] if current else members[1]

    def total(current: bool, column: str) -> int:
        return sum(row.get(column, 0) for row in rows(current))

    def last(current: bool, column: str) -> int:
        return rows(current)[-1].get(column, 0)

    add("active_members", lambda c: (counts(c).active, counts(c).active))
    add("dau", lambda c: (mean([r.get("dau", 0) for r in rows(c)]), counts(c).active))
    add("wau", lambda c: (last(c, "wau"), last(c, "wau")))
    add("mau", lambda c: (last(c, "mau"), last(c, "mau")))
    add("stickiness", lambda c: (_ratio_mean(rows(c), "dau"), counts(c).active), Unit.PERCENT)
    add("wau_mau", lambda c: (_ratio_mean(rows(c), "wau"), counts(c).active), Unit.PERCENT)

    topic_stats = (
        _topic_stats(topics, period, now, include_list=True),
        _topic_stats(topics, previous, now, include_list=False),
    )

    def topic_stat(c: bool) -> _TopicStats:
        return topic_stats[0] if c else topic_stats[1]

    add(
        "response_rate",
        lambda c: (topic_stat(c).response_rate, topic_stat(c).authors),
        Unit.PERCENT,
    )
    add("unanswered", lambda c: (topic_stat(c).unanswered, topic_stat(c).authors))
    for key, compute in (
        ("first_reply_median", lambda v: median(v)),
        ("first_reply_p90", lambda v: percentile_nearest_rank(v, 90)),
        ("first_reply_mean", lambda v: mean(v)),
    ):
        add(
            key,
            lambda c, compute=compute: (
                compute(topic_stat(c).reply_seconds),
                topic_stat(c).answered_authors,
            ),
            Unit.SECONDS,
        )

    add("new_contributors", lambda c: (facts.new_contributors(c), facts.new_contributors(c)))

    def activation(c: bool) -> tuple[float | None, int]:
        joiners = facts.joiners(period if c else previous)
        activated = sum(
            1
            for user_id, joined_on in joiners.items()
            if any(
                joined_on <= day <= joined_on + timedelta(days=ACTIVATION_DAYS)
                for day in activation_days.get(user_id, ())
            )
        )
        return share(activated, len(joiners)), len(joiners)

    add("activation", activation, Unit.PERCENT)
    add(
        "reciprocity",
        lambda c: (share(counts(c).reciprocal, counts(c).active), counts(c).active),
        Unit.PERCENT,
    )
    add("topics", lambda c: (total(c, "topics"), counts(c).posters))
    add("replies", lambda c: (total(c, "replies"), counts(c).posters))
    add("reactions", lambda c: (total(c, "reactions"), counts(c).reactors))

    def member_post_share(c: bool) -> tuple[float | None, int]:
        everyone = everyone_current if c else everyone_previous
        posts = sum(row.get("topics", 0) + row.get("replies", 0) for row in everyone)
        return share(sum(row.get("member_posts", 0) for row in everyone), posts), counts(c).posters

    add("member_post_share", member_post_share, Unit.PERCENT)
    add("visits", lambda c: (total(c, "visits"), counts(c).visitors))
    add("visitors", lambda c: (counts(c).visitors, counts(c).visitors))
    add("joins", lambda c: (total(c, "joins"), total(c, "joins")))

    return Dashboard(
        period=period,
        previous_period=previous,
        include_everyone=include_everyone,
        figures=figures,
        series=_series(period, current_days),
        cohorts=cohorts,
        cohort_unit=cohort_unit,
        unanswered=_unanswered_list(community, topic_stats[0].unanswered_rows, now),
        top_contributors=top,
        quiet_regulars=quiet,
        rolled_up_to=state,
    )


def _ratio_mean(rows: list[dict[str, int]], numerator: str) -> float | None:
    """Mean over the days of numerator(d) / MAU(d) × 100; a day with MAU = 0 counts as 0."""
    if not rows:
        return None
    ratios = [row.get(numerator, 0) / row["mau"] * 100 if row.get("mau") else 0.0 for row in rows]
    return sum(ratios) / len(ratios)


#: Series key → (CommunityDay column, the column counting its members).
SERIES_COLUMNS: dict[str, tuple[str, str]] = {
    "dau": ("dau", "dau"),
    "wau": ("wau", "wau"),
    "mau": ("mau", "mau"),
    "topics": ("topics", "posters"),
    "replies": ("replies", "posters"),
    "reactions": ("reactions", "reactors"),
    "visitors": ("visitors", "visitors"),
}


def _series(period: Period, rows: list[dict[str, int]]) -> dict[str, Series]:
    series: dict[str, Series] = {}
    for key, (column, members) in SERIES_COLUMNS.items():
        points = [
            Point(day, float(row.get(column, 0)) if row.get(members, 0) >= SMALL_GROUP else None)
            for day, row in zip(period.each_day(), rows, strict=True)
        ]
        series[key] = Series(key, points)
    return series


_DAY_COLUMNS = (
    "dau",
    "wau",
    "mau",
    "topics",
    "replies",
    "reactions",
    "posters",
    "reactors",
    "member_posts",
    "visits",
    "visitors",
    "joins",
)


def _community_days(
    community: Community, start: date, end: date
) -> dict[str, dict[date, dict[str, int]]]:
    """CommunityDay rows of both scopes, by scope and day (one query)."""
    from cerchia.insights.models import CommunityDay

    days: dict[str, dict[date, dict[str, int]]] = {"members": {}, "everyone": {}}
    for row in CommunityDay.objects.filter(
        community=community, day__gte=start, day__lte=end
    ).values("scope", "day", *_DAY_COLUMNS):
        days.setdefault(row["scope"], {})[row["day"]] = row
    return days


def _period_members(
    community: Community, period: Period, previous: Period, include_everyone: bool
) -> tuple[_PeriodMembers, _PeriodMembers]:
    """Distinct active members, posters, reactors, visitors and reciprocal members (one query)."""
    from cerchia.insights.models import MemberDay

    rows = _scoped(
        MemberDay.objects.filter(community=community, day__gte=previous.start, day__lte=period.end),
        community,
        include_everyone,
        "user",
    )
    # One row per member with a flag per question, counted here: a single hash aggregate
    # over the member-days instead of ten COUNT(DISTINCT) sorts.
    flags: dict[str, Any] = {}
    for label, span in (("c", period), ("p", previous)):
        within = Q(day__gte=span.start, day__lte=span.end)
        conditions = {
            "active": within & Q(engaged__gt=0),
            "posters": within & (Q(topics__gt=0) | Q(replies__gt=0)),
            "reactors": within & Q(reactions__gt=0),
            "visitors": within & Q(visits__gt=0),
            "gave": within & Q(replies_given__gt=0),
            "received": within & Q(replies_received__gt=0),
        }
        for name, condition in conditions.items():
            flags[f"{label}_{name}"] = Max(
                Case(When(condition, then=Value(1)), default=Value(0)),
                output_field=IntegerField(),
            )
    totals = dict.fromkeys(flags, 0)
    totals.update({"c_reciprocal": 0, "p_reciprocal": 0})
    for row in rows.values("user_id").annotate(**flags).order_by().values(*flags):
        for key, flag in row.items():
            totals[key] += flag
        for label in ("c", "p"):
            if row[f"{label}_gave"] and row[f"{label}_received"]:
                totals[f"{label}_reciprocal"] += 1
    return (
        _PeriodMembers(
            **{name: totals[f"c_{name}"] for name in _PeriodMembers.__dataclass_fields__}
        ),
        _PeriodMembers(
            **{name: totals[f"p_{name}"] for name in _PeriodMembers.__dataclass_fields__}
        ),
    )


@dataclass(frozen=True)
class _TopicRow:
    topic_id: int
    title: str
    author_id: int | None
    created_at: datetime
    created_on: date
    first_reply_seconds: int | None


def _topic_rows(
    community: Community, start: date, end: date, include_everyone: bool
) -> list[_TopicRow]:
    """The live topics created in [start, end] with their first reply (one query)."""
    from cerchia.insights.models import TopicFact

    facts = _scoped(
        TopicFact.objects.filter(
            community=community,
            created_on__gte=start,
            created_on__lte=end,
            deleted=False,
            topic__deleted_at__isnull=True,
        ),
        community,
        include_everyone,
        "author",
    ).order_by("created_at", "topic_id")
    return [
        _TopicRow(*row)
        for row in facts.values_list(
            "topic_id",
            "topic__title",
            "author_id",
            "created_at",
            "created_on",
            "first_reply_seconds",
        )
    ]


@dataclass
class _TopicStats:
    authors: int
    answered_authors: int
    response_rate: float | None
    unanswered: int
    reply_seconds: list[int]
    unanswered_rows: list[_TopicRow]


def _topic_stats(
    rows: Iterable[_TopicRow], span: Period, now: datetime, *, include_list: bool
) -> _TopicStats:
    mine = [row for row in rows if span.start <= row.created_on <= span.end]
    answered = [row for row in mine if row.first_reply_seconds is not None]
    in_time = [row for row in answered if (row.first_reply_seconds or 0) <= RESPONSE_WINDOW_SECONDS]
    late = now - timedelta(seconds=RESPONSE_WINDOW_SECONDS)
    waiting = [row for row in mine if row.first_reply_seconds is None and row.created_at < late]
    return _TopicStats(
        authors=len({row.author_id for row in mine if row.author_id is not None}),
        answered_authors=len({row.author_id for row in answered if row.author_id is not None}),
        response_rate=share(len(in_time), len(mine)),
        unanswered=len(waiting),
        reply_seconds=[row.first_reply_seconds or 0 for row in answered],
        unanswered_rows=waiting if include_list else [],
    )


def _unanswered_list(
    community: Community, rows: list[_TopicRow], now: datetime
) -> list[UnansweredTopic]:
    """The longest-waiting topics first, at most ``UNANSWERED_LIMIT``."""
    return [
        UnansweredTopic(
            topic_id=row.topic_id,
            title=row.title,
            url=reverse("discussions:topic", args=[community.slug, row.topic_id]),
            created_at=row.created_at,
            hours_waiting=int((now - row.created_at).total_seconds() // 3600),
        )
        for row in rows[:UNANSWERED_LIMIT]
    ]


@dataclass
class _MemberFacts:
    """MemberFact landmarks needed by new contributors, activation and the cohorts."""

    period: Period
    previous: Period
    joined: dict[int, date]
    first_posts: dict[int, date]

    def new_contributors(self, current: bool) -> int:
        span = self.period if current else self.previous
        return sum(1 for day in self.first_posts.values() if span.start <= day <= span.end)

    def joiners(self, span: Period) -> dict[int, date]:
        return {user: day for user, day in self.joined.items() if span.start <= day <= span.end}


def _cohort_starts(period: Period, unit: str) -> list[date]:
    count = COHORT_COUNTS[unit]
    if unit == "week":
        last = week_start(period.end)
        return [last - timedelta(weeks=count - 1 - index) for index in range(count)]
    last = month_start(period.end)
    return [add_months(last, index - count + 1) for index in range(count)]


def _member_facts(
    community: Community, period: Period, previous: Period, unit: str, include_everyone: bool
) -> _MemberFacts:
    """Joins since the earliest cohort or the previous period, and first posts (one query)."""
    from cerchia.insights.models import MemberFact

    since = min(previous.start, _cohort_starts(period, unit)[0])
    rows = _scoped(
        MemberFact.objects.filter(community=community).filter(
            Q(joined_on__gte=since, joined_on__lte=period.end)
            | Q(first_post_on__gte=previous.start, first_post_on__lte=period.end)
        ),
        community,
        include_everyone,
        "user",
    ).values_list("user_id", "joined_on", "first_post_on")
    joined: dict[int, date] = {}
    first_posts: dict[int, date] = {}
    for user_id, joined_on, first_post_on in rows:
        if joined_on is not None and since <= joined_on <= period.end:
            joined[user_id] = joined_on
        if first_post_on is not None and previous.start <= first_post_on <= period.end:
            first_posts[user_id] = first_post_on
    return _MemberFacts(period, previous, joined, first_posts)


def _activation_days(
    community: Community, previous: Period, period: Period, include_everyone: bool
) -> dict[int, set[date]]:
    """Engaged days of the members who joined in either period, up to 7 days on (one query)."""
    from cerchia.insights.models import MemberDay, MemberFact

    joiners = _scoped(
        MemberFact.objects.filter(
            community=community, joined_on__gte=previous.start, joined_on__lte=period.end
        ),
        community,
        include_everyone,
        "user",
    ).values("user_id")
    days: dict[int, set[date]] = defaultdict(set)
    for user_id, day in MemberDay.objects.filter(
        community=community,
        day__gte=previous.start,
        day__lte=period.end + timedelta(days=ACTIVATION_DAYS),
        engaged__gt=0,
        user_id__in=joiners,
    ).values_list("user_id", "day"):
        days[user_id].add(day)
    return days


def _cohorts(
    community: Community, period: Period, unit: str, include_everyone: bool, facts: _MemberFacts
) -> list[CohortRow]:
    """Join cohorts and the share of each engaged in each later week or month (one query).

    Joins and engaged days are counted up to period.end: the last week (month) is the one
    containing it, seen as of that day."""
    from cerchia.insights.models import MemberDay, MemberFact

    starts = _cohort_starts(period, unit)
    end = period.end
    index_of = {start: index for index, start in enumerate(starts)}
    truncate = TruncWeek if unit == "week" else TruncMonth

    def cohort_of(day: date) -> int:
        return index_of[week_start(day) if unit == "week" else month_start(day)]

    members: dict[int, int] = {
        user_id: cohort_of(day) for user_id, day in facts.joined.items() if starts[0] <= day <= end
    }
    cohort_joiners = _scoped(
        MemberFact.objects.filter(
            community=community, joined_on__gte=starts[0], joined_on__lte=end
        ),
        community,
        include_everyone,
        "user",
    ).values("user_id")
    active: dict[int, set[int]] = defaultdict(set)
    for user_id, unit_start in (
        MemberDay.objects.filter(
            community=community,
            day__gte=starts[0],
            day__lte=end,
            engaged__gt=0,
            user_id__in=cohort_joiners,
        )
        .annotate(unit_start=truncate("day"))
        .values_list("user_id", "unit_start")
        .distinct()
    ):
        step_day = unit_start.date() if isinstance(unit_start, datetime) else unit_start
        if step_day in index_of and user_id in members:
            active[index_of[step_day]].add(user_id)

    rows: list[CohortRow] = []
    for cohort, start in enumerate(starts):
        size = sum(1 for index in members.values() if index == cohort)
        if size < SMALL_GROUP:
            rows.append(CohortRow(start, None, [None] * len(starts)))
            continue
        in_cohort = {user_id for user_id, index in members.items() if index == cohort}
        shares: list[float | None] = []
        for step in range(len(starts)):
            if cohort + step >= len(starts):
                shares.append(None)
            else:
                shares.append(len(active[cohort + step] & in_cohort) / size * 100)
        rows.append(CohortRow(start, size, shares))
    return rows


def _top_contributors(
    community: Community, period: Period, include_everyone: bool
) -> list[MemberRow]:
    """The ten highest scores (see SCORE_RULES), consenting current members only (one query)."""
    from cerchia.communities.models import Membership
    from cerchia.insights.models import MemberDay

    score = sum(
        (
            Least(F(rule.column), Value(rule.daily_cap)) * Value(float(rule.points))
            for rule in SCORE_RULES
        ),
        start=Value(0.0),
    )
    rows = (
        _scoped(
            MemberDay.objects.filter(
                community=community, day__gte=period.start, day__lte=period.end
            ),
            community,
            include_everyone,
            "user",
        )
        .filter(user__analytics_consent=True, user__deleted_at__isnull=True)
        .filter(Exists(Membership.objects.filter(community=community, user_id=OuterRef("user_id"))))
        .values("user_id", "user__handle", "user__display_name")
        .annotate(
            score=Sum(score, output_field=FloatField()),
            topic_count=Sum("topics"),
            reply_count=Sum("replies"),
            accepted_count=Sum("accepted_answers"),
            received_count=Sum("reactions_received"),
        )
        .filter(score__gt=0)
        .order_by("-score", "user_id")[:TOP_CONTRIBUTORS]
    )
    return [
        MemberRow(
            user_id=row["user_id"],
            handle=row["user__handle"],
            name=row["user__display_name"] or row["user__handle"],
            score=float(row["score"]),
            reason=_contribution_reason(
                row["topic_count"], row["reply_count"], row["accepted_count"], row["received_count"]
            ),
        )
        for row in rows
    ]


def _contribution_reason(topics: int, replies: int, accepted: int, received: int) -> str:
    parts = []
    if topics:
        parts.append(ngettext("%(count)s topic", "%(count)s topics", topics) % {"count": topics})
    if replies:
        parts.append(ngettext("%(count)s reply", "%(count)s replies", replies) % {"count": replies})
    if accepted:
        parts.append(
            ngettext("%(count)s accepted answer", "%(count)s accepted answers", accepted)
            % {"count": accepted}
        )
    if received:
        parts.append(
            ngettext("%(count)s reaction received", "%(count)s reactions received", received)
            % {"count": received}
        )
    # Translators: separates the parts of a contributor's summary ("3 topics, 12 replies").
    return _(", ").join(parts)


def _quiet_regulars(
    community: Community, period: Period, include_everyone: bool
) -> list[MemberRow]:
    """Top-quarter regulars of the 90 days ending on period.end with no engaged event for 7 to
    28 days; ranked over every member in scope, listed only with consent (two queries).

    The ranking groups member-days by member alone (one row per member-day, so counting rows
    counts engaged days); names and consent are read only for the few who qualify."""
    from cerchia.accounts.models import User
    from cerchia.insights.models import MemberDay

    reference = period.end
    rows = list(
        _scoped(
            MemberDay.objects.filter(
                community=community,
                day__gte=reference - timedelta(days=REGULAR_WINDOW_DAYS - 1),
                day__lte=reference,
                engaged__gt=0,
            ),
            community,
            include_everyone,
            "user",
        )
        .values("user_id")
        .annotate(engaged_days=Count("pk"), last_day=Max("day"))
        .order_by("user_id")
        .values_list("user_id", "engaged_days", "last_day")
    )
    regulars = regular_ids({user_id: days for user_id, days, _last in rows})
    candidates = {
        user_id: (days, (reference - last_day).days)
        for user_id, days, last_day in rows
        if user_id in regulars and QUIET_MIN_DAYS <= (reference - last_day).days <= QUIET_MAX_DAYS
    }
    # [0] matches nobody but still asks, so the dashboard's query count never varies.
    people = User.objects.filter(
        pk__in=list(candidates) or [0],
        analytics_consent=True,
        deleted_at__isnull=True,
        memberships__community=community,
    ).values_list("pk", "handle", "display_name")
    quiet = [
        MemberRow(
            user_id=user_id,
            handle=handle,
            name=display_name or handle,
            score=float(candidates[user_id][0]),
            reason=_quiet_reason(*candidates[user_id]),
        )
        for user_id, handle, display_name in people
    ]
    quiet.sort(key=lambda member: (-member.score, member.user_id))
    return quiet


def _quiet_reason(engaged_days: int, silent_days: int) -> str:
    """Why a regular is listed: "Active on 31 of the last 90 days; nothing for 12 days"."""
    return ngettext(
        "Active on %(active)s of the last %(window)s days; nothing for %(quiet)s day",
        "Active on %(active)s of the last %(window)s days; nothing for %(quiet)s days",
        silent_days,
    ) % {"active": engaged_days, "window": REGULAR_WINDOW_DAYS, "quiet": silent_days}
