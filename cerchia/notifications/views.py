"""Notification pages: the list, opening one, the badge, preferences and unsubscribing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cerchia.accounts.forms import apply_errors
from cerchia.accounts.models import User
from cerchia.core.htmx import is_htmx, render_page
from cerchia.core.pagination import InvalidCursor
from cerchia.notifications import actions, queries
from cerchia.notifications.emails import DIGEST, read_unsubscribe_token
from cerchia.notifications.forms import PreferencesForm
from cerchia.notifications.registry import REGISTRY


def _member(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@never_cache
@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """The member's notifications, newest first, unread ones marked; keyset pages."""
    member = _member(request)
    unread = request.GET.get("unread") == "1"
    cursor = request.GET.get("cursor") or None
    try:
        page = queries.list_notifications(member, cursor=cursor, unread=unread)
    except InvalidCursor:
        page = queries.list_notifications(member, unread=unread)
    next_url = ""
    if page.next_cursor:
        params = {"cursor": page.next_cursor, **({"unread": "1"} if unread else {})}
        next_url = f"{reverse('notifications:list')}?{urlencode(params)}"
    context: dict[str, Any] = {
        "page": page,
        "rows": page.items,
        "unread_only": unread,
        "next_url": next_url,
        "first_page": cursor is None,
    }
    return render_page(
        request,
        "notifications/list.html",
        context,
        partial="notifications/_partials/list.html",
    )


@never_cache
@login_required
@require_GET
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one notification read and go where it leads (404 if it is not yours)."""
    member = _member(request)
    notification = queries.get_notification(member, notification_id)
    actions.mark_read(member, notification)
    target = queries.notification_row(notification).url
    return redirect(target or "notifications:list")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    """Mark every notification read."""
    actions.mark_all_read(_member(request))
    if is_htmx(request):
        return notification_list_partial(request)
    messages.success(request, _("All your notifications are marked read."))
    return redirect("notifications:list")


def notification_list_partial(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    page = queries.list_notifications(member)
    return render(
        request,
        "notifications/_partials/list.html",
        {"page": page, "rows": page.items, "first_page": True},
    )


@never_cache
@login_required
@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    """The inside of the header's bell: refreshed by live updates."""
    count = queries.count_unread(_member(request))
    return render(request, "notifications/_partials/badge.html", {"count": count})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Which notifications come by email, the digest, and quiet hours."""
    member = _member(request)
    current = queries.get_preferences(member)
    form = PreferencesForm(request.POST if request.method == "POST" else None, preferences=current)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_preferences(
                member,
                email=form.email_choices(),
                digest=form.cleaned_data["digest"],
                quiet_start=form.cleaned_data["quiet_start"],
                quiet_end=form.cleaned_data["quiet_end"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your notification choices are saved."))
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "section": "notifications",
            "title": _("Notifications"),
            "member": member,
            "form": form,
            "preferences": current,
        },
        status=400 if form.errors else 200,
    )


@csrf_exempt  # the one-click POST comes from a mail client: the signed token is the proof
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: ask to confirm. POST (one click, no sign-in): stop that kind of email."""
    named = read_unsubscribe_token(token)
    if named is None:
        raise Http404(_("This unsubscribe link is not valid."))
    user_id, what = named
    user = User.objects.filter(pk=user_id, deleted_at__isnull=True).first()
    if user is None or (what != DIGEST and what not in REGISTRY):
        raise Http404(_("This unsubscribe link is not valid."))
    kind = REGISTRY.get(what)
    context = {
        "what": _("the digest") if what == DIGEST else (kind.label if kind else what),
        "token": token,
        "done": request.method == "POST",
    }
    if request.method == "POST":
        actions.unsubscribe(user, what)
    return render(request, "notifications/unsubscribe.html", context)
