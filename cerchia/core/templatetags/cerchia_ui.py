"""Interface template tags: icons, avatars, role and affiliation labels, block capture,
cached fragments.

Load with ``{% load cerchia_ui %}``.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import zlib
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from django import template
from django.core.cache import InvalidCacheBackendError, caches
from django.core.cache.backends.base import BaseCache
from django.template.base import FilterExpression, Parser, Token
from django.template.context import Context
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

register = template.Library()

ICON_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "vendor" / "lucide"
_ICON_NAME = re.compile(r"^[a-z0-9-]+$")
_SVG_BODY = re.compile(r"<svg\b[^>]*>(.*)</svg>", re.S)

AVATAR_SIZES = {"xs": 24, "sm": 32, "md": 40, "lg": 64, "xl": 96}
AVATAR_HUES = 8

AFFILIATION_LABELS = {
    "staff": _("Staff"),
    "brand": _("Brand"),
    "partner": _("Partner"),
    "ambassador": _("Ambassador"),
}
ROLE_ICONS = {"owner": "crown", "moderator": "shield"}


@cache
def icon_body(name: str) -> str:
    """The inner markup of a vendored Lucide icon; raises ValueError for an unknown name."""
    if not _ICON_NAME.match(name):
        raise ValueError(f"Bad icon name {name!r}")
    path = ICON_DIR / f"{name}.svg"
    if not path.is_file():
        raise ValueError(f"Unknown icon {name!r}: vendor it (see static/vendor/lucide/ICONS)")
    match = _SVG_BODY.search(path.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"Icon {name!r} is not an SVG")
    return " ".join(line.strip() for line in match.group(1).splitlines() if line.strip())


@register.simple_tag
def icon(name: str, label: str = "", size: str = "", css_class: str = "") -> SafeString:
    """Inline SVG icon. Decorative (``aria-hidden``) unless a ``label`` is given.

    ``{% icon "users" %}``, ``{% icon "lock" label=_("Private") size="sm" %}``.
    """
    # The markup depends on the arguments only (a lazy label in the active language).
    return _icon(str(name), str(label), str(size), str(css_class))


@lru_cache(maxsize=1024)
def _icon(name: str, label: str, size: str, css_class: str) -> SafeString:
    classes = " ".join(c for c in ("icon", f"icon--{size}" if size else "", css_class) if c)
    if label:
        a11y = format_html('role="img" aria-label="{}"', label)
    else:
        a11y = mark_safe('aria-hidden="true"')
    return format_html(
        '<svg class="{}" xmlns="http://www.w3.org/2000/svg" width="24" height="24" '
        'viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" '
        'stroke-linecap="round" stroke-linejoin="round" focusable="false" {}>{}</svg>',
        classes,
        a11y,
        mark_safe(icon_body(name)),  # noqa: S308 - read from our own vendored files
    )


def initials(name: str) -> str:
    """Up to two initials of a name: "Giulia Rossi" → "GR", "mario_b" → "MB"."""
    words = [w for w in re.split(r"[\s_.\-]+", name.strip()) if w]
    letters = [next((c for c in w if c.isalnum()), "") for w in words]
    letters = [c for c in letters if c]
    if not letters:
        return "?"
    picked = letters[0] + (letters[-1] if len(letters) > 1 else "")
    return picked.upper()


def avatar_hue(key: str) -> int:
    """A stable colour slot for a handle, the same on every page and every process."""
    return zlib.crc32(key.lower().encode("utf-8")) % AVATAR_HUES


@register.filter(name="initials")
def initials_filter(name: Any) -> str:
    """``{{ community.name|initials }}``: up to two initials."""
    return initials(str(name or ""))


@register.filter
def hue_class(key: Any) -> str:
    """``{{ community.slug|hue_class }}`` → ``avatar--hue-3``: a stable colour for any key."""
    return f"avatar--hue-{avatar_hue(str(key or ''))}"


@register.simple_tag
def avatar(user: Any, size: str = "md", decorative: bool = False) -> SafeString:
    """A member's picture, or their initials on a colour derived from their handle.

    The name is the alternative text; pass ``decorative=True`` where the name is
    written right beside the avatar, so screen readers do not hear it twice.
    """
    if size not in AVATAR_SIZES:
        size = "md"
    if user is None or not getattr(user, "pk", None):
        name = str(_("Deleted member"))
        handle = ""
    else:
        name = str(getattr(user, "name", "") or getattr(user, "handle", "") or user)
        handle = str(getattr(user, "handle", "") or name)
    image = getattr(user, "avatar", None) if user is not None else None
    url = ""
    if image:
        try:
            url = image.url
        except ValueError:
            url = ""
    return _avatar(size, name, handle, url, bool(decorative))


@lru_cache(maxsize=4096)
def _avatar(size: str, name: str, handle: str, url: str, decorative: bool) -> SafeString:
    """The avatar's markup: a function of these strings only, so it is computed once."""
    pixels = AVATAR_SIZES[size]
    alt = "" if decorative else name
    if url:
        return format_html(
            '<img class="avatar avatar--{}" src="{}" alt="{}" width="{}" height="{}" '
            'loading="lazy" decoding="async">',
            size,
            url,
            alt,
            pixels,
            pixels,
        )
    hue_class = f"avatar--hue-{avatar_hue(handle)}" if handle else "avatar--ghost"
    if decorative:
        a11y = mark_safe('aria-hidden="true"')
    else:
        a11y = format_html('role="img" aria-label="{}"', name)
    return format_html(
        '<span class="avatar avatar--{} avatar--initials {}" {}>{}</span>',
        size,
        hue_class,
        a11y,
        initials(name) if handle else "?",
    )


