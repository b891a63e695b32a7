"""The welcome pages: the hosts' welcome settings and welcomers, the newcomers page for
hosts and welcomers, and closing the welcome panel."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cerchia.communities.forms import add_action_errors
from cerchia.communities.resolvers import MemberRequest, community_view
from cerchia.core.htmx import is_htmx
from cerchia.moderation import permissions, queries_welcome
from cerchia.moderation.actions import welcome as actions
from cerchia.moderation.forms_welcome import WelcomeForm, WelcomerForm


def _welcome_url(request: MemberRequest) -> str:
    return reverse("moderation:welcome", kwargs={"slug": request.community.slug})


def _settings_page(
    request: MemberRequest,
    *,
    form: WelcomeForm | None = None,
    welcomer_form: WelcomerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    community = request.community
    loaded = queries_welcome.get_welcome_settings(request.user, community)
    context: dict[str, Any] = {
        "community": community,
        "flags": request.flags,
        "section": "welcome",
        "form": form
        or WelcomeForm(
            initial=WelcomeForm.initial_for(loaded.settings), topics=loaded.topic_choices
        ),
        "welcomer_form": welcomer_form or WelcomerForm(),
        "welcomers": loaded.welcomers,
        "open_alerts": queries_welcome.count_open_alerts(community),
    }
    return render(request, "moderation/welcome.html", context, status=status)


@require_http_methods(["GET", "POST"])
@community_view("manage", login=True)
def welcome(request: MemberRequest) -> HttpResponse:
    """Edit the welcome message, the introductions topic and the unanswered hours."""
    community = request.community
    if request.method != "POST":
        return _settings_page(request)
    loaded = queries_welcome.get_welcome_settings(request.user, community)
    form = WelcomeForm(request.POST, topics=loaded.topic_choices)
    if form.is_valid():
        try:
            actions.update_welcome(request.user, community, **form.action_kwargs())
        except ValidationError as error:
            add_action_errors(form, error, {"introductions_topic_id": "introductions_topic"})
        else:
            messages.success(request, _("The welcome is saved."))
            return redirect(_welcome_url(request))
    return _settings_page(request, form=form, status=400)


@require_POST
@community_view("manage", login=True)
def add_welcomer(request: MemberRequest) -> HttpResponse:
    """Put a member on the welcomers' rota."""
    form = WelcomerForm(request.POST)
    if form.is_valid():
        handle = form.cleaned_data["handle"]
        try:
            actions.add_welcomer(request.user, request.community, handle)
        except ValidationError as error:
            add_action_errors(form, error, {"handles": "handle"})
        else:
            messages.success(request, _("@%(handle)s is now a welcomer.") % {"handle": handle})
            return redirect(_welcome_url(request))
    return _settings_page(request, welcomer_form=form, status=400)


@require_POST
@community_view("manage", login=True)
def remove_welcomer(request: MemberRequest, handle: str) -> HttpResponse:
    """Take a member off the welcomers' rota."""
    actions.remove_welcomer(request.user, request.community, handle)
    messages.success(request, _("@%(handle)s is no longer a welcomer.") % {"handle": handle})
    return redirect(_welcome_url(request))


@require_GET
@community_view("read", login=True)
def newcomers(request: MemberRequest) -> HttpResponse:
    """Newcomers' first posts and their unanswered topics, for hosts and welcomers."""
    community = request.community
    return render(
        request,
        "moderation/newcomers.html",
        {
            "community": community,
            "flags": request.flags,
            "newcomers": queries_welcome.get_newcomers(request.user, community),
            "can_manage_welcome": permissions.can_manage_welcome(request.user, community),
        },
    )


@require_POST
@community_view("read", login=True)
def dismiss_welcome(request: MemberRequest) -> HttpResponse:
    """Close the welcome panel; htmx removes it in place, otherwise back to the community."""
    community = request.community
    actions.dismiss_welcome(request.user, community)
    if is_htmx(request):
        return HttpResponse("")
    return redirect("communities:detail", slug=community.slug)


urlpatterns: list[URLPattern] = [
    path("c/<slug:slug>/moderation/welcome/", welcome, name="welcome"),
    path("c/<slug:slug>/moderation/welcome/welcomers/", add_welcomer, name="add_welcomer"),
    path(
        "c/<slug:slug>/moderation/welcome/welcomers/<str:handle>/remove/",
        remove_welcomer,
        name="remove_welcomer",
    ),
    path("c/<slug:slug>/newcomers/", newcomers, name="newcomers"),
    path("c/<slug:slug>/welcome/dismiss/", dismiss_welcome, name="dismiss_welcome"),
]
