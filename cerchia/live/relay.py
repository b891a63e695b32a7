"""Events from ``cerchia serve``'s HTTP and worker processes to its websocket process.

Without Redis the channel layer lives inside one process, the websocket one, so the
other processes hand their events over to it: a signed POST to its loopback port,
which it publishes on its own layer. With Redis every process publishes directly.
"""

from __future__ import annotations

import http.client
import json
from typing import Any

from channels.layers import get_channel_layer
from django.core import signing

#: Under /ws/, so that a proxy sending /ws/ to the websocket process needs no new rule;
#: outsiders reaching it through that proxy lack the signature.
RELAY_PATH = "/ws/relay/"
SALT = "cerchia.live.relay"
#: Seconds a signed event stays acceptable (they are sent as soon as they are signed).
MAX_AGE_SECONDS = 60
#: Seconds to reach the websocket process before giving up on one event.
TIMEOUT_SECONDS = 2.0
MAX_BODY_BYTES = 64 * 1024


def relay(port: int, group: str, message: dict[str, Any]) -> None:
    """Hand ``message`` for ``group`` to the websocket process on ``port`` of this machine.

    Raises OSError or http.client.HTTPException when it cannot be delivered.
    """
    body = signing.dumps({"group": group, "message": message}, salt=SALT, compress=True)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_SECONDS)
    try:
        connection.request(
            "POST", RELAY_PATH, body=body.encode(), headers={"Content-Type": "text/plain"}
        )
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if response.status != 204:
        raise http.client.HTTPException(f"the websocket process answered {response.status}")


def with_relay(app: Any) -> Any:
    """``app`` for HTTP, except the relay endpoint."""

    async def router(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == RELAY_PATH:
            await receive_relayed(scope, receive, send)
        else:
            await app(scope, receive, send)

    return router


async def receive_relayed(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The ASGI endpoint: publish a signed event on this process's channel layer."""
    if scope["method"] != "POST":
        await _answer(send, 405)
        return
    body = b""
    more = True
    while more:
        chunk = await receive()
        if chunk["type"] == "http.disconnect":
            return
        body += chunk.get("body", b"")
        more = chunk.get("more_body", False)
        if len(body) > MAX_BODY_BYTES:
            await _answer(send, 413)
            return
    try:
        data = signing.loads(body.decode(), salt=SALT, max_age=MAX_AGE_SECONDS)
        group, message = str(data["group"]), dict(data["message"])
    except (signing.BadSignature, UnicodeDecodeError, KeyError, TypeError, ValueError):
        await _answer(send, 403)
        return
    layer = get_channel_layer()
    if layer is not None:
        await layer.group_send(group, message)
    await _answer(send, 204)


async def _answer(send: Any, status: int) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store")],
        }
    )
    await send({"type": "http.response.body", "body": json.dumps({"status": status}).encode()})
