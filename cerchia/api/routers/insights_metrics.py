"""Insights API: a community's engagement metrics for a period (hosts only).

A thin handler over ``cerchia.insights.metrics.build_dashboard``. The small-group rule holds
here as on the page: a figure over fewer than 5 members has ``value`` and ``n`` null and
``withheld`` true; a withheld day of a series is null.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router
from pydantic import BaseModel

from cerchia.api.auth import SIGNED_IN, signed_in
from cerchia.api.errors import problems
from cerchia.api.routers.communities import SLUG, resolve_community
from cerchia.communities.models import Community
from cerchia.insights import exports, metrics
from cerchia.insights.metrics import Dashboard, Figure, Period
from cerchia.insights.permissions import check_view_insights

router = Router(tags=["insights"])

#: The longest period one may ask for, in days.
MAX_DAYS = 366


# --- Shapes -----------------------------------------------------------------------------------


class FigureOut(BaseModel):
    key: str
    label: str
    unit: str = Field(description="`count`, `percent` or `seconds`.")
    value: float | None = Field(
        description="Null when withheld (fewer than 5 members) or when nothing was measured."
    )
    n: int | None = Field(description="How many members the figure aggregates; null if withheld.")
    withheld: bool = Field(description="Fewer than 5 members: the value is not given.")
    previous: float | None = Field(description="The same figure for the period just before.")
    previous_n: int | None
    previous_withheld: bool
    change: float | None = Field(
        description="value − previous (percentage points for percentages); null if either is "
        "missing."
    )


class PointOut(BaseModel):
    day: date
    value: float | None = Field(description="Null when that day has fewer than 5 members.")


class SeriesOut(BaseModel):
    key: str
    label: str
    unit: str
    points: list[PointOut]


class CohortOut(BaseModel):
    start: date = Field(description="The cohort's first day (a Monday, or the 1st of a month).")
    size: int | None = Field(description="Members who joined then; null if fewer than 5.")
    withheld: bool
    shares: list[float | None] = Field(
        description="Per step k = 0, 1, …: the percentage of the cohort active in week (month) "
        "c + k; null when withheld or not reached yet."
    )


class UnansweredOut(BaseModel):
    topic_id: int
    title: str
    url: str
    created_at: datetime | None
    hours_waiting: int


class MemberRowOut(BaseModel):
    handle: str
    name: str
    score: float
    reason: str


class InsightsOut(BaseModel):
    start: date
    end: date
    previous_start: date
    previous_end: date
    include_everyone: bool = Field(description="Whether staff, brand and bot accounts count.")
    cohort_unit: str = Field(description="`week` or `month`.")
    rolled_up_to: datetime | None = Field(
        description="The figures are complete up to this moment; null before the first count."
    )
    figures: dict[str, FigureOut]
    series: dict[str, SeriesOut]
    cohorts: list[CohortOut]
    unanswered: list[UnansweredOut]
    top_contributors: list[MemberRowOut] = Field(
        description="Only members who allow analytics are listed."
    )
    quiet_regulars: list[MemberRowOut] = Field(
        description="Only members who allow analytics are listed."
    )


def _figure_out(fig: Figure) -> FigureOut:
    info = exports.FIGURE_INFO.get(fig.key)
    return FigureOut(
        key=fig.key,
        label=str(info.label) if info else fig.key,
        unit=str(fig.unit),
        value=fig.value,
        n=fig.n,
        withheld=fig.suppressed,
        previous=fig.previous,
        previous_n=fig.previous_n,
        previous_withheld=fig.previous_suppressed,
        change=None if fig.suppressed or fig.previous_suppressed else fig.change,
    )


def _insights_out(dashboard: Dashboard) -> InsightsOut:
    rolled = dashboard.rolled_up_to
    return InsightsOut(
        start=dashboard.period.start,
        end=dashboard.period.end,
        previous_start=dashboard.previous_period.start,
        previous_end=dashboard.previous_period.end,
        include_everyone=dashboard.include_everyone,
        cohort_unit=dashboard.cohort_unit,
        rolled_up_to=rolled if isinstance(rolled, datetime) else None,
        figures={key: _figure_out(fig) for key, fig in dashboard.figures.items()},
        series={
            key: SeriesOut(
                key=key,
                label=str(exports.SERIES_LABELS.get(key, key)),
                unit=str(series.unit),
                points=[PointOut(day=p.day, value=p.value) for p in series.points],
            )
            for key, series in dashboard.series.items()
        },
        cohorts=[
            CohortOut(
                start=row.start,
                size=row.size,
                withheld=row.size is None,
                shares=[None] * len(row.shares) if row.size is None else list(row.shares),
            )
            for row in dashboard.cohorts
        ],
        unanswered=[
            UnansweredOut(
                topic_id=topic.topic_id,
                title=topic.title,
                url=topic.url,
                created_at=topic.created_at if isinstance(topic.created_at, datetime) else None,
                hours_waiting=topic.hours_waiting,
            )
            for topic in dashboard.unanswered
        ],
        top_contributors=[
            MemberRowOut(handle=row.handle, name=row.name, score=row.score, reason=row.reason)
            for row in dashboard.top_contributors
        ],
        quiet_regulars=[
            MemberRowOut(handle=row.handle, name=row.name, score=row.score, reason=row.reason)
            for row in dashboard.quiet_regulars
        ],
    )


def period_from_params(
    community: Community, days: int | None, start: date | None, end: date | None
) -> Period:
    """The period the parameters name. Raises ValidationError (422) for a bad one."""
    if start is not None or end is not None:
        if days is not None:
            raise ValidationError(
                {"days": [_("Give either a number of days or a start and an end, not both.")]}
            )
        if start is None or end is None:
            missing = "start" if start is None else "end"
            raise ValidationError({missing: [_("Give both the start and the end.")]})
        try:
            return metrics.custom_period(start, end, community=community)
        except ValueError as error:
            raise ValidationError({"end": [str(error)]}) from error
    return metrics.period_for(community, days or 30)


START = Query(None, description="A custom period's first day (with `end`).")
END = Query(None, description="A custom period's last day, not in the future.")


# --- Operations -------------------------------------------------------------------------------


@router.get(
    "/communities/{slug}/insights",
    response={200: InsightsOut, **problems(401, 403, 404, 422, 429)},
    auth=SIGNED_IN,
)
def get_insights(
    request: HttpRequest,
    slug: str = SLUG,
    days: int | None = Query(
        None,
        ge=1,
        le=MAX_DAYS,
        description="The last N days up to today in the community's timezone (default 30).",
    ),
    start: date | None = START,
    end: date | None = END,
    include_everyone: bool = Query(
        False, description="Count staff, brand and bot accounts too (left out by default)."
    ),
    cohort: Literal["week", "month"] = Query("week", description="Group join cohorts by."),
) -> InsightsOut:
    """The engagement dashboard for a period (hosts): every figure with its n, the previous
    period's value and the change; daily series; retention cohorts; unanswered topics; top
    contributors and regulars going quiet. Aggregates over fewer than 5 members are withheld."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    check_view_insights(user, community)
    period = period_from_params(community, days, start, end)
    dashboard = metrics.build_dashboard(
        community, period, include_everyone=include_everyone, cohort_unit=cohort
    )
    return _insights_out(dashboard)
