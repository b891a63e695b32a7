"""``cerchia serve``: HTTP, websockets and a task worker, as one command."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
from argparse import ArgumentParser, ArgumentTypeError
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

#: Seconds a child may take to stop after SIGTERM before it is killed.
STOP_GRACE_SECONDS = 30
#: Request threads per HTTP worker process: granian's guideline (2 per core,
#: plus one), capped so PostgreSQL connections stay bounded.
DEFAULT_THREADS = min(16, 2 * (os.cpu_count() or 1) + 1)
#: Connections admitted per request thread (idle keep-alive ones hold a slot too).
BACKPRESSURE_PER_THREAD = 16
#: Signals passed on to the children; SIGHUP (terminal closed) becomes SIGTERM.
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
#: Seconds granian gives a worker that ignores its stop request.
GRANIAN_KILL_TIMEOUT = "10"


def port_number(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise ArgumentTypeError(f"{port} is not between 1 and 65535")
    return port


def positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise ArgumentTypeError("must be at least 1")
    return number


@dataclass
class Child:
    """One supervised process, leader of its own process group."""

    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        # Own process group: a terminal's Ctrl+C reaches only the supervisor,
        # which forwards it once instead of every process getting it twice.
        self.process = subprocess.Popen(  # noqa: S603
            self.argv,
            process_group=0,
            # preexec_fn is unsafe only with threads, and the supervisor has none.
            preexec_fn=prepare_child,
        )

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def send(self, sig: int) -> None:
        if self.running():
            assert self.process is not None
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(sig)

    def kill_group(self) -> None:
        """SIGKILL the whole group, so no granian worker outlives its server."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)


def prepare_child() -> None:
    """In the child, before exec: take signals again, and die with the supervisor (Linux)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED_SIGNALS)
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)


def url_host(host: str) -> str:
    """The host to print in a URL: a wildcard bind becomes localhost, IPv6 gets brackets."""
    if host in {"0.0.0.0", "::", ""}:  # noqa: S104 - a bind address, not a choice
        return "localhost"
    return f"[{host}]" if ":" in host else host


def ensure_free(host: str, port: int) -> None:
    """Fail early with a readable message rather than a child's bind traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CommandError(f"Cannot listen on {host}:{port}: {exc.strerror}.") from None


