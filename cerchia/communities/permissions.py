"""Who may see and do what in a community: every rule, written once.

``check_*`` raises (``Http404`` when the actor may not even know the
community exists, ``PermissionDenied`` when they may see it but not act),
``can_*`` answers with a boolean for templates, ``visible_*`` filters a queryset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cerchia.communities.models import (
    HOST_ROLES,
    Community,
    Invitation,
    JoinPolicy,
    JoinRequest,
    Membership,
    Role,
    SiteSettings,
    Visibility,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cerchia.accounts.models import User

    Actor = User | AnonymousUser


@dataclass
class Access:
    """What one person is to one community, loaded once and reused by every check."""

    actor: Any
    community: Community
    membership: Membership | None = field(default=None)

    @property
    def is_signed_in(self) -> bool:
        return bool(self.actor.is_authenticated)

    @property
    def is_suspended(self) -> bool:
        return self.is_signed_in and self.actor.suspended_at is not None

    @property
    def is_site_admin(self) -> bool:
        return self.is_signed_in and self.actor.is_staff and not self.is_suspended

    @property
    def is_member(self) -> bool:
        return self.membership is not None and not self.is_suspended

    @property
    def role(self) -> str | None:
        return self.membership.role if self.is_member and self.membership else None

    @property
    def is_host(self) -> bool:
        return self.role in HOST_ROLES

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @cached_property
    def has_pending_request(self) -> bool:
        if not self.is_signed_in:
            return False
        return JoinRequest.objects.filter(
            community=self.community, user=self.actor, status=JoinRequest.Status.PENDING
        ).exists()

    @property
    def muted_until(self) -> Any:
        """When a mute in force here ends (loaded with the membership), else None."""
        return getattr(self.membership, "muted_until", None) if self.is_member else None

    @cached_property
    def active_ban(self) -> Any:
        """The ban in force against this person here, if any (one indexed query, once)."""
        if not self.is_signed_in:
            return None
        from cerchia.moderation.queries_sanctions import active_ban  # moderation builds on us

        return active_ban(self.community, self.actor)

    @cached_property
    def has_email_invitation(self) -> bool:
        if not self.is_signed_in:
            return False
        return usable_invitations(
            Invitation.objects.filter(community=self.community, email__iexact=self.actor.email)
        ).exists()


def get_access(actor: Actor, community: Community) -> Access:
    """The actor's access to ``community``, cached on the community instance."""
    cache: dict[Any, Access] = community.__dict__.setdefault("_access_cache", {})
    key = actor.pk if actor.is_authenticated else None
    if key not in cache:
        membership = None
        if actor.is_authenticated:
            from cerchia.moderation.queries_sanctions import with_mute  # moderation builds on us

            membership = with_mute(
                Membership.objects.filter(community=community, user=actor), actor
            ).first()
        cache[key] = Access(actor=actor, community=community, membership=membership)
    return cache[key]


def forget_access(community: Community) -> None:
    """Drop cached access after an action changed someone's membership."""
    community.__dict__.pop("_access_cache", None)


def usable_invitations(queryset: QuerySet[Invitation]) -> QuerySet[Invitation]:
    from django.db.models import F

    now = timezone.now()
    return queryset.filter(
        Q(revoked_at__isnull=True),
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        Q(max_uses__isnull=True) | Q(use_count__lt=F("max_uses")),
    )


def _not_found() -> Http404:
    return Http404(_("No such community."))


def _require_active_account(access: Access) -> None:
    if not access.is_signed_in:
        raise PermissionDenied(_("Sign in first."))
    if access.is_suspended:
        raise PermissionDenied(_("Your account is suspended."))


def _refuse_if_banned(access: Access) -> None:
    """A member banned from the community may not come back while the ban lasts."""
    ban = access.active_ban
    if ban is None:
        return
    if ban.ends_at is None:
        raise PermissionDenied(_("You are banned from this community."))
    raise PermissionDenied(
        _("You are banned from this community until %(end)s.") % {"end": format_moment(ban.ends_at)}
    )


