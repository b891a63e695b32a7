"""Consent-aware member exports: which rows and columns each kind may hold, and CSV/JSON.

- "profile": every member given; handle, name, role, affiliation, trust level, joined, and
  answers to profile-purpose fields. Never an email, never a marketing answer.
- "marketing": only members with marketing consent; the same plus email and answers to
  marketing-purpose fields.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cerchia.insights.models import FieldPurpose, MemberField, MemberFieldValue
from cerchia.insights.segments import community_today

if TYPE_CHECKING:
    from cerchia.communities.models import Community, Membership

PROFILE = "profile"
MARKETING = "marketing"
KINDS = (PROFILE, MARKETING)
FORMATS = ("csv", "json")
#: Most rows one export holds (a micro-community is far smaller).
MAX_ROWS = 50_000

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    field: MemberField | None = None


@dataclass(frozen=True)
class Table:
    columns: list[Column]
    rows: list[dict[str, Any]]


def _columns(kind: str, fields: list[MemberField]) -> list[Column]:
    columns = [
        Column("handle", _("Handle")),
        Column("name", _("Name")),
    ]
    if kind == MARKETING:
        columns.append(Column("email", _("Email")))
    columns += [
        Column("role", _("Role")),
        Column("affiliation", _("Affiliation")),
        Column("trust_level", _("Trust level")),
        Column("joined", _("Joined")),
    ]
    purposes = {FieldPurpose.PROFILE} | ({FieldPurpose.MARKETING} if kind == MARKETING else set())
    columns += [
        Column(f"field:{field.pk}", field.label, field)
        for field in fields
        if field.purpose in purposes
    ]
    return columns


def build(community: Community, memberships: QuerySet[Membership], kind: str) -> Table:
    """The export's columns and rows for ``memberships`` (3 queries: fields, members,
    answers)."""
    fields = list(MemberField.objects.filter(community=community, archived_at__isnull=True))
    columns = _columns(kind, fields)
    if kind == MARKETING:
        memberships = memberships.filter(user__marketing_consent=True)
    members = list(memberships.select_related("user").order_by("user__handle", "id")[:MAX_ROWS])
    field_ids = [column.field.pk for column in columns if column.field is not None]
    answers: dict[tuple[int, int], Any] = {}
    if field_ids and members:
        for value in MemberFieldValue.objects.filter(
            field_id__in=field_ids, membership__in=[m.pk for m in members]
        ).only("field_id", "membership_id", "value"):
            answers[(value.membership_id, value.field_id)] = value.value
    _today, tz = community_today(community)
    rows = []
    for membership in members:
        user = membership.user
        row: dict[str, Any] = {
            "handle": user.handle,
            "name": user.display_name or user.handle,
            "role": membership.role,
            "affiliation": membership.affiliation,
            "trust_level": membership.trust_level,
            "joined": membership.joined_at.astimezone(tz).date().isoformat(),
        }
        if kind == MARKETING:
            row["email"] = user.email
        for column in columns:
            if column.field is not None:
                row[column.key] = answers.get((membership.pk, column.field.pk))
        rows.append(row)
    return Table(columns=columns, rows=rows)


def safe_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = "; ".join(str(item) for item in value)
    else:
        text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(column.title) for column in table.columns])
    for row in table.rows:
        writer.writerow([safe_cell(row.get(column.key)) for column in table.columns])
    return out.getvalue()


def to_json(table: Table) -> str:
    """A list of objects; custom answers under ``answers``, keyed by the question."""
    items = []
    for row in table.rows:
        item = {k: v for k, v in row.items() if not k.startswith("field:")}
        item["answers"] = {
            column.title: row.get(column.key) for column in table.columns if column.field
        }
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=1)


def render(table: Table, fmt: str) -> tuple[str, str]:
    """The table as text and its content type."""
    if fmt == "json":
        return to_json(table), "application/json; charset=utf-8"
    return to_csv(table), "text/csv; charset=utf-8"
