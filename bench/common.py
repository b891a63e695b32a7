"""What the benchmark scripts share: the benchmark database, the server, the HTTP load."""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
#: The benchmarks' own data directory: SQLite files, secret key, collected static files.
BENCH_DIR = ROOT / "var" / "bench"


def default_database_url(posts: int) -> str:
    return f"sqlite:///{BENCH_DIR / f'bench-{posts}.sqlite3'}"


def check_database_url(url: str) -> str:
    """``url`` if it names a benchmark database; never the development or the test one."""
    parts = urlsplit(url)
    name = Path(parts.path).name if parts.scheme == "sqlite" else parts.path.lstrip("/")
    if "bench" not in name or name.startswith("test"):
        raise SystemExit(
            f"refusing database {name!r}: a benchmark database's name contains 'bench' "
            "(seeding empties it); it is never the development or the test database"
        )
    return url


def bench_environment(url: str) -> dict[str, str]:
    """Environment for the app against the benchmark database, DEBUG off."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "DATABASE_URL": url,
        "CERCHIA_DATA_DIR": str(BENCH_DIR),
        # A generated secret key kept in the bench data directory, nothing else.
        "CERCHIA_DEV": "1",
        "CERCHIA_TESTING": "0",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "cerchia.config.settings",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on port {port} did not start")


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def load(
    port: int,
    path: str,
    seconds: float,
    clients: int,
    headers: dict[str, str] | None = None,
) -> Result:
    """``clients`` keep-alive connections GET ``path`` for ``seconds``; each answer must be 200."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    sent = {"Host": "127.0.0.1", **(headers or {})}
    stop = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        try:
            while time.monotonic() < stop:
                started = time.perf_counter()
                connection.request("GET", path, headers=sent)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(f"{path} answered {response.status}")
                    return
                mine.append(time.perf_counter() - started)
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if errors:
        raise SystemExit(errors[0])
    latencies.sort()
    return Result(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
    )


def wrk_path() -> str | None:
    """The ``wrk`` load generator if installed (Debian package ``wrk``), else None."""
    import shutil

    return shutil.which("wrk")


def _wrk_ms(text: str) -> float:
    """A wrk duration ("812.00us", "12.34ms", "1.20s", "2.00m") in milliseconds."""
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * factor
    raise ValueError(f"unknown wrk duration {text!r}")


def load_wrk(
    port: int,
    path: str,
    seconds: float,
    clients: int,
    headers: dict[str, str] | None = None,
) -> Result:
    """As ``load``, with ``wrk`` (one thread of C, so the client takes little of the CPU the
    server needs): ``clients`` keep-alive connections; every answer must be a 200."""
    argv = [
        str(wrk_path()), "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--latency",
        "--timeout", "30s",
    ]  # fmt: skip
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    argv.append(f"http://127.0.0.1:{port}{path}")
    output = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    figures: dict[str, str] = {}
    for line in output.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] in {"50%", "99%"}:
            figures[words[0]] = words[1]
        elif line.startswith("Requests/sec:"):
            figures["rps"] = words[1]
        elif "requests in" in line:
            figures["requests"] = words[0]
        elif line.strip().startswith(("Non-2xx", "Socket errors")):
            raise SystemExit(f"{path}: {line.strip()}")
    requests = int(figures["requests"])
    return Result(
        requests=requests,
        seconds=requests / float(figures["rps"]) if requests else seconds,
        p50_ms=_wrk_ms(figures["50%"]),
        p99_ms=_wrk_ms(figures["99%"]),
    )


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children, in MiB."""
    total = 0
    children = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    for one in [str(pid), *children]:
        status = Path(f"/proc/{one}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def machine() -> str:
    """CPU count, model and load average: figures are only comparable on the same machine."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load_avg = " ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{os.cpu_count()} CPUs {model}, load average {load_avg}".replace("  ", " ")
