"""Rollup rows planted directly, and hand-made dashboards, for the dashboard's tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from cerchia.accounts.models import User
from cerchia.communities.models import Community
from cerchia.core import testing
from cerchia.insights.metrics import (
    CohortRow,
    Dashboard,
    MemberRow,
    Period,
    Point,
    Series,
    UnansweredTopic,
    Unit,
    figure,
    period_for,
)
from cerchia.insights.models import CommunityDay, MemberDay, Scope

#: Numbers no date, id or count on the page would produce by chance.
RARE_REACTIONS = 947
RARE_TOPICS = 613


def plant_activity(
    community: Community, people: list[User], *, days: int = 30, **daily: int
) -> Period:
    """Each of ``people`` engaged on each of the last ``days`` days, and the community's days
    counted with them (both scopes); ``daily`` overrides CommunityDay columns."""
    period = period_for(community, days)
    size = len(people)
    member_days = []
    community_days = []
    for day in period.previous().each_day() + period.each_day():
        for person in people:
            member_days.append(
                MemberDay(
                    community=community,
                    user=person,
                    day=day,
                    engaged=2,
                    topics=1,
                    replies=1,
                    reactions=1,
                    replies_given=1,
                    replies_received=1,
                    visits=1,
                )
            )
        columns: dict[str, Any] = {
            "dau": size,
            "wau": size,
            "mau": size,
            "engaged_events": 2 * size,
            "topics": size,
            "replies": size,
            "reactions": size,
            "posters": size,
            "reactors": size,
            "member_posts": 2 * size,
            "visits": size,
            "visitors": size,
        }
        columns.update(daily)
        for scope in (Scope.MEMBERS, Scope.EVERYONE):
            community_days.append(
                CommunityDay(community=community, day=day, scope=scope, **columns)
            )
    MemberDay.objects.bulk_create(member_days)
    CommunityDay.objects.bulk_create(community_days)
    return period


def more_members(community: Community, count: int, prefix: str = "p") -> list[User]:
    people = []
    for number in range(count):
        person = testing.make_user(f"{prefix}{number}_{community.slug.replace('-', '_')}")
        testing.add_member(community, person)
        people.append(person)
    return people


def hand_made_dashboard(period: Period, **overrides: Any) -> Dashboard:
    """A small dashboard with one figure of each kind, for tests of the page's shapes."""
    days = period.each_day()
    values: dict[str, Any] = {
        "period": period,
        "previous_period": period.previous(),
        "include_everyone": False,
        "figures": {
            "active_members": figure("active_members", 12, 12, 10, 10),
            "response_rate": figure("response_rate", 75.0, 8, 50.0, 6, Unit.PERCENT),
            "first_reply_median": figure("first_reply_median", 5400, 8, 7200, 6, Unit.SECONDS),
            "reactions": figure("reactions", RARE_REACTIONS, 3, 20, 9),
        },
        "series": {
            "dau": Series("dau", [Point(day, 6 if i % 2 else None) for i, day in enumerate(days)]),
        },
        "cohorts": [
            CohortRow(days[0], 8, [100.0, 50.0, None]),
            CohortRow(days[0] - timedelta(days=7), None, [None, None, None]),
        ],
        "unanswered": [
            UnansweredTopic(
                topic_id=1,
                title='=HYPERLINK("http://evil.example","click")',
                url="/c/espresso/t/1/",
                created_at=datetime(2026, 1, 1, tzinfo=UTC),
                hours_waiting=30,
            )
        ],
        "top_contributors": [
            MemberRow(user_id=1, handle="mia", name="+Mia", score=12.5, reason="@reason"),
        ],
        "quiet_regulars": [
            MemberRow(user_id=2, handle="leo", name="-Leo", score=0, reason="Active on 31 days"),
        ],
    }
    values.update(overrides)
    return Dashboard(**values)
