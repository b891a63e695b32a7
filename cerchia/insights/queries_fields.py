"""Reads of custom member fields: the hosts' list, the questions to ask, a member's own
answers, the answers shown on member cards, and a member's answers for their export."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext as _

from cerchia.communities.permissions import get_access
from cerchia.insights import fields as rules
from cerchia.insights.models import (
    FieldAsked,
    FieldPurpose,
    FieldVisibility,
    MemberField,
    MemberFieldValue,
)
from cerchia.insights.permissions import (
    can_host_insights,
    can_see_field_answer,
    check_answer_member_fields,
    check_field,
    check_manage_member_fields,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cerchia.accounts.models import User
    from cerchia.communities.models import Community, Membership

    Actor = User | AnonymousUser


@dataclass
class FieldList:
    """The hosts' page: live fields in order (with how many answered), and archived ones."""

    live: list[MemberField] = field(default_factory=list)
    archived: list[MemberField] = field(default_factory=list)

    @property
    def full(self) -> bool:
        return len(self.live) >= rules.MAX_LIVE_FIELDS


@dataclass(frozen=True)
class ShownAnswer:
    """One answer as shown to someone: the question, the text, the stored value."""

    field: MemberField
    value: Any
    text: str


def list_fields(actor: Actor, community: Community) -> FieldList:
    """Every field of the community with its answer count, in one query. Raises
    PermissionDenied, Http404."""
    check_manage_member_fields(actor, community)
    result = FieldList()
    rows = MemberField.objects.filter(community=community).annotate(answers=Count("values"))
    for row in rows.order_by("archived_at", "position", "id"):
        row.community = community
        (result.live if row.archived_at is None else result.archived).append(row)
    result.archived.sort(key=lambda item: item.archived_at, reverse=True)  # type: ignore[arg-type,return-value]
    return result


def get_field(actor: Actor, community: Community, field_id: int) -> MemberField:
    """A live field of this community for its hosts. Raises Http404 (unknown, archived),
    PermissionDenied."""
    check_manage_member_fields(actor, community)
    found = MemberField.objects.filter(community=community, pk=field_id).first()
    if found is None:
        raise Http404(_("No such field."))
    found.community = community
    check_field(actor, found)
    return found


def list_live_fields(community: Community, *, asked: str | None = None) -> list[MemberField]:
    """The questions the community asks now, in order (``asked``: only those asked then)."""
    rows = MemberField.objects.filter(community=community, archived_at__isnull=True)
    if asked is not None:
        rows = rows.filter(asked=asked)
    fields = list(rows)
    for row in fields:
        row.community = community
    return fields


def list_joining_fields(community: Community) -> list[MemberField]:
    """The questions asked on joining, in order."""
    return list_live_fields(community, asked=FieldAsked.ON_JOINING)


@dataclass(frozen=True)
class MyAnswers:
    fields: list[MemberField]
    #: Field id → the stored value, under the field's current options.
    values: dict[int, Any]


def get_my_answers(actor: Actor, community: Community) -> MyAnswers:
    """The live questions and the actor's answers, in two queries. Raises PermissionDenied,
    Http404."""
    check_answer_member_fields(actor, community)
    membership = get_access(actor, community).membership
    fields = list_live_fields(community)
    by_id = {item.pk: item for item in fields}
    values: dict[int, Any] = {}
    if membership is not None and by_id:
        for row in MemberFieldValue.objects.filter(membership=membership, field_id__in=by_id):
            kept = rules.still_valid(by_id[row.field_id], row.value)
            if kept is not None:
                values[row.field_id] = kept
    return MyAnswers(fields=fields, values=values)


def has_unanswered_questions(actor: Actor, community: Community) -> bool:
    """Whether the community's page should invite the member to answer: a question asked
    later (or a required one) they have not answered. One query for members, none otherwise."""
    if not actor.is_authenticated:
        return False
    membership = get_access(actor, community).membership
    if membership is None:
        return False
    return (
        MemberField.objects.filter(community=community, archived_at__isnull=True)
        .filter(Q(asked=FieldAsked.LATER) | Q(required=True))
        .exclude(pk__in=MemberFieldValue.objects.filter(membership=membership).values("field"))
        .exists()
    )


def attach_card_answers(
    actor: Actor, community: Community, memberships: Sequence[Membership]
) -> None:
    """Set ``shown_answers`` on each membership: the answers ``actor`` may see on its card.

    Hosts see every live field; other members of the community see profile fields visible to
    members (never marketing ones); anyone else sees none. One query, none for non-members.
    """
    for membership in memberships:
        membership.shown_answers = []  # type: ignore[attr-defined]
    if not memberships or not actor.is_authenticated:
        return
    is_host = can_host_insights(actor, community)
    if not is_host and not get_access(actor, community).is_member:
        return
    rows = MemberFieldValue.objects.filter(
        membership__in=[membership.pk for membership in memberships],
        field__community=community,
        field__archived_at__isnull=True,
    )
    if not is_host:
        rows = rows.filter(
            field__visibility=FieldVisibility.MEMBERS, field__purpose=FieldPurpose.PROFILE
        )
    by_membership = {membership.pk: membership for membership in memberships}
    for row in rows.select_related("field").order_by("field__position", "field_id"):
        row.field.community = community
        owner = by_membership[row.membership_id]
        if not is_host and row.field.purpose != FieldPurpose.PROFILE:
            continue
        if not can_see_field_answer(actor, row.field, owner.user_id):
            continue
        kept = rules.still_valid(row.field, row.value)
        if kept is None:
            continue
        owner.shown_answers.append(  # type: ignore[attr-defined]
            ShownAnswer(field=row.field, value=kept, text=rules.display_answer(row.field, kept))
        )


def export_answers(user: User) -> list[dict[str, Any]]:
    """Every answer the member has given, in every community (archived questions too), for
    their data export. One query."""
    rows = (
        MemberFieldValue.objects.filter(membership__user=user)
        .select_related("field", "field__community")
        .order_by("field__community__slug", "field__position", "field_id")
    )
    return [
        {
            "community": row.field.community.slug,
            "question": row.field.label,
            "kind": row.field.kind,
            "purpose": row.field.purpose,
            "visible_to": row.field.visibility,
            "archived": row.field.archived_at is not None,
            "answer": row.value,
            "updated_at": row.updated_at.isoformat(),
        }
        for row in rows
    ]


def fields_by_id(fields: Iterable[MemberField]) -> dict[int, MemberField]:
    return {item.pk: item for item in fields}
