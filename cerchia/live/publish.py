"""Publishing live events to websocket groups after the change commits.

Events carry ids and counts only, never content: a client that receives one fetches
what changed through the ordinary, permission-checked pages.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import TimeoutError as FutureTimeoutError
from http.client import HTTPException
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.db import transaction

from cerchia.live.relay import relay

logger = logging.getLogger(__name__)

#: The type of the channel-layer message wrapping an event; the consumer's handler name.
MESSAGE_TYPE = "live.event"
#: Seconds to wait for the websocket loop to take an event (it only queues it).
HANDOFF_SECONDS = 5.0

#: The event loop serving this process's websockets, once one has connected.
_websocket_loop: asyncio.AbstractEventLoop | None = None
#: Sends scheduled on that loop from its own thread, kept until done (asyncio holds weak refs).
_pending: set[asyncio.Task[None]] = set()


def topic_group(topic_id: int) -> str:
    return f"topic.{topic_id}"


def community_group(community_id: int) -> str:
    return f"community.{community_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def publish_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send ``event`` to ``group`` once the current transaction commits (nothing on rollback)."""
    transaction.on_commit(lambda: publish(group, event))


def publish(group: str, event: dict[str, Any]) -> None:
    """Send ``event`` to ``group`` now; a failure is logged, never raised to the writer."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": MESSAGE_TYPE, "group": group, "event": event}
    try:
        if not isinstance(layer, InMemoryChannelLayer):
            _run_blocking(layer.group_send(group, message))
        elif _websocket_loop_running():
            _send_in_process(layer, group, message)
        elif settings.CERCHIA_WS_PORT is not None:
            # A sibling of ``cerchia serve``'s websocket process, which holds the layer.
            relay(settings.CERCHIA_WS_PORT, group, message)
        # Else no process serves websockets on this layer: nobody is listening.
    except (OSError, HTTPException) as exc:
        logger.warning("Could not deliver a live event for %s: %s", group, exc)
    except Exception:
        # The change is committed; a lost live event only delays what viewers see.
        logger.exception("Could not publish a live event to %s", group)


def register_websocket_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Remember the loop serving websockets here: the in-memory layer's queues live on it."""
    global _websocket_loop
    _websocket_loop = loop


def _send_in_process(layer: InMemoryChannelLayer, group: str, message: dict[str, Any]) -> None:
    """The in-memory layer's queues belong to the loop serving websockets: send on it.

    Sending from another thread's loop would queue the message without waking the
    consumer waiting for it.
    """
    loop = _websocket_loop
    assert loop is not None
    if _running_loop() is loop:
        task = loop.create_task(layer.group_send(group, message))
        _pending.add(task)
        task.add_done_callback(_pending.discard)
        return
    future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
    try:
        future.result(HANDOFF_SECONDS)
    except FutureTimeoutError:
        future.cancel()
        raise


def _websocket_loop_running() -> bool:
    loop = _websocket_loop
    return loop is not None and not loop.is_closed() and loop.is_running()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _run_blocking(coroutine: Any) -> None:
    """Run ``coroutine`` to completion from synchronous code.

    A thread whose own event loop is running (a test driving a browser, say)
    cannot block on async_to_sync, so the send happens on a short-lived thread.
    """
    if _running_loop() is None:
        async_to_sync(_await)(coroutine)
        return
    errors: list[BaseException] = []

    def send() -> None:
        try:
            asyncio.run(_await(coroutine))
        except BaseException as exc:  # reported in the calling thread
            errors.append(exc)

    worker = threading.Thread(target=send, name="live-publish")
    worker.start()
    worker.join()
    if errors:
        raise errors[0]


async def _await(coroutine: Any) -> None:
    await coroutine
