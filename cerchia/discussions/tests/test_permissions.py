"""Discussions permissions: each check, its can_ twin and the visible_ filter agree, for every
kind of person in public, private and hidden communities."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from cerchia.communities.models import Community, Visibility
from cerchia.core import testing
from cerchia.discussions import actions, permissions
from cerchia.discussions.models import Post, Topic, TopicKind

pytestmark = pytest.mark.django_db

PEOPLE = ("anonymous", "stranger", "member", "moderator", "owner", "site_admin", "suspended")
HOSTS = {"moderator", "owner", "site_admin"}
MEMBERS = {"member", "moderator", "owner"}


def outcome(check: Callable[..., None], *args: Any) -> str:
    try:
        check(*args)
    except Http404:
        return "404"
    except PermissionDenied:
        return "403"
    return "ok"


@pytest.fixture
def people(owner, moderator, member, stranger, site_admin):
    suspended = testing.make_user("sue_suspended")
    return {
        "anonymous": AnonymousUser(),
        "stranger": stranger,
        "member": member,
        "moderator": moderator,
        "owner": owner,
        "site_admin": site_admin,
        "suspended": suspended,
    }


@pytest.fixture
def world(people, public_community, private_community, hidden_community):
    """For each visibility: a community, a topic by the member, a reply by the moderator,
    a question by the member with a reply by the moderator."""
    built = {}
    for community in (public_community, private_community, hidden_community):
        testing.add_member(community, people["suspended"])
        topic = testing.make_topic(community, people["member"], title="A topic")
        reply = testing.make_reply(topic, people["moderator"])
        question = testing.make_topic(community, people["member"], kind=TopicKind.QUESTION)
        answer = testing.make_reply(question, people["moderator"])
        built[community.visibility] = {
            "community": community,
            "topic": topic,
            "reply": reply,
            "opening": Post.objects.get(topic=topic, number=1),
            "question": question,
            "answer": answer,
        }
    people["suspended"].suspended_at = timezone.now()
    people["suspended"].save(update_fields=["suspended_at"])
    return built


def fresh(world: dict[str, Any], visibility: str) -> dict[str, Any]:
    """The world's rows reloaded, so no cached access leaks between people."""
    row = world[visibility]
    community = Community.objects.get(pk=row["community"].pk)
    topic = Topic.objects.select_related("community").get(pk=row["topic"].pk)
    question = Topic.objects.select_related("community").get(pk=row["question"].pk)
    topic.community = question.community = community

    def post(pk: int, parent: Topic) -> Post:
        loaded = Post.objects.get(pk=pk)
        loaded.topic = parent
        return loaded

    return {
        "community": community,
        "topic": topic,
        "question": question,
        "opening": post(row["opening"].pk, topic),
        "reply": post(row["reply"].pk, topic),
        "answer": post(row["answer"].pk, question),
    }


def read_expect(visibility: str, who: str) -> str:
    if visibility == Visibility.PUBLIC:
        return "ok"
    return "ok" if who in MEMBERS | {"site_admin"} else "404"


