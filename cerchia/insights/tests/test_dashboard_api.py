"""The metrics API: the whole dashboard as JSON, for hosts, with the small-group rule."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from cerchia.accounts.models import User
from cerchia.communities.models import Community
from cerchia.insights import metrics
from cerchia.insights.tests.dashboard_fixtures import (
    RARE_REACTIONS,
    RARE_TOPICS,
    hand_made_dashboard,
    more_members,
    plant_activity,
)

URL = "/api/v1/communities/espresso/insights"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["owner", "moderator", "site_admin"])
def test_hosts_get_the_dashboard(
    client: Client, public_community: Community, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    response = client.get(URL, {"days": 7})
    assert response.status_code == 200
    body = response.json()
    period = metrics.period_for(public_community, 7)
    assert body["start"] == period.start.isoformat()
    assert body["end"] == period.end.isoformat()
    assert body["previous_end"] == (period.start - timedelta(days=1)).isoformat()
    assert body["include_everyone"] is False
    assert body["cohort_unit"] == "week"
    assert set(body["figures"]) >= {"active_members", "dau", "response_rate", "visits"}
    assert set(body["series"]) == {
        "dau",
        "wau",
        "mau",
        "topics",
        "replies",
        "reactions",
        "visitors",
    }
    assert len(body["series"]["dau"]["points"]) == 7
    for key in ("cohorts", "unanswered", "top_contributors", "quiet_regulars"):
        assert isinstance(body[key], list)


@pytest.mark.django_db
def test_refusals(
    client: Client,
    member: User,
    stranger: User,
    public_community: Community,
    private_community: Community,
) -> None:
    assert client.get(URL).status_code == 401
    client.force_login(member)
    assert client.get(URL).status_code == 403
    client.force_login(stranger)
    assert client.get(URL).status_code == 403
    assert client.get("/api/v1/communities/film-lab/insights").status_code == 404


@pytest.mark.django_db
def test_three_active_members_are_never_a_number_in_json(
    client: Client, owner: User, public_community: Community
) -> None:
    people = more_members(public_community, 3, "few")
    plant_activity(public_community, people, reactions=RARE_REACTIONS, topics=RARE_TOPICS)
    client.force_login(owner)
    response = client.get(URL)
    body = response.json()
    for key in ("active_members", "dau", "wau", "mau", "reactions", "topics"):
        fig = body["figures"][key]
        assert (fig["withheld"], fig["previous_withheld"]) == (True, True), fig
        assert (fig["value"], fig["n"]) == (None, None), fig
        assert fig["previous"] is None
        assert fig["previous_n"] is None
        assert fig["change"] is None
    for series in body["series"].values():
        assert {point["value"] for point in series["points"]} == {None}
    text = response.content.decode()
    assert str(RARE_REACTIONS) not in text
    assert str(RARE_TOPICS) not in text


@pytest.mark.django_db
def test_six_active_members_are_numbers(
    client: Client, owner: User, public_community: Community
) -> None:
    plant_activity(public_community, more_members(public_community, 6, "many"))
    client.force_login(owner)
    fig = client.get(URL).json()["figures"]["active_members"]
    assert fig == {
        "key": "active_members",
        "label": "Active members",
        "unit": "count",
        "value": 6,
        "n": 6,
        "withheld": False,
        "previous": 6,
        "previous_n": 6,
        "previous_withheld": False,
        "change": 0,
    }


@pytest.mark.django_db
def test_withheld_cohort_rows_have_no_shares(
    client: Client, owner: User, public_community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    period = metrics.period_for(public_community, 7)
    monkeypatch.setattr(metrics, "build_dashboard", lambda *a, **k: hand_made_dashboard(period))
    client.force_login(owner)
    body = client.get(URL).json()
    assert body["cohorts"][0]["size"] == 8
    assert body["cohorts"][0]["shares"] == [100, 50, None]
    assert body["cohorts"][1] == {
        "start": (period.start - timedelta(days=7)).isoformat(),
        "size": None,
        "withheld": True,
        "shares": [None, None, None],
    }
    assert body["figures"]["reactions"]["value"] is None
    assert body["unanswered"][0]["hours_waiting"] == 30
    assert body["top_contributors"][0]["handle"] == "mia"


@pytest.mark.django_db
def test_a_custom_period_and_options(
    client: Client, owner: User, public_community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Any] = []
    real = metrics.build_dashboard

    def spy(community: Community, period: metrics.Period, **kwargs: Any) -> metrics.Dashboard:
        calls.append((period, kwargs))
        return real(community, period, **kwargs)

    monkeypatch.setattr(metrics, "build_dashboard", spy)
    today = metrics.community_today(public_community)
    client.force_login(owner)
    response = client.get(
        URL,
        {
            "start": (today - timedelta(days=3)).isoformat(),
            "end": today.isoformat(),
            "include_everyone": "true",
            "cohort": "month",
        },
    )
    assert response.status_code == 200
    assert calls == [
        (
            metrics.Period(today - timedelta(days=3), today),
            {"include_everyone": True, "cohort_unit": "month"},
        )
    ]
    assert response.json()["cohort_unit"] == "month"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-03-10", "end": "2026-03-01"}, "end"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "end"),
        ({"start": "2026-03-01"}, "end"),
        ({"end": "2026-03-01"}, "start"),
        ({"days": 7, "start": "2026-03-01", "end": "2026-03-02"}, "days"),
        ({"days": 0}, "days"),
        ({"days": 367}, "days"),
        ({"days": "many"}, "days"),
        ({"start": "2026-13-01", "end": "2026-03-01"}, "start"),
        ({"cohort": "year"}, "cohort"),
    ],
)
def test_a_bad_period_is_422(
    client: Client, owner: User, public_community: Community, params: dict[str, Any], field: str
) -> None:
    client.force_login(owner)
    response = client.get(URL, params)
    assert response.status_code == 422, response.content
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert any(field in name for name in problem["errors"]), problem


@pytest.mark.django_db
def test_a_period_ending_in_the_future_is_422(
    client: Client, owner: User, public_community: Community
) -> None:
    today = metrics.community_today(public_community)
    client.force_login(owner)
    response = client.get(
        URL, {"start": today.isoformat(), "end": (today + timedelta(days=1)).isoformat()}
    )
    assert response.status_code == 422
    assert "future" in response.json()["errors"]["end"][0]


@pytest.mark.django_db
def test_the_api_reads_a_fixed_number_of_queries(
    client: Client, owner: User, public_community: Community, django_assert_num_queries: Any
) -> None:
    client.force_login(owner)
    client.get(URL)
    with django_assert_num_queries(API_QUERIES):
        assert client.get(URL).status_code == 200
    plant_activity(public_community, more_members(public_community, 10, "busy"), days=90)
    with django_assert_num_queries(API_QUERIES):
        assert client.get(URL, {"days": 90}).status_code == 200


API_QUERIES = 14
