"""Reads for profile and settings pages, each in a fixed number of queries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from cerchia.accounts.models import AccessToken, ConsentRecord, User
from cerchia.accounts.permissions import check_view_profile, is_site_admin

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cerchia.communities.models import Community, Membership

    Actor = User | AnonymousUser


def get_profile(viewer: Actor, handle: str) -> User:
    """The member with ``handle`` (any case), interests loaded; ``Http404`` if hidden or absent."""
    user = (
        User.objects.filter(handle__iexact=handle, deleted_at__isnull=True)
        .prefetch_related("interests")
        .first()
    )
    if user is None:
        raise Http404(_("No such member."))
    check_view_profile(viewer, user)
    return user


def list_profile_memberships(viewer: Actor, user: User) -> list[Membership]:
    """The member's memberships in communities ``viewer`` may see them in, by community name.

    Public communities show to everyone who may see the profile; private and hidden
    ones only to members of that same community (and to the member and site admins).
    """
    from cerchia.communities.models import Membership, Visibility

    memberships = Membership.objects.filter(user=user).select_related("community")
    is_self = viewer.is_authenticated and viewer.pk == user.pk
    if not (is_self or is_site_admin(viewer)):
        shown = Q(community__visibility=Visibility.PUBLIC)
        if viewer.is_authenticated and viewer.is_active and viewer.suspended_at is None:
            shown |= Q(
                community_id__in=Membership.objects.filter(user_id=viewer.pk).values("community_id")
            )
        memberships = memberships.filter(shown)
    hosts_first = Case(
        When(role="owner", then=Value(0)),
        When(role="moderator", then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return list(memberships.order_by(hosts_first, "community__name", "community_id"))


def list_consent_history(user: User, limit: int = 100) -> list[ConsentRecord]:
    """The member's consent changes, newest first."""
    return list(ConsentRecord.objects.filter(user=user).order_by("-created_at", "-id")[:limit])


def list_access_tokens(user: User) -> list[AccessToken]:
    """The member's tokens: active ones first, then revoked, newest first within each."""
    active_first = Case(
        When(revoked_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return list(AccessToken.objects.filter(user=user).order_by(active_first, "-created_at", "-id"))


def get_own_access_token(user: User, token_id: int) -> AccessToken:
    """One of the member's tokens; ``Http404`` for anyone else's."""
    token = AccessToken.objects.select_related("user").filter(pk=token_id, user=user).first()
    if token is None:
        raise Http404(_("No such token."))
    return token


def list_owned_communities(user: User) -> list[Community]:
    """Communities the member owns (they block account deletion)."""
    from cerchia.communities.models import Community, Role

    return list(
        Community.objects.filter(memberships__user=user, memberships__role=Role.OWNER).order_by(
            "name"
        )
    )
