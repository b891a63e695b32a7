"""Notifications: the signed-in member's list, unread count, marking read, email choices."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from cerchia.api.auth import SIGNED_IN, signed_in
from cerchia.api.errors import problems
from cerchia.api.schemas import PatchBody, unset
from cerchia.notifications import actions, queries
from cerchia.notifications.queries import NotificationRow

router = Router(tags=["notifications"])

NOTIFICATION_ID = Path(..., ge=1, le=2**63 - 1, description="The notification's id.")

CURSOR = Query(
    None, max_length=500, description="`next_cursor` from the previous page; omit for the first."
)


class ActorOut(Schema):
    handle: str
    name: str


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="mentioned, replied, quoted, watching, accepted_answer, …")
    text: str = Field(description="The sentence shown to the member, in their language.")
    url: str | None = Field(description="Where it leads (an absolute URL), if anywhere.")
    unread: bool
    actor: ActorOut | None
    actor_count: int = Field(description="How many people it gathers (reactions).")
    community_slug: str | None
    topic_id: int | None
    post_id: int | None
    created_at: datetime
    updated_at: datetime = Field(description="When something was last added; the list's order.")
    read_at: datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None


class UnreadCountOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


class PreferencesOut(Schema):
    email: dict[str, bool] = Field(description="Kind → emailed at once (mentioned, replied, …).")
    digest: Literal["off", "daily", "weekly"]
    quiet_start: time | None = Field(description="Quiet hours start, in the member's timezone.")
    quiet_end: time | None
    language: str = Field(description="Emails are written in it (set on /me).")
    timezone: str = Field(description="Quiet hours follow it (set on /me).")


#: A time of day as "HH:MM" (or "HH:MM:SS"), read from its JSON string.
TimeOfDay = Annotated[time, Field(strict=False)]


class PreferencesPatch(PatchBody):
    """What to change; omitted fields stay as they are."""

    nullable = frozenset({"quiet_start", "quiet_end"})

    email: dict[str, bool] = unset(
        description="Kind → email at once, for the kinds to change (mentioned, replied, "
        "quoted, accepted_answer)."
    )
    digest: Literal["off", "daily", "weekly"] = unset()
    quiet_start: TimeOfDay | None = Field(
        default=None, description="In your timezone; `null` (with `quiet_end`) for none."
    )
    quiet_end: TimeOfDay | None = Field(default=None)


def notification_out(row: NotificationRow) -> NotificationOut:
    n = row.notification
    return NotificationOut(
        id=n.pk,
        kind=n.kind,
        text=row.text,
        url=settings.SITE_URL + row.url if row.url else None,
        unread=n.read_at is None,
        actor=ActorOut(handle=n.actor.handle, name=n.actor.name) if n.actor else None,
        actor_count=n.actor_count,
        community_slug=row.community.slug if row.community else None,
        topic_id=n.topic_id,
        post_id=n.post_id,
        created_at=n.created_at,
        updated_at=n.updated_at,
        read_at=n.read_at,
    )


def preferences_out(preferences: queries.Preferences) -> PreferencesOut:
    return PreferencesOut(
        email=preferences.email,
        digest=preferences.digest,  # type: ignore[arg-type]
        quiet_start=preferences.quiet_start,
        quiet_end=preferences.quiet_end,
        language=preferences.language or settings.LANGUAGE_CODE,
        timezone=preferences.timezone or settings.TIME_ZONE,
    )


@router.get(
    "/me/notifications",
    response={200: NotificationPage, **problems(400, 401, 422, 429)},
    auth=SIGNED_IN,
)
def list_notifications(
    request: HttpRequest,
    unread: bool = False,
    cursor: str | None = CURSOR,
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=100),
) -> NotificationPage:
    """Your notifications, newest activity first; `unread=true` for the unread ones only."""
    page = queries.list_notifications(signed_in(request), cursor=cursor, unread=unread, limit=limit)
    return NotificationPage(
        items=[notification_out(row) for row in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/me/notifications/unread-count",
    response={200: UnreadCountOut, **problems(401, 429)},
    auth=SIGNED_IN,
)
def count_unread_notifications(request: HttpRequest) -> UnreadCountOut:
    """How many of your notifications are unread (the badge)."""
    return UnreadCountOut(unread=queries.count_unread(signed_in(request)))


@router.post(
    "/me/notifications/{notification_id}/read",
    response={204: None, **problems(401, 403, 404, 429)},
    auth=SIGNED_IN,
)
def mark_notification_read(
    request: HttpRequest, notification_id: int = NOTIFICATION_ID
) -> Status[None]:
    """Mark one of your notifications read (404 for anyone else's). Harmless twice."""
    user = signed_in(request)
    actions.mark_read(user, queries.get_notification(user, notification_id))
    return Status(204, None)


@router.post(
    "/me/notifications/read",
    response={200: MarkedOut, **problems(401, 403, 429)},
    auth=SIGNED_IN,
)
def mark_all_notifications_read(request: HttpRequest) -> MarkedOut:
    """Mark all your notifications read; how many were unread."""
    return MarkedOut(marked=actions.mark_all_read(signed_in(request)))


@router.get(
    "/me/notification-preferences",
    response={200: PreferencesOut, **problems(401, 429)},
    auth=SIGNED_IN,
)
def get_notification_preferences(request: HttpRequest) -> PreferencesOut:
    """Which notifications you get by email at once, your digest, and quiet hours."""
    return preferences_out(queries.get_preferences(signed_in(request)))


@router.patch(
    "/me/notification-preferences",
    response={200: PreferencesOut, **problems(401, 403, 422, 429)},
    auth=SIGNED_IN,
)
def update_notification_preferences(
    request: HttpRequest, payload: PreferencesPatch
) -> PreferencesOut:
    """Change what is given: `email` per kind, `digest`, quiet hours (both ends, or
    both `null` to have none)."""
    user = signed_in(request)
    given = payload.model_fields_set
    actions.update_preferences(
        user,
        email=payload.email,
        digest=payload.digest,
        quiet_start=payload.quiet_start if "quiet_start" in given else ...,
        quiet_end=payload.quiet_end if "quiet_end" in given else ...,
    )
    return preferences_out(queries.get_preferences(user))
