"""Reads for community pages and the API, each in a fixed number of queries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from cerchia.communities import permissions
from cerchia.communities.models import (
    Community,
    Invitation,
    JoinRequest,
    Membership,
    Role,
    WaitlistEntry,
)
from cerchia.core.pagination import Page, keyset_page

if TYPE_CHECKING:
    from cerchia.communities.permissions import Actor

DIRECTORY_PAGE_SIZE = 24
MEMBERS_PAGE_SIZE = 50


def get_community(actor: Actor, slug: str) -> Community:
    """The community at ``slug`` if the actor may see it; Http404 otherwise."""
    community = get_object_or_404(Community, slug=slug)
    permissions.check_view_community(actor, community)
    return community


def get_readable_community(actor: Actor, slug: str) -> Community:
    """The community at ``slug`` if the actor may read its content; Http404 otherwise."""
    community = get_object_or_404(Community, slug=slug)
    permissions.check_read_community(actor, community)
    return community


def _with_card_data(queryset: QuerySet[Community]) -> QuerySet[Community]:
    return queryset.prefetch_related("interests")


def list_directory(
    actor: Actor,
    *,
    search: str = "",
    interest: str = "",
    cursor: str | None = None,
    limit: int = DIRECTORY_PAGE_SIZE,
) -> Page[Community]:
    """The site directory: public and private communities, by name, searchable by name and tag."""
    queryset = permissions.listed_communities(Community.objects.all())
    search = search.strip()
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search)
            | Q(tagline__icontains=search)
            | Q(interests__slug__iexact=search.replace(" ", "-"))
        ).distinct()
    if interest:
        queryset = queryset.filter(interests__slug=interest)
    if actor.is_authenticated:
        queryset = queryset.annotate(
            is_member=Exists(Membership.objects.filter(community=OuterRef("pk"), user=actor))
        )
    return keyset_page(_with_card_data(queryset), ("name", "id"), cursor, limit)


def list_my_memberships(actor: Actor) -> list[Membership]:
    """The actor's communities (hidden ones included), with their cards' data."""
    if not actor.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=actor)
        .select_related("community")
        .prefetch_related("community__interests")
        .order_by("community__name", "community_id")
    )


def list_members(
    actor: Actor,
    community: Community,
    *,
    search: str = "",
    role: str = "",
    cursor: str | None = None,
    limit: int = MEMBERS_PAGE_SIZE,
) -> Page[Membership]:
    """The community's member directory, showing only profiles the actor may see.

    Hosts come first; then members by join date. Raises Http404 when the actor may not read.
    """
    from cerchia.accounts.models import User
    from cerchia.accounts.permissions import visible_profiles

    permissions.check_read_community(actor, community)
    visible_users = visible_profiles(actor, User.objects.all()).values("pk")
    queryset = Membership.objects.filter(community=community, user__in=visible_users)
    search = search.strip()
    if search:
        queryset = queryset.filter(
            Q(user__display_name__icontains=search) | Q(user__handle__icontains=search)
        )
    if role in Role.values:
        queryset = queryset.filter(role=role)
    queryset = queryset.select_related("user").prefetch_related("user__interests")
    return keyset_page(queryset, ("joined_at", "id"), cursor, limit)


def list_hosts(community: Community) -> list[Membership]:
    return list(
        Membership.objects.filter(community=community, role__in=[Role.OWNER, Role.MODERATOR])
        .select_related("user")
        .order_by("role", "joined_at")
    )


def list_pending_requests(actor: Actor, community: Community) -> list[JoinRequest]:
    """Pending join requests, oldest first. Raises unless the actor hosts the community."""
    permissions.check_manage_community(actor, community)
    return list(
        JoinRequest.objects.filter(community=community, status=JoinRequest.Status.PENDING)
        .select_related("user")
        .order_by("created_at", "id")
    )


def get_join_request(actor: Actor, community: Community, request_id: int) -> JoinRequest:
    permissions.check_manage_community(actor, community)
    return get_object_or_404(
        JoinRequest.objects.select_related("user", "community"), pk=request_id, community=community
    )


def list_invitations(actor: Actor, community: Community) -> list[Invitation]:
    """Usable invitations, newest first. Raises unless the actor hosts the community."""
    permissions.check_manage_community(actor, community)
    return list(
        permissions.usable_invitations(Invitation.objects.filter(community=community))
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def get_invitation(actor: Actor, community: Community, invitation_id: int) -> Invitation:
    permissions.check_manage_community(actor, community)
    return get_object_or_404(
        Invitation.objects.select_related("community"), pk=invitation_id, community=community
    )


def get_invitation_by_token(token: str) -> Invitation:
    """The invitation behind a link; unusable ones still resolve, so the page can explain."""
    return get_object_or_404(Invitation.objects.select_related("community"), token=token)


def get_membership(actor: Actor, community: Community, handle: str) -> Membership:
    permissions.check_read_community(actor, community)
    return get_object_or_404(
        Membership.objects.select_related("user", "community"),
        community=community,
        user__handle__iexact=handle,
    )


def get_waitlist_place(actor: Actor, community: Community) -> int | None:
    """The actor's place in the community's waitlist (1 is next), or None."""
    if not actor.is_authenticated:
        return None
    entry = WaitlistEntry.objects.filter(community=community, user=actor).first()
    if entry is None:
        return None
    ahead = WaitlistEntry.objects.filter(community=community).filter(
        Q(created_at__lt=entry.created_at) | Q(created_at=entry.created_at, pk__lt=entry.pk)
    )
    return ahead.count() + 1


def get_own_pending_request(actor: Actor, community: Community) -> JoinRequest | None:
    """The actor's own request to join that still waits for the hosts, if any."""
    if not actor.is_authenticated:
        return None
    return JoinRequest.objects.filter(
        community=community, user=actor, status=JoinRequest.Status.PENDING
    ).first()


def get_email_invitation(actor: Actor, community: Community) -> Invitation | None:
    """The newest usable invitation sent to the actor's email address, if any."""
    if not actor.is_authenticated:
        return None
    return (
        permissions.usable_invitations(
            Invitation.objects.filter(community=community, email__iexact=actor.email)
        )
        .order_by("-created_at")
        .first()
    )


def count_pending_requests(community: Community) -> int:
    return JoinRequest.objects.filter(
        community=community, status=JoinRequest.Status.PENDING
    ).count()
