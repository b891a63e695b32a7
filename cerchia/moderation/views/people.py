"""Pages for blocking members, marking affiliations and removing disclosure labels.

Thin: each resolves what the URL names (404 for what the viewer may not see), calls one
action or query, and renders; refusals show the 403 page, bad input a form error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cerchia.accounts import queries as account_queries
from cerchia.communities import queries as community_queries
from cerchia.communities.forms import add_action_errors
from cerchia.communities.resolvers import community_view, forbidden
from cerchia.discussions.resolvers import post_view
from cerchia.moderation.actions import affiliations, blocks
from cerchia.moderation.actions import disclosure as disclosure_actions
from cerchia.moderation.disclosure import post_disclosure_label
from cerchia.moderation.forms_people import AffiliationForm, RemoveDisclosureForm
from cerchia.moderation.permissions_people import (
    check_manage_blocks,
    check_remove_disclosure,
    check_set_affiliation,
)
from cerchia.moderation.queries_blocks import list_blocked

if TYPE_CHECKING:
    from cerchia.communities.resolvers import MemberRequest
    from cerchia.discussions.resolvers import MemberPostRequest


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _profile_url(user: Any) -> str:
    return reverse("accounts:profile", kwargs={"handle": user.handle})


# --- Blocks ------------------------------------------------------------------------------


@login_required
@require_POST
def block(request: HttpRequest, handle: str) -> HttpResponse:
    """Block a member: their posts collapse for you and yours for them; no mentions or
    notifications between you."""
    target = account_queries.get_profile(request.user, handle)
    try:
        blocks.block_member(request.user, target)  # type: ignore[arg-type]
    except PermissionDenied as error:
        return forbidden(request, error)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_back(request, _profile_url(target)), status=303)
    messages.success(
        request,
        _("You blocked %(name)s. You can unblock them from your settings.") % {"name": target.name},
    )
    return redirect(_back(request, _profile_url(target)))


@login_required
@require_POST
def unblock(request: HttpRequest, handle: str) -> HttpResponse:
    """Lift your block of a member."""
    target = account_queries.get_profile(request.user, handle)
    try:
        blocks.unblock_member(request.user, target)  # type: ignore[arg-type]
    except PermissionDenied as error:
        return forbidden(request, error)
    messages.success(request, _("You unblocked %(name)s.") % {"name": target.name})
    return redirect(_back(request, _profile_url(target)))


@login_required
@require_http_methods(["GET"])
def blocked_list(request: HttpRequest) -> HttpResponse:
    """The members you blocked, each with an "Unblock" button."""
    try:
        check_manage_blocks(request.user)
    except PermissionDenied as error:
        return forbidden(request, error)
    context = {
        "title": _("Blocked members"),
        "section": "blocked",
        "member": request.user,
        "blocks": list(list_blocked(request.user)[:500]),  # type: ignore[arg-type]
    }
    return render(request, "moderation/blocked.html", context)


# --- Affiliations ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@community_view("manage", login=True)
def affiliation(request: MemberRequest, handle: str) -> HttpResponse:
    """Mark a member's affiliation in the community (hosts)."""
    community = request.community
    membership = community_queries.get_membership(request.user, community, handle)
    membership.community = community
    check_set_affiliation(request.user, membership)
    status = 200
    if request.method == "POST":
        form = AffiliationForm(request.POST)
        if form.is_valid():
            try:
                affiliations.set_affiliation(
                    request.user,
                    membership,
                    form.cleaned_data.get("affiliation") or "",
                    form.cleaned_data.get("affiliation_name") or "",
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Affiliation of %(name)s saved.") % {"name": membership.user.name},
                )
                return redirect("communities:roles", slug=community.slug)
        status = 400
    else:
        form = AffiliationForm(
            initial={
                "affiliation": membership.affiliation,
                "affiliation_name": membership.affiliation_name,
            }
        )
    context: dict[str, Any] = {
        "community": community,
        "flags": request.flags,
        "section": "roles",
        "membership": membership,
        "form": form,
    }
    return render(request, "moderation/affiliation.html", context, status=status)


# --- Disclosure labels -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@post_view(login=True)
def remove_disclosure(request: MemberPostRequest) -> HttpResponse:
    """Take a post's sponsored or gift label off (hosts), with a reason for the log."""
    post = request.post
    community = request.community
    check_remove_disclosure(request.user, post)
    status = 200
    if request.method == "POST":
        form = RemoveDisclosureForm(request.POST)
        if form.is_valid():
            try:
                disclosure_actions.remove_disclosure(
                    request.user, post, form.cleaned_data.get("reason") or ""
                )
            except ValidationError as error:
                add_action_errors(form, error, {"disclosure": "__all__"})
            else:
                messages.success(request, _("The label was removed."))
                return redirect("discussions:post_link", community.slug, post.topic_id, post.number)
        status = 400
    else:
        form = RemoveDisclosureForm()
    context = {
        "community": community,
        "topic": post.topic,
        "post": post,
        "label": post_disclosure_label(post, community),
        "form": form,
    }
    return render(request, "moderation/disclosure_remove.html", context, status=status)


urlpatterns = [
    path("u/<str:handle>/block/", block, name="block"),
    path("u/<str:handle>/unblock/", unblock, name="unblock"),
    path("settings/blocked/", blocked_list, name="blocked"),
    path(
        "c/<slug:slug>/settings/affiliations/<str:handle>/",
        affiliation,
        name="affiliation",
    ),
    path(
        "c/<slug:slug>/posts/<int:post_id>/disclosure/remove/",
        remove_disclosure,
        name="remove_disclosure",
    ),
]
