"""Websockets for browser tests: the ASGI application in granian beside the live server.

Like ``cerchia serve``: pages from the (WSGI) live server, websockets from a second
port that pages learn through ``CERCHIA_WS_PORT`` and that the CSP allows.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper
from django.test.utils import override_settings
from django.utils.csp import CSP

#: Seconds the server may take to start or stop.
START_SECONDS = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WebsocketServer:
    """Cerchia's ASGI application in an embedded granian, on its own thread and loop."""

    def __init__(self, port: int | None = None) -> None:
        from granian.constants import Interfaces
        from granian.server.embed import Server

        from cerchia.config.asgi import application

        self.port = port or free_port()
        self.server = Server(
            application,
            address="127.0.0.1",
            port=self.port,
            interface=Interfaces.ASGINL,
            log_enabled=False,
        )
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, name="websockets", daemon=True)

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.server.serve())
        finally:
            # Here, not in the caller: closing runs the Redis layer's cleanup on this loop,
            # which a thread with its own running loop (Playwright's) could not do.
            self.loop.close()

    def start(self) -> None:
        self.thread.start()
        for _ in range(int(START_SECONDS / 0.05)):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            self.thread.join(0.05)
        raise RuntimeError("The websocket server did not start.")

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.server.stop)
        self.thread.join(START_SECONDS)


def share_in_memory_database() -> Callable[[], None]:
    """Let the consumers' database thread use this thread's in-memory SQLite connection.

    The live server does the same for its own thread; a PostgreSQL or file database
    needs nothing (the thread connects to it). Returns the undo, which also closes the
    thread's own connections (a test database with a session left open cannot be dropped).
    """
    from asgiref.sync import SyncToAsync

    executor = SyncToAsync.single_thread_executor
    connection = connections["default"]
    shared = isinstance(connection, SQLiteWrapper) and connection.is_in_memory_db()
    if shared:
        connection.inc_thread_sharing()

        def use_shared() -> None:
            connections["default"] = connection

        executor.submit(use_shared).result()

    def undo() -> None:
        if shared:
            executor.submit(connections.__delitem__, "default").result()
            connection.dec_thread_sharing()
        else:
            executor.submit(connections.close_all).result()

    return undo


@contextmanager
def serve_websockets() -> Iterator[WebsocketServer]:
    """A websocket server sharing this thread's test database, until the block ends."""
    server = WebsocketServer()
    undo = share_in_memory_database()
    server.start()
    try:
        yield server
    finally:
        try:
            server.stop()
        finally:
            undo()


def websocket_settings(server: WebsocketServer, page_url: str) -> override_settings:
    """What pages of ``page_url``'s server need to use ``server``: its port, and the CSP."""
    host = urlsplit(page_url).hostname or "localhost"
    sources = {f"ws://{host}:{server.port}", f"ws://127.0.0.1:{server.port}"}
    csp = {**settings.SECURE_CSP, "connect-src": [CSP.SELF, *sorted(sources)]}
    return override_settings(CERCHIA_WS_PORT=server.port, SECURE_CSP=csp)
