"""Sanctions, appeals, moderator notes, message templates, the moderation log, suspensions.

Thin handlers over ``cerchia.moderation``: the sanctioned member reads their own sanctions
and appeals; hosts sanction, lift, answer appeals, keep notes (never shown to the member)
and read the log; anyone who reads a community reads its public log when the hosts
publish it; site admins suspend accounts everywhere.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from pydantic import BaseModel, Field

from cerchia.accounts import actions as account_actions
from cerchia.accounts.models import User
from cerchia.api.auth import ANYONE, OPTIONAL_SECURITY, SIGNED_IN, caller, signed_in
from cerchia.api.errors import problems
from cerchia.api.routers.communities import CURSOR, SLUG, resolve_community
from cerchia.api.schemas import Body, UserSummary, user_summary
from cerchia.moderation import queries_sanctions as queries
from cerchia.moderation.actions import appeals as appeal_actions
from cerchia.moderation.actions import notes as note_actions
from cerchia.moderation.actions import sanctions as actions
from cerchia.moderation.models import Appeal, ModeratorNote, Report, Sanction

router = Router(tags=["moderation"])

SANCTION_ID = Path(..., ge=1, le=2**63 - 1, description="The sanction's id.")
APPEAL_ID = Path(..., ge=1, le=2**63 - 1, description="The appeal's id.")
USER_ID = Path(..., ge=1, le=2**63 - 1, description="The account's id.")
HANDLE = Path(..., min_length=1, max_length=31, description="The member's handle.")
ACTION_FILTER = Query(None, description="Only this action.")
READ = {**problems(400, 401, 403, 404, 422, 429)}
WRITE = {**problems(401, 403, 404, 409, 422, 429)}

StepName = Literal["nudge", "warning", "mute", "ban"]
StatusName = Literal["active", "lifted", "ended", "given"]
AppealStatusName = Literal["pending", "upheld", "granted"]
LogActionName = Literal[
    "report_dismissed",
    "post_hidden",
    "post_unhidden",
    "post_deleted",
    "topic_locked",
    "post_approved",
    "post_rejected",
    "sanction",
    "sanction_lifted",
    "appeal_answered",
    "disclosure_removed",
    "affiliation_changed",
]
Text = Annotated[str, Field(max_length=5000)]


# --- Schemas -------------------------------------------------------------------------------------


class AppealOut(BaseModel):
    id: int
    body: str
    status: AppealStatusName
    answer: str
    created_at: datetime
    decided_at: datetime | None


class MySanctionOut(BaseModel):
    """A sanction as the member sees it: no host names, no notes."""

    id: int
    community: str = Field(description="The community's slug.")
    community_name: str
    kind: StepName
    reason: str
    message: str
    created_at: datetime
    ends_at: datetime | None = Field(description="When a mute or ban ends; null: no end.")
    status: StatusName
    appeal: AppealOut | None
    can_appeal: bool


class MySanctionList(BaseModel):
    items: list[MySanctionOut]


class SanctionOut(BaseModel):
    """A sanction as the hosts see it."""

    id: int
    member: UserSummary
    kind: StepName
    reason: str
    message: str
    report_id: int | None
    created_by: UserSummary | None
    created_at: datetime
    ends_at: datetime | None
    status: StatusName
    lifted_at: datetime | None
    lifted_by: UserSummary | None
    lift_note: str
    appeal: AppealOut | None


class SanctionList(BaseModel):
    items: list[SanctionOut]


class SanctionIn(Body):
    handle: Annotated[str, Field(min_length=1, max_length=31)] = Field(
        description="The member to sanction."
    )
    kind: StepName = Field(description="The step: `nudge`, `warning`, `mute` or `ban`.")
    reason: Annotated[str, Field(min_length=1, max_length=300)] = Field(
        description="The rule or reason cited (shown to the member and in the public log)."
    )
    message: Text | None = Field(
        default=None, description="To the member; omit for the community's message for the step."
    )
    duration_hours: Annotated[int, Field(ge=1, le=2160)] | None = Field(
        default=None,
        description="Mutes (required) and bans (optional; none is permanent): 1 to 2160 hours.",
    )
    report_id: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = Field(
        default=None, description="The report this answers; it is closed as handled."
    )


class LiftIn(Body):
    note: Annotated[str, Field(max_length=2000)] = ""


class AppealIn(Body):
    body: Annotated[str, Field(min_length=1, max_length=5000)]


class HostAppealOut(AppealOut):
    sanction: SanctionOut
    decided_by: UserSummary | None


class HostAppealList(BaseModel):
    items: list[HostAppealOut]


class AnswerIn(Body):
    granted: bool = Field(description="`true` lifts the sanction; `false` upholds it.")
    answer: Annotated[str, Field(min_length=1, max_length=5000)]


class NoteOut(BaseModel):
    id: int
    body: str
    author: UserSummary | None
    created_at: datetime


class NoteList(BaseModel):
    items: list[NoteOut]


class NoteIn(Body):
    body: Annotated[str, Field(min_length=1, max_length=5000)]


class TemplateOut(BaseModel):
    kind: StepName
    message: str = Field(description="The community's own message; empty: the built-in one.")
    default_message: str


class TemplateList(BaseModel):
    items: list[TemplateOut]


class TemplateIn(Body):
    message: Text = Field(description="Empty restores the built-in message.")


class LogEntryOut(BaseModel):
    id: int
    action: LogActionName
    detail: str
    actor: UserSummary | None
    member: UserSummary | None
    post_id: int | None
    topic_id: int | None
    rule: str
    note: str
    created_at: datetime


class LogPage(BaseModel):
    items: list[LogEntryOut]
    next_cursor: str | None


class PublicLogEntryOut(BaseModel):
    """What the public log shows: action, step, rule cited, date. No names, no links."""

    action: LogActionName
    step: str
    rule: str
    created_at: datetime


class PublicLogPage(BaseModel):
    items: list[PublicLogEntryOut]
    next_cursor: str | None


class SuspendIn(Body):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class AccountStatusOut(BaseModel):
    handle: str
    suspended: bool
    suspended_at: datetime | None
    changed: bool = Field(description="`false` when the account already was in this state.")


# --- Conversions ---------------------------------------------------------------------------------


def _summary(user: User | None) -> UserSummary | None:
    return user_summary(user) if user is not None else None


def _appeal_out(appeal: Appeal | None) -> AppealOut | None:
    if appeal is None:
        return None
    return AppealOut(
        id=appeal.pk,
        body=appeal.body,
        status=appeal.status,  # type: ignore[arg-type]
        answer=appeal.answer,
        created_at=appeal.created_at,
        decided_at=appeal.decided_at,
    )


def _my_out(row: queries.SanctionRow) -> MySanctionOut:
    sanction = row.sanction
    return MySanctionOut(
        id=sanction.pk,
        community=sanction.community.slug,
        community_name=sanction.community.name,
        kind=sanction.kind,  # type: ignore[arg-type]
        reason=sanction.reason,
        message=sanction.message,
        created_at=sanction.created_at,
        ends_at=sanction.ends_at,
        status=row.status,  # type: ignore[arg-type]
        appeal=_appeal_out(row.appeal),
        can_appeal=row.appealable,
    )


def _sanction_out(sanction: Sanction, appeal: Appeal | None = None) -> SanctionOut:
    return SanctionOut(
        id=sanction.pk,
        member=user_summary(sanction.member),
        kind=sanction.kind,  # type: ignore[arg-type]
        reason=sanction.reason,
        message=sanction.message,
        report_id=sanction.report_id,
        created_by=_summary(sanction.created_by),
        created_at=sanction.created_at,
        ends_at=sanction.ends_at,
        status=queries.sanction_status(sanction),  # type: ignore[arg-type]
        lifted_at=sanction.lifted_at,
        lifted_by=_summary(sanction.lifted_by),
        lift_note=sanction.lift_note,
        appeal=_appeal_out(appeal),
    )


def _member(handle: str, field: str | None = None) -> User:
    user = User.objects.filter(handle__iexact=handle.lstrip("@"), deleted_at__isnull=True).first()
    if user is None:
        if field:
            raise ValidationError({field: [_("No such member.")]})
        raise Http404(_("No such member."))
    return user


# --- The member's own sanctions ------------------------------------------------------------------


@router.get("/me/sanctions", response={200: MySanctionList, **READ}, auth=SIGNED_IN)
def list_my_sanctions(request: HttpRequest) -> MySanctionList:
    """Your sanctions in every community, newest first: reason, message, end, status, appeal."""
    return MySanctionList(items=[_my_out(row) for row in queries.my_sanctions(signed_in(request))])


@router.post(
    "/me/sanctions/{sanction_id}/appeal",
    response={201: AppealOut, **WRITE},
    auth=SIGNED_IN,
)
def appeal_sanction(
    request: HttpRequest, payload: AppealIn, sanction_id: int = SANCTION_ID
) -> Status[AppealOut]:
    """Appeal one of your sanctions, once, while it is in force (a nudge or warning for 30
    days). 409 `already_appealed` or `appeal_closed`."""
    user = signed_in(request)
    sanction = queries.get_my_sanction(user, sanction_id)
    appeal = appeal_actions.appeal_sanction(user, sanction, payload.body)
    out = _appeal_out(appeal)
    assert out is not None
    return Status(201, out)


# --- Hosts: sanctions ----------------------------------------------------------------------------


@router.get("/communities/{slug}/sanctions", response={200: SanctionList, **READ}, auth=SIGNED_IN)
def list_sanctions(
    request: HttpRequest,
    slug: str = SLUG,
    member: str = Query("", max_length=31, description="Only this member's (a handle)."),
) -> SanctionList:
    """The community's sanctions, newest first (hosts)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    person = _member(member, "member") if member else None
    rows = queries.community_sanctions(user, community, member=person, limit=200)
    return SanctionList(items=[_sanction_out(row.sanction, row.appeal) for row in rows])


