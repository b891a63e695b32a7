"""Page throughput and latency of a real server, WSGI against ASGI, plus queries per page.

Loads the demo into a throw-away data directory, starts granian in WSGI mode (as
``cerchia serve`` does) and then in ASGI mode on the same app, sends the same
requests from ``--clients`` concurrent connections for ``--seconds`` per page,
and prints requests/s, p50/p99 latency, queries per request and the server's
memory, with the WSGI/ASGI ratio measured in this run. It never asserts.

    .venv/bin/python bench/run.py [--seconds 5] [--clients 8]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import Result, free_port, load, rss_mib, wait_for

PAGES = {
    "directory": "/c/",
    "community": "/c/espresso-a-casa/",
    "members": "/c/espresso-a-casa/members/",
}
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def queries_per_page(env: dict[str, str]) -> dict[str, int]:
    script = (
        "import django, json, sys;"
        "django.setup();"
        "from django.db import connection;"
        "from django.test import Client;"
        "from django.test.utils import CaptureQueriesContext, setup_test_environment;"
        "setup_test_environment();"
        "client = Client(); out = {};\n"
        "for name, path in json.loads(sys.argv[1]).items():\n"
        "    client.get(path)\n"
        "    with CaptureQueriesContext(connection) as ctx: client.get(path)\n"
        "    out[name] = len(ctx)\n"
        "print(json.dumps(out))"
    )
    import json

    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(PAGES)],
        env=env | {"DJANGO_SETTINGS_MODULE": "cerchia.config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def serve(interface: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    target = (
        "cerchia.config.wsgi:application"
        if interface == "wsgi"
        else "cerchia.config.asgi:application"
    )
    return subprocess.Popen(
        [str(BIN / "granian"), "--interface", interface, "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--log-level", "warning", target],
        env=env, cwd=ROOT,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="cerchia-bench-"))
    env = {
        k: v for k, v in os.environ.items() if k not in {"CERCHIA_TESTING", "DEBUG", "DATABASE_URL"}
    } | {"CERCHIA_DEV": "1", "CERCHIA_DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING"}
    cerchia = str(BIN / "cerchia")
    try:
        for command in (
            ["migrate", "-v", "0"],
            ["demo", "--no-images"],
            ["collectstatic", "--no-input", "-v", "0"],
        ):
            subprocess.run([cerchia, *command], env=env, check=True, capture_output=True)
        print(
            f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, SQLite (WAL), "
            f"demo data, {args.clients} clients × {args.seconds:.0f} s per page, 1 process"
        )
        queries = queries_per_page(env)
        results: dict[str, Result] = {}
        for interface in ("wsgi", "asgi"):
            port = free_port()
            server = serve(interface, port, env)
            try:
                wait_for(port)
                for name, path in PAGES.items():
                    load(port, path, 0.5, 2)  # warm up
                    results[f"{interface} {name}"] = load(port, path, args.seconds, args.clients)
                memory = rss_mib(server.pid)
                print(f"{interface}: server memory after the run {memory:.0f} MiB")
            finally:
                server.terminate()
                server.wait(timeout=30)
        print(f"{'page':<16}{'queries':>8}{'WSGI req/s':>12}{'p50 ms':>8}{'p99 ms':>8}"
              f"{'ASGI req/s':>12}{'p50 ms':>8}{'p99 ms':>8}{'WSGI/ASGI':>11}")  # fmt: skip
        for name in PAGES:
            w, a = results[f"wsgi {name}"], results[f"asgi {name}"]
            ratio = w.rps / a.rps
            print(
                f"{name:<16}{queries[name]:>8}{w.rps:>12.0f}{w.p50_ms:>8.1f}{w.p99_ms:>8.1f}"
                f"{a.rps:>12.0f}{a.p50_ms:>8.1f}{a.p99_ms:>8.1f}{ratio:>10.1f}×"
            )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
