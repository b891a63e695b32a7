"""Member-written Markdown, rendered once at write time to sanitised HTML."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "s",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "input",
    "img",
    "sup",
    "sub",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
    "input": {"type", "checked", "disabled"},
    "ol": {"start"},
}


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"linkify": True, "html": False, "breaks": False})
    md.enable(["table", "strikethrough", "linkify"])
    md.use(tasklists_plugin)
    return md


def _site_host() -> str:
    return urlsplit(settings.SITE_URL).netloc.lower()


def _is_internal(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.netloc or parts.netloc.lower() == _site_host()


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    # Remote images would let a member track readers: only same-site images load.
    if tag == "img" and attribute == "src" and not _is_internal(value):
        return None
    if tag == "code" and attribute == "class" and not value.startswith("language-"):
        return None
    if tag == "input" and attribute == "type" and value != "checkbox":
        return None
    return value


def render_markdown(text: str) -> str:
    """CommonMark with tables, strikethrough, autolinks and fenced code, sanitised by nh3."""
    html = _parser().render(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
        attribute_filter=_attribute_filter,
        strip_comments=True,
    )
