"""Double submission is safe: 50 concurrent submissions with one idempotency key make one post.

Each submission runs in its own thread with its own database connection, all released
at once by a barrier, so they really race: on PostgreSQL the unique constraint on
(author, key) decides; on SQLite write transactions are serialised by BEGIN IMMEDIATE.
An in-memory SQLite test database cannot be shared by threads that wait for each other
(a shared cache fails at once instead of waiting), so on SQLite the race runs on a file
copy of the test database.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.module_loading import import_string

from cerchia.accounts.models import User
from cerchia.communities.models import Community
from cerchia.core import testing
from cerchia.discussions import actions
from cerchia.discussions.models import Post, Topic
from cerchia.discussions.tests.capture import record_sent
from cerchia.insights.models import Event

pytestmark = pytest.mark.django_db(transaction=True)

SUBMISSIONS = 50


def _in_memory_sqlite() -> bool:
    name = str(connection.settings_dict["NAME"])
    return connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name)


class Threads:
    """Runs code in threads, each with its own connection to one shared database.

    On an in-memory SQLite test database, the first race copies the database (with all
    the test wrote so far) to a file, and every thread from then on connects to the copy.
    """

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tmp_path = tmp_path
        self.monkeypatch = monkeypatch
        self.shared = not _in_memory_sqlite()

    def _share(self) -> None:
        if self.shared:
            return
        path = self.tmp_path / "race.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
        original = connections.create_connection

        def create_connection(alias: str) -> BaseDatabaseWrapper:
            if alias != "default":
                return original(alias)
            settings = {**connections.settings[alias], "NAME": str(path)}
            wrapper: type[BaseDatabaseWrapper] = import_string(
                f"{settings['ENGINE']}.base.DatabaseWrapper"
            )
            return wrapper(settings, alias)

        self.monkeypatch.setattr(connections, "create_connection", create_connection)
        self.shared = True

    def race[T](self, count: int, submit: Callable[[], T]) -> tuple[list[T], list[BaseException]]:
        """Run ``submit`` in ``count`` threads released together; their results and errors."""
        self._share()
        barrier = threading.Barrier(count)
        results: list[T] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def worker() -> None:
            try:
                barrier.wait(timeout=60)
                result = submit()
                with lock:
                    results.append(result)
            except BaseException as error:  # reported by the test
                with lock:
                    errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a submission hung"
        return results, errors

    def run[T](self, read: Callable[[], T]) -> T:
        """``read`` in a thread of its own: it sees the database the racers wrote."""
        results, errors = self.race(1, read)
        if errors:
            raise errors[0]
        return results[0]


@pytest.fixture
def threads(place: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Threads:
    """Threads sharing the test database (an in-memory SQLite one through a file copy)."""
    return Threads(tmp_path, monkeypatch)


@pytest.fixture
def place(db: None) -> dict[str, Any]:
    owner = testing.make_user()
    author = testing.make_user()
    community = testing.make_community(owner)
    testing.add_member(community, author)
    topic = testing.make_topic(community, owner, title="Race track")
    return {"author_id": author.pk, "community_id": community.pk, "topic_id": topic.pk}


def submit_reply(place: dict[str, Any], key: str) -> int:
    author = User.objects.get(pk=place["author_id"])
    topic = Topic.objects.select_related("community").get(pk=place["topic_id"])
    return actions.create_reply(author, topic, body="Only once", idempotency_key=key).pk


def submit_topic(place: dict[str, Any], key: str) -> int:
    author = User.objects.get(pk=place["author_id"])
    community = Community.objects.get(pk=place["community_id"])
    topic = actions.create_topic(
        author, community, title="Only once", body="Only once", idempotency_key=key
    )
    return topic.pk


def test_concurrent_replies_with_one_key_make_one_post(place, threads, monkeypatch):
    sent = record_sent(monkeypatch)
    results, errors = threads.race(SUBMISSIONS, lambda: submit_reply(place, "double-click-1"))
    assert errors == []
    assert len(results) == SUBMISSIONS
    assert len(set(results)) == 1  # every caller gets the same post

    def written() -> dict[str, Any]:
        topic = Topic.objects.get(pk=place["topic_id"])
        return {
            "posts": list(
                Post.objects.filter(topic_id=place["topic_id"]).values_list("pk", "number")
            ),
            "counters": (topic.reply_count, topic.last_post_number),
            "events": list(
                Event.objects.filter(kind="post.created").values_list("kind", flat=True)
            ),
        }

    state = threads.run(written)
    reply_pk = results[0]
    assert [number for _pk, number in state["posts"]] == [1, 2]
    assert (reply_pk, 2) in state["posts"]
    assert state["counters"] == (1, 2)
    assert state["events"] == ["post.created"]
    assert sent.tasks == [("notify_new_post", (reply_pk,))]
    assert [event["type"] for _group, event in sent.events].count("post.created") == 1


def test_concurrent_topics_with_one_key_make_one_topic(place, threads, monkeypatch):
    sent = record_sent(monkeypatch)
    results, errors = threads.race(SUBMISSIONS, lambda: submit_topic(place, "double-click-2"))
    assert errors == []
    assert len(results) == SUBMISSIONS
    assert len(set(results)) == 1

    def written() -> tuple[int, int, int]:
        return (
            Topic.objects.filter(title="Only once").count(),
            Post.objects.filter(topic_id=results[0]).count(),
            Event.objects.filter(kind="topic.created", subject_id=results[0]).count(),
        )

    assert threads.run(written) == (1, 1, 1)
    assert len(sent.tasks) == 1


def test_different_keys_still_make_separate_posts(place, threads, monkeypatch):
    record_sent(monkeypatch)
    keys = iter(f"key-{number}" for number in range(10))
    lock = threading.Lock()

    def submit() -> int:
        with lock:
            key = next(keys)
        return submit_reply(place, key)

    results, errors = threads.race(10, submit)
    assert errors == []
    assert len(set(results)) == 10

    def written() -> tuple[list[int], int]:
        numbers = Post.objects.filter(topic_id=place["topic_id"]).values_list("number", flat=True)
        return sorted(numbers), Topic.objects.get(pk=place["topic_id"]).reply_count

    assert threads.run(written) == (list(range(1, 12)), 10)  # no number handed out twice


def test_sequential_resubmission_gets_the_same_post(place, monkeypatch):
    record_sent(monkeypatch)
    first = submit_reply(place, "retry")
    assert submit_reply(place, "retry") == first
    assert Post.objects.filter(topic_id=place["topic_id"]).count() == 2


def test_concurrent_api_replies_with_one_key_answer_the_same_post(place, threads, monkeypatch):
    """The API's ``Idempotency-Key``: every caller gets 201 with the same post."""
    import json

    from django.test import Client

    from cerchia.accounts.models import AccessToken
    from cerchia.accounts.tokens import generate_token

    record_sent(monkeypatch)
    raw, prefix, digest = generate_token()
    AccessToken.objects.create(
        user_id=place["author_id"],
        name="race",
        prefix=prefix,
        token_hash=digest,
        scope=AccessToken.Scope.WRITE,
    )
    url = f"/api/v1/topics/{place['topic_id']}/posts"

    def submit() -> tuple[int, int]:
        response = Client().post(
            url,
            data=json.dumps({"body": "Only once, by API"}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": "api-double-click"},
        )
        return response.status_code, response.json().get("id")

    results, errors = threads.race(SUBMISSIONS, submit)
    assert errors == []
    assert {status for status, _id in results} == {201}
    assert len({post_id for _status, post_id in results}) == 1

    def written() -> int:
        return Post.objects.filter(topic_id=place["topic_id"], body="Only once, by API").count()

    assert threads.run(written) == 1
