"""What the browser tests do in a page: sign up, confirm, switch language, scan with axe-core.

Imported by the test modules as ``browsing`` (pytest puts this folder on the path).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core import mail
from PIL import Image, ImageChops
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

BROWSER_DIR = Path(__file__).resolve().parent
REPO_DIR = BROWSER_DIR.parent.parent
DOCS_DIR = REPO_DIR / "docs"
SCREENSHOTS_DIR = DOCS_DIR / "screenshots"
AXE_JS = BROWSER_DIR / "vendor" / "axe.min.js"

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
#: Failing impacts of an axe-core violation; "moderate" and "minor" are printed only.
BLOCKING_IMPACTS = {"serious", "critical"}
#: Anything slower than this is a bug here: the server runs in this process.
TIMEOUT_MS = 15_000

CONFIRMATION_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+?/(?=\s|$)")


# --- Contexts ---------------------------------------------------------------------------------


@dataclass
class Watch:
    """What the pages of one context said on their console."""

    errors: list[str] = field(default_factory=list)


def prepare_context(context: BrowserContext) -> Watch:
    """Short timeouts; console errors (a CSP violation, a failed request...) collected."""
    watch = Watch()
    context.set_default_timeout(TIMEOUT_MS)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watch.errors.append(f"{message.location.get('url', '')}: {message.text}")

    def on_page(page: Page) -> None:
        page.on("console", on_console)
        page.on("pageerror", lambda error: watch.errors.append(f"uncaught: {error}"))

    for page in context.pages:
        on_page(page)
    context.on("page", on_page)
    return watch


# --- Accounts -------------------------------------------------------------------------------


def confirmation_link(email: str) -> str:
    """The link in the newest confirmation email sent to ``email``."""
    sent = [message for message in mail.outbox if email in message.to]
    assert sent, f"No email was sent to {email}; outbox: {[m.to for m in mail.outbox]}"
    body = sent[-1].body
    match = CONFIRMATION_LINK.search(body)
    assert match, f"No confirmation link in the email to {email}:\n{body}"
    return match.group(0)


def sign_up(page: Page, email: str, password: str) -> None:
    """Fill the sign-up form; the site then asks to confirm the address."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password (again)").fill(password)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify")


def confirm_email(page: Page, email: str) -> None:
    """Open the link in the confirmation email and press Confirm, as the email says."""
    page.goto(confirmation_link(email))
    page.get_by_role("button", name="Confirm").click()


def set_display_name(page: Page, name: str) -> None:
    """Through the account menu to the profile settings."""
    page.locator("summary", has=page.locator(".avatar")).click()
    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Display name").fill(name)
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator(".site-nav")).to_contain_text(name)


def switch_language(page: Page, code: str) -> None:
    """The footer's language switcher: pick the language, press the button."""
    footer = page.locator("footer.site-footer")
    footer.locator("select[name=language]").select_option(code)
    footer.locator("button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


# --- Looking ----------------------------------------------------------------------------------

#: Resolves once every image the window shows is loaded, decoded and painted (or failed),
#: or after 5 s: lazy images may still be arriving, async ones decoding, when the page loads.
IMAGES_IN_VIEW = """async () => {
    const inView = Array.from(document.images).filter(img => {
        const box = img.getBoundingClientRect();
        return box.bottom > 0 && box.top < window.innerHeight && box.width > 0;
    });
    const ready = inView.map(async img => {
        if (!img.complete) {
            await new Promise(resolve => {
                img.addEventListener("load", resolve, {once: true});
                img.addEventListener("error", resolve, {once: true});
            });
        }
        await img.decode().catch(() => null);
    });
    const timeout = new Promise(resolve => setTimeout(resolve, 5000));
    await Promise.race([Promise.all(ready), timeout]);
    await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}"""


#: Largest channel difference still taken for rendering noise (a real change shows more).
UNCHANGED_BELOW = 48


def screenshot(page: Page, path: Path, *, palette: bool = False) -> None:
    """What the window shows once its images are in, with transitions finished.

    With ``palette``, the PNG is reduced to 256 colours (dithered): about a third of
    the size, text as sharp, a little grain on photos and gradients. A file that
    would only change by rendering noise is left as it is, to keep git quiet.
    """
    page.evaluate(IMAGES_IN_VIEW)
    png = page.screenshot(animations="disabled", caret="hide")
    with Image.open(io.BytesIO(png)) as shot:
        image = shot.convert("RGB")
    if palette:
        image = image.quantize(256, method=Image.Quantize.FASTOCTREE)
    if path.exists():
        with Image.open(path) as old:
            before = old.convert("RGB")
        if before.size == image.size:
            difference = ImageChops.difference(before, image.convert("RGB"))
            if max(high for _, high in difference.getextrema()) < UNCHANGED_BELOW:
                return
    image.save(path, "PNG", optimize=True)


# --- Accessibility ----------------------------------------------------------------------------


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (axe must be in the page already)."""
    result = page.evaluate(
        """async () => {
            const result = await window.axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                "wcag22aa", "best-practice"]},
                resultTypes: ["violations"],
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary,
                                          html: n.html.slice(0, 200)})),
            }));
        }"""
    )
    return list(result)


def add_axe(context: BrowserContext) -> None:
    """axe-core on every page of the context, injected without touching the pages' CSP."""
    context.add_init_script(path=str(AXE_JS))


def describe_violations(where: str, violations: list[dict[str, Any]]) -> str:
    """Each violation with its rule, help link and the first elements it found."""
    lines = []
    for violation in violations:
        lines.append(f"{where}: [{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    - {node['target']}")
            lines.append(f"      {node['html']}")
            for line in (node["summary"] or "").splitlines():
                lines.append(f"      {line}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)
