"""Insights API: announcements (hosts only).

Thin handlers over ``cerchia.insights`` (``queries_announcements``, ``actions_announcements``):
list, create (now or scheduled, with an ``Idempotency-Key``), read and cancel.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Header, Path, Query, Router, Status
from pydantic import BaseModel

from cerchia.api.auth import SIGNED_IN, signed_in
from cerchia.api.errors import problems
from cerchia.api.routers.communities import CURSOR, SLUG, resolve_community
from cerchia.api.schemas import Body, UserSummary, user_summary
from cerchia.core.errors import ActionRefused
from cerchia.insights import actions_announcements as actions
from cerchia.insights import queries_announcements as queries
from cerchia.insights.models import Announcement
from cerchia.insights.queries_members import withheld

router = Router(tags=["insights"])

READ = {**problems(400, 401, 403, 404, 429)}
WRITE = {**problems(401, 403, 404, 409, 422, 429)}
ANNOUNCEMENT_ID = Path(..., ge=1, le=2**63 - 1, description="The announcement's id.")
IDEMPOTENCY_KEY = Header(
    "",
    alias="Idempotency-Key",
    max_length=80,
    description="Any unique string (a UUID): sending the same key again returns the "
    "announcement the first request created instead of sending twice.",
)


# --- Shapes -----------------------------------------------------------------------------------


class SegmentRef(BaseModel):
    id: int
    name: str


class AnnouncementOut(BaseModel):
    id: int
    title: str
    body: str = Field(description="Markdown.")
    status: Literal["scheduled", "sending", "sent", "cancelled"]
    segment: SegmentRef | None = Field(description="Null when it goes to the whole community.")
    audience_name: str = Field(
        description="The segment's name when it was scheduled or sent (kept if it is deleted)."
    )
    send_email: bool = Field(description="Also by email to members with marketing consent.")
    send_at: datetime
    sent_at: datetime | None
    topic_id: int | None = Field(description="The announcement topic, once sent.")
    recipient_count: int | None = Field(
        description="How many members it went to; null under 5 (the small-group rule)."
    )
    email_count: int | None = Field(
        description="How many were also emailed; null under 5 (the small-group rule)."
    )
    author: UserSummary | None
    created_at: datetime


class AnnouncementList(BaseModel):
    items: list[AnnouncementOut]
    next_cursor: str | None


class AnnouncementIn(Body):
    title: str = Field(min_length=1, max_length=actions.TITLE_MAX)
    body: str = Field(min_length=1, max_length=actions.BODY_MAX, description="Markdown.")
    segment_id: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="A segment of this community; omit for all."
    )
    send_email: bool = Field(
        default=True, description="Also by email to members who agreed to marketing email."
    )
    send_at: datetime | None = Field(
        default=None,
        strict=False,
        description="When to send it, with a timezone offset; omit (or give a past time) to "
        "send now.",
    )


def _shown(count: int) -> int | None:
    """A count, or None when it is over fewer than 5 members (never shown exactly)."""
    return None if withheld(count) else count


def announcement_out(announcement: Announcement) -> AnnouncementOut:
    segment = announcement.segment
    return AnnouncementOut(
        id=announcement.pk,
        title=announcement.title,
        body=announcement.body,
        status=announcement.status,  # type: ignore[arg-type]
        segment=SegmentRef(id=segment.pk, name=segment.name) if segment is not None else None,
        audience_name=announcement.audience_name,
        send_email=announcement.send_email,
        send_at=announcement.send_at,
        sent_at=announcement.sent_at,
        topic_id=announcement.topic_id,
        recipient_count=_shown(announcement.recipient_count),
        email_count=_shown(announcement.email_count),
        author=user_summary(announcement.author) if announcement.author is not None else None,
        created_at=announcement.created_at,
    )


# --- Handlers ---------------------------------------------------------------------------------


@router.get(
    "/communities/{slug}/announcements",
    response={200: AnnouncementList, **READ},
    auth=SIGNED_IN,
)
def list_announcements(
    request: HttpRequest,
    slug: str = SLUG,
    cursor: str | None = CURSOR,
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=100),
) -> AnnouncementList:
    """The community's announcements, latest (or next) send time first (hosts)."""
    community = resolve_community(request, slug)
    page = queries.list_announcements(signed_in(request), community, cursor=cursor, limit=limit)
    return AnnouncementList(
        items=[announcement_out(a) for a in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/communities/{slug}/announcements",
    response={201: AnnouncementOut, **WRITE},
    auth=SIGNED_IN,
)
def create_announcement(
    request: HttpRequest,
    payload: AnnouncementIn,
    slug: str = SLUG,
    idempotency_key: str = IDEMPOTENCY_KEY,
) -> Status[AnnouncementOut]:
    """Send an announcement now, or schedule it (hosts). To a segment, its topic is visible
    to the segment's members (and the hosts) only; the email goes only to recipients with
    marketing-email consent. With an `Idempotency-Key`, a repeat answers the first one."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    announcement = actions.create_announcement(
        user,
        community,
        title=payload.title,
        body=payload.body,
        segment=payload.segment_id,
        send_email=payload.send_email,
        send_at=payload.send_at,
        idempotency_key=idempotency_key,
    )
    if announcement.community_id != community.pk:
        raise ActionRefused(
            _("This Idempotency-Key was already used for another request; send a new one."),
            code="idempotency_key_reused",
            status=422,
        )
    loaded = queries.get_announcement(user, community, announcement.pk)
    return Status(201, announcement_out(loaded))


@router.get(
    "/communities/{slug}/announcements/{announcement_id}",
    response={200: AnnouncementOut, **READ},
    auth=SIGNED_IN,
)
def get_announcement(
    request: HttpRequest, slug: str = SLUG, announcement_id: int = ANNOUNCEMENT_ID
) -> AnnouncementOut:
    """One announcement, with its recipients and emails counts once sent (hosts)."""
    community = resolve_community(request, slug)
    return announcement_out(
        queries.get_announcement(signed_in(request), community, announcement_id)
    )


@router.post(
    "/communities/{slug}/announcements/{announcement_id}/cancel",
    response={200: AnnouncementOut, **WRITE},
    auth=SIGNED_IN,
)
def cancel_announcement(
    request: HttpRequest, slug: str = SLUG, announcement_id: int = ANNOUNCEMENT_ID
) -> AnnouncementOut:
    """Cancel a scheduled announcement (hosts); `422` once it was sent or cancelled."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    announcement = queries.get_announcement(user, community, announcement_id)
    actions.cancel_announcement(user, announcement)
    return announcement_out(announcement)
