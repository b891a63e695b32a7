"""The kinds of notification: what each says, where it leads, whether it can be emailed.

A new kind is one ``register`` call; the fan-out, the list, the emails and the
preferences page read everything about it from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

if TYPE_CHECKING:
    from cerchia.notifications.models import Notification


@dataclass(frozen=True)
class NotificationKind:
    name: str
    #: What the preferences page calls it ("Mentions").
    label: Any
    icon: str
    #: The sentence shown in the list and the email subject.
    describe: Callable[[Notification], str]
    #: Where opening it leads (None: nowhere but the list).
    target: Callable[[Notification], str | None]
    #: For the kinds about a new post: lower wins when one post concerns a member twice.
    rank: int = 100
    #: Whether members may get it by email at once, and the default choice.
    emailable: bool = False
    email_default: bool = False


REGISTRY: dict[str, NotificationKind] = {}


def register(kind: NotificationKind) -> NotificationKind:
    REGISTRY[kind.name] = kind
    return kind


def get_kind(name: str) -> NotificationKind | None:
    return REGISTRY.get(name)


def emailable_kinds() -> list[NotificationKind]:
    return [kind for kind in REGISTRY.values() if kind.emailable]


# --- Targets --------------------------------------------------------------------------


def post_path(slug: str, topic_id: int, number: int) -> str:
    """The post's permanent link (a path)."""
    try:
        return reverse(
            "discussions:post_link", kwargs={"slug": slug, "topic_id": topic_id, "number": number}
        )
    except NoReverseMatch:
        return f"/c/{slug}/t/{topic_id}/p/{number}/"


def _post_target(notification: Notification) -> str | None:
    post = notification.post
    if post is None:
        return None
    # The post's own community: the topic may have moved since.
    return post_path(post.community.slug, post.topic_id, post.number)


def _community_target(notification: Notification) -> str | None:
    if notification.community is None:
        return None
    return reverse("communities:detail", kwargs={"slug": notification.community.slug})


# --- Sentences ------------------------------------------------------------------------


def actor_name(notification: Notification) -> str:
    return notification.actor.name if notification.actor is not None else _("Someone")


def _title(notification: Notification) -> str:
    return notification.topic.title if notification.topic is not None else ""


def _community_name(notification: Notification) -> str:
    community = notification_community(notification)
    return community.name if community is not None else ""


def notification_community(notification: Notification) -> Any:
    """Where it happened: the post's community (topics move), else the one stored."""
    if notification.post is not None:
        return notification.post.community
    return notification.community


def _mentioned(n: Notification) -> str:
    return _("%(actor)s mentioned you in “%(title)s”") % {
        "actor": actor_name(n),
        "title": _title(n),
    }


def _replied(n: Notification) -> str:
    return _("%(actor)s replied in “%(title)s”") % {"actor": actor_name(n), "title": _title(n)}


def _quoted(n: Notification) -> str:
    return _("%(actor)s quoted you in “%(title)s”") % {"actor": actor_name(n), "title": _title(n)}


def _watching(n: Notification) -> str:
    if n.post is not None and n.post.number == 1:
        return _("%(actor)s started “%(title)s” in %(community)s") % {
            "actor": actor_name(n),
            "title": _title(n),
            "community": _community_name(n),
        }
    return _("%(actor)s posted in “%(title)s”") % {"actor": actor_name(n), "title": _title(n)}


def _accepted(n: Notification) -> str:
    return _("%(actor)s accepted your answer in “%(title)s”") % {
        "actor": actor_name(n),
        "title": _title(n),
    }


def _reaction(n: Notification) -> str:
    others = n.actor_count - 1
    if others <= 0:
        return _("%(actor)s reacted to your post in “%(title)s”") % {
            "actor": actor_name(n),
            "title": _title(n),
        }
    return ngettext(
        "%(actor)s and %(count)d other reacted to your post in “%(title)s”",
        "%(actor)s and %(count)d others reacted to your post in “%(title)s”",
        others,
    ) % {"actor": actor_name(n), "count": others, "title": _title(n)}


def _approved(n: Notification) -> str:
    return _("Your request to join %(community)s was approved") % {"community": _community_name(n)}


def _declined(n: Notification) -> str:
    return _("Your request to join %(community)s was declined") % {"community": _community_name(n)}


MENTIONED = register(
    NotificationKind(
        "mentioned",
        gettext_lazy("Mentions of you"),
        "message-square",
        _mentioned,
        _post_target,
        rank=10,
        emailable=True,
        email_default=True,
    )
)
REPLIED = register(
    NotificationKind(
        "replied",
        gettext_lazy("Replies to your topics and posts"),
        "reply",
        _replied,
        _post_target,
        rank=20,
        emailable=True,
        email_default=True,
    )
)
QUOTED = register(
    NotificationKind(
        "quoted",
        gettext_lazy("Quotes of your posts"),
        "message-circle",
        _quoted,
        _post_target,
        rank=30,
        emailable=True,
    )
)
WATCHING = register(
    NotificationKind(
        "watching",
        gettext_lazy("New posts where you are watching"),
        "bell",
        _watching,
        _post_target,
        rank=40,
    )
)
ACCEPTED_ANSWER = register(
    NotificationKind(
        "accepted_answer",
        gettext_lazy("Your answer accepted"),
        "circle-check",
        _accepted,
        _post_target,
        emailable=True,
    )
)
REACTION = register(
    NotificationKind("reaction", gettext_lazy("Reactions"), "sparkles", _reaction, _post_target)
)
JOIN_REQUEST_APPROVED = register(
    NotificationKind(
        "join_request_approved",
        gettext_lazy("Join request approved"),
        "user-plus",
        _approved,
        _community_target,
    )
)
JOIN_REQUEST_DECLINED = register(
    NotificationKind(
        "join_request_declined",
        gettext_lazy("Join request declined"),
        "x",
        _declined,
        lambda notification: None,
    )
)
