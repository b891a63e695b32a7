"""Your own account and other members' profiles."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Router, Status

from cerchia.accounts import actions as account_actions
from cerchia.accounts import queries as account_queries
from cerchia.accounts.models import User
from cerchia.api.auth import ANYONE, OPTIONAL_SECURITY, SIGNED_IN, caller, signed_in
from cerchia.api.errors import field_errors, problems
from cerchia.api.schemas import (
    MeOut,
    MePatch,
    MyMembershipList,
    MyMembershipOut,
    ProfileOut,
    community_card,
    me_out,
    profile_out,
)
from cerchia.communities import actions as community_actions
from cerchia.communities import queries as community_queries
from cerchia.communities.models import JoinRequest

router = Router(tags=["me and members"])


def _load_me(user: User) -> User:
    return User.objects.prefetch_related("interests").get(pk=user.pk)


@router.get("/me", response={200: MeOut, **problems(401, 429)}, auth=SIGNED_IN)
def get_me(request: HttpRequest) -> MeOut:
    """Your profile, preferences and consents."""
    return me_out(_load_me(signed_in(request)))


_PROFILE_FIELDS = {"display_name", "handle", "bio", "interests", "profile_visibility"}


@router.patch("/me", response={200: MeOut, **problems(401, 403, 422, 429)}, auth=SIGNED_IN)
def update_me(request: HttpRequest, payload: MePatch) -> MeOut:
    """Change your profile, preferences and consents; send only what changes.

    All or nothing: if any field is refused, nothing changes and the 422 lists every
    field error. While suspended you may still change language, timezone and consents
    (profile fields answer 403). Each consent change is recorded with its time.
    """
    user = signed_in(request)
    changes = payload.changes(exclude={"consents"})
    profile = {name: value for name, value in changes.items() if name in _PROFILE_FIELDS}
    consents = payload.consents.changes() if payload.consents is not None else {}
    calls: list[Any] = []
    if profile:
        calls.append(lambda: account_actions.update_profile(user, user, **profile))
    if "language" in changes or "timezone" in changes:
        calls.append(
            lambda: account_actions.update_preferences(
                user,
                user,
                language=changes.get("language"),
                timezone_name=changes.get("timezone"),
            )
        )
    if consents:
        calls.append(lambda: account_actions.update_consents(user, user, **consents))
    with transaction.atomic():
        errors: dict[str, list[str]] = {}
        for call in calls:
            try:
                call()
            except ValidationError as error:
                for field, messages in field_errors(error).items():
                    errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)  # rolls back what the other calls wrote
    return me_out(_load_me(user))


@router.get(
    "/me/memberships",
    response={200: MyMembershipList, **problems(401, 429)},
    auth=SIGNED_IN,
)
def list_my_memberships(request: HttpRequest) -> MyMembershipList:
    """The communities you belong to (hidden ones included), by name, with your role."""
    memberships = community_queries.list_my_memberships(signed_in(request))
    return MyMembershipList(
        items=[
            MyMembershipOut(
                community=community_card(m.community, is_member=True),
                role=m.role,  # type: ignore[arg-type]
                joined_at=m.joined_at,
            )
            for m in memberships
        ]
    )


@router.delete(
    "/me/join-requests/{request_id}",
    response={204: None, **problems(401, 403, 404, 422, 429)},
    auth=SIGNED_IN,
)
def withdraw_join_request(request: HttpRequest, request_id: int) -> Status[None]:
    """Withdraw your pending request to join a community. 403 once it has been decided."""
    user = signed_in(request)
    join_request = get_object_or_404(
        JoinRequest.objects.select_related("community", "user"), pk=request_id, user=user
    )
    community_actions.withdraw_join_request(user, join_request)
    return Status(204, None)


@router.get(
    "/users/{handle}",
    response={200: ProfileOut, **problems(401, 404, 429)},
    auth=ANYONE,
    openapi_extra=OPTIONAL_SECURITY,
)
def get_profile(
    request: HttpRequest,
    handle: str = Path(..., min_length=1, max_length=64, description="A member's handle."),
) -> ProfileOut:
    """A member's profile, if its visibility lets you see it (404 otherwise).

    `public` profiles show to anyone; `members` ones to people sharing a community;
    `private` ones to hosts of the member's communities. Only the communities you may
    see are listed.
    """
    viewer = caller(request)
    user = account_queries.get_profile(viewer, handle)
    memberships = account_queries.list_profile_memberships(viewer, user)
    return profile_out(user, memberships)