def format_moment(moment: Any) -> str:
    """A date and time as people read it, in the current time zone and language."""
    from django.utils.formats import date_format

    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


# --- Seeing ------------------------------------------------------------------


def check_view_community(actor: Actor, community: Community) -> None:
    """The front page (name, niche, description, rules); hidden communities 404 to outsiders."""
    if community.visibility != Visibility.HIDDEN:
        return
    access = get_access(actor, community)
    if access.is_member or access.is_site_admin:
        return
    if not access.is_suspended and (access.has_pending_request or access.has_email_invitation):
        return
    raise _not_found()


def check_read_community(actor: Actor, community: Community) -> None:
    """Content and the member directory: anyone in public communities, members otherwise."""
    check_view_community(actor, community)
    if community.visibility == Visibility.PUBLIC:
        return
    access = get_access(actor, community)
    if not (access.is_member or access.is_site_admin):
        raise _not_found()


def visible_communities(actor: Actor, queryset: QuerySet[Community]) -> QuerySet[Community]:
    """Communities whose front page the actor may see (hidden ones only to their members)."""
    if actor.is_authenticated and actor.is_staff and actor.suspended_at is None:
        return queryset
    condition = ~Q(visibility=Visibility.HIDDEN)
    if actor.is_authenticated and actor.suspended_at is None:
        condition |= Q(Exists(Membership.objects.filter(community=OuterRef("pk"), user=actor)))
    return queryset.filter(condition)


def listed_communities(queryset: QuerySet[Community]) -> QuerySet[Community]:
    """The site directory: public and private communities; hidden ones are never listed."""
    return queryset.exclude(visibility=Visibility.HIDDEN)


# --- Joining -----------------------------------------------------------------


def check_join_community(actor: Actor, community: Community) -> None:
    """Join directly: open communities, for signed-in non-members."""
    check_view_community(actor, community)
    access = get_access(actor, community)
    _require_active_account(access)
    if access.membership is not None:
        raise PermissionDenied(_("You are already a member."))
    _refuse_if_banned(access)
    if community.join_policy != JoinPolicy.OPEN:
        raise PermissionDenied(_("This community does not accept members without approval."))


def check_request_to_join(actor: Actor, community: Community) -> None:
    check_view_community(actor, community)
    access = get_access(actor, community)
    _require_active_account(access)
    if access.membership is not None:
        raise PermissionDenied(_("You are already a member."))
    _refuse_if_banned(access)
    if community.join_policy != JoinPolicy.REQUEST:
        raise PermissionDenied(_("This community does not take join requests."))
    if access.has_pending_request:
        raise PermissionDenied(_("Your request is already waiting for the hosts."))


def check_accept_invitation(actor: Actor, invitation: Invitation) -> None:
    """Anyone signed in holding a usable link; an email invitation only for its addressee."""
    community = invitation.community
    access = get_access(actor, community)
    _require_active_account(access)
    if not invitation.is_usable():
        raise PermissionDenied(_("This invitation has expired or been used up."))
    if invitation.email and invitation.email.lower() != str(getattr(actor, "email", "")).lower():
        raise PermissionDenied(_("This invitation was sent to a different email address."))
    if access.membership is not None:
        raise PermissionDenied(_("You are already a member."))
    _refuse_if_banned(access)


def check_leave_community(actor: Actor, community: Community) -> None:
    check_view_community(actor, community)
    access = get_access(actor, community)
    if not access.is_signed_in or access.membership is None:
        raise PermissionDenied(_("You are not a member."))
    if access.membership.role == Role.OWNER:
        raise PermissionDenied(_("Transfer ownership to another member before leaving."))


def check_withdraw_join_request(actor: Actor, join_request: JoinRequest) -> None:
    if not actor.is_authenticated or join_request.user_id != actor.pk:
        raise Http404
    if join_request.status != JoinRequest.Status.PENDING:
        raise PermissionDenied(_("This request has already been decided."))


# --- Running a community ----------------------------------------------------------


