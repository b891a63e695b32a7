"""Insights at 10,000 and 1,000,000 events: the rollups' speed and the dashboard's response time.

Seeds, in one benchmark database, two communities with the same members (``--members``) over
the same ``--days``, one with 10,000 events and one with 1,000,000 (``--sizes``): topics,
replies, reactions, answers and visits, members' activity Zipf-distributed, quieter weekends.
Events are bulk-written (COPY on PostgreSQL), with the topic rows they name. After each
community is seeded the rollups run (``run_rollups``: time, events/s). Then, for both
communities in the same run, the dashboard of the last 30 days is measured: the metrics
alone (``build_dashboard``) and the whole page ``/c/<slug>/insights/`` through the Django test
client signed in as the owner (p50/p99 over ``--requests`` requests, queries per request),
and the ratio of the large community's times to the small one's is printed.

    .venv/bin/python bench/insights.py \\
        --database-url postgres://postgres@127.0.0.1:5432/cerchia_bench_insights

The database's name must contain ``bench``; it is emptied first.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from bisect import bisect
from collections import deque
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from common import BENCH_DIR, ROOT, bench_environment, check_database_url
from seed import prepare_database

#: Share of each kind among the generated events (the rest are reactions).
MIX = (
    ("community.visited", 0.25),
    ("topic.created", 0.04),
    ("post.created", 0.30),
    ("answer.accepted", 0.005),
)
WEEKDAY = (1.0, 0.95, 1.0, 0.9, 0.8, 0.5, 0.6)
COPY_BATCH = 50_000


def percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


class Seeder:
    def __init__(self, members: int, days: int, seed: int) -> None:
        from django.utils import timezone

        self.members = members
        self.days = days
        self.rng = random.Random(seed)
        self.now = timezone.now().replace(microsecond=0)
        self.start = self.now - timedelta(days=days)
        weights = [1 / (rank**1.1) for rank in range(1, members + 1)]
        self.cumulative = list(accumulate(weights))
        self.user_ids: list[int] = []
        self.owner_id = 0
        self.day_weights = list(
            accumulate(
                WEEKDAY[(self.start + timedelta(days=d)).weekday()] * (0.8 + 0.4 * d / days)
                for d in range(days)
            )
        )

    def people(self) -> None:
        from django.contrib.auth.hashers import make_password

        from cerchia.accounts.models import User

        password = make_password("bench")
        owner = User.objects.create(
            email="insights-owner@bench.example", handle="insights_owner", password=password
        )
        self.owner_id = owner.pk
        users = [
            User(
                email=f"insights{n}@bench.example",
                handle=f"insights_{n}",
                display_name=f"Member {n}",
                password=password,
                analytics_consent=n % 3 != 0,
            )
            for n in range(self.members)
        ]
        User.objects.bulk_create(users, batch_size=5000)
        self.user_ids = list(
            User.objects.filter(email__endswith="@bench.example")
            .exclude(pk=owner.pk)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    def actor(self) -> int:
        index = bisect(self.cumulative, self.rng.random() * self.cumulative[-1])
        return self.user_ids[min(index, len(self.user_ids) - 1)]

    def moment(self) -> datetime:
        day = bisect(self.day_weights, self.rng.random() * self.day_weights[-1])
        hour = self.rng.choice((7, 8, 9, 12, 13, 18, 19, 20, 21, 22))
        return self.start + timedelta(days=day, hours=hour, seconds=self.rng.randrange(3600))

    def community(self, events: int) -> Any:
        """A community with every member, ``events`` events and the topics they name."""
        from django.db import connection, transaction

        from cerchia.communities.models import Community, Membership, Role
        from cerchia.discussions.models import Topic
        from cerchia.insights.models import Event

        started = time.monotonic()
        with transaction.atomic():
            community = Community.objects.create(
                name=f"Insights {events:,}",
                slug=f"insights-{events}",
                tagline="Benchmark",
                created_by_id=self.owner_id,
                member_count=len(self.user_ids) + 1,
                timezone="Europe/Rome",
            )
            joined = [
                self.start + timedelta(hours=self.rng.randrange(24 * 30)) for _ in self.user_ids
            ]
            Membership.objects.bulk_create(
                [Membership(community=community, user_id=self.owner_id, role=Role.OWNER)]
                + [
                    Membership(community=community, user_id=user, joined_at=at)
                    for user, at in zip(self.user_ids, joined, strict=True)
                ],
                batch_size=5000,
            )
            moments = sorted(self.moment() for _ in range(events - len(self.user_ids)))
            kinds = []
            topics: list[Topic] = []
            for _at in moments:
                roll, kind = self.rng.random(), "reaction.added"
                for name, share in MIX:
                    if roll < share:
                        kind = name
                        break
                    roll -= share
                kinds.append(kind)
            for at, kind in zip(moments, kinds, strict=True):
                if kind == "topic.created":
                    author = self.actor()
                    topics.append(
                        Topic(
                            community=community,
                            author_id=author,
                            title="A benchmark topic",
                            created_at=at,
                            last_posted_at=at,
                            last_poster_id=author,
                            last_post_number=1,
                        )
                    )
            Topic.objects.bulk_create(topics, batch_size=5000)
            topic_iter = iter(topics)
            recent: deque[tuple[int, int, datetime]] = deque(maxlen=40)
            rows: list[tuple[Any, ...]] = [
                ("membership.joined", user, at, {"via": "open"}, None)
                for user, at in zip(self.user_ids, joined, strict=True)
            ]
            rows.sort(key=lambda row: row[2])
            for at, kind in zip(moments, kinds, strict=True):
                actor = self.actor()
                payload: dict[str, Any] = {}
                subject = None
                if kind == "topic.created":
                    topic = next(topic_iter)
                    actor = topic.author_id or actor
                    subject = topic.pk
                    payload = {"topic_id": topic.pk, "topic_kind": "discussion"}
                    recent.append((topic.pk, actor, at))
                elif recent and kind in ("post.created", "reaction.added", "answer.accepted"):
                    topic_id, author, _created = self.rng.choice(recent)
                    if kind == "post.created":
                        payload = {
                            "topic_id": topic_id,
                            "number": self.rng.randint(2, 40),
                            "topic_author_id": author,
                            "reply_to_author_id": None,
                        }
                    elif kind == "reaction.added":
                        payload = {
                            "topic_id": topic_id,
                            "reaction": "heart",
                            "post_author_id": author,
                        }
                    else:
                        payload = {"topic_id": topic_id, "answer_author_id": self.actor()}
                        actor = author
                elif kind != "community.visited":
                    kind = "community.visited"
                rows.append((kind, actor, at, payload, subject))
            rows.sort(key=lambda row: row[2])
            if connection.vendor == "postgresql":
                import json

                with connection.cursor() as cursor:
                    sql = (
                        "COPY insights_event (kind, actor_id, community_id, subject_type, "
                        "subject_id, payload, created_at) FROM STDIN"
                    )
                    with cursor.cursor.copy(sql) as copy:
                        for kind, actor, at, payload, subject in rows:
                            copy.write_row(
                                (
                                    kind,
                                    actor,
                                    community.pk,
                                    "topic" if subject else "",
                                    subject,
                                    json.dumps(payload),
                                    at,
                                )
                            )
            else:
                Event.objects.bulk_create(
                    [
                        Event(
                            kind=kind,
                            actor_id=actor,
                            community=community,
                            subject_type="topic" if subject else "",
                            subject_id=subject,
                            payload=payload,
                            created_at=at,
                        )
                        for kind, actor, at, payload, subject in rows
                    ],
                    batch_size=5000,
                )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"  seeded {len(rows):,} events, {len(topics):,} topics, {len(self.user_ids):,} "
            f"members in {time.monotonic() - started:.1f} s"
        )
        return community


def measure_dashboard(community: Any, owner: Any, requests: int) -> dict[str, float]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from cerchia.insights import metrics
    from cerchia.insights.models import CommunityDay, MemberDay

    period = metrics.period_for(community, 30)
    build: list[float] = []
    with CaptureQueriesContext(connection) as captured:
        metrics.build_dashboard(community, period)
    build_queries = len(captured.captured_queries)
    for _ in range(requests):
        started = time.perf_counter()
        metrics.build_dashboard(community, period)
        build.append((time.perf_counter() - started) * 1000)

    client = Client()
    client.force_login(owner)
    url = reverse("insights:dashboard", kwargs={"slug": community.slug})
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    page_queries = len(captured.captured_queries)
    page: list[float] = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        page.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    member_days = MemberDay.objects.filter(
        community=community, day__gte=period.previous().start, day__lte=period.end
    ).count()
    return {
        "member_days": member_days,
        "community_days": CommunityDay.objects.filter(community=community).count(),
        "build_p50": statistics.median(build),
        "build_p99": percentile(build, 99),
        "build_queries": build_queries,
        "page_p50": statistics.median(page),
        "page_p99": percentile(page, 99),
        "page_queries": page_queries,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="postgres://…/cerchia_bench_insights (default: var/bench/insights.sqlite3)",
    )
    parser.add_argument("--sizes", default="10000,1000000", help="events per community")
    parser.add_argument("--members", type=int, default=1000, help="members of each (1000)")
    parser.add_argument("--days", type=int, default=365, help="days of history (365)")
    parser.add_argument("--requests", type=int, default=50, help="requests measured (50)")
    parser.add_argument("--batch", type=int, default=20_000, help="rollup batch (20000)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="keep the database of an earlier run and measure its dashboards again",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    url = check_database_url(
        args.database_url or f"sqlite:///{BENCH_DIR / 'bench-insights.sqlite3'}"
    )
    if not args.measure_only:
        prepare_database(url)
    os.environ.update(bench_environment(url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.ALLOWED_HOSTS = ["*"]
    settings.CERCHIA_COUNT_VISITS = False
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    version = (
        connection.pg_version  # type: ignore[attr-defined]
        if connection.vendor == "postgresql"
        else connection.Database.sqlite_version  # type: ignore[attr-defined]
    )
    print(
        f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, "
        f"Python {platform.python_version()}, {connection.vendor} {version}"
    )
    from cerchia.accounts.models import User
    from cerchia.communities.models import Community
    from cerchia.insights import rollups

    seeder = Seeder(args.members, args.days, args.seed)
    communities = []
    if args.measure_only:
        seeder.owner_id = User.objects.get(email="insights-owner@bench.example").pk
        communities = [(size, Community.objects.get(slug=f"insights-{size}")) for size in sizes]
    else:
        seeder.people()
    for size in [] if args.measure_only else sizes:
        print(f"{size:,} events:")
        community = seeder.community(size)
        report = rollups.run_rollups(batch=args.batch)
        print(
            f"  rollups: {report.events:,} events in {report.seconds:.1f} s "
            f"({report.events_per_second:,.0f} events/s), {report.days:,} community-days "
            f"rebuilt in {report.batches} batches"
        )
        communities.append((size, community))
    with connection.cursor() as cursor:
        # Fresh statistics for the rollup tables too, as autovacuum would give a live site.
        cursor.execute("ANALYZE")
    owner = User.objects.get(pk=seeder.owner_id)
    results = []
    for size, community in communities:
        result = measure_dashboard(community, owner, args.requests)
        results.append((size, result))
        print(
            f"dashboard, {size:>9,} events: metrics p50 {result['build_p50']:.1f} ms "
            f"p99 {result['build_p99']:.1f} ms ({result['build_queries']:.0f} queries); "
            f"page p50 {result['page_p50']:.1f} ms p99 {result['page_p99']:.1f} ms "
            f"({result['page_queries']:.0f} queries); {result['member_days']:,.0f} member-days "
            f"in the 60 days read"
        )
    if len(results) >= 2:
        (small, a), (large, b) = results[0], results[-1]
        print(
            f"ratio {large:,} / {small:,} events ({large / small:.0f}x): metrics p50 "
            f"{b['build_p50'] / a['build_p50']:.2f}x, "
            f"page p50 {b['page_p50'] / a['page_p50']:.2f}x, "
            f"queries {b['page_queries']:.0f} vs {a['page_queries']:.0f}"
        )


if __name__ == "__main__":
    main()
