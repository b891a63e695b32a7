"""Discussions reads: what each query returns, to whom, and that its cost does not grow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cerchia.accounts.models import Interest
from cerchia.communities.models import Community, Membership, Role
from cerchia.core import testing
from cerchia.core.pagination import InvalidCursor
from cerchia.discussions import actions, queries
from cerchia.discussions.models import Post, Topic, TopicKind

pytestmark = pytest.mark.django_db

ANONYMOUS: Any = AnonymousUser()


def reload(community: Community) -> Community:
    return Community.objects.get(pk=community.pk)


def member_of(community: Community) -> Any:
    user = testing.make_user()
    testing.add_member(community, user)
    return user


def count_queries(call: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


# --- get_topic, get_post -------------------------------------------------------------------


def test_get_topic_checks_community_and_reader(
    public_community, private_community, member, stranger
):
    topic = testing.make_topic(private_community, member)
    assert queries.get_topic(member, private_community, topic.pk) == topic
    with pytest.raises(Http404):
        queries.get_topic(stranger, reload(private_community), topic.pk)
    with pytest.raises(Http404):
        queries.get_topic(ANONYMOUS, reload(private_community), topic.pk)
    with pytest.raises(Http404):  # right id, wrong community
        queries.get_topic(member, public_community, topic.pk)
    with pytest.raises(Http404):
        queries.get_topic(member, private_community, topic.pk + 1000)


def test_get_post(private_community, member, stranger):
    topic = testing.make_topic(private_community, member)
    reply = testing.make_reply(topic, member)
    assert queries.get_post(member, reply.pk) == reply
    with pytest.raises(Http404):
        queries.get_post(stranger, reply.pk)
    with pytest.raises(Http404):
        queries.get_post(member, reply.pk + 1000)


# --- list_topics ----------------------------------------------------------------------------


def test_list_topics_orders_pinned_first_then_by_activity(public_community, member, moderator):
    old = testing.make_topic(public_community, member, title="Old")
    middle = testing.make_topic(public_community, member, title="Middle")
    recent = testing.make_topic(public_community, member, title="Recent")
    now = timezone.now()
    for topic, age in ((old, 3), (middle, 2), (recent, 1)):
        Topic.objects.filter(pk=topic.pk).update(last_posted_at=now - timedelta(hours=age))
    testing.make_reply(Topic.objects.get(pk=old.pk), moderator)  # old is active again
    actions.pin_topic(moderator, Topic.objects.get(pk=middle.pk))
    rows, cursor = queries.list_topics(member, reload(public_community))
    assert [row.topic.title for row in rows] == ["Middle", "Old", "Recent"]
    assert cursor is None
    old_row = rows[1]
    assert [user.pk for user in old_row.participants] == [moderator.pk, member.pk]
    assert old_row.topic.last_poster == moderator


def test_list_topics_keyset_pages_see_every_topic_once(public_community, member):
    made = [testing.make_topic(public_community, member).pk for _ in range(7)]
    seen: list[int] = []
    cursor = None
    while True:
        rows, cursor = queries.list_topics(member, reload(public_community), cursor=cursor, limit=3)
        seen += [row.topic.pk for row in rows]
        if cursor is None:
            break
    assert sorted(seen) == sorted(made)
    assert len(seen) == len(set(seen))
    with pytest.raises(InvalidCursor):
        queries.list_topics(member, public_community, cursor="forged!")


def test_list_topics_filters_and_hides_deleted(public_community, member, moderator):
    tag = Interest.objects.create(slug="grinders", name="Grinders")
    public_community.interests.add(tag)
    question = testing.make_topic(public_community, member, kind=TopicKind.QUESTION)
    tagged = testing.make_topic(public_community, member, tags="grinders")
    gone = testing.make_topic(public_community, member)
    actions.delete_post(member, Post.objects.get(topic=gone, number=1))
    community = reload(public_community)
    all_rows = queries.list_topics(member, community)[0]
    assert {row.topic.pk for row in all_rows} == {question.pk, tagged.pk}
    assert [r.topic.pk for r in queries.list_topics(member, community, kind="question")[0]] == [
        question.pk
    ]
    assert [r.topic.pk for r in queries.list_topics(member, community, tag="grinders")[0]] == [
        tagged.pk
    ]
    # Hosts see a deleted topic through its page, not in the list.
    assert gone.pk not in {r.topic.pk for r in queries.list_topics(moderator, community)[0]}


def test_list_topics_query_count_does_not_grow(public_community, member, moderator):
    def load() -> None:
        queries.list_topics(member, reload(public_community))

    for _ in range(2):
        testing.make_reply(testing.make_topic(public_community, moderator), member)
    few = count_queries(load)
    for _ in range(8):
        topic = testing.make_topic(public_community, member_of(public_community))
        testing.make_reply(topic, moderator)
        actions.mark_read(member, topic, 1)
    assert count_queries(load) == few


# --- the home feed ------------------------------------------------------------------------


def test_feed_shows_only_the_members_communities(
    public_community, private_community, member, moderator, stranger, owner
):
    mine_public = testing.make_topic(public_community, moderator)
    mine_private = testing.make_topic(private_community, moderator)
    elsewhere = testing.make_community(owner)  # public, not joined by the member
    testing.make_topic(elsewhere, owner)
    rows, _cursor = queries.list_feed(member)
    assert {row.topic.pk for row in rows} == {mine_public.pk, mine_private.pk}
    assert queries.list_feed(stranger)[0] == []
    assert queries.list_feed(ANONYMOUS)[0] == []


def test_feed_filters(public_community, member, moderator):
    asked = testing.make_topic(public_community, member, kind=TopicKind.QUESTION)
    answered = testing.make_topic(public_community, moderator, kind=TopicKind.QUESTION)
    answer = testing.make_reply(answered, member)
    actions.accept_answer(moderator, Topic.objects.get(pk=answered.pk), answer)
    other = testing.make_topic(public_community, moderator)

    def ids(actor: Any, name: str) -> set[int]:
        return {row.topic.pk for row in queries.list_feed(actor, filter=name)[0]}

    assert ids(member, queries.FeedFilter.UNANSWERED) == {asked.pk}
    assert ids(member, queries.FeedFilter.MINE) == {asked.pk, answered.pk}  # replied counts
    assert ids(member, queries.FeedFilter.UNREAD) == {other.pk}  # the rest they wrote in
    assert ids(member, queries.FeedFilter.ALL) == {asked.pk, answered.pk, other.pk}


def test_feed_of_a_removed_member_drops_the_community(private_community, member, moderator):
    from cerchia.communities.actions import leave_community

    testing.make_topic(private_community, moderator)
    assert len(queries.list_feed(member)[0]) == 1
    leave_community(member, private_community)
    assert queries.list_feed(member)[0] == []
    assert queries.count_unread_by_community(member) == {}


def test_feed_query_count_does_not_grow(public_community, private_community, member, moderator):
    def load() -> None:
        queries.list_feed(member)

    testing.make_topic(public_community, moderator)
    few = count_queries(load)
    for community in (public_community, private_community):
        for _ in range(5):
            testing.make_reply(testing.make_topic(community, moderator), member)
    assert count_queries(load) == few


# --- topic pages ---------------------------------------------------------------------------


@pytest.fixture
def long_topic(public_community, member, moderator) -> Topic:
    topic = testing.make_topic(public_community, member, title="Long")
    for number in range(2, 46):
        testing.make_reply(topic, moderator, body=f"Reply {number}")
    return Topic.objects.select_related("community").get(pk=topic.pk)


def test_topic_page_by_post_number(long_topic, member):
    first = queries.get_topic_page(member, long_topic, 1)
    assert [row.post.number for row in first.rows] == list(range(1, 21))
    assert first.page_count == 3
    third = queries.get_topic_page(member, long_topic, 3)
    assert [row.post.number for row in third.rows] == list(range(41, 46))
    assert queries.get_topic_page(member, long_topic, 99).page == 3
    assert queries.get_topic_page(member, long_topic, -4).page == 1
    assert queries.page_for_number(21) == 2
    assert queries.page_for_number(20) == 1


def test_topic_page_first_unread_and_roles(long_topic, member, moderator, owner):
    page = queries.get_topic_page(member, long_topic, 1)
    assert page.last_read == 1  # they wrote the opening post
    assert page.first_unread == 2
    actions.mark_read(member, long_topic, 30)
    page = queries.get_topic_page(member, long_topic, 2)
    assert (page.last_read, page.first_unread) == (30, 31)
    roles = {row.post.author_id: row.role for row in page.rows}
    assert roles[moderator.pk] == Role.MODERATOR
    anonymous_page = queries.get_topic_page(ANONYMOUS, long_topic, 1)
    assert anonymous_page.first_unread == 1
    assert not anonymous_page.rows[0].flags.edit


def test_topic_page_shows_the_accepted_answer(public_community, member, moderator):
    question = testing.make_topic(public_community, member, kind=TopicKind.QUESTION)
    replies = [testing.make_reply(question, moderator) for _ in range(25)]
    actions.accept_answer(member, Topic.objects.get(pk=question.pk), replies[-1])
    topic = Topic.objects.select_related("accepted_answer", "community").get(pk=question.pk)
    page = queries.get_topic_page(member, topic, 1)
    assert page.answer is not None
    assert page.answer.post.pk == replies[-1].pk
    assert page.answer.flags is not None


def test_topic_page_marks_my_reactions_and_bookmarks(long_topic, member, moderator):
    post = Post.objects.get(topic=long_topic, number=3)
    actions.add_reaction(member, post, "heart")
    actions.add_bookmark(member, post)
    page = queries.get_topic_page(member, long_topic, 1)
    row = next(row for row in page.rows if row.post.number == 3)
    assert row.my_reactions == {"heart"}
    assert row.bookmarked
    other = next(row for row in page.rows if row.post.number == 4)
    assert (other.my_reactions, other.bookmarked) == (set(), False)


def test_topic_page_query_count_is_the_same_deep_and_shallow(long_topic, member, moderator):
    for number in (3, 25, 43):
        post = Post.objects.get(topic=long_topic, number=number)
        actions.add_reaction(member, post, "heart")
        actions.add_bookmark(member, post)

    def page(number: int) -> Callable[[], object]:
        def load() -> None:
            topic = Topic.objects.select_related("community").get(pk=long_topic.pk)
            queries.get_topic_page(member, topic, number)

        return load

    assert count_queries(page(1)) == count_queries(page(3)) == count_queries(page(2))


def test_posts_after(long_topic, member):
    rows = queries.list_posts_after(member, long_topic, 40)
    assert [row.post.number for row in rows] == [41, 42, 43, 44, 45]
    assert queries.list_posts_after(member, long_topic, 45) == []


# --- reactors, bookmarks, mention candidates ----------------------------------------------


def test_list_reactors_needs_read_access(private_community, member, moderator, stranger):
    topic = testing.make_topic(private_community, member)
    opening = Post.objects.get(topic=topic, number=1)
    actions.add_reaction(moderator, opening, "heart")
    actions.add_reaction(moderator, opening, "thanks")
    assert [r.kind for r in queries.list_reactors(member, opening)] == ["heart", "thanks"]
    assert [r.kind for r in queries.list_reactors(member, opening, "thanks")] == ["thanks"]
    with pytest.raises(Http404):
        queries.list_reactors(stranger, Post.objects.get(pk=opening.pk))


def test_list_bookmarks_newest_first_and_only_readable(public_community, member, moderator):
    first = testing.make_topic(public_community, moderator)
    second = testing.make_topic(public_community, moderator)
    for topic in (first, second):
        actions.add_bookmark(member, Post.objects.get(topic=topic, number=1))
    page = queries.list_bookmarks(member)
    assert [b.post.topic_id for b in page.items] == [second.pk, first.pk]
    actions.delete_post(moderator, Post.objects.get(topic=second, number=1))
    assert [b.post.topic_id for b in queries.list_bookmarks(member).items] == [first.pk]
    assert queries.list_bookmarks(ANONYMOUS).items == []


def test_mention_candidates_are_members_only(public_community, private_community, member, stranger):
    candidates = queries.list_mention_candidates(member, public_community, "@o")
    assert [user.handle for user in candidates] == ["olivia_owner"]
    everyone = {u.handle for u in queries.list_mention_candidates(member, public_community, "")}
    assert everyone == {"olivia_owner", "marco_mod"}  # not themselves, not the stranger
    assert queries.list_mention_candidates(stranger, public_community, "o") == []
    assert queries.list_mention_candidates(ANONYMOUS, private_community, "o") == []
    assert queries.list_mention_candidates(stranger, private_community, "o") == []


def test_unread_counts_by_community(public_community, private_community, member, moderator):
    testing.make_topic(public_community, moderator)
    testing.make_topic(private_community, moderator)
    testing.make_topic(private_community, moderator)
    counts = queries.count_unread_by_community(member)
    assert counts == {public_community.pk: 1, private_community.pk: 2}
    assert queries.count_unread_by_community(member, [public_community.pk]) == {
        public_community.pk: 1
    }
    assert queries.count_unread_by_community(ANONYMOUS) == {}


@pytest.mark.parametrize("started_before_joining", [True, False])
@pytest.mark.parametrize("reply_after_joining", [True, False])
@pytest.mark.parametrize("read_up_to", [None, 0, 1, "all"])
@pytest.mark.parametrize("marked_all_read", [False, True])
def test_list_rows_and_unread_counts_agree(
    public_community, member, moderator,
    started_before_joining, reply_after_joining, read_up_to, marked_all_read,
):  # fmt: skip
    """However a topic got where it is, the list's unread marker, the unread filter and the
    per-community count say the same."""
    now = timezone.now()
    reader = member_of(public_community)
    joined = now - timedelta(hours=3)
    Membership.objects.filter(user=reader, community=public_community).update(joined_at=joined)
    topic = testing.make_topic(public_community, moderator)
    started = joined - timedelta(hours=1) if started_before_joining else joined + timedelta(hours=1)
    Topic.objects.filter(pk=topic.pk).update(created_at=started, last_posted_at=started)
    if reply_after_joining:
        testing.make_reply(Topic.objects.get(pk=topic.pk), moderator)
    topic = Topic.objects.get(pk=topic.pk)
    if read_up_to is not None:
        actions.mark_read(
            reader, topic, topic.last_post_number if read_up_to == "all" else read_up_to
        )
    if marked_all_read:
        actions.mark_all_read(reader, public_community)
    row = {r.topic.pk: r for r in queries.list_topics(reader, reload(public_community))[0]}[
        topic.pk
    ]
    in_filter = queries.unread_topics(reader, Topic.objects.filter(pk=topic.pk)).exists()
    counted = queries.count_unread_by_community(reader).get(public_community.pk, 0) == 1
    assert row.unread == in_filter == counted