class Command(BaseCommand):
    help = (
        "Serve Cerchia: HTTP through granian (WSGI) on --port, websockets through a second "
        "granian process (ASGI) on --ws-port, and one background task worker unless "
        "--no-worker. Collects static files first when the manifest storage is in use. "
        "Exits when any process stops; Ctrl+C or SIGTERM stops them all."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to bind (127.0.0.1).")
        parser.add_argument("--port", type=port_number, default=8000, help="HTTP port (8000).")
        parser.add_argument(
            "--ws-port", type=port_number, default=None, help="Websocket port (HTTP port + 1)."
        )
        parser.add_argument(
            "--workers", type=positive, default=1, help="HTTP worker processes (1)."
        )
        parser.add_argument(
            "--threads",
            type=positive,
            default=DEFAULT_THREADS,
            help=f"Request threads per HTTP worker ({DEFAULT_THREADS}).",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Start no task worker; run `cerchia worker` separately.",
        )
        parser.add_argument(
            "--access-log", action="store_true", help="Log every HTTP request to stdout."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host: str = options["host"]
        port: int = options["port"]
        ws_port: int = options["ws_port"] or port + 1
        if ws_port > 65535:
            raise CommandError("The websocket port would be above 65535; set --ws-port.")
        if ws_port == port:
            raise CommandError("--ws-port must differ from --port.")
        ensure_free(host, port)
        ensure_free(host, ws_port)

        self.check_migrations()
        if isinstance(staticfiles_storage, ManifestFilesMixin):
            # The manifest storage serves only collected files under hashed names.
            call_command("collectstatic", interactive=False, verbosity=0)

        # Children read their configuration through env.py as we did (and
        # --settings already went to DJANGO_SETTINGS_MODULE); the port is
        # decided here, so it goes down through the environment.
        os.environ["CERCHIA_WS_PORT"] = str(ws_port)

        children = build_children(
            host=host,
            port=port,
            ws_port=ws_port,
            workers=options["workers"],
            threads=options["threads"],
            task_worker=not options["no_worker"],
            access_log=options["access_log"],
        )
        names = ", ".join(child.name for child in children)
        announcement = (
            self.style.SUCCESS(f"Cerchia is running at http://{url_host(host)}:{port}/")
            + f"\n  websockets on ws://{url_host(host)}:{ws_port}/ws/; processes: {names}."
            + "\n  Press Ctrl+C to stop."
        )
        code = self.supervise(children, announcement)
        if code:
            raise CommandError(
                f"Cerchia stopped: a process exited with status {code}.", returncode=code
            )

    def supervise(self, children: list[Child], announcement: str) -> int:
        """Run the children until a signal or until one exits; the status to exit with."""
        wake = threading.Event()
        received: list[int] = []

        def on_signal(signum: int, frame: FrameType | None) -> None:
            received.append(signum)
            for child in children:
                if len(received) > 1:
                    # A second Ctrl+C: the user does not want to wait for tasks.
                    child.kill_group()
                else:
                    child.send(signal.SIGTERM if signum == signal.SIGHUP else signum)
            wake.set()

        def on_child(signum: int, frame: FrameType | None) -> None:
            wake.set()

        handlers = dict.fromkeys(FORWARDED_SIGNALS, on_signal)
        handlers[signal.SIGCHLD] = on_child
        previous = {sig: signal.signal(sig, handler) for sig, handler in handlers.items()}
        try:
            # A signal arriving halfway through would miss the children not yet
            # started: hold signals until every child runs.
            signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED_SIGNALS)
            try:
                for child in children:
                    child.start()
            finally:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, FORWARDED_SIGNALS)
            self.stdout.write(announcement)
            while not received:
                exited = [child for child in children if not child.running()]
                if exited:
                    status = exited[0].process.returncode if exited[0].process else 1
                    self.stderr.write(f"The {exited[0].name} process exited ({status}).")
                    self.stop(children, signal.SIGTERM)
                    return status if status > 0 else 1
                wake.wait(1.0)
                wake.clear()
            self.stdout.write("Stopping Cerchia…")
            self.stop(children, None)
            return 0
        finally:
            for child in children:
                child.kill_group()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def stop(self, children: list[Child], sig: int | None) -> None:
        """Send ``sig`` (if any) to every child, then kill those still running after a grace."""
        if sig is not None:
            for child in children:
                child.send(sig)
        for child in children:
            if child.process is None:
                continue
            try:
                child.process.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                self.stderr.write(f"The {child.name} process did not stop in time; killing it.")
                child.kill_group()
                child.process.wait()


def build_children(
    *,
    host: str,
    port: int,
    ws_port: int,
    workers: int,
    threads: int,
    task_worker: bool,
    access_log: bool,
) -> list[Child]:
    """The processes ``cerchia serve`` runs, as command lines."""
    granian = [sys.executable, "-m", "granian", "--host", host, "--respawn-failed-workers"]
    granian += ["--workers-kill-timeout", GRANIAN_KILL_TIMEOUT]
    granian += ["--access-log"] if access_log else []
    children = [
        Child(
            "http",
            [
                *granian,
                *("--interface", "wsgi", "--no-ws", "--port", str(port)),
                *("--workers", str(workers)),
                # Granian's WSGI default is hundreds of threads, each able to
                # hold a database connection: keep few threads. The backpressure
                # (connections admitted at once) stays well above them, or idle
                # keep-alive connections browsers hold open starve a page's
                # parallel requests (scripts, styles) until they time out.
                *("--blocking-threads", str(threads)),
                *("--backpressure", str(threads * BACKPRESSURE_PER_THREAD)),
                "cerchia.config.wsgi:application",
            ],
        ),
        # One websocket process: the embedded in-memory channel layer lives
        # inside a single process. "asginl" is ASGI without the lifespan
        # protocol, which Channels' router does not speak.
        Child(
            "websocket",
            [
                *granian,
                *("--interface", "asginl", "--port", str(ws_port), "--workers", "1"),
                "cerchia.config.asgi:application",
            ],
        ),
    ]
    if task_worker:
        # No autoreload: the HTTP server does not reload either.
        children.append(Child("worker", [sys.executable, "-m", "cerchia", "worker", "--no-reload"]))
    return children
