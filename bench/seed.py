"""A realistic benchmark dataset, written with bulk inserts into its own database.

Activity follows a power law (Zipf-like): a few communities, members and topics carry
most of the posts, as in real communities. One topic in the busiest community has
``--big-topic`` replies (10,000 by default, at most half the posts), one community
is private, and every counter the app keeps is consistent with the rows: post
numbers contiguous per topic, ``Topic.last_post_number``, ``reply_count``,
``last_posted_at``, ``last_poster``, ``participant_ids``, accepted answers,
``Post.reaction_counts`` against the ``Reaction`` rows, ``Community.member_count``
against the memberships, read states at each participant's last post. The search
index is filled last, through the search backend.

The database is never the development or the test one: a SQLite file under
``var/bench/`` by default, or a PostgreSQL database whose name contains ``bench``
(created with psycopg when missing). Either is emptied and rebuilt from scratch.

    .venv/bin/python bench/seed.py --posts 10000
    .venv/bin/python bench/seed.py --posts 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/cerchia_bench_1m

Every account's password is ``bench``; the signed-in benchmark reader is
``bench@example.org`` (member of the busiest communities and the private one).
"""

from __future__ import annotations

import argparse
import contextlib
import html
import itertools
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from common import ROOT, bench_environment, check_database_url, default_database_url

BATCH = 5000
BENCH_EMAIL = "bench@example.org"
BENCH_PASSWORD = "bench"  # a throw-away benchmark account

THEMES = [
    ("espresso", "Espresso", "it"), ("running", "Running", "en"), ("bonsai", "Bonsai", "it"),
    ("synth", "Synthesizers", "en"), ("sourdough", "Sourdough", "en"),
    ("montagna", "Montagna", "it"), ("chess", "Chess", "en"), ("ceramica", "Ceramica", "it"),
    ("birding", "Birding", "en"), ("vinili", "Vinili", "it"), ("woodwork", "Woodwork", "en"),
    ("cucito", "Cucito", "it"),
]  # fmt: skip
FIRST = [
    "Anna", "Marco", "Giulia", "Luca", "Sara", "Paolo", "Elena", "Davide", "Chiara", "Tom",
    "Emma", "Oliver", "Maya", "Noah", "Lena", "Omar", "Priya", "Jonas", "Ines",
]  # fmt: skip
LAST = [
    "Rossi", "Bianchi", "Ferri", "Conti", "Greco", "Marino", "Smith", "Novak", "Berg", "Okafor",
    "Silva", "Kowalski", "Haas", "Lindqvist", "Moretti", "Costa", "Kim",
]  # fmt: skip
#: Words of the bodies, most common first; picked with Zipf weights.
WORDS = (  # noqa: SIM905 - a paragraph reads better than a list of 90 strings
    "the community and I think this is a good idea for everyone who has tried it "
    "before we start again next week with more time to share what works and what "
    "does not help when you are new question answer thanks experience advice "
    "grinder pressure temperature water beans roast morning routine weekend trail "
    "shoes training plan pot soil pruning wire patch cable filter envelope dough "
    "starter hydration flour oven opening endgame gambit glaze kiln clay wheel "
    "binoculars migration feathers record needle turntable vinyl chisel plane "
    "fabric pattern needle thread settimana grazie comunità idea prova consiglio"
).split()
TITLE_OPENERS = [
    "How do you", "Anyone tried", "Come gestite", "Best way to", "Question about",
    "Our weekly thread on", "Help with", "Thoughts on", "Consigli per", "First time with",
]  # fmt: skip


# --- Database selection (before Django is set up) ------------------------------------------


def already_seeded(url: str) -> bool:
    """Whether the database at ``url`` exists and holds posts."""
    parts = urlsplit(url)
    query = "SELECT 1 FROM discussions_post LIMIT 1"
    try:
        if parts.scheme == "sqlite":
            import sqlite3

            path = ROOT / parts.path.removeprefix("/")
            if not path.exists():
                return False
            with contextlib.closing(sqlite3.connect(path)) as db:
                return db.execute(query).fetchone() is not None
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
            return db.execute(query).fetchone() is not None
    except Exception:  # no database, no table: not seeded
        return False