@router.post("/communities/{slug}/sanctions", response={201: SanctionOut, **WRITE}, auth=SIGNED_IN)
def create_sanction(
    request: HttpRequest, payload: SanctionIn, slug: str = SLUG
) -> Status[SanctionOut]:
    """Sanction a member (hosts; another host only by the owner). The member is told, in their
    language; a ban ends the membership. 409 `not_member`."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    queries.permissions.check_moderate(user, community)
    member = _member(payload.handle, "handle")
    report = None
    if payload.report_id is not None:
        report = (
            Report.objects.filter(pk=payload.report_id, community=community)
            .select_related("post", "topic")
            .first()
        )
        if report is None:
            raise ValidationError({"report_id": [_("No such report.")]})
    duration = timedelta(hours=payload.duration_hours) if payload.duration_hours else None
    try:
        sanction = actions.sanction_member(
            user,
            community,
            member,
            payload.kind,
            payload.reason,
            message=payload.message,
            duration=duration,
            report=report,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict") and "report" in error.error_dict:
            raise ValidationError({"report_id": error.error_dict["report"]}) from error
        if hasattr(error, "error_dict") and "duration" in error.error_dict:
            raise ValidationError({"duration_hours": error.error_dict["duration"]}) from error
        raise
    return Status(201, _sanction_out(sanction))


@router.post(
    "/communities/{slug}/sanctions/{sanction_id}/lift",
    response={200: SanctionOut, **WRITE},
    auth=SIGNED_IN,
)
def lift_sanction(
    request: HttpRequest, payload: LiftIn, slug: str = SLUG, sanction_id: int = SANCTION_ID
) -> SanctionOut:
    """End a sanction early, with a note for the record (hosts). 409 when it already ended."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    sanction = queries.get_sanction(user, community, sanction_id)
    sanction = actions.lift_sanction(user, sanction, payload.note)
    return _sanction_out(sanction, Appeal.objects.filter(sanction=sanction).first())


