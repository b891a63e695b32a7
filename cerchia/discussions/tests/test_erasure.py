"""A deleted account's discussions: kept under the tombstone, or erased, and never leaking."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from cerchia.accounts import actions as account_actions
from cerchia.accounts.models import User
from cerchia.communities.models import Community
from cerchia.core import testing
from cerchia.discussions import actions
from cerchia.discussions.models import Bookmark, Post, Reaction, ReadState, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaver(public_community: Community) -> User:
    user = testing.make_user("leaver")
    testing.add_member(public_community, user)
    return user


def _delete(user: User, posts: str) -> None:
    with transaction.atomic():
        account_actions.delete_account(user, user, password=testing.PASSWORD, posts=posts)


def test_keep_leaves_posts_under_the_tombstone(
    public_community: Community, leaver: User, owner: User
) -> None:
    topic = testing.make_topic(public_community, leaver, title="Kept topic", body="Kept words")
    reply = testing.make_reply(topic, owner, body="Thanks")
    with transaction.atomic():
        actions.add_reaction(leaver, reply, "heart")
        actions.add_bookmark(leaver, reply)

    _delete(leaver, "keep")

    opening = Post.objects.get(topic=topic, number=1)
    assert opening.body == "Kept words"
    assert opening.deleted_at is None
    assert not Reaction.objects.filter(user=leaver).exists()
    assert not Bookmark.objects.filter(user=leaver).exists()
    assert not ReadState.objects.filter(user=leaver).exists()
    reply.refresh_from_db()
    assert reply.reaction_counts == {}


def test_remove_erases_text_and_fixes_counters(
    public_community: Community, leaver: User, owner: User
) -> None:
    own_topic = testing.make_topic(public_community, leaver, title="Gone topic", body="Secret")
    other = testing.make_topic(public_community, owner, title="Stays", body="Hello")
    testing.make_reply(other, owner, body="First")
    answer = testing.make_reply(other, leaver, body="Erase me")

    _delete(leaver, "remove")

    assert not Post.objects.filter(author=leaver).exclude(body="").exists()
    assert Post.objects.get(pk=answer.pk).deleted_at is not None
    assert Topic.objects.get(pk=own_topic.pk).deleted_at is not None
    other.refresh_from_db()
    assert other.reply_count == 1
    assert other.last_poster_id == owner.pk
    assert leaver.pk not in other.participant_ids


def test_export_contains_what_the_member_wrote(public_community: Community, leaver: User) -> None:
    testing.make_topic(public_community, leaver, title="Mine", body="My words")
    archive = account_actions.export_account(leaver, leaver)
    assert [t["title"] for t in archive["discussions"]["topics"]] == ["Mine"]
    assert archive["discussions"]["posts"][0]["body"] == "My words"


def test_deletion_drops_the_members_notifications(
    public_community: Community,
    leaver: User,
    owner: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from cerchia.notifications.models import Notification

    topic = testing.make_topic(public_community, leaver, title="Ping me", body="Hello")
    with django_capture_on_commit_callbacks(execute=True):
        testing.make_reply(topic, owner, body="Hi @leaver")
    assert Notification.objects.filter(recipient=leaver).exists()

    _delete(leaver, "keep")

    assert not Notification.objects.filter(recipient=leaver).exists()
