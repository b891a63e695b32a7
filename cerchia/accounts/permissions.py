"""Who may see a member's profile and change an account: every rule, written once.

``check_*`` raises (``Http404`` when the viewer may not know the profile exists,
``PermissionDenied`` when they may not act), ``can_*`` answers for templates,
``visible_*`` filters a queryset with the same rule in one query.

A suspended account is treated as signed in but belonging nowhere: it keeps what
anyone signed in may see, its own profile and settings, and loses the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cerchia.accounts.models import ProfileVisibility, User

if TYPE_CHECKING:
    Actor = User | AnonymousUser


def is_site_admin(actor: Actor) -> bool:
    """Signed-in, active, unsuspended staff: the people who run this instance."""
    return bool(
        actor.is_authenticated
        and actor.is_active
        and (actor.is_staff or actor.is_superuser)
        and actor.suspended_at is None
    )


def _is_active_member(actor: Actor) -> bool:
    return bool(actor.is_authenticated and actor.is_active and actor.suspended_at is None)


# --- Suspension -------------------------------------------------------------------


def check_not_suspended(user: Actor) -> None:
    """Raise ``PermissionDenied`` if ``user`` is suspended; every write elsewhere calls this."""
    if user.is_authenticated and user.suspended_at is not None:
        raise PermissionDenied(
            _(
                "Your account is suspended, so you cannot do this. You can still read, "
                "export your data or delete your account."
            )
        )


# --- Seeing profiles ------------------------------------------------------------------


def _profile_rule(viewer: Actor) -> Q:
    """The profiles ``viewer`` may see, as a condition on ``User``."""
    # Imported here: communities depends on accounts, not the other way round.
    from cerchia.communities.models import HOST_ROLES, Membership

    public = Q(profile_visibility=ProfileVisibility.PUBLIC)
    if not viewer.is_authenticated:
        return public
    rule = public | Q(pk=viewer.pk)
    if not _is_active_member(viewer):
        return rule
    # Per candidate row: does a community hold both of us (and, for a private profile,
    # do I host it)? A few index lookups, where a set of every co-member of a big
    # community would cost thousands of rows.
    mine = Membership.objects.filter(user_id=viewer.pk, community_id=OuterRef("community_id"))
    shares = Membership.objects.filter(user_id=OuterRef("pk")).filter(Exists(mine))
    hosted_by_me = Membership.objects.filter(user_id=OuterRef("pk")).filter(
        Exists(mine.filter(role__in=HOST_ROLES))
    )
    return (
        rule
        | Q(Exists(shares), profile_visibility=ProfileVisibility.MEMBERS)
        | Q(Exists(hosted_by_me), profile_visibility=ProfileVisibility.PRIVATE)
    )


def visible_profiles(viewer: Actor, queryset: QuerySet[User]) -> QuerySet[User]:
    """The members of ``queryset`` whose profile ``viewer`` may see, in one query."""
    queryset = queryset.filter(deleted_at__isnull=True)
    if is_site_admin(viewer):
        return queryset
    return queryset.filter(_profile_rule(viewer), is_active=True)


def visible_profile_ids(viewer: Actor, users: Iterable[User]) -> set[int]:
    """Which of a few already loaded members' profiles ``viewer`` may see (the rule of
    ``visible_profiles``), with at most one small query.

    For a handful of people on a page (a community's hosts): deciding per candidate in one
    indexed lookup keeps the cost flat, where the queryset form lets PostgreSQL hash every
    co-member of the viewer's communities (tens of thousands of rows in a big one).
    """
    from cerchia.communities.models import HOST_ROLES, Membership

    candidates = [user for user in users if user.deleted_at is None]
    if is_site_admin(viewer):
        return {user.pk for user in candidates}
    visible: set[int] = set()
    undecided: dict[int, str] = {}
    for user in candidates:
        if not user.is_active:
            continue
        if user.profile_visibility == ProfileVisibility.PUBLIC or (
            viewer.is_authenticated and user.pk == viewer.pk
        ):
            visible.add(user.pk)
        elif _is_active_member(viewer):
            undecided[user.pk] = user.profile_visibility
    if not undecided or viewer.pk is None:
        return visible
    mine = Membership.objects.filter(user_id=viewer.pk, community_id=OuterRef("community_id"))
    shared = (
        Membership.objects.filter(user_id__in=list(undecided))
        .filter(Exists(mine))
        .annotate(i_host=Exists(mine.filter(role__in=HOST_ROLES)))
        .values_list("user_id", "i_host")
    )
    for user_id, i_host in shared:
        if undecided[user_id] == ProfileVisibility.MEMBERS or i_host:
            visible.add(user_id)
    return visible


def check_view_profile(viewer: Actor, user: User) -> None:
    """Raise ``Http404`` unless ``viewer`` may see ``user``'s profile.

    public: anyone; members: signed-in people sharing a community with the member;
    private: hosts (owner or moderator) of a community the member belongs to.
    The member and site admins always may. Erased accounts are never shown.
    """
    if user.deleted_at is not None:
        raise Http404(_("No such member."))
    if viewer.is_authenticated and viewer.pk == user.pk:
        return
    if is_site_admin(viewer):
        return
    if not user.is_active:
        raise Http404(_("No such member."))
    if user.profile_visibility == ProfileVisibility.PUBLIC:
        return
    if not _is_active_member(viewer):
        raise Http404(_("No such member."))
    if not visible_profiles(viewer, User.objects.filter(pk=user.pk)).exists():
        raise Http404(_("No such member."))


def can_view_profile(viewer: Actor, user: User) -> bool:
    return _can(check_view_profile, viewer, user)


# --- Changing one's own account -------------------------------------------------------


def check_manage_account(actor: Actor, user: User) -> None:
    """Only the member manages their account: consents, preferences, tokens, export, deletion."""
    if not actor.is_authenticated or actor.pk != user.pk:
        raise PermissionDenied(_("You can only change your own account."))
    if not user.is_active or user.deleted_at is not None:
        raise PermissionDenied(_("This account is no longer active."))


def check_edit_profile(actor: Actor, user: User) -> None:
    """The member, unless suspended: what others read on the profile."""
    check_manage_account(actor, user)
    check_not_suspended(actor)


def check_create_access_token(actor: Actor, user: User) -> None:
    """The member, unless suspended (revoking stays possible while suspended)."""
    check_manage_account(actor, user)
    check_not_suspended(actor)


def check_suspend_account(actor: Actor, user: User) -> None:
    """Site admins suspend and lift suspensions; never their own, and staff only by superusers."""
    if not is_site_admin(actor):
        raise PermissionDenied(_("Only site admins can suspend accounts."))
    if actor.pk == user.pk:
        raise PermissionDenied(_("You cannot suspend your own account."))
    if (user.is_staff or user.is_superuser) and not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser can suspend another site admin."))
    if user.deleted_at is not None:
        raise PermissionDenied(_("This account has been deleted."))


def can_edit_profile(actor: Actor, user: User) -> bool:
    return _can(check_edit_profile, actor, user)


def can_create_access_token(actor: Actor, user: User) -> bool:
    return _can(check_create_access_token, actor, user)


def _can(check: Callable[..., None], *args: Any) -> bool:
    try:
        check(*args)
    except (PermissionDenied, Http404):
        return False
    return True
