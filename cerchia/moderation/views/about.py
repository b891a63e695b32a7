"""The community's public about page: who runs it, its brand, affiliated members, rules,
and what its hosts can see about members."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from cerchia.communities.resolvers import CommunityRequest, community_view
from cerchia.moderation import queries_welcome


@require_GET
@community_view("view")
def about(request: CommunityRequest) -> HttpResponse:
    """Seen by whoever may see the community; who is here only by those who may read it."""
    community = request.community
    return render(
        request,
        "moderation/about.html",
        {
            "community": community,
            "flags": request.flags,
            "about": queries_welcome.get_about(request.user, community),
        },
    )


urlpatterns: list[URLPattern] = [
    path("c/<slug:slug>/about/", about, name="about"),
]
