"""Where pages tell their script to open the websocket."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from cerchia.live.context_processors import websocket_url


@pytest.fixture
def ws_settings(settings: Any) -> Any:
    settings.CERCHIA_WS_URL = ""
    settings.CERCHIA_WS_PORT = None
    settings.ALLOWED_HOSTS = ["community.example.org", "[::1]"]
    return settings


def test_behind_a_proxy_the_page_origin_serves_ws(ws_settings: Any) -> None:
    request = RequestFactory().get("/", HTTP_HOST="community.example.org")
    assert websocket_url(request) == "/ws/"


def test_an_explicit_url_wins(ws_settings: Any) -> None:
    ws_settings.CERCHIA_WS_URL = "wss://live.example.org/ws/"
    ws_settings.CERCHIA_WS_PORT = 8001
    request = RequestFactory().get("/", HTTP_HOST="community.example.org")
    assert websocket_url(request) == "wss://live.example.org/ws/"


@pytest.mark.parametrize(
    ("host", "secure", "expected"),
    [
        ("community.example.org:8000", False, "ws://community.example.org:8001/ws/"),
        ("community.example.org", True, "wss://community.example.org:8001/ws/"),
        ("[::1]:8000", False, "ws://[::1]:8001/ws/"),
    ],
)
def test_serve_puts_websockets_on_the_page_host_at_its_port(
    ws_settings: Any, host: str, secure: bool, expected: str
) -> None:
    ws_settings.CERCHIA_WS_PORT = 8001
    request = RequestFactory().get("/", HTTP_HOST=host, secure=secure)
    assert websocket_url(request) == expected


def test_pages_carry_the_url_and_the_script(client: Any, ws_settings: Any, db: None) -> None:
    ws_settings.ALLOWED_HOSTS = ["testserver"]
    ws_settings.CERCHIA_WS_PORT = 8001
    html = client.get("/").content.decode()
    assert 'data-ws-url="ws://testserver:8001/ws/"' in html
    assert "/static/cerchia/live.js" in html
    assert 'id="live-status"' in html
