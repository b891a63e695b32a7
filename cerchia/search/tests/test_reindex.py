"""The reindex command and the index's own bookkeeping."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.db import transaction

from cerchia.accounts.models import User
from cerchia.communities.models import Community
from cerchia.core import testing
from cerchia.discussions.models import Post
from cerchia.search import backend
from cerchia.search.queries import search_posts


def found(actor: User, query: str) -> set[int]:
    return {hit.post.pk for hit in search_posts(actor, query).hits}


def indexed() -> list[int]:
    return backend.get_backend().indexed_ids(0, 10_000)


def test_reindex_rebuilds_an_emptied_index(member: User, public_community: Community) -> None:
    topic = testing.make_topic(public_community, member, title="Lungo", body="long shot")
    reply = testing.make_reply(topic, member, body="lungo again")
    opening = topic.posts.get(number=1)
    backend.get_backend().clear()
    assert found(member, "lungo") == set()
    out = StringIO()
    call_command("reindex", "--batch-size", "1", stdout=out)
    assert found(member, "lungo") == {opening.pk, reply.pk}
    assert "Indexed 2 posts" in out.getvalue()


def test_reindex_with_clear_and_deleted_posts(member: User, public_community: Community) -> None:
    topic = testing.make_topic(public_community, member, title="Doppio", body="double")
    reply = testing.make_reply(topic, member, body="doppio reply")
    Post.objects.filter(pk=reply.pk).update(deleted_at=topic.created_at)  # behind its back
    call_command("reindex", "--clear", stdout=StringIO())
    assert indexed() == [topic.posts.get(number=1).pk]


def test_reindex_drops_entries_of_posts_that_are_gone(
    member: User, public_community: Community
) -> None:
    topic = testing.make_topic(public_community, member, title="Gone", body="soon")
    kept = testing.make_topic(public_community, member, title="Kept", body="here")
    Post.objects.filter(topic=topic).delete()  # a hard delete: the index is not told
    assert len(indexed()) == 2
    out = StringIO()
    call_command("reindex", stdout=out)
    assert indexed() == [kept.posts.get(number=1).pk]
    assert "removed 1 entries" in out.getvalue()


def test_index_posts_takes_out_deleted_posts(member: User, public_community: Community) -> None:
    topic = testing.make_topic(public_community, member, title="Flat white", body="x")
    post = Post.objects.select_related("topic").get(topic=topic, number=1)
    post.deleted_at = topic.created_at
    with transaction.atomic():
        backend.index_posts([post])
    assert indexed() == []


def test_long_posts_are_indexed_whole(member: User, public_community: Community) -> None:
    """Positions past PostgreSQL's limits and a word repeated thousands of times still work."""
    body = " ".join(["crema"] * 300 + ["a"] * 24_000) + " finaleword"
    topic = testing.make_topic(public_community, member, title="Long one", body=body)
    assert found(member, "finaleword") == {topic.posts.get(number=1).pk}
    assert found(member, "crema finaleword") == {topic.posts.get(number=1).pk}
