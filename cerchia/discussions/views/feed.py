"""The signed-in home feed, bookmarks, @mention suggestions, image attachments,
"mark all read" and the community notification level.

Views parse the input, call a query or an action, and render. Rights are checked by
the community resolver and again by every action; what one may not read is a 404.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from cerchia.accounts.models import User
from cerchia.communities import queries as community_queries
from cerchia.communities.models import Community, Visibility
from cerchia.communities.permissions import check_read_community
from cerchia.communities.resolvers import CommunityRequest, MemberRequest, community_view
from cerchia.core.htmx import is_htmx, render_page
from cerchia.core.pagination import InvalidCursor
from cerchia.discussions import actions, permissions, queries
from cerchia.discussions.models import Attachment, NotificationLevel, Post, Topic
from cerchia.discussions.queries import FeedFilter, TopicRow

FEED_ROWS = "discussions/_partials/feed_rows.html"
BOOKMARK_ROWS = "discussions/_partials/bookmark_rows.html"
LEVEL_FORM = "discussions/_partials/community_level.html"
#: Public communities' images may sit in shared caches this long; others only in the browser.
PUBLIC_IMAGE_MAX_AGE = 3600
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_ALT_UNSAFE = re.compile(r"[\[\]()\\<>`*_!\r\n\t]+")


# --- Links -------------------------------------------------------------------------------


def topic_url(topic: Topic, number: int | None = None) -> str:
    """The topic page, at post ``number`` (its page and anchor) when given."""
    base = reverse("discussions:topic", kwargs={"slug": topic.community.slug, "topic_id": topic.pk})
    if number is None or number <= 1:
        return base
    page = queries.page_for_number(number)
    query = f"?page={page}" if page > 1 else ""
    return f"{base}{query}#post-{number}"


def post_url(post: Post) -> str:
    """The permanent link to a post: its page of the topic, at its anchor."""
    return topic_url(post.topic, post.number) if post.number > 1 else topic_url(post.topic)


def bookmark_url(post: Post) -> str:
    """Where the bookmark toggle for ``post`` is posted."""
    return reverse(
        "discussions:bookmark", kwargs={"slug": post.topic.community.slug, "post_id": post.pk}
    )


def attachment_name(attachment: Attachment) -> str:
    """The file name an attachment is served under: its stored name, made safe."""
    name = _UNSAFE_NAME.sub("-", PurePosixPath(str(attachment.image.name)).name).strip(".-")
    return name or "image"


def attachment_url(attachment: Attachment) -> str:
    """The site-relative URL that serves ``attachment`` to those who may read it."""
    return reverse(
        "discussions:attachment",
        kwargs={"attachment_id": attachment.pk, "name": attachment_name(attachment)},
    )


def attachment_markdown(attachment: Attachment, alt: str = "") -> str:
    """``![alt](url)``: what the composer inserts for an uploaded image."""
    text = _ALT_UNSAFE.sub(" ", alt)
    text = " ".join(text.split())[:80] or _("image")
    return f"![{text}]({attachment_url(attachment)})"


def _community_url(community: Community) -> str:
    return reverse("communities:detail", kwargs={"slug": community.slug})


def _next_url(request: HttpRequest, default: str) -> str:
    """The local page named in ``next``, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _cursor(request: HttpRequest) -> str | None:
    return request.GET.get("cursor") or None


# --- Home feed ---------------------------------------------------------------------------


@dataclass
class FeedItem:
    """A feed row with its link: the first unread post of an unread topic."""

    row: TopicRow
    href: str
    first_unread: int | None


def _feed_items(rows: list[TopicRow]) -> list[FeedItem]:
    items = []
    for row in rows:
        first_unread = None
        if row.unread and row.unread_count and not row.is_new:
            first_unread = max(1, row.topic.last_post_number - row.unread_count + 1)
        items.append(
            FeedItem(row=row, href=topic_url(row.topic, first_unread), first_unread=first_unread)
        )
    return items


