"""Rate limits for the API: fixed windows counted in the cache (shared through Redis at scale).

Anonymous callers are counted by client address (``request.client_ip``, which only
trusts forwarding headers from configured proxies), members by account, whichever
way they authenticate. ``CERCHIA_API_RATES`` overrides the defaults, for example
``{"anon": "60/m", "user": "600/m", "write": "120/m"}``; a missing or empty rate
means no limit. Test runs have no limits unless a test sets them. Counting is
``cerchia.core.ratelimit``'s; when the cache is down the API fails open.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from cerchia.api.auth import SAFE_METHODS
from cerchia.core.ratelimit import count_hit, parse_rate

logger = logging.getLogger("cerchia.api")

DEFAULT_RATES: dict[str, str] = {"anon": "120/m", "user": "900/m", "write": "180/m"}


def current_rates() -> dict[str, str]:
    configured: dict[str, str] | None = getattr(settings, "CERCHIA_API_RATES", None)
    if configured is not None:
        return configured
    return {} if getattr(settings, "TESTING", False) else DEFAULT_RATES


class ApiThrottle(BaseThrottle):
    """One limit (``scope``: ``anon``, ``user`` or ``write``), counted per caller per window."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        self._local = threading.local()  # one instance serves every request thread

    def _ident(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if self.scope == "anon":
            return None if signed_in else f"ip:{getattr(request, 'client_ip', '') or '-'}"
        if not signed_in:
            return None
        if self.scope == "write" and request.method in SAFE_METHODS:
            return None
        return f"user:{user.pk}"  # type: ignore[union-attr]

    def allow_request(self, request: HttpRequest) -> bool:
        rate = current_rates().get(self.scope)
        ident = self._ident(request)
        if not rate or ident is None:
            return True
        limit, period = parse_rate(rate)
        try:
            count, self._local.wait = count_hit(f"api-throttle:{self.scope}:{ident}", period)
        except Exception:  # the cache is down: the API keeps answering
            logger.warning("API throttle %r cannot be counted; allowing", self.scope, exc_info=True)
            return True
        return count <= limit

    def wait(self) -> float | None:
        wait: float | None = getattr(self._local, "wait", None)
        return wait


THROTTLES = [ApiThrottle("anon"), ApiThrottle("user"), ApiThrottle("write")]