@register.inclusion_tag("_partials/avatar_stack.html")
def avatar_stack(users: Any, limit: int = 5, size: str = "sm", total: int | None = None) -> dict:
    """Overlapping avatars of up to ``limit`` people, then "+N more".

    ``total`` is the full count when ``users`` is already a slice.
    """
    everyone = list(users) if users is not None else []
    people = everyone[: max(limit, 0)]
    count = total if total is not None else len(everyone)
    return {"people": people, "size": size, "more": max(count - len(people), 0)}


@register.simple_tag
def role_label(role: Any) -> SafeString:
    """A pill naming a community role: owner, moderator or member."""
    from cerchia.communities.models import Role

    value = str(getattr(role, "value", role) or "")
    try:
        label = Role(value).label
    except ValueError:
        return mark_safe("")
    icon_name = ROLE_ICONS.get(value)
    icon_html = icon(icon_name) if icon_name else ""
    return format_html('<span class="pill pill--{}">{}{}</span>', value, icon_html, label)


@register.simple_tag
def affiliation_label(kind: Any, name: str = "") -> SafeString:
    """A disclosure pill: Staff, Brand, Partner or Ambassador, with the organisation's name.

    ``{% affiliation_label "brand" name="Velo Alpino" %}`` → "Brand · Velo Alpino".
    """
    value = str(getattr(kind, "value", kind) or "").lower()
    label = AFFILIATION_LABELS.get(value)
    if label is None:
        return mark_safe("")
    text = format_html("{} · {}", label, name) if name else label
    return format_html('<span class="pill pill--{}">{}{}</span>', value, icon("badge-check"), text)


@register.simple_tag
def sponsored_band(sponsor: str = "") -> SafeString:
    """The labelled band at the top of a sponsored post."""
    if sponsor:
        text = format_html(
            "<span>{} <strong>{}</strong></span>",
            pgettext_lazy("sponsored by <name>", "Sponsored by"),
            sponsor,
        )
    else:
        text = format_html("<strong>{}</strong>", _("Sponsored"))
    return format_html('<p class="sponsored-band">{}{}</p>', icon("megaphone"), text)


