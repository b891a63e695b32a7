"""The core journey in Chromium, through the real pages only.

Anna signs up and confirms her email, starts a community and makes an invitation
link; Bruno, in his own browser, signs up, confirms, follows the link and joins;
both find each other in the member directory; Bruno switches the interface to
Italian.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browsing import (
    confirm_email,
    prepare_context,
    set_display_name,
    sign_up,
    switch_language,
)
from django.utils import translation
from playwright.sync_api import BrowserContext, Page, expect

from cerchia.core.demo import images

pytestmark = pytest.mark.browser

PASSWORD = "a-long-walk-by-the-Naviglio"

DESCRIPTION = """\
Every Sunday morning we pick a square in Milan, draw it for two hours, then compare sketchbooks \
over a spritz. All levels, all materials: pencil, ink, watercolour, a tablet if you must.

- **Where**: announced on Thursday, always near a tram stop and a bar with outdoor tables.
- **Bring**: something to draw with, something to sit on, sunscreen.
- **Beginners**: ask for a *taccuino* and a pen, we always carry spares.

Rainy days we move to the Museo del Novecento and draw the people drawing the paintings.
"""

RULES = """\
1. Be kind about other people's sketches, and honest when they ask.
2. Ask before you draw someone up close, and before you post a face.
3. No selling here; swapping sketches is welcome.
"""


def italian(message: str) -> str:
    """The catalogue's Italian for ``message``; fails clearly while it has none."""
    with translation.override("it"):
        translated = translation.gettext(message)
    assert translated != message, (
        f"The Italian catalogue has no translation for {message!r} "
        "(cerchia/locale/it/LC_MESSAGES/django.po; `cerchia compilemessages`)."
    )
    return translated


def test_sign_up_create_invite_join_and_switch_to_italian(
    live_server: Any,
    page: Page,
    new_context: Callable[..., BrowserContext],
    tmp_path: Path,
) -> None:
    anna_watch = prepare_context(page.context)

    # --- Anna signs up and confirms her email address.
    page.goto("/")
    page.locator(".site-nav").get_by_role("link", name="Sign up").click()
    sign_up(page, "anna.rossi@example.org", PASSWORD)
    confirm_email(page, "anna.rossi@example.org")
    expect(page.get_by_role("heading", name="My communities")).to_be_visible()
    set_display_name(page, "Anna Rossi")

    # --- She starts a community with the real form, cover image included.
    page.locator(".site-nav").get_by_role("link", name="My communities").click()
    page.get_by_role("link", name="Start a community").first.click()
    cover = tmp_path / "cover.jpg"
    cover.write_bytes(images.cover("spritz").read())
    page.get_by_label("Name").fill("Sketch & Spritz")
    page.get_by_label("Address").fill("sketch-and-spritz")
    page.get_by_label("Tagline").fill(
        "Urban sketchers in Milan: one square, two hours, a spritz, every Sunday."
    )
    page.get_by_label("Description").fill(DESCRIPTION)
    page.get_by_label("Interest tags").fill("urban sketching, watercolour, Milan")
    page.get_by_label("Main language").select_option("en")
    page.get_by_label("Rules and code of conduct").fill(RULES)
    page.get_by_label("Cover image").set_input_files(cover)
    page.get_by_label("Public").check()
    page.get_by_label("Open").check()
    page.get_by_role("button", name="Create the community").click()
    expect(page).to_have_url(f"{live_server.url}/c/sketch-and-spritz/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sketch & Spritz")

    # --- In the host settings she makes an invitation link.
    page.locator(".page-header").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Invitations").click()
    page.get_by_label("Expires after (days)").fill("14")
    page.get_by_role("button", name="Create invitation").click()
    expect(page.get_by_text("New invitation link ready to share.")).to_be_visible()
    invitation_url = page.get_by_label("Invitation link").first.input_value()
    assert "/invite/" in invitation_url

    # --- Bruno, in his own browser, opens the link, signs up and confirms his address.
    bruno_context = new_context()
    bruno_watch = prepare_context(bruno_context)
    bruno = bruno_context.new_page()
    bruno.goto(invitation_url)
    expect(bruno.get_by_text("Anna Rossi invites you to join")).to_be_visible()
    bruno.get_by_role("link", name="Create an account").click()
    sign_up(bruno, "bruno.esposito@example.org", PASSWORD)
    confirm_email(bruno, "bruno.esposito@example.org")

    # --- Confirming brings him back to the invitation: he accepts the rules and joins.
    expect(bruno).to_have_url(invitation_url)
    bruno.get_by_label("I have read and accept the rules").check()
    bruno.get_by_role("button", name="Accept and join").click()
    expect(bruno).to_have_url(f"{live_server.url}/c/sketch-and-spritz/")
    set_display_name(bruno, "Bruno Esposito")

    # --- Both see each other in the member directory.
    bruno.locator(".site-nav").get_by_role("link", name="My communities").click()
    bruno.get_by_role("link", name="Sketch & Spritz").first.click()
    bruno.locator(".page-header").get_by_role("link", name="Members").click()
    members = bruno.locator("#member-results")
    expect(members.get_by_role("link", name="Anna Rossi", exact=True)).to_be_visible()
    expect(members.get_by_role("link", name="Bruno Esposito", exact=True)).to_be_visible()

    page.goto("/c/sketch-and-spritz/members/")
    members = page.locator("#member-results")
    expect(members.get_by_role("link", name="Anna Rossi", exact=True)).to_be_visible()
    expect(members.get_by_role("link", name="Bruno Esposito", exact=True)).to_be_visible()

    # --- Bruno switches the interface to Italian with the footer switcher.
    expected = italian("My communities")
    switch_language(bruno, "it")
    expect(bruno).to_have_url(f"{live_server.url}/c/sketch-and-spritz/members/")
    expect(bruno.locator(".site-nav")).to_contain_text(expected)
    expect(bruno.get_by_role("heading", level=2, name=italian("Members"))).to_be_visible()
    # The profile remembers it: the next page is Italian too.
    bruno.goto("/")
    expect(bruno.get_by_role("heading", level=1)).to_have_text(expected)
    # Anna's interface stays English.
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # --- Anna's community page, as she sees it.
    page.goto("/c/sketch-and-spritz/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sketch & Spritz")

    assert not anna_watch.errors, anna_watch.errors
    assert not bruno_watch.errors, bruno_watch.errors
