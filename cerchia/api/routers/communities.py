"""Communities: the directory, settings, members and roles, joining and leaving."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from cerchia.api.auth import ANYONE, OPTIONAL_SECURITY, SIGNED_IN, caller, signed_in
from cerchia.api.errors import problems
from cerchia.api.schemas import (
    CommunityCreate,
    CommunityOut,
    CommunityPage,
    CommunityPatch,
    JoinIn,
    JoinOutcomeOut,
    MemberPage,
    MembershipOut,
    RoleIn,
    TransferIn,
    community_card,
    community_out,
    membership_out,
    outcome_out,
)
from cerchia.communities import actions, queries
from cerchia.communities.models import Community
from cerchia.core.tags import normalise_tags
from cerchia.insights.actions_fields import join_with_answers

router = Router(tags=["communities"])

SLUG = Path(..., min_length=1, max_length=100, description="The community's address.")
CURSOR = Query(
    None, max_length=500, description="`next_cursor` from the previous page; omit for the first."
)


def _tags(interests: list[str]) -> list[str]:
    """Interest tags normalised, with a bad one reported on the ``interests`` field."""
    try:
        return normalise_tags(interests)
    except ValidationError as error:
        raise ValidationError({"interests": error.messages}) from error


def resolve_community(request: HttpRequest, slug: str) -> Community:
    """The community in the URL, if the caller may see it (404 otherwise)."""
    return queries.get_community(caller(request), slug)


@router.get(
    "/communities",
    response={200: CommunityPage, **problems(400, 401, 422, 429)},
    auth=ANYONE,
    openapi_extra=OPTIONAL_SECURITY,
)
def list_communities(
    request: HttpRequest,
    search: str = Query("", max_length=100, description="Words in the name or tagline, or a tag."),
    interest: str = Query("", max_length=60, description="Only communities with this tag slug."),
    cursor: str | None = CURSOR,
    limit: int = Query(queries.DIRECTORY_PAGE_SIZE, ge=1, le=100),
) -> CommunityPage:
    """The site directory: public and private communities by name (hidden ones are never listed)."""
    page = queries.list_directory(
        caller(request), search=search, interest=interest, cursor=cursor, limit=limit
    )
    return CommunityPage(
        items=[community_card(c) for c in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/communities",
    response={201: CommunityOut, **problems(401, 403, 422, 429)},
    auth=SIGNED_IN,
)
def create_community(request: HttpRequest, payload: CommunityCreate) -> Status[CommunityOut]:
    """Create a community; you become its owner. 403 where only site admins may create."""
    user = signed_in(request)
    fields = payload.model_dump(exclude={"interests"}, exclude_none=True)
    community = actions.create_community(user, interests=_tags(payload.interests), **fields)
    return Status(201, community_out(user, community))


@router.get(
    "/communities/{slug}",
    response={200: CommunityOut, **problems(401, 404, 429)},
    auth=ANYONE,
    openapi_extra=OPTIONAL_SECURITY,
)
def get_community(request: HttpRequest, slug: str = SLUG) -> CommunityOut:
    """A community's front page and what you may do there. Hidden ones 404 to outsiders."""
    community = resolve_community(request, slug)
    return community_out(caller(request), community)


@router.patch(
    "/communities/{slug}",
    response={200: CommunityOut, **problems(401, 403, 404, 422, 429)},
    auth=SIGNED_IN,
)
def update_community(
    request: HttpRequest, payload: CommunityPatch, slug: str = SLUG
) -> CommunityOut:
    """Change settings (hosts). Send only what changes; `member_cap: null` removes the cap."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    changes = payload.changes(exclude={"interests"})
    interests = _tags(payload.interests) if payload.interests is not None else None
    community = actions.update_community(user, community, interests=interests, **changes)
    return community_out(user, community)


@router.get(
    "/communities/{slug}/members",
    response={200: MemberPage, **problems(400, 401, 404, 422, 429)},
    auth=ANYONE,
    openapi_extra=OPTIONAL_SECURITY,
)
def list_members(
    request: HttpRequest,
    slug: str = SLUG,
    search: str = Query("", max_length=100, description="Part of a name or handle."),
    role: str = Query(
        "",
        description="Only `owner`, `moderator` or `member`.",
        pattern=r"^(owner|moderator|member)?$",
    ),
    cursor: str | None = CURSOR,
    limit: int = Query(queries.MEMBERS_PAGE_SIZE, ge=1, le=100),
) -> MemberPage:
    """The member directory, by join date, showing only profiles you may see.

    Anyone for public communities; members only for private and hidden ones (404 otherwise).
    """
    community = resolve_community(request, slug)
    page = queries.list_members(
        caller(request), community, search=search, role=role, cursor=cursor, limit=limit
    )
    return MemberPage(items=[membership_out(m) for m in page.items], next_cursor=page.next_cursor)


@router.patch(
    "/communities/{slug}/members/{handle}",
    response={200: MembershipOut, **problems(401, 403, 404, 422, 429)},
    auth=SIGNED_IN,
)
def change_role(
    request: HttpRequest,
    payload: RoleIn,
    slug: str = SLUG,
    handle: str = Path(..., min_length=1, max_length=64),
) -> MembershipOut:
    """Promote a member to moderator or demote a moderator (owners and site admins)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    membership = queries.get_membership(user, community, handle)
    return membership_out(actions.change_role(user, membership, payload.role))


@router.post(
    "/communities/{slug}/transfer-ownership",
    response={200: MembershipOut, **problems(401, 403, 404, 422, 429)},
    auth=SIGNED_IN,
)
def transfer_ownership(
    request: HttpRequest, payload: TransferIn, slug: str = SLUG
) -> MembershipOut:
    """Make another member the owner (owners and site admins); the previous owner stays on
    as a moderator. Answers the new owner's membership."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    new_owner = queries.get_membership(user, community, payload.handle)
    actions.transfer_ownership(user, community, new_owner)
    return membership_out(new_owner)


@router.post(
    "/communities/{slug}/join",
    response={201: JoinOutcomeOut, 202: JoinOutcomeOut, **problems(401, 403, 404, 422, 429)},
    auth=SIGNED_IN,
)
def join_community(
    request: HttpRequest, payload: JoinIn, slug: str = SLUG
) -> Status[JoinOutcomeOut]:
    """Join an open community: 201 with your membership, or 202 with a waitlist place when
    it is full. Communities with rules need `accept_rules: true` (422 otherwise), and the
    questions asked on joining are answered in `fields` (a waitlist place keeps no answers)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    outcome = join_with_answers(
        user, community, accept_rules=payload.accept_rules, answers=payload.fields
    )
    return Status(201 if outcome.status == "joined" else 202, outcome_out(outcome, community))


@router.post(
    "/communities/{slug}/leave",
    response={204: None, **problems(401, 403, 404, 422, 429)},
    auth=SIGNED_IN,
)
def leave_community(request: HttpRequest, slug: str = SLUG) -> Status[None]:
    """Leave a community. An owner must transfer ownership first (403)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    actions.leave_community(user, community)
    return Status(204, None)
