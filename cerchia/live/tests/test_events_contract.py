"""Which live events each discussions action emits, and that each has its declared shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, get_args, get_origin, get_type_hints

import pytest
from django.db import transaction

from cerchia.accounts.models import User
from cerchia.communities.models import Community
from cerchia.core import testing
from cerchia.discussions.actions import (
    accept_answer,
    add_reaction,
    create_reply,
    create_topic,
    delete_post,
    edit_post,
    lock_topic,
    move_topic,
    pin_topic,
    remove_reaction,
    restore_post,
)
from cerchia.discussions.events import EVENT_TYPES as DISCUSSION_EVENTS
from cerchia.discussions.models import Post, ReactionKind, Topic
from cerchia.live import publish as live_publish
from cerchia.notifications.events import EVENT_TYPES as NOTIFICATION_EVENTS

#: Every event type that may travel, with its shape.
EVENT_TYPES: dict[str, Any] = {**DISCUSSION_EVENTS, **NOTIFICATION_EVENTS}

Sent = list[tuple[str, dict[str, Any]]]


def assert_event_shape(event: dict[str, Any]) -> None:
    """``event`` has exactly its declared keys, each of its declared type; ids and counts only."""
    kind = event.get("type")
    assert kind in EVENT_TYPES, f"undeclared event type {kind!r}"
    hints = get_type_hints(EVENT_TYPES[kind])
    assert set(event) == set(hints), f"{kind}: keys {sorted(event)} != {sorted(hints)}"
    for key, hint in hints.items():
        value = event[key]
        if get_origin(hint) is Literal:
            assert value in get_args(hint), f"{kind}.{key}={value!r}"
        elif get_origin(hint) is dict:
            key_type, value_type = get_args(hint)
            assert isinstance(value, dict), f"{kind}.{key} is not a dict"
            for inner_key, inner_value in value.items():
                assert isinstance(inner_key, key_type), f"{kind}.{key} key {inner_key!r}"
                assert isinstance(inner_value, value_type), f"{kind}.{key}[{inner_key}]"
                assert not isinstance(inner_value, bool)
        else:
            assert isinstance(value, hint), f"{kind}.{key}={value!r} is not {hint}"
            assert not isinstance(value, bool), f"{kind}.{key} is a bool"
    strings = [key for key, value in event.items() if isinstance(value, str) and key != "type"]
    assert not strings, f"{kind} carries text in {strings}: events carry ids and counts only"


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Sent:
    """Every (group, event) published, in order, instead of reaching a channel layer."""
    events: Sent = []
    monkeypatch.setattr(live_publish, "publish", lambda group, event: events.append((group, event)))
    return events


@pytest.fixture
def topic(public_community: Community, member: User) -> Topic:
    return testing.make_topic(public_community, member, title="Grinders", body="Burr or blade?")


@pytest.fixture
def reply(topic: Topic, owner: User) -> Post:
    return testing.make_reply(topic, owner, body="Burr, always.")


def emitted(
    sent: Sent, capture: Callable[..., Any], action: Callable[[], object]
) -> list[tuple[str, str]]:
    """Run ``action``; the discussion events it published once committed, as (group, type).

    Every event sent is shape-checked; the recipients' notification nudges (sent by the
    notification tasks the action enqueues) are left out of the answer and of ``sent``.
    """
    sent.clear()
    with capture(execute=True):
        action()
    for _group, event in sent:
        assert_event_shape(event)
    sent[:] = [(group, event) for group, event in sent if event["type"] in DISCUSSION_EVENTS]
    return [(group, event["type"]) for group, event in sent]


def test_create_reply_tells_the_topic_and_the_community(
    topic: Topic, owner: User, sent: Sent, django_capture_on_commit_callbacks: Any
) -> None:
    posts: list[Post] = []
    kinds = emitted(
        sent,
        django_capture_on_commit_callbacks,
        lambda: posts.append(create_reply(owner, topic, body="Burr.")),
    )
    assert kinds == [
        (f"topic.{topic.pk}", "post.created"),
        (f"community.{topic.community_id}", "topic.activity"),
    ]
    post_event, activity = sent[0][1], sent[1][1]
    assert post_event == {
        "type": "post.created",
        "community_id": topic.community_id,
        "topic_id": topic.pk,
        "post_id": posts[0].pk,
        "number": 2,
    }
    assert activity["topic_id"] == topic.pk
    assert activity["last_post_number"] == 2


def test_edit_post_tells_the_topic(
    reply: Post, owner: User, sent: Sent, django_capture_on_commit_callbacks: Any
) -> None:
    kinds = emitted(
        sent,
        django_capture_on_commit_callbacks,
        lambda: edit_post(owner, reply, body="Burr, and weigh the beans."),
    )
    assert kinds == [(f"topic.{reply.topic_id}", "post.edited")]
    assert sent[0][1]["post_id"] == reply.pk
    assert sent[0][1]["number"] == reply.number


def test_editing_a_title_also_tells_the_community(
    topic: Topic, member: User, sent: Sent, django_capture_on_commit_callbacks: Any
) -> None:
    opening = Post.objects.get(topic=topic, number=1)
    kinds = emitted(
        sent,
        django_capture_on_commit_callbacks,
        lambda: edit_post(member, opening, body="Burr or blade, really?", title="Grinders, again"),
    )
    assert kinds == [
        (f"topic.{topic.pk}", "post.edited"),
        (f"topic.{topic.pk}", "topic.updated"),
        (f"community.{topic.community_id}", "topic.updated"),
    ]


def test_delete_post_tells_the_topic(
    reply: Post, owner: User, sent: Sent, django_capture_on_commit_callbacks: Any
) -> None:
    kinds = emitted(sent, django_capture_on_commit_callbacks, lambda: delete_post(owner, reply))
    assert kinds == [(f"topic.{reply.topic_id}", "post.deleted")]
    assert sent[0][1]["post_id"] == reply.pk


def test_add_reaction_sends_the_new_counts(
    reply: Post, member: User, sent: Sent, django_capture_on_commit_callbacks: Any
) -> None:
    kinds = emitted(
        sent,
        django_capture_on_commit_callbacks,
        lambda: add_reaction(member, reply, ReactionKind.HEART),
    )
    assert kinds == [(f"topic.{reply.topic_id}", "post.reactions")]
    assert sent[0][1]["post_id"] == reply.pk
    assert sent[0][1]["counts"] == {ReactionKind.HEART.value: 1}


def test_create_topic_tells_the_community_of_the_topic_and_its_opening_post(
    public_community: Community, member: User, sent: Sent, django_capture_on_commit_callbacks: Any
) -> None:
    topics: list[Topic] = []
    kinds = emitted(
        sent,
        django_capture_on_commit_callbacks,
        lambda: topics.append(
            create_topic(member, public_community, title="Water hardness", body="Which filter?")
        ),
    )
    topic_group, community_group = f"topic.{topics[0].pk}", f"community.{public_community.pk}"
    assert kinds == [
        (topic_group, "post.created"),
        (community_group, "topic.activity"),
        (topic_group, "topic.created"),
        (community_group, "topic.created"),
    ]


def test_remove_reaction_sends_the_new_counts(
    reply: Post, member: User, sent: Sent, django_capture_on_commit_callbacks: Any
) -> None:
    add_reaction(member, reply, ReactionKind.HEART)
    kinds = emitted(
        sent,
        django_capture_on_commit_callbacks,
        lambda: remove_reaction(member, reply, ReactionKind.HEART),
    )
    assert kinds == [(f"topic.{reply.topic_id}", "post.reactions")]
    assert sent[0][1]["counts"].get(ReactionKind.HEART.value, 0) == 0


def test_restore_post_tells_the_topic_the_post_changed(
    reply: Post, owner: User, sent: Sent, django_capture_on_commit_callbacks: Any
) -> None:
    delete_post(owner, reply)
    kinds = emitted(sent, django_capture_on_commit_callbacks, lambda: restore_post(owner, reply))
    assert kinds == [(f"topic.{reply.topic_id}", "post.edited")]


@pytest.mark.parametrize("moderate", [pin_topic, lock_topic])
def test_moderating_a_topic_tells_the_topic_and_the_community(
    topic: Topic,
    owner: User,
    sent: Sent,
    django_capture_on_commit_callbacks: Any,
    moderate: Callable[..., None],
) -> None:
    kinds = emitted(sent, django_capture_on_commit_callbacks, lambda: moderate(owner, topic, True))
    assert kinds == [
        (f"topic.{topic.pk}", "topic.updated"),
        (f"community.{topic.community_id}", "topic.updated"),
    ]


def test_accept_answer_tells_the_topic_and_the_community(
    public_community: Community,
    member: User,
    owner: User,
    sent: Sent,
    django_capture_on_commit_callbacks: Any,
) -> None:
    question = testing.make_topic(public_community, member, title="Tamping?", kind="question")
    answer = testing.make_reply(question, owner, body="Level, then firm.")
    kinds = emitted(
        sent, django_capture_on_commit_callbacks, lambda: accept_answer(member, question, answer)
    )
    assert kinds == [
        (f"topic.{question.pk}", "topic.updated"),
        (f"community.{public_community.pk}", "topic.updated"),
    ]


def test_move_topic_tells_the_topic_and_its_new_community(
    topic: Topic, owner: User, sent: Sent, django_capture_on_commit_callbacks: Any
) -> None:
    target = testing.make_community(owner, slug="tea-at-home")
    kinds = emitted(
        sent, django_capture_on_commit_callbacks, lambda: move_topic(owner, topic, target)
    )
    assert kinds == [
        (f"topic.{topic.pk}", "topic.updated"),
        (f"community.{target.pk}", "topic.updated"),
    ]
    assert sent[0][1]["community_id"] == target.pk


def test_the_notification_nudge_is_an_empty_shape(
    reply: Post, member: User, owner: User, sent: Sent, django_capture_on_commit_callbacks: Any
) -> None:
    """Reacting notifies the post's author: their own group gets a contentless nudge."""
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        add_reaction(member, reply, ReactionKind.THANKS)
    nudges = [(group, event) for group, event in sent if group.startswith("user.")]
    assert nudges == [(f"user.{owner.pk}", {"type": "notification.changed"})]
    assert_event_shape(nudges[0][1])


def test_a_refused_action_publishes_nothing(
    reply: Post, stranger: User, sent: Sent, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    sent.clear()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises((PermissionDenied, Http404)),
    ):
        edit_post(stranger, reply, body="Not mine to edit.")
    assert sent == []


def test_a_rolled_back_reply_publishes_nothing(
    topic: Topic, owner: User, sent: Sent, django_capture_on_commit_callbacks: Any
) -> None:
    def reply_then_fail() -> None:
        with transaction.atomic():
            create_reply(owner, topic, body="Never committed.")
            raise RuntimeError

    sent.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        reply_then_fail()
    assert sent == []


def test_every_declared_event_type_is_one_of_the_shapes() -> None:
    for kind, shape in EVENT_TYPES.items():
        assert kind in get_args(get_type_hints(shape)["type"])
    for kind, shape in DISCUSSION_EVENTS.items():
        # The websocket re-checks access by the community an event names.
        assert {"type", "community_id", "topic_id"} <= set(get_type_hints(shape))
