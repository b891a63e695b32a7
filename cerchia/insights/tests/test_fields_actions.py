"""Hosts define, change, move and archive member fields; members answer them on joining, when
asking to join (saved on approval) and later; answers go when the membership goes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from cerchia.accounts.actions import delete_account
from cerchia.communities.actions import approve_join_request, leave_community
from cerchia.communities.models import Community, JoinRequest, Membership
from cerchia.core import testing
from cerchia.insights import actions_fields as actions
from cerchia.insights import fields as rules
from cerchia.insights.models import Event, FieldAsked, FieldKind, MemberField, MemberFieldValue

pytestmark = pytest.mark.django_db


def _make(community: Community, actor: Any, label: str = "Where?", **values: Any) -> MemberField:
    values.setdefault("kind", FieldKind.TEXT)
    return actions.create_field(actor, community, label=label, **values)


def _answer(field: MemberField, user: Any, value: Any) -> MemberFieldValue:
    membership = Membership.objects.get(community=field.community, user=user)
    return MemberFieldValue.objects.create(field=field, membership=membership, value=value)


# --- Defining ---------------------------------------------------------------------------------


def test_hosts_create_fields_in_order_with_an_event(public_community, owner, moderator):
    first = _make(public_community, owner)
    second = _make(
        public_community,
        moderator,
        "Favourite roast?",
        kind=FieldKind.CHOICE,
        choices=["Light", "Dark"],
        purpose="marketing",
        asked="later",
    )
    assert (first.position, second.position) == (0, 1)
    assert second.choices == ["Light", "Dark"]
    kinds = testing.event_kinds(community=public_community, kind__startswith="insights.")
    assert kinds == ["insights.field_created", "insights.field_created"]


@pytest.mark.parametrize("who", ["member", "stranger"])
def test_only_hosts_define_fields(public_community, member, stranger, who):
    actor = {"member": member, "stranger": stranger}[who]
    with pytest.raises(PermissionDenied):
        _make(public_community, actor)
    assert not MemberField.objects.exists()


def test_outsiders_of_a_private_community_get_404(private_community, stranger):
    with pytest.raises(Http404):
        _make(private_community, stranger)


def test_site_admins_may_define_fields(public_community, site_admin):
    assert _make(public_community, site_admin).pk


@pytest.mark.parametrize(
    ("values", "error_on"),
    [
        ({"label": ""}, "label"),
        ({"label": "x" * 121}, "label"),
        ({"help_text": "x" * 301}, "help_text"),
        ({"kind": "colour"}, "kind"),
        ({"kind": FieldKind.CHOICE, "choices": ["Only"]}, "choices"),
        ({"kind": FieldKind.MULTIPLE, "choices": ["A", "a"]}, "choices"),
        ({"purpose": "spying"}, "purpose"),
        ({"visibility": "world"}, "visibility"),
        ({"asked": "never"}, "asked"),
    ],
)
def test_bad_definitions_are_refused(public_community, owner, values, error_on):
    with pytest.raises(ValidationError) as caught:
        _make(public_community, owner, **values)
    assert error_on in caught.value.message_dict
    assert not MemberField.objects.exists()


def test_the_same_question_is_asked_once(public_community, owner):
    first = _make(public_community, owner, "Where?")
    with pytest.raises(ValidationError) as caught:
        _make(public_community, owner, "where?")
    assert "label" in caught.value.message_dict
    other = _make(public_community, owner, "Why?")
    with pytest.raises(ValidationError):
        actions.update_field(owner, other, label="WHERE?")
    actions.archive_field(owner, first)
    assert _make(public_community, owner, "Where?").pk


def test_at_most_thirty_live_fields(public_community, owner):
    for number in range(rules.MAX_LIVE_FIELDS):
        _make(public_community, owner, f"Q{number}")
    with pytest.raises(ValidationError):
        _make(public_community, owner, "One more")
    actions.archive_field(owner, MemberField.objects.earliest("id"))
    assert _make(public_community, owner, "One more").pk


def test_update_changes_what_was_sent_and_records_it(public_community, owner):
    field = _make(public_community, owner)
    actions.update_field(owner, field, label="Where do you live?", required=True)
    field.refresh_from_db()
    assert (field.label, field.required) == ("Where do you live?", True)
    assert testing.event_kinds(kind="insights.field_updated") == ["insights.field_updated"]
    actions.update_field(owner, field, label="Where do you live?")
    assert len(testing.event_kinds(kind="insights.field_updated")) == 1  # nothing changed


def test_the_kind_never_changes(public_community, owner):
    field = _make(public_community, owner)
    with pytest.raises(ValidationError) as caught:
        actions.update_field(owner, field, kind=FieldKind.NUMBER)
    assert "kind" in caught.value.message_dict


def test_removed_options_are_dropped_from_answers(public_community, owner, member, moderator):
    single = _make(
        public_community, owner, "Roast", kind=FieldKind.CHOICE, choices=["Light", "Dark"]
    )
    multiple = _make(
        public_community,
        owner,
        "Gear",
        kind=FieldKind.MULTIPLE,
        choices=["Moka", "Espresso", "V60"],
    )
    _answer(single, member, "Light")
    _answer(single, moderator, "Dark")
    _answer(multiple, member, ["Moka", "V60"])
    _answer(multiple, moderator, ["Moka"])
    actions.update_field(owner, single, choices=["Medium", "Dark"])
    actions.update_field(owner, multiple, choices=["Espresso", "V60", "Chemex"])
    assert list(MemberFieldValue.objects.filter(field=single).values_list("value", flat=True)) == [
        "Dark"
    ]
    assert list(
        MemberFieldValue.objects.filter(field=multiple).values_list("value", flat=True)
    ) == [["V60"]]
    changed = Event.objects.filter(kind="insights.field_updated").values_list(
        "payload__answers_changed", flat=True
    )
    assert list(changed) == [1, 2]


def test_archived_fields_keep_answers_and_cannot_be_changed(public_community, owner, member):
    field = _make(public_community, owner)
    _answer(field, member, "Rome")
    actions.archive_field(owner, field)
    assert field.archived_at is not None
    assert MemberFieldValue.objects.filter(field=field).count() == 1
    with pytest.raises(Http404):
        actions.update_field(owner, field, label="Again")
    with pytest.raises(Http404):
        actions.archive_field(owner, field)
    assert testing.event_kinds(kind="insights.field_archived") == ["insights.field_archived"]


def test_move_up_and_down(public_community, owner):
    a, _b, c = (_make(public_community, owner, label) for label in "ABC")
    actions.move_field(owner, c, to=0)
    assert list(MemberField.objects.values_list("label", flat=True)) == ["C", "A", "B"]
    actions.move_field(owner, c, to=99)  # clamped
    assert list(MemberField.objects.values_list("label", flat=True)) == ["A", "B", "C"]
    actions.move_field(owner, a, to=0)  # already there: no event
    assert len(testing.event_kinds(kind="insights.field_moved")) == 2


def test_members_cannot_move_or_archive(public_community, owner, member):
    field = _make(public_community, owner)
    with pytest.raises(PermissionDenied):
        actions.move_field(member, field, to=1)
    with pytest.raises(PermissionDenied):
        actions.archive_field(member, field)


# --- Answering ----------------------------------------------------------------------------


def test_joining_saves_answers_with_the_membership(public_community, owner, stranger):
    field = _make(public_community, owner, required=True)
    later = _make(public_community, owner, "Later one", asked=FieldAsked.LATER, required=True)
    outcome = actions.join_with_answers(
        stranger, public_community, accept_rules=True, answers={str(field.pk): "Rome"}
    )
    assert outcome.status == "joined"
    value = MemberFieldValue.objects.get(membership=outcome.membership)
    assert (value.field_id, value.value) == (field.pk, "Rome")
    assert not MemberFieldValue.objects.filter(field=later).exists()
    assert "insights.fields_answered" in testing.event_kinds(community=public_community)


@pytest.mark.parametrize(
    ("answers", "error_on"),
    [
        ({}, "fields.{id}"),
        ({"{id}": "x" * 501}, "fields.{id}"),
        ({"999999": "Rome"}, "fields.999999"),
        ({"nonsense": "Rome"}, "fields.nonsense"),
    ],
)
def test_joining_with_bad_answers_changes_nothing(
    public_community, owner, stranger, answers, error_on
):
    field = _make(public_community, owner, required=True)
    raw = {key.format(id=field.pk): value for key, value in answers.items()}
    with pytest.raises(ValidationError) as caught:
        actions.join_with_answers(stranger, public_community, accept_rules=True, answers=raw)
    assert error_on.format(id=field.pk) in caught.value.message_dict
    assert not Membership.objects.filter(user=stranger).exists()
    assert not MemberFieldValue.objects.exists()
    assert "membership.joined" not in testing.event_kinds()


def test_joining_without_accepting_the_rules_saves_no_answers(public_community, owner, stranger):
    field = _make(public_community, owner)
    with pytest.raises(ValidationError):
        actions.join_with_answers(
            stranger, public_community, accept_rules=False, answers={field.pk: "Rome"}
        )
    assert not MemberFieldValue.objects.exists()


def test_a_request_carries_answers_until_approved(private_community, owner, stranger):
    field = _make(private_community, owner, "Camera brand", required=True)
    with pytest.raises(ValidationError):
        actions.request_with_answers(
            stranger, private_community, answers=["Leica"], accept_rules=True, field_answers={}
        )
    assert not JoinRequest.objects.filter(user=stranger).exists()
    join_request = actions.request_with_answers(
        stranger,
        private_community,
        answers=["Leica"],
        accept_rules=True,
        field_answers={str(field.pk): "Nikon"},
    )
    assert join_request.answers[-1] == {
        "question": "Camera brand",
        "answer": "Nikon",
        "field": field.pk,
        "value": "Nikon",
    }
    assert not MemberFieldValue.objects.exists()
    outcome = approve_join_request(owner, join_request)
    assert MemberFieldValue.objects.get(membership=outcome.membership).value == "Nikon"


def test_approval_skips_answers_to_questions_since_archived_or_changed(
    private_community, owner, stranger
):
    kept = _make(private_community, owner, "Camera")
    gone = _make(private_community, owner, "Film")
    choice = _make(
        private_community, owner, "Format", kind=FieldKind.CHOICE, choices=["35mm", "120"]
    )
    join_request = actions.request_with_answers(
        stranger,
        private_community,
        answers=["Leica"],
        accept_rules=True,
        field_answers={kept.pk: "Leica", gone.pk: "Portra", choice.pk: "120"},
    )
    actions.archive_field(owner, gone)
    actions.update_field(owner, choice, choices=["35mm", "Large format"])
    outcome = approve_join_request(owner, join_request)
    saved = dict(
        MemberFieldValue.objects.filter(membership=outcome.membership).values_list(
            "field_id", "value"
        )
    )
    assert saved == {kept.pk: "Leica"}


def test_members_set_their_own_answers(public_community, owner, member):
    text = _make(public_community, owner, required=True)
    yes_no = _make(public_community, owner, "Newsletter?", kind=FieldKind.YES_NO)
    with pytest.raises(ValidationError) as caught:
        actions.save_my_answers(member, public_community, {yes_no.pk: True}, complete=True)
    assert f"fields.{text.pk}" in caught.value.message_dict
    saved = actions.save_my_answers(
        member, public_community, {text.pk: "Rome", yes_no.pk: True}, complete=True
    )
    assert saved == sorted([text.pk, yes_no.pk])
    # A partial update changes only what is named; a required answer cannot be emptied.
    actions.save_my_answers(member, public_community, {str(yes_no.pk): None}, complete=False)
    with pytest.raises(ValidationError):
        actions.save_my_answers(member, public_community, {text.pk: None}, complete=False)
    values = MemberFieldValue.objects.filter(membership__user=member)
    assert list(values.values_list("value", flat=True)) == ["Rome"]
    assert (
        actions.save_my_answers(member, public_community, {text.pk: "Rome"}, complete=False) == []
    )


def test_archived_fields_cannot_be_answered(public_community, owner, member):
    field = _make(public_community, owner)
    actions.archive_field(owner, field)
    with pytest.raises(ValidationError):
        actions.save_my_answers(member, public_community, {field.pk: "x"}, complete=False)


@pytest.mark.parametrize("who", ["stranger", "site_admin"])
def test_only_members_answer(public_community, owner, stranger, site_admin, who):
    field = _make(public_community, owner)
    with pytest.raises(PermissionDenied):
        actions.save_my_answers(
            {"stranger": stranger, "site_admin": site_admin}[who],
            public_community,
            {field.pk: "x"},
            complete=False,
        )


def test_suspended_members_cannot_answer(public_community, owner, member):
    field = _make(public_community, owner)
    member.suspended_at = timezone.now()
    member.save()
    with pytest.raises(PermissionDenied):
        actions.save_my_answers(member, public_community, {field.pk: "x"}, complete=False)


# --- Answers go with the membership ---------------------------------------------------------


def test_leaving_drops_answers(public_community, owner, member):
    _answer(_make(public_community, owner), member, "Rome")
    leave_community(member, public_community)
    assert not MemberFieldValue.objects.exists()


def test_a_ban_drops_answers(public_community, owner, member):
    from cerchia.moderation.actions.sanctions import sanction_member

    _answer(_make(public_community, owner), member, "Rome")
    sanction_member(owner, public_community, member, "ban", "Rule 1")
    assert not Membership.objects.filter(user=member).exists()
    assert not MemberFieldValue.objects.exists()


def test_erasing_the_account_drops_answers(public_community, owner, member):
    _answer(_make(public_community, owner), member, "Rome")
    delete_account(member, member, password=testing.PASSWORD, posts="keep")
    assert not MemberFieldValue.objects.exists()
