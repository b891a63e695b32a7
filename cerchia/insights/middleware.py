"""Count a member's visit after a community page answered (see ``cerchia.insights.visits``)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from cerchia.insights.visits import record_visit

logger = logging.getLogger(__name__)


class VisitMiddleware:
    """After a successful GET of a community page (``request.community`` set by
    ``community_view``) by a signed-in member, count a visit. Fails open."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        try:
            counting = getattr(settings, "CERCHIA_COUNT_VISITS", True)
            if counting and request.method == "GET" and response.status_code == 200:
                community = getattr(request, "community", None)
                flags = getattr(request, "flags", None)
                user = getattr(request, "user", None)
                if (
                    community is not None
                    and user is not None
                    and user.is_authenticated
                    and getattr(flags, "role", None)
                ):
                    record_visit(user, community)
        except Exception:
            logger.warning("visit not counted", exc_info=True)
        return response
