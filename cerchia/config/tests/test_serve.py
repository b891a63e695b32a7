"""``cerchia serve``: the processes it runs, and how it starts and stops them."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from cerchia.core.management.commands import serve

MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


SERVE = [sys.executable, "-m", "cerchia", "serve"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children(**overrides: Any) -> dict[str, list[str]]:
    options = {
        "host": "127.0.0.1",
        "port": 8000,
        "ws_port": 8001,
        "workers": 3,
        "threads": 8,
        "task_worker": True,
        "access_log": False,
    }
    return {child.name: child.argv for child in serve.build_children(**{**options, **overrides})}


def test_http_is_granian_wsgi_with_bounded_threads() -> None:
    argv = children()["http"]

    assert argv[:3] == [sys.executable, "-m", "granian"]
    assert argv[-1] == "cerchia.config.wsgi:application"
    assert argv[argv.index("--interface") + 1] == "wsgi"
    assert argv[argv.index("--port") + 1] == "8000"
    assert argv[argv.index("--workers") + 1] == "3"
    assert argv[argv.index("--blocking-threads") + 1] == "8"
    assert "--workers-kill-timeout" in argv


def test_websockets_are_one_granian_asgi_process_on_the_ws_port() -> None:
    argv = children()["websocket"]

    assert argv[-1] == "cerchia.config.asgi:application"
    assert argv[argv.index("--interface") + 1].startswith("asgi")
    assert argv[argv.index("--port") + 1] == "8001"
    assert argv[argv.index("--workers") + 1] == "1"
    assert "--workers-kill-timeout" in argv


def test_task_worker_is_cerchia_worker_unless_disabled() -> None:
    assert children()["worker"] == [sys.executable, "-m", "cerchia", "worker", "--no-reload"]
    assert list(children(task_worker=False)) == ["http", "websocket"]


def test_same_port_twice_is_refused() -> None:
    port = free_port()

    with pytest.raises(CommandError, match="--ws-port must differ"):
        call_command("serve", port=port, ws_port=port)


def test_busy_port_is_reported_before_anything_starts() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(CommandError, match=f"Cannot listen on 127.0.0.1:{port}"):
            call_command("serve", port=port, ws_port=free_port())


@pytest.mark.django_db
def test_manifest_storage_is_collected_and_ws_port_exported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CERCHIA_WS_PORT", "")  # restored after the test
    started: list[list[serve.Child]] = []

    def supervise(self: serve.Command, kids: list[serve.Child], message: str) -> int:
        started.append(kids)
        return 0

    monkeypatch.setattr(serve.Command, "supervise", supervise)
    ws_port = free_port()

    with override_settings(STORAGES=MANIFEST_STORAGES, STATIC_ROOT=tmp_path):
        call_command("serve", port=free_port(), ws_port=ws_port, no_worker=True)

    assert (tmp_path / "staticfiles.json").exists()
    assert os.environ["CERCHIA_WS_PORT"] == str(ws_port)
    assert [child.name for child in started[0]] == ["http", "websocket"]


# --- The real thing, in a subprocess -----------------------------------------------


def ask(port: int, request: str, timeout: float = 0) -> bytes:
    """Send one raw HTTP request and return the start of the answer, retrying until timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
                conn.sendall(request.encode())
                return conn.recv(65536)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def get(path: str) -> str:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


WEBSOCKET_UPGRADE = (
    "GET /ws/ HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1\r\n"
    "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
)


def child_pids(pid: int) -> list[int]:
    children_file = Path(f"/proc/{pid}/task/{pid}/children")
    if not children_file.exists():
        pytest.skip("needs Linux /proc to find child processes")
    return [int(child) for child in children_file.read_text().split()]


def alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for a parent that may never reap it."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, int]]:
    port, ws_port = free_port(), free_port()
    environment = {**os.environ, "CERCHIA_DATA_DIR": str(tmp_path), "CERCHIA_TESTING": "1"}
    process = subprocess.Popen(
        [*SERVE, "--no-worker", "--port", str(port), "--ws-port", str(ws_port)],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    kids: list[int] = []
    try:
        # Slow machines take a while to import Django in three processes.
        ask(port, get("/static/cerchia/cerchia.css"), timeout=90)
        ask(ws_port, WEBSOCKET_UPGRADE, timeout=90)
        kids = child_pids(process.pid)
        yield process, port, ws_port
    finally:
        if process.poll() is None:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=60)
        process.kill()
        process.wait()
        # Each child leads its own process group: none may outlive a failed test.
        for kid in kids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(kid, signal.SIGKILL)


def test_serves_http_and_websockets_and_stops_on_sigterm(
    served: tuple[subprocess.Popen[bytes], int, int],
) -> None:
    process, port, ws_port = served
    kids = child_pids(process.pid)
    granian_workers = [worker for kid in kids for worker in child_pids(kid)]

    assert ask(port, get("/static/cerchia/cerchia.css")).startswith(b"HTTP/1.1 200")
    # No consumer routes yet: any HTTP answer proves the ASGI server is there.
    assert ask(ws_port, WEBSOCKET_UPGRADE).startswith(b"HTTP/1.1 ")
    assert len(kids) == 2

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    output = process.stdout.read().decode() if process.stdout else ""
    assert f"http://127.0.0.1:{port}/" in output
    assert len(granian_workers) == 2
    assert not [pid for pid in kids + granian_workers if alive(pid)]


def test_a_dead_child_stops_everything_with_an_error(
    served: tuple[subprocess.Popen[bytes], int, int],
) -> None:
    process, _, ws_port = served
    http, _websocket = child_pids(process.pid)

    os.kill(http, signal.SIGKILL)

    assert process.wait(timeout=60) != 0
    output = process.stdout.read().decode() if process.stdout else ""
    assert "exited" in output
    with pytest.raises(ConnectionRefusedError):
        ask(ws_port, WEBSOCKET_UPGRADE)


def test_children_do_not_outlive_a_killed_supervisor(
    served: tuple[subprocess.Popen[bytes], int, int],
) -> None:
    process, port, _ = served
    kids = child_pids(process.pid)

    process.kill()
    process.wait()

    deadline = time.monotonic() + 30
    while any(alive(kid) for kid in kids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [kid for kid in kids if alive(kid)]
    with pytest.raises(ConnectionRefusedError):
        ask(port, get("/static/cerchia/cerchia.css"))
