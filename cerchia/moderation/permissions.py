"""Who may run moderation: every rule, written once.

Hosts (owners and moderators) moderate their community; site admins moderate everywhere.
``check_*`` raise (Http404 when the actor may not know the thing exists, PermissionDenied
when they may see it but not act), ``can_*`` answer for templates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from cerchia.communities.models import Community
from cerchia.communities.permissions import _can, check_view_community, get_access
from cerchia.moderation.models import HeldPost

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cerchia.accounts.models import User

    Actor = User | AnonymousUser


def check_moderate(actor: Actor, community: Community) -> None:
    """Run the review queue, sanctions, rules and settings: the community's hosts and site
    admins; others who can see the community get 403, the rest 404."""
    check_view_community(actor, community)
    access = get_access(actor, community)
    if not access.is_signed_in:
        raise PermissionDenied(_("Sign in first."))
    if access.is_suspended:
        raise PermissionDenied(_("Your account is suspended."))
    if not (access.is_host or access.is_site_admin):
        raise PermissionDenied(_("Only the community's hosts can do this."))


def can_moderate(actor: Actor, community: Community) -> bool:
    return _can(check_moderate, actor, community)


def check_review_held(actor: Actor, held: HeldPost) -> None:
    """Approve or reject a held post: the community's hosts."""
    check_moderate(actor, held.community)


def check_view_held(actor: Actor, held: HeldPost) -> None:
    """See a held post: its author and the hosts; everyone else 404."""
    if actor.is_authenticated and held.author_id == actor.pk:
        return
    if not can_moderate(actor, held.community):
        raise Http404(_("No such post."))
