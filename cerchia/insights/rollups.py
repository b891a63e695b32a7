"""Daily rollups: the event log folded into member days, community days, topic and member facts.

``run_rollups`` reads the events after ``RollupState(name="daily").last_event_id`` in batches.
For every (community, local day) a batch touches it rebuilds that day's ``MemberDay`` rows from
all of that day's events (delete, then insert), updates ``TopicFact`` and ``MemberFact`` from
the same events, and rebuilds ``CommunityDay`` (both scopes) for that day and the 29 days after
it, up to today, because WAU and MAU look back 7 and 30 days. A batch's rows and the advanced
cursor commit in one transaction, so a run can crash or run twice without leaving half a day.

Days are the community's local days (``Community.timezone``); their bounds are computed here,
in Python, so SQLite and PostgreSQL count the same days. Dashboards read only these tables.

Kinds that count are registries (``ENGAGED_KINDS`` and friends): an app that adds an engaged
action (a poll vote, an RSVP) records its event and registers its kind, nothing else.
"""

from __future__ import annotations

import logging
import time as monotonic
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from cerchia.insights.models import (
    CommunityDay,
    Event,
    MemberDay,
    MemberFact,
    RollupState,
    Scope,
    TopicFact,
)

if TYPE_CHECKING:
    from cerchia.communities.models import Community

logger = logging.getLogger(__name__)

#: The name of the daily rollup's row in ``RollupState``.
STATE_NAME = "daily"
#: Events read per batch (one transaction each).
BATCH_SIZE = 10_000
#: WAU looks back over 7 days, MAU over 30: a day's events change the 29 days after it.
WINDOW_DAYS = 30
WEEK_DAYS = 7
#: On PostgreSQL an event can commit after one with a higher id was read (its id was taken
#: first, its transaction ended later), so the cursor may already be past it. Each run
#: therefore also rebuilds the days of the events created in this window before the previous
#: run started. A transaction that stays open longer than this is not caught.
LATE_COMMIT_WINDOW = timedelta(minutes=5)
#: Bound the size of ``IN (...)`` lists (SQLite allows a limited number of parameters).
CHUNK = 500

#: Engaged events: kind → the ``MemberDay`` column it counts in. ``engaged`` is their sum.
#: ``post.created`` counts as a reply only when the payload says it is not an opening post.
#: A held post that hosts approve later is published by ``create_topic``/``create_reply``
#: acting as its author, which records ``topic.created``/``post.created`` for the AUTHOR at
#: approval time; ``post.approved`` itself is therefore not counted again.
ENGAGED_KINDS: dict[str, str] = {
    "topic.created": "topics",
    "post.created": "replies",
    "reaction.added": "reactions",
    # Poll and survey answers, votes and RSVPs, for the apps that record them.
    "poll.voted": "responses",
    "poll.answered": "responses",
    "survey.answered": "responses",
    "idea.voted": "responses",
    "event.rsvp": "responses",
}
ENGAGED_COLUMNS = ("topics", "replies", "reactions", "responses")
#: A member viewing a page of the community (never engaged).
VISIT_KIND = "community.visited"
#: The actor became a member (the owner of a new community joins it by creating it).
JOIN_KINDS = frozenset({"membership.joined", "community.created"})
#: The payload's ``answer_author_id`` gets an accepted answer.
ACCEPTED_KIND = "answer.accepted"
#: Events after which a topic's fact is re-read from the topic (deleted, restored, moved).
TOPIC_STATE_KINDS = frozenset(
    {"topic.deleted", "topic.restored", "post.restored", "topic.moved", "topic.moved_out"}
)


def register_engaged_kind(kind: str, column: str = "responses") -> None:
    """Count events of ``kind`` as engaged, in ``column`` of ``MemberDay``."""
    if column not in ENGAGED_COLUMNS:
        raise ValueError(f"unknown engaged column {column!r}")
    ENGAGED_KINDS[kind] = column


def rollup_kinds() -> list[str]:
    """Every event kind the rollups read."""
    kinds = set(ENGAGED_KINDS) | JOIN_KINDS | TOPIC_STATE_KINDS | {VISIT_KIND, ACCEPTED_KIND}
    return sorted(kinds)


