"""The authorization matrix's rows for insights: the dashboard, its CSV exports and the
metrics API — hosts and site admins; 404 to whoever may not read the community, 403 to
other readers; anonymous visitors sign in first (the API answers 401)."""

from __future__ import annotations

from cerchia.core.tests.matrix import Route, api, c, gate

V1 = "/api/v1"

PAGES: dict[str, Route] = {
    "insights:dashboard": Route(gate("manage"), path=c("insights/")),
    "insights:export": Route(gate("manage"), path=c("insights/export/summary.csv")),
}

API: dict[tuple[str, str], Route] = {
    ("get", f"{V1}/communities/{{slug}}/insights"): Route(
        gate("manage", anonymous="401"), path=api("/insights")
    ),
}