def check_create_community(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise PermissionDenied(_("Sign in first."))
    if actor.suspended_at is not None:
        raise PermissionDenied(_("Your account is suspended."))
    if actor.is_staff:
        return
    if SiteSettings.load().community_creation == SiteSettings.CommunityCreation.ADMINS:
        raise PermissionDenied(_("On this site only administrators create communities."))


def check_manage_community(actor: Actor, community: Community) -> None:
    """Hosts (owners, moderators) and site admins: settings, requests, invitations.

    Whoever may not read the community gets 404, as for the rest of its content.
    """
    check_read_community(actor, community)
    access = get_access(actor, community)
    if access.is_host or access.is_site_admin:
        return
    raise PermissionDenied(_("Only the community's hosts can do this."))


def check_decide_join_request(actor: Actor, join_request: JoinRequest) -> None:
    check_manage_community(actor, join_request.community)
    if join_request.status != JoinRequest.Status.PENDING:
        raise PermissionDenied(_("This request has already been decided."))


def check_manage_roles(actor: Actor, community: Community) -> None:
    """Owners (and site admins) promote, demote and transfer ownership."""
    check_manage_community(actor, community)
    access = get_access(actor, community)
    if not (access.is_owner or access.is_site_admin):
        raise PermissionDenied(_("Only the owner can change roles."))


def check_change_role(actor: Actor, membership: Membership, role: str) -> None:
    check_manage_roles(actor, membership.community)
    if role not in (Role.MODERATOR, Role.MEMBER):
        raise PermissionDenied(_("Use “transfer ownership” to make someone the owner."))
    if membership.role == Role.OWNER:
        raise PermissionDenied(_("The owner's role changes only by transferring ownership."))


def check_transfer_ownership(actor: Actor, community: Community, new_owner: Membership) -> None:
    check_manage_roles(actor, community)
    if new_owner.community_id != community.pk:
        raise Http404
    if new_owner.role == Role.OWNER:
        raise PermissionDenied(_("This member already owns the community."))
    if new_owner.user.suspended_at is not None:
        raise PermissionDenied(_("A suspended account cannot own a community."))


def _can(check: Any, *args: Any) -> bool:
    try:
        check(*args)
    except (PermissionDenied, Http404):
        return False
    return True


def can_view_community(actor: Actor, community: Community) -> bool:
    return _can(check_view_community, actor, community)


def can_read_community(actor: Actor, community: Community) -> bool:
    return _can(check_read_community, actor, community)


def can_join_community(actor: Actor, community: Community) -> bool:
    return _can(check_join_community, actor, community)


def can_request_to_join(actor: Actor, community: Community) -> bool:
    return _can(check_request_to_join, actor, community)


def can_leave_community(actor: Actor, community: Community) -> bool:
    return _can(check_leave_community, actor, community)


def can_create_community(actor: Actor) -> bool:
    return _can(check_create_community, actor)


def can_manage_community(actor: Actor, community: Community) -> bool:
    return _can(check_manage_community, actor, community)


def can_manage_roles(actor: Actor, community: Community) -> bool:
    return _can(check_manage_roles, actor, community)


@dataclass(frozen=True)
class CommunityFlags:
    """Every ``can_*`` a community page needs, computed once for templates."""

    view: bool
    read: bool
    join: bool
    request: bool
    leave: bool
    manage: bool
    manage_roles: bool
    role: str | None
    pending_request: bool
    #: When the actor's mute here ends (a banner says so), else None.
    muted_until: Any = None


def community_flags(actor: Actor, community: Community) -> CommunityFlags:
    access = get_access(actor, community)
    return CommunityFlags(
        view=can_view_community(actor, community),
        read=can_read_community(actor, community),
        join=can_join_community(actor, community),
        request=can_request_to_join(actor, community),
        leave=can_leave_community(actor, community),
        manage=can_manage_community(actor, community),
        manage_roles=can_manage_roles(actor, community),
        role=access.role,
        pending_request=access.has_pending_request,
        muted_until=access.muted_until,
    )
