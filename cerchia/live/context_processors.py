"""Where a page's script opens its websocket."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port

#: The websocket endpoint's path on whatever host serves it.
WEBSOCKET_PATH = "/ws/"


def websocket_url(request: HttpRequest) -> str:
    """The configured URL, else the page's host on the websocket port, else a path on its origin."""
    if settings.CERCHIA_WS_URL:
        return str(settings.CERCHIA_WS_URL)
    if settings.CERCHIA_WS_PORT is None:
        return WEBSOCKET_PATH
    # An IPv6 address keeps its brackets.
    host, _port = split_domain_port(request.get_host())
    scheme = "wss" if request.is_secure() else "ws"
    return f"{scheme}://{host}:{settings.CERCHIA_WS_PORT}{WEBSOCKET_PATH}"


def live(request: HttpRequest) -> dict[str, str]:
    return {"LIVE_WEBSOCKET_URL": websocket_url(request)}
