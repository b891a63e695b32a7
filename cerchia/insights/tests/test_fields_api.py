"""The member fields API: hosts define questions, members read and set their answers, and the
join endpoints take answers too; bad input is a problem naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from cerchia.accounts.models import AccessToken
from cerchia.api.tests.conftest import ApiClient, make_token
from cerchia.communities.actions import approve_join_request
from cerchia.communities.models import Community, JoinRequest, Membership
from cerchia.insights import actions_fields as actions
from cerchia.insights.models import FieldKind, MemberField, MemberFieldValue

pytestmark = pytest.mark.django_db


def api(user: Any) -> ApiClient:
    return ApiClient(make_token(user, AccessToken.Scope.WRITE))


def _fields(community: Community) -> str:
    return f"/communities/{community.slug}/member-fields"


def _mine(community: Community) -> str:
    return f"/communities/{community.slug}/me/fields"


def _make(community: Community, owner: Any, label: str = "City", **values: Any) -> MemberField:
    values.setdefault("kind", FieldKind.TEXT)
    return actions.create_field(owner, community, label=label, **values)


def test_hosts_create_list_change_move_and_archive(public_community, owner, moderator):
    created = api(owner).post(
        _fields(public_community),
        {"label": "Roast", "kind": "choice", "choices": ["Light", "Dark"], "required": True},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["kind"], body["choices"], body["answers"], body["asked"]) == (
        "choice",
        ["Light", "Dark"],
        0,
        "join",
    )
    second = api(moderator).post(_fields(public_community), {"label": "City", "kind": "text"})
    assert second.status_code == 201
    listed = api(moderator).get(_fields(public_community)).json()["items"]
    assert [item["label"] for item in listed] == ["Roast", "City"]
    url = f"{_fields(public_community)}/{body['id']}"
    patched = api(owner).patch(url, {"label": "Roast level", "position": 1})
    assert patched.status_code == 200, patched.content
    assert (patched.json()["label"], patched.json()["position"]) == ("Roast level", 1)
    assert [
        item["label"] for item in api(owner).get(_fields(public_community)).json()["items"]
    ] == [
        "City",
        "Roast level",
    ]
    assert api(owner).delete(url).status_code == 204
    assert api(owner).patch(url, {"label": "Again"}).status_code == 404
    assert api(owner).delete(url).status_code == 404
    assert [
        item["label"] for item in api(owner).get(_fields(public_community)).json()["items"]
    ] == ["City"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"label": "", "kind": "text"}, "label"),
        ({"label": "Q", "kind": "colour"}, "kind"),
        ({"label": "Q", "kind": "choice", "choices": ["One"]}, "choices"),
        ({"label": "Q", "kind": "multiple", "choices": ["A", "A"]}, "choices"),
        ({"label": "Q", "kind": "text", "purpose": "spying"}, "purpose"),
        ({"label": "Q", "kind": "text", "extra": 1}, "extra"),
        ({"label": "Q", "kind": "text", "required": "yes"}, "required"),
    ],
)
def test_bad_definitions_are_problems(public_community, owner, payload, field):
    response = api(owner).post(_fields(public_community), payload)
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in response.json()["errors"]
    assert not MemberField.objects.exists()


def test_the_kind_cannot_be_patched(public_community, owner):
    field = _make(public_community, owner)
    response = api(owner).patch(f"{_fields(public_community)}/{field.pk}", {"kind": "number"})
    assert response.status_code == 422


def test_refusals(public_community, private_community, owner, member, stranger):
    field = _make(public_community, owner)
    assert api(member).get(_fields(public_community)).status_code == 403
    assert (
        api(member).post(_fields(public_community), {"label": "Q", "kind": "text"}).status_code
        == 403
    )
    assert api(member).delete(f"{_fields(public_community)}/{field.pk}").status_code == 403
    assert api(stranger).get(_fields(private_community)).status_code == 404
    assert ApiClient().get(_fields(public_community)).status_code == 401
    other = _make(private_community, owner)
    assert (
        api(owner).patch(f"{_fields(public_community)}/{other.pk}", {"label": "x"}).status_code
        == 404
    )


def test_members_read_and_set_their_answers(public_community, owner, member):
    city = _make(public_community, owner, required=True)
    cups = _make(public_community, owner, "Cups", kind=FieldKind.NUMBER)
    gear = _make(public_community, owner, "Gear", kind=FieldKind.MULTIPLE, choices=["Moka", "V60"])
    client = api(member)
    items = client.get(_mine(public_community)).json()["items"]
    assert [(item["field"]["label"], item["answer"]) for item in items] == [
        ("City", None),
        ("Cups", None),
        ("Gear", None),
    ]
    response = client.request(
        "PUT",
        _mine(public_community),
        {"fields": {str(city.pk): "Rome", str(cups.pk): 2.5, str(gear.pk): ["V60", "Moka"]}},
    )
    assert response.status_code == 200, response.content
    answers = {item["field"]["id"]: item["answer"] for item in response.json()["items"]}
    assert answers == {city.pk: "Rome", cups.pk: 2.5, gear.pk: ["Moka", "V60"]}
    # Left out: unchanged; null: removed; a required one cannot be emptied.
    client.request("PUT", _mine(public_community), {"fields": {str(cups.pk): None}})
    assert MemberFieldValue.objects.filter(field=cups).count() == 0
    refused = client.request("PUT", _mine(public_community), {"fields": {str(city.pk): None}})
    assert refused.status_code == 422
    assert f"fields.{city.pk}" in refused.json()["errors"]


@pytest.mark.parametrize(
    "value", ["not a number", True, [1], {"a": 1}], ids=["text", "bool", "list", "object"]
)
def test_bad_answers_are_problems_naming_the_field(public_community, owner, member, value):
    cups = _make(public_community, owner, "Cups", kind=FieldKind.NUMBER)
    response = api(member).request(
        "PUT", _mine(public_community), {"fields": {str(cups.pk): value}}
    )
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert any(str(cups.pk) in key for key in errors), errors
    assert not MemberFieldValue.objects.exists()


def test_unknown_fields_are_problems(public_community, owner, member):
    response = api(member).request("PUT", _mine(public_community), {"fields": {"123456": "x"}})
    assert response.status_code == 422
    assert "fields.123456" in response.json()["errors"]


def test_only_members_have_answers(public_community, private_community, stranger, site_admin):
    assert api(stranger).get(_mine(public_community)).status_code == 403
    assert (
        api(site_admin).request("PUT", _mine(public_community), {"fields": {}}).status_code == 403
    )
    assert api(stranger).get(_mine(private_community)).status_code == 404
    assert ApiClient().get(_mine(public_community)).status_code == 401


def test_join_with_answers(public_community, owner, stranger):
    city = _make(public_community, owner, required=True)
    url = f"/communities/{public_community.slug}/join"
    refused = api(stranger).post(url, {"accept_rules": True})
    assert refused.status_code == 422
    assert f"fields.{city.pk}" in refused.json()["errors"]
    assert not Membership.objects.filter(user=stranger).exists()
    joined = api(stranger).post(url, {"accept_rules": True, "fields": {str(city.pk): "Rome"}})
    assert joined.status_code == 201, joined.content
    assert MemberFieldValue.objects.get(membership__user=stranger).value == "Rome"


def test_join_request_with_answers(private_community, owner, stranger):
    city = _make(private_community, owner, required=True)
    url = f"/communities/{private_community.slug}/join-requests"
    refused = api(stranger).post(url, {"answers": ["Film"], "accept_rules": True})
    assert refused.status_code == 422
    assert not JoinRequest.objects.filter(user=stranger).exists()
    created = api(stranger).post(
        url, {"answers": ["Film"], "accept_rules": True, "fields": {str(city.pk): "Rome"}}
    )
    assert created.status_code == 201, created.content
    assert created.json()["answers"][-1] == {"question": "City", "answer": "Rome"}
    approve_join_request(owner, JoinRequest.objects.get(user=stranger))
    assert MemberFieldValue.objects.get(membership__user=stranger).value == "Rome"
