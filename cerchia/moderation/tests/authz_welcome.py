"""The welcome's rows of the authorization matrix: the about page, the hosts' welcome page
and welcomers, the newcomers page, closing the welcome panel, and their API.

The about page follows the community's front page (hidden ones 404 to outsiders). The
welcome settings are for hosts; the newcomers page for hosts and welcomers (the matrix's
world has no welcomer, so it reads like a host page); closing the welcome is for members.
"""

from __future__ import annotations

from typing import Any

from cerchia.core.tests.matrix import Route, World, api, c, gate, only

V1 = "/api/v1"
MEMBERS = only("member", "moderator", "owner", otherwise="403")


def _remove_member_path(world: World) -> str:
    handle = world.people["member"].handle
    return f"/c/{world.community.slug}/moderation/welcome/welcomers/{handle}/remove/"


def _welcome_body(world: World) -> dict[str, Any]:
    return {"welcome_message": "Hello", "introductions_topic_id": None, "unanswered_hours": 24}


PAGES: dict[str, Route] = {
    "moderation:about": Route(gate("view", anonymous=None), path=c("about/")),
    "moderation:welcome": Route(gate("manage"), path=c("moderation/welcome/")),
    "moderation:add_welcomer": Route(
        gate("manage"),
        "post",
        c("moderation/welcome/welcomers/"),
        lambda w: {"handle": w.people["member"].handle},
    ),
    "moderation:remove_welcomer": Route(gate("manage"), "post", _remove_member_path),
    "moderation:newcomers": Route(gate("manage"), path=c("newcomers/")),
    "moderation:dismiss_welcome": Route(gate("read", MEMBERS), "post", c("welcome/dismiss/")),
}

API: dict[tuple[str, str], Route] = {
    ("get", f"{V1}/communities/{{slug}}/about"): Route(
        gate("view", anonymous=None), path=api("/about")
    ),
    ("get", f"{V1}/communities/{{slug}}/welcome"): Route(
        gate("manage", anonymous="401"), path=api("/welcome")
    ),
    ("put", f"{V1}/communities/{{slug}}/welcome"): Route(
        gate("manage", anonymous="401"), "put", api("/welcome"), _welcome_body
    ),
    ("put", f"{V1}/communities/{{slug}}/welcomers"): Route(
        gate("manage", anonymous="401"),
        "put",
        api("/welcomers"),
        lambda w: {"handles": [w.people["member"].handle]},
    ),
    ("get", f"{V1}/communities/{{slug}}/newcomers"): Route(
        gate("manage", anonymous="401"), path=api("/newcomers")
    ),
}