class CaptureNode(template.Node):
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist: template.NodeList, var: str) -> None:
        self.nodelist = nodelist
        self.var = var

    def render(self, context: Context) -> str:
        output = self.nodelist.render(context).strip()
        context[self.var] = mark_safe(output)  # noqa: S308 - already rendered by the engine
        return ""


@register.tag
def capture(parser: Parser, token: Token) -> CaptureNode:
    """``{% capture "var" %}…{% endcapture %}`` renders its body into ``var`` (stripped).

    Blocks may sit inside, so a base template can tell whether a child filled one.
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError('Usage: {% capture "name" %}…{% endcapture %}')
    var = bits[1].strip("\"'")
    if not var.isidentifier():
        raise template.TemplateSyntaxError(f"capture: {var!r} is not a valid variable name")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, var)


# --- Cached fragments ------------------------------------------------------------------------

#: How long a rendered fragment stays cached. Its key holds every value it shows, so a change
#: makes a new key and the old entry simply ages out; nothing needs deleting.
FRAGMENT_TIMEOUT = 60 * 60
#: Stands in for the CSRF token while a fragment renders; each response puts its own in.
CSRF_PLACEHOLDER = "csrf-token-placeholder-8c1e0d"


def fragment_cache() -> BaseCache:
    """The ``template_fragments`` cache if one is configured, else the default one."""
    try:
        return caches["template_fragments"]
    except InvalidCacheBackendError:
        return caches["default"]


def _key_part(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return repr(sorted((str(k), _key_part(v)) for k, v in value.items()))
    if isinstance(value, set | frozenset | list | tuple):
        parts = [_key_part(v) for v in value]
        return repr(sorted(parts) if isinstance(value, set | frozenset) else parts)
    return f"{type(value).__name__}:{value}"


def fragment_key(name: str, values: list[Any]) -> str:
    """The cache key of fragment ``name`` for these values, the active language and timezone."""
    parts = [translation.get_language() or "", timezone.get_current_timezone_name()]
    parts += [_key_part(value) for value in values]
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()
    return f"fragment:{name}:{digest}"


class FragmentNode(template.Node):
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist: template.NodeList, name: str, parts: list[FilterExpression]):
        self.nodelist = nodelist
        self.name = name
        self.parts = parts

    def render(self, context: Context) -> str:
        key = fragment_key(self.name, [part.resolve(context) for part in self.parts])
        store = fragment_cache()
        reachable = True
        try:
            html = store.get(key)
        except Exception:  # a cache that cannot be reached: render as if it were empty
            html, reachable = None, False
        if html is None:
            with context.push(csrf_token=CSRF_PLACEHOLDER):
                html = str(self.nodelist.render(context))
            if reachable:
                with contextlib.suppress(Exception):
                    store.set(key, html, FRAGMENT_TIMEOUT)
        if CSRF_PLACEHOLDER in html:
            token = context.get("csrf_token")
            html = html.replace(CSRF_PLACEHOLDER, str(token) if token else "")
        return mark_safe(html)  # noqa: S308 - rendered by the engine, escaped there


@register.tag
def fragment(parser: Parser, token: Token) -> FragmentNode:
    """``{% fragment "name" value1 value2 … %}…{% endfragment %}``: render once, then reuse.

    The body is cached under the name, the active language and timezone and the given values;
    list there **every** value the body shows or depends on (ids, versions, names, the
    viewer's own flags), since the body is served to anyone who asks with the same values.
    A ``{% csrf_token %}`` inside is put in per response. Never put anything else that is
    specific to one viewer or one request inside without listing it among the values.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError('Usage: {% fragment "name" value … %}…{% endfragment %}')
    name = bits[1].strip("\"'")
    if not name.replace("_", "").replace("-", "").isalnum():
        raise template.TemplateSyntaxError(f"fragment: {name!r} is not a valid name")
    parts = [parser.compile_filter(bit) for bit in bits[2:]]
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, name, parts)
