"""Requests/s, p50 and p99 of the main pages, served as in production, on a seeded database.

Serves the app exactly as ``cerchia serve`` does (granian, WSGI, the same worker and
thread settings, DEBUG off) on 127.0.0.1 against a database ``bench/seed.py`` filled,
then sends GET requests from ``--clients`` concurrent keep-alive connections for
``--seconds`` per page:

- community: the busiest community's page;
- topic first / topic deep: that community's biggest topic (10,000 replies in a seeded
  million), first page and a page near the end;
- feed: the signed-in home feed;
- search: a common word;
- landing: the anonymous landing page;
- community anon / topic anon: the community page and the topic's first page for an
  anonymous visitor (served from the anonymous page cache, see
  ``cerchia/discussions/page_cache.py``).

Requests are sent by ``wrk`` when it is installed (one thread of C, so the load takes little
of the CPU the server needs), else by Python threads with ``http.client`` (``--python-client``
forces them). Pages other than "landing" and "… anon" are requested signed in, with a session
cookie the
script creates, as a typical active member: one of the busiest community's members who
belongs to 8 communities, or as close below as there is (``--reader`` to choose).
Queries per request are counted separately, in this process, through the Django test
client against the same database. It prints a table and never asserts.

    .venv/bin/python bench/load.py --database-url postgres://postgres@127.0.0.1:5432/cerchia_bench_1m
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import quote

from common import (
    ROOT,
    Result,
    bench_environment,
    check_database_url,
    default_database_url,
    free_port,
    load,
    load_wrk,
    machine,
    rss_mib,
    wait_for,
    wrk_path,
)

#: A word in about one post in five of the seeded bodies (``--search-word`` to change it).
SEARCH_WORD = "grinder"
#: The default reader belongs to this many communities (or the most below it).
TYPICAL_MEMBERSHIPS = 8
#: (name, signed in?) in the order they are measured.
PAGES = [
    ("community", True),
    ("topic first", True),
    ("topic deep", True),
    ("feed", True),
    ("search", True),
    ("landing", False),
    ("community anon", False),
    ("topic anon", False),
]


def _reverse(name: str, fallback: str, **kwargs: Any) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return fallback


def busiest_community() -> Any:
    """The public community with the most topics."""
    from django.db.models import Count

    from cerchia.communities.models import Community

    return (
        Community.objects.filter(visibility="public")
        .annotate(topic_count=Count("topics"))
        .order_by("-topic_count", "id")
        .first()
    )


def targets(search_word: str = SEARCH_WORD) -> dict[str, str | None]:
    """Each page's path on this dataset (None when the app has no such page)."""
    from django.urls import NoReverseMatch, reverse

    from cerchia.discussions.models import Topic

    busiest = busiest_community()
    big = (
        Topic.objects.filter(community=busiest)
        .select_related("community")
        .order_by("-last_post_number")
        .first()
    )
    if busiest is None or big is None:
        raise SystemExit("the database holds no topics: run bench/seed.py first")
    topic = _reverse(
        "discussions:topic", f"/c/{big.community.slug}/t/{big.pk}/",
        slug=big.community.slug, topic_id=big.pk,
    )  # fmt: skip
    per_page = 20
    deep_page = max(1, (big.last_post_number - 30) // per_page + 1)
    try:
        search: str | None = reverse("search:search") + f"?q={quote(search_word)}"
    except NoReverseMatch:
        search = None
    try:
        feed: str | None = reverse("discussions:feed")
    except NoReverseMatch:
        feed = None
    return {
        "community": community_path(busiest),
        "topic first": topic,
        "topic deep": f"{topic}?page={deep_page}",
        "feed": feed,
        "search": search,
        "landing": "/",
        "community anon": community_path(busiest),
        "topic anon": topic,
    }


def community_path(community: Any) -> str:
    """The community front page if it lists the topics, else the community's topic list."""
    from django.test import Client
    from django.utils.html import escape

    from cerchia.discussions.models import Topic

    front = f"/c/{community.slug}/"
    latest = Topic.objects.filter(community=community).order_by("-last_posted_at").first()
    response = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False).get(front)
    if latest is None or escape(latest.title).encode() in response.content:
        return front
    return _reverse("discussions:topic_list", f"/c/{community.slug}/topics/", slug=community.slug)


def fill_search_index() -> None:
    """Fill the search index if it is empty (a database seeded before search existed)."""
    from django.core.management import call_command, get_commands

    from cerchia.search import backend

    if "reindex" in get_commands() and not backend.get_backend().indexed_ids(0, 1):
        print("the search index is empty: filling it (reindex)", file=sys.stderr)
        call_command("reindex", clear=True, batch_size=5000)


