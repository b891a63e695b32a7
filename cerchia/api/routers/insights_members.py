"""Insights API: the member table, segments and their consent-aware exports (hosts only).

Thin handlers over ``cerchia.insights`` (``queries_members``, ``actions_segments``). Rules are
the JSON document described in ``cerchia.insights.segments``; a rule that does not fit is a
422 naming its group and condition. Counts under 5 are ``null`` with ``withheld: true``.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router
from pydantic import BaseModel

from cerchia.api.auth import SIGNED_IN, signed_in
from cerchia.api.errors import problems
from cerchia.api.routers.communities import CURSOR, SLUG, resolve_community
from cerchia.api.schemas import Body, UserSummary, user_summary
from cerchia.communities.models import Community
from cerchia.insights import actions_segments as actions
from cerchia.insights import queries_members as queries
from cerchia.insights.models import Segment
from cerchia.insights.queries_members import MemberTable
from cerchia.insights.segments import RuleError

router = Router(tags=["insights"])

INTEREST = Query(None, description="Interest slugs (any of).")
READ = {**problems(400, 401, 403, 404, 422, 429)}
WRITE = {**problems(401, 403, 404, 422, 429)}

RULES_DESCRIPTION = (
    '`{"match": "all"|"any", "groups": [{"match": "all"|"any", "conditions": '
    '[{"field": ..., "op": ..., "value": ...}]}]}`. Fields: `interest` (any_of: slugs), '
    "`field:<id>` (text: contains/equals/empty; number and date: eq/lt/gt/between; choice: "
    "is/is_not/any_of; multiple: has_any/has_all; yes/no: is), `trust_level` (is/at_least/"
    "at_most), `role` and `affiliation` (is/is_not/any_of), `joined` (before/after/between "
    "dates, within_days N), `engaged_days` (within/not_within N days), `engaged_events` "
    '(at_least/at_most `{"count": X, "days": N}`), `analytics_consent`, `marketing_consent` '
    "(is true/false). Activity conditions only match members who consented to analytics. "
    "No groups: every member."
)


# --- Shapes -----------------------------------------------------------------------------------


class MemberRowOut(BaseModel):
    user: UserSummary
    role: str = Field(description="`owner`, `moderator` or `member`.")
    affiliation: str = Field(description="`staff`, `brand`, `partner`, `ambassador` or empty.")
    affiliation_name: str
    trust_level: int = Field(description="0 new, 1 basic, 2 member, 3 regular.")
    joined_at: datetime
    analytics_consent: bool
    marketing_consent: bool
    last_engaged_on: date | None = Field(
        description="Null for members without analytics consent, or who never engaged."
    )
    engaged_events_30d: int | None = Field(
        description="Engaged events in the last 30 days; null without analytics consent."
    )


class MemberTableOut(BaseModel):
    items: list[MemberRowOut]
    next_cursor: str | None
    count: int | None = Field(description="How many match; null when fewer than 5.")
    withheld: bool = Field(description="Fewer than 5 match: the count is not given.")


class SegmentOut(BaseModel):
    id: int
    name: str
    description: str
    kind: str = Field(description="`dynamic` (re-evaluated when used) or `static` (frozen).")
    rules: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    frozen_at: datetime | None
    count: int | None = Field(description="Members now; null when fewer than 5 or unknown.")
    withheld: bool
    rules_error: str = Field(description="Why a dynamic segment's rules no longer fit, if so.")


class SegmentList(BaseModel):
    items: list[SegmentOut]


class SegmentIn(Body):
    name: str = Field(min_length=1, max_length=actions.MAX_NAME)
    description: str = Field(default="", max_length=actions.MAX_DESCRIPTION)
    kind: Literal["dynamic", "static"] = Field(
        default="dynamic", description="`static` records who matches now as a frozen list."
    )
    rules: dict[str, Any] = Field(default_factory=dict, description=RULES_DESCRIPTION)


class SegmentPatch(Body):
    name: str | None = Field(default=None, min_length=1, max_length=actions.MAX_NAME)
    description: str | None = Field(default=None, max_length=actions.MAX_DESCRIPTION)
    rules: dict[str, Any] | None = Field(
        default=None, description="Dynamic segments only; a static one keeps its list."
    )
    freeze: bool = Field(
        default=False, description="True turns a dynamic segment into a static frozen list."
    )


class CountIn(Body):
    rules: dict[str, Any] = Field(description=RULES_DESCRIPTION)


class CountOut(BaseModel):
    count: int | None = Field(description="Members matching now; null when fewer than 5.")
    withheld: bool


def _count(count: int | None) -> tuple[int | None, bool]:
    withheld = queries.withheld(count)
    return (None if withheld else count), withheld


def _table_out(table: MemberTable) -> MemberTableOut:
    count, withheld = _count(table.count)
    return MemberTableOut(
        items=[
            MemberRowOut(
                user=user_summary(row.user),
                role=row.membership.role,
                affiliation=row.membership.affiliation,
                affiliation_name=row.membership.affiliation_name,
                trust_level=row.membership.trust_level,
                joined_at=row.membership.joined_at,
                analytics_consent=row.user.analytics_consent,
                marketing_consent=row.user.marketing_consent,
                last_engaged_on=row.last_engaged,
                engaged_events_30d=row.engaged_recent,
            )
            for row in table.rows
        ],
        next_cursor=table.next_cursor,
        count=count,
        withheld=withheld,
    )


def _segment_out(segment: Segment, count: int | None, error: str = "") -> SegmentOut:
    shown, withheld = _count(count)
    return SegmentOut(
        id=segment.pk,
        name=segment.name,
        description=segment.description,
        kind=segment.kind,
        rules=segment.rules or {},
        created_at=segment.created_at,
        updated_at=segment.updated_at,
        frozen_at=segment.frozen_at,
        count=shown,
        withheld=withheld,
        rules_error=error,
    )


def _rule_error(error: RuleError) -> ValidationError:
    return ValidationError({"rules": [str(error)]})


def _segment_with_count(actor: Any, community: Community, segment: Segment) -> SegmentOut:
    for row in queries.list_segments(actor, community):
        if row.segment.pk == segment.pk:
            return _segment_out(row.segment, row.count, row.error)
    return _segment_out(segment, None)  # pragma: no cover - just saved


def _rules_from_query(
    rules: str | None,
    role: str | None,
    affiliation: str | None,
    trust_level_min: int | None,
    interest: list[str] | None,
    joined_after: date | None,
    joined_before: date | None,
    engaged_within: int | None,
    analytics_consent: bool | None,
    marketing_consent: bool | None,
) -> Any:
    conditions: list[dict[str, Any]] = []
    if role is not None:
        conditions.append({"field": "role", "op": "is", "value": role})
    if affiliation is not None:
        conditions.append({"field": "affiliation", "op": "is", "value": affiliation})
    if trust_level_min is not None:
        conditions.append({"field": "trust_level", "op": "at_least", "value": trust_level_min})
    if interest:
        conditions.append({"field": "interest", "op": "any_of", "value": interest})
    if joined_after is not None:
        conditions.append({"field": "joined", "op": "after", "value": joined_after.isoformat()})
    if joined_before is not None:
        conditions.append({"field": "joined", "op": "before", "value": joined_before.isoformat()})
    if engaged_within is not None:
        conditions.append({"field": "engaged_days", "op": "within", "value": engaged_within})
    if analytics_consent is not None:
        conditions.append({"field": "analytics_consent", "op": "is", "value": analytics_consent})
    if marketing_consent is not None:
        conditions.append({"field": "marketing_consent", "op": "is", "value": marketing_consent})
    if rules:
        if conditions:
            raise ValidationError(
                {"rules": [_("Give either a rules document or simple filters, not both.")]}
            )
        try:
            return json.loads(rules)
        except (ValueError, RecursionError) as error:
            raise ValidationError({"rules": [_("The rules are not valid JSON.")]}) from error
    if not conditions:
        return None
    return {"match": "all", "groups": [{"match": "all", "conditions": conditions}]}


# --- Operations -------------------------------------------------------------------------------


@router.get(
    "/communities/{slug}/members-table",
    response={200: MemberTableOut, **READ},
    auth=SIGNED_IN,
)
def get_members_table(
    request: HttpRequest,
    slug: str = SLUG,
    q: str = Query("", max_length=100, description="Part of a name or handle."),
    rules: str | None = Query(None, max_length=20_000, description=RULES_DESCRIPTION),
    role: str | None = Query(None, max_length=20),
    affiliation: str | None = Query(None, max_length=20, description="Empty string for none."),
    trust_level_min: int | None = Query(None, ge=0, le=3),
    interest: list[str] | None = INTEREST,
    joined_after: date | None = None,
    joined_before: date | None = None,
    engaged_within: int | None = Query(None, ge=1, le=3650, description="Days."),
    analytics_consent: bool | None = None,
    marketing_consent: bool | None = None,
    cursor: str | None = CURSOR,
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=100),
) -> MemberTableOut:
    """The community's members matching the filters (or a rules document), one page at a
    time, with activity only for members who consented to analytics (hosts)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    document = _rules_from_query(
        rules,
        role,
        affiliation,
        trust_level_min,
        interest,
        joined_after,
        joined_before,
        engaged_within,
        analytics_consent,
        marketing_consent,
    )
    try:
        table = queries.list_members(
            user, community, rules=document, search=q, cursor=cursor, limit=limit
        )
    except RuleError as error:
        raise _rule_error(error) from error
    return _table_out(table)