def _load_feed(user: User, current: str, cursor: str | None) -> tuple[list[TopicRow], str | None]:
    """A page of the feed; a cursor that does not decode or fit gives the first page."""
    try:
        return queries.list_feed(user, filter=current, cursor=cursor)
    except (InvalidCursor, ValidationError, ValueError, TypeError, OverflowError):
        return queries.list_feed(user, filter=current)


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    """Latest activity across the member's communities, newest first; never ranked."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user: User = request.user
    current = request.GET.get("filter", FeedFilter.ALL)
    if current not in FeedFilter.CHOICES:
        current = FeedFilter.ALL
    cursor = _cursor(request)
    rows, next_cursor = _load_feed(user, current, cursor)
    context: dict[str, Any] = {
        "items": _feed_items(rows),
        "filter": current,
        "filters": [
            (FeedFilter.ALL, _("Everything")),
            (FeedFilter.UNREAD, _("Unread")),
            (FeedFilter.UNANSWERED, _("Unanswered questions")),
            (FeedFilter.MINE, _("My topics")),
        ],
        "next_cursor": next_cursor,
        "is_later_page": bool(cursor),
    }
    if not is_htmx(request):
        memberships = [] if user.suspended_at else community_queries.list_my_memberships(user)
        unread = queries.count_unread_by_community(user) if memberships else {}
        context["communities"] = [
            (membership.community, unread.get(membership.community_id, 0))
            for membership in memberships
        ]
    return render_page(request, "discussions/feed.html", context, partial=FEED_ROWS)


# --- Bookmarks ---------------------------------------------------------------------------


@require_GET
def bookmarks(request: HttpRequest) -> HttpResponse:
    """The member's bookmarks they may still read, newest first, each with a remove button."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    cursor = _cursor(request)
    try:
        page = queries.list_bookmarks(request.user, cursor=cursor)
    except (InvalidCursor, ValidationError, ValueError, TypeError, OverflowError):
        page = queries.list_bookmarks(request.user)
    items = [
        {
            "bookmark": bookmark,
            "post": bookmark.post,
            "href": post_url(bookmark.post),
            "remove_url": bookmark_url(bookmark.post),
        }
        for bookmark in page.items
    ]
    context = {
        "items": items,
        "next_cursor": page.next_cursor,
        "is_later_page": bool(cursor),
    }
    return render_page(request, "discussions/bookmarks.html", context, partial=BOOKMARK_ROWS)


# --- @mentions ---------------------------------------------------------------------------


def _avatar_url(person: User) -> str:
    if not person.avatar:
        return ""
    try:
        return str(person.avatar.url)
    except ValueError:
        return ""


@require_GET
@community_view("read")
def mention_candidates(request: CommunityRequest) -> JsonResponse:
    """Members whose handle or name starts with ``q``; none for those who may not post."""
    people = queries.list_mention_candidates(
        request.user, request.community, request.GET.get("q", "")
    )
    response = JsonResponse(
        [
            {"handle": person.handle, "name": person.name, "avatar_url": _avatar_url(person)}
            for person in people
        ],
        safe=False,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- Reading state and notification level -----------------------------------------------


@require_POST
@community_view("read", login=True)
def mark_all_read(request: MemberRequest) -> HttpResponse:
    """Count every topic of the community as read; back to the page the member came from."""
    community = request.community
    actions.mark_all_read(request.user, community)
    message = _("Everything in %(name)s is marked as read.") % {"name": community.name}
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Trigger"] = json.dumps(
            {
                "toast": {"message": message, "level": "success"},
                "cerchia:marked-read": {"community": community.slug},
            }
        )
        return response
    messages.success(request, message)
    return redirect(_next_url(request, _community_url(community)))


def _level_context(
    request: HttpRequest, community: Community, level: str, error: str = ""
) -> dict[str, Any]:
    return {
        "community": community,
        "level": level,
        "level_error": error,
        "next": _next_url(request, ""),
    }