def pick_reader(email: str) -> Any:
    """The signed-in reader: ``email``, or a typical active member — of the busiest
    community, and of as many communities as possible up to ``TYPICAL_MEMBERSHIPS``."""
    from django.db.models import Count

    from cerchia.accounts.models import User

    if email:
        return User.objects.get(email=email)
    from cerchia.communities.models import Membership

    members = Membership.objects.filter(community=busiest_community()).values("user_id")
    return (
        User.objects.filter(pk__in=members)
        .annotate(communities=Count("memberships"))
        .filter(communities__lte=TYPICAL_MEMBERSHIPS)
        .order_by("-communities", "id")
        .first()
    )


def session_cookie(reader: Any) -> tuple[str, str]:
    """(cookie name, session key) of a fresh session signed in as ``reader``."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(reader.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = reader.get_session_auth_hash()
    session.create()
    assert session.session_key is not None
    return settings.SESSION_COOKIE_NAME, session.session_key


def count_queries(
    pages: dict[str, str | None], cookie: tuple[str, str], explain: int = 0, samples: int = 0
) -> tuple[dict[str, int], dict[str, float], dict[str, float]]:
    """Queries one request of each page runs (after a warm-up request), their time in the
    database (PostgreSQL: the sum of EXPLAIN ANALYZE execution times), and the median CPU
    time of ``samples`` requests in this process (the app's own work, without the database
    server's, and not inflated by waiting for a busy CPU). With ``explain``, print that many
    of each page's slowest queries.

    A page that fails here is left out of the load (its path set to None) and said why."""
    import statistics

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts: dict[str, int] = {}
    cpu: dict[str, float] = {}
    db: dict[str, float] = {}
    for name, signed_in in PAGES:
        path = pages.get(name)
        if path is None:
            continue
        client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
        if signed_in:
            client.cookies[cookie[0]] = cookie[1]
        first = client.get(path)
        if first.status_code != 200:
            print(f"skipping {name}: {path} answered {first.status_code}", file=sys.stderr)
            pages[name] = None
            continue
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        counts[name] = len(captured)
        if explain or connection.vendor == "postgresql":
            db[name] = explain_page(name, path, elapsed, captured.captured_queries, explain)
        times = []
        for _ in range(samples):
            before = time.process_time()
            client.get(path)
            times.append((time.process_time() - before) * 1000)
        if times:
            cpu[name] = statistics.median(times)
    return counts, cpu, db


def explain_page(
    name: str, path: str, elapsed: float, queries: list[dict[str, str]], top: int
) -> float:
    """Print the page's ``top`` slowest queries; on PostgreSQL timed by EXPLAIN ANALYZE (the
    database's own time, not the client's), with the plan of the slowest."""
    from django.db import connection

    timed: list[tuple[float, str, str]] = []
    for query in queries:
        sql, plan = query["sql"], ""
        took = float(query["time"]) * 1000
        if connection.vendor == "postgresql" and sql.lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                lines = [row[0] for row in cursor.fetchall()]
            took = float(lines[-1].split(":")[1].split()[0])  # "Execution Time: 1.234 ms"
            plan = "\n".join(lines)
        timed.append((took, sql, plan))
    timed.sort(key=lambda item: -item[0])
    total = sum(item[0] for item in timed)
    if not top:
        return total
    print(f"{name} {path}: {elapsed:.0f} ms, of which {total:.1f} ms in {len(timed)} queries")
    for index, (took, sql, plan) in enumerate(timed[:top]):
        print(f"  {took:8.2f} ms  {' '.join(sql.split())[:400]}")
        if index == 0 and plan:
            print("    " + plan.replace("\n", "\n    "))
    return total


def serve(port: int, env: dict[str, str], workers: int, threads: int) -> subprocess.Popen[bytes]:
    """The HTTP process of ``cerchia serve``, built by the serve command itself."""
    from cerchia.core.management.commands.serve import build_children

    http = build_children(
        host="127.0.0.1", port=port, ws_port=port + 1, workers=workers, threads=threads,
        task_worker=False, access_log=False,
    )[0]  # fmt: skip
    argv = [*http.argv, "--log-level", "warning"]
    return subprocess.Popen(argv, env=env, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help="the seeded database (default: var/bench/bench-<posts>.sqlite3)",
    )
    parser.add_argument(
        "--posts", type=int, default=10_000, help="names the default SQLite file (10000)"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="per page (10)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections (8)")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="HTTP processes (CPU count)"
    )
    parser.add_argument("--threads", type=int, default=0, help="threads per process (as serve)")
    parser.add_argument(
        "--reader",
        default="",
        help="email of the signed-in reader (default: a typical active member; "
        "bench@example.org is the heaviest, a member of nearly every community)",
    )
    parser.add_argument("--search-word", default=SEARCH_WORD, help=f"({SEARCH_WORD})")
    parser.add_argument("--only", nargs="*", default=[], help="measure only these pages")
    parser.add_argument(
        "--explain", type=int, default=0, metavar="N", help="print each page's N slowest queries"
    )
    parser.add_argument(
        "--no-load", action="store_true", help="count (and explain) queries, serve nothing"
    )
    parser.add_argument(
        "--cpu-samples",
        type=int,
        default=30,
        help="requests per page timed in-process for the CPU column (30)",
    )
    parser.add_argument(
        "--python-client",
        action="store_true",
        help="send the requests from Python threads even when wrk is installed",
    )
    parser.add_argument("--save", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument(
        "--compare",
        nargs=2,
        metavar=("SMALL", "LARGE"),
        help="print the p99 ratios of two saved runs, and nothing else",
    )
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
        return
    url = check_database_url(args.database_url or default_database_url(args.posts))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CERCHIA_TESTING", "DEBUG", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    } | bench_environment(url)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from cerchia.core.management.commands.serve import DEFAULT_THREADS

    threads = args.threads or DEFAULT_THREADS
    # The app may have gained tables since the database was seeded.
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    fill_search_index()
    pages = targets(args.search_word)
    reader = pick_reader(args.reader)
    cookie = session_cookie(reader)
    queries, cpu, db = count_queries(pages, cookie, args.explain, args.cpu_samples)
    from cerchia.discussions.models import Post

    posts = Post.objects.count()
    vendor = connection.vendor
    connection.close()

    use_wrk = bool(wrk_path()) and not args.python_client
    client_name = "wrk (1 thread)" if use_wrk else "Python http.client threads"
    print(
        f"machine: {machine()}; Python {platform.python_version()}; {vendor}, {posts:,} posts; "
        f"granian WSGI {args.workers} process(es) × {threads} threads; "
        f"{args.clients} clients ({client_name}) × {args.seconds:.0f} s per page; signed in as "
        f"{reader.email} (member of {reader.memberships.count()} communities)"
    )
    if args.no_load:
        return
    port = free_port()
    server = serve(port, env, args.workers, threads)
    results: dict[str, Result] = {}
    try:
        wait_for(port)
        for name, signed_in in PAGES:
            path = pages.get(name)
            if path is None or (args.only and name not in args.only):
                continue
            headers = {"Cookie": f"{cookie[0]}={cookie[1]}"} if signed_in else {}
            load(port, path, 1.0, 2, headers)  # warm up
            run = load_wrk if use_wrk else load
            results[name] = run(port, path, args.seconds, args.clients, headers)
            time.sleep(0.5)
        memory = rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print_table(pages, queries, cpu, db, results)
    print(f"server memory after the run: {memory:.0f} MiB")
    if args.save:
        figures = {
            name: {"queries": queries.get(name, 0), "cpu_ms": cpu.get(name), "db_ms": db.get(name)}
            | {"path": pages[name]}
            | asdict(result)
            | {"rps": result.rps}
            for name, result in results.items()
        }
        saved = {"posts": posts, "client": client_name, "machine": machine(), "pages": figures}
        Path(args.save).write_text(json.dumps(saved, indent=1))


def compare(small_file: str, large_file: str) -> None:
    """Print two runs saved with ``--save`` side by side, with the p99 ratio per page."""
    small, large = (json.loads(Path(name).read_text()) for name in (small_file, large_file))
    print(f"{small['posts']:,} → {large['posts']:,} posts: p99 ms, ratio, req/s, DB ms, CPU ms")
    for name, _signed_in in PAGES:
        a, b = small["pages"].get(name), large["pages"].get(name)
        if a is None or b is None:
            continue
        ratio = b["p99_ms"] / a["p99_ms"]
        print(
            f"{name:<13}{a['p99_ms']:>7.0f} → {b['p99_ms']:<7.0f}{ratio:>5.2f}×"
            f"{a['rps']:>6.0f} → {b['rps']:<5.0f}{a.get('db_ms') or 0:>6.1f} → "
            f"{b.get('db_ms') or 0:<6.1f}{a['cpu_ms'] or 0:>6.1f} → {b['cpu_ms'] or 0:<6.1f}"
        )


def print_table(
    pages: dict[str, str | None],
    queries: dict[str, int],
    cpu: dict[str, float],
    db: dict[str, float],
    results: dict[str, Result],
) -> None:
    print(
        f"{'page':<13}{'queries':>8}{'DB ms':>7}{'app CPU ms':>11}{'req/s':>7}"
        f"{'p50 ms':>8}{'p99 ms':>8}  path"
    )
    for name, _signed_in in PAGES:
        path = pages.get(name)
        if path is None:
            print(f"{name:<13}{'—':>8}  (no such page, or it failed)")
            continue
        if name not in results:
            continue
        result = results[name]
        db_ms = f"{db[name]:.1f}" if name in db else "—"
        print(
            f"{name:<13}{queries.get(name, 0):>8}{db_ms:>7}{cpu.get(name, 0):>11.1f}"
            f"{result.rps:>7.0f}{result.p50_ms:>8.1f}{result.p99_ms:>8.1f}  {path}"
        )


if __name__ == "__main__":
    main()
