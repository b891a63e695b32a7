"""The rollup engine: hand-built event streams folded into exact rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from cerchia.accounts.models import User
from cerchia.communities.models import Affiliation, Community, Membership
from cerchia.core import testing
from cerchia.insights import rollups
from cerchia.insights.models import (
    CommunityDay,
    Event,
    MemberDay,
    MemberFact,
    RollupState,
    Scope,
    TopicFact,
)

pytestmark = pytest.mark.django_db

D = date(2026, 3, 10)
NOON = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def ev(
    kind: str,
    actor: User | None,
    community: Community,
    when: datetime,
    subject_id: int | None = None,
    **payload: Any,
) -> Event:
    return Event.objects.create(
        kind=kind,
        actor=actor,
        community=community,
        created_at=when,
        subject_id=subject_id,
        payload=payload,
    )


def member_day(community: Community, user: User, day: date) -> dict[str, int]:
    row = MemberDay.objects.get(community=community, user=user, day=day)
    return {
        name: getattr(row, name)
        for name in (
            "engaged",
            "topics",
            "replies",
            "reactions",
            "responses",
            "accepted_answers",
            "replies_given",
            "replies_received",
            "reactions_received",
            "visits",
        )
        if getattr(row, name)
    }


def community_day(community: Community, day: date, scope: str = Scope.EVERYONE) -> dict[str, int]:
    row = CommunityDay.objects.get(community=community, day=day, scope=scope)
    return {
        name: getattr(row, name)
        for name in (
            "dau",
            "wau",
            "mau",
            "engaged_events",
            "topics",
            "replies",
            "reactions",
            "responses",
            "posters",
            "reactors",
            "member_posts",
            "visits",
            "visitors",
            "joins",
        )
        if getattr(row, name)
    }


def snapshot() -> tuple[list[Any], ...]:
    def rows(model: Any, *order: str) -> list[Any]:
        return [
            {k: v for k, v in row.items() if k != "id"}
            for row in model.objects.order_by(*order).values()
        ]

    return (
        rows(MemberDay, "community_id", "user_id", "day"),
        rows(CommunityDay, "community_id", "scope", "day"),
        rows(TopicFact, "topic_id"),
        rows(MemberFact, "community_id", "user_id"),
    )


@pytest.fixture
def clean_log() -> None:
    """Fixtures write a few events (topics made through actions); start from none."""
    Event.objects.all().delete()


@pytest.fixture
def people(public_community: Community, owner: User, moderator: User, member: User) -> list[User]:
    extra = [testing.make_user(f"person_{n}") for n in range(3)]
    for user in extra:
        testing.add_member(public_community, user)
    return [owner, moderator, member, *extra]


def test_a_day_of_events_becomes_exact_member_and_community_rows(
    public_community: Community, people: list[User], clean_log: None
) -> None:
    owner, moderator, member, p1, p2, _p3 = people
    c = public_community
    ev("topic.created", member, c, at(D, 9), topic_id=None)
    ev("post.created", moderator, c, at(D, 10), number=2, topic_author_id=member.pk)
    ev(
        "post.created",
        p1,
        c,
        at(D, 11),
        number=3,
        topic_author_id=member.pk,
        reply_to_author_id=moderator.pk,
    )
    ev("post.created", member, c, at(D, 12), number=4, topic_author_id=member.pk)
    ev("reaction.added", owner, c, at(D, 13), post_author_id=member.pk)
    ev("reaction.added", member, c, at(D, 13), post_author_id=member.pk)
    ev("answer.accepted", member, c, at(D, 14), answer_author_id=moderator.pk)
    ev("poll.voted", p2, c, at(D, 15))
    ev("community.visited", p2, c, at(D, 15))
    ev("community.visited", p2, c, at(D, 16))
    ev("community.visited", owner, c, at(D, 16))
    ev("post.rejected", owner, c, at(D, 17), author_id=p1.pk)
    ev("topic.read", p1, c, at(D, 18))

    report = rollups.run_rollups(now=NOON)

    assert report.events == 13
    assert member_day(c, member, D) == {
        "engaged": 3,
        "topics": 1,
        "replies": 1,
        "reactions": 1,
        "replies_received": 1,
        "reactions_received": 1,
    }
    assert member_day(c, moderator, D) == {
        "engaged": 1,
        "replies": 1,
        "replies_given": 1,
        "replies_received": 1,
        "accepted_answers": 1,
    }
    assert member_day(c, p1, D) == {"engaged": 1, "replies": 1, "replies_given": 1}
    assert member_day(c, owner, D) == {"engaged": 1, "reactions": 1, "visits": 1}
    assert member_day(c, p2, D) == {"engaged": 1, "responses": 1, "visits": 2}
    assert community_day(c, D) == {
        "dau": 5,
        "wau": 5,
        "mau": 5,
        "engaged_events": 7,
        "topics": 1,
        "replies": 3,
        "reactions": 2,
        "responses": 1,
        "posters": 3,
        "reactors": 2,
        "member_posts": 4,
        "visits": 3,
        "visitors": 2,
    }
    assert community_day(c, D, Scope.MEMBERS) == community_day(c, D)
    state = RollupState.objects.get(name="daily")
    assert state.last_event_id == Event.objects.order_by("-id").values_list("id", flat=True)[0]
    assert (state.last_run_events, state.last_run_days, state.last_run_at) == (13, 1, NOON)


def test_days_are_the_community_s_local_days(
    public_community: Community, member: User, clean_log: None
) -> None:
    Community.objects.filter(pk=public_community.pk).update(timezone="Europe/Rome")
    c = public_community
    ev("reaction.added", member, c, datetime(2026, 3, 10, 23, 30, tzinfo=UTC))  # 00:30 on 11th
    ev("reaction.added", member, c, datetime(2026, 3, 10, 22, 59, tzinfo=UTC))  # 23:59 on 10th
    ev("reaction.added", member, c, datetime(2026, 7, 10, 22, 30, tzinfo=UTC))  # CEST: 11 July
    ev("reaction.added", member, c, datetime(2026, 7, 10, 21, 59, tzinfo=UTC))  # 23:59 10 July

    rollups.run_rollups(now=datetime(2026, 7, 20, tzinfo=UTC))

    days = dict(MemberDay.objects.filter(user=member).values_list("day", "reactions"))
    assert days == {
        date(2026, 3, 10): 1,
        date(2026, 3, 11): 1,
        date(2026, 7, 10): 1,
        date(2026, 7, 11): 1,
    }


def test_day_bounds_follow_daylight_saving() -> None:
    rome = rollups.community_zone("Europe/Rome")
    assert rollups.day_start(date(2026, 3, 10), rome) == datetime(2026, 3, 9, 23, tzinfo=UTC)
    assert rollups.day_start(date(2026, 7, 10), rome) == datetime(2026, 7, 9, 22, tzinfo=UTC)
    assert rollups.community_zone("Mars/Olympus") is UTC


def test_dau_wau_mau_windows_and_quiet_days(
    public_community: Community, people: list[User], clean_log: None
) -> None:
    _owner, _moderator, member, p1, p2, _p3 = people
    c = public_community
    ev("reaction.added", member, c, at(D))
    ev("reaction.added", p1, c, at(D + timedelta(days=3)))
    ev("reaction.added", p2, c, at(D + timedelta(days=10)))
    ev("community.visited", p2, c, at(D + timedelta(days=12)))

    rollups.run_rollups(now=at(D + timedelta(days=40)))

    def figures(offset: int) -> tuple[int, int, int]:
        row = CommunityDay.objects.get(
            community=c, day=D + timedelta(days=offset), scope=Scope.EVERYONE
        )
        return row.dau, row.wau, row.mau

    assert figures(0) == (1, 1, 1)
    assert figures(1) == (0, 1, 1)
    assert figures(3) == (1, 2, 2)
    assert figures(6) == (0, 2, 2)
    assert figures(7) == (0, 1, 2)  # D left the week [D+1, D+7]
    assert figures(10) == (1, 1, 3)
    assert figures(12) == (0, 1, 3)
    assert figures(29) == (0, 0, 3)
    assert figures(30) == (0, 0, 2)  # D left the month
    assert figures(39) == (0, 0, 1)
    assert figures(40) == (0, 0, 0)  # today: the visit's window reaches it
    assert not CommunityDay.objects.filter(community=c, day__gt=D + timedelta(days=40)).exists()
    assert not CommunityDay.objects.filter(community=c, day__lt=D).exists()
    assert CommunityDay.objects.filter(community=c).count() == 41 * 2


def test_staff_brand_and_bots_are_left_out_of_the_members_scope(
    public_community: Community, people: list[User], clean_log: None
) -> None:
    owner, moderator, member, p1, _p2, _p3 = people
    c = public_community
    Membership.objects.filter(community=c, user=moderator).update(affiliation=Affiliation.STAFF)
    Membership.objects.filter(community=c, user=owner).update(affiliation=Affiliation.BRAND)
    Membership.objects.filter(community=c, user=p1).update(affiliation=Affiliation.AMBASSADOR)
    bot = testing.make_user("helper_bot", is_bot=True)
    testing.add_member(c, bot)
    for user in (owner, moderator, member, p1, bot):
        ev("topic.created", user, c, at(D))
    ev("community.visited", moderator, c, at(D))
    ev("membership.joined", bot, c, at(D))
    ev("membership.joined", member, c, at(D))

    rollups.run_rollups(now=NOON)

    assert community_day(c, D) == {
        "dau": 5,
        "wau": 5,
        "mau": 5,
        "engaged_events": 5,
        "topics": 5,
        "posters": 5,
        "member_posts": 2,
        "visits": 1,
        "visitors": 1,
        "joins": 2,
    }
    assert community_day(c, D, Scope.MEMBERS) == {
        "dau": 2,
        "wau": 2,
        "mau": 2,
        "engaged_events": 2,
        "topics": 2,
        "posters": 2,
        "member_posts": 2,
        "joins": 1,
    }


def test_running_twice_or_rebuilding_gives_the_same_rows(
    public_community: Community, people: list[User], clean_log: None
) -> None:
    owner, _moderator, member, p1, _p2, _p3 = people
    c = public_community
    for offset in range(5):
        ev("reaction.added", member, c, at(D + timedelta(days=offset)), post_author_id=p1.pk)
        ev("post.created", owner, c, at(D + timedelta(days=offset), 20), topic_author_id=p1.pk)
    rollups.run_rollups(now=LATER + timedelta(days=5))
    first = snapshot()

    RollupState.objects.update(last_event_id=0)
    rollups.run_rollups(now=LATER + timedelta(days=5))
    assert snapshot() == first

    rollups.rebuild_community(c, now=LATER + timedelta(days=5))
    assert snapshot() == first


def test_small_batches_give_the_same_rows_as_one(
    public_community: Community, people: list[User], clean_log: None
) -> None:
    owner, _moderator, member, p1, _p2, _p3 = people
    c = public_community
    for offset in range(6):
        ev("reaction.added", member, c, at(D + timedelta(days=offset)), post_author_id=p1.pk)
        ev("topic.created", owner, c, at(D + timedelta(days=offset // 2), 20))
    report = rollups.run_rollups(now=LATER, batch=5)
    assert report.batches == 3
    small = snapshot()
    RollupState.objects.update(last_event_id=0)
    rollups.run_rollups(now=LATER)
    assert snapshot() == small


def test_a_crash_mid_run_leaves_whole_batches_only(
    public_community: Community, member: User, clean_log: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = public_community
    events = [ev("reaction.added", member, c, at(D + timedelta(days=n))) for n in range(4)]
    original = rollups._community_days
    calls = {"n": 0}

    def crash_on_second_batch(community_id: int, days: set[date]) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            original(community_id, days)
            raise RuntimeError("worker killed")
        original(community_id, days)

    monkeypatch.setattr(rollups, "_community_days", crash_on_second_batch)
    with pytest.raises(RuntimeError):
        rollups.run_rollups(now=LATER + timedelta(days=5), batch=2)

    assert RollupState.objects.get(name="daily").last_event_id == events[1].pk
    assert set(MemberDay.objects.values_list("day", flat=True)) == {D, D + timedelta(days=1)}
    assert not CommunityDay.objects.filter(day__gte=D + timedelta(days=2), dau__gt=0).exists()

    monkeypatch.setattr(rollups, "_community_days", original)
    rollups.run_rollups(now=LATER + timedelta(days=5), batch=2)
    crashed_then_resumed = snapshot()
    RollupState.objects.update(last_event_id=0)
    rollups.run_rollups(now=LATER + timedelta(days=5))
    assert snapshot() == crashed_then_resumed
    assert MemberDay.objects.count() == 4


def test_an_event_that_committed_late_is_still_counted(
    public_community: Community, member: User, moderator: User, clean_log: None
) -> None:
    c = public_community
    ev("reaction.added", member, c, NOON - timedelta(minutes=10))
    rollups.run_rollups(now=NOON)
    # Its id was taken before the cursor moved past it, its transaction ended later.
    late = ev("reaction.added", moderator, c, NOON - timedelta(minutes=1))
    RollupState.objects.update(last_event_id=late.pk)

    report = rollups.run_rollups(now=NOON + timedelta(minutes=5))

    assert report.events == 0
    assert report.days == 1
    assert community_day(c, D)["dau"] == 2
    assert MemberDay.objects.filter(user=moderator, day=D, reactions=1).exists()


def test_quiet_days_after_activity_get_their_rows_on_later_runs(
    public_community: Community, member: User, clean_log: None
) -> None:
    c = public_community
    ev("reaction.added", member, c, at(D))
    rollups.run_rollups(now=at(D, 18))
    assert CommunityDay.objects.filter(community=c).count() == 2

    rollups.run_rollups(now=at(D + timedelta(days=3)))

    rows = CommunityDay.objects.filter(community=c, scope=Scope.EVERYONE).order_by("day")
    assert [(row.day, row.dau, row.wau, row.mau) for row in rows] == [
        (D + timedelta(days=n), int(n == 0), 1, 1) for n in range(4)
    ]


def test_topic_facts_first_reply_by_someone_else_and_deletion(
    public_community: Community, member: User, moderator: User, owner: User
) -> None:
    from cerchia.discussions.actions import delete_post

    Community.objects.filter(pk=public_community.pk).update(timezone="America/New_York")
    public_community.refresh_from_db()
    topic = testing.make_topic(public_community, member)
    testing.make_reply(topic, member)
    rollups.run_rollups()
    fact = TopicFact.objects.get(topic=topic)
    assert fact.first_reply_at is None
    assert fact.first_reply_seconds is None
    assert fact.author_id == member.pk
    assert fact.community_id == public_community.pk
    assert fact.created_on == rollups.local_day(
        topic.created_at, rollups.community_zone("America/New_York")
    )

    reply = testing.make_reply(topic, moderator)
    testing.make_reply(topic, owner)
    rollups.run_rollups()
    fact.refresh_from_db()
    replied = Event.objects.get(kind="post.created", subject_id=reply.pk).created_at
    assert fact.first_reply_at == replied
    assert fact.first_reply_seconds == int((replied - topic.created_at).total_seconds())
    assert not fact.deleted

    opening = topic.posts.get(number=1)
    from django.db import transaction

    with transaction.atomic():
        delete_post(member, opening)
    rollups.run_rollups()
    fact.refresh_from_db()
    assert fact.deleted
    assert fact.first_reply_at == replied


def test_member_facts(public_community: Community, people: list[User], clean_log: None) -> None:
    _owner, _moderator, member, p1, _p2, _p3 = people
    c = public_community
    ev("membership.joined", member, c, at(D))
    ev("reaction.added", member, c, at(D + timedelta(days=2)))
    ev("post.created", member, c, at(D + timedelta(days=4)), topic_author_id=p1.pk)
    ev("community.visited", member, c, at(D + timedelta(days=6)))
    ev("membership.joined", member, c, at(D + timedelta(days=8)))  # left and came back
    ev("poll.voted", member, c, at(D + timedelta(days=9)))
    rollups.run_rollups(now=LATER + timedelta(days=20), batch=2)
    fact = MemberFact.objects.get(community=c, user=member)
    assert (fact.joined_on, fact.first_post_on, fact.first_engaged_on, fact.last_engaged_on) == (
        D,
        D + timedelta(days=4),
        D + timedelta(days=2),
        D + timedelta(days=9),
    )
    assert community_day(c, D)["joins"] == 1
    assert "joins" not in community_day(c, D + timedelta(days=8))


def test_an_erased_member_is_still_counted(
    public_community: Community, member: User, owner: User
) -> None:
    from cerchia.accounts.actions import delete_account

    topic = testing.make_topic(public_community, owner)
    testing.make_reply(topic, member)
    delete_account(member, member, password=testing.PASSWORD, posts="remove")

    rollups.run_rollups()

    today = rollups.local_day(topic.created_at, UTC)
    assert MemberDay.objects.filter(user=member, replies=1).exists()
    assert community_day(public_community, today)["dau"] == 2
    assert TopicFact.objects.get(topic=topic).first_reply_at is not None


def test_host_approval_of_a_held_post_is_not_an_engaged_event_of_the_host(
    public_community: Community, owner: User, member: User, clean_log: None
) -> None:
    ev("post.approved", owner, public_community, at(D), author_id=member.pk)
    rollups.run_rollups(now=NOON)
    assert not MemberDay.objects.exists()


def test_a_reply_that_names_a_vanished_user_is_not_fatal(
    public_community: Community, member: User, clean_log: None
) -> None:
    ev("post.created", member, public_community, at(D), topic_author_id=999_999)
    ev("reaction.added", None, public_community, at(D), post_author_id=member.pk)
    rollups.run_rollups(now=NOON)
    assert member_day(public_community, member, D) == {
        "engaged": 1,
        "replies": 1,
        "replies_given": 1,
    }


def test_registering_an_engaged_kind(
    public_community: Community, member: User, clean_log: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(rollups.ENGAGED_KINDS, "quiz.answered", "responses")
    ev("quiz.answered", member, public_community, at(D))
    rollups.run_rollups(now=NOON)
    assert member_day(public_community, member, D) == {"engaged": 1, "responses": 1}
    with pytest.raises(ValueError, match="unknown engaged column"):
        rollups.register_engaged_kind("quiz.answered", "visits")


def test_the_command_runs_and_rebuilds(
    public_community: Community, member: User, clean_log: None
) -> None:
    ev("reaction.added", member, public_community, at(D, 23, 30))
    out = StringIO()
    call_command("rollup", stdout=out)
    assert "Rolled up 1 event(s)" in out.getvalue()
    assert MemberDay.objects.get(user=member).day == D

    Community.objects.filter(pk=public_community.pk).update(timezone="Europe/Rome")
    call_command("rollup", "--rebuild", "--community", public_community.slug, stdout=out)
    assert MemberDay.objects.get(user=member).day == D + timedelta(days=1)
    assert f"Rebuilt {public_community.slug}" in out.getvalue()

    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("rollup", "--rebuild", "--community", "nowhere", stdout=out)
    with pytest.raises(CommandError):
        call_command("rollup", "--community", public_community.slug, stdout=out)


def test_the_periodic_task_is_scheduled_every_five_minutes() -> None:
    from cerchia.insights.tasks import roll_up_insights
    from cerchia.notifications.periodic import PERIODIC_TASKS

    entry = next(task for task in PERIODIC_TASKS if task.name == "roll_up_insights")
    assert entry.every == timedelta(minutes=5)
    assert entry.task() is roll_up_insights


def test_the_task_runs_the_rollups(public_community: Community, member: User) -> None:
    from cerchia.insights.tasks import roll_up_insights

    testing.make_topic(public_community, member)
    assert roll_up_insights.call() >= 1
    assert RollupState.objects.get(name="daily").last_event_id > 0
