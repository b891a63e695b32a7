"""Writes to custom member fields: hosts define, edit, move and archive them; members answer.

Answers given when joining are saved in the same transaction as the membership; answers
given when asking to join travel with the request and are saved when a host approves it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cerchia.communities import actions as community_actions
from cerchia.communities import permissions as community_permissions
from cerchia.communities.models import Community, Membership
from cerchia.insights import fields as rules
from cerchia.insights.log import record_event
from cerchia.insights.models import (
    FieldAsked,
    FieldKind,
    FieldPurpose,
    FieldVisibility,
    MemberField,
    MemberFieldValue,
)
from cerchia.insights.permissions import (
    check_answer_member_fields,
    check_field,
    check_manage_member_fields,
)

if TYPE_CHECKING:
    from cerchia.accounts.models import User
    from cerchia.communities.models import JoinRequest

#: What a host may set on a field (the kind only when creating it).
DEFINITION = ("label", "help_text", "choices", "purpose", "required", "visibility", "asked")


def _lock(community: Community) -> None:
    """Serialise field changes per community (the limit and the positions stay consistent)."""
    list(Community.objects.select_for_update().filter(pk=community.pk).values_list("pk"))


def _refuse_duplicate(community: Community, label: str, *, exclude: int | None = None) -> None:
    """One live question per wording: a double click adds it once."""
    same = MemberField.objects.filter(
        community=community, archived_at__isnull=True, label__iexact=label
    )
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise ValidationError({"label": [_("You already ask this question.")]})


def _choice(name: str, value: Any, choices: type[Any]) -> str:
    if value not in choices.values:
        raise ValidationError({name: [_("Pick one of the options.")]})
    return str(value)


def _clean_definition(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """The definition's values checked one by one; ValidationError names each bad one."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    checks: dict[str, Any] = {
        "label": lambda v: rules.clean_label(v),
        "help_text": lambda v: rules.clean_label(v, limit=rules.MAX_HELP_LENGTH, required=False),
        "choices": lambda v: rules.clean_options(kind, v),
        "purpose": lambda v: _choice("purpose", v, FieldPurpose),
        "visibility": lambda v: _choice("visibility", v, FieldVisibility),
        "asked": lambda v: _choice("asked", v, FieldAsked),
        "required": bool,
    }
    for name, value in values.items():
        try:
            cleaned[name] = checks[name](value)
        except ValidationError as error:
            errors[name] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def create_field(
    actor: User,
    community: Community,
    *,
    label: str,
    kind: str,
    help_text: str = "",
    choices: list[str] | None = None,
    purpose: str = FieldPurpose.PROFILE,
    required: bool = False,
    visibility: str = FieldVisibility.HOSTS,
    asked: str = FieldAsked.ON_JOINING,
) -> MemberField:
    """Add a question at the end of the community's list. Raises PermissionDenied,
    ValidationError (bad definition, too many live fields)."""
    check_manage_member_fields(actor, community)
    if kind not in FieldKind.values:
        raise ValidationError({"kind": [_("Pick one of the options.")]})
    values = _clean_definition(
        kind,
        {
            "label": label,
            "help_text": help_text,
            "choices": choices or [],
            "purpose": purpose,
            "required": required,
            "visibility": visibility,
            "asked": asked,
        },
    )
    with transaction.atomic():
        # Lock the community's row so two hosts adding at once respect the limit.
        _lock(community)
        fields = MemberField.objects.filter(community=community)
        if fields.filter(archived_at__isnull=True).count() >= rules.MAX_LIVE_FIELDS:
            raise ValidationError(
                _("A community can ask at most %(n)d questions; archive one first.")
                % {"n": rules.MAX_LIVE_FIELDS}
            )
        _refuse_duplicate(community, values["label"])
        last = fields.aggregate(last=Max("position"))["last"]
        field = MemberField.objects.create(
            community=community,
            kind=kind,
            position=0 if last is None else last + 1,
            **values,
        )
        record_event(
            "insights.field_created",
            actor=actor,
            community=community,
            subject=field,
            field_kind=kind,
            purpose=field.purpose,
        )
    return field


def _drop_vanished_options(field: MemberField) -> int:
    """Inside a transaction: answers keep only options the field still has; returns how many
    answers changed or went."""
    changed = 0
    for answer in MemberFieldValue.objects.filter(field=field).select_for_update():
        kept = rules.still_valid(field, answer.value)
        if kept is None:
            answer.delete()
            changed += 1
        elif kept != answer.value:
            answer.value = kept
            answer.save(update_fields=["value"])
            changed += 1
    return changed


