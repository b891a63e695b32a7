"""The posting gate: pre-moderation holds a post, approval publishes it once."""

from __future__ import annotations

import pytest

from cerchia.core.errors import ActionRefused
from cerchia.discussions import actions as discussions
from cerchia.discussions.models import Post, Topic
from cerchia.moderation.actions.held import approve_held_post, reject_held_post
from cerchia.moderation.models import HeldPost, ModerationSettings, Premoderation
from cerchia.moderation.screening import PostHeld

pytestmark = pytest.mark.django_db


@pytest.fixture
def premoderated(public_community):
    ModerationSettings.objects.create(community=public_community, premoderation=Premoderation.ALL)
    return public_community


def test_all_posts_premoderation_holds_a_members_topic(premoderated, member, owner):
    with pytest.raises(PostHeld) as held_info:
        discussions.create_topic(
            member, premoderated, title="My first question", body="Hello all", idempotency_key="k1"
        )
    held = held_info.value.held
    assert held.status == HeldPost.Status.PENDING
    assert not Topic.objects.filter(community=premoderated).exists()

    with pytest.raises(PostHeld) as again:
        discussions.create_topic(
            member, premoderated, title="My first question", body="Hello all", idempotency_key="k1"
        )
    assert again.value.held.pk == held.pk

    post = approve_held_post(owner, held)
    assert post.author == member
    assert post.number == 1
    assert post.topic.title == "My first question"
    # the same key now replays the published topic instead of holding again
    topic = discussions.create_topic(
        member, premoderated, title="My first question", body="Hello all", idempotency_key="k1"
    )
    assert topic.pk == post.topic_id
    assert Post.objects.filter(topic=topic).count() == 1
    with pytest.raises(ActionRefused):
        approve_held_post(owner, held)


def test_hosts_are_not_screened(premoderated, owner):
    topic = discussions.create_topic(owner, premoderated, title="House rules", body="Be kind")
    assert topic.pk


def test_members_cannot_review_held_posts(premoderated, member, owner):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PostHeld) as held_info:
        discussions.create_topic(member, premoderated, title="A question", body="Body text")
    held = held_info.value.held
    with pytest.raises(PermissionDenied):
        approve_held_post(member, held)
    reject_held_post(owner, held, note="Please ask in the FAQ topic")
    held.refresh_from_db()
    assert held.status == HeldPost.Status.REJECTED
    assert held.decision_note == "Please ask in the FAQ topic"