@dataclass
class RollupReport:
    """What one run did."""

    events: int = 0
    days: int = 0
    batches: int = 0
    last_event_id: int = 0
    seconds: float = 0.0

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


# --- Days and timezones -------------------------------------------------------------------


def community_zone(name: str) -> tzinfo:
    """The zone a community counts its days in (UTC when the name is unknown)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local_day(moment: datetime, zone: tzinfo) -> date:
    """The local day ``moment`` falls on in ``zone``."""
    return moment.astimezone(zone).date()


def day_start(day: date, zone: tzinfo) -> datetime:
    """The first instant of local ``day`` in ``zone``, as an aware UTC datetime."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def _runs(days: Iterable[date]) -> Iterator[tuple[date, date]]:
    """Contiguous runs of days, each as (first, last)."""
    ordered = sorted(set(days))
    if not ordered:
        return
    first = last = ordered[0]
    for day in ordered[1:]:
        if day == last + timedelta(days=1):
            last = day
            continue
        yield first, last
        first = last = day
    yield first, last


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _chunks[T](items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- One community's days -----------------------------------------------------------------


@dataclass
class _Loaded:
    """A community's rollup events of some days: (kind, actor, created_at, payload, subject)."""

    by_day: dict[date, list[tuple[str, int | None, datetime, dict[str, Any], int | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )


def _load_events(community_id: int, zone: tzinfo, days: Iterable[date]) -> _Loaded:
    loaded = _Loaded()
    kinds = rollup_kinds()
    for first, last in _runs(days):
        rows = (
            Event.objects.filter(
                community_id=community_id,
                kind__in=kinds,
                created_at__gte=day_start(first, zone),
                created_at__lt=day_start(last + timedelta(days=1), zone),
            )
            .order_by("id")
            .values_list("kind", "actor_id", "created_at", "payload", "subject_id")
        )
        for kind, actor_id, created_at, payload, subject_id in rows.iterator(chunk_size=5000):
            payload = payload if isinstance(payload, dict) else {}
            loaded.by_day[local_day(created_at, zone)].append(
                (kind, actor_id, created_at, payload, subject_id)
            )
    return loaded


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _is_reply(payload: dict[str, Any]) -> bool:
    number = _int(payload.get("number"))
    return number is None or number > 1


#: The counters of a member day besides ``engaged``.
MEMBER_DAY_COUNTERS = (
    *ENGAGED_COLUMNS,
    "accepted_answers",
    "replies_given",
    "replies_received",
    "reactions_received",
    "visits",
)


def _insert(model: type[MemberDay] | type[CommunityDay], rows: list[dict[str, Any]]) -> None:
    """Insert plain rows (keys are column names) with one prepared statement: the rollups
    write many small rows, and building a model instance for each cost more than the
    database's work."""
    if not rows:
        return
    names = list(rows[0])
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in names)  # the columns' own names
    marks = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - names from the model
    adapt = connection.ops.adapt_datefield_value
    values = [
        tuple(adapt(row[name]) if name == "day" else row[name] for name in names) for row in rows
    ]
    with connection.cursor() as cursor:
        for chunk in _chunks(values, 2000):
            cursor.executemany(sql, chunk)


def _existing_users(ids: set[int]) -> set[int]:
    from cerchia.accounts.models import User

    found: set[int] = set()
    for chunk in _chunks(sorted(ids)):
        found.update(User.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


def _member_days(loaded: _Loaded) -> dict[tuple[int, date], dict[str, int]]:
    """Each member's counters per day, from the day's events."""
    rows: dict[tuple[int, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, events in loaded.by_day.items():
        for kind, actor, _at, payload, _subject in events:
            column = ENGAGED_KINDS.get(kind)
            if kind == "post.created" and not _is_reply(payload):
                column = None
            if column is not None and actor is not None:
                rows[actor, day][column] += 1
            if kind == "post.created" and column is not None and actor is not None:
                target = _int(payload.get("reply_to_author_id"))
                if target is None:
                    target = _int(payload.get("topic_author_id"))
                if target is not None and target != actor:
                    rows[actor, day]["replies_given"] += 1
                    rows[target, day]["replies_received"] += 1
            elif kind == "reaction.added" and actor is not None:
                author = _int(payload.get("post_author_id"))
                if author is not None and author != actor:
                    rows[author, day]["reactions_received"] += 1
            elif kind == ACCEPTED_KIND:
                author = _int(payload.get("answer_author_id"))
                if author is not None:
                    rows[author, day]["accepted_answers"] += 1
            elif kind == VISIT_KIND and actor is not None:
                rows[actor, day]["visits"] += 1
    return rows


def _write_member_days(
    community_id: int, days: set[date], counters: dict[tuple[int, date], dict[str, int]]
) -> None:
    valid = _existing_users({user for user, _day in counters})
    for chunk in _chunks(sorted(days)):
        MemberDay.objects.filter(community_id=community_id, day__in=chunk).delete()
    fresh = []
    for (user, day), values in counters.items():
        if user not in valid or day not in days:
            continue
        engaged = sum(values.get(column, 0) for column in ENGAGED_COLUMNS)
        fresh.append(
            {"community_id": community_id, "user_id": user, "day": day, "engaged": engaged}
            | {column: values.get(column, 0) for column in MEMBER_DAY_COUNTERS}
        )
    _insert(MemberDay, fresh)


def _update_member_facts(community_id: int, loaded: _Loaded) -> None:
    """Joined, first post, first and last engaged day: min/max, so replaying is harmless."""
    found: dict[int, list[date | None]] = {}

    def note(user: int, index: int, day: date, latest: bool = False) -> None:
        values = found.setdefault(user, [None, None, None, None])
        current = values[index]
        if current is None or (day > current if latest else day < current):
            values[index] = day

    for day, events in loaded.by_day.items():
        for kind, actor, _at, payload, _subject in events:
            if actor is None:
                continue
            if kind in JOIN_KINDS:
                note(actor, 0, day)
            column = ENGAGED_KINDS.get(kind)
            if column is None or (kind == "post.created" and not _is_reply(payload)):
                continue
            if column in ("topics", "replies"):
                note(actor, 1, day)
            note(actor, 2, day)
            note(actor, 3, day, latest=True)
    if not found:
        return
    valid = _existing_users(set(found))
    users = sorted(user for user in found if user in valid)
    existing: dict[int, MemberFact] = {}
    for chunk in _chunks(users):
        for row in MemberFact.objects.filter(community_id=community_id, user_id__in=chunk):
            existing[row.user_id] = row
    names = ("joined_on", "first_post_on", "first_engaged_on", "last_engaged_on")
    fresh: list[MemberFact] = []
    changed: list[MemberFact] = []
    for user in users:
        values = found[user]
        fact = existing.get(user)
        if fact is None:
            fresh.append(
                MemberFact(
                    community_id=community_id, user_id=user, **dict(zip(names, values, strict=True))
                )
            )
            continue
        dirty = False
        for index, name in enumerate(names):
            new, old = values[index], getattr(fact, name)
            if new is None:
                continue
            better = old is None or (new > old if name == "last_engaged_on" else new < old)
            if better:
                setattr(fact, name, new)
                dirty = True
        if dirty:
            changed.append(fact)
    MemberFact.objects.bulk_create(fresh, batch_size=1000)
    if changed:
        MemberFact.objects.bulk_update(changed, list(names), batch_size=500)


def _update_topic_facts(loaded: _Loaded, zones: _Zones) -> None:
    """Topic facts mirror the topic (community, author, creation, deleted) plus the earliest
    reply by someone other than its author."""
    from cerchia.discussions.models import Topic

    topic_ids: set[int] = set()
    replies: list[tuple[int, int | None, datetime]] = []
    for events in loaded.by_day.values():
        for kind, actor, created_at, payload, subject in events:
            topic_id = _int(payload.get("topic_id"))
            if kind == "topic.created":
                topic_id = topic_id if topic_id is not None else subject
            elif kind == "post.created":
                if topic_id is not None and _is_reply(payload):
                    replies.append((topic_id, actor, created_at))
            elif kind not in TOPIC_STATE_KINDS:
                continue
            if topic_id is not None:
                topic_ids.add(topic_id)
    if not topic_ids:
        return
    topics: list[tuple[int, int, int | None, datetime, datetime | None]] = []
    existing: dict[int, TopicFact] = {}
    for chunk in _chunks(sorted(topic_ids)):
        topics.extend(
            Topic.objects.filter(pk__in=chunk).values_list(
                "pk", "community_id", "author_id", "created_at", "deleted_at"
            )
        )
        existing.update(TopicFact.objects.in_bulk(list(chunk)))
    authors = {pk: author for pk, _c, author, _at, _d in topics}
    first_reply: dict[int, datetime] = {}
    for topic_id, actor, created_at in replies:
        if topic_id not in authors or (actor is not None and actor == authors[topic_id]):
            continue
        if topic_id not in first_reply or created_at < first_reply[topic_id]:
            first_reply[topic_id] = created_at
    zones.preload({community for _pk, community, _a, _at, _d in topics})
    fresh: list[TopicFact] = []
    changed: list[TopicFact] = []
    for pk, community_id, author_id, created_at, deleted_at in topics:
        fact = existing.get(pk)
        reply_at = first_reply.get(pk)
        earlier = fact.first_reply_at if fact is not None else None
        if earlier is not None and (reply_at is None or earlier < reply_at):
            reply_at = earlier
        seconds = None
        if reply_at is not None:
            seconds = max(0, int((reply_at - created_at).total_seconds()))
        values = {
            "community_id": community_id,
            "author_id": author_id,
            "created_at": created_at,
            "created_on": local_day(created_at, zones.get(community_id)),
            "first_reply_at": reply_at,
            "first_reply_seconds": seconds,
            "deleted": deleted_at is not None,
        }
        if fact is None:
            fresh.append(TopicFact(topic_id=pk, **values))
        elif any(getattr(fact, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(fact, name, value)
            changed.append(fact)
    TopicFact.objects.bulk_create(fresh, batch_size=1000)
    if changed:
        TopicFact.objects.bulk_update(
            changed,
            [
                "community_id",
                "author_id",
                "created_at",
                "created_on",
                "first_reply_at",
                "first_reply_seconds",
                "deleted",
            ],
            batch_size=500,
        )


def _excluded_members(community_id: int) -> set[int]:
    """Members whose affiliation is staff or brand (bots are read with their days)."""
    from cerchia.communities.models import Affiliation, Membership

    return set(
        Membership.objects.filter(
            community_id=community_id, affiliation__in=[Affiliation.STAFF, Affiliation.BRAND]
        ).values_list("user_id", flat=True)
    )


def _community_days(community_id: int, days: set[date]) -> None:
    """Rebuild ``CommunityDay`` of ``days`` (both scopes) from the member days."""
    if not days:
        return
    first, last = min(days), max(days)
    rows = MemberDay.objects.filter(
        community_id=community_id,
        day__gte=first - timedelta(days=WINDOW_DAYS - 1),
        day__lte=last,
    ).values_list(
        "user_id",
        "day",
        "engaged",
        "topics",
        "replies",
        "reactions",
        "responses",
        "visits",
        "user__is_bot",
    )
    excluded = _excluded_members(community_id)
    engaged_on: dict[date, set[int]] = defaultdict(set)
    of_day: dict[date, list[tuple[int, int, int, int, int, int, int]]] = defaultdict(list)
    for user, day, engaged, topics, replies, reactions, responses, visits, is_bot in rows:
        if is_bot:
            excluded.add(user)
        if engaged:
            engaged_on[day].add(user)
        if day >= first:
            of_day[day].append((user, engaged, topics, replies, reactions, responses, visits))
    joins: dict[date, list[int]] = defaultdict(list)
    for user, joined_on in MemberFact.objects.filter(
        community_id=community_id, joined_on__gte=first, joined_on__lte=last
    ).values_list("user_id", "joined_on"):
        if joined_on is not None:
            joins[joined_on].append(user)
    fresh = []
    for day in sorted(days):
        member_posts = sum(
            topics + replies
            for user, _e, topics, replies, _r, _s, _v in of_day.get(day, [])
            if user not in excluded
        )
        for scope in (Scope.MEMBERS, Scope.EVERYONE):
            keep = excluded if scope == Scope.MEMBERS else set()

            def active(offset: int, keep: set[int] = keep, day: date = day) -> set[int]:
                users: set[int] = set()
                for back in range(offset):
                    users |= engaged_on.get(day - timedelta(days=back), set())
                return users - keep

            counted = [row for row in of_day.get(day, []) if row[0] not in keep]
            fresh.append(
                {
                    "community_id": community_id,
                    "day": day,
                    "scope": str(scope),
                    "dau": len(active(1)),
                    "wau": len(active(WEEK_DAYS)),
                    "mau": len(active(WINDOW_DAYS)),
                    "engaged_events": sum(row[1] for row in counted),
                    "topics": sum(row[2] for row in counted),
                    "replies": sum(row[3] for row in counted),
                    "reactions": sum(row[4] for row in counted),
                    "responses": sum(row[5] for row in counted),
                    "posters": sum(1 for row in counted if row[2] + row[3]),
                    "reactors": sum(1 for row in counted if row[4]),
                    "member_posts": member_posts,
                    "visits": sum(row[6] for row in counted),
                    "visitors": sum(1 for row in counted if row[6]),
                    "joins": sum(1 for user in joins.get(day, []) if user not in keep),
                }
            )
    for chunk in _chunks(sorted(days)):
        CommunityDay.objects.filter(community_id=community_id, day__in=chunk).delete()
    _insert(CommunityDay, fresh)


class _Zones:
    """Communities' timezones, read once per batch."""

    def __init__(self) -> None:
        self._zones: dict[int, tzinfo] = {}

    def preload(self, ids: Iterable[int]) -> None:
        from cerchia.communities.models import Community

        missing = sorted(set(ids) - set(self._zones))
        for chunk in _chunks(missing):
            for pk, name in Community.objects.filter(pk__in=chunk).values_list("pk", "timezone"):
                self._zones[pk] = community_zone(name)

    def get(self, community_id: int) -> tzinfo:
        if community_id not in self._zones:
            self.preload([community_id])
        return self._zones.get(community_id, UTC)


def _window(days: Iterable[date], today: date) -> set[date]:
    """The community days a change on ``days`` affects: each day and the 29 after it, up to
    today (a day in the future still gets its own row)."""
    window: set[date] = set()
    for day in days:
        end = max(day, min(day + timedelta(days=WINDOW_DAYS - 1), today))
        window.update(_span(day, end))
    return window


def _rebuild_days(
    community_id: int, zone: tzinfo, days: set[date], now: datetime, zones: _Zones
) -> None:
    """Inside a transaction: rebuild one community's member days, facts and community days."""
    loaded = _load_events(community_id, zone, days)
    _write_member_days(community_id, days, _member_days(loaded))
    _update_member_facts(community_id, loaded)
    _update_topic_facts(loaded, zones)
    _community_days(community_id, _window(days, local_day(now, zone)))


# --- Runs ---------------------------------------------------------------------------------


def _state() -> RollupState:
    try:
        state, _created = RollupState.objects.get_or_create(name=STATE_NAME)
    except IntegrityError:
        state = RollupState.objects.get(name=STATE_NAME)
    return state


def _late_ranges(state: RollupState) -> dict[int, tuple[datetime, datetime]]:
    """Per community, the span of already-read events created just before the previous run."""
    if state.last_run_at is None or not state.last_event_id:
        return {}
    rows = (
        Event.objects.filter(
            id__lte=state.last_event_id,
            created_at__gte=state.last_run_at - LATE_COMMIT_WINDOW,
            community__isnull=False,
            kind__in=rollup_kinds(),
        )
        .values("community_id")
        .annotate(first=Min("created_at"), last=Max("created_at"))
        .order_by()
    )
    return {row["community_id"]: (row["first"], row["last"]) for row in rows}


def run_rollups(*, now: datetime | None = None, batch: int = BATCH_SIZE) -> RollupReport:
    """Fold every event not yet read into the rollups; safe to run twice or after a crash."""
    started = monotonic.monotonic()
    now = now or timezone.now()
    report = RollupReport()
    state = _state()
    late = _late_ranges(state)
    kinds = frozenset(rollup_kinds())
    while True:
        with transaction.atomic():
            state = RollupState.objects.select_for_update().get(pk=state.pk)
            rows = list(
                Event.objects.filter(id__gt=state.last_event_id)
                .order_by("id")
                .values_list("id", "community_id", "kind", "created_at")[:batch]
            )
            if not rows and not late:
                break
            zones = _Zones()
            zones.preload({row[1] for row in rows if row[1] is not None} | set(late))
            touched: dict[int, set[date]] = defaultdict(set)
            for _pk, community_id, kind, created_at in rows:
                if community_id is not None and kind in kinds:
                    touched[community_id].add(local_day(created_at, zones.get(community_id)))
            for community_id, (first, last) in late.items():
                zone = zones.get(community_id)
                touched[community_id].update(_span(local_day(first, zone), local_day(last, zone)))
            late = {}
            for community_id, days in sorted(touched.items()):
                _rebuild_days(community_id, zones.get(community_id), days, now, zones)
                report.days += len(days)
            report.events += len(rows)
            report.batches += 1
            if rows:
                state.last_event_id = rows[-1][0]
            state.last_run_at = now
            state.last_run_events = report.events
            state.last_run_days = report.days
            state.save(
                update_fields=["last_event_id", "last_run_at", "last_run_events", "last_run_days"]
            )
        if len(rows) < batch:
            break
    with transaction.atomic():
        extend_to_today(now)
        if not report.batches:
            RollupState.objects.filter(pk=state.pk).update(
                last_run_at=now, last_run_events=0, last_run_days=0
            )
    report.last_event_id = state.last_event_id
    report.seconds = monotonic.monotonic() - started
    return report


def extend_to_today(now: datetime | None = None) -> int:
    """Write the community days between a community's last row and today while its WAU/MAU
    windows still hold engaged members (quiet days add no events, yet the windows move)."""
    now = now or timezone.now()
    since = now.date() - timedelta(days=WINDOW_DAYS + 2)
    rows = (
        CommunityDay.objects.filter(day__gte=since, scope=Scope.EVERYONE)
        .values("community_id")
        .annotate(last=Max("day"), active=Max("day", filter=Q(dau__gt=0)))
        .order_by()
    )
    zones = _Zones()
    pending = [(row["community_id"], row["last"], row["active"]) for row in rows if row["active"]]
    zones.preload(community for community, _last, _active in pending)
    written = 0
    for community_id, last, active in pending:
        today = local_day(now, zones.get(community_id))
        end = min(today, active + timedelta(days=WINDOW_DAYS - 1))
        if last < end:
            days = set(_span(last + timedelta(days=1), end))
            _community_days(community_id, days)
            written += len(days)
    return written


def rebuild_community(community: Community, *, now: datetime | None = None) -> int:
    """Recompute all of a community's rollups from its events (after its timezone changed).

    Runs in one transaction; returns the number of local days rebuilt."""
    now = now or timezone.now()
    zone = community_zone(community.timezone)
    zones = _Zones()
    with transaction.atomic():
        MemberDay.objects.filter(community=community).delete()
        CommunityDay.objects.filter(community=community).delete()
        MemberFact.objects.filter(community=community).delete()
        bounds = Event.objects.filter(community=community, kind__in=rollup_kinds()).aggregate(
            first=Min("created_at"), last=Max("created_at")
        )
        if bounds["first"] is None:
            return 0
        first, last = local_day(bounds["first"], zone), local_day(bounds["last"], zone)
        days = _span(first, last)
        for chunk in _chunks(days, 31):
            loaded = _load_events(community.pk, zone, chunk)
            _write_member_days(community.pk, set(chunk), _member_days(loaded))
            _update_member_facts(community.pk, loaded)
            _update_topic_facts(loaded, zones)
        today = max(local_day(now, zone), last)
        end = min(today, last + timedelta(days=WINDOW_DAYS - 1))
        for chunk in _chunks(_span(first, end), 62):
            _community_days(community.pk, set(chunk))
    return len(days)
