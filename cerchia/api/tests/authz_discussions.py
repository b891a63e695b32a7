"""The discussions API in the authorization matrix: who may call each operation.

The rules mirror the pages: reading follows the community (404 to whoever may not read
it), taking part needs a membership and an active account (site admins who are not
members read and moderate but do not post), moderation is for hosts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from cerchia.communities.models import Role, Visibility
from cerchia.core import testing
from cerchia.core.tests.matrix import Route, World, api, gate, not_suspended, only, signed_in
from cerchia.discussions.models import Post, Topic

V1 = "/api/v1"
#: Those who take part: members, including the hosts (site admins are not members here).
PARTICIPANTS = only("member", "moderator", "owner", otherwise="403")
#: The asker of the world's question and the hosts, site admins included.
ASKER_OR_HOSTS = only("member", "moderator", "owner", "site_admin", otherwise="403")


def topic(suffix: str = "", key: str = "topic_id") -> Callable[[World], str]:
    return lambda world: f"{V1}/topics/{world.extra[key]}{suffix}"


def post(suffix: str = "", key: str = "reply_id") -> Callable[[World], str]:
    return lambda world: f"{V1}/posts/{world.extra[key]}{suffix}"


def _second_community(world: World) -> dict[str, Any]:
    """A community the world's hosts also run, to move a topic to (rolled back after the call)."""
    target = testing.make_community(
        world.people["owner"],
        slug=f"matrix-target-{world.community.visibility}",
        visibility=Visibility.PUBLIC,
    )
    testing.add_member(target, world.people["moderator"], Role.MODERATOR)
    return {"community": target.slug}


def _with_accepted_answer(world: World) -> str:
    """The question with its reply accepted (rolled back after the call)."""
    Topic.objects.filter(pk=world.extra["question_id"]).update(
        accepted_answer_id=world.extra["question_reply_id"]
    )
    return topic("/accepted-answer", "question_id")(world)


def _deleted_reply(world: World) -> str:
    """The host's reply, deleted (rolled back after the call)."""
    Post.objects.filter(pk=world.extra["reply_id"]).update(deleted_at=timezone.now())
    return post("/restore")(world)


def topic_body(world: World) -> dict[str, Any]:
    return {"title": "A matrix topic", "body": "Hello"}


