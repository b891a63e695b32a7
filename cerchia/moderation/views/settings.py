"""The hosts' moderation settings page: pre-moderation and the community's content rules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cerchia.communities.forms import add_action_errors
from cerchia.communities.resolvers import MemberRequest, community_view
from cerchia.moderation import queries_screen
from cerchia.moderation.actions import settings as actions
from cerchia.moderation.forms import ModerationSettingsForm, RuleForm


def _context(request: MemberRequest, **extra: Any) -> dict[str, Any]:
    community = request.community
    return {
        "community": community,
        "flags": request.flags,
        "section": "settings",
        "rules": queries_screen.list_rules(request.user, community),
        **extra,
    }


@require_http_methods(["GET", "POST"])
@community_view("manage", login=True)
def moderation_settings(request: MemberRequest) -> HttpResponse:
    """Pre-moderation, disclosure, public log, newcomer windows; the rules list below."""
    community = request.community
    settings = queries_screen.get_moderation_settings(request.user, community)
    if request.method == "POST":
        form = ModerationSettingsForm(request.POST)
        if form.is_valid():
            try:
                actions.update_moderation_settings(request.user, community, **form.action_kwargs())
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("Moderation settings saved."))
                return redirect("moderation:settings", slug=community.slug)
        context = _context(request, form=form, rule_form=RuleForm())
        return render(request, "moderation/settings.html", context, status=400)
    form = ModerationSettingsForm(initial=ModerationSettingsForm.initial_for(settings))
    context = _context(request, form=form, rule_form=RuleForm())
    return render(request, "moderation/settings.html", context)


@require_POST
@community_view("manage", login=True)
def add_rule(request: MemberRequest) -> HttpResponse:
    """Add a keyword or domain rule; errors show on the settings page."""
    community = request.community
    rule_form = RuleForm(request.POST)
    if rule_form.is_valid():
        try:
            actions.add_rule(request.user, community, **rule_form.action_kwargs())
        except ValidationError as error:
            add_action_errors(rule_form, error)
        else:
            messages.success(request, _("Rule added."))
            return redirect("moderation:settings", slug=community.slug)
    settings = queries_screen.get_moderation_settings(request.user, community)
    form = ModerationSettingsForm(initial=ModerationSettingsForm.initial_for(settings))
    context = _context(request, form=form, rule_form=rule_form)
    return render(request, "moderation/settings.html", context, status=400)


@require_POST
@community_view("manage", login=True)
def delete_rule(request: MemberRequest, rule_id: int) -> HttpResponse:
    """Remove a rule."""
    rule = queries_screen.get_rule(request.user, request.community, rule_id)
    actions.delete_rule(request.user, rule)
    messages.success(request, _("Rule removed."))
    return redirect("moderation:settings", slug=request.community.slug)


urlpatterns = [
    path("c/<slug:slug>/moderation/settings/", moderation_settings, name="settings"),
    path("c/<slug:slug>/moderation/rules/", add_rule, name="add_rule"),
    path("c/<slug:slug>/moderation/rules/<int:rule_id>/delete/", delete_rule, name="delete_rule"),
]
