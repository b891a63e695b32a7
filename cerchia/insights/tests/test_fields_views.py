"""The hosts' questions pages, the join forms' questions, the about-you page, the community
page's prompt, answers on member cards and in the member's export."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cerchia.accounts.export import build_account_export
from cerchia.communities.models import Community, JoinRequest, Membership
from cerchia.core import testing
from cerchia.insights import actions_fields as actions
from cerchia.insights.models import (
    FieldAsked,
    FieldKind,
    FieldPurpose,
    FieldVisibility,
    MemberField,
    MemberFieldValue,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(name: str, community: Community, **kwargs: Any) -> str:
    return reverse(f"insights:{name}", kwargs={"slug": community.slug, **kwargs})


def _make(community: Community, owner: Any, label: str = "Where do you live?", **values: Any):
    values.setdefault("kind", FieldKind.TEXT)
    return actions.create_field(owner, community, label=label, **values)


def _answer(field: MemberField, user: Any, value: Any) -> None:
    membership = Membership.objects.get(community=field.community, user=user)
    MemberFieldValue.objects.create(field=field, membership=membership, value=value)


# --- The hosts' page -----------------------------------------------------------------------


def test_hosts_see_the_questions_and_add_one(client, public_community, owner):
    _make(public_community, owner, "Favourite roast?")
    client.force_login(owner)
    page = client.get(_url("fields", public_community))
    assert page.status_code == 200
    assert "Favourite roast?" in page.content.decode()
    response = client.post(
        _url("fields", public_community),
        {
            "label": "Which grinder?",
            "kind": FieldKind.CHOICE,
            "options": "Hand\nElectric\n",
            "purpose": FieldPurpose.PROFILE,
            "visibility": FieldVisibility.MEMBERS,
            "asked": FieldAsked.LATER,
            "required": "on",
        },
    )
    assert response.status_code == 302
    field = MemberField.objects.get(label="Which grinder?")
    assert (field.choices, field.required, field.position) == (["Hand", "Electric"], True, 1)


def test_a_bad_definition_shows_form_errors(client, public_community, owner):
    client.force_login(owner)
    response = client.post(
        _url("fields", public_community),
        {
            "label": "Pick one",
            "kind": FieldKind.CHOICE,
            "options": "Only one",
            "purpose": "profile",
            "visibility": "hosts",
            "asked": "join",
        },
    )
    assert response.status_code == 400
    assert "between 2 and 30 options" in response.content.decode()
    assert not MemberField.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("member", 403), ("stranger", 403), ("anonymous", 302)]
)
def test_the_hosts_page_refuses_others(client, public_community, member, stranger, who, status):
    if who != "anonymous":
        client.force_login({"member": member, "stranger": stranger}[who])
    assert client.get(_url("fields", public_community)).status_code == status


def test_outsiders_of_a_private_community_get_404(client, private_community, stranger):
    client.force_login(stranger)
    assert client.get(_url("fields", private_community)).status_code == 404


def test_edit_move_and_archive(client, public_community, owner, member):
    first = _make(public_community, owner, "First")
    second = _make(public_community, owner, "Second")
    _answer(first, member, "Rome")
    client.force_login(owner)
    edit = _url("field_edit", public_community, field_id=first.pk)
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "label": "First, reworded",
            "kind": FieldKind.NUMBER,  # ignored: the kind never changes
            "purpose": "profile",
            "visibility": "members",
            "asked": "later",
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.label, first.kind, first.visibility) == ("First, reworded", "text", "members")
    move = _url("field_move", public_community, field_id=second.pk)
    page = client.post(move, {"direction": "up"}, **HTMX)
    assert page.status_code == 200
    assert 'id="field-list"' in page.content.decode()
    assert list(MemberField.objects.values_list("label", flat=True)) == [
        "Second",
        "First, reworded",
    ]
    assert client.post(move, {"direction": "sideways"}).status_code == 302
    assert (
        client.post(_url("field_archive", public_community, field_id=first.pk)).status_code == 302
    )
    first.refresh_from_db()
    assert first.archived_at is not None
    assert MemberFieldValue.objects.filter(field=first).count() == 1
    assert client.get(edit).status_code == 404
    assert (
        client.post(_url("field_archive", public_community, field_id=first.pk)).status_code == 404
    )


def test_another_communitys_field_is_404(client, public_community, owner):
    other = testing.make_community(owner)
    field = _make(other, owner)
    client.force_login(owner)
    url = _url("field_edit", public_community, field_id=field.pk)
    assert client.get(url).status_code == 404


def _fields_page_queries(client, community: Community, owner: Any, count: int) -> int:
    for number in range(count):
        field = _make(
            community, owner, f"Question {number}", kind=FieldKind.CHOICE, choices=["A", "B"]
        )
        for person in (owner,):
            _answer(field, person, "A")
    if count > 2:
        actions.archive_field(owner, MemberField.objects.filter(community=community).earliest("id"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url("fields", community))
    assert response.status_code == 200
    return len(queries)


def test_the_fields_page_query_budget_does_not_grow(client, owner, django_assert_max_num_queries):
    client.force_login(owner)
    few = _fields_page_queries(client, testing.make_community(owner), owner, 2)
    many = _fields_page_queries(client, testing.make_community(owner), owner, 25)
    assert few == many
    community = testing.make_community(owner)
    _make(community, owner)
    # Session and user, community, access, the fields with their answer counts, and the
    # header's and settings tabs' badges.
    with django_assert_max_num_queries(10):
        client.get(_url("fields", community))


# --- Joining ------------------------------------------------------------------------------------


def test_the_join_form_asks_the_joining_questions(client, public_community, owner, stranger):
    _make(public_community, owner, "Where do you live?", required=True)
    _make(public_community, owner, "Asked later", asked=FieldAsked.LATER)
    client.force_login(stranger)
    body = client.get(
        reverse("communities:detail", kwargs={"slug": public_community.slug})
    ).content.decode()
    assert "Where do you live?" in body
    assert "Asked later" not in body


def test_joining_without_a_required_answer_creates_nothing(
    client, public_community, owner, stranger
):
    field = _make(public_community, owner, required=True)
    client.force_login(stranger)
    url = reverse("communities:join", kwargs={"slug": public_community.slug})
    response = client.post(url, {"accept_rules": "on"})
    assert response.status_code == 400
    assert "Please answer this question." in response.content.decode()
    assert not Membership.objects.filter(user=stranger).exists()
    response = client.post(url, {"accept_rules": "on", f"field_{field.pk}": "Rome"})
    assert response.status_code == 302
    membership = Membership.objects.get(user=stranger, community=public_community)
    assert MemberFieldValue.objects.get(membership=membership).value == "Rome"


def test_joining_with_each_kind(client, public_community, owner, stranger):
    fields = {
        "number": _make(public_community, owner, "Cups a day", kind=FieldKind.NUMBER),
        "date": _make(public_community, owner, "Birthday", kind=FieldKind.DATE),
        "choice": _make(
            public_community, owner, "Roast", kind=FieldKind.CHOICE, choices=["Light", "Dark"]
        ),
        "multiple": _make(
            public_community,
            owner,
            "Gear",
            kind=FieldKind.MULTIPLE,
            choices=["Moka", "V60", "Chemex"],
        ),
        "yesno": _make(public_community, owner, "Barista?", kind=FieldKind.YES_NO, required=True),
    }
    client.force_login(stranger)
    data = {
        "accept_rules": "on",
        f"field_{fields['number'].pk}": "2,5",
        f"field_{fields['date'].pk}": "1990-04-01",
        f"field_{fields['choice'].pk}": "Dark",
        f"field_{fields['multiple'].pk}": ["V60", "Moka"],
        f"field_{fields['yesno'].pk}": "no",
    }
    response = client.post(
        reverse("communities:join", kwargs={"slug": public_community.slug}), data
    )
    assert response.status_code == 302
    saved = dict(MemberFieldValue.objects.values_list("field__label", "value"))
    assert saved == {
        "Cups a day": 2.5,
        "Birthday": "1990-04-01",
        "Roast": "Dark",
        "Gear": ["Moka", "V60"],
        "Barista?": False,
    }


def test_asking_to_join_with_answers(client, private_community, owner, stranger):
    field = _make(private_community, owner, "Camera brand", required=True)
    client.force_login(stranger)
    url = reverse("communities:request", kwargs={"slug": private_community.slug})
    response = client.post(url, {"answer_0": "A Leica", "accept_rules": "on"})
    assert response.status_code == 400
    assert not JoinRequest.objects.filter(user=stranger).exists()
    response = client.post(url, {"answer_0": "A Leica", f"field_{field.pk}": "Leica"})
    assert response.status_code == 302
    join_request = JoinRequest.objects.get(user=stranger)
    client.force_login(owner)
    requests_page = client.get(
        reverse("communities:requests", kwargs={"slug": private_community.slug})
    )
    assert "Camera brand" in requests_page.content.decode()
    decide = reverse(
        "communities:decide_request",
        kwargs={"slug": private_community.slug, "request_id": join_request.pk},
    )
    client.post(decide, {"decision": "approve"})
    assert MemberFieldValue.objects.get(membership__user=stranger).value == "Leica"


# --- Members: about you, the prompt, cards, export ------------------------------------------


def test_about_you_shows_and_saves_answers(client, public_community, owner, member):
    text = _make(public_community, owner, required=True)
    marketing = _make(
        public_community, owner, "Budget", kind=FieldKind.NUMBER, purpose=FieldPurpose.MARKETING
    )
    _answer(text, member, "Rome")
    client.force_login(member)
    url = _url("about_you", public_community)
    page = client.get(url).content.decode()
    assert 'value="Rome"' in page
    assert "only if you consent to marketing" in page
    response = client.post(url, {f"field_{text.pk}": "", f"field_{marketing.pk}": "12"})
    assert response.status_code == 400
    response = client.post(url, {f"field_{text.pk}": "Milan", f"field_{marketing.pk}": "12"})
    assert response.status_code == 302
    assert dict(MemberFieldValue.objects.values_list("field_id", "value")) == {
        text.pk: "Milan",
        marketing.pk: 12,
    }


@pytest.mark.parametrize(("who", "status"), [("stranger", 403), ("anonymous", 302)])
def test_about_you_is_for_members(client, public_community, stranger, who, status):
    if who == "stranger":
        client.force_login(stranger)
    assert client.get(_url("about_you", public_community)).status_code == status


def test_about_you_in_a_private_community_is_404_to_outsiders(client, private_community, stranger):
    client.force_login(stranger)
    assert client.get(_url("about_you", private_community)).status_code == 404


def test_the_community_page_prompts_until_answered(client, public_community, owner, member):
    detail = reverse("communities:detail", kwargs={"slug": public_community.slug})
    client.force_login(member)
    assert "Tell the hosts about yourself" not in client.get(detail).content.decode()
    field = _make(public_community, owner, "Later", asked=FieldAsked.LATER)
    assert "Tell the hosts about yourself" in client.get(detail).content.decode()
    _answer(field, member, "Done")
    assert "Tell the hosts about yourself" not in client.get(detail).content.decode()


def _card_answers(client, viewer: Any, community: Community) -> str:
    client.force_login(viewer)
    return client.get(
        reverse("communities:members", kwargs={"slug": community.slug})
    ).content.decode()


def test_member_cards_show_answers_by_visibility(
    client, public_community, owner, member, moderator
):
    shown = _make(public_community, owner, "Shown to members", visibility=FieldVisibility.MEMBERS)
    hosts_only = _make(public_community, owner, "Hosts only question")
    marketing = _make(
        public_community,
        owner,
        "Marketing question",
        visibility=FieldVisibility.MEMBERS,
        purpose=FieldPurpose.MARKETING,
    )
    archived = _make(
        public_community, owner, "Archived question", visibility=FieldVisibility.MEMBERS
    )
    for field in (shown, hosts_only, marketing, archived):
        _answer(field, moderator, f"answer to {field.label}")
    actions.archive_field(owner, archived)
    seen_by_member = _card_answers(client, member, public_community)
    assert "Shown to members" in seen_by_member
    assert "Hosts only question" not in seen_by_member
    assert "Marketing question" not in seen_by_member
    assert "Archived question" not in seen_by_member
    seen_by_host = _card_answers(client, owner, public_community)
    assert "Hosts only question" in seen_by_host
    assert "Marketing question" in seen_by_host
    assert "Archived question" not in seen_by_host
    client.logout()
    anonymous = client.get(reverse("communities:members", kwargs={"slug": public_community.slug}))
    assert "Shown to members" not in anonymous.content.decode()


def test_the_export_holds_the_members_own_answers(public_community, owner, member, moderator):
    field = _make(public_community, owner, purpose=FieldPurpose.MARKETING)
    _answer(field, member, "Rome")
    _answer(field, moderator, "Turin")
    actions.archive_field(owner, field)
    exported = build_account_export(member)["member_field_answers"]
    assert exported == [
        {
            "community": public_community.slug,
            "question": "Where do you live?",
            "kind": "text",
            "purpose": "marketing",
            "visible_to": "hosts",
            "archived": True,
            "answer": "Rome",
            "updated_at": exported[0]["updated_at"],
        }
    ]
