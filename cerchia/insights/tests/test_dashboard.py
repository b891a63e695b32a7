"""The hosts' insights dashboard page: who may see it, the period picker, the small-group rule
on every card, chart and table, and its query budget."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cerchia.accounts.models import User
from cerchia.communities.models import Community
from cerchia.core import testing
from cerchia.insights import metrics
from cerchia.insights.tests.dashboard_fixtures import (
    RARE_REACTIONS,
    RARE_TOPICS,
    hand_made_dashboard,
    more_members,
    plant_activity,
)

URL = "/c/espresso/insights/"


def _card(html: str, key: str) -> str:
    """The HTML of one figure's card."""
    match = re.search(
        rf'<li class="stat insights-card[^"]*" data-figure="{key}">(.*?)</li>', html, re.S
    )
    assert match, f"no card for {key}"
    return match.group(1)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _chart_data(html: str) -> dict[str, Any]:
    match = re.search(
        r'<script id="insights-chart-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert match
    return json.loads(match.group(1))


# --- Who may see it -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["owner", "moderator", "site_admin"])
def test_hosts_and_site_admins_see_the_dashboard(
    client: Client, public_community: Community, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Insights" in html
    assert 'data-figure="active_members"' in html
    assert "Only members who allow analytics" in html
    assert "Visits are reported apart" in html


@pytest.mark.django_db
def test_a_member_is_refused(client: Client, member: User, public_community: Community) -> None:
    client.force_login(member)
    assert client.get(URL).status_code == 403


@pytest.mark.django_db
def test_an_outsider_of_a_private_community_gets_404(
    client: Client, stranger: User, private_community: Community
) -> None:
    client.force_login(stranger)
    assert client.get("/c/film-lab/insights/").status_code == 404


@pytest.mark.django_db
def test_a_stranger_of_a_public_community_is_refused(
    client: Client, stranger: User, public_community: Community
) -> None:
    client.force_login(stranger)
    assert client.get(URL).status_code == 403


@pytest.mark.django_db
def test_anonymous_visitors_sign_in_first(client: Client, public_community: Community) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.django_db
def test_a_suspended_host_is_refused(
    client: Client, owner: User, public_community: Community
) -> None:
    User.objects.filter(pk=owner.pk).update(suspended_at=timezone.now())
    client.force_login(owner)
    assert client.get(URL).status_code in {403, 404}


@pytest.mark.django_db
def test_hosts_see_a_link_to_insights_and_members_do_not(
    client: Client, owner: User, member: User, public_community: Community
) -> None:
    client.force_login(owner)
    assert URL in client.get("/c/espresso/").content.decode()
    client.force_login(member)
    assert URL not in client.get("/c/espresso/").content.decode()


# --- The small-group rule -----------------------------------------------------------------


@pytest.mark.django_db
def test_three_active_members_are_never_shown_as_a_number(
    client: Client, owner: User, public_community: Community
) -> None:
    people = more_members(public_community, 3, "few")
    plant_activity(public_community, people, reactions=RARE_REACTIONS, topics=RARE_TOPICS)
    client.force_login(owner)
    html = client.get(URL).content.decode()

    for key in ("active_members", "dau", "wau", "mau", "reactions", "topics"):
        card = _text(_card(html, key))
        assert "fewer than 5" in card
        assert not re.search(r"\b3\b", card), card
    # The day-by-day counts with 3 people behind them appear nowhere: not in a card, a table
    # or the charts' data.
    assert str(RARE_REACTIONS) not in html
    assert str(RARE_TOPICS) not in html
    data = _chart_data(html)
    for chart in data["charts"]:
        for dataset in chart["datasets"]:
            assert set(dataset["data"]) == {None}
    assert data["withheld"] == "fewer than 5"


@pytest.mark.django_db
def test_six_active_members_are_shown_with_n_and_the_change(
    client: Client, owner: User, public_community: Community
) -> None:
    people = more_members(public_community, 6, "many")
    plant_activity(public_community, people)
    client.force_login(owner)
    html = client.get(URL).content.decode()
    card = _text(_card(html, "active_members"))
    assert card.startswith("Active members 6 n = 6 members Previous period: 6")
    assert "no change" in card
    data = _chart_data(html)
    activity = next(chart for chart in data["charts"] if chart["key"] == "activity")
    assert set(activity["datasets"][0]["data"]) == {6}


@pytest.mark.django_db
def test_cards_show_the_change_in_words_and_withheld_rows_in_tables(
    client: Client, owner: User, public_community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    period = metrics.period_for(public_community, 7)
    monkeypatch.setattr(metrics, "build_dashboard", lambda *a, **k: hand_made_dashboard(period))
    client.force_login(owner)
    html = client.get(URL + "?days=7").content.decode()

    active = _text(_card(html, "active_members"))
    assert "12" in active
    assert "n = 12 members" in active
    assert "up 2" in active
    rate = _text(_card(html, "response_rate"))
    assert "75 %" in rate
    assert "up 25 points" in rate
    reply = _text(_card(html, "first_reply_median"))
    assert "1 h 30 min" in reply
    assert "down 30 min" in reply
    reactions = _text(_card(html, "reactions"))
    assert "fewer than 5" in reactions
    assert str(RARE_REACTIONS) not in html

    # The cohort heat map: a shaded share, and a withheld row.
    assert "insights-heat--10" in html
    assert "insights-heat--5" in html
    cohorts = html[html.index('id="insights-cohorts-heading"') :]
    cohorts = cohorts[cohorts.index("<table") : cohorts.index("</table>")]
    assert _text(cohorts).count("fewer than 5") == 1  # said once, for the size
    # The unanswered topic links to its page; member rows are listed with their reason.
    assert 'href="/c/espresso/t/1/"' in html
    assert "@reason" in html
    assert "Active on 31 days" in html
    # A chart's table fallback has the same values, withheld days in words.
    assert "Show the figures as a table" in html
    data = _chart_data(html)
    activity = next(chart for chart in data["charts"] if chart["key"] == "activity")
    assert activity["datasets"][0]["data"][:2] == [None, 6]


# --- The period picker --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("days", [7, 30, 90])
def test_the_ready_made_periods(
    client: Client, owner: User, public_community: Community, days: int
) -> None:
    client.force_login(owner)
    html = client.get(f"{URL}?days={days}").content.decode()
    assert len(_chart_data(html)["labels"]) == days
    assert f'value="{days}"' in html
    assert "checked" in html


@pytest.mark.django_db
def test_a_custom_period_with_options(
    client: Client, owner: User, public_community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Any, ...]] = []
    real = metrics.build_dashboard

    def spy(community: Community, period: metrics.Period, **kwargs: Any) -> metrics.Dashboard:
        calls.append((period, kwargs))
        return real(community, period, **kwargs)

    monkeypatch.setattr(metrics, "build_dashboard", spy)
    today = metrics.community_today(public_community)
    start = today - timedelta(days=13)
    client.force_login(owner)
    response = client.get(
        URL,
        {
            "days": "custom",
            "start": start.isoformat(),
            "end": today.isoformat(),
            "everyone": "on",
            "cohort": "month",
        },
    )
    assert response.status_code == 200
    assert calls == [
        (metrics.Period(start, today), {"include_everyone": True, "cohort_unit": "month"})
    ]
    html = response.content.decode()
    assert "Staff, brand and bot accounts are included." in html
    # The export links carry the same options.
    assert f"summary.csv?days=custom&amp;start={start.isoformat()}" in html
    assert "everyone=on" in html
    assert "cohort=month" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"days": "custom", "start": "2026-03-10", "end": "2026-03-01"}, "must end on or after"),
        ({"days": "custom", "start": "2020-01-01", "end": "2026-01-01"}, "at most 366 days"),
        ({"days": "custom", "start": "2026-03-01"}, "Choose the last day"),
        ({"days": "custom", "end": "2026-03-01"}, "Choose the first day"),
        ({"days": "custom", "start": "2026-13-01", "end": "2026-03-01"}, "Enter a valid date"),
        ({"days": "365"}, "Select a valid choice"),
        ({"cohort": "year"}, "Select a valid choice"),
    ],
)
def test_a_bad_period_shows_the_error(
    client: Client, owner: User, public_community: Community, params: dict[str, str], message: str
) -> None:
    client.force_login(owner)
    response = client.get(URL, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'data-figure="' not in html
    assert "insights-chart-data" not in html


@pytest.mark.django_db
def test_a_period_ending_in_the_future_is_refused(
    client: Client, owner: User, public_community: Community
) -> None:
    today = metrics.community_today(public_community)
    client.force_login(owner)
    response = client.get(
        URL,
        {
            "days": "custom",
            "start": today.isoformat(),
            "end": (today + timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "cannot end in the future" in response.content.decode()


@pytest.mark.django_db
def test_htmx_gets_the_dashboard_alone(
    client: Client, owner: User, public_community: Community
) -> None:
    client.force_login(owner)
    response = client.get(URL + "?days=7", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="insights-dashboard"')
    assert "<html" not in html
    bad = client.get(URL + "?days=custom", headers={"HX-Request": "true"})
    assert bad.status_code == 422


@pytest.mark.django_db
def test_the_page_follows_the_csp(client: Client, owner: User, public_community: Community) -> None:
    """No inline script or style: the chart data is JSON, the scripts are files."""
    client.force_login(owner)
    html = client.get(URL).content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "cerchia/insights.js" in html
    assert " style=" not in html
    for script in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        attributes, _body = script
        assert "src=" in attributes or 'type="application/json"' in attributes, script


# --- Query budget -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_reads_a_fixed_number_of_queries(
    client: Client,
    owner: User,
    public_community: Community,
    django_assert_num_queries: Any,
) -> None:
    client.force_login(owner)
    client.get(URL)  # warm the session and per-process caches
    with django_assert_num_queries(QUERIES):
        assert client.get(URL).status_code == 200

    people = more_members(public_community, 12, "busy")
    plant_activity(public_community, people, days=90)
    topic = testing.make_topic(public_community, people[0])
    testing.make_reply(topic, people[1])
    with django_assert_num_queries(QUERIES):
        assert client.get(URL + "?days=90").status_code == 200


#: Session and user, the community and the host's access, then build_dashboard's reads.
QUERIES = 16


@pytest.mark.django_db
def test_end_to_end_three_posters_stay_withheld_and_six_are_shown(
    client: Client, owner: User, public_community: Community
) -> None:
    """Real posts, the real rollups, the real page: 3 posters are "fewer than 5", 6 are counted."""
    from cerchia.insights.rollups import run_rollups

    few = more_members(public_community, 3, "e2e")
    for person in few:
        testing.make_topic(public_community, person)
    run_rollups()
    client.force_login(owner)
    html = client.get(URL + "?days=7").content.decode()
    assert "fewer than 5" in _text(_card(html, "topics"))
    assert "fewer than 5" in _text(_card(html, "active_members"))

    for person in more_members(public_community, 3, "e2f"):
        testing.make_topic(public_community, person)
    run_rollups()
    html = client.get(URL + "?days=7").content.decode()
    assert _text(_card(html, "topics")).startswith("Topics 6 n = 6 members")
    assert _text(_card(html, "active_members")).startswith("Active members 6 n = 6 members")
