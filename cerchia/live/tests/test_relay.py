"""``cerchia serve`` without Redis: the HTTP and worker processes hand events to the
websocket process, whose in-memory channel layer the websockets listen on."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.core import signing

from cerchia.live import publish as live_publish
from cerchia.live import relay as live_relay

GROUP = "topic.42"
MESSAGE = {"type": "live.event", "group": GROUP, "event": {"type": "post.created", "number": 2}}


def application() -> Any:
    from cerchia.config.asgi import application

    return application


async def post(body: bytes, method: str = "POST") -> int:
    scope = {
        "type": "http",
        "method": method,
        "path": live_relay.RELAY_PATH,
        "query_string": b"",
        "headers": [],
    }
    communicator = ApplicationCommunicator(application(), scope)
    await communicator.send_input({"type": "http.request", "body": body, "more_body": False})
    start = await communicator.receive_output(5)
    await communicator.receive_output(5)
    await communicator.wait(5)
    return int(start["status"])


def signed(payload: Any, salt: str = live_relay.SALT) -> bytes:
    return signing.dumps(payload, salt=salt, compress=True).encode()


def test_a_signed_event_is_published_on_the_websocket_process_layer() -> None:
    async def scenario() -> dict[str, Any]:
        layer = get_channel_layer()
        assert layer is not None
        channel = await layer.new_channel()
        await layer.group_add(GROUP, channel)
        assert await post(signed({"group": GROUP, "message": MESSAGE})) == 204
        received: dict[str, Any] = await asyncio.wait_for(layer.receive(channel), 5)
        await layer.group_discard(GROUP, channel)
        return received

    assert async_to_sync(scenario)() == MESSAGE


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not signed at all",
        signed({"group": GROUP, "message": MESSAGE}, salt="another.purpose"),
        signed({"group": GROUP, "message": MESSAGE})[:-2] + b"xx",
        signed({"message": MESSAGE}),
        signed(["a list"]),
    ],
    # Fixed ids: signed bodies carry a timestamp, and every xdist worker must collect
    # the same test names.
    ids=["empty", "unsigned", "other-purpose", "tampered", "no-group", "not-a-dict"],
)
def test_anything_else_is_refused_and_publishes_nothing(body: bytes) -> None:
    async def scenario() -> tuple[int, bool]:
        layer = get_channel_layer()
        assert layer is not None
        channel = await layer.new_channel()
        await layer.group_add(GROUP, channel)
        status = await post(body)
        try:
            await asyncio.wait_for(layer.receive(channel), 0.3)
            delivered = True
        except TimeoutError:
            delivered = False
        await layer.group_discard(GROUP, channel)
        return status, delivered

    assert async_to_sync(scenario)() == (403, False)


def test_an_old_signature_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now - live_relay.MAX_AGE_SECONDS - 5)
    old = signed({"group": GROUP, "message": MESSAGE})
    monkeypatch.setattr(time, "time", lambda: now)
    assert async_to_sync(post)(old) == 403


def test_only_post_is_answered() -> None:
    assert async_to_sync(post)(b"", "GET") == 405


def test_a_large_body_is_refused() -> None:
    assert async_to_sync(post)(b"x" * (live_relay.MAX_BODY_BYTES + 1)) == 413


# --- The sending side --------------------------------------------------------------------------


@pytest.fixture
def in_memory_layer() -> None:
    if not isinstance(get_channel_layer(), InMemoryChannelLayer):
        pytest.skip("with Redis every process publishes on the shared layer")


def test_a_sibling_process_relays_to_the_websocket_port(
    in_memory_layer: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    relayed: list[tuple[int, str, dict[str, Any]]] = []
    monkeypatch.setattr(live_publish, "_websocket_loop", None)
    monkeypatch.setattr(live_publish, "relay", lambda *args: relayed.append(args))
    settings.CERCHIA_WS_PORT = 8123
    live_publish.publish(GROUP, MESSAGE["event"])  # type: ignore[arg-type]
    assert relayed == [(8123, GROUP, MESSAGE)]


def test_without_a_websocket_process_nothing_is_sent(
    in_memory_layer: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    relayed: list[Any] = []
    monkeypatch.setattr(live_publish, "_websocket_loop", None)
    monkeypatch.setattr(live_publish, "relay", lambda *args: relayed.append(args))
    settings.CERCHIA_WS_PORT = None
    live_publish.publish(GROUP, MESSAGE["event"])  # type: ignore[arg-type]
    assert relayed == []


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_websocket_process_is_logged_not_raised(
    in_memory_layer: None, settings: Any, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    monkeypatch.setattr(live_publish, "_websocket_loop", None)
    settings.CERCHIA_WS_PORT = closed_port()
    with caplog.at_level(logging.WARNING, logger="cerchia.live.publish"):
        live_publish.publish(GROUP, MESSAGE["event"])  # type: ignore[arg-type]
    assert "Could not deliver a live event for topic.42" in caplog.text


# --- Both sides, over a real socket ------------------------------------------------------------


@pytest.fixture
def websocket_process() -> Iterator[tuple[int, asyncio.AbstractEventLoop]]:
    """Cerchia's ASGI application served by granian on a thread, as ``cerchia serve`` runs it."""
    from granian.constants import Interfaces
    from granian.server.embed import Server

    port = closed_port()
    server = Server(
        application(),
        address="127.0.0.1",
        port=port,
        interface=Interfaces.ASGINL,
        log_enabled=False,
    )
    loop = asyncio.new_event_loop()

    def serve() -> None:
        try:
            loop.run_until_complete(server.serve())
        finally:
            loop.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        thread.join(0.05)
    yield port, loop
    loop.call_soon_threadsafe(server.stop)
    thread.join(10)


def test_a_relayed_event_reaches_a_listener_of_the_websocket_process(
    websocket_process: tuple[int, asyncio.AbstractEventLoop],
) -> None:
    port, loop = websocket_process
    layer = get_channel_layer()
    assert layer is not None

    def on_server(coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(5)

    channel = on_server(layer.new_channel())
    on_server(layer.group_add(GROUP, channel))
    live_relay.relay(port, GROUP, MESSAGE)
    assert on_server(asyncio.wait_for(layer.receive(channel), 5)) == MESSAGE
    on_server(layer.group_discard(GROUP, channel))
