"""Writes for segments: create, update, freeze, delete, and exporting one (which is recorded).

Each checks the hosts' right, validates the rules strictly (a ``ValidationError`` on ``rules``
naming the group and condition) and records an event in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cerchia.insights import member_export
from cerchia.insights.log import record_event
from cerchia.insights.models import Segment, SegmentMember
from cerchia.insights.permissions import check_export_members, check_manage_segments, check_segment
from cerchia.insights.segments import (
    RuleError,
    make_context,
    matching_memberships,
    segment_memberships,
    validate_rules,
)

if TYPE_CHECKING:
    from cerchia.accounts.models import User
    from cerchia.communities.models import Community

MAX_SEGMENTS = 100
MAX_NAME = 80
MAX_DESCRIPTION = 300


def clean_rules(community: Community, rules: Any) -> dict[str, Any]:
    """The rules normalised, or a ValidationError on ``rules``."""
    try:
        return validate_rules(rules, make_context(community))
    except RuleError as error:
        raise ValidationError({"rules": [str(error)]}) from error


def _clean_name(community: Community, name: str, exclude: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": [_("Give the segment a name.")]})
    if len(name) > MAX_NAME:
        raise ValidationError({"name": [_("At most %(n)d characters.") % {"n": MAX_NAME}]})
    taken = Segment.objects.filter(community=community, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"name": [_("A segment with this name already exists.")]})
    return name


def _clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            {"description": [_("At most %(n)d characters.") % {"n": MAX_DESCRIPTION}]}
        )
    return description


def _freeze(segment: Segment, rules: dict[str, Any]) -> int:
    """Record who matches now as the segment's frozen list; how many."""
    user_ids = list(
        matching_memberships(segment.community, rules).values_list("user_id", flat=True)
    )
    SegmentMember.objects.filter(segment=segment).delete()
    SegmentMember.objects.bulk_create(
        [SegmentMember(segment=segment, user_id=user_id) for user_id in user_ids]
    )
    return len(user_ids)


def _save(segment: Segment) -> None:
    try:
        with transaction.atomic():
            segment.save()
    except IntegrityError as error:  # a concurrent save took the name
        raise ValidationError({"name": [_("A segment with this name already exists.")]}) from error


def create_segment(
    actor: User,
    community: Community,
    *,
    name: str,
    description: str = "",
    kind: str = Segment.Kind.DYNAMIC,
    rules: Any = None,
) -> Segment:
    """Save a segment; a static one records who matches now. ValidationError for bad input."""
    check_manage_segments(actor, community)
    if kind not in Segment.Kind.values:
        raise ValidationError({"kind": [_("Choose dynamic or static.")]})
    with transaction.atomic():
        if Segment.objects.filter(community=community).count() >= MAX_SEGMENTS:
            raise ValidationError(
                _("A community can have at most %(n)d segments.") % {"n": MAX_SEGMENTS}
            )
        clean = clean_rules(community, rules)
        now = timezone.now()
        segment = Segment(
            community=community,
            name=_clean_name(community, name),
            description=_clean_description(description),
            kind=kind,
            rules=clean,
            created_by=actor,
            created_at=now,
            updated_at=now,
            frozen_at=now if kind == Segment.Kind.STATIC else None,
        )
        _save(segment)
        size = _freeze(segment, clean) if kind == Segment.Kind.STATIC else None
        record_event(
            "insights.segment_created",
            actor=actor,
            community=community,
            subject=segment,
            segment_kind=kind,
            **({"frozen": size} if size is not None else {}),
        )
    return segment


def update_segment(
    actor: User,
    segment: Segment,
    *,
    name: str,
    description: str = "",
    rules: Any = None,
) -> Segment:
    """Rename a segment or change its rules (a static segment's list stays as frozen; its rules
    are kept only as a note of how it was built)."""
    check_segment(actor, segment)
    community = segment.community
    with transaction.atomic():
        segment.name = _clean_name(community, name, exclude=segment.pk)
        segment.description = _clean_description(description)
        if segment.kind == Segment.Kind.DYNAMIC:
            segment.rules = clean_rules(community, rules)
        segment.updated_at = timezone.now()
        _save(segment)
        record_event("insights.segment_updated", actor=actor, community=community, subject=segment)
    return segment


def freeze_segment(actor: User, segment: Segment) -> int:
    """Turn a dynamic segment into a static one holding who matches now; how many it holds.
    ValidationError if it is static already or its rules no longer fit."""
    check_segment(actor, segment)
    if segment.kind == Segment.Kind.STATIC:
        raise ValidationError(_("This segment is already a frozen list."))
    community = segment.community
    with transaction.atomic():
        clean = clean_rules(community, segment.rules)
        size = _freeze(segment, clean)
        segment.kind = Segment.Kind.STATIC
        segment.frozen_at = timezone.now()
        segment.updated_at = segment.frozen_at
        segment.save(update_fields=["kind", "frozen_at", "updated_at"])
        record_event(
            "insights.segment_frozen",
            actor=actor,
            community=community,
            subject=segment,
            count=size,
        )
    return size


def delete_segment(actor: User, segment: Segment) -> None:
    """Delete a segment (announcements sent to it keep its name)."""
    check_segment(actor, segment)
    with transaction.atomic():
        record_event(
            "insights.segment_deleted",
            actor=actor,
            community=segment.community,
            subject=segment,
            name=segment.name,
        )
        segment.delete()


@dataclass(frozen=True)
class Export:
    content: str
    content_type: str
    filename: str
    count: int


def _export(
    actor: User,
    community: Community,
    memberships: Any,
    *,
    kind: str,
    fmt: str,
    stem: str,
    segment: Segment | None,
) -> Export:
    if kind not in member_export.KINDS:
        raise ValidationError({"kind": [_("Choose “profile” or “marketing”.")]})
    if fmt not in member_export.FORMATS:
        raise ValidationError({"format": [_("Choose “csv” or “json”.")]})
    with transaction.atomic():
        table = member_export.build(community, memberships, kind)
        record_event(
            "insights.segment_exported" if segment else "insights.members_exported",
            actor=actor,
            community=community,
            subject=segment,
            export_kind=kind,
            format=fmt,
            count=len(table.rows),
        )
    content, content_type = member_export.render(table, fmt)
    filename = f"{community.slug}-{stem}-{kind}-{timezone.localdate().isoformat()}.{fmt}"
    return Export(content, content_type, filename, len(table.rows))


def export_segment(actor: User, segment: Segment, *, kind: str, fmt: str) -> Export:
    """A segment's members as CSV or JSON with only what each member's consents allow
    ("profile": every member, profile answers; "marketing": members with marketing consent,
    with email and marketing answers). Records ``insights.segment_exported``."""
    check_segment(actor, segment)
    check_export_members(actor, segment.community)
    try:
        memberships = segment_memberships(segment)
    except RuleError as error:
        raise ValidationError({"rules": [str(error)]}) from error
    return _export(
        actor,
        segment.community,
        memberships,
        kind=kind,
        fmt=fmt,
        stem=f"segment-{segment.pk}",
        segment=segment,
    )


def export_members(
    actor: User, community: Community, *, rules: Any, search: str, kind: str, fmt: str
) -> Export:
    """The member table (with its filters) exported under the same consent rules."""
    from cerchia.insights.queries_members import search_q

    check_export_members(actor, community)
    try:
        memberships = matching_memberships(community, rules).filter(search_q(search))
    except RuleError as error:
        raise ValidationError({"rules": [str(error)]}) from error
    return _export(actor, community, memberships, kind=kind, fmt=fmt, stem="members", segment=None)
