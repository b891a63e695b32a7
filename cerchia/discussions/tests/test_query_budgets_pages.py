"""Query budgets of the community page and the topic page: the same count for a few rows
as for many (topics, posts, reactions, participants), on the first page and a deep one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cerchia.communities.models import Community
from cerchia.core import testing
from cerchia.discussions.models import Bookmark, Post, Reaction, ReactionKind, Topic

pytestmark = pytest.mark.django_db

# Session and user, the community and the reader's membership (and pending request), its
# hosts (for a signed-in reader, also which of their non-public profiles they may see), the
# topic list (topics, participants, joined date, "mark all read" mark, read states), its
# tags, and the navigation's unread badge; for members also their posts awaiting approval
# and the welcome (settings, topic, closed or not), and whether the hosts' questions await them.
COMMUNITY_PAGE = {"anonymous": 5, "member": 17}
# Session and user, community and membership, topic, the page's posts, the authors' roles,
# the reader's reactions, bookmarks, read state and notification level, the topic's tags,
# moving the read mark (update, lookup, insert, event, savepoints) and the unread badge; on
# the last page, for members, also their own replies awaiting approval (HELD_REPLIES).
TOPIC_PAGE = {"anonymous": 5, "member": 21}
HELD_REPLIES = 1


def _people(community: Community, count: int) -> list:
    people = []
    for _number in range(count):
        person = testing.make_user()
        testing.add_member(community, person)
        people.append(person)
    return people


def _fill_community(community: Community, author, topics: int, replies: int) -> None:
    people = _people(community, 4)
    for number in range(topics):
        topic = testing.make_topic(community, author, title=f"Topic {number}")
        for index in range(replies):
            testing.make_reply(topic, people[index % len(people)])


def _fill_topic(topic: Topic, count: int, reader) -> None:
    """``count`` replies by several people, each with reactions and some bookmarked."""
    people = _people(topic.community, 5)
    for index in range(count):
        testing.make_reply(topic, people[index % len(people)], body=f"Reply {index}")
    posts = list(Post.objects.filter(topic=topic))
    Reaction.objects.bulk_create(
        [
            Reaction(post=post, user=person, kind=kind)
            for post in posts
            for person in people[:3]
            for kind in (ReactionKind.HEART, ReactionKind.THANKS)
        ]
        + [Reaction(post=post, user=reader, kind=ReactionKind.HEART) for post in posts]
    )
    Post.objects.filter(pk__in=[post.pk for post in posts]).update(
        reaction_counts={ReactionKind.HEART: 4, ReactionKind.THANKS: 3}
    )
    Bookmark.objects.bulk_create([Bookmark(user=reader, post=post) for post in posts[::3]])


def _client(client, who, people):
    if who != "anonymous":
        client.force_login(people[who])
    return client


@pytest.mark.parametrize("who", ["anonymous", "member"])
@pytest.mark.parametrize("topics", [2, 45])
def test_community_page_budget(
    client, django_assert_num_queries, public_community, owner, member, who, topics
):
    _fill_community(public_community, owner, topics, replies=3 if topics < 10 else 6)
    path = reverse("communities:detail", kwargs={"slug": public_community.slug})
    client = _client(client, who, {"member": member})
    with django_assert_num_queries(COMMUNITY_PAGE[who]):
        response = client.get(path)
    assert response.status_code == 200
    assert response.content.decode().count('<li class="topic-row') == min(topics, 30)


@pytest.mark.parametrize("who", ["anonymous", "member"])
@pytest.mark.parametrize(("replies", "page"), [(3, 1), (120, 1), (120, 5)])
def test_topic_page_budget(
    client, django_assert_num_queries, public_community, owner, member, who, replies, page
):
    topic = testing.make_topic(public_community, owner, title="Long thread")
    _fill_topic(topic, replies, member)
    path = reverse(
        "discussions:topic", kwargs={"slug": public_community.slug, "topic_id": topic.pk}
    )
    client = _client(client, who, {"member": member})
    last_page = page == -(-(replies + 1) // 20)
    budget = TOPIC_PAGE[who] + (HELD_REPLIES if who == "member" and last_page else 0)
    with django_assert_num_queries(budget):
        response = client.get(f"{path}?page={page}")
    html = response.content.decode()
    assert response.status_code == 200
    shown = min(20, replies + 1 - (page - 1) * 20)
    assert html.count('<li class="post') == shown
    if who == "member":
        assert 'aria-pressed="true"' in html


@pytest.mark.parametrize("replies", [3, 120])
def test_posts_after_budget(
    client, django_assert_num_queries, public_community, owner, member, replies
):
    topic = testing.make_topic(public_community, owner, title="Live thread")
    _fill_topic(topic, replies, member)
    path = reverse(
        "discussions:posts_after", kwargs={"slug": public_community.slug, "topic_id": topic.pk}
    )
    client.force_login(member)
    with django_assert_num_queries(9):
        response = client.get(f"{path}?after=1")
    assert response.status_code == 200
