"""The hosts' member table and segment pages: filters, consent-aware activity, the builder,
live count, freeze, delete, events, refusals and query budgets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cerchia.accounts.models import User
from cerchia.communities.models import Community, Membership, Role
from cerchia.core import testing
from cerchia.insights.models import Event, MemberDay, MemberFact, Segment, SegmentMember
from cerchia.insights.segments import community_today

pytestmark = pytest.mark.django_db


def url(community: Community, suffix: str = "") -> str:
    return f"/c/{community.slug}/insights/{suffix}"


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


def kinds() -> list[str]:
    return list(
        Event.objects.filter(kind__startswith="insights.segment").values_list("kind", flat=True)
    )


# --- The member table ---------------------------------------------------------------------


def test_table_shows_activity_only_with_consent(
    host: Client, public_community: Community, member: User
) -> None:
    today, _tz = community_today(public_community)
    fan = testing.make_user("fan_f", analytics_consent=True)
    testing.add_member(public_community, fan)
    for user in (fan, member):
        MemberDay.objects.create(community=public_community, user=user, day=today, engaged=7)
        MemberFact.objects.create(community=public_community, user=user, last_engaged_on=today)
    response = host.get(url(public_community, "members/"))
    assert response.status_code == 200
    html = response.content.decode()
    rows = {row.split("</tr>")[0] for row in html.split("<tr>")[1:]}
    fan_row = next(row for row in rows if "@fan_f" in row)
    member_row = next(row for row in rows if "@mia_member" in row)
    assert ">7<" in fan_row
    assert ">7<" not in member_row
    assert "—" in member_row
    assert "consented to analytics" in html
    assert "fewer than 5 members" in html  # 4 members in all


def test_filters_and_search(host: Client, public_community: Community) -> None:
    add_people(public_community, 5, marketing_consent=True)
    response = host.get(url(public_community, "members/"), {"role": Role.MODERATOR})
    html = response.content.decode()
    assert "@marco_mod" in html
    assert "@mia_member" not in html
    response = host.get(url(public_community, "members/"), {"marketing": "yes"})
    assert "5 members" in response.content.decode()
    response = host.get(url(public_community, "members/"), {"q": "mia"})
    html = response.content.decode()
    assert "@mia_member" in html
    assert "@marco_mod" not in html


def test_bad_filter_is_a_form_error(host: Client, public_community: Community) -> None:
    response = host.get(url(public_community, "members/"), {"engaged_within": "0"})
    assert response.status_code == 400
    response = host.get(url(public_community, "members/"), {"cursor": "!!nonsense"})
    assert response.status_code == 400


def test_custom_field_filter_error_names_the_condition(
    host: Client, public_community: Community
) -> None:
    from cerchia.insights.models import MemberField

    field = MemberField.objects.create(community=public_community, label="Bikes", kind="number")
    response = host.get(
        url(public_community, "members/"),
        {"custom_field": f"field:{field.pk}", "custom_op": "gt", "custom_value": "lots"},
    )
    assert response.status_code == 400
    assert "Expected a number" in response.content.decode()


def test_htmx_bad_filter_shows_the_error(host: Client, public_community: Community) -> None:
    response = host.get(
        url(public_community, "members/"), {"engaged_within": "0"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert 'class="form__errors"' in response.content.decode()


def test_nul_in_builder_is_a_row_error(host: Client, public_community: Community) -> None:
    response = host.post(
        url(public_community, "segments/new/"), {**BUILDER, "g1-c1-value": "own\x00er"}
    )
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_htmx_gets_the_results_only(host: Client, public_community: Community) -> None:
    response = host.get(url(public_community, "members/"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="member-results"' in html
    assert "<html" not in html


def table_handles(html: str) -> list[str]:
    table = html.split('id="member-results"')[1].split("</section>")[0]
    return [part.split("<")[0] for part in table.split('member-table__handle">@')[1:]]


def test_pages_through_members(host: Client, public_community: Community) -> None:
    add_people(public_community, 60)
    first = host.get(url(public_community, "members/")).content.decode()
    assert 'rel="next"' in first
    next_url = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = host.get(next_url.replace("&amp;", "&")).content.decode()
    one, two = table_handles(first), table_handles(second)
    assert len(one) == 50
    assert len(two) == 13
    assert not set(one) & set(two)
    assert one == sorted(one)


def test_member_table_query_budget(
    host: Client, public_community: Community, django_assert_num_queries: Any
) -> None:
    path = url(public_community, "members/")
    host.get(path)  # warm the session and caches
    add_people(public_community, 3, analytics_consent=True)
    with django_assert_num_queries(QUERIES_TABLE):
        host.get(path, {"role": "member", "engaged_within": "30"})
    add_people(public_community, 20, analytics_consent=True)
    with django_assert_num_queries(QUERIES_TABLE):
        host.get(path, {"role": "member", "engaged_within": "30"})


QUERIES_TABLE = 10
QUERIES_SEGMENTS = 9


def test_refusals(
    client: Client,
    public_community: Community,
    private_community: Community,
    member: User,
    stranger: User,
) -> None:
    response = client.get(url(public_community, "members/"))
    assert response.status_code == 302
    assert "login" in response["Location"]
    client.force_login(member)
    assert client.get(url(public_community, "members/")).status_code == 403
    assert client.get(url(public_community, "segments/")).status_code == 403
    client.force_login(stranger)
    assert client.get(url(private_community, "members/")).status_code == 404


def test_suspended_host_is_refused(
    client: Client, public_community: Community, moderator: User
) -> None:
    User.objects.filter(pk=moderator.pk).update(suspended_at=timezone.now())
    client.force_login(moderator)
    assert client.get(url(public_community, "members/")).status_code == 403


# --- Segments -----------------------------------------------------------------------------

BUILDER = {
    "name": "Hosts",
    "kind": "dynamic",
    "match": "all",
    "groups": "1",
    "g1-rows": "2",
    "g1-match": "any",
    "g1-c1-field": "role",
    "g1-c1-op": "is",
    "g1-c1-value": "owner",
    "g1-c2-field": "role",
    "g1-c2-op": "is",
    "g1-c2-value": "moderator",
}


def test_create_a_dynamic_segment(host: Client, public_community: Community) -> None:
    response = host.post(url(public_community, "segments/new/"), BUILDER)
    segment = Segment.objects.get(community=public_community)
    assert response.status_code == 302
    assert response["Location"] == url(public_community, f"segments/{segment.pk}/")
    assert segment.kind == "dynamic"
    assert segment.rules["groups"][0]["match"] == "any"
    assert len(segment.rules["groups"][0]["conditions"]) == 2
    assert kinds() == ["insights.segment_created"]
    detail = host.get(response["Location"]).content.decode()
    assert "@olivia_owner" in detail
    assert "@marco_mod" in detail
    assert "@mia_member" not in detail
    assert "fewer than 5 members" in detail


def test_create_static_freezes_now(host: Client, public_community: Community) -> None:
    host.post(url(public_community, "segments/new/"), {**BUILDER, "kind": "static"})
    segment = Segment.objects.get(community=public_community)
    assert segment.kind == "static"
    assert segment.frozen_at is not None
    assert SegmentMember.objects.filter(segment=segment).count() == 2


def test_builder_errors_name_the_row(host: Client, public_community: Community) -> None:
    data = {**BUILDER, "g1-c2-value": "emperor"}
    response = host.post(url(public_community, "segments/new/"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "“emperor” is not one of the options." in html
    assert 'id="g1-c2-error"' in html
    assert not Segment.objects.exists()
    response = host.post(url(public_community, "segments/new/"), {**BUILDER, "name": ""})
    assert response.status_code == 400


def test_duplicate_name_is_a_form_error(host: Client, public_community: Community) -> None:
    host.post(url(public_community, "segments/new/"), BUILDER)
    response = host.post(url(public_community, "segments/new/"), {**BUILDER, "name": "hosts"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_add_and_remove_rows_without_javascript(host: Client, public_community: Community) -> None:
    response = host.post(url(public_community, "segments/new/"), {**BUILDER, "add_row": "g1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="g1-c3-field"' in html
    assert not Segment.objects.exists()
    response = host.post(url(public_community, "segments/new/"), {**BUILDER, "remove_row": "g1-c1"})
    html = response.content.decode()
    assert 'name="g1-c2-field"' not in html
    assert 'value="moderator"' in html
    response = host.post(url(public_community, "segments/new/"), {**BUILDER, "add_group": "1"})
    assert 'name="g2-c1-field"' in response.content.decode()


def test_live_count(host: Client, public_community: Community) -> None:
    response = host.post(
        url(public_community, "segments/count/"), BUILDER, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "fewer than 5 members" in response.content.decode()
    add_people(public_community, 5)
    data = {**BUILDER, "g1-c1-value": "member"}
    response = host.post(
        url(public_community, "segments/count/"), data, headers={"HX-Request": "true"}
    )
    assert "7 members" in response.content.decode()  # the member, 5 more, the moderator
    bad = {**BUILDER, "g1-c1-field": "nope"}
    response = host.post(
        url(public_community, "segments/count/"), bad, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    # without JavaScript: the "Count" button re-shows the builder with the count
    response = host.post(url(public_community, "segments/new/"), {**data, "count": "1"})
    assert "7 members" in response.content.decode()
    assert not Segment.objects.exists()


def test_new_segment_from_the_table_filters(host: Client, public_community: Community) -> None:
    response = host.get(url(public_community, "segments/new/"), {"role": "moderator"})
    html = response.content.decode()
    assert 'value="Moderator"' in html


def make_segment(community: Community, name: str = "Members", **fields: Any) -> Segment:
    fields.setdefault(
        "rules",
        {
            "match": "all",
            "groups": [
                {"match": "all", "conditions": [{"field": "role", "op": "is", "value": "member"}]}
            ],
        },
    )
    return Segment.objects.create(community=community, name=name, **fields)


def test_segment_list_counts(
    host: Client, public_community: Community, django_assert_num_queries: Any
) -> None:
    make_segment(public_community, "Small")
    host.get(url(public_community, "segments/"))
    add_people(public_community, 5)
    big = make_segment(
        public_community,
        "Everyone",
        rules={"match": "all", "groups": []},
    )
    static = make_segment(public_community, "Frozen", kind=Segment.Kind.STATIC)
    SegmentMember.objects.create(segment=static, user=User.objects.get(handle="mia_member"))
    with django_assert_num_queries(QUERIES_SEGMENTS):
        html = host.get(url(public_community, "segments/")).content.decode()
    assert "8 members" in html  # Everyone: 3 + 5
    assert "6 members" in html  # Small: the member + 5
    assert "fewer than 5 members" in html  # Frozen
    for _ in range(3):
        make_segment(public_community, f"More {_}")
    with django_assert_num_queries(QUERIES_SEGMENTS):
        host.get(url(public_community, "segments/"))
    assert big.pk


def test_segment_with_archived_field_says_so(host: Client, public_community: Community) -> None:
    from cerchia.insights.models import MemberField

    field = MemberField.objects.create(community=public_community, label="Bike", kind="text")
    segment = make_segment(
        public_community,
        rules={
            "match": "all",
            "groups": [
                {
                    "match": "all",
                    "conditions": [{"field": f"field:{field.pk}", "op": "contains", "value": "x"}],
                }
            ],
        },
    )
    MemberField.objects.filter(pk=field.pk).update(archived_at=timezone.now())
    assert "rules need fixing" in host.get(url(public_community, "segments/")).content.decode()
    detail = host.get(url(public_community, f"segments/{segment.pk}/"))
    assert detail.status_code == 200
    assert "no longer fit" in detail.content.decode()


def test_edit_segment(host: Client, public_community: Community) -> None:
    segment = make_segment(public_community)
    page = host.get(url(public_community, f"segments/{segment.pk}/edit/"))
    assert 'value="Member"' in page.content.decode()
    response = host.post(
        url(public_community, f"segments/{segment.pk}/edit/"),
        {**BUILDER, "name": "Renamed"},
    )
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.name == "Renamed"
    assert segment.rules["groups"][0]["match"] == "any"
    assert kinds() == ["insights.segment_updated"]


def test_edit_static_keeps_its_list(host: Client, public_community: Community) -> None:
    segment = make_segment(public_community, kind=Segment.Kind.STATIC)
    SegmentMember.objects.create(segment=segment, user=User.objects.get(handle="mia_member"))
    page = host.get(url(public_community, f"segments/{segment.pk}/edit/")).content.decode()
    assert "frozen list" in page
    response = host.post(
        url(public_community, f"segments/{segment.pk}/edit/"), {"name": "Kept", "description": ""}
    )
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.name == "Kept"
    assert segment.frozen_members.count() == 1


def test_freeze_then_static(host: Client, public_community: Community) -> None:
    segment = make_segment(public_community)
    response = host.post(url(public_community, f"segments/{segment.pk}/freeze/"))
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.kind == "static"
    assert list(segment.frozen_members.values_list("user__handle", flat=True)) == ["mia_member"]
    event = Event.objects.get(kind="insights.segment_frozen")
    assert event.payload == {"count": 1}
    # a new member who matches does not join the frozen list
    add_people(public_community, 1)
    html = host.get(url(public_community, f"segments/{segment.pk}/")).content.decode()
    assert html.count('class="person"') == 1
    # freezing again is refused with a message, not an error
    response = host.post(url(public_community, f"segments/{segment.pk}/freeze/"), follow=True)
    assert "already a frozen list" in response.content.decode()


def test_delete_segment(host: Client, public_community: Community) -> None:
    segment = make_segment(public_community)
    assert host.get(url(public_community, f"segments/{segment.pk}/delete/")).status_code == 200
    response = host.post(url(public_community, f"segments/{segment.pk}/delete/"))
    assert response.status_code == 302
    assert not Segment.objects.exists()
    assert kinds() == ["insights.segment_deleted"]


def test_other_communities_segments_are_404(
    host: Client, public_community: Community, owner: User
) -> None:
    other = testing.make_community(owner, slug="other")
    segment = make_segment(other)
    assert host.get(url(public_community, f"segments/{segment.pk}/")).status_code == 404
    assert host.post(url(public_community, f"segments/{segment.pk}/delete/")).status_code == 404
    assert Segment.objects.filter(pk=segment.pk).exists()


def test_member_who_leaves_drops_out(
    host: Client, public_community: Community, member: User
) -> None:
    segment = make_segment(public_community, kind=Segment.Kind.STATIC)
    SegmentMember.objects.create(segment=segment, user=member)
    Membership.objects.filter(user=member, community=public_community).delete()
    html = host.get(url(public_community, f"segments/{segment.pk}/")).content.decode()
    assert "@mia_member" not in html


def test_activity_filter_at_the_window_edge(host: Client, public_community: Community) -> None:
    today, _tz = community_today(public_community)
    fans = add_people(public_community, 5, analytics_consent=True)
    for fan in fans:
        MemberDay.objects.create(
            community=public_community, user=fan, day=today - dt.timedelta(days=6), engaged=1
        )
    html = host.get(url(public_community, "members/"), {"engaged_within": "7"}).content.decode()
    assert "5 members" in html
    html = host.get(url(public_community, "members/"), {"engaged_within": "6"}).content.decode()
    assert "fewer than 5 members" in html


def test_segment_detail_query_budget(
    host: Client, public_community: Community, django_assert_num_queries: Any
) -> None:
    segment = make_segment(public_community)
    path = url(public_community, f"segments/{segment.pk}/")
    host.get(path)
    add_people(public_community, 3, analytics_consent=True)
    with django_assert_num_queries(QUERIES_DETAIL):
        host.get(path)
    add_people(public_community, 20, analytics_consent=True)
    with django_assert_num_queries(QUERIES_DETAIL):
        host.get(path)


QUERIES_DETAIL = 10