API: dict[tuple[str, str], Route] = {
    # Topics
    (
        "get",
        f"{V1}/communities/{{slug}}/topics",
    ): Route(gate("read", anonymous=None), path=api("/topics")),
    ("post", f"{V1}/communities/{{slug}}/topics"): Route(
        gate("read", PARTICIPANTS, anonymous="401"), "post", api("/topics"), topic_body
    ),
    ("get", f"{V1}/topics/{{topic_id}}"): Route(gate("read", anonymous=None), path=topic()),
    ("patch", f"{V1}/topics/{{topic_id}}"): Route(
        gate("manage", anonymous="401"), "patch", topic(), lambda w: {"pinned": True}
    ),
    ("post", f"{V1}/topics/{{topic_id}}/move"): Route(
        gate("manage", anonymous="401"), "post", topic("/move"), _second_community
    ),
    ("post", f"{V1}/topics/{{topic_id}}/accepted-answer"): Route(
        gate("read", ASKER_OR_HOSTS, anonymous="401"),
        "post",
        topic("/accepted-answer", "question_id"),
        lambda w: {"post_id": w.extra["question_reply_id"]},
    ),
    ("delete", f"{V1}/topics/{{topic_id}}/accepted-answer"): Route(
        gate("read", ASKER_OR_HOSTS, anonymous="401"), "delete", _with_accepted_answer
    ),
    # Posts
    ("get", f"{V1}/topics/{{topic_id}}/posts"): Route(
        gate("read", anonymous=None), path=topic("/posts")
    ),
    ("post", f"{V1}/topics/{{topic_id}}/posts"): Route(
        gate("read", PARTICIPANTS, anonymous="401"),
        "post",
        topic("/posts"),
        lambda w: {"body": "A matrix reply"},
    ),
    ("get", f"{V1}/posts/{{post_id}}"): Route(gate("read", anonymous=None), path=post()),
    # The member's opening post: its author edits it, and so do the hosts.
    ("patch", f"{V1}/posts/{{post_id}}"): Route(
        gate("read", ASKER_OR_HOSTS, anonymous="401"),
        "patch",
        post(key="opening_post_id"),
        lambda w: {"body": "Edited"},
    ),
    # The moderator's reply: only hosts delete someone else's post.
    ("delete", f"{V1}/posts/{{post_id}}"): Route(gate("manage", anonymous="401"), "delete", post()),
    # A deleted post: hidden (404) from all but the hosts, who restore it.
    ("post", f"{V1}/posts/{{post_id}}/restore"): Route(
        signed_in(only("moderator", "owner", "site_admin"), anonymous="401"),
        "post",
        _deleted_reply,
    ),
    ("get", f"{V1}/posts/{{post_id}}/revisions"): Route(
        gate("manage", anonymous="401"), path=post("/revisions")
    ),
    # Reactions and bookmarks
    ("get", f"{V1}/posts/{{post_id}}/reactions"): Route(
        gate("read", anonymous=None), path=post("/reactions")
    ),
    ("put", f"{V1}/posts/{{post_id}}/reactions/{{kind}}"): Route(
        gate("read", PARTICIPANTS, anonymous="401"), "put", post("/reactions/heart")
    ),
    ("delete", f"{V1}/posts/{{post_id}}/reactions/{{kind}}"): Route(
        gate("read", PARTICIPANTS, anonymous="401"), "delete", post("/reactions/heart")
    ),
    ("get", f"{V1}/me/bookmarks"): Route(
        signed_in(anonymous="401"), path=lambda w: f"{V1}/me/bookmarks"
    ),
    ("put", f"{V1}/posts/{{post_id}}/bookmark"): Route(
        gate("read", not_suspended(), anonymous="401"), "put", post("/bookmark")
    ),
    ("delete", f"{V1}/posts/{{post_id}}/bookmark"): Route(
        gate("read", anonymous="401"), "delete", post("/bookmark")
    ),
    # Reading and following
    ("get", f"{V1}/topics/{{topic_id}}/read-state"): Route(
        gate("read", anonymous="401"), path=topic("/read-state")
    ),
    ("put", f"{V1}/topics/{{topic_id}}/read-state"): Route(
        gate("read", PARTICIPANTS, anonymous="401"),
        "put",
        topic("/read-state"),
        lambda w: {"last_read_number": 2},
    ),
    ("post", f"{V1}/communities/{{slug}}/mark-read"): Route(
        gate("read", PARTICIPANTS, anonymous="401"), "post", api("/mark-read")
    ),
    ("get", f"{V1}/me/unread"): Route(signed_in(anonymous="401"), path=lambda w: f"{V1}/me/unread"),
    ("get", f"{V1}/me/feed"): Route(signed_in(anonymous="401"), path=lambda w: f"{V1}/me/feed"),
    ("get", f"{V1}/topics/{{topic_id}}/notification-level"): Route(
        gate("read", anonymous="401"), path=topic("/notification-level")
    ),
    ("put", f"{V1}/topics/{{topic_id}}/notification-level"): Route(
        gate("read", PARTICIPANTS, anonymous="401"),
        "put",
        topic("/notification-level"),
        lambda w: {"level": "watching"},
    ),
    ("get", f"{V1}/communities/{{slug}}/notification-level"): Route(
        gate("read", anonymous="401"), path=api("/notification-level")
    ),
    ("put", f"{V1}/communities/{{slug}}/notification-level"): Route(
        gate("read", PARTICIPANTS, anonymous="401"),
        "put",
        api("/notification-level"),
        lambda w: {"level": "muted"},
    ),
}