# --- Hosts: appeals ------------------------------------------------------------------------------


def _host_appeal_out(appeal: Appeal) -> HostAppealOut:
    base = _appeal_out(appeal)
    assert base is not None
    return HostAppealOut(
        **base.model_dump(),
        sanction=_sanction_out(appeal.sanction),
        decided_by=_summary(appeal.decided_by),
    )


@router.get("/communities/{slug}/appeals", response={200: HostAppealList, **READ}, auth=SIGNED_IN)
def list_appeals(request: HttpRequest, slug: str = SLUG) -> HostAppealList:
    """Appeals waiting for an answer (oldest first), then the latest answered (hosts)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    appeals = queries.pending_appeals(user, community)
    return HostAppealList(items=[_host_appeal_out(appeal) for appeal in appeals])


@router.post(
    "/communities/{slug}/appeals/{appeal_id}/answer",
    response={200: HostAppealOut, **WRITE},
    auth=SIGNED_IN,
)
def answer_appeal(
    request: HttpRequest, payload: AnswerIn, slug: str = SLUG, appeal_id: int = APPEAL_ID
) -> HostAppealOut:
    """Grant (lifting the sanction) or uphold an appeal; the member reads your answer (hosts).
    409 `already_answered`."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    appeal = queries.get_appeal(user, community, appeal_id)
    appeal = appeal_actions.answer_appeal(user, appeal, payload.granted, payload.answer)
    appeal.sanction.refresh_from_db()
    return _host_appeal_out(appeal)


