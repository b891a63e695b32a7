"""The hosts' trust-levels page: thresholds and limits per level, members per level."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cerchia.communities.forms import add_action_errors
from cerchia.communities.models import TrustLevel
from cerchia.communities.resolvers import MemberRequest, community_view
from cerchia.moderation import queries_screen
from cerchia.moderation.actions import trust as actions
from cerchia.moderation.forms import MemberTrustForm, TrustSettingsForm


def _context(request: MemberRequest, **extra: Any) -> dict[str, Any]:
    community = request.community
    counts = queries_screen.level_counts(request.user, community)
    return {
        "community": community,
        "flags": request.flags,
        "section": "trust",
        "level_counts": [(TrustLevel(level).label, n) for level, n in counts.items()],
        **extra,
    }


def _settings_form(request: MemberRequest) -> TrustSettingsForm:
    settings = queries_screen.get_moderation_settings(request.user, request.community)
    return TrustSettingsForm(initial=TrustSettingsForm.initial_for(settings))


@require_http_methods(["GET", "POST"])
@community_view("manage", login=True)
def trust_levels(request: MemberRequest) -> HttpResponse:
    """Tune what each level needs and the newer levels' limits."""
    community = request.community
    if request.method == "POST":
        form = TrustSettingsForm(request.POST)
        if form.is_valid():
            try:
                actions.update_trust_settings(request.user, community, **form.action_kwargs())
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("Trust levels saved."))
                return redirect("moderation:trust", slug=community.slug)
        context = _context(request, form=form, member_form=MemberTrustForm())
        return render(request, "moderation/trust.html", context, status=400)
    context = _context(request, form=_settings_form(request), member_form=MemberTrustForm())
    return render(request, "moderation/trust.html", context)


@require_POST
@community_view("manage", login=True)
def set_member_level(request: MemberRequest) -> HttpResponse:
    """Set one member's level by hand."""
    community = request.community
    member_form = MemberTrustForm(request.POST)
    if member_form.is_valid():
        try:
            membership = queries_screen.get_member(
                request.user, community, member_form.cleaned_data["handle"]
            )
            actions.set_trust_level(
                request.user, community, membership.user, member_form.cleaned_data["level"]
            )
        except Http404:
            member_form.add_error("handle", _("No member of this community has this handle."))
        except ValidationError as error:
            add_action_errors(member_form, error)
        else:
            messages.success(
                request,
                _("%(name)s is now at level “%(level)s”.")
                % {
                    "name": membership.user.name,
                    "level": TrustLevel(member_form.cleaned_data["level"]).label,
                },
            )
            return redirect("moderation:trust", slug=community.slug)
    context = _context(request, form=_settings_form(request), member_form=member_form)
    return render(request, "moderation/trust.html", context, status=400)


urlpatterns = [
    path("c/<slug:slug>/moderation/trust/", trust_levels, name="trust"),
    path("c/<slug:slug>/moderation/trust/member/", set_member_level, name="set_member_level"),
]
