"""The live events discussions emit: ids and counts only, never content.

A browser receiving one fetches what changed through the permission-checked pages,
so a live event can never show someone what they may not read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypedDict

from django.db import transaction

from cerchia.live import publish as live_publish
from cerchia.live.publish import community_group, publish_on_commit, topic_group

if TYPE_CHECKING:
    from cerchia.discussions.models import Post, Topic


class PostEvent(TypedDict):
    type: Literal["post.created", "post.edited", "post.deleted"]
    community_id: int
    topic_id: int
    post_id: int
    number: int


class ReactionEvent(TypedDict):
    type: Literal["post.reactions"]
    community_id: int
    topic_id: int
    post_id: int
    counts: dict[str, int]


class TopicEvent(TypedDict):
    type: Literal["topic.created", "topic.updated", "topic.activity"]
    community_id: int
    topic_id: int
    last_post_number: int


EVENT_TYPES = {
    "post.created": PostEvent,
    "post.edited": PostEvent,
    "post.deleted": PostEvent,
    "post.reactions": ReactionEvent,
    "topic.created": TopicEvent,
    "topic.updated": TopicEvent,
    "topic.activity": TopicEvent,
}


def post_event(
    kind: Literal["post.created", "post.edited", "post.deleted"], post: Post
) -> PostEvent:
    return {
        "type": kind,
        "community_id": post.community_id,
        "topic_id": post.topic_id,
        "post_id": post.pk,
        "number": post.number,
    }


def topic_event(
    kind: Literal["topic.created", "topic.updated", "topic.activity"], topic: Topic
) -> TopicEvent:
    return {
        "type": kind,
        "community_id": topic.community_id,
        "topic_id": topic.pk,
        "last_post_number": topic.last_post_number,
    }


def _publish_to_community(topic: Topic, event: dict[str, Any]) -> None:
    """Tell the community's viewers after commit, unless the topic is restricted then: only
    its audience may read it, and they are not told apart on the community's channel.

    Decided at commit, so a topic restricted in the transaction that created it (an
    announcement to a segment) never reaches anyone's community channel."""

    def send() -> None:
        if not topic.restricted:
            live_publish.publish(community_group(topic.community_id), event)

    transaction.on_commit(send)


def publish_post(kind: Literal["post.created", "post.edited", "post.deleted"], post: Post) -> None:
    """Tell the topic's viewers, and the community's (for unread counts), after commit."""
    publish_on_commit(topic_group(post.topic_id), dict(post_event(kind, post)))
    if kind == "post.created":
        _publish_to_community(post.topic, dict(topic_event("topic.activity", post.topic)))


def publish_reactions(post: Post) -> None:
    event: ReactionEvent = {
        "type": "post.reactions",
        "community_id": post.community_id,
        "topic_id": post.topic_id,
        "post_id": post.pk,
        "counts": dict(post.reaction_counts),
    }
    publish_on_commit(topic_group(post.topic_id), dict(event))


def publish_topic(kind: Literal["topic.created", "topic.updated"], topic: Topic) -> None:
    publish_on_commit(topic_group(topic.pk), dict(topic_event(kind, topic)))
    _publish_to_community(topic, dict(topic_event(kind, topic)))