def update_field(actor: User, field: MemberField, **changes: Any) -> MemberField:
    """Change a live field's definition (not its kind). An option removed (or renamed) from a
    choice field is dropped from the answers that picked it. Raises PermissionDenied, Http404
    (archived), ValidationError."""
    check_field(actor, field)
    kind = changes.pop("kind", field.kind)
    if kind != field.kind:
        raise ValidationError(
            {"kind": [_("The kind of a question cannot change; archive it and add a new one.")]}
        )
    unknown = set(changes) - set(DEFINITION)
    if unknown:
        raise TypeError(f"unknown field settings: {sorted(unknown)}")
    values = _clean_definition(field.kind, changes)
    changed = [name for name, value in values.items() if getattr(field, name) != value]
    if not changed:
        return field
    with transaction.atomic():
        if "label" in changed:
            _refuse_duplicate(field.community, values["label"], exclude=field.pk)
        for name in changed:
            setattr(field, name, values[name])
        field.save(update_fields=changed)
        dropped = _drop_vanished_options(field) if "choices" in changed else 0
        record_event(
            "insights.field_updated",
            actor=actor,
            community=field.community,
            subject=field,
            fields=changed,
            answers_changed=dropped,
        )
    return field


def archive_field(actor: User, field: MemberField) -> MemberField:
    """Stop asking and showing a field; its answers are kept. Raises PermissionDenied, Http404."""
    check_field(actor, field)
    with transaction.atomic():
        updated = MemberField.objects.filter(pk=field.pk, archived_at__isnull=True).update(
            archived_at=timezone.now()
        )
        if updated:
            field.refresh_from_db(fields=["archived_at"])
            record_event(
                "insights.field_archived", actor=actor, community=field.community, subject=field
            )
    return field


def move_field(actor: User, field: MemberField, *, to: int) -> MemberField:
    """Put a live field at index ``to`` (0-based, clamped) among the live fields.

    Raises PermissionDenied, Http404 (archived).
    """
    check_field(actor, field)
    with transaction.atomic():
        _lock(field.community)
        live = list(MemberField.objects.filter(community=field.community, archived_at__isnull=True))
        current = next(index for index, item in enumerate(live) if item.pk == field.pk)
        target = max(0, min(to, len(live) - 1))
        if target == current:
            return field
        live.insert(target, live.pop(current))
        for index, item in enumerate(live):
            item.position = index
        MemberField.objects.bulk_update(live, ["position"])
        field.position = target
        record_event(
            "insights.field_moved",
            actor=actor,
            community=field.community,
            subject=field,
            position=target,
        )
    return field


# --- Answers ---------------------------------------------------------------------------------


def _write_answers(membership: Membership, answers: dict[int, Any]) -> list[int]:
    """Inside a transaction: store (or, for None, remove) each answer; returns the field ids."""
    now = timezone.now()
    existing = {
        value.field_id: value
        for value in MemberFieldValue.objects.filter(
            membership=membership, field_id__in=list(answers)
        )
    }
    create: list[MemberFieldValue] = []
    update: list[MemberFieldValue] = []
    remove: list[MemberFieldValue] = []
    for field_id, value in answers.items():
        row = existing.get(field_id)
        if value is None:
            if row is not None:
                remove.append(row)
        elif row is None:
            create.append(
                MemberFieldValue(
                    field_id=field_id, membership=membership, value=value, updated_at=now
                )
            )
        elif row.value != value:
            row.value = value
            row.updated_at = now
            update.append(row)
    if remove:
        MemberFieldValue.objects.filter(pk__in=[row.pk for row in remove]).delete()
    if create:
        MemberFieldValue.objects.bulk_create(create)
    if update:
        MemberFieldValue.objects.bulk_update(update, ["value", "updated_at"])
    return sorted({row.field_id for row in create + update + remove})


def _live_fields(community: Community, **filters: Any) -> dict[int, MemberField]:
    fields = MemberField.objects.filter(community=community, archived_at__isnull=True, **filters)
    return {field.pk: field for field in fields}


