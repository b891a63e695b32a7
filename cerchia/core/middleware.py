"""Request middleware: the real client address, the member's language and timezone."""

from __future__ import annotations

import ipaddress
import zoneinfo
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def trusted_proxy_networks() -> tuple[Network, ...]:
    return tuple(
        ipaddress.ip_network(entry, strict=False) for entry in settings.CERCHIA_TRUSTED_PROXIES
    )


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted_proxy_networks())


def client_address(remote_addr: str, forwarded_for: str) -> str:
    """The first address, walking X-Forwarded-For from the right, that is not a trusted proxy.

    Forwarding headers are believed only when the direct peer is a configured
    trusted proxy, so a client cannot choose the address its rate limits use.
    """
    if not forwarded_for or not _is_trusted(remote_addr):
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote_addr
    return hops[0] if hops else remote_addr


class ClientAddressMiddleware:
    """Stores the real client address as ``request.client_ip``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104
        request.client_ip = client_address(  # type: ignore[attr-defined]
            remote, request.META.get("HTTP_X_FORWARDED_FOR", "")
        )
        return self.get_response(request)


class ProfileLanguageMiddleware:
    """A signed-in member's profile language wins over the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        language = getattr(user, "language", "") if user.is_authenticated else ""
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class TimezoneMiddleware:
    """Shows times in the member's own timezone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = getattr(request.user, "timezone", "") if request.user.is_authenticated else ""
        if name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
