"""The moderation log: the hosts' full log, and the optional public, anonymised one."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from cerchia.communities import queries as community_queries
from cerchia.communities.models import Community
from cerchia.communities.permissions import community_flags
from cerchia.communities.resolvers import refusals_as_403
from cerchia.moderation import queries_sanctions as queries
from cerchia.moderation.forms_sanctions import LogFilterForm
from cerchia.moderation.views.sanctions import moderation_view


@require_GET
@moderation_view
def host_log(request: HttpRequest, community: Community) -> HttpResponse:
    form = LogFilterForm(request.GET)
    action, page = "", 1
    if form.is_valid():
        action = form.cleaned_data["action"] or ""
        page = form.cleaned_data["page"] or 1
    entries = queries.host_log(request.user, community, action=action, page=page)
    entries.object_list = list(entries.object_list)
    for entry in entries.object_list:
        entry.step_label = queries.STEP_LABELS.get(entry.detail, "")  # type: ignore[attr-defined]
    context = {
        "community": community,
        "flags": request.flags,  # type: ignore[attr-defined]
        "form": form,
        "action": action,
        "page": entries,
        "section": "log",
    }
    return render(request, "moderation/log.html", context)


@require_GET
@refusals_as_403
def public_log(request: HttpRequest, slug: str) -> HttpResponse:
    community = community_queries.get_community(request.user, slug)
    form = LogFilterForm(request.GET)
    page = form.cleaned_data["page"] or 1 if form.is_valid() else 1
    current, items = queries.public_log(request.user, community, page=page)
    context = {
        "community": community,
        "flags": community_flags(request.user, community),
        "page": current,
        "items": items,
    }
    return render(request, "moderation/log_public.html", context)


urlpatterns = [
    path("c/<slug:slug>/moderation/log/", host_log, name="log"),
    path("c/<slug:slug>/moderation-log/", public_log, name="public_log"),
]
