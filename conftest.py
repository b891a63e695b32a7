"""pytest-wide setup: test settings, an isolated Redis namespace, browser-test plumbing.

Domain fixtures (users, communities) live in ``cerchia/conftest.py``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from pathlib import Path
from typing import Any

import pytest

# Subprocesses a test starts (``cerchia serve``) read this through env.py. The
# pytest process itself already has test settings: env.py turns them on under
# pytest because pytest-django imports settings before this file runs.
os.environ.setdefault("CERCHIA_TESTING", "1")

SYSTEM_CHROMIUMS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: A quiet, sandbox-free headless system Chromium: no GPU, no QUIC, no updates or sync.
SYSTEM_CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The Chromium to launch instead of Playwright's own, which is not installed.
SYSTEM_CHROMIUM_KEY = pytest.StashKey[str | None]()
REDIS_PREFIX_KEY = pytest.StashKey[str]()
BROWSER_DESELECTED_KEY = pytest.StashKey[int]()


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings
    from django.test.utils import override_settings

    if not settings.TESTING:
        pytest.exit("Cerchia's tests need test settings: unset CERCHIA_TESTING or set it to 1.")
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        return
    # Every test process gets its own key prefix, so parallel workers, other
    # checkouts sharing the server and keys left by an earlier run never meet.
    prefix = f"cerchia-test-{secrets.token_hex(6)}"
    config.stash[REDIS_PREFIX_KEY] = prefix
    caches = {
        alias: {**options, "KEY_PREFIX": prefix}
        for alias, options in django_setting("CACHES").items()
    }
    layers = {
        alias: {**layer, "CONFIG": {**layer.get("CONFIG", {}), "prefix": prefix}}
        for alias, layer in django_setting("CHANNEL_LAYERS").items()
    }
    # Enabled for the whole run, never disabled: these are the run's settings.
    override_settings(CACHES=caches, CHANNEL_LAYERS=layers).enable()


def pytest_unconfigure(config: pytest.Config) -> None:
    prefix = config.stash.get(REDIS_PREFIX_KEY, None)
    if prefix:
        delete_redis_keys(prefix)


def delete_redis_keys(prefix: str) -> None:
    """Remove this run's keys; a failure here must not fail the run."""
    import redis
    from django.conf import settings

    location = settings.CACHES["default"]["LOCATION"]
    with contextlib.suppress(redis.RedisError):
        client = redis.Redis.from_url(location[0] if isinstance(location, list) else location)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
        client.close()


def django_setting(name: str) -> Any:
    """A setting as plain data (mypy infers narrow types from settings.py's literals)."""
    from django.conf import settings

    return getattr(settings, name)


def pytest_report_header(config: pytest.Config) -> list[str]:
    database = django_setting("DATABASES")["default"]
    vendor = database["ENGINE"].rsplit(".", 1)[-1]
    test_name = (database.get("TEST") or {}).get("NAME")
    target = f"test database {test_name}" if test_name else "a temporary test database"
    if vendor == "postgresql":
        target += f" on {database.get('HOST') or 'localhost'}:{database.get('PORT') or 5432}"
    caches = django_setting("CACHES")["default"]
    cache = caches["BACKEND"].rsplit(".", 1)[-1]
    if config.stash.get(REDIS_PREFIX_KEY, None):
        cache += f" at {caches['LOCATION']}, keys cerchia-test-<random>"
    layer = django_setting("CHANNEL_LAYERS")["default"]["BACKEND"].rsplit(".", 1)[-1]
    tasks = django_setting("TASKS")["default"]["BACKEND"].rsplit(".", 1)[-1]
    return [
        f"cerchia: database {vendor} ({target}); cache {cache}",
        f"cerchia: channel layer {layer}; tasks {tasks}",
    ]


# --- Browser tests ------------------------------------------------------------


# Last, so that `-m` has already removed what the run does not select.
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser = [item for item in items if item.get_closest_marker("browser")]
    if not browser:
        return
    if len(browser) < len(items):
        # Playwright's event loop in this process would break async_to_sync in
        # every later Channels test, so browser tests only run on their own.
        config.hook.pytest_deselected(items=browser)
        items[:] = [item for item in items if not item.get_closest_marker("browser")]
        config.stash[BROWSER_DESELECTED_KEY] = len(browser)
        return
    if playwright_chromium():
        config.stash[SYSTEM_CHROMIUM_KEY] = None
    else:
        config.stash[SYSTEM_CHROMIUM_KEY] = system_chromium()
        if config.stash[SYSTEM_CHROMIUM_KEY] is None:
            skip = pytest.mark.skip(
                reason="Chromium is not installed: `apt-get install chromium` or "
                "`.venv/bin/playwright install chromium` to run the browser tests."
            )
            for item in browser:
                item.add_marker(skip)
            return
    # Playwright's sync API keeps an event loop running in this thread, which
    # Django would take for async code and refuse the ORM in tests.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    deselected = config.stash.get(BROWSER_DESELECTED_KEY, 0)
    if deselected:
        terminalreporter.write_line(
            f"{deselected} browser test(s) deselected: they run in their own process, "
            "`pytest -m browser` (make test does both)."
        )


def playwright_chromium() -> str | None:
    """The Chromium build Playwright installs (the best match for it), if installed."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    with sync_playwright() as playwright:
        path = playwright.chromium.executable_path
    return path if Path(path).exists() else None


def system_chromium() -> str | None:
    return next(filter(None, (shutil.which(name) for name in SYSTEM_CHROMIUMS)), None)


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], pytestconfig: pytest.Config
) -> dict[str, Any]:
    """Launch a system Chromium when Playwright's own is not installed."""
    chromium = pytestconfig.stash.get(SYSTEM_CHROMIUM_KEY, None)
    if chromium:
        args = [*browser_type_launch_args.get("args", []), *SYSTEM_CHROMIUM_ARGS]
        return {**browser_type_launch_args, "executable_path": chromium, "args": args}
    return browser_type_launch_args


@pytest.fixture(scope="session")
def live_websockets(live_server: Any, django_db_setup: None) -> Any:
    """Websockets beside the live server, as ``cerchia serve`` runs them (stopped before the
    test database is dropped: their thread holds a connection to it)."""
    from cerchia.live.testing import serve_websockets

    with serve_websockets() as server:
        yield server


@pytest.fixture(autouse=True)
def _browser_websockets(request: pytest.FixtureRequest) -> Any:
    """Browser tests always get them (every signed-in page opens one for its notification
    bell); pages learn the port for the test's duration (settings stack per test)."""
    if not request.node.get_closest_marker("browser"):
        yield None
        return
    from cerchia.live.testing import websocket_settings

    server = request.getfixturevalue("live_websockets")
    with websocket_settings(server, request.getfixturevalue("live_server").url):
        yield server
