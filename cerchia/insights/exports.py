"""The dashboard's tables, shaped once for the page and the CSV exports, and the export action.

Every table is built here as rows of :class:`Cell`: the page shows ``cell.text`` (localised),
a CSV holds ``cell.raw``. A withheld aggregate (fewer than 5 members) is the same words in
both, never a number, so the page and the exports cannot disagree.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from cerchia.insights.log import record_event
from cerchia.insights.metrics import Dashboard, Figure, Period, Series, Unit
from cerchia.insights.permissions import check_view_insights

if TYPE_CHECKING:
    from cerchia.accounts.models import User
    from cerchia.communities.models import Community


def withheld_text() -> str:
    """What a withheld aggregate reads as, everywhere."""
    return _("fewer than 5")


# --- What each figure is -------------------------------------------------------------------


@dataclass(frozen=True)
class FigureInfo:
    key: str
    label: Promise
    help: Promise


@dataclass(frozen=True)
class FigureGroup:
    key: str
    title: Promise
    note: Promise
    figures: tuple[FigureInfo, ...]


def _f(key: str, label: Promise, help: Promise) -> FigureInfo:
    return FigureInfo(key, label, help)


FIGURE_GROUPS: tuple[FigureGroup, ...] = (
    FigureGroup(
        "engagement",
        gettext_lazy("Engagement"),
        gettext_lazy(
            "These count engaged events: posts, replies, reactions, poll and survey answers, "
            "votes and RSVPs. Visits are reported apart."
        ),
        (
            _f(
                "active_members",
                gettext_lazy("Active members"),
                gettext_lazy("Members with an engaged event in the period."),
            ),
            _f(
                "dau",
                gettext_lazy("Daily active (mean)"),
                gettext_lazy("Members with an engaged event on a day, averaged over the period."),
            ),
            _f(
                "wau",
                gettext_lazy("Weekly active"),
                gettext_lazy("Members with an engaged event in the 7 days up to the last day."),
            ),
            _f(
                "mau",
                gettext_lazy("Monthly active"),
                gettext_lazy("Members with an engaged event in the 30 days up to the last day."),
            ),
            _f(
                "stickiness",
                gettext_lazy("Stickiness"),
                gettext_lazy("Daily active ÷ monthly active, averaged over the period's days."),
            ),
            _f(
                "wau_mau",
                gettext_lazy("Weekly ÷ monthly active"),
                gettext_lazy("Weekly active ÷ monthly active, averaged over the period's days."),
            ),
            _f(
                "reciprocity",
                gettext_lazy("Reciprocity"),
                gettext_lazy("Active members who both gave and received a reply in the period."),
            ),
        ),
    ),
    FigureGroup(
        "responses",
        gettext_lazy("Replies to topics"),
        gettext_lazy("Only replies by someone other than the topic's author count."),
        (
            _f(
                "response_rate",
                gettext_lazy("Response rate"),
                gettext_lazy("The period's topics that got a reply within 24 hours."),
            ),
            _f(
                "unanswered",
                gettext_lazy("Unanswered topics"),
                gettext_lazy("The period's topics still without a reply after 24 hours."),
            ),
            _f(
                "first_reply_median",
                gettext_lazy("First reply, median"),
                gettext_lazy("Half of the topics got their first reply sooner than this."),
            ),
            _f(
                "first_reply_p90",
                gettext_lazy("First reply, 90th percentile"),
                gettext_lazy("Nine topics in ten got their first reply sooner than this."),
            ),
            _f(
                "first_reply_mean",
                gettext_lazy("First reply, mean"),
                gettext_lazy("The average wait for a first reply."),
            ),
        ),
    ),
    FigureGroup(
        "growth",
        gettext_lazy("New members"),
        gettext_lazy("Joins, and whether newcomers take part."),
        (
            _f("joins", gettext_lazy("Joins"), gettext_lazy("Members who joined in the period.")),
            _f(
                "activation",
                gettext_lazy("Activation"),
                gettext_lazy(
                    "Members who joined in the period and took part within 7 days of joining."
                ),
            ),
            _f(
                "new_contributors",
                gettext_lazy("New contributors"),
                gettext_lazy("Members whose first post here falls in the period."),
            ),
        ),
    ),
    FigureGroup(
        "content",
        gettext_lazy("Content"),
        gettext_lazy("What was written and given in the period."),
        (
            _f("topics", gettext_lazy("Topics"), gettext_lazy("Topics started.")),
            _f("replies", gettext_lazy("Replies"), gettext_lazy("Replies written.")),
            _f("reactions", gettext_lazy("Reactions"), gettext_lazy("Reactions given.")),
            _f(
                "member_post_share",
                gettext_lazy("Posts by members"),
                gettext_lazy("The share of posts written by members rather than staff."),
            ),
        ),
    ),
    FigureGroup(
        "visits",
        gettext_lazy("Visits"),
        gettext_lazy(
            "Visits are members viewing the community's pages; they are not engaged events "
            "and are reported apart."
        ),
        (
            _f("visits", gettext_lazy("Visits"), gettext_lazy("Pages of the community viewed.")),
            _f(
                "visitors",
                gettext_lazy("Visitors"),
                gettext_lazy("Members who viewed a page of the community."),
            ),
        ),
    ),
)

FIGURE_INFO: dict[str, FigureInfo] = {
    info.key: info for group in FIGURE_GROUPS for info in group.figures
}

#: The daily series, in the order of the daily table, with their column titles.
SERIES_LABELS: dict[str, Promise] = {
    "dau": gettext_lazy("Daily active"),
    "wau": gettext_lazy("Weekly active"),
    "mau": gettext_lazy("Monthly active"),
    "topics": gettext_lazy("Topics"),
    "replies": gettext_lazy("Replies"),
    "reactions": gettext_lazy("Reactions"),
    "visitors": gettext_lazy("Visitors"),
}

#: The charts: a key, a title, and the series each one draws.
CHARTS: tuple[tuple[str, Promise, tuple[str, ...]], ...] = (
    ("activity", gettext_lazy("Active members"), ("dau", "wau", "mau")),
    ("content", gettext_lazy("Topics, replies and reactions"), ("topics", "replies", "reactions")),
    ("visitors", gettext_lazy("Visitors"), ("visitors",)),
)


# --- Cells ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One table cell: ``text`` for the page, ``raw`` for a CSV; ``withheld`` under 5 members."""

    text: str
    raw: str | int | float = ""
    withheld: bool = False
    numeric: bool = False
    #: For cohort cells: the share rounded to tens (0–10), to shade the cell.
    heat: int | None = None
    #: For links (unanswered topics).
    url: str = ""


