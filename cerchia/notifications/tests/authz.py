"""The notifications' routes in the authorization matrix: each member's own, or a signed link."""

from __future__ import annotations

import itertools

from cerchia.core.tests.matrix import Route, World, always, only, signed_in
from cerchia.notifications.emails import unsubscribe_token
from cerchia.notifications.models import Notification

_numbers = itertools.count(1)


def _members_notification(world: World) -> int:
    """A notification for the world's member about the reply in their topic (rolled back
    with the request that uses it)."""
    notification = Notification.objects.create(
        recipient=world.people["member"],
        kind="replied",
        dedupe_key=f"matrix:{next(_numbers)}",
        actor=world.people["moderator"],
        actor_ids=[world.people["moderator"].pk],
        community=world.community,
        topic_id=world.extra["topic_id"],
        post_id=world.extra["reply_id"],
    )
    return notification.pk


PAGES: dict[str, Route] = {
    "notifications:list": Route(signed_in(), path=lambda w: "/notifications/"),
    "notifications:open": Route(
        signed_in(only("member")), path=lambda w: f"/notifications/{_members_notification(w)}/"
    ),
    "notifications:mark_all_read": Route(signed_in(), "post", lambda w: "/notifications/read/"),
    "notifications:badge": Route(signed_in(), path=lambda w: "/notifications/badge/"),
    "notifications:preferences": Route(signed_in(), path=lambda w: "/settings/notifications/"),
    # The signed token is the credential: anyone holding the link may use it.
    "notifications:unsubscribe": Route(
        always("ok"),
        path=lambda w: (
            f"/notifications/unsubscribe/{unsubscribe_token(w.people['member'].pk, 'mentioned')}/"
        ),
    ),
}

API: dict[tuple[str, str], Route] = {
    ("get", "/api/v1/me/notifications"): Route(
        signed_in(anonymous="401"), path=lambda w: "/api/v1/me/notifications?unread=true"
    ),
    ("get", "/api/v1/me/notifications/unread-count"): Route(
        signed_in(anonymous="401"), path=lambda w: "/api/v1/me/notifications/unread-count"
    ),
    ("post", "/api/v1/me/notifications/{notification_id}/read"): Route(
        signed_in(only("member"), anonymous="401"),
        "post",
        lambda w: f"/api/v1/me/notifications/{_members_notification(w)}/read",
    ),
    ("post", "/api/v1/me/notifications/read"): Route(
        signed_in(anonymous="401"), "post", lambda w: "/api/v1/me/notifications/read"
    ),
    ("get", "/api/v1/me/notification-preferences"): Route(
        signed_in(anonymous="401"), path=lambda w: "/api/v1/me/notification-preferences"
    ),
    ("patch", "/api/v1/me/notification-preferences"): Route(
        signed_in(anonymous="401"),
        "patch",
        lambda w: "/api/v1/me/notification-preferences",
        lambda w: {"digest": "daily", "email": {"quoted": True}},
    ),
}