@require_POST
@community_view("read", login=True)
def community_level(request: MemberRequest) -> HttpResponse:
    """Watch, track or mute the whole community."""
    community = request.community
    level = request.POST.get("level", "")
    try:
        actions.set_community_notification_level(request.user, community, level)
    except ValidationError as error:
        context = _level_context(
            request,
            community,
            queries.community_notification_level(request.user, community),
            " ".join(error.messages),
        )
        return render_page(
            request, "discussions/community_level.html", context, partial=LEVEL_FORM, status=400
        )
    messages.success(
        request,
        _("Notifications for %(name)s: %(level)s")
        % {"name": community.name, "level": NotificationLevel(level).label},
    )
    if is_htmx(request):
        context = _level_context(request, community, level)
        context["oob_messages"] = True
        return render_page(request, "discussions/community_level.html", context, partial=LEVEL_FORM)
    return redirect(_next_url(request, _community_url(community)))


# --- Attachments -------------------------------------------------------------------------


def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_POST
@community_view("read", login=True)
def upload_attachment(request: MemberRequest) -> JsonResponse:
    """An image for a post: JSON ``{id, url, markdown}``, or ``{error}`` with a 4xx."""
    uploaded = request.FILES.get("image") or request.FILES.get("file")
    if uploaded is None:
        return _json_error(_("Choose an image to upload."), 400)
    try:
        attachment = actions.upload_attachment(request.user, request.community, uploaded)
    except PermissionDenied as error:
        return _json_error(str(error) or _("You are not allowed to do this."), 403)
    except ValidationError as error:
        return _json_error(" ".join(error.messages), 400)
    alt = request.POST.get("alt") or PurePosixPath(uploaded.name or "").stem
    return JsonResponse(
        {
            "id": attachment.pk,
            "url": attachment_url(attachment),
            "markdown": attachment_markdown(attachment, alt),
            "width": attachment.width,
            "height": attachment.height,
        },
        status=201,
    )


def _readable_attachment(actor: Any, attachment_id: int) -> Attachment:
    """The attachment if the actor may read where it is used, else Http404.

    In a post: whoever may read the post (a deleted post's images only its hosts).
    Not yet in a post: only its uploader, while they may still read the community."""
    attachment = (
        Attachment.objects.select_related(
            "community", "post", "post__topic", "post__topic__community"
        )
        .filter(pk=attachment_id)
        .first()
    )
    if attachment is None:
        raise Http404(_("No such image."))
    try:
        if attachment.post is not None:
            permissions.check_read_post(actor, attachment.post)
        else:
            if not actor.is_authenticated or attachment.uploaded_by_id != actor.pk:
                raise Http404(_("No such image."))
            check_read_community(actor, attachment.community)
    except PermissionDenied as error:
        raise Http404(_("No such image.")) from error
    return attachment


def _is_public(attachment: Attachment) -> bool:
    post = attachment.post
    return (
        post is not None
        and post.topic.community.visibility == Visibility.PUBLIC
        and not post.topic.restricted
        and post.deleted_at is None
        and post.topic.deleted_at is None
    )


@require_safe
def attachment(request: HttpRequest, attachment_id: int, name: str) -> FileResponse:
    """An attached image, only to those who may read it, never rendered as a document."""
    item = _readable_attachment(request.user, attachment_id)
    if name != attachment_name(item):
        raise Http404(_("No such image."))
    try:
        handle = item.image.open("rb")
    except OSError as error:
        raise Http404(_("No such image.")) from error
    response = FileResponse(handle, content_type=item.content_type)
    response["Content-Disposition"] = f'inline; filename="{attachment_name(item)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if _is_public(item):
        patch_cache_control(response, public=True, max_age=PUBLIC_IMAGE_MAX_AGE)
    else:
        patch_cache_control(response, private=True, max_age=PUBLIC_IMAGE_MAX_AGE)
    return response


urlpatterns: list[URLPattern] = [
    path("feed/", feed, name="feed"),
    path("bookmarks/", bookmarks, name="bookmarks"),
    path("c/<slug:slug>/mentions/", mention_candidates, name="mention_candidates"),
    path("c/<slug:slug>/read-all/", mark_all_read, name="mark_all_read"),
    path("c/<slug:slug>/notifications/", community_level, name="community_level"),
    path("c/<slug:slug>/attachments/", upload_attachment, name="upload_attachment"),
    path("attachments/<int:attachment_id>/<str:name>", attachment, name="attachment"),
]
