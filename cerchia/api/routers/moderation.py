"""Reports and the review queue: members report posts, topics and members; hosts review
reports and held posts, hide posts and show them again.

Thin handlers over ``cerchia.moderation``: the queries and actions check who may (the
community's hosts and site admins for the queue; 403 for other readers, 404 for the rest).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from pydantic import BaseModel, Field, StringConstraints

from cerchia.accounts.models import User
from cerchia.api.auth import SIGNED_IN, caller, signed_in
from cerchia.api.errors import problems
from cerchia.api.routers.communities import SLUG, resolve_community
from cerchia.api.routers.discussions import POST_ID, resolve_post, resolve_topic
from cerchia.api.schemas import Body, UserSummary, user_summary
from cerchia.communities import queries as community_queries
from cerchia.communities.models import Community
from cerchia.moderation import queries_queue
from cerchia.moderation.actions import held as held_actions
from cerchia.moderation.actions import reports as report_actions
from cerchia.moderation.actions import review
from cerchia.moderation.actions.reports import NOTE_MAX_LENGTH
from cerchia.moderation.models import HeldPost, Report

router = Router(tags=["moderation"])

READ = {**problems(400, 401, 403, 404, 422, 429)}
WRITE = {**problems(401, 403, 404, 409, 422, 429)}
REPORT_ID = Path(..., ge=1, le=2**63 - 1, description="The report's id.")
HELD_ID = Path(..., ge=1, le=2**63 - 1, description="The held submission's id.")
PAGE = Query(1, ge=1, le=queries_queue.MAX_PAGE, description="The page (20 a page).")

ReportReasonName = Literal["spam", "harassment", "off_topic", "other"]
ReportTargetName = Literal["post", "topic", "member"]
ResolutionName = Literal["hide", "delete", "lock"]
Note = Annotated[str, StringConstraints(max_length=NOTE_MAX_LENGTH)]


# --- Shapes -----------------------------------------------------------------------------------


class ReportCreate(Body):
    """Name exactly one thing: `post_id`, `topic_id`, or a member's `handle`."""

    post_id: int | None = Field(None, ge=1, le=2**63 - 1)
    topic_id: int | None = Field(None, ge=1, le=2**63 - 1)
    handle: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    reason: ReportReasonName
    note: Note = ""


class ReportOut(BaseModel):
    id: int
    community: str = Field(description="The community's address.")
    target: ReportTargetName
    reason: ReportReasonName
    note: str
    status: Literal["open", "handled", "dismissed"]
    created_at: datetime


class ReportItem(BaseModel):
    id: int
    reporter: UserSummary | None
    reason: ReportReasonName
    note: str
    created_at: datetime


class ReportedPost(BaseModel):
    id: int
    topic_id: int
    number: int
    author: UserSummary | None
    body: str
    hidden: bool
    deleted: bool


class ReportGroupOut(BaseModel):
    """Every open report on one thing; act on any of them to handle them all."""

    target: ReportTargetName
    target_key: str = Field(description="`post:12`, `topic:3` or `member:7`.")
    report_count: int
    first_reported_at: datetime
    post: ReportedPost | None = Field(description="The post, or a topic's opening post.")
    topic_id: int | None
    topic_title: str | None
    member: UserSummary | None
    reports: list[ReportItem]


class ReportGroupList(BaseModel):
    items: list[ReportGroupOut]
    next_page: int | None


class HeldItem(BaseModel):
    id: int
    author: UserSummary
    topic_id: int | None = Field(description="The topic replied to; `null` for a new topic.")
    title: str
    body: str
    reason: str = Field(description="`premoderation`, `newcomer`, `rule`, `duplicate` or `limit`.")
    rule: str | None = Field(description="The word or domain of the rule that held it.")
    status: Literal["pending", "approved", "rejected"]
    created_at: datetime


class HeldList(BaseModel):
    items: list[HeldItem]
    next_page: int | None


class QueueCountsOut(BaseModel):
    reports: int = Field(description="Reported things waiting (not reports).")
    held: int = Field(description="Posts awaiting approval.")


class DismissIn(Body):
    note: Note = ""


class ResolveIn(Body):
    action: ResolutionName = Field(
        description="`hide` or `delete` the post (a topic's opening post), or `lock` the topic."
    )


class ReportsClosed(BaseModel):
    closed: list[int] = Field(description="The ids of the reports this closed.")


class RejectIn(Body):
    note: Annotated[str, StringConstraints(max_length=2000)] = ""


class ApprovedOut(BaseModel):
    post_id: int
    topic_id: int
    number: int


class HiddenOut(BaseModel):
    post_id: int
    hidden: bool


