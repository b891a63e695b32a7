"""Moderation setup (settings, content rules, trust levels) in the authorization matrix.

Hosts and site admins only. Pages resolve the community as its other settings pages do (404
to whoever may not read it, 403 to other readers); the API answers 404 to whoever may not
see the community and 403 to everyone else who is not a host.
"""

from __future__ import annotations

from typing import Any

from cerchia.core.tests.matrix import HOSTS, Route, World, api, c, gate, sees
from cerchia.moderation.models import ContentRule

V1 = "/api/v1"


def hosts_api(visibility: str, who: str) -> str:
    if who == "anonymous":
        return "401"
    if not sees(visibility, who):
        return "404"
    return "ok" if who in HOSTS else "403"


def _rule(world: World) -> int:
    """A rule to delete (created inside the cell's rolled-back transaction)."""
    rule = ContentRule.objects.create(
        community=world.community, kind="keyword", pattern="matrix spam", action="hold"
    )
    return rule.pk


def _rule_page(world: World) -> str:
    return f"/c/{world.community.slug}/moderation/rules/{_rule(world)}/delete/"


def _rule_api(world: World) -> str:
    return f"{V1}/communities/{world.community.slug}/moderation/rules/{_rule(world)}"


def _member_level(world: World) -> dict[str, Any]:
    return {"handle": world.people["member"].handle, "level": "2"}


def _member_api(world: World) -> str:
    handle = world.people["member"].handle
    return f"{V1}/communities/{world.community.slug}/members/{handle}/trust-level"


PAGES: dict[str, Route] = {
    "moderation:settings": Route(gate("manage"), path=c("moderation/settings/")),
    "moderation:add_rule": Route(
        gate("manage"),
        "post",
        c("moderation/rules/"),
        lambda w: {"kind": "domain", "pattern": "spam.example", "action": "refuse"},
    ),
    "moderation:delete_rule": Route(gate("manage"), "post", _rule_page),
    "moderation:trust": Route(gate("manage"), path=c("moderation/trust/")),
    "moderation:set_member_level": Route(
        gate("manage"), "post", c("moderation/trust/member/"), _member_level
    ),
}

API: dict[tuple[str, str], Route] = {
    ("get", f"{V1}/communities/{{slug}}/moderation/settings"): Route(
        hosts_api, path=api("/moderation/settings")
    ),
    ("put", f"{V1}/communities/{{slug}}/moderation/settings"): Route(
        hosts_api, "put", api("/moderation/settings"), lambda w: {"premoderation": "newcomers"}
    ),
    ("get", f"{V1}/communities/{{slug}}/moderation/rules"): Route(
        hosts_api, path=api("/moderation/rules")
    ),
    ("post", f"{V1}/communities/{{slug}}/moderation/rules"): Route(
        hosts_api,
        "post",
        api("/moderation/rules"),
        lambda w: {"kind": "keyword", "pattern": "cheap pills", "action": "refuse"},
    ),
    ("delete", f"{V1}/communities/{{slug}}/moderation/rules/{{rule_id}}"): Route(
        hosts_api, "delete", _rule_api
    ),
    ("get", f"{V1}/communities/{{slug}}/moderation/trust"): Route(
        hosts_api, path=api("/moderation/trust")
    ),
    ("put", f"{V1}/communities/{{slug}}/moderation/trust"): Route(
        hosts_api,
        "put",
        api("/moderation/trust"),
        lambda w: {"thresholds": {"1": {"days": 2}}, "limits": {"0": {"posts_per_hour": 3}}},
    ),
    ("put", f"{V1}/communities/{{slug}}/members/{{handle}}/trust-level"): Route(
        hosts_api, "put", _member_api, lambda w: {"level": 2}
    ),
}
