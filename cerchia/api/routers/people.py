"""Blocks, affiliations and disclosure labels.

Thin handlers over ``cerchia.moderation``: blocks are the caller's own (signed in);
affiliations are read by whoever reads the community and set by its hosts; a post's
disclosure label is removed by its community's hosts only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Path, Router, Status
from pydantic import BaseModel, Field

from cerchia.accounts import queries as account_queries
from cerchia.api.auth import ANYONE, OPTIONAL_SECURITY, SIGNED_IN, caller, signed_in
from cerchia.api.errors import problems
from cerchia.api.routers.communities import SLUG
from cerchia.api.routers.discussions import POST_ID, _post, resolve_post
from cerchia.api.schemas import WHOLE_LIST, Body, PostOut, UserSummary, user_summary
from cerchia.communities import queries as community_queries
from cerchia.communities.models import Membership
from cerchia.moderation.actions import affiliations, blocks
from cerchia.moderation.actions import disclosure as disclosure_actions
from cerchia.moderation.permissions_people import check_manage_blocks
from cerchia.moderation.queries_blocks import list_blocked

router = Router()

HANDLE = Path(..., min_length=1, max_length=64, description="A member's handle.")
READ = {**problems(400, 401, 404, 422, 429)}
WRITE = {**problems(401, 403, 404, 422, 429)}


# --- Schemas -----------------------------------------------------------------------------


class BlockOut(BaseModel):
    user: UserSummary
    created_at: datetime


class BlockList(BaseModel):
    items: list[BlockOut] = Field(description="The members you blocked, newest first.")
    next_cursor: None = Field(default=None, description=WHOLE_LIST)


class BlockIn(Body):
    handle: Annotated[str, Field(min_length=1, max_length=64)] = Field(
        description="The handle of the member to block."
    )


class AffiliationOut(BaseModel):
    user: UserSummary
    affiliation: Literal["staff", "brand", "partner", "ambassador"]
    affiliation_name: str


class AffiliationList(BaseModel):
    items: list[AffiliationOut] = Field(description="Affiliated members, by handle.")
    next_cursor: None = Field(default=None, description=WHOLE_LIST)


class AffiliationIn(Body):
    affiliation: Literal["", "staff", "brand", "partner", "ambassador"] = Field(
        description='Who the member speaks for here; `""` clears it.'
    )
    affiliation_name: Annotated[str, Field(max_length=80)] = Field(
        default="", description="The organisation, e.g. the brand's name."
    )


class MemberAffiliationOut(BaseModel):
    user: UserSummary
    affiliation: Literal["", "staff", "brand", "partner", "ambassador"]
    affiliation_name: str


class DisclosureRemoveIn(Body):
    reason: Annotated[str, Field(max_length=300)] = Field(
        default="", description="Why, for the moderation log."
    )


# --- Blocks ------------------------------------------------------------------------------


@router.get("/me/blocks", response={200: BlockList, **READ}, auth=SIGNED_IN, tags=["blocks"])
def list_blocks(request: HttpRequest) -> BlockList:
    """The members you blocked. Blocks are private: nobody is told."""
    user = signed_in(request)
    check_manage_blocks(user)
    items = [
        BlockOut(user=user_summary(block.blocked), created_at=block.created_at)
        for block in list_blocked(user)[:500]
    ]
    return BlockList(items=items)


@router.post("/me/blocks", response={201: BlockOut, **WRITE}, auth=SIGNED_IN, tags=["blocks"])
def create_block(request: HttpRequest, payload: BlockIn) -> Status[BlockOut]:
    """Block a member: each of you sees the other's posts collapsed, and neither can mention
    or notify the other. Blocking again keeps the first block."""
    user = signed_in(request)
    target = account_queries.get_profile(user, payload.handle)
    block = blocks.block_member(user, target)
    return Status(201, BlockOut(user=user_summary(target), created_at=block.created_at))


@router.delete(
    "/me/blocks/{handle}", response={204: None, **WRITE}, auth=SIGNED_IN, tags=["blocks"]
)
def delete_block(request: HttpRequest, handle: str = HANDLE) -> Status[None]:
    """Unblock a member (a member you had not blocked answers 204 too)."""
    user = signed_in(request)
    target = account_queries.get_profile(user, handle)
    blocks.unblock_member(user, target)
    return Status(204, None)


# --- Affiliations ------------------------------------------------------------------------


@router.get(
    "/communities/{slug}/affiliations",
    response={200: AffiliationList, **READ},
    auth=ANYONE,
    openapi_extra=OPTIONAL_SECURITY,
    tags=["affiliations"],
)
def list_affiliations(request: HttpRequest, slug: str = SLUG) -> AffiliationList:
    """Members with an affiliation (staff, brand, partner, ambassador): whoever reads the
    community (404 otherwise)."""
    community = community_queries.get_readable_community(caller(request), slug)
    memberships = (
        Membership.objects.filter(community=community)
        .exclude(affiliation="")
        .select_related("user")
        .order_by("user__handle")[:500]
    )
    return AffiliationList(
        items=[
            AffiliationOut(
                user=user_summary(m.user),
                affiliation=m.affiliation,  # type: ignore[arg-type]
                affiliation_name=m.affiliation_name,
            )
            for m in memberships
        ]
    )


@router.put(
    "/communities/{slug}/members/{handle}/affiliation",
    response={200: MemberAffiliationOut, **WRITE},
    auth=SIGNED_IN,
    tags=["affiliations"],
)
def set_affiliation(
    request: HttpRequest, payload: AffiliationIn, slug: str = SLUG, handle: str = HANDLE
) -> MemberAffiliationOut:
    """Mark a member's affiliation (hosts). It then stands next to their name on every post,
    card, email and API representation in the community; they cannot hide it."""
    user = signed_in(request)
    community = community_queries.get_readable_community(user, slug)
    membership = community_queries.get_membership(user, community, handle)
    membership.community = community
    affiliations.set_affiliation(user, membership, payload.affiliation, payload.affiliation_name)
    return MemberAffiliationOut(
        user=user_summary(membership.user),
        affiliation=membership.affiliation,  # type: ignore[arg-type]
        affiliation_name=membership.affiliation_name,
    )


# --- Disclosure labels -------------------------------------------------------------------


@router.post(
    "/posts/{post_id}/disclosure/remove",
    response={200: PostOut, **WRITE},
    auth=SIGNED_IN,
    tags=["posts"],
)
def remove_disclosure(
    request: HttpRequest, payload: DisclosureRemoveIn, post_id: int = POST_ID
) -> PostOut:
    """Remove a post's sponsored or gift label (hosts), recorded in the moderation log.
    A post without a label answers `422`."""
    user = signed_in(request)
    post = resolve_post(request, post_id)
    disclosure_actions.remove_disclosure(user, post, payload.reason)
    return _post(user, post)
