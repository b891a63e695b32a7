"""Screenshots of the main pages, and an axe-core scan of each, on the demo world.

Every page in English and Italian, light and dark at desktop width, and light at
phone width, saved as ``docs/screenshots/<page>-<lang>-<scheme>-<width>.png``.
Each of those views is scanned with axe-core: a serious or critical violation
fails the test, as does an error on the console, a broken image or a page wider
than the phone.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from browsing import (
    BLOCKING_IMPACTS,
    DESKTOP,
    PHONE,
    SCREENSHOTS_DIR,
    Watch,
    add_axe,
    describe_violations,
    prepare_context,
    run_axe,
    screenshot,
    switch_language,
)
from django.core.management import call_command
from playwright.sync_api import BrowserContext, Page, expect

from cerchia.core.demo.loader import DEMO_PASSWORD

pytestmark = pytest.mark.browser

#: Marco moderates Espresso a Casa; Camilla, a fellow member there, has a public profile.
MEMBER_EMAIL = "marco.ferretti@example.org"


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    signed_in: bool = True


PAGES = (
    Shot("directory", "/c/"),
    Shot("community", "/c/espresso-a-casa/"),
    Shot("topic", "{busiest_topic}"),
    Shot("feed", "/feed/"),
    Shot("search", "/search/?q=espresso"),
    Shot("notifications", "/notifications/"),
    Shot("members", "/c/espresso-a-casa/members/"),
    Shot("about", "/c/espresso-a-casa/about/"),
    # Marco moderates Espresso a Casa: the demo leaves a report waiting in its queue.
    Shot("queue", "/c/espresso-a-casa/moderation/"),
    # Espresso a Casa has months of demo history: the hosts' insights.
    Shot("insights", "/c/espresso-a-casa/insights/"),
    Shot("insights-members", "/c/espresso-a-casa/insights/members/"),
    Shot("segments", "/c/espresso-a-casa/insights/segments/"),
    Shot("announcement", "/c/espresso-a-casa/insights/announcements/new/"),
    Shot("profile", "/u/camilla_fabbri/"),
    Shot("settings", "/settings/"),
    Shot("signin", "/accounts/login/", signed_in=False),
)
LANGUAGES = ("en", "it")
#: The README's picture: a conversation as a member sees it.
README_SHOT = "topic-en-light-1280"


def demo_paths() -> dict[str, str]:
    """Paths that depend on the demo's rows: its busiest topic in Espresso a Casa."""
    from cerchia.discussions.models import Topic

    topic = (
        Topic.objects.filter(community__slug="espresso-a-casa", deleted_at__isnull=True)
        .order_by("-reply_count", "id")
        .first()
    )
    assert topic is not None, "the demo has no topics in Espresso a Casa"
    return {"busiest_topic": f"/c/espresso-a-casa/t/{topic.pk}/"}


BROKEN_IMAGES = """() => Array.from(document.images)
    .filter(img => img.complete && img.naturalWidth === 0)
    .map(img => img.currentSrc || img.src)"""
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


@dataclass
class Browser:
    """One person's browser: Marco's, or a visitor's."""

    page: Page
    watch: Watch


def open_browser(make_context: Callable[..., BrowserContext], signed_in: bool) -> Browser:
    context = make_context()
    watch = prepare_context(context)
    add_axe(context)
    page = context.new_page()
    if signed_in:
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(MEMBER_EMAIL)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".site-nav details.menu")).to_have_count(1)
    else:
        page.goto("/")
    return Browser(page, watch)


def look(page: Page, where: str, scan: bool, problems: list[str], notes: list[str]) -> None:
    """Save the screenshot; scan with axe-core; check images and width."""
    screenshot(page, SCREENSHOTS_DIR / f"{where}.png", palette=True)
    if scan:
        violations = run_axe(page)
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            problems.append(describe_violations(where, blocking))
        minor = [v for v in violations if v["impact"] not in BLOCKING_IMPACTS]
        if minor:
            notes.append(describe_violations(where, minor))
    broken = page.evaluate(BROKEN_IMAGES)
    if broken:
        problems.append(f"{where}: broken images {broken}")
    overflow = page.evaluate(OVERFLOW)
    if overflow > 0:
        problems.append(f"{where}: the page is {overflow}px wider than the window")


def test_the_scan_finds_what_it_should(make_context: Callable[..., BrowserContext]) -> None:
    """axe-core is really in the page and reports: an image without text is critical."""
    context = make_context()
    add_axe(context)
    page = context.new_page()
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png"></main></html>')
    violations = {v["id"]: v["impact"] for v in run_axe(page)}
    assert violations.get("image-alt") == "critical", violations


def test_main_pages_screenshots_and_accessibility(
    live_server: Any, make_context: Callable[..., BrowserContext], settings: Any
) -> None:
    settings.CERCHIA_DEMO_HISTORY = True  # the insights pages show the demo's months
    call_command("demo", stdout=io.StringIO(), stderr=io.StringIO())
    paths = demo_paths()
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    browsers = {signed_in: open_browser(make_context, signed_in) for signed_in in (True, False)}
    problems: list[str] = []
    notes: list[str] = []

    for language in LANGUAGES:
        for browser in browsers.values():
            switch_language(browser.page, language)
        for shot in PAGES:
            page = browsers[shot.signed_in].page
            page.set_viewport_size(DESKTOP)
            page.emulate_media(color_scheme="light")
            path = shot.path.format(**paths)
            response = page.goto(path)
            assert response is not None
            assert response.ok, f"{path}: {response.status}"
            expect(page.locator("html")).to_have_attribute("lang", language)
            name = f"{shot.name}-{language}"
            # Desktop, light and dark, each scanned: contrast differs between them.
            look(page, f"{name}-light-{DESKTOP['width']}", True, problems, notes)
            page.emulate_media(color_scheme="dark")
            look(page, f"{name}-dark-{DESKTOP['width']}", True, problems, notes)
            # Phone, light: the same page, narrower.
            page.emulate_media(color_scheme="light")
            page.set_viewport_size(PHONE)
            look(page, f"{name}-light-{PHONE['width']}", False, problems, notes)

    shutil.copyfile(
        SCREENSHOTS_DIR / f"{README_SHOT}.png", SCREENSHOTS_DIR.parent / "screenshot.png"
    )
    for browser in browsers.values():
        problems += [f"console: {error}" for error in browser.watch.errors]
    if notes:
        print("\nNot failing (moderate or minor):\n" + "\n".join(dict.fromkeys(notes)))
    assert not problems, "\n" + "\n".join(problems)
