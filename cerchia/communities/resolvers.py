"""Resolve the community in a URL once, at the edge, before a view body runs.

``@community_view("read")`` loads the community at ``<slug>``, answers 404 to
whoever may not see (or read) it, attaches ``request.community`` and
``request.flags`` (every ``can_*`` the page needs), and turns a
``PermissionDenied`` raised anywhere below into a 403 page that says why.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, Literal

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from cerchia.communities import permissions, queries
from cerchia.communities.models import Community
from cerchia.communities.permissions import CommunityFlags

if TYPE_CHECKING:
    from cerchia.accounts.models import User

Need = Literal["view", "read", "manage", "manage_roles"]
View = Callable[..., HttpResponse]


class CommunityRequest(HttpRequest):
    """The request a community view receives (for type checkers)."""

    community: Community
    flags: CommunityFlags


class MemberRequest(CommunityRequest):
    """A community request from a signed-in person (views resolved with ``login=True``)."""

    user: User


def forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    """The 403 page, with the refusal's own message."""
    message = str(error) or _("You are not allowed to do this.")
    return render(request, "communities/forbidden.html", {"message": message}, status=403)


def refusals_as_403(view: View) -> View:
    """Show ``PermissionDenied`` from the view (or the actions it calls) as a friendly 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as error:
            return forbidden(request, error)

    return wrapper


def sign_in_first(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Send an anonymous visitor to sign in, then back to the page (after a POST, the community)."""
    if request.method == "GET" or slug is None:
        target = request.get_full_path()
    else:
        target = reverse("communities:detail", kwargs={"slug": slug})
    return redirect_to_login(target)


def community_view(need: Need = "view", *, login: bool = False) -> Callable[[View], View]:
    """Resolve ``slug`` to ``request.community`` if the actor may ``need`` it; attach the flags.

    ``view``: the front page (hidden communities 404 to outsiders); ``read``: the content
    (private ones 404 to non-members); ``manage``: hosts, 403 to others who can see it;
    ``manage_roles``: the owner. ``login`` sends anonymous visitors to sign in first.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if login and not request.user.is_authenticated:
                return sign_in_first(request, slug)
            actor = request.user
            if need == "view":
                community = queries.get_community(actor, slug)
            else:
                community = queries.get_readable_community(actor, slug)
            try:
                if need == "manage":
                    permissions.check_manage_community(actor, community)
                elif need == "manage_roles":
                    permissions.check_manage_roles(actor, community)
                request.community = community  # type: ignore[attr-defined]
                request.flags = permissions.community_flags(actor, community)  # type: ignore[attr-defined]
                return view(request, *args, **kwargs)
            except PermissionDenied as error:
                return forbidden(request, error)

        return wrapper

    return decorator
