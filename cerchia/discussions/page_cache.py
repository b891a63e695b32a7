"""A short full-page cache for anonymous visitors of community and topic pages anyone may read.

Signed-in members always get a freshly rendered page (their links, reactions, unread markers).
An anonymous visitor without a session of a community page, its topic list or a topic page
gets the page as rendered for an earlier anonymous visitor with the same address, language
and timezone, while:

- the visitor may read it: checked on **every** request by the same queries the pages use,
  never cached, so a community that turns private or a deleted topic stops being served at once;
- nothing in the community changed: each community has a version, replaced after every
  committed write of its topics, posts, reactions, memberships or itself and after every event
  an action records in it (so writes made with a queryset ``update()`` count too), and one
  global version after any profile change or event outside a community (names and avatars
  show on every page); events that change nothing anonymous visitors see (reading, bookmarks,
  notification levels) are left out;
- and for at most ``CERCHIA_ANONYMOUS_PAGE_CACHE`` seconds (0 turns the cache off), which bounds
  what a change made without a model signal (a queryset ``update()``) can leave stale.

The page's CSRF token is swapped for a placeholder when stored and for the visitor's own token
when served. Pages that set cookies other than the CSRF one, use a CSP nonce or are not a 200
are never stored.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token  # type: ignore[attr-defined]
from django.urls import Resolver404, resolve
from django.utils import timezone, translation

#: The pages cached, by view name.
CACHED_VIEWS = frozenset({"communities:detail", "discussions:topic_list", "discussions:topic"})
CSRF_PLACEHOLDER = "csrf-token-placeholder-5f3a91"
_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
GLOBAL_VERSION = "page-version:all"

logger = logging.getLogger(__name__)
#: Events that change nothing an anonymous visitor sees (any other event replaces versions).
QUIET_EVENTS = frozenset(
    {
        "topic.read",
        "community.viewed",
        "community.visited",
        "community.marked_read",
        "bookmark.added",
        "bookmark.removed",
        "topic.notification_level",
        "community.notification_level",
        "account.touched",
        "account.token_created",
        "account.token_revoked",
        "account.data_exported",
        "account.consent_changed",
        "attachment.uploaded",
        "moderation.reported",
        "moderation.note_added",
    }
)


def _ttl() -> int:
    return int(getattr(settings, "CERCHIA_ANONYMOUS_PAGE_CACHE", 0) or 0)


def _version_key(community_id: int) -> str:
    return f"page-version:community:{community_id}"


def versions(community_id: int) -> str:
    """The community's and the global version (each made on first use)."""
    keys = [_version_key(community_id), GLOBAL_VERSION]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key)
    return f"{found[keys[0]]}.{found[keys[1]]}"


def bump(community_id: int | None) -> None:
    """Forget the cached pages of one community (None: of every community), after commit.

    A cache that cannot be reached must not fail a write that has committed: its pages
    expire within the page lifetime anyway."""
    key = GLOBAL_VERSION if community_id is None else _version_key(community_id)

    def forget() -> None:
        try:
            cache.set(key, uuid.uuid4().hex, None)
        except Exception:
            logger.warning("Page cache unreachable: cached pages expire by themselves")

    transaction.on_commit(forget, robust=True)


def readable_community_id(request: HttpRequest, view_name: str, kwargs: dict[str, Any]) -> int:
    """The community of the page if an anonymous visitor may read it; Http404 otherwise."""
    from cerchia.communities import queries as community_queries
    from cerchia.discussions import queries

    community = community_queries.get_readable_community(request.user, kwargs["slug"])
    if view_name == "discussions:topic":
        queries.check_topic_readable(request.user, community, int(kwargs["topic_id"]))
    return int(community.pk)


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and "HTTP_HX_REQUEST" not in request.META
    )


def _page_key(request: HttpRequest, community_id: int) -> str:
    parts = [
        request.get_full_path(),
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        versions(community_id),
    ]
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()
    return f"page:{community_id}:{digest}"


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    nonce = getattr(request, "_csp_nonce", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not bool(nonce)
        and all(name == settings.CSRF_COOKIE_NAME for name in response.cookies)
        and "private" not in response.get("Cache-Control", "")
    )


def _with_placeholder(request: HttpRequest, content: str) -> str:
    """The page with the request's CSRF token(s) swapped for the placeholder."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return content

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        return CSRF_PLACEHOLDER if _unmask_cipher_token(token) == secret else token

    return _TOKEN.sub(swap, content)


class AnonymousPageCacheMiddleware:
    """Serves community and topic pages to anonymous visitors from the cache (see above)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ttl = _ttl()
        if not ttl or not _cacheable_request(request):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if match.view_name not in CACHED_VIEWS:
            return self.get_response(request)
        try:
            community_id = readable_community_id(request, match.view_name, match.kwargs)
        except (Http404, PermissionDenied, ValueError, KeyError, OverflowError):
            return self.get_response(request)  # the page itself says why
        try:
            key = _page_key(request, community_id)
            stored = cache.get(key)
        except Exception:
            # The cache is down: serve the page as if it did not exist.
            logger.warning("Page cache unreachable: serving uncached", exc_info=True)
            return self.get_response(request)
        if stored is not None:
            return self._serve(request, stored)
        response = self.get_response(request)
        if _storable(request, response):
            content = _with_placeholder(request, response.content.decode(response.charset))
            headers = {
                name: value
                for name, value in response.items()
                if name.lower() not in {"set-cookie", "content-length"}
            }
            try:
                cache.set(key, {"content": content, "headers": headers}, ttl)
            except Exception:
                logger.warning("Page cache unreachable: page not stored", exc_info=True)
        return response

    def _serve(self, request: HttpRequest, stored: dict[str, Any]) -> HttpResponse:
        content: str = stored["content"]
        if CSRF_PLACEHOLDER in content:
            content = content.replace(CSRF_PLACEHOLDER, get_token(request))
        response = HttpResponse(content)
        for name, value in stored["headers"].items():
            response[name] = value
        return response


# --- Versions: every committed write that can change what such a page shows ------------------


def _community_of(instance: Any) -> int | None:
    from cerchia.communities.models import Community
    from cerchia.discussions.models import Post, Reaction

    if isinstance(instance, Community):
        return int(instance.pk)
    if isinstance(instance, Reaction):
        post = Post.objects.filter(pk=instance.post_id).values_list("topic__community_id")
        row = post.first()
        return int(row[0]) if row else None
    if isinstance(instance, Post):
        return int(instance.topic.community_id) if instance.topic_id else None
    community_id = getattr(instance, "community_id", None)
    return int(community_id) if community_id else None


def _changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    from cerchia.accounts.models import User
    from cerchia.insights.models import Event

    if not _ttl():
        return
    if isinstance(instance, Event):
        if instance.kind not in QUIET_EVENTS:
            bump(instance.community_id)
        return
    if isinstance(instance, User):
        bump(None)
        return
    community_id = _community_of(instance)
    if community_id is not None:
        bump(community_id)


def connect() -> None:
    """Listen to the writes that change cached pages (called once, from the app's ready())."""
    from cerchia.accounts.models import User
    from cerchia.communities.models import Community, Membership
    from cerchia.discussions.models import Post, Reaction, Topic
    from cerchia.insights.models import Event

    for model in (Community, Membership, Topic, Post, Reaction, User, Event):
        post_save.connect(_changed, sender=model, dispatch_uid=f"page-cache-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"page-cache-del-{model.__name__}")
