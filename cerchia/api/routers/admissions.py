"""Getting in: join requests answered by hosts, and invitations by link or email."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from ninja import Path, Router, Status

from cerchia.api.auth import SIGNED_IN, signed_in
from cerchia.api.errors import problems
from cerchia.api.routers.communities import SLUG, resolve_community
from cerchia.api.schemas import (
    DecisionIn,
    DecisionOut,
    InvitationCreated,
    InvitationIn,
    InvitationList,
    JoinIn,
    JoinOutcomeOut,
    JoinRequestIn,
    JoinRequestList,
    JoinRequestOut,
    invitation_out,
    invitation_url,
    join_request_out,
    outcome_out,
)
from cerchia.communities import actions, queries
from cerchia.insights.actions_fields import request_with_answers

router = Router()


# --- Join requests ------------------------------------------------------------------


@router.post(
    "/communities/{slug}/join-requests",
    response={201: JoinRequestOut, **problems(401, 403, 404, 409, 422, 429)},
    auth=SIGNED_IN,
    tags=["join requests"],
)
def request_to_join(
    request: HttpRequest, payload: JoinRequestIn, slug: str = SLUG
) -> Status[JoinRequestOut]:
    """Ask to join a community whose policy is `request`, answering every screening
    question in order. The hosts decide; you hear the outcome by email."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    join_request = request_with_answers(
        user,
        community,
        answers=payload.answers,
        message=payload.message,
        accept_rules=payload.accept_rules,
        field_answers=payload.fields,
    )
    return Status(201, join_request_out(join_request))


@router.get(
    "/communities/{slug}/join-requests",
    response={200: JoinRequestList, **problems(401, 403, 404, 429)},
    auth=SIGNED_IN,
    tags=["join requests"],
)
def list_join_requests(request: HttpRequest, slug: str = SLUG) -> JoinRequestList:
    """Pending requests, oldest first (hosts)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    return JoinRequestList(
        items=[join_request_out(r) for r in queries.list_pending_requests(user, community)]
    )


def _decide(
    request: HttpRequest, slug: str, request_id: int, payload: DecisionIn, approve: bool
) -> DecisionOut:
    user = signed_in(request)
    community = resolve_community(request, slug)
    join_request = queries.get_join_request(user, community, request_id)
    outcome: str | None = None
    if approve:
        outcome = actions.approve_join_request(user, join_request, note=payload.note).status
    else:
        actions.decline_join_request(user, join_request, note=payload.note)
    return DecisionOut(join_request=join_request_out(join_request), outcome=outcome)  # type: ignore[arg-type]


@router.post(
    "/communities/{slug}/join-requests/{request_id}/approve",
    response={200: DecisionOut, **problems(401, 403, 404, 409, 422, 429)},
    auth=SIGNED_IN,
    tags=["join requests"],
)
def approve_join_request(
    request: HttpRequest, payload: DecisionIn, request_id: int, slug: str = SLUG
) -> DecisionOut:
    """Let the applicant in (hosts), or onto the waitlist when the community is full.
    The applicant is told by email. 403 or 409 once the request has been decided."""
    return _decide(request, slug, request_id, payload, approve=True)


@router.post(
    "/communities/{slug}/join-requests/{request_id}/decline",
    response={200: DecisionOut, **problems(401, 403, 404, 409, 422, 429)},
    auth=SIGNED_IN,
    tags=["join requests"],
)
def decline_join_request(
    request: HttpRequest, payload: DecisionIn, request_id: int, slug: str = SLUG
) -> DecisionOut:
    """Decline a pending request (hosts); the applicant is told by email, with your note."""
    return _decide(request, slug, request_id, payload, approve=False)


# --- Invitations ----------------------------------------------------------------------


@router.get(
    "/communities/{slug}/invitations",
    response={200: InvitationList, **problems(401, 403, 404, 429)},
    auth=SIGNED_IN,
    tags=["invitations"],
)
def list_invitations(request: HttpRequest, slug: str = SLUG) -> InvitationList:
    """Invitations that can still be used, newest first (hosts). Tokens are not shown again."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    return InvitationList(
        items=[invitation_out(i) for i in queries.list_invitations(user, community)]
    )


@router.post(
    "/communities/{slug}/invitations",
    response={201: InvitationCreated, **problems(401, 403, 404, 422, 429)},
    auth=SIGNED_IN,
    tags=["invitations"],
)
def create_invitation(
    request: HttpRequest, payload: InvitationIn, slug: str = SLUG
) -> Status[InvitationCreated]:
    """Create an invitation link (hosts), or invite one person by email (the email is sent
    for you). The answer holds the link: keep it, it is not shown again."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    hours = payload.expires_in_hours
    invitation = actions.create_invitation(
        user,
        community,
        email=payload.email,
        expires_in=timedelta(hours=hours) if hours is not None else None,
        max_uses=payload.max_uses,
    )
    created = InvitationCreated(
        **invitation_out(invitation).model_dump(),
        token=invitation.token,
        url=invitation_url(invitation),
    )
    return Status(201, created)


@router.delete(
    "/communities/{slug}/invitations/{invitation_id}",
    response={204: None, **problems(401, 403, 404, 422, 429)},
    auth=SIGNED_IN,
    tags=["invitations"],
)
def revoke_invitation(request: HttpRequest, invitation_id: int, slug: str = SLUG) -> Status[None]:
    """Revoke an invitation (hosts): its link stops working. Revoking twice is harmless."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    invitation = queries.get_invitation(user, community, invitation_id)
    actions.revoke_invitation(user, invitation)
    return Status(204, None)


@router.post(
    "/invitations/{token}/accept",
    response={201: JoinOutcomeOut, 202: JoinOutcomeOut, **problems(401, 403, 404, 409, 422, 429)},
    auth=SIGNED_IN,
    tags=["invitations"],
)
def accept_invitation(
    request: HttpRequest,
    payload: JoinIn,
    token: str = Path(..., min_length=1, max_length=64, description="The invitation's token."),
) -> Status[JoinOutcomeOut]:
    """Join through an invitation, whatever the join policy: 201 joined, or 202 waitlisted
    when full. 403 when it expired, was used up or was sent to another email address."""
    user = signed_in(request)
    invitation = queries.get_invitation_by_token(token)
    outcome = actions.accept_invitation(user, invitation, accept_rules=payload.accept_rules)
    status = 201 if outcome.status == "joined" else 202
    return Status(status, outcome_out(outcome, invitation.community))