# --- Hosts: notes --------------------------------------------------------------------------------


def _note_out(note: ModeratorNote) -> NoteOut:
    return NoteOut(
        id=note.pk, body=note.body, author=_summary(note.author), created_at=note.created_at
    )


@router.get(
    "/communities/{slug}/members/{handle}/notes",
    response={200: NoteList, **READ},
    auth=SIGNED_IN,
)
def list_notes(request: HttpRequest, slug: str = SLUG, handle: str = HANDLE) -> NoteList:
    """The hosts' private notes on a member, newest first. Never shown to the member."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    queries.permissions.check_moderate(user, community)
    member = queries.get_member_for_moderation(user, community, _member(handle).pk)
    return NoteList(items=[_note_out(n) for n in queries.member_notes(user, community, member)])


@router.post(
    "/communities/{slug}/members/{handle}/notes",
    response={201: NoteOut, **WRITE},
    auth=SIGNED_IN,
)
def add_note(
    request: HttpRequest, payload: NoteIn, slug: str = SLUG, handle: str = HANDLE
) -> Status[NoteOut]:
    """Keep a private note on a member (hosts)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    queries.permissions.check_moderate(user, community)
    member = queries.get_member_for_moderation(user, community, _member(handle).pk)
    note = note_actions.add_moderator_note(user, community, member, payload.body)
    return Status(201, _note_out(note))


# --- Hosts: message templates --------------------------------------------------------------------


def _templates(request: HttpRequest, slug: str) -> TemplateList:
    user = signed_in(request)
    community = resolve_community(request, slug)
    own = queries.templates_for(user, community)
    return TemplateList(
        items=[
            TemplateOut(
                kind=kind,  # type: ignore[arg-type]
                message=message,
                default_message=actions.default_message(kind, community),
            )
            for kind, message in own.items()
        ]
    )


@router.get(
    "/communities/{slug}/sanction-templates",
    response={200: TemplateList, **READ},
    auth=SIGNED_IN,
)
def list_sanction_templates(request: HttpRequest, slug: str = SLUG) -> TemplateList:
    """What each step tells the member: the community's message, and the built-in one (hosts)."""
    return _templates(request, slug)


