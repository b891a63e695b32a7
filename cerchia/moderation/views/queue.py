"""The review queue: reports grouped by what they are about, and posts awaiting approval.

Hosts (and site admins) only: the queries and actions check, the resolvers turn a
refusal into the 403 page and what one may not see into a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cerchia.communities.resolvers import MemberRequest, community_view
from cerchia.core.errors import ActionRefused
from cerchia.discussions.resolvers import MemberPostRequest, post_view
from cerchia.discussions.views.topics import post_url
from cerchia.moderation import queries_queue
from cerchia.moderation.actions import held as held_actions
from cerchia.moderation.actions import review
from cerchia.moderation.forms_queue import HeldDecisionForm, HideForm, ReportActionForm
from cerchia.moderation.models import HoldReason


def queue_url(community_slug: str, page: int = 1, *, held: bool = False) -> str:
    url = reverse(
        "moderation:held" if held else "moderation:queue", kwargs={"slug": community_slug}
    )
    return f"{url}?page={page}" if page > 1 else url


def _back(request: HttpRequest, default: str) -> str:
    """``next`` when it is a page of this site, else ``default``."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _context(
    request: MemberRequest, tab: str, page: queries_queue.QueuePage[Any], **extra: Any
) -> dict[str, Any]:
    slug, held = request.community.slug, tab == "held"
    return {
        "community": request.community,
        "flags": request.flags,
        "section": "queue",
        "tab": tab,
        "page": page,
        "prev_url": queue_url(slug, page.prev_page, held=held) if page.prev_page else "",
        "next_url": queue_url(slug, page.next_page, held=held) if page.next_page else "",
        **extra,
    }


@require_GET
@community_view("read", login=True)
def queue(request: MemberRequest) -> HttpResponse:
    """Open reports, grouped by the post, topic or member they are about; oldest first."""
    community = request.community
    page = queries_queue.list_report_groups(
        request.user, community, queries_queue.clean_page(request.GET.get("page"))
    )
    return render(request, "moderation/queue.html", _context(request, "reports", page=page))


@require_GET
@community_view("read", login=True)
def held(request: MemberRequest) -> HttpResponse:
    """Posts waiting for approval (pre-moderation, rules, newcomer limits, cross-posting)."""
    community = request.community
    page = queries_queue.list_held_posts(
        request.user, community, queries_queue.clean_page(request.GET.get("page"))
    )
    context = _context(request, "held", page=page, reasons=dict(HoldReason.choices))
    return render(request, "moderation/queue_held.html", context)


def _report_message(action: str) -> str:
    return {
        "dismiss": _("Report dismissed; the reporters are told no action was needed."),
        "hide": _("Post hidden; the reporters are told their report was reviewed."),
        "delete": _("Deleted; the reporters are told their report was reviewed."),
        "lock": _("Topic locked; the reporters are told their report was reviewed."),
    }[action]


@require_POST
@community_view("read", login=True)
def report_action(request: MemberRequest, report_id: int) -> HttpResponse:
    """Dismiss a report, or hide, delete or lock what it is about; closes the thing's reports."""
    community = request.community
    report = queries_queue.get_report(request.user, community, report_id)
    back = _back(request, queue_url(community.slug))
    form = ReportActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the report."))
        return redirect(back)
    action = form.cleaned_data["action"]
    try:
        if action == "dismiss":
            review.dismiss_report(request.user, report, note=form.cleaned_data.get("note", ""))
        else:
            review.resolve_report(request.user, report, action)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(back)
    messages.success(request, _report_message(action))
    return redirect(back)


@require_POST
@community_view("read", login=True)
def held_action(request: MemberRequest, held_id: int) -> HttpResponse:
    """Approve (publish as its author, with its notifications) or reject a held post."""
    community = request.community
    held_post = queries_queue.get_held_post(request.user, community, held_id)
    back = _back(request, queue_url(community.slug, held=True))
    form = HeldDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or reject the post."))
        return redirect(back)
    try:
        if form.cleaned_data["decision"] == "approve":
            held_actions.approve_held_post(request.user, held_post)
            messages.success(request, _("Approved and published; the author is told."))
        else:
            held_actions.reject_held_post(
                request.user, held_post, note=form.cleaned_data.get("note", "")
            )
            messages.success(request, _("Rejected; the author is told."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    return redirect(back)


@require_POST
@post_view(login=True)
def hide_post(request: MemberPostRequest) -> HttpResponse:
    """Hide a post (collapsed for all but its author and the hosts) or show it again."""
    post = request.post
    form = HideForm(request.POST)
    back = _back(request, post_url(request.topic, post.number))
    if not form.is_valid():
        messages.error(request, _("Choose to hide the post or show it again."))
        return redirect(back)
    if form.cleaned_data["action"] == "hide":
        review.hide_post(request.user, post)
        messages.success(request, _("Post hidden from everyone but its author and the hosts."))
    else:
        review.unhide_post(request.user, post)
        messages.success(request, _("Post shown again."))
    return redirect(back)


urlpatterns = [
    path("c/<slug:slug>/moderation/", queue, name="queue"),
    path("c/<slug:slug>/moderation/held/", held, name="held"),
    path("c/<slug:slug>/moderation/reports/<int:report_id>/", report_action, name="report_action"),
    path("c/<slug:slug>/moderation/held/<int:held_id>/", held_action, name="held_action"),
    path("c/<slug:slug>/moderation/posts/<int:post_id>/hide/", hide_post, name="hide_post"),
]