def _keyed(raw: dict[Any, Any], known: dict[int, MemberField]) -> dict[int, Any]:
    """Raw answers by field id; ids that are no live question here refuse the whole input."""
    keyed: dict[int, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in raw.items():
        try:
            field_id = int(key)
        except (TypeError, ValueError):
            field_id = -1
        if field_id not in known:
            errors[f"fields.{key}"] = [_("There is no such question here.")]
        else:
            keyed[field_id] = value
    if errors:
        raise ValidationError(errors)
    return keyed


def clean_joining_answers(community: Community, raw: dict[Any, Any]) -> dict[int, Any]:
    """The answers to the questions asked on joining, cleaned; every required one answered.

    Raises ValidationError keyed ``fields.<id>``.
    """
    fields = _live_fields(community, asked=FieldAsked.ON_JOINING)
    keyed = _keyed(raw, fields)
    return rules.clean_answers(fields.values(), keyed)


def join_with_answers(
    actor: User, community: Community, *, accept_rules: bool, answers: dict[Any, Any]
) -> community_actions.JoinOutcome:
    """Join an open community answering its joining questions, all in one transaction (on the
    waitlist, the answers are not kept). Raises PermissionDenied, ValidationError."""
    community_permissions.check_join_community(actor, community)
    cleaned = clean_joining_answers(community, answers)
    with transaction.atomic():
        outcome = community_actions.join_community(actor, community, accept_rules=accept_rules)
        if outcome.membership is not None and cleaned:
            saved = _write_answers(outcome.membership, cleaned)
            if saved:
                record_event(
                    "insights.fields_answered",
                    actor=actor,
                    community=community,
                    subject=outcome.membership,
                    fields=saved,
                )
    return outcome


def request_with_answers(
    actor: User,
    community: Community,
    *,
    answers: list[str],
    message: str = "",
    accept_rules: bool,
    field_answers: dict[Any, Any],
) -> JoinRequest:
    """Ask to join, answering the joining questions too: they travel with the request (so the
    hosts see them) and are saved when it is approved. Raises PermissionDenied,
    ValidationError, ActionRefused."""
    community_permissions.check_request_to_join(actor, community)
    cleaned = clean_joining_answers(community, field_answers)
    fields = _live_fields(community, pk__in=list(cleaned))
    with transaction.atomic():
        join_request = community_actions.request_to_join(
            actor, community, answers=answers, message=message, accept_rules=accept_rules
        )
        extra = [
            {
                "question": fields[field_id].label,
                "answer": rules.display_answer(fields[field_id], value),
                "field": field_id,
                "value": value,
            }
            for field_id, value in cleaned.items()
            if value is not None
        ]
        if extra:
            join_request.answers = [*(join_request.answers or []), *extra]
            join_request.save(update_fields=["answers"])
    return join_request


def save_answers_from_request(join_request: JoinRequest, membership: Membership) -> None:
    """Inside the approval's transaction: the answers the applicant gave, for questions still
    asked, under their current options."""
    given = {
        item["field"]: item.get("value")
        for item in join_request.answers or []
        if isinstance(item, dict) and isinstance(item.get("field"), int)
    }
    if not given:
        return
    fields = _live_fields(join_request.community, pk__in=list(given))
    kept = {
        field_id: rules.still_valid(field, given[field_id]) for field_id, field in fields.items()
    }
    saved = _write_answers(membership, {k: v for k, v in kept.items() if v is not None})
    if saved:
        record_event(
            "insights.fields_answered",
            actor=join_request.user,
            community=join_request.community,
            subject=membership,
            fields=saved,
        )


def save_my_answers(
    actor: User, community: Community, raw: dict[Any, Any], *, complete: bool
) -> list[int]:
    """Set the actor's own answers (None removes one). ``complete``: ``raw`` holds every live
    question (the about-you page), so each required one must be answered; otherwise only the
    named questions change, and a required one cannot be emptied. Returns the changed field ids.

    Raises PermissionDenied, ValidationError keyed ``fields.<id>``.
    """
    check_answer_member_fields(actor, community)
    fields = _live_fields(community)
    keyed = _keyed(raw, fields)
    asked = fields.values() if complete else [fields[field_id] for field_id in keyed]
    cleaned = rules.clean_answers(asked, keyed)
    with transaction.atomic():
        membership = Membership.objects.filter(community=community, user=actor).first()
        if membership is None:
            raise ValidationError(_("Only the community's members can do this."))
        saved = _write_answers(membership, cleaned)
        if saved:
            record_event(
                "insights.fields_answered",
                actor=actor,
                community=community,
                subject=membership,
                fields=saved,
            )
    return saved