def _withheld() -> Cell:
    text = withheld_text()
    return Cell(text=text, raw=text, withheld=True)


def _empty() -> Cell:
    return Cell(text="—", raw="")


def _plain(value: Any) -> float | int:
    """A number as written in a CSV: whole numbers without decimals, others to 1 decimal."""
    number = float(value)
    if number.is_integer():
        return int(number)
    return round(number, 1)


def _local(value: float | int) -> str:
    plain = _plain(value)
    decimals = 0 if isinstance(plain, int) else 1
    return formats.number_format(plain, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def duration_text(seconds: float) -> str:
    """A wait in words: "45 min", "3 h 20 min", "2 d 4 h"."""
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        if minutes:
            return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
        return _("%(hours)d h") % {"hours": hours}
    days, hours = divmod(hours, 24)
    return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}


def value_cell(value: float | None, unit: Unit, *, withheld: bool) -> Cell:
    """A figure's value (or a series point) as a cell."""
    if withheld:
        return _withheld()
    if value is None:
        return _empty()
    if unit == Unit.PERCENT:
        return Cell(text=f"{_local(value)}\u00a0%", raw=_plain(value), numeric=True)
    if unit == Unit.SECONDS:
        return Cell(text=duration_text(value), raw=round(value), numeric=True)
    return Cell(text=_local(value), raw=_plain(value), numeric=True)


def count_cell(value: int | None, *, withheld: bool) -> Cell:
    if withheld:
        return _withheld()
    if value is None:
        return _empty()
    return Cell(text=_local(value), raw=value, numeric=True)


def text_cell(text: object, url: str = "") -> Cell:
    return Cell(text=str(text), raw=str(text), url=url)


def date_cell(day: date) -> Cell:
    return Cell(text=formats.date_format(day, "SHORT_DATE_FORMAT"), raw=day.isoformat())


def datetime_cell(moment: object) -> Cell:
    if not isinstance(moment, datetime):
        return _empty()
    return Cell(text=formats.date_format(moment, "SHORT_DATETIME_FORMAT"), raw=moment.isoformat())


# --- Figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """How a figure moved since the previous period, in words and an arrow."""

    direction: str  # "up", "down" or "same"
    arrow: str
    text: str
    #: "better", "worse" or "same": the colour, since for some figures down is good.
    tone: str = "same"