def _readable(request: HttpRequest, slug: str) -> Community:
    """The community in the URL if the caller may read it (404 otherwise, like the pages)."""
    return community_queries.get_readable_community(caller(request), slug)


def report_out(report: Report, community: Community) -> ReportOut:
    return ReportOut(
        id=report.pk,
        community=community.slug,
        target=report.target,  # type: ignore[arg-type]
        reason=report.reason,  # type: ignore[arg-type]
        note=report.note,
        status=report.status,  # type: ignore[arg-type]
        created_at=report.created_at,
    )


def _maybe(user: User | None) -> UserSummary | None:
    return user_summary(user) if user is not None else None


def group_out(group: queries_queue.ReportGroup) -> ReportGroupOut:
    post = group.post
    return ReportGroupOut(
        target=group.target,  # type: ignore[arg-type]
        target_key=group.target_key,
        report_count=group.count,
        first_reported_at=group.first_at,
        post=ReportedPost(
            id=post.pk,
            topic_id=post.topic_id,
            number=post.number,
            author=_maybe(post.author),
            body=post.body,
            hidden=post.is_hidden,
            deleted=post.is_deleted,
        )
        if post is not None
        else None,
        topic_id=group.topic.pk if group.topic is not None else None,
        topic_title=group.topic.title if group.topic is not None else None,
        member=_maybe(group.member),
        reports=[
            ReportItem(
                id=report.pk,
                reporter=_maybe(report.reporter),
                reason=report.reason,  # type: ignore[arg-type]
                note=report.note,
                created_at=report.created_at,
            )
            for report in group.reports
        ],
    )


def held_item(held: HeldPost) -> HeldItem:
    return HeldItem(
        id=held.pk,
        author=user_summary(held.author),
        topic_id=held.topic_id,
        title=held.title,
        body=held.body,
        reason=held.reason,
        rule=held.rule.pattern if held.rule is not None else None,
        status=held.status,  # type: ignore[arg-type]
        created_at=held.created_at,
    )


# --- Reporting --------------------------------------------------------------------------------


