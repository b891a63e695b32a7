"""Custom member fields: hosts define the questions; members read and set their own answers.

Thin handlers over ``cerchia.insights`` (``queries_fields``, ``actions_fields``); answers are
checked by ``cerchia.insights.fields``, the same rules as the pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Router, Status
from pydantic import BaseModel

from cerchia.api.auth import SIGNED_IN, signed_in
from cerchia.api.errors import problems
from cerchia.api.routers.communities import SLUG, resolve_community
from cerchia.api.schemas import Body, FieldAnswer, PatchBody, unset
from cerchia.insights import actions_fields as actions
from cerchia.insights import fields as rules
from cerchia.insights import queries_fields as queries
from cerchia.insights.models import MemberField

router = Router(tags=["insights"])

READ = {**problems(401, 403, 404, 429)}
WRITE = {**problems(401, 403, 404, 422, 429)}
FIELD_ID = Path(..., ge=1, le=2**63 - 1, description="The field's id.")

Kind = Literal["text", "number", "date", "choice", "multiple", "yesno"]
Purpose = Literal["profile", "marketing"]
Visibility = Literal["members", "hosts"]
Asked = Literal["join", "later"]
Label = Annotated[str, Field(min_length=1, max_length=rules.MAX_LABEL_LENGTH)]
HelpText = Annotated[str, Field(max_length=rules.MAX_HELP_LENGTH)]
Options = Annotated[
    list[Annotated[str, Field(max_length=rules.MAX_OPTION_LENGTH)]],
    Field(max_length=rules.MAX_OPTIONS),
]
ANSWER_HELP = (
    "Answers by field id: text (at most 500 characters), a number, an ISO date "
    "(`YYYY-MM-DD`, 1900–2100), one of the options, a list of options, or true/false; "
    "`null` for no answer."
)


# --- Shapes -----------------------------------------------------------------------------------


class MemberFieldOut(BaseModel):
    id: int
    label: str
    help_text: str
    kind: Kind
    choices: list[str] = Field(description="The options of a choice field, in order.")
    purpose: Purpose = Field(
        description="`marketing` answers are used only with the member's marketing consent and "
        "never shown to other members."
    )
    required: bool
    visibility: Visibility = Field(description="Who besides the hosts sees the answers.")
    asked: Asked = Field(description="`join`: on joining; `later`: in the community.")
    position: int


class HostFieldOut(MemberFieldOut):
    answers: int = Field(description="How many members answered.")
    created_at: datetime


class HostFieldList(BaseModel):
    items: list[HostFieldOut]


class FieldIn(Body):
    label: Label
    kind: Kind
    help_text: HelpText = ""
    choices: Options = Field(default=[], description="2–30 unique options for choice kinds.")
    purpose: Purpose = "profile"
    required: bool = False
    visibility: Visibility = "hosts"
    asked: Asked = "join"


class FieldPatch(PatchBody):
    """What changes; the kind never does. Options removed from a choice field are dropped from
    the answers that picked them."""

    label: Label = unset()
    help_text: HelpText = unset()
    choices: Options = unset()
    purpose: Purpose = unset()
    required: bool = unset()
    visibility: Visibility = unset()
    asked: Asked = unset()
    position: Annotated[int, Field(ge=0, le=1000)] = unset(
        description="Move the field to this place (0 first) among the live fields."
    )


class MyAnswer(BaseModel):
    field: MemberFieldOut
    answer: Any = Field(default=None, description="The stored answer, or null.")


class MyAnswers(BaseModel):
    items: list[MyAnswer]


class MyAnswersIn(Body):
    fields: Annotated[dict[str, FieldAnswer], Field(max_length=rules.MAX_LIVE_FIELDS)] = Field(
        description=ANSWER_HELP + " Questions left out stay as they are; a required one "
        "cannot be set to null."
    )


def _field_out(field: MemberField) -> MemberFieldOut:
    return MemberFieldOut(
        id=field.pk,
        label=field.label,
        help_text=field.help_text,
        kind=field.kind,  # type: ignore[arg-type]
        choices=list(field.choices or []),
        purpose=field.purpose,  # type: ignore[arg-type]
        required=field.required,
        visibility=field.visibility,  # type: ignore[arg-type]
        asked=field.asked,  # type: ignore[arg-type]
        position=field.position,
    )


def _host_out(field: MemberField, answers: int) -> HostFieldOut:
    return HostFieldOut(
        **_field_out(field).model_dump(), answers=answers, created_at=field.created_at
    )


def _my_answers(request: HttpRequest, slug: str) -> MyAnswers:
    loaded = queries.get_my_answers(signed_in(request), resolve_community(request, slug))
    return MyAnswers(
        items=[
            MyAnswer(field=_field_out(field), answer=loaded.values.get(field.pk))
            for field in loaded.fields
        ]
    )


# --- Hosts ------------------------------------------------------------------------------------


@router.get(
    "/communities/{slug}/member-fields", response={200: HostFieldList, **READ}, auth=SIGNED_IN
)
def list_member_fields(request: HttpRequest, slug: str = SLUG) -> HostFieldList:
    """The questions the community asks now, in order, with how many answered (hosts)."""
    community = resolve_community(request, slug)
    loaded = queries.list_fields(signed_in(request), community)
    return HostFieldList(items=[_host_out(field, field.answers) for field in loaded.live])  # type: ignore[attr-defined]


@router.post(
    "/communities/{slug}/member-fields", response={201: HostFieldOut, **WRITE}, auth=SIGNED_IN
)
def create_member_field(
    request: HttpRequest, payload: FieldIn, slug: str = SLUG
) -> Status[HostFieldOut]:
    """Add a question at the end (hosts): at most 30 live ones."""
    community = resolve_community(request, slug)
    field = actions.create_field(signed_in(request), community, **payload.model_dump())
    return Status(201, _host_out(field, 0))


@router.patch(
    "/communities/{slug}/member-fields/{field_id}",
    response={200: HostFieldOut, **WRITE},
    auth=SIGNED_IN,
)
def update_member_field(
    request: HttpRequest, payload: FieldPatch, field_id: int = FIELD_ID, slug: str = SLUG
) -> HostFieldOut:
    """Change a live question, or move it with `position` (hosts). Archived ones are 404."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    field = queries.get_field(user, community, field_id)
    changes = payload.changes(exclude={"position"})
    if changes:
        field = actions.update_field(user, field, **changes)
    if payload.position is not None:
        field = actions.move_field(user, field, to=payload.position)
    answers = field.values.count()
    return _host_out(field, answers)


@router.delete(
    "/communities/{slug}/member-fields/{field_id}",
    response={204: None, **WRITE},
    auth=SIGNED_IN,
)
def archive_member_field(
    request: HttpRequest, field_id: int = FIELD_ID, slug: str = SLUG
) -> Status[None]:
    """Archive a question (hosts): no longer asked or shown; its answers are kept."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    actions.archive_field(user, queries.get_field(user, community, field_id))
    return Status(204, None)


# --- Members ----------------------------------------------------------------------------------


@router.get("/communities/{slug}/me/fields", response={200: MyAnswers, **READ}, auth=SIGNED_IN)
def get_my_fields(request: HttpRequest, slug: str = SLUG) -> MyAnswers:
    """The community's questions and your answers (members)."""
    return _my_answers(request, slug)


@router.put("/communities/{slug}/me/fields", response={200: MyAnswers, **WRITE}, auth=SIGNED_IN)
def put_my_fields(request: HttpRequest, payload: MyAnswersIn, slug: str = SLUG) -> MyAnswers:
    """Set your answers (members); bad ones are refused with `422`, naming `fields.<id>`."""
    community = resolve_community(request, slug)
    actions.save_my_answers(signed_in(request), community, payload.fields, complete=False)
    return _my_answers(request, slug)
