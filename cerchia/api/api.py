"""The REST API: one ``NinjaAPI`` over the same actions, queries and checks as the pages."""

from __future__ import annotations

import copy
import threading
from typing import Any, cast

from django.urls import URLPattern, URLResolver, path
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from cerchia.api import errors, views
from cerchia.api.auth import SIGNED_IN
from cerchia.api.routers import admissions, communities, discussions, profiles
from cerchia.api.routers import insights_announcements as insights_announcement_routes
from cerchia.api.routers import insights_fields as insights_field_routes
from cerchia.api.routers import insights_members as insights_member_routes
from cerchia.api.routers import insights_metrics as insights_metric_routes
from cerchia.api.routers import moderation as moderation_routes
from cerchia.api.routers import moderation_rules as moderation_rules_routes
from cerchia.api.routers import notifications as notification_routes
from cerchia.api.routers import people as people_routes
from cerchia.api.routers import sanctions as sanction_routes
from cerchia.api.routers import search as search_routes
from cerchia.api.routers import welcome as welcome_routes
from cerchia.api.throttling import THROTTLES

DESCRIPTION = """\
The Cerchia API: profiles, communities, memberships, join requests and invitations, and
discussions (topics, posts, accepted answers, reactions, bookmarks, reading state and
notification levels), with the same rules as the web pages.

**Authentication.** Send a personal access token, created in your account settings, as
`Authorization: Bearer cer_…`. Read tokens may only use `GET`; read and write tokens may
also change things. In the browser, your session works too: unsafe requests need the
`csrftoken` cookie's value in an `X-CSRFToken` header. A token that is malformed, unknown
or revoked answers `401`, even where anonymous reads are allowed.

**Errors** are [problem details](https://www.rfc-editor.org/rfc/rfc9457)
(`application/problem+json`) with a stable `code` and, for invalid input, `errors`
by field. Something you may not see answers `404`, not `403`.

**Lists** answer `{"items": [...], "next_cursor": "..."}`; pass `next_cursor` back as
`cursor` for the next page until it is `null`. A topic's posts go by post number
instead: `page` (20 posts a page), or `after` with the previous answer's `next_after`.

**Posting twice is safe.** Send an `Idempotency-Key` header (any unique string of up to
80 characters, such as a UUID) when you start a topic or reply: a repeat with the same
key answers what the first request created, with the same status, and never posts again.
`PUT` sets a state (a reaction, a bookmark, a read position, a notification level) and
`DELETE` at the same address clears it: doing either twice is harmless.

**Rate limits** answer `429` with `Retry-After` (seconds).
"""


class CerchiaAPI(NinjaAPI):
    """NinjaAPI with problem-details errors, short operation ids and a cached schema."""

    _schema_lock = threading.Lock()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._schema_cache: dict[str, dict[str, Any]] = {}

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        # Ninja's root view only 404s; answer where the schema and the docs are instead.
        return [
            path("", views.index, name="api-root") if getattr(p, "name", "") == "api-root" else p
            for p in super()._get_urls()
        ]

    def set_default_exception_handlers(self) -> None:
        errors.install(self)

    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        with self._schema_lock:
            if path_prefix not in self._schema_cache:
                schema = super().get_openapi_schema(path_prefix=path_prefix)
                self._schema_cache[path_prefix] = _problem_media_types(dict(schema))
            cached = self._schema_cache[path_prefix]
        return cast(OpenAPISchema, copy.deepcopy(cached))


def _problem_media_types(schema: dict[str, Any]) -> dict[str, Any]:
    """Error responses are served as ``application/problem+json``: say so in the schema."""
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content")
                if int(status) >= 400 and content and "application/json" in content:
                    response["content"] = {
                        errors.PROBLEM_CONTENT_TYPE: content.pop("application/json")
                    }
    return schema


api = CerchiaAPI(
    title="Cerchia API",
    version="1.0",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url=None,  # served by cerchia.api.views.docs from local static files
    auth=SIGNED_IN,
    throttle=THROTTLES,
)
api.add_router("", profiles.router)
api.add_router("", communities.router)
api.add_router("", admissions.router)
api.add_router("", discussions.router)
api.add_router("", people_routes.router)
api.add_router("", moderation_routes.router)
api.add_router("", moderation_rules_routes.router)
api.add_router("", notification_routes.router)
api.add_router("", sanction_routes.router)
api.add_router("", search_routes.router)
api.add_router("", welcome_routes.router)
api.add_router("", insights_metric_routes.router)
api.add_router("", insights_field_routes.router)
api.add_router("", insights_member_routes.router)
api.add_router("", insights_announcement_routes.router)
