"""Consent-aware exports: a marketing export holds only consenting members, with email and
marketing answers; a profile export never holds an email or a marketing answer."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client

from cerchia.accounts.models import User
from cerchia.communities.models import Community, Membership
from cerchia.core import testing
from cerchia.insights.member_export import safe_cell
from cerchia.insights.models import (
    Event,
    FieldKind,
    FieldPurpose,
    MemberField,
    MemberFieldValue,
    Segment,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(public_community: Community) -> dict[str, Any]:
    """ann consents to marketing, bob does not; both answered a profile and a marketing field."""
    ann = testing.make_user("ann_a", marketing_consent=True)
    bob = testing.make_user("bob_b", display_name="=HYPERLINK(1)")
    profile = MemberField.objects.create(
        community=public_community, label="Bike", kind=FieldKind.TEXT, purpose=FieldPurpose.PROFILE
    )
    marketing = MemberField.objects.create(
        community=public_community,
        label="Budget",
        kind=FieldKind.NUMBER,
        purpose=FieldPurpose.MARKETING,
    )
    for user, bike, budget in ((ann, "Road", 900), (bob, "-gravel", 300)):
        membership = testing.add_member(public_community, user)
        MemberFieldValue.objects.create(field=profile, membership=membership, value=bike)
        MemberFieldValue.objects.create(field=marketing, membership=membership, value=budget)
    segment = Segment.objects.create(
        community=public_community,
        name="Everyone",
        rules={"match": "all", "groups": []},
    )
    return {"ann": ann, "bob": bob, "segment": segment}


def export_url(community: Community, segment: Segment, kind: str, fmt: str) -> str:
    return f"/c/{community.slug}/insights/segments/{segment.pk}/export/?kind={kind}&format={fmt}"


def rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_profile_export_has_no_email_nor_marketing_answers(
    client: Client, owner: User, public_community: Community, setup: dict[str, Any]
) -> None:
    client.force_login(owner)
    response = client.get(export_url(public_community, setup["segment"], "profile", "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert "@example.org" not in body
    assert "Budget" not in body
    assert "900" not in body
    table = {row["Handle"]: row for row in rows(response)}
    assert set(table) == {"olivia_owner", "marco_mod", "mia_member", "ann_a", "bob_b"}
    assert table["ann_a"]["Bike"] == "Road"
    # a spreadsheet never runs a member's text as a formula
    assert table["bob_b"]["Name"] == "'=HYPERLINK(1)"
    assert table["bob_b"]["Bike"] == "'-gravel"


def test_marketing_export_only_consenting_members(
    client: Client, owner: User, public_community: Community, setup: dict[str, Any]
) -> None:
    client.force_login(owner)
    response = client.get(export_url(public_community, setup["segment"], "marketing", "json"))
    assert response.status_code == 200
    items = json.loads(response.content)
    assert [item["handle"] for item in items] == ["ann_a"]
    assert items[0]["email"] == "ann_a@example.org"
    assert items[0]["answers"] == {"Bike": "Road", "Budget": 900}
    assert "bob_b" not in response.content.decode()
    event = Event.objects.get(kind="insights.segment_exported")
    assert event.payload == {"export_kind": "marketing", "format": "json", "count": 1}
    assert event.subject_id == setup["segment"].pk


def test_consent_withdrawn_leaves_the_marketing_export(
    client: Client, owner: User, public_community: Community, setup: dict[str, Any]
) -> None:
    User.objects.filter(pk=setup["ann"].pk).update(marketing_consent=False)
    client.force_login(owner)
    response = client.get(export_url(public_community, setup["segment"], "marketing", "csv"))
    assert rows(response) == []


def test_static_segment_export_members_only(
    client: Client, owner: User, public_community: Community, setup: dict[str, Any]
) -> None:
    segment = Segment.objects.create(
        community=public_community, name="Frozen", kind=Segment.Kind.STATIC
    )
    segment.frozen_members.create(user=setup["ann"])
    segment.frozen_members.create(user=setup["bob"])
    Membership.objects.filter(user=setup["bob"]).delete()
    client.force_login(owner)
    response = client.get(export_url(public_community, segment, "profile", "json"))
    assert [item["handle"] for item in json.loads(response.content)] == ["ann_a"]


def test_member_table_export_uses_the_filters(
    client: Client, owner: User, public_community: Community, setup: dict[str, Any]
) -> None:
    client.force_login(owner)
    path = f"/c/{public_community.slug}/insights/members/export/"
    response = client.get(path, {"kind": "profile", "format": "csv", "q": "ann"})
    assert [row["Handle"] for row in rows(response)] == ["ann_a"]
    assert Event.objects.filter(kind="insights.members_exported").count() == 1
    response = client.get(path, {"kind": "marketing", "format": "csv"})
    assert [row["Handle"] for row in rows(response)] == ["ann_a"]


def test_bad_export_parameters(
    client: Client, owner: User, public_community: Community, setup: dict[str, Any]
) -> None:
    client.force_login(owner)
    assert (
        client.get(export_url(public_community, setup["segment"], "all", "csv")).status_code == 400
    )
    assert (
        client.get(export_url(public_community, setup["segment"], "profile", "xls")).status_code
        == 400
    )
    assert not Event.objects.filter(kind="insights.segment_exported").exists()


def test_export_refusals(
    client: Client,
    member: User,
    stranger: User,
    public_community: Community,
    setup: dict[str, Any],
) -> None:
    path = export_url(public_community, setup["segment"], "marketing", "csv")
    assert client.get(path).status_code == 302
    client.force_login(member)
    assert client.get(path).status_code == 403
    client.force_login(stranger)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+39 055", "'+39 055"),
        ("-5", "'-5"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (["a", "=b"], "a; =b"),
        (True, "true"),
        (None, ""),
        (-3, "'-3"),
    ],
)
def test_safe_cell(value: Any, cell: str) -> None:
    assert safe_cell(value) == cell


def test_export_query_budget(
    public_community: Community, setup: dict[str, Any], django_assert_num_queries: Any
) -> None:
    from cerchia.insights import member_export
    from cerchia.insights.segments import segment_memberships

    for _ in range(10):
        user = testing.make_user(marketing_consent=True)
        testing.add_member(public_community, user)
    memberships = segment_memberships(setup["segment"])
    with django_assert_num_queries(3):
        table = member_export.build(public_community, memberships, "marketing")
    assert len(table.rows) == 11
