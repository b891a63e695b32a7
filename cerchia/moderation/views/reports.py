"""Reporting pages: a short form to report a post, a topic or a member to the hosts.

Thin: the resolvers load what the URL names (404 for what one may not read), the
actions check and write. With htmx the form comes alone, for a dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cerchia.accounts.models import User
from cerchia.communities.forms import add_action_errors
from cerchia.communities.resolvers import MemberRequest, community_view
from cerchia.core.errors import ActionRefused
from cerchia.core.htmx import is_htmx
from cerchia.discussions.resolvers import (
    MemberPostRequest,
    MemberTopicRequest,
    post_view,
    topic_view,
)
from cerchia.discussions.views.topics import post_url, topic_url
from cerchia.moderation import permissions
from cerchia.moderation.actions import reports as actions
from cerchia.moderation.forms_queue import ReportForm


def _report(
    request: HttpRequest,
    *,
    check: Callable[[], None],
    file: Callable[[str, str], Any],
    back: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The form (GET), or the report filed (POST): back to the thing with a thank-you."""
    check()
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                file(form.cleaned_data["reason"], form.cleaned_data.get("note", ""))
            except ValidationError as error:
                add_action_errors(form, error)
            except ActionRefused as refusal:
                messages.info(request, refusal.message)
                return _done(request, back)
            else:
                messages.success(request, _("Thank you. The hosts will look at your report soon."))
                return _done(request, back)
        status = 422 if is_htmx(request) else 400
    context = {**context, "form": form, "back": back, "action_url": request.path}
    template = (
        "moderation/_partials/report_form.html" if is_htmx(request) else "moderation/report.html"
    )
    return render(request, template, context, status=status)


def _done(request: HttpRequest, back: str) -> HttpResponse:
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = back
        return response
    return redirect(back)


@require_http_methods(["GET", "POST"])
@post_view(login=True)
def report_post(request: MemberPostRequest) -> HttpResponse:
    """Report a post to the community's hosts."""
    post, user = request.post, request.user
    return _report(
        request,
        check=lambda: permissions.check_report_post(user, post),
        file=lambda reason, note: actions.report_post(user, post, reason=reason, note=note),
        back=post_url(request.topic, post.number),
        context={
            "community": request.community,
            "topic": request.topic,
            "post": post,
            "what": "post",
        },
    )


@require_http_methods(["GET", "POST"])
@topic_view(login=True)
def report_topic(request: MemberTopicRequest) -> HttpResponse:
    """Report a topic (its title and opening post) to the community's hosts."""
    topic, user = request.topic, request.user
    return _report(
        request,
        check=lambda: permissions.check_report_topic(user, topic),
        file=lambda reason, note: actions.report_topic(user, topic, reason=reason, note=note),
        back=topic_url(topic),
        context={"community": request.community, "topic": topic, "what": "topic"},
    )


@require_http_methods(["GET", "POST"])
@community_view("read", login=True)
def report_member(request: MemberRequest, user_id: int) -> HttpResponse:
    """Report a member of the community (their behaviour here) to its hosts."""
    community, user = request.community, request.user
    member = User.objects.filter(pk=user_id).first()
    if member is None:
        raise Http404(_("No such member."))
    return _report(
        request,
        check=lambda: permissions.check_report_member(user, community, member),
        file=lambda reason, note: actions.report_member(
            user, community, member, reason=reason, note=note
        ),
        back=reverse("communities:members", kwargs={"slug": community.slug}),
        context={"community": community, "member": member, "what": "member"},
    )


urlpatterns = [
    path("c/<slug:slug>/posts/<int:post_id>/report/", report_post, name="report_post"),
    path("c/<slug:slug>/t/<int:topic_id>/report/", report_topic, name="report_topic"),
    path("c/<slug:slug>/members/<int:user_id>/report/", report_member, name="report_member"),
]
