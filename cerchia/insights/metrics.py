"""Engagement metrics for a community, read from the daily rollups (never from raw events).

Every figure passes through :func:`figure`, which applies the small-group rule: a value that
aggregates fewer than ``SMALL_GROUP`` members is withheld (``value`` and ``n`` are ``None``,
``suppressed`` is true), so pages, exports and the API cannot show it by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

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