@router.post(
    "/communities/{slug}/reports",
    response={201: ReportOut, **WRITE},
    auth=SIGNED_IN,
)
def create_report(
    request: HttpRequest, payload: ReportCreate, slug: str = SLUG
) -> Status[ReportOut]:
    """Report a post, a topic or a member of the community to its hosts (anyone signed in
    who may read it, not one's own). One open report per thing: a second answers 409."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    named = [v for v in (payload.post_id, payload.topic_id, payload.handle) if v is not None]
    if len(named) != 1:
        raise ValidationError({"post_id": _("Name exactly one post, topic or member.")})
    if payload.post_id is not None:
        post = resolve_post(request, payload.post_id)
        if post.community_id != community.pk:
            raise Http404(_("No such post."))
        report = report_actions.report_post(user, post, reason=payload.reason, note=payload.note)
    elif payload.topic_id is not None:
        topic = resolve_topic(request, payload.topic_id)
        if topic.community_id != community.pk:
            raise Http404(_("No such topic."))
        report = report_actions.report_topic(user, topic, reason=payload.reason, note=payload.note)
    else:
        member = User.objects.filter(handle__iexact=(payload.handle or "").lstrip("@")).first()
        if member is None:
            raise Http404(_("No such member."))
        report = report_actions.report_member(
            user, community, member, reason=payload.reason, note=payload.note
        )
    return Status(201, report_out(report, community))


# --- The queue --------------------------------------------------------------------------------


@router.get(
    "/communities/{slug}/moderation/queue",
    response={200: QueueCountsOut, **READ},
    auth=SIGNED_IN,
)
def get_queue_counts(request: HttpRequest, slug: str = SLUG) -> QueueCountsOut:
    """What waits for the hosts: reported things and posts awaiting approval (hosts)."""
    user = signed_in(request)
    counts = queries_queue.queue_counts(user, _readable(request, slug))
    return QueueCountsOut(reports=counts.reports, held=counts.held)


@router.get(
    "/communities/{slug}/moderation/reports",
    response={200: ReportGroupList, **READ},
    auth=SIGNED_IN,
)
def list_reports(request: HttpRequest, slug: str = SLUG, page: int = PAGE) -> ReportGroupList:
    """Open reports grouped by the thing reported, oldest first (hosts)."""
    user = signed_in(request)
    result = queries_queue.list_report_groups(user, _readable(request, slug), page)
    return ReportGroupList(
        items=[group_out(group) for group in result.items], next_page=result.next_page
    )


def _report(request: HttpRequest, slug: str, report_id: int) -> tuple[User, Report]:
    user = signed_in(request)
    community = _readable(request, slug)
    return user, queries_queue.get_report(user, community, report_id)


@router.post(
    "/communities/{slug}/moderation/reports/{report_id}/dismiss",
    response={200: ReportsClosed, **WRITE},
    auth=SIGNED_IN,
)
def dismiss_report(
    request: HttpRequest, payload: DismissIn, slug: str = SLUG, report_id: int = REPORT_ID
) -> ReportsClosed:
    """Nothing to do: close every open report on the thing; reporters hear no action was
    needed (hosts)."""
    user, report = _report(request, slug, report_id)
    return ReportsClosed(closed=review.dismiss_report(user, report, note=payload.note))


@router.post(
    "/communities/{slug}/moderation/reports/{report_id}/resolve",
    response={200: ReportsClosed, **WRITE},
    auth=SIGNED_IN,
)
def resolve_report(
    request: HttpRequest, payload: ResolveIn, slug: str = SLUG, report_id: int = REPORT_ID
) -> ReportsClosed:
    """Hide or delete the reported post, or lock its topic, and close every open report on
    the thing; reporters hear it was reviewed, nothing more (hosts). A member report is
    dismissed or answered with a sanction instead (409)."""
    user, report = _report(request, slug, report_id)
    return ReportsClosed(closed=review.resolve_report(user, report, payload.action))


@router.get(
    "/communities/{slug}/moderation/held",
    response={200: HeldList, **READ},
    auth=SIGNED_IN,
)
def list_held(request: HttpRequest, slug: str = SLUG, page: int = PAGE) -> HeldList:
    """Posts awaiting approval, oldest first (hosts)."""
    user = signed_in(request)
    result = queries_queue.list_held_posts(user, _readable(request, slug), page)
    return HeldList(items=[held_item(held) for held in result.items], next_page=result.next_page)


def _held(request: HttpRequest, slug: str, held_id: int) -> tuple[User, HeldPost]:
    user = signed_in(request)
    community = _readable(request, slug)
    return user, queries_queue.get_held_post(user, community, held_id)


@router.get(
    "/communities/{slug}/moderation/held/{held_id}",
    response={200: HeldItem, **READ},
    auth=SIGNED_IN,
)
def get_held(request: HttpRequest, slug: str = SLUG, held_id: int = HELD_ID) -> HeldItem:
    """One held submission, whatever its review status (hosts)."""
    _user, held = _held(request, slug, held_id)
    return held_item(held)


@router.post(
    "/communities/{slug}/moderation/held/{held_id}/approve",
    response={200: ApprovedOut, **WRITE},
    auth=SIGNED_IN,
)
def approve_held(request: HttpRequest, slug: str = SLUG, held_id: int = HELD_ID) -> ApprovedOut:
    """Publish a held post as its author, with the notifications it would have sent; the
    author is told (hosts). 409 when it was already reviewed."""
    user, held = _held(request, slug, held_id)
    post = held_actions.approve_held_post(user, held)
    return ApprovedOut(post_id=post.pk, topic_id=post.topic_id, number=post.number)


@router.post(
    "/communities/{slug}/moderation/held/{held_id}/reject",
    response={200: HeldItem, **WRITE},
    auth=SIGNED_IN,
)
def reject_held(
    request: HttpRequest, payload: RejectIn, slug: str = SLUG, held_id: int = HELD_ID
) -> HeldItem:
    """Decline a held post; the author is told, with the note (hosts)."""
    user, held = _held(request, slug, held_id)
    held_actions.reject_held_post(user, held, note=payload.note)
    return held_item(held)


# --- Hiding a post ------------------------------------------------------------------------------


@router.put(
    "/posts/{post_id}/hidden",
    response={200: HiddenOut, **WRITE},
    auth=SIGNED_IN,
    tags=["posts"],
)
def hide_post(request: HttpRequest, post_id: int = POST_ID) -> HiddenOut:
    """Hide a post: collapsed for everyone but its author and the hosts; it keeps its
    place (hosts). Doing it twice is harmless."""
    user = signed_in(request)
    post = resolve_post(request, post_id)
    review.hide_post(user, post)
    return HiddenOut(post_id=post.pk, hidden=True)


@router.delete(
    "/posts/{post_id}/hidden",
    response={204: None, **WRITE},
    auth=SIGNED_IN,
    tags=["posts"],
)
def unhide_post(request: HttpRequest, post_id: int = POST_ID) -> Status[None]:
    """Show a hidden post again (hosts)."""
    user = signed_in(request)
    review.unhide_post(user, resolve_post(request, post_id))
    return Status(204, None)
