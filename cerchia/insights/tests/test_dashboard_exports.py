"""CSV exports of the dashboard's tables: the same figures as the page, withheld values in
words, formulas neutralised, each export recorded."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.test import Client

from cerchia.accounts.models import User
from cerchia.communities.models import Community
from cerchia.insights import exports, metrics
from cerchia.insights.models import Event
from cerchia.insights.tests.dashboard_fixtures import (
    RARE_REACTIONS,
    RARE_TOPICS,
    hand_made_dashboard,
    more_members,
    plant_activity,
)

BASE = "/c/espresso/insights/export/"


def _rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.django_db
@pytest.mark.parametrize("table", list(exports.TABLES))
def test_each_table_downloads_and_is_recorded(
    client: Client, owner: User, public_community: Community, table: str
) -> None:
    client.force_login(owner)
    response = client.get(f"{BASE}{table}.csv?days=7")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    period = metrics.period_for(public_community, 7)
    assert response["Content-Disposition"] == (
        f'attachment; filename="espresso-insights-{table}-{period.start}-{period.end}.csv"'
    )
    assert _rows(response)[0]  # a header
    event = Event.objects.get(kind="insights.exported")
    assert event.actor_id == owner.pk
    assert event.community_id == public_community.pk
    assert event.payload == {
        "table": table,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "include_everyone": False,
    }


@pytest.mark.django_db
def test_an_unknown_table_is_404(client: Client, owner: User, public_community: Community) -> None:
    client.force_login(owner)
    assert client.get(f"{BASE}passwords.csv").status_code == 404
    assert not Event.objects.filter(kind="insights.exported").exists()


@pytest.mark.django_db
def test_a_bad_period_is_400_and_not_recorded(
    client: Client, owner: User, public_community: Community
) -> None:
    client.force_login(owner)
    response = client.get(f"{BASE}summary.csv?days=custom&start=2026-03-10&end=2026-03-01")
    assert response.status_code == 400
    assert "must end on or after" in response.content.decode()
    assert not Event.objects.filter(kind="insights.exported").exists()


@pytest.mark.django_db
def test_refusals(
    client: Client,
    member: User,
    stranger: User,
    public_community: Community,
    private_community: Community,
) -> None:
    client.force_login(member)
    assert client.get(f"{BASE}summary.csv").status_code == 403
    client.force_login(stranger)
    assert client.get("/c/film-lab/insights/export/summary.csv").status_code == 404
    client.logout()
    assert client.get(f"{BASE}summary.csv").status_code == 302
    assert not Event.objects.filter(kind="insights.exported").exists()


@pytest.mark.django_db
def test_three_active_members_are_never_a_number_in_a_csv(
    client: Client, owner: User, public_community: Community
) -> None:
    people = more_members(public_community, 3, "few")
    plant_activity(public_community, people, reactions=RARE_REACTIONS, topics=RARE_TOPICS)
    client.force_login(owner)

    summary = _rows(client.get(f"{BASE}summary.csv"))
    header, rows = summary[0], {row[1]: row for row in summary[1:]}
    assert header[:5] == ["Figure", "Key", "Value", "Unit", "Members counted (n)"]
    for key in ("active_members", "dau", "wau", "mau", "reactions", "topics"):
        row = rows[key]
        # The value and n, then the previous period's.
        assert [row[2], row[4], row[5], row[6]] == ["fewer than 5"] * 4, row
        assert row[7] == "", row  # no change to show
        assert "3" not in row[2:], row

    daily = client.get(f"{BASE}daily.csv").content.decode()
    assert str(RARE_REACTIONS) not in daily
    assert str(RARE_TOPICS) not in daily
    for row in _rows(client.get(f"{BASE}daily.csv"))[1:]:
        assert set(row[1:]) == {"fewer than 5"}, row


@pytest.mark.django_db
def test_figures_over_five_members_are_numbers(
    client: Client, owner: User, public_community: Community
) -> None:
    people = more_members(public_community, 6, "many")
    plant_activity(public_community, people)
    client.force_login(owner)
    summary = _rows(client.get(f"{BASE}summary.csv"))
    rows = {row[1]: row for row in summary[1:]}
    assert rows["active_members"][2:8] == ["6", "count", "6", "6", "6", "0"]


@pytest.mark.django_db
def test_formulas_are_neutralised_and_withheld_cells_are_words(
    client: Client, owner: User, public_community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    period = metrics.period_for(public_community, 7)
    monkeypatch.setattr(metrics, "build_dashboard", lambda *a, **k: hand_made_dashboard(period))
    client.force_login(owner)

    unanswered = _rows(client.get(f"{BASE}unanswered.csv"))
    assert unanswered[1][0] == '\'=HYPERLINK("http://evil.example","click")'
    assert unanswered[1][2] == "30"
    assert unanswered[1][3] == "http://testserver/c/espresso/t/1/"
    contributors = _rows(client.get(f"{BASE}contributors.csv"))
    assert contributors[1] == ["1", "'+Mia", "mia", "12.5", "'@reason"]
    quiet = _rows(client.get(f"{BASE}quiet.csv"))
    assert quiet[1] == ["'-Leo", "leo", "Active on 31 days"]

    cohorts = _rows(client.get(f"{BASE}cohorts.csv"))
    assert cohorts[0] == ["Cohort", "Members", "Week 0", "Week 1", "Week 2"]
    assert cohorts[1][1:] == ["8", "100", "50", ""]
    assert cohorts[2][1:] == ["fewer than 5"] * 4

    summary = _rows(client.get(f"{BASE}summary.csv?days=7"))
    rows = {row[1]: row for row in summary[1:]}
    assert rows["reactions"][2] == "fewer than 5"
    assert str(RARE_REACTIONS) not in str(summary)
    assert rows["response_rate"][2:8] == ["75", "percent", "8", "50", "6", "25"]
    assert rows["first_reply_median"][2:8] == ["5400", "seconds", "8", "7200", "6", "-1800"]
    # A negative change is a number, and stays one: only text cells are guarded.
    daily = _rows(client.get(f"{BASE}daily.csv?days=7"))
    assert daily[0] == ["Day", "Daily active"]
    assert [row[1] for row in daily[1:3]] == ["fewer than 5", "6"]


def test_safe_cell() -> None:
    for risky in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert exports.safe_cell(risky) == "'" + risky
    assert exports.safe_cell("plain") == "plain"
    assert exports.safe_cell(-3) == -3
    assert exports.safe_cell("fewer than 5") == "fewer than 5"


def test_render_csv_guards_the_header_too() -> None:
    table = exports.Table(["=x", "ok"], [[exports.text_cell("-y"), exports.text_cell("z")]])
    assert exports.render_csv(table).splitlines() == ["'=x,ok", "'-y,z"]


def test_duration_text() -> None:
    assert exports.duration_text(45 * 60) == "45 min"
    assert exports.duration_text(3 * 3600 + 20 * 60) == "3 h 20 min"
    assert exports.duration_text(5 * 3600) == "5 h"
    assert exports.duration_text(52 * 3600) == "2 d 4 h"


def test_withheld_reads_the_same_in_italian() -> None:
    from django.utils import translation

    with translation.override("it"):
        text = exports.withheld_text()
    assert re.fullmatch(r"[^0-9]*5[^0-9]*", text)


@pytest.mark.parametrize(
    ("key", "value", "previous", "direction", "tone"),
    [
        ("active_members", 12, 10, "up", "better"),
        ("active_members", 8, 10, "down", "worse"),
        ("first_reply_median", 3600, 7200, "down", "better"),
        ("unanswered", 7, 5, "up", "worse"),
        ("replies", 10, 10, "same", "same"),
    ],
)
def test_a_change_is_coloured_by_whether_it_is_an_improvement(
    key: str, value: int, previous: int, direction: str, tone: str
) -> None:
    from cerchia.insights.exports import change_of
    from cerchia.insights.metrics import figure

    change = change_of(figure(key, value, 9, previous, 9))
    assert change is not None
    assert (change.direction, change.tone) == (direction, tone)
