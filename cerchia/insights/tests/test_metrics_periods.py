"""Periods, the pure helpers behind the figures, and the dashboard's fixed query count."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cerchia.communities.models import Membership
from cerchia.core import testing
from cerchia.insights.metrics import (
    SCORE_RULES,
    Period,
    Unit,
    add_months,
    build_dashboard,
    community_today,
    custom_period,
    figure,
    median,
    percentile_nearest_rank,
    period_for,
    regular_ids,
    week_start,
)
from cerchia.insights.models import CommunityDay, MemberDay, MemberFact, TopicFact

TODAY = date(2026, 3, 11)


# --- Periods ---------------------------------------------------------------------------------


def test_period_for_ends_today_in_the_communitys_timezone():
    period = period_for(_Zoned("UTC"), 7, today=TODAY)  # type: ignore[arg-type]
    assert period == Period(date(2026, 3, 5), TODAY)
    assert period.days == 7
    assert period.previous() == Period(date(2026, 2, 26), date(2026, 3, 4))
    assert period_for(_Zoned("UTC"), 1, today=TODAY) == Period(TODAY, TODAY)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one day"):
        period_for(_Zoned("UTC"), 0, today=TODAY)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at most 366 days"):
        period_for(_Zoned("UTC"), 10**9, today=TODAY)  # type: ignore[arg-type]


class _Zoned:
    """Just what period_for and community_today read of a community."""

    def __init__(self, timezone: str) -> None:
        self.timezone = timezone


def test_community_today_crosses_midnight_by_timezone():
    late = datetime(2026, 2, 28, 23, 30, tzinfo=UTC)
    assert community_today(_Zoned("UTC"), now=late) == date(2026, 2, 28)  # type: ignore[arg-type]
    assert community_today(_Zoned("Europe/Rome"), now=late) == date(2026, 3, 1)  # type: ignore[arg-type]
    assert community_today(_Zoned("America/New_York"), now=late) == date(2026, 2, 28)  # type: ignore[arg-type]
    assert community_today(_Zoned("Nowhere/Atlantis"), now=late) == date(2026, 2, 28)  # type: ignore[arg-type]
    early = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    assert community_today(_Zoned("America/New_York"), now=early) == date(2026, 2, 28)  # type: ignore[arg-type]


def test_custom_period_accepts_a_valid_range():
    assert custom_period(date(2026, 1, 1), TODAY, today=TODAY) == Period(date(2026, 1, 1), TODAY)
    # 366 days is the longest: 11 Mar 2025 .. 11 Mar 2026 is 366 days, both included
    assert custom_period(date(2025, 3, 11), TODAY, today=TODAY).days == 366


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (date(2026, 3, 10), date(2026, 3, 9), "must end on or after"),
        (date(2025, 3, 10), TODAY, "at most 366 days"),
        (date(2026, 3, 1), date(2026, 3, 12), "cannot end in the future"),
    ],
)
def test_custom_period_refuses_bad_ranges(start, end, message):
    with pytest.raises(ValueError, match=message):
        custom_period(start, end, today=TODAY)


@pytest.mark.django_db
def test_custom_period_reads_today_in_the_communitys_timezone():
    community = testing.make_community(timezone="Pacific/Kiritimati")  # UTC+14
    today_there = community_today(community)
    assert custom_period(today_there, today_there, community=community).days == 1
    with pytest.raises(ValueError, match="future"):
        custom_period(today_there, today_there + timedelta(days=1), community=community)


# --- Pure helpers ------------------------------------------------------------------------------


def test_median_odd_and_even():
    assert median([]) is None
    assert median([7]) == 7
    assert median([3, 1, 2]) == 2  # sorted 1, 2, 3 → 2
    assert median([10, 1, 3, 2]) == 2.5  # sorted 1, 2, 3, 10 → (2 + 3) / 2


def test_p90_is_the_nearest_rank():
    assert percentile_nearest_rank([], 90) is None
    assert percentile_nearest_rank([5], 90) == 5
    assert percentile_nearest_rank(list(range(1, 11)), 90) == 9  # ⌈9.0⌉ = 9th
    assert percentile_nearest_rank(list(range(1, 12)), 90) == 10  # ⌈9.9⌉ = 10th
    assert percentile_nearest_rank([40, 10, 30, 20], 90) == 40  # ⌈3.6⌉ = 4th


def test_weeks_and_months():
    assert week_start(date(2026, 3, 11)) == date(2026, 3, 9)  # Wednesday → Monday
    assert week_start(date(2026, 3, 9)) == date(2026, 3, 9)
    assert week_start(date(2026, 3, 15)) == date(2026, 3, 9)  # Sunday ends the week
    assert add_months(date(2026, 3, 11), -5) == date(2025, 10, 1)
    assert add_months(date(2025, 12, 31), 1) == date(2026, 1, 1)


def test_regulars_are_the_top_quarter_with_ties():
    assert regular_ids({}) == set()
    # 8 members: ⌈8/4⌉ = 2 → the two highest (9, 8)
    assert regular_ids({1: 9, 2: 8, 3: 7, 4: 6, 5: 5, 6: 4, 7: 3, 8: 2}) == {1, 2}
    # a tie at the boundary is included: 9, 8, 8
    assert regular_ids({1: 9, 2: 8, 3: 8, 4: 6, 5: 5, 6: 4, 7: 3, 8: 2}) == {1, 2, 3}
    # 1 member: ⌈1/4⌉ = 1
    assert regular_ids({5: 1}) == {5}


def test_figure_withholds_small_groups_in_both_periods():
    shown = figure("dau", 3.5, 5, 2.0, 7, Unit.COUNT)
    assert (shown.value, shown.n, shown.previous, shown.previous_n) == (3.5, 5, 2.0, 7)
    assert shown.change == 1.5
    withheld = figure("dau", 3.5, 4, 2.0, 4)
    assert (withheld.value, withheld.n, withheld.previous, withheld.previous_n) == (
        None, None, None, None,
    )  # fmt: skip
    assert withheld.suppressed
    assert withheld.previous_suppressed
    assert withheld.change is None


def test_score_rules_are_one_table():
    assert {rule.column for rule in SCORE_RULES} == {
        "topics", "replies", "accepted_answers", "reactions_received", "reactions", "responses",
    }  # fmt: skip
    assert all(rule.points > 0 and rule.daily_cap > 0 for rule in SCORE_RULES)


# --- Fixed query count ---------------------------------------------------------------------------

#: CommunityDay, MemberDay counts, TopicFact, MemberFact, activation days, cohort days, top
#: contributors, quiet regulars, RollupState.
DASHBOARD_QUERIES = 10


def _fill(community, members: int, days: int) -> None:
    users = [
        testing.make_user(f"q{community.pk}_{i}", analytics_consent=True) for i in range(members)
    ]
    for user in users:
        testing.add_member(community, user)
    MemberDay.objects.bulk_create(
        MemberDay(
            community=community, user=user, day=TODAY - timedelta(days=offset),
            engaged=3, topics=1, replies=1, reactions=1, replies_given=1, replies_received=1,
            reactions_received=2, visits=1,
        )
        for user in users
        for offset in range(days)
    )  # fmt: skip
    CommunityDay.objects.bulk_create(
        CommunityDay(
            community=community, day=TODAY - timedelta(days=offset), scope=scope,
            dau=members, wau=members, mau=members, topics=members, replies=members,
            posters=members, reactors=members, visitors=members,
        )
        for offset in range(days)
        for scope in ("members", "everyone")
    )  # fmt: skip
    MemberFact.objects.bulk_create(
        MemberFact(
            community=community, user=user, joined_on=TODAY - timedelta(days=index % days),
            first_post_on=TODAY - timedelta(days=index % days),
        )
        for index, user in enumerate(users)
    )  # fmt: skip
    for index, user in enumerate(users[:20]):
        topic = testing.make_topic(community, user)
        created = datetime(2026, 3, 1, 10, tzinfo=UTC) + timedelta(hours=index)
        TopicFact.objects.create(
            topic=topic, community=community, author=user, created_at=created,
            created_on=created.date(), first_reply_seconds=None if index % 3 else 60 * index,
        )  # fmt: skip


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_the_data(django_assert_num_queries):
    period = Period(TODAY - timedelta(days=29), TODAY)
    empty = testing.make_community(timezone="UTC")
    busy = testing.make_community(timezone="UTC")
    _fill(busy, members=40, days=90)
    staffer = testing.make_user("q_staff")
    testing.add_member(busy, staffer)
    Membership.objects.filter(community=busy, user=staffer).update(affiliation="staff")

    with django_assert_num_queries(DASHBOARD_QUERIES):
        build_dashboard(empty, period)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        dashboard = build_dashboard(busy, period, include_everyone=False)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        build_dashboard(busy, period, include_everyone=True, cohort_unit="month")
    assert dashboard.figures["active_members"].value == 40
    assert len(dashboard.top_contributors) == 10
