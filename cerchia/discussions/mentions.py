"""@mentions: find the handles a post names and link those that belong to the community.

A handle that is not a member of the community stays plain text: it is not linked,
recorded or notified, so a mention reveals nothing about who has an account.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.html import escape

from cerchia.accounts.models import User
from cerchia.communities.models import Community
from cerchia.core.markdown import render_markdown

MAX_MENTIONS = 20
_HANDLE = re.compile(r"(?<![\w@/.])@([a-zA-Z0-9_]{3,30})\b")
_TAG = re.compile(r"(<[^>]+>)")
_SKIP_TAGS = ("a", "code", "pre")


def extract_handles(markdown: str) -> list[str]:
    """Handles named in ``markdown`` outside code and links, lower-cased, in order, at most
    MAX_MENTIONS."""
    return handles_in_html(render_markdown(markdown or ""))


def handles_in_html(html: str) -> list[str]:
    """Handles named in rendered HTML outside code and links (the text ``link_mentions``
    would link), lower-cased, in order, at most MAX_MENTIONS.

    Reading the rendered HTML rather than the Markdown catches every kind of code block
    (indented, ``~~~`` fences), so a handle in code is never recorded nor notified.
    """
    seen: dict[str, None] = {}
    parts = _TAG.split(html)
    for index in _text_outside_code(parts):
        for match in _HANDLE.finditer(parts[index]):
            seen.setdefault(match.group(1).lower(), None)
            if len(seen) >= MAX_MENTIONS:
                return list(seen)
    return list(seen)


def _text_outside_code(parts: list[str]) -> list[int]:
    """Indexes of the text parts of ``_TAG.split(html)`` that are outside links and code."""
    depth = 0
    indexes: list[int] = []
    for index, part in enumerate(parts):
        if part.startswith("<"):
            name = part.strip("</>").split()[0].lower() if part.strip("</>") else ""
            if name in _SKIP_TAGS:
                depth += -1 if part.startswith("</") else 1
            continue
        if depth == 0 and "@" in part:
            indexes.append(index)
    return indexes


def resolve_mentions(
    community: Community, handles: list[str], author_id: int | None = None
) -> dict[str, User]:
    """The named handles that are members of ``community``, by lower-cased handle (one query).

    With ``author_id``, members with a block either way with the author are left out: their
    handle stays plain text, unrecorded and unnotified."""
    from cerchia.moderation.queries_blocks import not_blocked_with

    if not handles:
        return {}
    # Handles keep the case they were chosen with but are unique regardless of case.
    members = User.objects.annotate(lowered=Lower("handle")).filter(
        not_blocked_with(author_id),
        lowered__in=handles,
        memberships__community=community,
        deleted_at__isnull=True,
    )
    return {user.handle.lower(): user for user in members}


def link_mentions(html: str, members: Mapping[str, User]) -> str:
    """Wrap ``@handle`` of each member in a link to their profile, outside links and code."""
    if not members:
        return html
    parts = _TAG.split(html)
    for index in _text_outside_code(parts):
        parts[index] = _HANDLE.sub(lambda match: _link(match, members), parts[index])
    return "".join(parts)


def _link(match: re.Match[str], members: Mapping[str, User]) -> str:
    user = members.get(match.group(1).lower())
    if user is None:
        return match.group(0)
    url = reverse("accounts:profile", kwargs={"handle": user.handle})
    return f'<a class="mention" href="{escape(url)}">@{escape(user.handle)}</a>'