#: Figures where a fall is an improvement (fewer topics waiting, quicker first replies).
LOWER_IS_BETTER = frozenset(
    {"unanswered", "first_reply_median", "first_reply_p90", "first_reply_mean"}
)


def change_of(fig: Figure) -> Change | None:
    """The change since the previous period, or None when either period's value is missing."""
    delta = fig.change
    if delta is None or fig.suppressed or fig.previous_suppressed:
        return None
    amount = value_cell(abs(delta), fig.unit, withheld=False).text
    if fig.unit == Unit.PERCENT:
        amount = _("%(amount)s points") % {"amount": _local(abs(delta))}
    if abs(delta) < 0.05:
        return Change("same", "→", _("no change"))
    improved = (delta < 0) if fig.key in LOWER_IS_BETTER else (delta > 0)
    tone = "better" if improved else "worse"
    if delta > 0:
        return Change("up", "↑", _("up %(amount)s") % {"amount": amount}, tone)
    return Change("down", "↓", _("down %(amount)s") % {"amount": amount}, tone)


@dataclass(frozen=True)
class FigureCard:
    info: FigureInfo
    figure: Figure
    value: Cell
    n: Cell
    previous: Cell
    change: Change | None


def figure_card(info: FigureInfo, fig: Figure) -> FigureCard:
    return FigureCard(
        info=info,
        figure=fig,
        value=value_cell(fig.value, fig.unit, withheld=fig.suppressed),
        n=count_cell(fig.n, withheld=fig.suppressed),
        previous=value_cell(fig.previous, fig.unit, withheld=fig.previous_suppressed),
        change=change_of(fig),
    )


def figure_cards(dashboard: Dashboard) -> list[tuple[FigureGroup, list[FigureCard]]]:
    """The cards of each group, for the figures the dashboard has."""
    return [
        (
            group,
            [
                figure_card(info, dashboard.figures[info.key])
                for info in group.figures
                if info.key in dashboard.figures
            ],
        )
        for group in FIGURE_GROUPS
    ]


# --- Tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A header and rows of cells; the same for the page and the CSV."""

    header: list[str]
    rows: list[list[Cell]]


def summary_table(dashboard: Dashboard) -> Table:
    header = [
        _("Figure"),
        _("Key"),
        _("Value"),
        _("Unit"),
        _("Members counted (n)"),
        _("Previous period"),
        _("Previous n"),
        pgettext("difference from the previous period", "Change"),
    ]
    units = {Unit.COUNT: _("count"), Unit.PERCENT: _("percent"), Unit.SECONDS: _("seconds")}
    rows: list[list[Cell]] = []
    for group in FIGURE_GROUPS:
        for info in group.figures:
            fig = dashboard.figures.get(info.key)
            if fig is None:
                continue
            delta = change_of(fig)
            change = (
                Cell(text=delta.text, raw=_plain(fig.change or 0), numeric=True)
                if delta is not None
                else _empty()
            )
            rows.append(
                [
                    text_cell(info.label),
                    text_cell(info.key),
                    value_cell(fig.value, fig.unit, withheld=fig.suppressed),
                    text_cell(units[fig.unit]),
                    count_cell(fig.n, withheld=fig.suppressed),
                    value_cell(fig.previous, fig.unit, withheld=fig.previous_suppressed),
                    count_cell(fig.previous_n, withheld=fig.previous_suppressed),
                    change,
                ]
            )
    return Table(header, rows)


def series_table(dashboard: Dashboard, keys: tuple[str, ...] | None = None) -> Table:
    """One row per day; a withheld point (fewer than 5 members that day) reads "fewer than 5"."""
    keys = tuple(k for k in (keys or tuple(SERIES_LABELS)) if k in dashboard.series)
    header = [_("Day"), *[str(SERIES_LABELS[key]) for key in keys]]
    by_key: dict[str, Series] = {key: dashboard.series[key] for key in keys}
    rows: list[list[Cell]] = []
    for index, day in enumerate(dashboard.period.each_day()):
        row = [date_cell(day)]
        for key in keys:
            points = by_key[key].points
            point = points[index] if index < len(points) else None
            if point is None:
                row.append(_empty())
            else:
                row.append(value_cell(point.value, by_key[key].unit, withheld=point.value is None))
        rows.append(row)
    return Table(header, rows)


def cohort_steps(dashboard: Dashboard) -> int:
    return max((len(row.shares) for row in dashboard.cohorts), default=0)