@router.get(
    "/communities/{slug}/segments",
    response={200: SegmentList, **READ},
    auth=SIGNED_IN,
)
def list_segments(request: HttpRequest, slug: str = SLUG) -> SegmentList:
    """The community's segments with how many members each holds now (hosts)."""
    community = resolve_community(request, slug)
    rows = queries.list_segments(signed_in(request), community)
    return SegmentList(items=[_segment_out(row.segment, row.count, row.error) for row in rows])


@router.post(
    "/communities/{slug}/segments",
    response={201: SegmentOut, **WRITE},
    auth=SIGNED_IN,
)
def create_segment(
    request: HttpRequest, payload: SegmentIn, slug: str = SLUG
) -> tuple[int, SegmentOut]:
    """Save a segment; a static one records who matches now (hosts)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    segment = actions.create_segment(
        user,
        community,
        name=payload.name,
        description=payload.description,
        kind=payload.kind,
        rules=payload.rules,
    )
    return 201, _segment_with_count(user, community, segment)


@router.post(
    "/communities/{slug}/segments/count",
    response={200: CountOut, **WRITE},
    auth=SIGNED_IN,
)
def count_segment(request: HttpRequest, payload: CountIn, slug: str = SLUG) -> CountOut:
    """How many members match these rules now (hosts); under 5 is withheld."""
    community = resolve_community(request, slug)
    try:
        count = queries.count_matching(signed_in(request), community, payload.rules)
    except RuleError as error:
        raise _rule_error(error) from error
    shown, withheld = _count(count)
    return CountOut(count=shown, withheld=withheld)


@router.get(
    "/communities/{slug}/segments/{segment_id}",
    response={200: SegmentOut, **READ},
    auth=SIGNED_IN,
)
def get_segment(request: HttpRequest, segment_id: int, slug: str = SLUG) -> SegmentOut:
    """One segment with its count now (hosts)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    segment = queries.get_segment(user, community, segment_id)
    return _segment_with_count(user, community, segment)


