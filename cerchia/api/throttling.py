"""Rate limits for the API: fixed windows counted in the cache (shared through Redis at scale).

Anonymous callers are counted by client address (``request.client_ip``, which only
trusts forwarding headers from configured proxies), members by account, whichever
way they authenticate. ``CERCHIA_API_RATES`` overrides the defaults, for example
``{"anon": "60/m", "user": "600/m", "write": "120/m"}``; a missing or empty rate
means no limit. Test runs have no limits unless a test sets them.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from cerchia.api.auth import SAFE_METHODS

DEFAULT_RATES: dict[str, str] = {"anon": "120/m", "user": "900/m", "write": "180/m"}
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def current_rates() -> dict[str, str]:
    configured: dict[str, str] | None = getattr(settings, "CERCHIA_API_RATES", None)
    if configured is not None:
        return configured
    return {} if getattr(settings, "TESTING", False) else DEFAULT_RATES


def parse_rate(rate: str) -> tuple[int, int]:
    """``"120/m"`` → (120 requests, 60 seconds); also ``s``, ``h``, ``d`` and ``"10/5m"``."""
    count, _slash, period = rate.partition("/")
    unit = period[-1:]
    multiplier = int(period[:-1] or 1)
    if unit not in _PERIODS:
        raise ValueError(f"invalid API rate {rate!r}")
    return int(count), multiplier * _PERIODS[unit]


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
        now = time.time()
        window = int(now // period)
        key = f"api-throttle:{self.scope}:{ident}:{period}:{window}"
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=period + 1)
            count = 1
        self._local.wait = (window + 1) * period - now
        return count <= limit

    def wait(self) -> float | None:
        wait: float | None = getattr(self._local, "wait", None)
        return wait


THROTTLES = [ApiThrottle("anon"), ApiThrottle("user"), ApiThrottle("write")]
