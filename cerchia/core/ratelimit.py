"""Named rate limits: sign-up, login, password reset, second factor, posting, reports,
invitations and uploads.

Each limit is one or more fixed windows counted in the cache (Redis in production,
so every process shares the counts): ``settings.CERCHIA_RATE_LIMITS`` maps a name to
rates such as ``"30/h"`` or ``"10/m,100/d"``; a missing or empty entry means no limit,
and test runs have none unless a test sets them. Limits for people who are signed in
count per account; the others per real client address (``request.client_ip``, which
believes forwarding headers only from ``CERCHIA_TRUSTED_PROXIES``).

When the cache cannot be reached, authentication limits fail closed (``LimitUnavailable``,
answered 503 with ``Retry-After``): a cache outage must not allow unlimited password
guessing. Every other limit fails open with a warning: posting must not stop because the
cache blinked. A refusal raises ``RateLimited`` before anything is written; pages answer
429 (``RateLimitMiddleware``), the API a 429 problem (``cerchia.api.errors``).
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from cerchia.core.htmx import is_htmx

if TYPE_CHECKING:
    from cerchia.accounts.models import User

logger = logging.getLogger("cerchia.ratelimit")

#: Limits that protect credentials: refused when the cache is unavailable.
AUTH_LIMITS = frozenset({"signup", "login", "password_reset", "mfa"})
#: allauth's routes (by URL name) that a POST to counts against an authentication limit.
AUTH_ROUTES: dict[str, str] = {
    "account_signup": "signup",
    "account_login": "login",
    "account_request_login_code": "login",
    "account_confirm_login_code": "login",
    "account_reset_password": "password_reset",
    "account_reset_password_from_key": "password_reset",
    "account_confirm_password_reset_code": "password_reset",
    "mfa_authenticate": "mfa",
    "mfa_reauthenticate": "mfa",
    "account_reauthenticate": "mfa",
}
#: How long to tell clients to wait when the cache is down.
UNAVAILABLE_RETRY_AFTER = 30
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(Exception):
    """Too many attempts at ``limit``; try again in ``retry_after`` seconds."""

    status = 429

    def __init__(self, limit: str, retry_after: int) -> None:
        super().__init__(f"rate limit {limit!r} reached; retry in {retry_after}s")
        self.limit = limit
        self.retry_after = max(1, retry_after)


class LimitUnavailable(RateLimited):
    """An authentication limit could not be counted (cache down): refused, fail closed."""

    status = 503


# --- Rates and counting (shared with the API throttle) -------------------------------------


def parse_rate(rate: str) -> tuple[int, int]:
    """``"120/m"`` → (120 requests, 60 seconds); also ``s``, ``h``, ``d`` and ``"10/5m"``."""
    count, _slash, period = rate.strip().partition("/")
    unit = period[-1:]
    if unit not in _PERIODS:
        raise ValueError(f"invalid rate {rate!r}")
    multiplier = int(period[:-1] or 1)
    return int(count), multiplier * _PERIODS[unit]


def parse_rates(spec: str) -> list[tuple[int, int]]:
    """``"10/m,100/d"`` → [(10, 60), (100, 86400)]; empty → no limit."""
    return [parse_rate(part) for part in spec.split(",") if part.strip()]


def count_hit(key: str, period: int) -> tuple[int, float]:
    """Count one hit in the current ``period``-second window of ``key``, atomically.

    Returns the hits so far in this window and the seconds until it ends. Raises
    whatever the cache raises when it is unavailable.
    """
    now = time.time()
    window = int(now // period)
    full_key = f"{key}:{period}:{window}"
    cache.add(full_key, 0, timeout=period + 1)
    try:
        count = cache.incr(full_key)
    except ValueError:  # expired between add and incr
        cache.set(full_key, 1, timeout=period + 1)
        count = 1
    return count, (window + 1) * period - now


# --- Named limits -----------------------------------------------------------------------------


def current_limits() -> dict[str, str]:
    limits: dict[str, str] = getattr(settings, "CERCHIA_RATE_LIMITS", {}) or {}
    return limits


def address_key(ip: str) -> str:
    """What an address is counted as: itself, or its /64 for IPv6 (one client's usual share,
    which it could otherwise walk through to escape a limit)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip or "-"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def hit(limit: str, *, user: User | Any | None = None, ip: str = "") -> None:
    """Count an attempt at ``limit`` by ``user`` (when signed in) or else by address ``ip``.

    Raises ``RateLimited`` past the limit, ``LimitUnavailable`` for an authentication
    limit the cache cannot count.
    """
    spec = current_limits().get(limit)
    if not spec:
        return
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    ident = f"user:{user.pk}" if signed_in else f"ip:{address_key(ip)}"  # type: ignore[union-attr]
    waits: list[float] = []
    try:
        for allowed, period in parse_rates(spec):
            count, wait = count_hit(f"ratelimit:{limit}:{ident}", period)
            if count > allowed:
                waits.append(wait)
    except Exception:
        if limit in AUTH_LIMITS:
            logger.warning("Rate limit %r cannot be counted; refusing", limit, exc_info=True)
            raise LimitUnavailable(limit, UNAVAILABLE_RETRY_AFTER) from None
        logger.warning("Rate limit %r cannot be counted; allowing", limit, exc_info=True)
        return
    if waits:
        raise RateLimited(limit, math.ceil(max(waits)))


def hit_request(limit: str, request: HttpRequest) -> None:
    """``hit`` for a request: its member if signed in, else its real client address."""
    hit(limit, user=getattr(request, "user", None), ip=getattr(request, "client_ip", ""))


# --- Web responses ----------------------------------------------------------------------------


def too_many_requests(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    """The friendly 429 page (or 503 when limits cannot be counted), with ``Retry-After``.

    htmx requests get the message alone (the page script shows a notice), page scripts
    asking for JSON (image uploads) get ``{"error": message}``.
    """
    context = {
        "retry_after": exc.retry_after,
        "retry_minutes": math.ceil(exc.retry_after / 60),
        "unavailable": isinstance(exc, LimitUnavailable),
    }
    response: HttpResponse
    if not is_htmx(request) and "application/json" in request.headers.get("Accept", ""):
        message = render_to_string("_partials/rate_limited_message.html", context, request)
        response = JsonResponse({"error": " ".join(message.split())}, status=exc.status)
    else:
        template = "_partials/rate_limited.html" if is_htmx(request) else "429.html"
        response = render(request, template, context, status=exc.status)
    response["Retry-After"] = str(exc.retry_after)
    return response


def allauth_too_many_requests(request: HttpRequest) -> HttpResponse:
    """allauth's own limits (per email address, per account) answered like ours.

    allauth does not say which window refused, so ``Retry-After`` is its longest one.
    """
    configured: dict[str, str] = getattr(settings, "ACCOUNT_RATE_LIMITS", {}) or {}
    # allauth's rates read "5/5m/key": the count and window as ours, then what is counted.
    durations = [
        parse_rate("/".join(rate.split("/")[:2]))[1]
        for spec in configured.values()
        for rate in (spec or "").split(",")
        if rate.strip()
    ]
    return too_many_requests(request, RateLimited("allauth", math.ceil(max(durations, default=60))))


class RateLimitMiddleware:
    """Counts POSTs to the sign-in and sign-up pages; answers ``RateLimited`` from any view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        limit = AUTH_ROUTES.get(match.url_name or "") if match else None
        if limit is None or request.method != "POST":
            return None
        try:
            hit_request(limit, request)
        except RateLimited as exc:
            return too_many_requests(request, exc)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RateLimited):
            return too_many_requests(request, exception)
        return None
