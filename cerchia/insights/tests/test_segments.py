"""Segment rules: each condition (match and non-match), AND/OR nesting, consent, static vs
dynamic, strict validation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from cerchia.accounts.models import Interest, User
from cerchia.communities.models import Affiliation, Community, Membership, Role
from cerchia.core import testing
from cerchia.insights.models import (
    FieldKind,
    FieldPurpose,
    MemberDay,
    MemberField,
    MemberFieldValue,
    Segment,
    SegmentMember,
)
from cerchia.insights.segments import (
    RuleError,
    community_today,
    matching_memberships,
    members_of,
)

pytestmark = pytest.mark.django_db


def one(field: str, op: str, value: Any = None) -> dict[str, Any]:
    return {
        "match": "all",
        "groups": [{"match": "all", "conditions": [{"field": field, "op": op, "value": value}]}],
    }


def handles(community: Community, rules: Any) -> set[str]:
    return set(matching_memberships(community, rules).values_list("user__handle", flat=True))


@pytest.fixture
def people(public_community: Community) -> dict[str, User]:
    """Two extra members: ann (consents to both) and bob (no consent)."""
    ann = testing.make_user("ann_a", analytics_consent=True, marketing_consent=True)
    bob = testing.make_user("bob_b")
    testing.add_member(public_community, ann)
    testing.add_member(public_community, bob)
    return {"ann": ann, "bob": bob}


def answer(community: Community, field: MemberField, user: User, value: Any) -> None:
    membership = Membership.objects.get(community=community, user=user)
    MemberFieldValue.objects.create(field=field, membership=membership, value=value)


def test_no_groups_matches_every_member(public_community: Community, people: Any) -> None:
    assert handles(public_community, {}) == {
        "olivia_owner",
        "marco_mod",
        "mia_member",
        "ann_a",
        "bob_b",
    }


def test_interest(public_community: Community, people: dict[str, User]) -> None:
    bikes = Interest.objects.create(slug="bikes", name="Bikes")
    Interest.objects.create(slug="tea", name="Tea")
    people["ann"].interests.add(bikes)
    assert handles(public_community, one("interest", "any_of", ["bikes", "tea"])) == {"ann_a"}
    assert handles(public_community, one("interest", "any_of", ["tea"])) == set()


def test_role_affiliation_trust(public_community: Community, people: dict[str, User]) -> None:
    Membership.objects.filter(user=people["ann"]).update(
        affiliation=Affiliation.BRAND, trust_level=2
    )
    assert handles(public_community, one("role", "is", Role.OWNER)) == {"olivia_owner"}
    assert handles(public_community, one("role", "any_of", ["owner", "moderator"])) == {
        "olivia_owner",
        "marco_mod",
    }
    assert "olivia_owner" not in handles(public_community, one("role", "is_not", "owner"))
    assert handles(public_community, one("affiliation", "is", "brand")) == {"ann_a"}
    assert "ann_a" not in handles(public_community, one("affiliation", "is", ""))
    assert handles(public_community, one("trust_level", "at_least", 2)) == {"ann_a"}
    assert handles(public_community, one("trust_level", "is", 2)) == {"ann_a"}
    assert "ann_a" not in handles(public_community, one("trust_level", "at_most", 1))


def test_joined(public_community: Community, people: dict[str, User]) -> None:
    today, tz = community_today(public_community)
    old = timezone.now() - dt.timedelta(days=100)
    Membership.objects.filter(user=people["bob"]).update(joined_at=old)
    old_day = old.astimezone(tz).date()
    assert handles(public_community, one("joined", "before", today.isoformat())) == {"bob_b"}
    assert "bob_b" not in handles(public_community, one("joined", "within_days", 30))
    assert "ann_a" in handles(public_community, one("joined", "within_days", 30))
    assert handles(
        public_community, one("joined", "between", [old_day.isoformat(), old_day.isoformat()])
    ) == {"bob_b"}
    after = (old_day + dt.timedelta(days=1)).isoformat()
    assert "bob_b" not in handles(public_community, one("joined", "after", after))
    assert "ann_a" in handles(public_community, one("joined", "after", old_day.isoformat()))


def test_activity_only_for_consenting(public_community: Community, people: dict[str, User]) -> None:
    today, _tz = community_today(public_community)
    for user in (people["ann"], people["bob"]):
        MemberDay.objects.create(community=public_community, user=user, day=today, engaged=3)
        MemberDay.objects.create(
            community=public_community, user=user, day=today - dt.timedelta(days=20), engaged=4
        )
    assert handles(public_community, one("engaged_days", "within", 7)) == {"ann_a"}
    assert "bob_b" not in handles(public_community, one("engaged_days", "not_within", 7))
    quiet = handles(public_community, one("engaged_days", "not_within", 7))
    assert "ann_a" not in quiet
    events = one("engaged_events", "at_least", {"count": 7, "days": 30})
    assert handles(public_community, events) == {"ann_a"}
    events = one("engaged_events", "at_least", {"count": 4, "days": 7})
    assert handles(public_community, events) == set()
    at_most = one("engaged_events", "at_most", {"count": 3, "days": 7})
    assert "ann_a" in handles(public_community, at_most)
    assert "bob_b" not in handles(public_community, at_most)
    # a consenting member with no rollup rows has zero events
    User.objects.filter(handle="mia_member").update(analytics_consent=True)
    assert "mia_member" in handles(public_community, at_most)


def test_consents(public_community: Community, people: dict[str, User]) -> None:
    assert handles(public_community, one("marketing_consent", "is", True)) == {"ann_a"}
    assert "ann_a" not in handles(public_community, one("analytics_consent", "is", False))


def make_field(community: Community, kind: str, **fields: Any) -> MemberField:
    return MemberField.objects.create(
        community=community, label=f"{kind}?", kind=kind, purpose=FieldPurpose.PROFILE, **fields
    )


def test_text_field(public_community: Community, people: dict[str, User]) -> None:
    field = make_field(public_community, FieldKind.TEXT)
    answer(public_community, field, people["ann"], "Bianchi Oltre")
    answer(public_community, field, people["bob"], "")
    key = f"field:{field.pk}"
    assert handles(public_community, one(key, "contains", "oltre")) == {"ann_a"}
    assert handles(public_community, one(key, "equals", "bianchi oltre")) == {"ann_a"}
    assert handles(public_community, one(key, "equals", "bianchi")) == set()
    empty = handles(public_community, one(key, "empty"))
    assert {"bob_b", "mia_member"} <= empty
    assert "ann_a" not in empty


def test_number_and_date_fields(public_community: Community, people: dict[str, User]) -> None:
    number = make_field(public_community, FieldKind.NUMBER)
    date = make_field(public_community, FieldKind.DATE)
    answer(public_community, number, people["ann"], 12)
    answer(public_community, number, people["bob"], 3.5)
    answer(public_community, date, people["ann"], "2020-05-01")
    answer(public_community, date, people["bob"], "2023-11-30")
    n, d = f"field:{number.pk}", f"field:{date.pk}"
    assert handles(public_community, one(n, "gt", 5)) == {"ann_a"}
    assert handles(public_community, one(n, "lt", 5)) == {"bob_b"}
    assert handles(public_community, one(n, "eq", 12)) == {"ann_a"}
    assert handles(public_community, one(n, "between", [3, 4])) == {"bob_b"}
    assert handles(public_community, one(d, "lt", "2021-01-01")) == {"ann_a"}
    assert handles(public_community, one(d, "gt", "2021-01-01")) == {"bob_b"}
    assert handles(public_community, one(d, "eq", "2023-11-30")) == {"bob_b"}
    assert handles(public_community, one(d, "between", ["2020-01-01", "2020-12-31"])) == {"ann_a"}


def test_choice_multiple_yesno(public_community: Community, people: dict[str, User]) -> None:
    choice = make_field(public_community, FieldKind.CHOICE, choices=["road", "gravel", "mtb"])
    multiple = make_field(public_community, FieldKind.MULTIPLE, choices=["a", "b", "c"])
    yesno = make_field(public_community, FieldKind.YES_NO)
    answer(public_community, choice, people["ann"], "road")
    answer(public_community, choice, people["bob"], "gravel")
    answer(public_community, multiple, people["ann"], ["a", "b"])
    answer(public_community, multiple, people["bob"], ["c"])
    answer(public_community, yesno, people["ann"], True)
    answer(public_community, yesno, people["bob"], False)
    c, m, y = f"field:{choice.pk}", f"field:{multiple.pk}", f"field:{yesno.pk}"
    assert handles(public_community, one(c, "is", "road")) == {"ann_a"}
    assert handles(public_community, one(c, "any_of", ["road", "gravel"])) == {"ann_a", "bob_b"}
    not_road = handles(public_community, one(c, "is_not", "road"))
    assert "bob_b" in not_road
    assert "ann_a" not in not_road
    assert handles(public_community, one(m, "has_any", ["b", "c"])) == {"ann_a", "bob_b"}
    assert handles(public_community, one(m, "has_all", ["a", "b"])) == {"ann_a"}
    assert handles(public_community, one(m, "has_all", ["a", "c"])) == set()
    assert handles(public_community, one(y, "is", True)) == {"ann_a"}
    assert handles(public_community, one(y, "is", False)) == {"bob_b"}


def test_and_or_nesting(public_community: Community, people: dict[str, User]) -> None:
    owner_cond = {"field": "role", "op": "is", "value": "owner"}
    ann_cond = {"field": "marketing_consent", "op": "is", "value": True}
    mod_cond = {"field": "role", "op": "is", "value": "moderator"}
    rules: dict[str, Any] = {
        "match": "any",
        "groups": [
            {"match": "all", "conditions": [owner_cond, ann_cond]},
            {"match": "any", "conditions": [ann_cond, mod_cond]},
        ],
    }
    assert handles(public_community, rules) == {"ann_a", "marco_mod"}
    rules["match"] = "all"
    assert handles(public_community, rules) == set()
    rules["groups"][0]["match"] = "any"
    assert handles(public_community, rules) == {"ann_a"}


def test_count_is_one_query(
    public_community: Community, people: dict[str, User], django_assert_num_queries: Any
) -> None:
    field = make_field(public_community, FieldKind.MULTIPLE, choices=["a", "b"])
    rules = {
        "match": "any",
        "groups": [
            {
                "match": "all",
                "conditions": [
                    {"field": f"field:{field.pk}", "op": "has_any", "value": ["a"]},
                    {"field": "engaged_events", "op": "at_least", "value": {"count": 1, "days": 7}},
                ],
            },
            {"match": "all", "conditions": [{"field": "interest", "op": "any_of", "value": "x"}]},
        ],
    }
    queryset = matching_memberships(public_community, rules)  # reads the fields: one query
    with django_assert_num_queries(1):
        assert queryset.count() == 0


@pytest.mark.parametrize(
    "rules",
    [
        [],
        {"match": "some", "groups": []},
        {"groups": [{"match": "all", "conditions": []}]},
        {"groups": "x"},
        {"extra": 1},
        one("nope", "is", 1),
        one("role", "equals", "owner"),
        one("role", "is", "king"),
        one("trust_level", "is", "2"),
        one("trust_level", "is", 9),
        one("trust_level", "is", True),
        one("joined", "before", "yesterday"),
        one("joined", "between", ["2024-02-01", "2024-01-01"]),
        one("engaged_days", "within", 0),
        one("engaged_events", "at_least", 3),
        one("analytics_consent", "is", "yes"),
        one("interest", "any_of", []),
        one("field:999999", "contains", "x"),
        one("field:abc", "contains", "x"),
        {"groups": [{"conditions": [{"field": "role", "op": "is", "value": "owner"}]}] * 11},
        {
            "groups": [
                {"conditions": [{"field": "role", "op": "is", "value": "owner"}] * 20},
                {"conditions": [{"field": "role", "op": "is", "value": "owner"}] * 20},
            ]
        },
    ],
)
def test_bad_rules_are_refused(public_community: Community, rules: Any) -> None:
    with pytest.raises(RuleError):
        matching_memberships(public_community, rules)


def test_bad_custom_field_values(public_community: Community) -> None:
    number = make_field(public_community, FieldKind.NUMBER)
    choice = make_field(public_community, FieldKind.CHOICE, choices=["x"])
    archived = make_field(public_community, FieldKind.TEXT, archived_at=timezone.now())
    for rules in (
        one(f"field:{number.pk}", "contains", "1"),
        one(f"field:{number.pk}", "gt", "1"),
        one(f"field:{choice.pk}", "is", "y"),
        one(f"field:{archived.pk}", "contains", "x"),
    ):
        with pytest.raises(RuleError) as error:
            matching_memberships(public_community, rules)
        assert "condition 1" in str(error.value)


def test_other_community_fields_are_unknown(
    public_community: Community, private_community: Community
) -> None:
    field = make_field(private_community, FieldKind.TEXT)
    with pytest.raises(RuleError):
        matching_memberships(public_community, one(f"field:{field.pk}", "contains", "x"))


def test_static_and_dynamic(public_community: Community, people: dict[str, User]) -> None:
    rules = one("marketing_consent", "is", True)
    dynamic = Segment.objects.create(community=public_community, name="d", rules=rules)
    static = Segment.objects.create(
        community=public_community, name="s", rules=rules, kind=Segment.Kind.STATIC
    )
    SegmentMember.objects.create(segment=static, user=people["ann"])
    assert set(members_of(dynamic)) == {people["ann"]} == set(members_of(static))
    # bob newly matches: dynamic only
    User.objects.filter(pk=people["bob"].pk).update(marketing_consent=True)
    assert set(members_of(dynamic)) == {people["ann"], people["bob"]}
    assert set(members_of(static)) == {people["ann"]}
    # ann leaves: out of both
    Membership.objects.filter(user=people["ann"]).delete()
    assert set(members_of(dynamic)) == {people["bob"]}
    assert set(members_of(static)) == set()


def test_demo_segments_load(owner: User) -> None:
    from cerchia.insights import demo_segments

    assert demo_segments.load() == 0  # no demo community yet
    community = testing.make_community(owner, slug=demo_segments.COMMUNITY)
    assert demo_segments.load() == 2
    assert demo_segments.load() == 0
    for segment in Segment.objects.filter(community=community):
        matching_memberships(community, segment.rules).count()


@pytest.mark.parametrize(
    ("typed", "language", "expected"),
    [
        ("moderator", "en", "moderator"),
        ("Moderator", "en", "moderator"),
        ("Moderatore", "it", "moderator"),
        ("membro", "it", "member"),
        ("captain", "en", "captain"),  # left as typed: the rules' validation refuses it
    ],
)
def test_a_builder_role_is_read_by_code_or_by_its_label_in_the_hosts_language(
    typed: str, language: str, expected: str, public_community: Community
) -> None:
    from django.utils import translation

    from cerchia.insights.forms_members import condition_from_row
    from cerchia.insights.segments import make_context

    with translation.override(language):
        condition = condition_from_row("role", "is", typed, "", make_context(public_community, []))
    assert condition == {"field": "role", "op": "is", "value": expected}


def test_a_saved_affiliation_shows_in_the_builder_by_its_label() -> None:
    from django.utils import translation

    from cerchia.insights.forms_members import builder_from_rules

    rules = {
        "match": "all",
        "groups": [
            {"match": "all", "conditions": [{"field": "affiliation", "op": "is", "value": "brand"}]}
        ],
    }
    with translation.override("en"):
        row = builder_from_rules(rules).groups[0].rows[0]
    assert (row.field, row.value) == ("affiliation", "Brand")
