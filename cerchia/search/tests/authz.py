"""The search page and API in the authorization matrix.

Anyone may search; a community filter answers 404 to whoever may not read that community,
the same as for one that does not exist.
"""

from __future__ import annotations

from cerchia.core.tests.matrix import Route, gate

PAGES: dict[str, Route] = {
    "search:search": Route(
        gate("read", anonymous=None),
        path=lambda w: f"/search/?q=Matrix&community={w.community.slug}",
    ),
}

API: dict[tuple[str, str], Route] = {
    ("get", "/api/v1/search"): Route(
        gate("read", anonymous=None),
        path=lambda w: f"/api/v1/search?q=Matrix&community={w.community.slug}",
    ),
}
