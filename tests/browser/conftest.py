"""Fixtures of the browser tests; what they do in a page is in ``browsing.py``.

The root ``conftest.py`` launches the system Chromium and keeps these tests in
their own pytest process (``pytest -m browser``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browsing import DESKTOP
from playwright.sync_api import Browser, BrowserContext


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], live_server: Any) -> dict[str, Any]:
    """Every context: the live server as base URL, a desktop viewport, English, Rome time."""
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "viewport": DESKTOP,
        "device_scale_factor": 1,
        "locale": "en-US",
        "timezone_id": "Europe/Rome",
    }


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Uploads (avatars, covers) go to a temporary folder, never to var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def make_context(
    browser: Browser, browser_context_args: dict[str, Any]
) -> Iterator[Callable[..., BrowserContext]]:
    """New browser contexts whose options override the defaults (a phone viewport...)."""
    contexts: list[BrowserContext] = []

    def make(**overrides: Any) -> BrowserContext:
        context = browser.new_context(**{**browser_context_args, **overrides})
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