def cohorts_table(dashboard: Dashboard) -> Table:
    """Join cohorts: size, then the share active in each following week (month)."""
    steps = cohort_steps(dashboard)
    if dashboard.cohort_unit == "month":
        step_titles = [_("Month %(number)d") % {"number": k} for k in range(steps)]
    else:
        step_titles = [_("Week %(number)d") % {"number": k} for k in range(steps)]
    header = [_("Cohort"), _("Members"), *step_titles]
    rows: list[list[Cell]] = []
    for cohort in dashboard.cohorts:
        withheld = cohort.size is None
        row = [date_cell(cohort.start), count_cell(cohort.size, withheld=withheld)]
        for k in range(steps):
            share = cohort.shares[k] if k < len(cohort.shares) else None
            if withheld:
                # Said once, in the size column; a CSV still spells it out in every cell.
                row.append(Cell(text="—", raw=withheld_text(), withheld=True))
            elif share is None:
                row.append(_empty())
            else:
                cell = value_cell(share, Unit.PERCENT, withheld=False)
                row.append(
                    Cell(
                        text=cell.text,
                        raw=cell.raw,
                        numeric=True,
                        heat=max(0, min(10, round(share / 10))),
                    )
                )
        rows.append(row)
    return Table(header, rows)


def unanswered_table(dashboard: Dashboard, absolute: Callable[[str], str] = str) -> Table:
    header = [_("Topic"), _("Started"), _("Hours waiting"), _("Link")]
    rows = [
        [
            text_cell(topic.title, url=topic.url),
            datetime_cell(topic.created_at),
            count_cell(topic.hours_waiting, withheld=False),
            text_cell(absolute(topic.url)),
        ]
        for topic in dashboard.unanswered
    ]
    return Table(header, rows)


def contributors_table(dashboard: Dashboard) -> Table:
    header = [_("Rank"), _("Name"), _("Handle"), _("Score"), _("Why")]
    rows = [
        [
            count_cell(rank, withheld=False),
            text_cell(row.name),
            text_cell(row.handle),
            value_cell(row.score, Unit.COUNT, withheld=False),
            text_cell(row.reason),
        ]
        for rank, row in enumerate(dashboard.top_contributors, start=1)
    ]
    return Table(header, rows)


def quiet_table(dashboard: Dashboard) -> Table:
    header = [_("Name"), _("Handle"), _("Why")]
    rows = [
        [text_cell(row.name), text_cell(row.handle), text_cell(row.reason)]
        for row in dashboard.quiet_regulars
    ]
    return Table(header, rows)


#: The exportable tables: URL name → (file name stem, builder).
TABLES: dict[str, Callable[..., Table]] = {
    "summary": summary_table,
    "daily": series_table,
    "cohorts": cohorts_table,
    "unanswered": unanswered_table,
    "contributors": contributors_table,
    "quiet": quiet_table,
}

TABLE_TITLES: dict[str, Promise] = {
    "summary": pgettext_lazy("a table of dashboard figures", "Figures"),
    "daily": gettext_lazy("Day by day"),
    "cohorts": gettext_lazy("Retention cohorts"),
    "unanswered": gettext_lazy("Unanswered topics"),
    "contributors": gettext_lazy("Top contributors"),
    "quiet": gettext_lazy("Regulars going quiet"),
}


def build_table(name: str, dashboard: Dashboard, absolute: Callable[[str], str] = str) -> Table:
    """The named table (KeyError for an unknown name)."""
    if name == "unanswered":
        return unanswered_table(dashboard, absolute)
    return TABLES[name](dashboard)


# --- CSV -----------------------------------------------------------------------------------

#: A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str | int | float) -> str | int | float:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def render_csv(table: Table) -> str:
    """The table as CSV text: withheld cells in words, formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(title) for title in table.header])
    for row in table.rows:
        writer.writerow([safe_cell(cell.raw) for cell in row])
    return out.getvalue()


def export_filename(community: Community, name: str, period: Period) -> str:
    return (
        f"{community.slug}-insights-{name}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    )


def export_table(
    actor: User,
    community: Community,
    name: str,
    dashboard: Dashboard,
    *,
    absolute: Callable[[str], str] = str,
) -> str:
    """Export one dashboard table as CSV and record who did (``insights.exported``).

    Raises PermissionDenied (Http404 for whoever may not read the community), KeyError for an
    unknown table.
    """
    check_view_insights(actor, community)
    table = build_table(name, dashboard, absolute)
    content = render_csv(table)
    with transaction.atomic():
        record_event(
            "insights.exported",
            actor=actor,
            community=community,
            subject=community,
            table=name,
            start=dashboard.period.start.isoformat(),
            end=dashboard.period.end.isoformat(),
            include_everyone=dashboard.include_everyone,
        )
    return content
