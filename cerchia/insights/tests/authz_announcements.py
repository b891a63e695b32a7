"""The authorization matrix's rows for insights: announcements.

Every announcement page and operation is for the community's hosts (404 to whoever may not
read it, 403 to other readers). Creating one needs a host who may post there: a site admin who
is not a member gets a form error (400) or a 422, not a topic in someone else's name. The
one-click unsubscribe answers anyone holding a valid token.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from cerchia.core.tests.matrix import Expect, Route, World, api, c, gate
from cerchia.insights.models import Announcement
from cerchia.insights.notifications_announcements import unsubscribe_token

V1 = "/api/v1"


def _hosts_who_post(visibility: str, who: str) -> str:
    return "invalid" if who == "site_admin" else "ok"


#: Sending one: hosts who may post (see ``test_announcements_views`` for the page's POST).
CREATE: Expect = gate("manage", _hosts_who_post, anonymous="401")


def _scheduled(world: World) -> Announcement:
    """A scheduled announcement of the world's community (made afresh in each cell)."""
    announcement, _created = Announcement.objects.get_or_create(
        community=world.community,
        title="Matrix announcement",
        defaults={
            "author": world.people["owner"],
            "body": "Soon.",
            "send_at": timezone.now() + timedelta(days=3),
        },
    )
    return announcement


def _page(suffix: str = "") -> Any:
    def path(world: World) -> str:
        pk = _scheduled(world).pk
        return f"/c/{world.community.slug}/insights/announcements/{pk}/{suffix}"

    return path


def _api(suffix: str = "") -> Any:
    def path(world: World) -> str:
        pk = _scheduled(world).pk
        return f"/api/v1/communities/{world.community.slug}/announcements/{pk}{suffix}"

    return path


def _form(world: World) -> dict[str, Any]:
    return {"title": "Matrix news", "body": "Hello all", "audience": "everyone", "when": "now"}


def _later(world: World) -> dict[str, Any]:
    moment = timezone.now() + timedelta(days=5)
    return {"send_at": moment.strftime("%Y-%m-%dT%H:%M")}


def _unsubscribe(world: World) -> str:
    return f"/email/marketing/unsubscribe/{unsubscribe_token(world.people['member'].pk)}/"


PAGES: dict[str, Route] = {
    "insights:announcements": Route(gate("manage"), path=c("insights/announcements/")),
    "insights:announcement_new": Route(gate("manage"), path=c("insights/announcements/new/")),
    "insights:announcement": Route(gate("manage"), path=_page()),
    "insights:announcement_reschedule": Route(gate("manage"), "post", _page("reschedule/"), _later),
    "insights:announcement_cancel": Route(gate("manage"), "post", _page("cancel/")),
    "insights:marketing_unsubscribe": Route(lambda v, w: "ok", "post", _unsubscribe),
}

API: dict[tuple[str, str], Route] = {
    ("get", f"{V1}/communities/{{slug}}/announcements"): Route(
        gate("manage", anonymous="401"), path=api("/announcements")
    ),
    ("post", f"{V1}/communities/{{slug}}/announcements"): Route(
        CREATE,
        "post",
        api("/announcements"),
        lambda w: {"title": "Matrix news", "body": "Hello all"},
    ),
    ("get", f"{V1}/communities/{{slug}}/announcements/{{announcement_id}}"): Route(
        gate("manage", anonymous="401"), path=_api()
    ),
    ("post", f"{V1}/communities/{{slug}}/announcements/{{announcement_id}}/cancel"): Route(
        gate("manage", anonymous="401"), "post", _api("/cancel")
    ),
}
