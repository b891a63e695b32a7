"""Reports and the review queue in the authorization matrix: pages and API operations.

Reporting: anyone signed in and active who reads the thing, except its own author (403);
the review queue, its actions and hiding posts: the community's hosts and site admins
(403 to other readers, 404 to the rest).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cerchia.core.tests.matrix import Expect, Route, World, c, gate
from cerchia.moderation.models import HeldPost, Report

V1 = "/api/v1"


def except_(*authors: str) -> Expect:
    """Signed-in readers may report, but not the author of the thing; suspended are refused."""
    return lambda visibility, who: "403" if who in authors or who == "suspended" else "ok"


def _report(world: World) -> int:
    """An open report by the member on the host's reply (rolled back after the call)."""
    post_id = world.extra["reply_id"]
    report = Report.objects.create(
        community=world.community,
        reporter=world.people["member"],
        target=Report.Target.POST,
        post_id=post_id,
        topic_id=world.extra["topic_id"],
        target_key=f"post:{post_id}",
        reason="spam",
    )
    return report.pk


def _held(world: World) -> int:
    """A reply by the member waiting for approval (rolled back after the call)."""
    held = HeldPost.objects.create(
        community=world.community,
        author=world.people["member"],
        topic_id=world.extra["topic_id"],
        body="Waiting for approval",
        reason="premoderation",
    )
    return held.pk


def report_page(suffix: str) -> Callable[[World], str]:
    return lambda world: f"/c/{world.community.slug}/moderation/reports/{_report(world)}/{suffix}"


def held_page(world: World) -> str:
    return f"/c/{world.community.slug}/moderation/held/{_held(world)}/"


def api_report(suffix: str) -> Callable[[World], str]:
    return lambda world: (
        f"{V1}/communities/{world.community.slug}/moderation/reports/{_report(world)}/{suffix}"
    )


def api_held(suffix: str = "") -> Callable[[World], str]:
    return lambda world: (
        f"{V1}/communities/{world.community.slug}/moderation/held/{_held(world)}{suffix}"
    )


def api_c(suffix: str) -> Callable[[World], str]:
    return lambda world: f"{V1}/communities/{world.community.slug}{suffix}"


def reply_post(suffix: str) -> Callable[[World], str]:
    return lambda world: f"/c/{world.community.slug}/posts/{world.extra['reply_id']}/{suffix}"


def report_body(world: World) -> dict[str, Any]:
    return {"post_id": world.extra["reply_id"], "reason": "spam", "note": "Ads"}


PAGES: dict[str, Route] = {
    "moderation:queue": Route(gate("manage"), path=c("moderation/")),
    "moderation:held": Route(gate("manage"), path=c("moderation/held/")),
    "moderation:report_action": Route(
        gate("manage"), "post", report_page(""), lambda w: {"action": "dismiss"}
    ),
    "moderation:held_action": Route(
        gate("manage"), "post", held_page, lambda w: {"decision": "reject", "note": "No"}
    ),
    "moderation:hide_post": Route(
        gate("manage"),
        "post",
        lambda w: f"/c/{w.community.slug}/moderation/posts/{w.extra['reply_id']}/hide/",
        lambda w: {"action": "hide"},
    ),
    # The reply is the moderator's, the topic and the opening post the member's.
    "moderation:report_post": Route(gate("read", except_("moderator")), path=reply_post("report/")),
    "moderation:report_topic": Route(
        gate("read", except_("member")),
        path=lambda w: f"/c/{w.community.slug}/t/{w.extra['topic_id']}/report/",
    ),
    "moderation:report_member": Route(
        gate("read", except_("moderator")),
        path=lambda w: f"/c/{w.community.slug}/members/{w.people['moderator'].pk}/report/",
    ),
}

API: dict[tuple[str, str], Route] = {
    ("post", f"{V1}/communities/{{slug}}/reports"): Route(
        gate("read", except_("moderator"), anonymous="401"),
        "post",
        api_c("/reports"),
        report_body,
    ),
    ("get", f"{V1}/communities/{{slug}}/moderation/queue"): Route(
        gate("manage", anonymous="401"), path=api_c("/moderation/queue")
    ),
    ("get", f"{V1}/communities/{{slug}}/moderation/reports"): Route(
        gate("manage", anonymous="401"), path=api_c("/moderation/reports")
    ),
    ("post", f"{V1}/communities/{{slug}}/moderation/reports/{{report_id}}/dismiss"): Route(
        gate("manage", anonymous="401"), "post", api_report("dismiss"), lambda w: {}
    ),
    ("post", f"{V1}/communities/{{slug}}/moderation/reports/{{report_id}}/resolve"): Route(
        gate("manage", anonymous="401"), "post", api_report("resolve"), lambda w: {"action": "hide"}
    ),
    ("get", f"{V1}/communities/{{slug}}/moderation/held"): Route(
        gate("manage", anonymous="401"), path=api_c("/moderation/held")
    ),
    ("get", f"{V1}/communities/{{slug}}/moderation/held/{{held_id}}"): Route(
        gate("manage", anonymous="401"), path=api_held()
    ),
    ("post", f"{V1}/communities/{{slug}}/moderation/held/{{held_id}}/approve"): Route(
        gate("manage", anonymous="401"), "post", api_held("/approve"), lambda w: {}
    ),
    ("post", f"{V1}/communities/{{slug}}/moderation/held/{{held_id}}/reject"): Route(
        gate("manage", anonymous="401"), "post", api_held("/reject"), lambda w: {"note": "No"}
    ),
    ("put", f"{V1}/posts/{{post_id}}/hidden"): Route(
        gate("manage", anonymous="401"),
        "put",
        lambda w: f"{V1}/posts/{w.extra['reply_id']}/hidden",
    ),
    ("delete", f"{V1}/posts/{{post_id}}/hidden"): Route(
        gate("manage", anonymous="401"),
        "delete",
        lambda w: f"{V1}/posts/{w.extra['reply_id']}/hidden",
    ),
}