def prepare_database(url: str) -> None:
    """An empty database at ``url``: a new SQLite file, or a dropped and recreated PG database."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = ROOT / parts.path.removeprefix("/")  # an absolute path stays absolute
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = parts.path.lstrip("/")
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')


# --- The plan ---------------------------------------------------------------------------


def zipf_weights(count: int, exponent: float) -> list[float]:
    return [1 / (rank**exponent) for rank in range(1, count + 1)]


def cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


@dataclass
class CommunityShape:
    index: int
    slug: str
    name: str
    language: str
    private: bool
    members: list[int] = field(default_factory=list)  # user ids, most active first
    member_cum: list[float] = field(default_factory=list)
    owner: int = 0
    moderators: list[int] = field(default_factory=list)


class Counter:
    """Rows written per table, and the time it took."""

    def __init__(self) -> None:
        self.rows: dict[str, int] = {}
        self.started = time.monotonic()
        self.reported = 0

    def add(self, table: str, count: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + count

    def report(self, label: str) -> None:
        """Print the rows written since the last report and their rate."""
        elapsed = time.monotonic() - self.started
        total = sum(self.rows.values()) - self.reported
        rate = total / max(elapsed, 1e-9)
        print(f"  {label}: {total:,} rows in {elapsed:.1f} s ({rate:,.0f} rows/s)")
        self.reported += total
        self.started = time.monotonic()


def batched[T](items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class Seeder:
    def __init__(self, posts: int, big_topic: int, seed: int) -> None:
        from django.utils import timezone

        self.total_posts = posts
        self.big_replies = big_topic
        self.rng = random.Random(seed)
        self.now = timezone.now().replace(microsecond=0)
        self.users = max(200, posts // 50)
        self.community_count = max(12, posts // 5000)
        self.counter = Counter()
        self.bodies: list[tuple[str, str]] = []
        self.next_post_id = 1
        self.next_topic_id = 1
        self.next_reaction_id = 1
        self.live_post_ids: list[int] = []
        from django.db import connection

        self._adapt_datetime = connection.ops.adapt_datetimefield_value
        self._adapt_json = connection.ops.adapt_json_value

    # --- Helpers ------------------------------------------------------------------------

    def insert(self, model: Any, rows: list[Any]) -> None:
        if rows:
            model.objects.bulk_create(rows, batch_size=BATCH)
            self.counter.add(model._meta.db_table, len(rows))

    def insert_raw(self, model: Any, names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        """Ready-adapted values: COPY on PostgreSQL, multi-row INSERTs elsewhere (both several
        times faster than bulk_create)."""
        from django.db import connection

        if not rows:
            return
        # Fields the script does not know (added since) get their default, as the ORM would.
        extra = [
            field
            for field in model._meta.concrete_fields
            if field.name not in names and not field.primary_key and field.has_default()
        ]
        if extra:
            defaults = tuple(
                field.get_db_prep_save(field.get_default(), connection) for field in extra
            )
            names = [*names, *(field.name for field in extra)]
            rows = [row + defaults for row in rows]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            self.counter.add(model._meta.db_table, len(rows))
            return
        per_statement = max(1, min(1000, 30_000 // len(names)))
        placeholder = "(" + ", ".join(["%s"] * len(names)) + ")"
        with connection.cursor() as cursor:
            for chunk in batched(rows, per_statement):
                values = ", ".join([placeholder] * len(chunk))
                cursor.execute(
                    f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values}",
                    [value for row in chunk for value in row],
                )
        self.counter.add(model._meta.db_table, len(rows))

    def adapt_datetime(self, value: datetime) -> Any:
        return self._adapt_datetime(value)

    def adapt_json(self, value: object) -> Any:
        return self._adapt_json(value, None)

    def sentence(self, words: Sequence[str], cum: Sequence[float], length: int) -> str:
        picked = self.rng.choices(words, cum_weights=cum, k=length)
        text = " ".join(picked)
        return text[0].upper() + text[1:] + "."

    def body_pool(self) -> None:
        """A few thousand bodies rendered once through the real Markdown renderer."""
        from cerchia.core.markdown import render_markdown

        cum = cumulative(zipf_weights(len(WORDS), 1.0))
        for index in range(3000):
            paragraphs = []
            for _paragraph in range(self.rng.choice((1, 1, 1, 2, 2, 3))):
                sentences = [
                    self.sentence(WORDS, cum, self.rng.randint(6, 18))
                    for _ in range(self.rng.randint(1, 4))
                ]
                paragraphs.append(" ".join(sentences))
            if index % 10 == 0:
                paragraphs.append("- first point\n- **second** point")
            body = "\n\n".join(paragraphs)
            self.bodies.append((body, render_markdown(body)))

    def pick_body(self) -> tuple[str, str]:
        return self.bodies[self.rng.randrange(len(self.bodies))]

    def moment_between(self, start: datetime, end: datetime) -> datetime:
        return start + (end - start) * self.rng.random()

    # --- People and communities -------------------------------------------------------------

    def seed_users(self) -> None:
        from django.contrib.auth.hashers import make_password

        from cerchia.accounts.models import User

        password = make_password(BENCH_PASSWORD)
        year_ago = self.now - timedelta(days=400)
        rows = []
        for index in range(1, self.users + 1):
            first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
            rows.append(
                User(
                    id=index,
                    email=BENCH_EMAIL if index == 1 else f"member{index}@example.org",
                    handle="bench" if index == 1 else f"member_{index}",
                    display_name="Bench Reader" if index == 1 else f"{first} {last}",
                    language=self.rng.choice(("it", "en")),
                    timezone="Europe/Rome",
                    password=password,
                    date_joined=self.moment_between(year_ago, self.now - timedelta(days=370)),
                )
            )
        self.insert(User, rows)
        from allauth.account.models import EmailAddress

        self.insert(
            EmailAddress,
            [EmailAddress(user_id=1, email=BENCH_EMAIL, verified=True, primary=True)],
        )
        # User activity: Zipf over a shuffled order, the bench reader among the most active.
        order = list(range(2, self.users + 1))
        self.rng.shuffle(order)
        self.user_rank = [1, *order]  # user ids, most active first
        self.user_weight = dict(zip(self.user_rank, zipf_weights(self.users, 1.0), strict=True))

    def seed_communities(self) -> None:
        from cerchia.communities.models import Community, Membership, Role

        weights = zipf_weights(self.community_count, 1.1)
        self.community_weights = weights
        shapes: list[CommunityShape] = []
        for index in range(self.community_count):
            slug, name, language = THEMES[index % len(THEMES)]
            number = index // len(THEMES)
            shapes.append(
                CommunityShape(
                    index=index + 1,
                    slug=f"{slug}-{number + 1}" if number else slug,
                    name=f"{name} {number + 1}" if number else name,
                    language=language,
                    private=index == 2,
                )
            )
        # Members: bigger communities have more, drawn towards the most active people.
        user_cum = cumulative([self.user_weight[uid] for uid in self.user_rank])
        memberships = []
        for shape, weight in zip(shapes, weights, strict=True):
            size = max(8, min(self.users - 1, int(self.users * 0.6 * weight)))
            chosen: dict[int, None] = {}
            if shape.index <= 5 or shape.private:
                chosen[1] = None  # the bench reader
            while len(chosen) < size:
                for uid in self.rng.choices(self.user_rank, cum_weights=user_cum, k=size):
                    chosen.setdefault(uid, None)
                    if len(chosen) >= size:
                        break
                if len(chosen) < size:  # the head is exhausted: fill uniformly
                    chosen.setdefault(self.rng.randint(2, self.users), None)
            members = sorted(chosen, key=lambda uid: -self.user_weight[uid])
            shape.members = members
            shape.member_cum = cumulative([self.user_weight[uid] for uid in members])
            shape.owner = next(uid for uid in members if uid != 1)
            shape.moderators = [uid for uid in members[1:4] if uid not in {1, shape.owner}][:2]
        created = self.now - timedelta(days=370)
        communities = [
            Community(
                id=shape.index,
                name=shape.name,
                slug=shape.slug,
                tagline=f"{shape.name}: people who love it, sharing what they know.",
                description=f"A community about {shape.name.lower()}.",
                description_html=f"<p>A community about {html.escape(shape.name.lower())}.</p>",
                language=shape.language,
                visibility="private" if shape.private else "public",
                join_policy="request" if shape.private else "open",
                member_count=len(shape.members),
                created_by_id=shape.owner,
                created_at=created,
            )
            for shape in shapes
        ]
        self.insert(Community, communities)
        for shape in shapes:
            for uid in shape.members:
                role = (
                    Role.OWNER
                    if uid == shape.owner
                    else Role.MODERATOR
                    if uid in shape.moderators
                    else Role.MEMBER
                )
                joined = self.moment_between(created, created + timedelta(days=5))
                memberships.append(
                    Membership(
                        community_id=shape.index,
                        user_id=uid,
                        role=role,
                        joined_at=joined,
                        rules_accepted_at=joined,
                    )
                )
        self.insert(Membership, memberships)
        self.shapes = shapes

    # --- Topics, posts, reactions, read states ------------------------------------------------

    def topic_sizes(self) -> list[tuple[int, int]]:
        """(community index, post count) for every topic, the big topic first."""
        big = min(self.big_replies, self.total_posts // 2)
        rest = self.total_posts - (big + 1)
        topic_count = max(len(self.shapes), rest // 15)
        community_cum = cumulative(self.community_weights)
        communities = self.rng.choices(
            range(len(self.shapes)), cum_weights=community_cum, k=topic_count
        )
        # Every topic has its opening post; the replies follow a Zipf law over topics.
        replies = rest - topic_count
        topic_weights = zipf_weights(topic_count, 0.8)
        self.rng.shuffle(topic_weights)
        sizes = [1] * topic_count
        for index in self.rng.choices(range(topic_count), weights=topic_weights, k=max(replies, 0)):
            sizes[index] += 1
        return [(0, big + 1), *zip(communities, sizes, strict=True)]

    def seed_discussions(self) -> None:
        from cerchia.discussions.models import Post, Reaction, ReadState, Topic, TopicKind

        kinds = list(self._reaction_kinds())
        kind_cum = cumulative([8, 5, 3, 2, 1][: len(kinds)])
        plan = self.topic_sizes()
        topics: list[Topic] = []
        posts: list[Post] = []
        reactions: list[Reaction] = []
        read_states: list[ReadState] = []
        accepted: list[tuple[int, int]] = []
        pinned: set[int] = set()
        year_ago = self.now - timedelta(days=365)

        post_fields = (
            "id", "topic_id", "community_id", "author_id", "number", "body", "body_html",
            "reply_to_id", "quoted_id", "reaction_counts", "created_at", "edit_count",
            "deleted_at", "deleted_by_id", "idempotency_key",
        )  # fmt: skip
        reaction_fields = ("id", "post_id", "user_id", "kind", "created_at")
        read_fields = ("user_id", "topic_id", "last_read_number", "updated_at")
        when = self.adapt_datetime
        as_json = self.adapt_json

        def flush() -> None:
            self.insert(Topic, topics)
            self.insert_raw(Post, post_fields, posts)
            self.insert_raw(Reaction, reaction_fields, reactions)
            self.insert_raw(ReadState, read_fields, read_states)
            for rows in (topics, posts, reactions, read_states):
                rows.clear()

        for position, (community_index, size) in enumerate(plan):
            shape = self.shapes[community_index]
            topic_id = self.next_topic_id
            self.next_topic_id += 1
            # Recent topics are the busy ones; the big topic spans the whole year.
            age = 1.0 if position == 0 else self.rng.random() ** 1.5
            start = self.now - (self.now - year_ago) * age
            span = (self.now - start) * (self.rng.uniform(0.05, 1.0) if position else 1.0)
            offsets = sorted(self.rng.random() for _ in range(size))
            offsets[0] = 0.0
            authors = self.rng.choices(shape.members, cum_weights=shape.member_cum, k=size)
            kind = TopicKind.DISCUSSION
            roll = self.rng.random()
            if position and roll < 0.18:
                kind = TopicKind.QUESTION
            elif position and roll < 0.2:
                kind = TopicKind.ANNOUNCEMENT
                authors[0] = shape.owner
            last_by: dict[int, int] = {}
            newest_live: tuple[datetime, int] | None = None
            live_replies = 0
            first_post_id = self.next_post_id
            latest = self.now - timedelta(seconds=size + 1)
            for number, (offset, author) in enumerate(zip(offsets, authors, strict=True), 1):
                post_id = self.next_post_id
                self.next_post_id += 1
                created = min(start + span * offset, latest) + timedelta(seconds=number)
                deleted = number > 1 and self.rng.random() < 0.005
                body, body_html = self.pick_body()
                counts: dict[str, int] = {}
                if not deleted and self.rng.random() < 0.3:
                    reactors = min(len(shape.members), int(self.rng.paretovariate(1.3)))
                    seen: set[tuple[int, str]] = set()
                    for reactor, kind_name in zip(
                        self.rng.choices(shape.members, cum_weights=shape.member_cum, k=reactors),
                        self.rng.choices(kinds, cum_weights=kind_cum, k=reactors),
                        strict=True,
                    ):
                        if (reactor, kind_name) in seen:
                            continue
                        seen.add((reactor, kind_name))
                        counts[kind_name] = counts.get(kind_name, 0) + 1
                        reacted = created + timedelta(minutes=self.rng.randint(1, 600))
                        reactions.append(
                            (self.next_reaction_id, post_id, reactor, kind_name, when(reacted))
                        )
                        self.next_reaction_id += 1
                reply_to = post_id - 1 if number > 2 and self.rng.random() < 0.1 else None
                posts.append(
                    (
                        post_id, topic_id, shape.index, author, number, body, body_html,
                        reply_to, None, as_json({k: counts[k] for k in kinds if k in counts}),
                        when(created), 0, when(created + timedelta(hours=1)) if deleted else None,
                        author if deleted else None, "",
                    )
                )  # fmt: skip
                last_by[author] = number
                if not deleted:
                    newest_live = (created, author)
                    self.live_post_ids.append(post_id)
                    if number > 1:
                        live_replies += 1
            assert newest_live is not None  # the opening post is never deleted
            participants = list(dict.fromkeys(reversed(authors)))[:5]
            topics.append(
                Topic(
                    id=topic_id,
                    community_id=shape.index,
                    author_id=authors[0],
                    kind=kind,
                    title=self.title(shape, topic_id),
                    created_at=start,
                    last_posted_at=newest_live[0],
                    last_poster_id=newest_live[1],
                    last_post_number=size,
                    reply_count=live_replies,
                    participant_ids=participants,
                    is_pinned=position > 0 and shape.index not in pinned and kind == "announcement",
                )
            )
            if topics[-1].is_pinned:
                pinned.add(shape.index)
            if kind == TopicKind.QUESTION and size > 2 and self.rng.random() < 0.5:
                answer = first_post_id + self.rng.randint(1, size - 1)
                accepted.append((topic_id, answer))
            for user_id, number in last_by.items():
                read_states.append(
                    (user_id, topic_id, number, when(start + span * offsets[number - 1]))
                )
            if 1 in shape.members and 1 not in last_by and self.rng.random() < 0.5:
                number = self.rng.randint(1, size)
                read_states.append((1, topic_id, number, when(self.now - timedelta(days=1))))
            if len(posts) >= BATCH:
                flush()
        flush()
        # Accepted answers point at live replies.
        deleted_ids = set(
            Post.objects.filter(deleted_at__isnull=False).values_list("id", flat=True)
        )
        rows = [
            Topic(id=topic_id, accepted_answer_id=answer)
            for topic_id, answer in accepted
            if answer not in deleted_ids
        ]
        Topic.objects.bulk_update(rows, ["accepted_answer"], batch_size=BATCH)
        self.counter.add("discussions_topic (accepted)", len(rows))

    def _reaction_kinds(self) -> Iterable[str]:
        from cerchia.discussions.models import ReactionKind

        return ReactionKind.values

    def title(self, shape: CommunityShape, topic_id: int) -> str:
        opener = TITLE_OPENERS[topic_id % len(TITLE_OPENERS)]
        word = WORDS[self.rng.randrange(40, len(WORDS))]
        return f"{opener} {word} ({shape.name}, #{topic_id})"

    def seed_bookmarks(self) -> None:
        from cerchia.discussions.models import Bookmark

        rows = []
        seen: set[tuple[int, int]] = set()
        for _ in range(max(50, self.total_posts // 100)):
            user = self.rng.choices(self.user_rank[:200], k=1)[0]
            post = self.live_post_ids[self.rng.randrange(len(self.live_post_ids))]
            if (user, post) not in seen:
                seen.add((user, post))
                rows.append(Bookmark(user_id=user, post_id=post, created_at=self.now))
        self.insert(Bookmark, rows)

    def skip_foreign_key_checks(self, skip: bool) -> bool:
        """PostgreSQL checks deferred foreign keys row by row at commit: minutes for a
        million rows whose ids this script chose itself. A superuser can skip them."""
        from django.db import DatabaseError, connection, transaction

        if connection.vendor != "postgresql":
            return False
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET session_replication_role = {'replica' if skip else 'DEFAULT'}")
        except DatabaseError:
            print("  (not a superuser: PostgreSQL checks every foreign key at commit)")
            return False
        return True

    def fix_sequences(self) -> None:
        """PostgreSQL: move the id sequences past the explicit ids written above."""
        from django.apps import apps
        from django.core.management.color import no_style
        from django.db import connection

        models = [
            model
            for app in ("accounts", "communities", "discussions", "account")
            for model in apps.get_app_config(app).get_models()
        ]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)

    def seed_search(self) -> None:
        """Fill the search index: the ``reindex`` command if there is one, else the backend."""
        from django.core.management import call_command, get_commands

        from cerchia.discussions.models import Post
        from cerchia.search import backend

        started = time.monotonic()
        if "reindex" in get_commands():
            call_command("reindex", clear=True, batch_size=BATCH)
            print(f"  search index: `reindex` in {time.monotonic() - started:.1f} s")
            return
        from django.db import transaction

        indexed = 0
        if not self.live_post_ids:
            self.live_post_ids = list(
                Post.objects.filter(deleted_at__isnull=True)
                .order_by("id")
                .values_list("id", flat=True)
            )
        for chunk in batched(self.live_post_ids, 2000):
            posts = Post.objects.filter(pk__in=chunk).select_related("topic", "community")
            with transaction.atomic():
                backend.index_posts(list(posts))
            indexed += len(chunk)
        elapsed = time.monotonic() - started
        print(
            f"  search index: {indexed:,} posts in {elapsed:.1f} s "
            f"({indexed / max(elapsed, 1e-9):,.0f} posts/s)"
        )

    def verify(self) -> None:
        """Check the counters against the rows; raise SystemExit on the first mismatch."""
        from django.db.models import Count, F, Max, Min, Q

        from cerchia.communities.models import Community
        from cerchia.discussions.models import Post, Reaction, Topic

        started = time.monotonic()
        stats = {
            row["topic_id"]: row
            for row in Post.objects.values("topic_id").annotate(
                posts=Count("id"),
                first=Min("number"),
                last=Max("number"),
                live_replies=Count("id", filter=Q(deleted_at__isnull=True, number__gt=1)),
                newest=Max("created_at", filter=Q(deleted_at__isnull=True)),
            )
        }
        for topic in Topic.objects.only(
            "id", "last_post_number", "reply_count", "last_posted_at", "accepted_answer_id"
        ):
            row = stats[topic.pk]
            expected = (1, topic.last_post_number, topic.last_post_number)
            if (row["first"], row["last"], row["posts"]) != expected:
                raise SystemExit(f"topic {topic.pk}: post numbers not contiguous")
            if row["live_replies"] != topic.reply_count or row["newest"] != topic.last_posted_at:
                raise SystemExit(f"topic {topic.pk}: reply_count or last_posted_at wrong")
        reaction_rows: dict[int, dict[str, int]] = {}
        for post_id, kind, count in (
            Reaction.objects.values_list("post_id", "kind").annotate(n=Count("id")).order_by()
        ):
            reaction_rows.setdefault(post_id, {})[kind] = count
        for post_id, counts in Post.objects.exclude(reaction_counts={}).values_list(
            "id", "reaction_counts"
        ):
            if reaction_rows.pop(post_id, None) != counts:
                raise SystemExit(f"post {post_id}: reaction_counts differ from the reactions")
        if reaction_rows:
            raise SystemExit(f"{len(reaction_rows)} posts have reactions but no counts")
        wrong = Community.objects.annotate(n=Count("memberships")).exclude(member_count=F("n"))
        if wrong.exists():
            raise SystemExit("member_count differs from the memberships")
        print(f"  verified counters in {time.monotonic() - started:.1f} s")

    def run(self) -> None:
        from django.db import connection, transaction

        print(
            f"seeding {self.total_posts:,} posts, {self.users:,} members, "
            f"{self.community_count} communities into {connection.vendor}"
        )
        self.body_pool()
        self.counter.started = time.monotonic()
        checks_off = self.skip_foreign_key_checks(True)
        with transaction.atomic():
            self.seed_users()
            self.seed_communities()
        self.counter.report("members and communities")
        with transaction.atomic():
            self.seed_discussions()
            self.seed_bookmarks()
        self.counter.report("topics, posts, reactions, read states, bookmarks")
        if checks_off:
            self.skip_foreign_key_checks(False)
        if connection.vendor == "postgresql":
            self.fix_sequences()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.seed_search()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        for table, count in sorted(self.counter.rows.items()):
            print(f"    {table:<32}{count:>12,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000, help="posts in all (10000)")
    parser.add_argument(
        "--big-topic", type=int, default=10_000, help="replies in the biggest topic (10000)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="postgres://…/cerchia_bench or sqlite:////…/bench.sqlite3 "
        "(default: var/bench/bench-<posts>.sqlite3)",
    )
    parser.add_argument(
        "--verify", action="store_true", help="check every counter against the rows afterwards"
    )
    parser.add_argument(
        "--if-missing", action="store_true", help="do nothing if the database already has posts"
    )
    parser.add_argument(
        "--search-only",
        action="store_true",
        help="only (re)fill the search index of an already seeded database",
    )
    parser.add_argument("--seed", type=int, default=3, help="random seed (3)")
    args = parser.parse_args()
    if args.posts < 1000:
        raise SystemExit("--posts must be at least 1000")
    url = check_database_url(args.database_url or default_database_url(args.posts))
    started = time.monotonic()
    if args.if_missing and already_seeded(url):
        print(f"already seeded, kept as it is: {url}")
        return
    if not args.search_only:
        prepare_database(url)
    os.environ.update(bench_environment(url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if args.search_only:
        Seeder(args.posts, args.big_topic, args.seed).seed_search()
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return
    print(f"database ready (migrated) in {time.monotonic() - started:.1f} s: {url}")
    seeder = Seeder(args.posts, args.big_topic, args.seed)
    seeder.run()
    if args.verify:
        seeder.verify()
    print(f"done in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
