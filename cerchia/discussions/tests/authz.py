"""The topic and post pages' rows of the authorization matrix.

Readers of the community (anyone for a public one, members and site admins otherwise) see
topics and posts; others get 404, and anonymous visitors are sent to sign in before any
write. Writing needs a membership; hosts and site admins run the topics.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from cerchia.core.tests.matrix import (
    HOSTS,
    Expect,
    Route,
    World,
    c,
    gate,
    t,
)
from cerchia.discussions.models import Post

#: Members who may write (site admins run communities but do not post in them).
WRITERS = {"member", "moderator", "owner"}


def allowed(*who: str, otherwise: str = "403") -> Expect:
    return lambda visibility, person: "ok" if person in who else otherwise


def readers_signed_in(visibility: str, who: str) -> str:
    """Bookmarks: anyone signed in who reads the post, unless suspended."""
    return "403" if who == "suspended" else "ok"


def hosts_else_404(visibility: str, who: str) -> str:
    """A deleted post: hosts see (and restore) it; to everyone else it does not exist."""
    if who == "anonymous":
        return "login"
    return "ok" if who in HOSTS else "404"


def post(key: str, suffix: str) -> Any:
    """A path under one of the world's posts: ``/c/<slug>/posts/<id>/<suffix>``."""
    return lambda world: f"/c/{world.community.slug}/posts/{world.extra[key]}/{suffix}"


def question(suffix: str) -> Any:
    return lambda world: f"/c/{world.community.slug}/t/{world.extra['question_id']}/{suffix}"


def _delete_reply(world: World) -> dict[str, Any]:
    """Soft-delete the host's reply first (inside the cell's rolled-back transaction)."""
    Post.objects.filter(pk=world.extra["reply_id"]).update(deleted_at=timezone.now())
    return {}


PAGES: dict[str, Route] = {
    "discussions:new_topic": Route(
        gate("read", allowed(*WRITERS)),
        "post",
        c("topics/new/"),
        lambda w: {"title": "A new topic", "body": "Hello", "kind": "discussion"},
    ),
    "discussions:topic_list": Route(gate("read", anonymous=None), path=c("topics/")),
    "discussions:topic": Route(gate("read", anonymous=None), path=t()),
    "discussions:post_link": Route(gate("read", anonymous=None), path=t("p/2/")),
    "discussions:first_unread": Route(gate("read", anonymous=None), path=t("unread/")),
    "discussions:reply": Route(
        gate("read", allowed(*WRITERS)), "post", t("reply/"), lambda w: {"body": "Me too"}
    ),
    "discussions:posts_after": Route(gate("read", anonymous=None), path=t("posts/?after=1")),
    "discussions:mark_read": Route(
        gate("read", allowed(*WRITERS)), "post", t("read/"), lambda w: {"number": 2}
    ),
    "discussions:moderate": Route(
        gate("read", allowed(*HOSTS)), "post", t("moderate/"), lambda w: {"action": "pin"}
    ),
    "discussions:move": Route(gate("read", allowed(*HOSTS)), path=t("move/")),
    "discussions:accept": Route(
        gate("read", allowed("member", *HOSTS)),
        "post",
        question("accept/"),
        lambda w: {"post": w.extra["question_reply_id"]},
    ),
    "discussions:topic_level": Route(
        gate("read", allowed(*WRITERS)),
        "post",
        t("notifications/"),
        lambda w: {"level": "watching"},
    ),
    # The member's own opening post: its author and the hosts may edit it.
    "discussions:edit_post": Route(
        gate("read", allowed("member", *HOSTS)), path=post("opening_post_id", "edit/")
    ),
    "discussions:post_history": Route(
        gate("read", allowed("member", *HOSTS)), path=post("opening_post_id", "history/")
    ),
    "discussions:delete_post": Route(
        gate("read", allowed("member", *HOSTS)), "post", post("opening_post_id", "delete/")
    ),
    "discussions:restore_post": Route(
        gate("read", hosts_else_404), "post", post("reply_id", "restore/"), _delete_reply
    ),
    "discussions:react": Route(
        gate("read", allowed(*WRITERS)),
        "post",
        post("reply_id", "react/"),
        lambda w: {"kind": "heart"},
    ),
    "discussions:reactors": Route(
        gate("read", anonymous=None), path=post("reply_id", "reactions/")
    ),
    "discussions:bookmark": Route(
        gate("read", readers_signed_in), "post", post("reply_id", "bookmark/")
    ),
}