@router.put(
    "/communities/{slug}/sanction-templates/{kind}",
    response={200: TemplateOut, **WRITE},
    auth=SIGNED_IN,
)
def set_sanction_template(
    request: HttpRequest,
    payload: TemplateIn,
    kind: StepName,
    slug: str = SLUG,
) -> TemplateOut:
    """Set the community's message for a step; an empty message restores the built-in one."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    message = actions.set_sanction_template(user, community, kind, payload.message)
    return TemplateOut(
        kind=kind, message=message, default_message=actions.default_message(kind, community)
    )


# --- The moderation log --------------------------------------------------------------------------


@router.get("/communities/{slug}/moderation-log", response={200: LogPage, **READ}, auth=SIGNED_IN)
def moderation_log(
    request: HttpRequest,
    slug: str = SLUG,
    action: LogActionName | None = ACTION_FILTER,
    cursor: str | None = CURSOR,
    limit: int = Query(50, ge=1, le=100),
) -> LogPage:
    """Every moderation action, newest first, with names and notes (hosts)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    page = queries.log_page(user, community, action=action or "", cursor=cursor, limit=limit)
    return LogPage(
        items=[
            LogEntryOut(
                id=entry.pk,
                action=entry.action,
                detail=entry.detail,
                actor=_summary(entry.actor),
                member=_summary(entry.member),
                post_id=entry.post_id,
                topic_id=entry.topic_id,
                rule=entry.rule,
                note=entry.note,
                created_at=entry.created_at,
            )
            for entry in page.items
        ],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/communities/{slug}/public-moderation-log",
    response={200: PublicLogPage, **problems(400, 401, 404, 422, 429)},
    auth=ANYONE,
    openapi_extra=OPTIONAL_SECURITY,
)
def public_moderation_log(
    request: HttpRequest,
    slug: str = SLUG,
    cursor: str | None = CURSOR,
    limit: int = Query(50, ge=1, le=100),
) -> PublicLogPage:
    """The anonymised log (action, step, rule cited, date; no names), for whoever reads the
    community, when its hosts publish it; 404 otherwise."""
    community = resolve_community(request, slug)
    page = queries.public_log_page(caller(request), community, cursor=cursor, limit=limit)
    return PublicLogPage(
        items=[
            PublicLogEntryOut(
                action=entry.action,
                step=entry.detail if entry.detail in queries.STEP_LABELS else "",
                rule=entry.rule,
                created_at=entry.created_at,
            )
            for entry in page.items
        ],
        next_cursor=page.next_cursor,
    )


# --- Site admins: suspensions --------------------------------------------------------------------


def _account(user_id: int) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Http404(_("No such account."))
    return user


def _status(user: User, changed: bool) -> AccountStatusOut:
    return AccountStatusOut(
        handle=user.handle,
        suspended=user.suspended_at is not None,
        suspended_at=user.suspended_at,
        changed=changed,
    )


@router.post(
    "/admin/users/{user_id}/suspend",
    response={200: AccountStatusOut, **WRITE},
    auth=SIGNED_IN,
    tags=["admin"],
)
def suspend_account(
    request: HttpRequest, payload: SuspendIn, user_id: int = USER_ID
) -> AccountStatusOut:
    """Suspend an account everywhere (site admins): it may read and leave, not take part."""
    admin = signed_in(request)
    user = _account(user_id)
    changed = account_actions.suspend_account(admin, user, payload.reason)
    return _status(user, changed)


@router.post(
    "/admin/users/{user_id}/unsuspend",
    response={200: AccountStatusOut, **WRITE},
    auth=SIGNED_IN,
    tags=["admin"],
)
def unsuspend_account(request: HttpRequest, user_id: int = USER_ID) -> AccountStatusOut:
    """Lift an account's suspension (site admins)."""
    admin = signed_in(request)
    user = _account(user_id)
    changed = account_actions.unsuspend_account(admin, user)
    return _status(user, changed)
