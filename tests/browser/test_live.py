"""Live updates in Chromium: a reply appears on another member's open topic page, and
markup a member writes stays inert wherever it is shown, live insertions included.

Served like ``cerchia serve`` does: the pages by the live server (WSGI), the websockets
by Cerchia's ASGI application in granian on a second port (``live_websockets``, which
the root conftest starts for every browser test).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from browsing import prepare_context
from django.test import Client
from django.urls import reverse
from playwright.sync_api import BrowserContext, Dialog, Page, expect

from cerchia.accounts.models import User
from cerchia.communities.models import Community, Role, Visibility
from cerchia.core import testing
from cerchia.discussions.models import Topic
from cerchia.live.testing import WebsocketServer

pytestmark = pytest.mark.browser

#: Each payload, if it ever ran, would set window.__xss or open a dialog.
XSS_TITLE = '<script>window.__xss = "title"</script><img src=x onerror="window.__xss = 1">'
XSS_BODY = """\
Fixing the <b>developer</b> temperature.

<script>window.__xss = "script"; alert(1)</script>

<img src=x onerror="window.__xss = 'img'; alert(1)">

<svg onload="window.__xss = 'svg'; alert(1)"><circle r="4"/></svg>

<iframe src="javascript:window.__xss='iframe'"></iframe>

[a harmless link](javascript:window.__xss='link';alert(1))

<a href="javascript:window.__xss='anchor'">another</a>
<details open ontoggle="window.__xss = 'details'">x</details>
"""
XSS_REPLY = """\
@bruno_live Live and still inert: <img src=x onerror="window.__xss = 'live'; alert(1)">
<script>window.__xss = "live script"</script>
<svg><animate onbegin="window.__xss = 'animate'" attributeName="x" dur="1s"/></svg>
[live link](javascript:window.__xss='live link')
"""

#: Where a page's own script may have left something that runs.
INERT_CHECK = """() => {
    const found = [];
    const main = document.querySelector("#posts");
    main.querySelectorAll("script, iframe, object, embed").forEach(el => found.push(el.outerHTML));
    main.querySelectorAll("*").forEach(el => {
        for (const attr of el.attributes) {
            const value = attr.value.replace(/\\s/g, "").toLowerCase();
            if (attr.name.toLowerCase().startsWith("on")) found.push(el.tagName + " " + attr.name);
            if (value.startsWith("javascript:")) found.push(el.tagName + " " + attr.name);
        }
    });
    return found;
}"""


def signed_in(context: BrowserContext, live_server: Any, user: User) -> None:
    """The session cookie of ``user``, as if they had signed in with this browser."""
    from django.conf import settings

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def watch_for_script(page: Page, dialogs: list[str]) -> None:
    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)


def assert_inert(page: Page, dialogs: list[str], watch_errors: list[str]) -> None:
    assert dialogs == [], f"A dialog opened: {dialogs}"
    assert page.evaluate("() => window.__xss") is None, "A payload ran"
    assert page.evaluate(INERT_CHECK) == [], "Executable markup reached the page"
    blocked = [error for error in watch_errors if "Content Security Policy" in error]
    assert blocked == [], f"Markup only the CSP stopped: {blocked}"


@pytest.fixture
def circle(transactional_db: None) -> tuple[Community, User, User, Topic]:
    anna = testing.make_user("anna_live", display_name="Anna Rossi")
    bruno = testing.make_user("bruno_live", display_name="Bruno Neri")
    community = testing.make_community(
        anna, name="Darkroom", slug="darkroom", visibility=Visibility.PRIVATE
    )
    testing.add_member(community, bruno, Role.MEMBER)
    topic = testing.make_topic(community, anna, title=XSS_TITLE, body=XSS_BODY)
    return community, anna, bruno, topic


def test_a_reply_appears_for_the_other_member_and_nothing_written_runs(
    live_server: Any,
    live_websockets: WebsocketServer,
    make_context: Callable[..., BrowserContext],
    circle: tuple[Community, User, User, Topic],
) -> None:
    community, anna, bruno, topic = circle
    url = reverse("discussions:topic", args=[community.slug, topic.pk])

    pages: dict[str, Page] = {}
    dialogs: list[str] = []
    watches = {}
    for name, user in (("anna", anna), ("bruno", bruno)):
        context = make_context()
        watches[name] = prepare_context(context)
        # Runs before any of the page's scripts: a payload that ran would set it.
        context.add_init_script("window.__xss = undefined;")
        signed_in(context, live_server, user)
        page = context.new_page()
        watch_for_script(page, dialogs)
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_contain_text("<script>")
        pages[name] = page

    # --- Both pages show the hostile title and body as text, and nothing of it runs.
    for name, page in pages.items():
        expect(page.locator("#posts > li.post")).to_have_count(1)
        assert_inert(page, dialogs, watches[name].errors)

    # --- Anna replies through the composer; Bruno's page shows it without reloading.
    bruno_page = pages["bruno"]
    bruno_page.evaluate("() => { window.__sameDocument = true; }")
    expect(bruno_page.locator("#notification-badge .count")).to_have_count(0)
    anna_page = pages["anna"]
    anna_page.locator("#composer textarea").fill(XSS_REPLY)
    anna_page.get_by_role("button", name="Post reply").click()
    expect(anna_page.locator("#posts > li.post")).to_have_count(2)

    new_reply = bruno_page.locator("#posts > li.post").nth(1)
    expect(new_reply).to_contain_text("Live and still inert")
    expect(bruno_page.locator("#posts")).to_have_attribute("data-after", "2")
    expect(bruno_page.locator("#live-status")).to_have_text("New reply")
    # The mention notified Bruno: his bell counts it without a reload.
    expect(bruno_page.locator("#notification-badge .count")).to_have_text("1")
    assert bruno_page.evaluate("() => window.__sameDocument") is True, "Bruno's page reloaded"

    # --- The live insertion is as inert as the page itself.
    for name, page in pages.items():
        assert_inert(page, dialogs, watches[name].errors)