def write_expect(visibility: str, who: str) -> str:
    """Members write; outsiders who read get 403, outsiders who do not get 404."""
    if who in MEMBERS:
        return "ok"
    return "403" if read_expect(visibility, who) == "ok" else "404"


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.PRIVATE, Visibility.HIDDEN])
@pytest.mark.parametrize("who", PEOPLE)
def test_read_and_write_matrix(world, people, visibility, who):
    actor = people[who]
    row = fresh(world, visibility)
    read = read_expect(visibility, who)
    write = write_expect(visibility, who)
    host = "ok" if who in HOSTS else ("403" if read == "ok" else "404")

    assert outcome(permissions.check_read_topic, actor, row["topic"]) == read
    assert outcome(permissions.check_read_post, actor, row["reply"]) == read
    assert outcome(permissions.check_create_topic, actor, row["community"]) == write
    assert outcome(permissions.check_reply, actor, row["topic"]) == write
    assert outcome(permissions.check_react, actor, row["reply"]) == write
    assert outcome(permissions.check_follow_topic, actor, row["topic"]) == write
    assert outcome(permissions.check_follow_community, actor, row["community"]) == write
    bookmark = read if who not in {"anonymous", "suspended"} or read != "ok" else "403"
    assert outcome(permissions.check_bookmark, actor, row["reply"]) == bookmark
    assert outcome(permissions.check_moderate_topic, actor, row["topic"]) == host
    announcement = "ok" if who in {"moderator", "owner"} else write
    if who == "member":
        announcement = "403"
    assert (
        outcome(permissions.check_create_topic, actor, row["community"], TopicKind.ANNOUNCEMENT)
        == announcement
    )

    # The can_ twins answer the same as the checks.
    assert permissions.can_reply(actor, row["topic"]) is (write == "ok")
    assert permissions.can_react(actor, row["reply"]) is (write == "ok")
    assert permissions.can_create_topic(actor, row["community"]) is (write == "ok")
    assert permissions.can_follow_topic(actor, row["topic"]) is (write == "ok")
    assert permissions.can_moderate_topic(actor, row["topic"]) is (host == "ok")

    # The visible_ filters agree with check_read_*.
    community = row["community"]
    topics = permissions.visible_topics(actor, Topic.objects.filter(community=community))
    assert topics.exists() is (read == "ok")
    posts = permissions.visible_posts(actor, Post.objects.filter(community=community))
    assert posts.exists() is (read == "ok")
    readable = permissions.readable_communities(actor, Community.objects.filter(pk=community.pk))
    assert readable.exists() is (read == "ok")
    belongs = permissions.member_communities(actor, Community.objects.filter(pk=community.pk))
    assert belongs.exists() is (who in MEMBERS)


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.PRIVATE, Visibility.HIDDEN])
@pytest.mark.parametrize("who", PEOPLE)
def test_edit_delete_history_matrix(world, people, visibility, who):
    """The reply is the moderator's: the author and hosts edit, delete and see history."""
    actor = people[who]
    row = fresh(world, visibility)
    read = read_expect(visibility, who)
    mine_or_host = "ok" if who in HOSTS else ("403" if read == "ok" else "404")
    assert outcome(permissions.check_edit_post, actor, row["reply"]) == mine_or_host
    assert outcome(permissions.check_delete_post, actor, row["reply"]) == mine_or_host
    assert outcome(permissions.check_view_post_history, actor, row["reply"]) == mine_or_host
    assert permissions.can_edit_post(actor, row["reply"]) is (mine_or_host == "ok")
    assert permissions.can_delete_post(actor, row["reply"]) is (mine_or_host == "ok")
    # The member authored the opening post.
    author_or_host = "ok" if who in HOSTS | {"member"} else ("403" if read == "ok" else "404")
    assert outcome(permissions.check_edit_post, actor, row["opening"]) == author_or_host
    assert outcome(permissions.check_delete_post, actor, row["opening"]) == author_or_host


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.PRIVATE, Visibility.HIDDEN])
@pytest.mark.parametrize("who", PEOPLE)
def test_accept_answer_matrix(world, people, visibility, who):
    """The member asked: they and the hosts accept answers."""
    actor = people[who]
    row = fresh(world, visibility)
    read = read_expect(visibility, who)
    expect = "ok" if who in HOSTS | {"member"} else ("403" if read == "ok" else "404")
    assert outcome(permissions.check_accept_answer, actor, row["question"], row["answer"]) == expect
    assert permissions.can_accept_answer(actor, row["question"], row["answer"]) is (expect == "ok")
    flags = permissions.topic_flags(actor, row["question"])
    assert flags.accept is (expect == "ok")
    assert flags.moderate is (who in HOSTS)
    assert flags.reply is (write_expect(visibility, who) == "ok")