@router.patch(
    "/communities/{slug}/segments/{segment_id}",
    response={200: SegmentOut, **WRITE},
    auth=SIGNED_IN,
)
def patch_segment(
    request: HttpRequest, segment_id: int, payload: SegmentPatch, slug: str = SLUG
) -> SegmentOut:
    """Rename a segment, change a dynamic one's rules, or freeze it (hosts)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    segment = queries.get_segment(user, community, segment_id)
    if payload.name is not None or payload.description is not None or payload.rules is not None:
        actions.update_segment(
            user,
            segment,
            name=payload.name if payload.name is not None else segment.name,
            description=(
                payload.description if payload.description is not None else segment.description
            ),
            rules=payload.rules if payload.rules is not None else segment.rules,
        )
    if payload.freeze:
        actions.freeze_segment(user, segment)
    return _segment_with_count(user, community, segment)


@router.delete(
    "/communities/{slug}/segments/{segment_id}",
    response={204: None, **WRITE},
    auth=SIGNED_IN,
)
def delete_segment(request: HttpRequest, segment_id: int, slug: str = SLUG) -> tuple[int, None]:
    """Delete a segment (hosts)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    actions.delete_segment(user, queries.get_segment(user, community, segment_id))
    return 204, None


@router.get(
    "/communities/{slug}/segments/{segment_id}/members",
    response={200: MemberTableOut, **READ},
    auth=SIGNED_IN,
)
def list_segment_members(
    request: HttpRequest,
    segment_id: int,
    slug: str = SLUG,
    q: str = Query("", max_length=100),
    cursor: str | None = CURSOR,
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=100),
) -> MemberTableOut:
    """A segment's members now, one page at a time (hosts)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    segment = queries.get_segment(user, community, segment_id)
    try:
        table = queries.list_segment_members(user, segment, search=q, cursor=cursor, limit=limit)
    except RuleError as error:
        raise _rule_error(error) from error
    return _table_out(table)


EXPORT_RESPONSES: dict[str, Any] = {
    "responses": {
        "200": {
            "description": "The export: CSV (a header row, then one row per member) or JSON "
            "(a list of objects, custom answers under `answers`).",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            },
        }
    }
}


@router.get(
    "/communities/{slug}/segments/{segment_id}/export",
    response={**READ},
    auth=SIGNED_IN,
    openapi_extra=EXPORT_RESPONSES,
)
def export_segment(
    request: HttpRequest,
    segment_id: int,
    slug: str = SLUG,
    kind: Literal["profile", "marketing"] = Query(
        "profile",
        description="`profile`: every member, profile answers; `marketing`: only members "
        "with marketing consent, with email and marketing answers.",
    ),
    format: Literal["csv", "json"] = Query("csv"),
) -> HttpResponse:
    """A segment's members with only what their consents allow (hosts); recorded."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    segment = queries.get_segment(user, community, segment_id)
    export = actions.export_segment(user, segment, kind=kind, fmt=format)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response
