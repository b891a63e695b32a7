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

from cerchia.communities.models import Community, Membership
from cerchia.communities.permissions import (
    _can,
    check_read_community,
    check_view_community,
    get_access,
)
from cerchia.discussions.models import Post, Topic
from cerchia.discussions.permissions import check_read_post, check_read_topic
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


def check_review_queue(actor: Actor, community: Community) -> None:
    """See and handle the review queue (reports, held posts): the hosts and site admins;
    404 to whoever may not read the community, 403 to other readers."""
    check_read_community(actor, community)
    check_moderate(actor, community)


def check_review_held(actor: Actor, held: HeldPost) -> None:
    """Approve or reject a held post: the community's hosts."""
    check_moderate(actor, held.community)


def check_view_held(actor: Actor, held: HeldPost) -> None:
    """See a held post: its author and the hosts; everyone else 404."""
    if actor.is_authenticated and held.author_id == actor.pk:
        return
    if not can_moderate(actor, held.community):
        raise Http404(_("No such post."))


# --- Reporting -------------------------------------------------------------------------


def _require_active(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise PermissionDenied(_("Sign in first."))
    if actor.suspended_at is not None:
        raise PermissionDenied(_("Your account is suspended."))


def check_report_post(actor: Actor, post: Post) -> None:
    """Report a post: anyone signed in and active who may read it, except its author."""
    check_read_post(actor, post)
    if post.deleted_at is not None:
        raise Http404(_("No such post."))
    _require_active(actor)
    if post.author_id == actor.pk:
        raise PermissionDenied(_("You cannot report your own post."))


def check_report_topic(actor: Actor, topic: Topic) -> None:
    """Report a topic: anyone signed in and active who may read it, except its author."""
    check_read_topic(actor, topic)
    _require_active(actor)
    if topic.author_id == actor.pk:
        raise PermissionDenied(_("You cannot report your own topic."))


def check_report_member(actor: Actor, community: Community, member: User) -> None:
    """Report a member of a community: whoever may read the community, but not oneself;
    someone who is not a member there is a 404."""
    check_read_community(actor, community)
    if not Membership.objects.filter(community=community, user=member).exists():
        raise Http404(_("No such member."))
    _require_active(actor)
    if member.pk == actor.pk:
        raise PermissionDenied(_("You cannot report yourself."))


def can_report_member(actor: Actor, community: Community, member: User) -> bool:
    return _can(check_report_member, actor, community, member)


# --- The welcome ----------------------------------------------------------------------------


def check_manage_welcome(actor: Actor, community: Community) -> None:
    """Edit the welcome, the introductions topic and the welcomers: the hosts and site admins;
    404 to whoever may not read the community, 403 to other readers."""
    check_read_community(actor, community)
    check_moderate(actor, community)


def can_manage_welcome(actor: Actor, community: Community) -> bool:
    return _can(check_manage_welcome, actor, community)


def check_welcome(actor: Actor, community: Community) -> None:
    """See newcomers' first posts and unanswered topics: hosts, site admins and the
    community's welcomers; 404 to whoever may not read the community, 403 to other readers."""
    check_read_community(actor, community)
    access = get_access(actor, community)
    if not access.is_signed_in:
        raise PermissionDenied(_("Sign in first."))
    if access.is_suspended:
        raise PermissionDenied(_("Your account is suspended."))
    if access.is_host or access.is_site_admin:
        return
    if access.is_member and access.membership is not None and access.membership.is_welcomer:
        return
    raise PermissionDenied(_("Only the community's hosts and welcomers can see this."))


def can_welcome(actor: Actor, community: Community) -> bool:
    return _can(check_welcome, actor, community)