def test_deleted_topic_is_404_to_all_but_hosts(world, people):
    row = world[Visibility.PRIVATE]
    actions.delete_post(people["member"], row["opening"])
    for who in PEOPLE:
        current = fresh(world, Visibility.PRIVATE)
        expected = "ok" if who in HOSTS else "404"
        assert outcome(permissions.check_read_topic, people[who], current["topic"]) == expected
        topics = permissions.visible_topics(people[who], Topic.objects.filter(pk=row["topic"].pk))
        assert not topics.exists()  # lists never show deleted topics, even to hosts


def test_deleted_reply_is_404_to_all_but_hosts(world, people):
    row = world[Visibility.PUBLIC]
    actions.delete_post(people["moderator"], row["reply"])
    for who in PEOPLE:
        current = fresh(world, Visibility.PUBLIC)
        expected = "ok" if who in HOSTS else "404"
        assert outcome(permissions.check_read_post, people[who], current["reply"]) == expected
        assert not permissions.visible_posts(
            people[who], Post.objects.filter(pk=row["reply"].pk)
        ).exists()
        # A deleted post is restored, not edited.
        if who in HOSTS:
            assert outcome(permissions.check_edit_post, people[who], current["reply"]) == "403"
            assert outcome(permissions.check_restore_post, people[who], current["reply"]) == "ok"


def test_locked_and_closed_rules(world, people):
    row = world[Visibility.PUBLIC]
    actions.lock_topic(people["owner"], row["topic"])
    current = fresh(world, Visibility.PUBLIC)
    member, moderator = people["member"], people["moderator"]
    assert outcome(permissions.check_reply, member, current["topic"]) == "403"
    assert outcome(permissions.check_edit_post, member, current["opening"]) == "403"
    assert outcome(permissions.check_delete_post, member, current["opening"]) == "403"
    assert outcome(permissions.check_react, member, current["reply"]) == "403"
    assert outcome(permissions.check_reply, moderator, current["topic"]) == "ok"
    actions.lock_topic(people["owner"], current["topic"], locked=False)
    actions.close_topic(people["owner"], current["topic"])
    current = fresh(world, Visibility.PUBLIC)
    assert outcome(permissions.check_reply, member, current["topic"]) == "403"
    assert outcome(permissions.check_react, member, current["reply"]) == "ok"
    assert outcome(permissions.check_edit_post, member, current["opening"]) == "ok"


def test_move_needs_both_communities_hosted(world, people, owner, moderator):
    row = fresh(world, Visibility.PUBLIC)
    elsewhere = testing.make_community(owner)
    assert outcome(permissions.check_move_topic, owner, row["topic"], elsewhere) == "ok"
    assert outcome(permissions.check_move_topic, moderator, row["topic"], elsewhere) == "403"
    assert outcome(permissions.check_move_topic, owner, row["topic"], row["community"]) == "403"
    site_admin = people["site_admin"]
    assert outcome(permissions.check_move_topic, site_admin, row["topic"], elsewhere) == "ok"


def test_removed_member_loses_everything_at_once(world, people):
    from cerchia.communities.actions import leave_community

    member = people["member"]
    row = fresh(world, Visibility.PRIVATE)
    leave_community(member, row["community"])
    row = fresh(world, Visibility.PRIVATE)
    assert outcome(permissions.check_read_topic, member, row["topic"]) == "404"
    assert outcome(permissions.check_edit_post, member, row["opening"]) == "404"
    assert not permissions.visible_topics(member, Topic.objects.all()).filter(
        community=row["community"]
    )
    assert not permissions.member_communities(member, Community.objects.all()).filter(
        pk=row["community"].pk
    )


def test_post_flags_need_no_query_once_access_is_loaded(world, people, django_assert_num_queries):
    row = fresh(world, Visibility.PUBLIC)
    member = people["member"]
    permissions.topic_flags(member, row["topic"])
    with django_assert_num_queries(0):
        flags = permissions.post_flags(member, row["opening"])
    assert (flags.edit, flags.delete, flags.react, flags.accept) == (True, True, True, False)
