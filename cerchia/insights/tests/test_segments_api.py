"""The members and segments API: filters, rules, CRUD, count, export, withheld counts,
bad rules as 422 naming the condition, refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cerchia.accounts.models import User
from cerchia.communities.models import Community
from cerchia.core import testing
from cerchia.insights.models import Event, Segment

pytestmark = pytest.mark.django_db

ROLE_MEMBER = {
    "match": "all",
    "groups": [{"match": "all", "conditions": [{"field": "role", "op": "is", "value": "member"}]}],
}


def api(community: Community, suffix: str) -> str:
    return f"/api/v1/communities/{community.slug}{suffix}"


@pytest.fixture
def host(client: Client, owner: User) -> Client:
    client.force_login(owner)
    return client


def add_people(community: Community, count: int, **fields: Any) -> list[User]:
    people = []
    for _ in range(count):
        user = testing.make_user(**fields)
        testing.add_member(community, user)
        people.append(user)
    return people


def test_members_table_with_filters(host: Client, public_community: Community) -> None:
    add_people(public_community, 5, analytics_consent=True)
    response = host.get(api(public_community, "/members-table"), {"role": "member"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 6
    assert body["withheld"] is False
    mia = next(item for item in body["items"] if item["user"]["handle"] == "mia_member")
    assert mia["engaged_events_30d"] is None  # no analytics consent
    consenting = next(item for item in body["items"] if item["analytics_consent"])
    assert consenting["engaged_events_30d"] == 0


def test_members_table_small_count_is_withheld(host: Client, public_community: Community) -> None:
    body = host.get(api(public_community, "/members-table"), {"role": "owner"}).json()
    assert body["count"] is None
    assert body["withheld"] is True
    assert [item["user"]["handle"] for item in body["items"]] == ["olivia_owner"]


def test_members_table_with_rules_json(host: Client, public_community: Community) -> None:
    response = host.get(api(public_community, "/members-table"), {"rules": json.dumps(ROLE_MEMBER)})
    assert [item["user"]["handle"] for item in response.json()["items"]] == ["mia_member"]
    response = host.get(
        api(public_community, "/members-table"),
        {"rules": json.dumps(ROLE_MEMBER), "role": "owner"},
    )
    assert response.status_code == 422
    response = host.get(api(public_community, "/members-table"), {"rules": "{nope"})
    assert response.status_code == 422


def test_members_table_pages(host: Client, public_community: Community) -> None:
    add_people(public_community, 4)
    first = host.get(api(public_community, "/members-table"), {"limit": 5}).json()
    assert len(first["items"]) == 5
    second = host.get(
        api(public_community, "/members-table"), {"limit": 5, "cursor": first["next_cursor"]}
    ).json()
    assert len(second["items"]) == 2
    assert second["next_cursor"] is None
    bad = host.get(api(public_community, "/members-table"), {"cursor": "garbage!"})
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("rules", "where"),
    [
        ({"groups": [{"conditions": [{"field": "shoe", "op": "is", "value": 1}]}]}, "condition 1"),
        (
            {
                "groups": [
                    {"conditions": [{"field": "role", "op": "is", "value": "owner"}]},
                    {"conditions": [{"field": "trust_level", "op": "is", "value": "high"}]},
                ]
            },
            "group 2, condition 1",
        ),
        ({"match": "most"}, "match"),
    ],
)
def test_bad_rules_are_422_naming_the_condition(
    host: Client, public_community: Community, rules: Any, where: str
) -> None:
    response = host.post(
        api(public_community, "/segments/count"), {"rules": rules}, content_type="application/json"
    )
    assert response.status_code == 422
    assert where in json.dumps(response.json()["errors"]["rules"])


def test_count(host: Client, public_community: Community) -> None:
    add_people(public_community, 5)
    response = host.post(
        api(public_community, "/segments/count"),
        {"rules": ROLE_MEMBER},
        content_type="application/json",
    )
    assert response.json() == {"count": 6, "withheld": False}
    response = host.post(
        api(public_community, "/segments/count"),
        {"rules": {"groups": [{"conditions": [{"field": "role", "op": "is", "value": "owner"}]}]}},
        content_type="application/json",
    )
    assert response.json() == {"count": None, "withheld": True}


def test_segment_crud(host: Client, public_community: Community) -> None:
    add_people(public_community, 5)
    created = host.post(
        api(public_community, "/segments"),
        {"name": "Members", "rules": ROLE_MEMBER},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["kind"] == "dynamic"
    assert body["count"] == 6
    segment_id = body["id"]
    listed = host.get(api(public_community, "/segments")).json()["items"]
    assert [item["name"] for item in listed] == ["Members"]
    got = host.get(api(public_community, f"/segments/{segment_id}")).json()
    assert got["rules"] == created.json()["rules"]
    patched = host.patch(
        api(public_community, f"/segments/{segment_id}"),
        {"name": "Renamed", "freeze": True},
        content_type="application/json",
    ).json()
    assert patched["name"] == "Renamed"
    assert patched["kind"] == "static"
    assert patched["frozen_at"] is not None
    members = host.get(api(public_community, f"/segments/{segment_id}/members")).json()
    assert members["count"] == 6
    deleted = host.delete(api(public_community, f"/segments/{segment_id}"))
    assert deleted.status_code == 204
    assert not Segment.objects.exists()
    assert list(
        Event.objects.filter(kind__startswith="insights.segment").values_list("kind", flat=True)
    ) == [
        "insights.segment_created",
        "insights.segment_updated",
        "insights.segment_frozen",
        "insights.segment_deleted",
    ]


def test_create_static_and_bad_input(host: Client, public_community: Community) -> None:
    response = host.post(
        api(public_community, "/segments"),
        {"name": "Frozen", "kind": "static", "rules": ROLE_MEMBER},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["withheld"] is True
    assert Segment.objects.get().frozen_members.count() == 1
    again = host.post(
        api(public_community, "/segments"),
        {"name": "frozen", "rules": ROLE_MEMBER},
        content_type="application/json",
    )
    assert again.status_code == 422
    assert "name" in again.json()["errors"]
    wrong = host.post(
        api(public_community, "/segments"),
        {"name": "X", "rules": {"groups": [{"conditions": []}]}},
        content_type="application/json",
    )
    assert wrong.status_code == 422
    extra = host.post(
        api(public_community, "/segments"),
        {"name": "Y", "colour": "red"},
        content_type="application/json",
    )
    assert extra.status_code == 422


def test_export(host: Client, public_community: Community) -> None:
    testing.add_member(public_community, testing.make_user("ann_a", marketing_consent=True))
    segment = Segment.objects.create(community=public_community, name="All", rules={})
    response = host.get(
        api(public_community, f"/segments/{segment.pk}/export"),
        {"kind": "marketing", "format": "json"},
    )
    assert response.status_code == 200
    assert [item["handle"] for item in response.json()] == ["ann_a"]
    response = host.get(
        api(public_community, f"/segments/{segment.pk}/export"), {"kind": "everything"}
    )
    assert response.status_code == 422


def test_refusals(
    client: Client,
    member: User,
    stranger: User,
    public_community: Community,
    private_community: Community,
) -> None:
    segment = Segment.objects.create(community=public_community, name="All", rules={})
    paths = [
        api(public_community, "/members-table"),
        api(public_community, "/segments"),
        api(public_community, f"/segments/{segment.pk}"),
        api(public_community, f"/segments/{segment.pk}/members"),
        api(public_community, f"/segments/{segment.pk}/export"),
    ]
    for path in paths:
        assert client.get(path).status_code == 401
    client.force_login(member)
    for path in paths:
        assert client.get(path).status_code == 403
    assert client.delete(api(public_community, f"/segments/{segment.pk}")).status_code == 403
    assert Segment.objects.exists()
    client.force_login(stranger)
    assert client.get(api(private_community, "/segments")).status_code == 404
    assert client.get(api(private_community, "/members-table")).status_code == 404


def test_other_communities_segment_is_404(
    host: Client, public_community: Community, owner: User
) -> None:
    other = testing.make_community(owner, slug="elsewhere")
    segment = Segment.objects.create(community=other, name="There", rules={})
    assert host.get(api(public_community, f"/segments/{segment.pk}")).status_code == 404
    assert host.delete(api(public_community, f"/segments/{segment.pk}")).status_code == 404


def test_members_table_query_budget(
    host: Client, public_community: Community, django_assert_num_queries: Any
) -> None:
    path = api(public_community, "/members-table")
    host.get(path)
    add_people(public_community, 3, analytics_consent=True)
    with django_assert_num_queries(QUERIES):
        host.get(path, {"engaged_within": 30})
    add_people(public_community, 15, analytics_consent=True)
    with django_assert_num_queries(QUERIES):
        host.get(path, {"engaged_within": 30})


QUERIES = 7


def test_hostile_rules_are_422(host: Client, public_community: Community) -> None:
    nul = {"groups": [{"conditions": [{"field": "interest", "op": "any_of", "value": ["a\x00"]}]}]}
    response = host.post(
        api(public_community, "/segments/count"), {"rules": nul}, content_type="application/json"
    )
    assert response.status_code == 422
    deep = "[" * 5000 + "]" * 5000
    response = host.get(api(public_community, "/members-table"), {"rules": deep})
    assert response.status_code == 422
    response = host.get(api(public_community, "/members-table"), {"rules": "5"})
    assert response.status_code == 422
    response = host.get(api(public_community, "/members-table"), {"q": "a\x00b"})
    assert response.status_code in (200, 422)
