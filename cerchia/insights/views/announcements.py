"""Insights pages: announcements. Hosts list, write, schedule, reschedule and cancel them;
every member can withdraw marketing-email consent from an announcement email in one click."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from cerchia.accounts.actions import update_consents
from cerchia.accounts.models import User
from cerchia.communities.forms import add_action_errors
from cerchia.communities.resolvers import MemberRequest, community_view
from cerchia.core.markdown import render_markdown
from cerchia.core.pagination import InvalidCursor
from cerchia.insights import actions_announcements as actions
from cerchia.insights import queries_announcements as queries
from cerchia.insights.forms_announcements import (
    AnnouncementForm,
    RescheduleForm,
    community_zone,
)
from cerchia.insights.models import Announcement
from cerchia.insights.notifications_announcements import read_unsubscribe_token
from cerchia.insights.permissions import check_send_announcement

TEMPLATES = "insights/announcements"


def _detail_url(request: MemberRequest, announcement: Announcement) -> str:
    return reverse(
        "insights:announcement",
        kwargs={"slug": request.community.slug, "announcement_id": announcement.pk},
    )


def _base_context(request: MemberRequest) -> dict[str, Any]:
    return {
        "community": request.community,
        "flags": request.flags,
        "zone": community_zone(request.community),
    }


@never_cache
@require_http_methods(["GET"])
@community_view("manage", login=True)
def announcement_list(request: MemberRequest) -> HttpResponse:
    """The community's announcements: status, audience, time, recipients and emails."""
    cursor = request.GET.get("cursor") or None
    try:
        page = queries.list_announcements(request.user, request.community, cursor=cursor)
    except InvalidCursor:
        page = queries.list_announcements(request.user, request.community)
    return render(
        request,
        f"{TEMPLATES}/list.html",
        {**_base_context(request), "page": page, "announcements": page.items},
    )


def _new_page(request: MemberRequest, form: AnnouncementForm, status: int = 200) -> HttpResponse:
    preview = ""
    if request.method == "POST" and "preview" in request.POST:
        # Sanitised by the renderer: nothing a host writes can run script.
        preview = mark_safe(render_markdown(request.POST.get("body", "")))  # noqa: S308
    return render(
        request,
        f"{TEMPLATES}/new.html",
        {**_base_context(request), "form": form, "preview": preview},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@community_view("manage", login=True)
def announcement_new(request: MemberRequest) -> HttpResponse:
    """Write an announcement: to everyone or a segment, by email with consent, now or later.
    "Preview" shows the rendered message without sending."""
    community = request.community
    segments = queries.list_segment_choices(community)
    check_send_announcement(request.user, community)
    if request.method != "POST":
        return _new_page(request, AnnouncementForm(community=community, segments=segments))
    form = AnnouncementForm(request.POST, community=community, segments=segments)
    if "preview" in request.POST:
        form.is_valid()
        return _new_page(request, form)
    if form.is_valid():
        try:
            announcement = actions.create_announcement(
                request.user, community, **form.action_kwargs()
            )
        except ValidationError as error:
            add_action_errors(form, error, {"segment": "audience"})
        else:
            if announcement.status == Announcement.Status.SENT:
                messages.success(request, _("The announcement is sent."))
            elif announcement.status == Announcement.Status.SCHEDULED:
                messages.success(request, _("The announcement is scheduled."))
            else:
                messages.warning(request, _("The announcement could not be sent."))
            return redirect(_detail_url(request, announcement))
    return _new_page(request, form, status=400)


def _detail_page(
    request: MemberRequest,
    announcement: Announcement,
    *,
    form: RescheduleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    zone = community_zone(request.community)
    initial = {"send_at": announcement.send_at.astimezone(zone).replace(tzinfo=None)}
    return render(
        request,
        f"{TEMPLATES}/detail.html",
        {
            **_base_context(request),
            "announcement": announcement,
            "body_html": mark_safe(render_markdown(announcement.body)),  # noqa: S308
            "reschedule_form": form or RescheduleForm(initial=initial, community=request.community),
            "is_scheduled": announcement.status == Announcement.Status.SCHEDULED,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET"])
@community_view("manage", login=True)
def announcement_detail(request: MemberRequest, announcement_id: int) -> HttpResponse:
    """One announcement: its audience, counts, topic, and for a scheduled one its controls."""
    announcement = queries.get_announcement(request.user, request.community, announcement_id)
    return _detail_page(request, announcement)


@require_POST
@community_view("manage", login=True)
def announcement_reschedule(request: MemberRequest, announcement_id: int) -> HttpResponse:
    """Move a scheduled announcement to another time."""
    announcement = queries.get_announcement(request.user, request.community, announcement_id)
    form = RescheduleForm(request.POST, community=request.community)
    if form.is_valid():
        try:
            actions.reschedule_announcement(
                request.user, announcement, form.cleaned_data["send_at"]
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("The announcement is rescheduled."))
            return redirect(_detail_url(request, announcement))
    return _detail_page(request, announcement, form=form, status=400)


@require_POST
@community_view("manage", login=True)
def announcement_cancel(request: MemberRequest, announcement_id: int) -> HttpResponse:
    """Cancel a scheduled announcement."""
    announcement = queries.get_announcement(request.user, request.community, announcement_id)
    try:
        actions.cancel_announcement(request.user, announcement)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The announcement is cancelled."))
    return redirect(_detail_url(request, announcement))


@csrf_exempt  # the one-click POST comes from a mail client: the signed token is the proof
@never_cache
@require_http_methods(["GET", "POST"])
def marketing_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: ask to confirm. POST (one click, no sign-in): withdraw marketing-email consent,
    recorded in the member's consent history."""
    user_id = read_unsubscribe_token(token)
    user = (
        User.objects.filter(pk=user_id, deleted_at__isnull=True).first()
        if user_id is not None
        else None
    )
    if user is None:
        raise Http404(_("This unsubscribe link is not valid."))
    done = request.method == "POST"
    if done:
        update_consents(user, user, marketing=False)
    return render(
        request,
        f"{TEMPLATES}/unsubscribe.html",
        {"token": token, "done": done},
    )


urlpatterns: list[URLPattern] = [
    path("c/<slug:slug>/insights/announcements/", announcement_list, name="announcements"),
    path(
        "c/<slug:slug>/insights/announcements/new/",
        announcement_new,
        name="announcement_new",
    ),
    path(
        "c/<slug:slug>/insights/announcements/<int:announcement_id>/",
        announcement_detail,
        name="announcement",
    ),
    path(
        "c/<slug:slug>/insights/announcements/<int:announcement_id>/reschedule/",
        announcement_reschedule,
        name="announcement_reschedule",
    ),
    path(
        "c/<slug:slug>/insights/announcements/<int:announcement_id>/cancel/",
        announcement_cancel,
        name="announcement_cancel",
    ),
    path(
        "email/marketing/unsubscribe/<str:token>/",
        marketing_unsubscribe,
        name="marketing_unsubscribe",
    ),
]
