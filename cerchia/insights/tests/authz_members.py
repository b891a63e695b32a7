"""The authorization matrix's rows for insights: the member table, segments and exports.

All of it is for the community's hosts and site admins: 404 to whoever may not read the
community, 403 to other readers (a suspended member included), sign in first otherwise.
"""

from __future__ import annotations

from typing import Any

from cerchia.core.tests.matrix import Route, World, api, c, gate
from cerchia.insights.models import Segment

V1 = "/api/v1"
HOSTS_PAGE = gate("manage")
HOSTS_API = gate("manage", anonymous="401")


def _segment_id(world: World) -> int:
    """A fresh segment in the world's community (each request's writes are rolled back)."""
    segment = Segment.objects.create(
        community=world.community,
        name="Matrix segment",
        rules={
            "match": "all",
            "groups": [
                {"match": "all", "conditions": [{"field": "role", "op": "is", "value": "member"}]}
            ],
        },
    )
    return segment.pk


def seg(suffix: str = "") -> Any:
    return lambda w: f"/c/{w.community.slug}/insights/segments/{_segment_id(w)}/{suffix}"


def seg_api(suffix: str = "") -> Any:
    return lambda w: f"{V1}/communities/{w.community.slug}/segments/{_segment_id(w)}{suffix}"


RULES = {
    "match": "all",
    "groups": [{"match": "all", "conditions": [{"field": "role", "op": "is", "value": "member"}]}],
}
BUILDER = {
    "groups": "1",
    "g1-rows": "1",
    "g1-c1-field": "role",
    "g1-c1-op": "is",
    "g1-c1-value": "member",
}

PAGES: dict[str, Route] = {
    "insights:members": Route(HOSTS_PAGE, path=c("insights/members/")),
    "insights:members_export": Route(
        HOSTS_PAGE, path=c("insights/members/export/?kind=profile&format=csv")
    ),
    "insights:segments": Route(HOSTS_PAGE, path=c("insights/segments/")),
    "insights:segment_new": Route(
        HOSTS_PAGE,
        "post",
        c("insights/segments/new/"),
        lambda w: {**BUILDER, "name": "New one", "kind": "dynamic", "match": "all"},
    ),
    "insights:segment_count": Route(
        HOSTS_PAGE, "post", c("insights/segments/count/"), lambda w: BUILDER
    ),
    "insights:segment": Route(HOSTS_PAGE, path=seg()),
    "insights:segment_edit": Route(HOSTS_PAGE, path=seg("edit/")),
    "insights:segment_freeze": Route(HOSTS_PAGE, "post", seg("freeze/")),
    "insights:segment_delete": Route(HOSTS_PAGE, "post", seg("delete/")),
    "insights:segment_export": Route(HOSTS_PAGE, path=seg("export/?kind=marketing&format=json")),
}

API: dict[tuple[str, str], Route] = {
    ("get", f"{V1}/communities/{{slug}}/members-table"): Route(
        HOSTS_API, path=api("/members-table?role=member")
    ),
    ("get", f"{V1}/communities/{{slug}}/segments"): Route(HOSTS_API, path=api("/segments")),
    ("post", f"{V1}/communities/{{slug}}/segments"): Route(
        HOSTS_API, "post", api("/segments"), lambda w: {"name": "Via the API", "rules": RULES}
    ),
    ("post", f"{V1}/communities/{{slug}}/segments/count"): Route(
        HOSTS_API, "post", api("/segments/count"), lambda w: {"rules": RULES}
    ),
    ("get", f"{V1}/communities/{{slug}}/segments/{{segment_id}}"): Route(HOSTS_API, path=seg_api()),
    ("patch", f"{V1}/communities/{{slug}}/segments/{{segment_id}}"): Route(
        HOSTS_API, "patch", seg_api(), lambda w: {"name": "Renamed"}
    ),
    ("delete", f"{V1}/communities/{{slug}}/segments/{{segment_id}}"): Route(
        HOSTS_API, "delete", seg_api()
    ),
    ("get", f"{V1}/communities/{{slug}}/segments/{{segment_id}}/members"): Route(
        HOSTS_API, path=seg_api("/members")
    ),
    ("get", f"{V1}/communities/{{slug}}/segments/{{segment_id}}/export"): Route(
        HOSTS_API, path=seg_api("/export?kind=profile&format=csv")
    ),
}
