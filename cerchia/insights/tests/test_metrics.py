"""The dashboard's metrics on hand-built rollup rows, checked against values worked out by hand.

Every expected value below is computed in a comment from the rows the test writes, never through
the code under test. The period is 1–7 March 2026 unless a test says otherwise; the previous
period is 22–28 February.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from cerchia.accounts.models import User
from cerchia.communities.models import Community, Membership
from cerchia.core import testing
from cerchia.insights.metrics import Period, build_dashboard
from cerchia.insights.models import CommunityDay, MemberDay, MemberFact, RollupState, TopicFact

pytestmark = pytest.mark.django_db

PERIOD = Period(date(2026, 3, 1), date(2026, 3, 7))
MARCH = [date(2026, 3, day) for day in range(1, 8)]


def d(day: int, month: int = 3) -> date:
    return date(2026, month, day)


@pytest.fixture
def circle() -> Community:
    return testing.make_community(testing.make_user("host_h"), timezone="UTC")


def people(community: Community, *handles: str, **fields: Any) -> list[User]:
    """Members of the community (with analytics consent unless told otherwise)."""
    fields.setdefault("analytics_consent", True)
    users = [testing.make_user(handle, **fields) for handle in handles]
    for user in users:
        testing.add_member(community, user)
    return users


def staff(community: Community, handle: str, affiliation: str = "staff") -> User:
    (user,) = people(community, handle)
    Membership.objects.filter(community=community, user=user).update(affiliation=affiliation)
    return user


def bot(community: Community, handle: str) -> User:
    (user,) = people(community, handle, is_bot=True)
    return user


def member_day(community: Community, user: User, day: date, **columns: int) -> None:
    if "engaged" not in columns:
        columns["engaged"] = sum(
            columns.get(name, 0) for name in ("topics", "replies", "reactions", "responses")
        )
    MemberDay.objects.create(community=community, user=user, day=day, **columns)


def community_day(community: Community, day: date, scope: str = "members", **columns: int) -> None:
    CommunityDay.objects.create(community=community, day=day, scope=scope, **columns)


def active(community: Community, users: list[User], day: date) -> None:
    for user in users:
        member_day(community, user, day, reactions=1)


# --- CommunityDay figures and series ---------------------------------------------------------


def test_activity_figures_and_series_from_community_days(circle):
    six = people(circle, "a1", "a2", "a3", "a4", "a5", "a6")
    # six members posted, reacted and visited in the period: n = 6 for every figure here
    for user in six:
        member_day(circle, user, d(1), replies=1, reactions=1, visits=1)
    active(circle, six[:5], d(22, 2))  # five in the previous period: n = 5
    dau = [6, 5, 0, 4, 8, 6, 6]
    wau = [8, 8, 0, 6, 9, 10, 10]
    mau = [10, 10, 0, 10, 10, 12, 12]
    topics = [2, 0, 0, 1, 3, 0, 1]
    replies = [5, 1, 0, 2, 6, 0, 3]
    reactions = [4, 0, 0, 0, 9, 0, 2]
    posters = [5, 1, 0, 2, 6, 0, 4]
    reactors = [5, 0, 0, 0, 5, 0, 2]
    visits = [20, 3, 0, 0, 9, 0, 7]
    visitors = [7, 2, 0, 0, 5, 0, 4]
    joins = [1, 0, 0, 2, 0, 0, 3]
    for index, day in enumerate(MARCH):
        if day == d(3):
            continue  # no row at all: a day with nothing counts as zeros (MAU = 0)
        community_day(
            circle, day, dau=dau[index], wau=wau[index], mau=mau[index], topics=topics[index],
            replies=replies[index], reactions=reactions[index], posters=posters[index],
            reactors=reactors[index], visits=visits[index], visitors=visitors[index],
            joins=joins[index],
        )  # fmt: skip
    # The previous period: one day with DAU 5 of MAU 20, the others nothing.
    community_day(circle, d(28, 2), dau=5, wau=10, mau=20)

    figures = build_dashboard(circle, PERIOD).figures

    # dau = (6+5+0+4+8+6+6) / 7 = 35 / 7 = 5.0; previous = 5 / 7
    assert figures["dau"].value == pytest.approx(5.0)
    assert figures["dau"].n == 6
    assert figures["dau"].previous == pytest.approx(5 / 7)
    assert figures["dau"].previous_n == 5
    # wau, mau: the last day's (7 March): 10 and 12; previous: 28 February's 10 and 20.
    assert (figures["wau"].value, figures["wau"].n, figures["wau"].previous) == (10, 10, 10)
    assert (figures["mau"].value, figures["mau"].n, figures["mau"].previous) == (12, 12, 20)
    # stickiness: 60, 50, 0 (MAU 0), 40, 80, 50, 50 → 330 / 7 = 47.142857…
    assert figures["stickiness"].value == pytest.approx(330 / 7)
    assert figures["stickiness"].n == 6
    # previous: only 28 Feb has MAU: 5/20 = 25 → 25 / 7
    assert figures["stickiness"].previous == pytest.approx(25 / 7)
    assert figures["stickiness"].change == pytest.approx(305 / 7)
    # wau/mau: 80, 80, 0, 60, 90, 83.33…, 83.33… → (390 + 166.66…) / 7
    assert figures["wau_mau"].value == pytest.approx(
        (80 + 80 + 0 + 60 + 90 + 250 / 3 + 250 / 3) / 7
    )
    # totals: topics 2+0+0+1+3+0+1 = 7, replies 5+1+0+2+6+0+3 = 17, reactions 4+9+2 = 15
    assert figures["topics"].value == 7
    assert figures["replies"].value == 17
    assert figures["reactions"].value == 15
    assert figures["visits"].value == 39  # 20+3+9+7
    assert (figures["visits"].n, figures["visitors"].value) == (6, 6)  # distinct visitors
    assert figures["joins"].value == 6  # 1+2+3, n = 6 joins
    assert figures["joins"].n == 6

    series = build_dashboard(circle, PERIOD).series
    assert [point.day for point in series["dau"].points] == MARCH
    # dau points: under 5 → None: 6, 5, None (0), None (4), 8, 6, 6
    assert [p.value for p in series["dau"].points] == [6, 5, None, None, 8, 6, 6]
    assert [p.value for p in series["wau"].points] == [8, 8, None, 6, 9, 10, 10]
    assert [p.value for p in series["mau"].points] == [10, 10, None, 10, 10, 12, 12]
    # topics/replies: shown when that day's posters ≥ 5 (1 Mar: 5, 5 Mar: 6)
    assert [p.value for p in series["topics"].points] == [2, None, None, None, 3, None, None]
    assert [p.value for p in series["replies"].points] == [5, None, None, None, 6, None, None]
    # reactions: reactors ≥ 5 on 1 and 5 March
    assert [p.value for p in series["reactions"].points] == [4, None, None, None, 9, None, None]
    # visitors: ≥ 5 on 1 (7) and 5 March (5)
    assert [p.value for p in series["visitors"].points] == [7, None, None, None, 5, None, None]


def test_member_post_share_reads_everyone_posts(circle):
    posters = people(circle, "p1", "p2", "p3", "p4", "p5")
    for user in posters:
        member_day(circle, user, d(2), replies=1)
    # everyone: 1 Mar 4 topics + 6 replies, 2 Mar 2 topics + 8 replies = 20 posts;
    # posts by members who are not staff, brand or bots: 7 + 9 = 16 → 16 / 20 = 80 %
    community_day(circle, d(1), "everyone", topics=4, replies=6, member_posts=7)
    community_day(circle, d(2), "everyone", topics=2, replies=8, member_posts=9)
    community_day(circle, d(1), "members", topics=3, replies=4, member_posts=7)
    community_day(circle, d(2), "members", topics=2, replies=7, member_posts=9)

    members = build_dashboard(circle, PERIOD).figures
    everyone = build_dashboard(circle, PERIOD, include_everyone=True).figures

    assert members["member_post_share"].value == pytest.approx(80.0)
    assert members["member_post_share"].n == 5
    assert everyone["member_post_share"].value == pytest.approx(80.0)
    # the counts follow the scope: members 3+2 topics, everyone 4+2
    assert (members["topics"].value, everyone["topics"].value) == (5, 6)
    assert (members["replies"].value, everyone["replies"].value) == (11, 14)


def test_stickiness_is_zero_when_mau_is_zero_every_day(circle):
    six = people(circle, "z1", "z2", "z3", "z4", "z5", "z6")
    active(circle, six, d(1))
    for day in MARCH:
        community_day(circle, day, dau=0, wau=0, mau=0)
    figures = build_dashboard(circle, PERIOD).figures
    assert figures["stickiness"].value == 0
    assert figures["wau_mau"].value == 0


# --- Distinct members, reciprocity, exclusions, deleted members ---------------------------


@pytest.fixture
def crowd(circle: Community) -> dict[str, User]:
    a, b, c, dd, e, f, g = people(circle, "ann", "bob", "cat", "dan", "eve", "fay", "gus")
    s = staff(circle, "sue_staff")
    r = bot(circle, "robo")
    # ann: replied and got a reply the same day → reciprocal
    member_day(circle, a, d(1), replies=1, replies_given=1, replies_received=1)
    # bob: gave a reply on 1 Mar, received one on 3 Mar → reciprocal over the period
    member_day(circle, b, d(1), replies=1, replies_given=1)
    member_day(circle, b, d(3), reactions=1, replies_received=1)
    # cat: only received replies, did nothing herself → not active
    member_day(circle, c, d(2), replies_received=2)
    # dan: a topic; eve: reactions; fay: only visits (a visit never makes a day engaged)
    member_day(circle, dd, d(4), topics=1, replies_received=1)
    member_day(circle, e, d(5), reactions=3)
    member_day(circle, f, d(5), visits=4)
    # gus erased his account later: his activity still counts in aggregates
    member_day(circle, g, d(6), replies=1, replies_given=1, replies_received=1)
    User.objects.filter(pk=g.pk).update(deleted_at=timezone.now())
    # staff and bot: left out unless the host includes everyone
    member_day(circle, s, d(2), replies=5, replies_given=5, replies_received=2)
    member_day(circle, r, d(2), replies=2, replies_given=2)
    # previous period: only bob → every previous figure over him is withheld
    member_day(circle, b, d(25, 2), replies=1, replies_given=1, replies_received=1)
    return {"a": a, "b": b, "c": c, "d": dd, "e": e, "f": f, "g": g, "s": s, "r": r}


def test_distinct_members_reciprocity_and_exclusions(circle, crowd):
    members = build_dashboard(circle, PERIOD).figures
    # active: ann, bob, dan, eve, gus = 5 (cat only received, fay only visited)
    assert members["active_members"].value == 5
    assert members["active_members"].n == 5
    # reciprocity: ann, bob, gus gave and received / 5 active = 60 %
    assert members["reciprocity"].value == pytest.approx(60.0)
    assert members["reciprocity"].n == 5
    # posters: ann, bob, dan, gus = 4 < 5 → topics and replies withheld
    for key in ("topics", "replies", "member_post_share"):
        assert members[key].value is None
        assert members[key].n is None
        assert members[key].suppressed
    # previous period: bob alone → withheld, value and n
    assert members["active_members"].previous is None
    assert members["active_members"].previous_n is None
    assert members["active_members"].previous_suppressed
    assert members["active_members"].change is None

    everyone = build_dashboard(circle, PERIOD, include_everyone=True).figures
    # + sue and robo: 7 active; reciprocal ann, bob, gus, sue = 4 → 4/7
    assert everyone["active_members"].value == 7
    assert everyone["reciprocity"].value == pytest.approx(400 / 7)
    assert everyone["reciprocity"].n == 7
    # posters: ann, bob, dan, gus, sue, robo = 6 → shown
    assert everyone["replies"].n == 6


def test_brand_affiliation_is_excluded_like_staff(circle):
    five = people(circle, "b1", "b2", "b3", "b4", "b5")
    brand = staff(circle, "brandy", "brand")
    partner = staff(circle, "pat_partner", "partner")  # partners are members like any other
    active(circle, [*five, brand, partner], d(2))
    figures = build_dashboard(circle, PERIOD).figures
    assert figures["active_members"].value == 6  # five + the partner, not the brand account


# --- Topics: response rate, unanswered, time to first reply --------------------------------


def _topic_fact(
    community: Community,
    author: User,
    created_at: datetime,
    seconds: int | None,
    *,
    created_on: date | None = None,
    deleted: bool = False,
    title: str | None = None,
) -> int:
    topic = testing.make_topic(community, author, title=title)
    TopicFact.objects.create(
        topic=topic,
        community=community,
        author=author,
        created_at=created_at,
        created_on=created_on or created_at.date(),
        first_reply_at=None if seconds is None else created_at + timedelta(seconds=seconds),
        first_reply_seconds=seconds,
        deleted=deleted,
    )
    return topic.pk


def at(day: int, hour: int = 10, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


# "Now" for the topic tests: 8 March 08:00 UTC.
NOW = at(8, 8)


@pytest.fixture
def topics(circle: Community) -> dict[str, int]:
    a, b, c, dd, e, f = people(circle, "ta", "tb", "tc", "td", "te", "tf")
    s = staff(circle, "ts_staff")
    return {
        "t1": _topic_fact(circle, a, at(1), 600),
        "t2": _topic_fact(circle, b, at(2), 3600),
        "t3": _topic_fact(circle, c, at(3), 86400),  # exactly 24 h: in time
        "t4": _topic_fact(circle, dd, at(4), 90000),  # 25 h: late
        "t5": _topic_fact(circle, e, at(5), None, title="Still waiting"),  # 70 h by NOW
        "t6": _topic_fact(circle, f, at(6), 1200),
        "t7": _topic_fact(circle, a, at(7), None),  # 22 h old at NOW: not unanswered yet
        "t8": _topic_fact(circle, s, at(2), None),  # staff's, unanswered
        "t9": _topic_fact(circle, b, at(3), None, deleted=True),  # deleted: left out
        "t11": _topic_fact(circle, s, at(2, 12), 1800),  # staff's, answered
        "t10": _topic_fact(circle, c, at(25, month=2), 300),  # previous period
    }


def test_response_rate_unanswered_and_time_to_first_reply(circle, topics):
    dashboard = build_dashboard(circle, PERIOD, now=NOW)
    figures = dashboard.figures
    # members' live topics in the period: t1..t7 = 7; replied within 24 h: t1, t2, t3, t6 = 4
    # → 4 / 7 × 100 = 57.142857…; n = authors ta, tb, tc, td, te, tf = 6
    assert figures["response_rate"].value == pytest.approx(400 / 7)
    assert figures["response_rate"].n == 6
    # unanswered more than 24 h after creation: t5 only
    assert figures["unanswered"].value == 1
    [waiting] = dashboard.unanswered
    assert waiting.topic_id == topics["t5"]
    assert waiting.title == "Still waiting"
    # 5 Mar 10:00 → 8 Mar 08:00 = 2 days 22 h = 70 h
    assert waiting.hours_waiting == 70
    assert waiting.url == f"/c/{circle.slug}/t/{topics['t5']}/"
    # first replies: 600, 1200, 3600, 86400, 90000 (n = 5, odd) → median 3600
    assert figures["first_reply_median"].value == 3600
    # p90: ⌈0.9 × 5⌉ = 5th smallest = 90000
    assert figures["first_reply_p90"].value == 90000
    # mean: 181800 / 5 = 36360
    assert figures["first_reply_mean"].value == pytest.approx(36360)
    # n = authors of answered topics: ta, tb, tc, td, tf = 5
    assert figures["first_reply_median"].n == 5
    # previous period: t10 alone, one author → withheld
    assert figures["response_rate"].previous is None
    assert figures["first_reply_median"].previous is None


def test_staff_topics_count_when_everyone_is_included(circle, topics):
    dashboard = build_dashboard(circle, PERIOD, include_everyone=True, now=NOW)
    figures = dashboard.figures
    # + t8 and t11: 9 topics; in time: t1, t2, t3, t6, t11 = 5 → 5 / 9 × 100
    assert figures["response_rate"].value == pytest.approx(500 / 9)
    assert figures["response_rate"].n == 7
    # unanswered: t8 (waiting since 2 Mar 10:00 = 142 h) and t5 (70 h), longest first
    assert figures["unanswered"].value == 2
    assert [row.topic_id for row in dashboard.unanswered] == [topics["t8"], topics["t5"]]
    assert dashboard.unanswered[0].hours_waiting == 142
    # first replies: 600, 1200, 1800, 3600, 86400, 90000 (n = 6, even)
    # → median (1800 + 3600) / 2 = 2700; p90 ⌈5.4⌉ = 6th = 90000; mean 183600 / 6 = 30600
    assert figures["first_reply_median"].value == 2700
    assert figures["first_reply_p90"].value == 90000
    assert figures["first_reply_mean"].value == pytest.approx(30600)
    assert figures["first_reply_median"].n == 6


def test_a_deleted_topic_never_shows_in_the_unanswered_list(circle, topics):
    from cerchia.discussions.models import Topic

    Topic.objects.filter(pk=topics["t5"]).update(deleted_at=NOW)
    dashboard = build_dashboard(circle, PERIOD, now=NOW)
    assert dashboard.unanswered == []
    # 6 live topics left, 4 in time
    assert dashboard.figures["response_rate"].value == pytest.approx(400 / 6)


def test_topics_belong_to_their_local_day(circle):
    authors = people(circle, "r1", "r2", "r3", "r4", "r5")
    # 28 Feb 23:30 UTC is 1 March in Rome: the rollup's created_on says so, and it counts
    for author in authors:
        _topic_fact(circle, author, datetime(2026, 2, 28, 23, 30, tzinfo=UTC), 60, created_on=d(1))
    # 7 March 23:30 UTC is 8 March in Rome: outside the period
    _topic_fact(circle, authors[0], datetime(2026, 3, 7, 23, 30, tzinfo=UTC), None, created_on=d(8))
    figures = build_dashboard(circle, PERIOD, now=at(10)).figures
    assert figures["response_rate"].value == 100
    assert figures["unanswered"].value == 0


# --- New contributors and activation -------------------------------------------------------


def test_new_contributors_and_activation(circle):
    j1, j2, j3, j4, j5 = people(circle, "j1", "j2", "j3", "j4", "j5")
    j6 = staff(circle, "j6_staff")
    old = people(circle, "o1")[0]
    facts = {
        j1: (d(1), d(8)),  # engaged on join day + 7 (after the period's end): activated
        j2: (d(2), d(10)),  # engaged on join day + 8: not activated
        j3: (d(3), d(3)),  # engaged on the join day: activated
        j4: (d(5), None),  # never engaged
        j5: (d(7), d(6)),  # engaged the day before joining only: not activated
        j6: (d(4), d(4)),  # staff: activated, left out of the members' figure
    }
    for user, (joined, engaged) in facts.items():
        MemberFact.objects.create(
            community=circle, user=user, joined_on=joined, first_post_on=engaged
        )
        if engaged:
            member_day(circle, user, engaged, replies=1)
    MemberFact.objects.create(community=circle, user=old, joined_on=d(1, 1), first_post_on=d(23, 2))

    members = build_dashboard(circle, PERIOD).figures
    # joiners j1..j5 = 5, activated j1, j3 = 2 → 40 %
    assert members["activation"].value == pytest.approx(40.0)
    assert members["activation"].n == 5
    # first posts in the period: j1 (8 Mar) and j2 (10 Mar) fall after it; j3 (3), j5 (6) → 2
    # → fewer than 5: withheld; previous: o1 alone, withheld
    assert members["new_contributors"].value is None
    assert members["new_contributors"].previous is None

    everyone = build_dashboard(circle, PERIOD, include_everyone=True).figures
    # joiners j1..j6 = 6, activated j1, j3, j6 = 3 → 50 %
    assert everyone["activation"].value == pytest.approx(50.0)
    assert everyone["activation"].n == 6


def test_new_contributors_counted_when_five_or_more(circle):
    five = people(circle, "n1", "n2", "n3", "n4", "n5")
    for index, user in enumerate(five):
        MemberFact.objects.create(community=circle, user=user, first_post_on=d(1 + index))
    figures = build_dashboard(circle, PERIOD).figures
    assert (figures["new_contributors"].value, figures["new_contributors"].n) == (5, 5)


# --- Retention cohorts ---------------------------------------------------------------------


def test_weekly_cohorts(circle):
    # period end Wednesday 11 March 2026: its week starts Monday 9 March; 12 weeks back the
    # first cohort starts Monday 22 December 2025.
    period = Period(d(5), d(11))
    w9 = people(circle, *[f"w9_{i}" for i in range(6)])  # joined the week of 23 Feb
    w10 = people(circle, *[f"w10_{i}" for i in range(5)])  # joined the week of 2 Mar
    w11 = people(circle, *[f"w11_{i}" for i in range(3)])  # joined the week of 9 Mar: 3
    boss = staff(circle, "w10_staff")
    for user in w9:
        MemberFact.objects.create(community=circle, user=user, joined_on=d(23, 2))
        member_day(circle, user, d(24, 2), reactions=1)  # k = 0: 6 of 6
    for user in w9[:3]:
        member_day(circle, user, d(8), reactions=1)  # k = 1 (Sunday 8 Mar ends week 10): 3 of 6
    for index, user in enumerate(w10):
        MemberFact.objects.create(community=circle, user=user, joined_on=d(2 + index))
    for user in w10[:4]:
        member_day(circle, user, d(6), replies=1)  # k = 0: 4 of 5
    for user in w10[:2]:
        member_day(circle, user, d(11), replies=1)  # k = 1: 2 of 5
    member_day(circle, w10[4], d(12), replies=1)  # after the period's end: not counted
    for user in w11:
        MemberFact.objects.create(community=circle, user=user, joined_on=d(9))
        member_day(circle, user, d(9), replies=1)
    MemberFact.objects.create(community=circle, user=boss, joined_on=d(2))
    member_day(circle, boss, d(2), replies=1)

    cohorts = build_dashboard(circle, period).cohorts
    assert len(cohorts) == 12
    assert cohorts[0].start == date(2025, 12, 22)
    assert [row.start for row in cohorts[-3:]] == [d(23, 2), d(2), d(9)]
    assert all(row.size is None and row.shares == [None] * 12 for row in cohorts[:9])
    # week of 23 Feb (c = 9): 6 members; k0 6/6 = 100, k1 3/6 = 50, k2 0/6 = 0, then future
    assert cohorts[9].size == 6
    assert cohorts[9].shares == [100.0, 50.0, 0.0] + [None] * 9
    # week of 2 Mar (c = 10): 5 members (staff left out); k0 4/5 = 80, k1 2/5 = 40
    assert cohorts[10].size == 5
    assert cohorts[10].shares == [80.0, 40.0] + [None] * 10
    # week of 9 Mar: 3 members → withheld
    assert cohorts[11].size is None
    assert cohorts[11].shares == [None] * 12

    everyone = build_dashboard(circle, period, include_everyone=True).cohorts
    # with the staff member: 6 members; k0 5/6, k1 2/6
    assert everyone[10].size == 6
    assert everyone[10].shares[:2] == [pytest.approx(500 / 6), pytest.approx(200 / 6)]


def test_monthly_cohorts(circle):
    # period end 11 March 2026: 6 months, October 2025 to March 2026
    period = Period(d(1), d(11))
    feb = people(circle, *[f"f{i}" for i in range(5)])
    for user in feb:
        MemberFact.objects.create(community=circle, user=user, joined_on=d(10, 2))
        member_day(circle, user, d(20, 2), reactions=1)  # k0: 5/5
    member_day(circle, feb[0], d(3), reactions=1)  # k1: 1/5 = 20
    cohorts = build_dashboard(circle, period, cohort_unit="month").cohorts
    assert [row.start for row in cohorts] == [
        date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1),
        date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1),
    ]  # fmt: skip
    assert cohorts[4].size == 5
    assert cohorts[4].shares == [100.0, 20.0, None, None, None, None]
    assert cohorts[5].size is None


def test_unknown_cohort_unit_is_refused(circle):
    with pytest.raises(ValueError, match="weekly or monthly"):
        build_dashboard(circle, PERIOD, cohort_unit="year")


# --- Member-level lists --------------------------------------------------------------------


def test_top_contributors_apply_daily_caps_and_consent(circle):
    x, y, q = people(circle, "xena", "yuri", "quin")
    (z,) = people(circle, "zoe_private", analytics_consent=False)
    (w,) = people(circle, "walt_gone")
    (gone,) = people(circle, "lou_left")
    s = staff(circle, "stan_staff")
    (v,) = people(circle, "vic_visitor")
    # xena: 1 Mar 7 topics (cap 5 × 3 = 15) and 25 replies (cap 20 × 2 = 40); 2 Mar 1 topic (3)
    # → 58
    member_day(circle, x, d(1), topics=7, replies=25)
    member_day(circle, x, d(2), topics=1)
    # yuri: 4 accepted answers (cap 3 × 10 = 30), 30 reactions given (cap 10 × 0.5 = 5),
    # 15 reactions received (cap 10 × 1 = 10), 12 responses (cap 10 × 1 = 10) → 55
    member_day(
        circle, y, d(3), accepted_answers=4, reactions=30, reactions_received=15, responses=12
    )
    member_day(circle, q, d(4), reactions=1)  # 0.5
    member_day(circle, z, d(4), replies=3)  # 6, but no consent
    member_day(circle, w, d(4), replies=30)  # deleted account
    User.objects.filter(pk=w.pk).update(deleted_at=timezone.now())
    member_day(circle, gone, d(4), replies=30)  # no longer a member
    Membership.objects.filter(community=circle, user=gone).delete()
    member_day(circle, s, d(5), topics=5)  # 15, staff
    member_day(circle, v, d(5), visits=9)  # score 0: not listed
    member_day(circle, x, d(8), topics=5)  # after the period

    top = build_dashboard(circle, PERIOD).top_contributors
    assert [(row.handle, row.score) for row in top] == [("xena", 58), ("yuri", 55), ("quin", 0.5)]
    assert top[0].reason == "8 topics, 25 replies"
    assert top[1].reason == "4 accepted answers, 15 reactions received"
    assert top[0].name == "Xena"

    everyone = build_dashboard(circle, PERIOD, include_everyone=True).top_contributors
    assert [row.handle for row in everyone] == ["xena", "yuri", "stan_staff", "quin"]


def test_quiet_regulars(circle):
    end = date(2026, 3, 31)
    period = Period(date(2026, 3, 1), end)  # the 90 days: 1 Jan .. 31 Mar 2026

    def engaged(user: User, count: int, last_quiet_for: int) -> None:
        last = end - timedelta(days=last_quiet_for)
        MemberDay.objects.bulk_create(
            MemberDay(community=circle, user=user, day=last - timedelta(days=i), engaged=1)
            for i in range(count)
        )

    r1, r2, r3 = people(circle, "r1", "r2", "r3")
    (r4,) = people(circle, "r4_private", analytics_consent=False)
    r5, r6, r7 = people(circle, "r5", "r6_gone", "r7_left")
    s = staff(circle, "s_staff")
    others = people(circle, *[f"o{i}" for i in range(1, 8)])
    engaged(r1, 40, 12)  # regular, quiet 12 days → listed
    engaged(r2, 30, 3)  # regular, quiet 3 days → still active
    engaged(r3, 30, 30)  # regular, quiet 30 days → beyond 28
    engaged(r4, 30, 7)  # regular, quiet exactly 7 days, but no consent
    engaged(r5, 20, 10)  # quiet 10 days but not in the top quarter
    engaged(r6, 50, 10)  # deleted account: ranked, never listed
    User.objects.filter(pk=r6.pk).update(deleted_at=timezone.now())
    engaged(r7, 35, 8)  # left the community: ranked, never listed
    Membership.objects.filter(community=circle, user=r7).delete()
    engaged(s, 60, 9)  # staff
    for index, user in enumerate(others):
        engaged(user, index + 1, 0)  # 1..7 days, active today
    # an engaged day before the window does not count
    MemberDay.objects.create(community=circle, user=r5, day=date(2025, 12, 31), engaged=1)
    # a visit-only row does not count either
    MemberDay.objects.create(community=circle, user=r5, day=end, visits=3)

    # members: r1..r7 + 7 others = 14 ranked; top ⌈14/4⌉ = 4: 50, 40, 35, 30 → ties at 30
    # included: r6, r1, r7, r2, r3, r4; quiet 7..28 days: r1 (12), r4 (7), r6 (10), r7 (8);
    # listed (consent, not deleted, member): r1
    quiet = build_dashboard(circle, period).quiet_regulars
    assert [row.handle for row in quiet] == ["r1"]
    assert quiet[0].reason == "Active on 40 of the last 90 days; nothing for 12 days"
    assert quiet[0].score == 40

    # everyone: + staff = 15 ranked; top ⌈15/4⌉ = 4: 60, 50, 40, 35 → s, r6, r1, r7
    # listed: s (quiet 9), r1 (quiet 12), most engaged first
    everyone = build_dashboard(circle, period, include_everyone=True).quiet_regulars
    assert [row.handle for row in everyone] == ["s_staff", "r1"]
    assert everyone[0].reason == "Active on 60 of the last 90 days; nothing for 9 days"


# --- Bookkeeping ---------------------------------------------------------------------------


def test_rolled_up_to_reads_the_daily_state(circle):
    assert build_dashboard(circle, PERIOD).rolled_up_to is None
    moment = datetime(2026, 3, 7, 12, 5, tzinfo=UTC)
    RollupState.objects.create(name="daily", last_run_at=moment)
    dashboard = build_dashboard(circle, PERIOD)
    assert dashboard.rolled_up_to == moment
    assert dashboard.previous_period == Period(d(22, 2), d(28, 2))


FIGURE_KEYS = {
    "active_members", "dau", "wau", "mau", "stickiness", "wau_mau", "response_rate",
    "unanswered", "first_reply_median", "first_reply_p90", "first_reply_mean",
    "new_contributors", "activation", "reciprocity", "topics", "replies", "reactions",
    "member_post_share", "visits", "visitors", "joins",
}  # fmt: skip


@pytest.mark.parametrize("include_everyone", [False, True])
def test_an_empty_period_defines_every_figure(circle, include_everyone):
    dashboard = build_dashboard(circle, PERIOD, include_everyone=include_everyone, now=NOW)
    assert set(dashboard.figures) == FIGURE_KEYS
    for key, shown in dashboard.figures.items():
        assert shown.key == key
        # nothing happened: every figure aggregates 0 members, so all are withheld
        assert (shown.value, shown.n, shown.previous, shown.previous_n) == (None,) * 4
        assert shown.suppressed
    assert set(dashboard.series) == {
        "dau",
        "wau",
        "mau",
        "topics",
        "replies",
        "reactions",
        "visitors",
    }
    for series in dashboard.series.values():
        assert [point.day for point in series.points] == MARCH
        assert all(point.value is None for point in series.points)
    assert len(dashboard.cohorts) == 12
    assert all(row.size is None for row in dashboard.cohorts)
    assert dashboard.unanswered == []
    assert dashboard.top_contributors == []
    assert dashboard.quiet_regulars == []
    assert dashboard.include_everyone is include_everyone
