"""Visits: a member viewing a community page, counted once per 30 minutes, never in the way."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cerchia.accounts.models import User
from cerchia.communities.models import Community
from cerchia.core import testing
from cerchia.insights import rollups, visits
from cerchia.insights.models import Event, MemberDay

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _counting(settings: Any) -> None:
    settings.CERCHIA_COUNT_VISITS = True
    testing.clear_cache()


def visited(**filters: object) -> int:
    return Event.objects.filter(kind="community.visited", **filters).count()


def page(community: Community) -> str:
    return reverse("communities:detail", kwargs={"slug": community.slug})


def test_a_member_s_page_views_count_once_per_session(
    client: Client, public_community: Community, member: User
) -> None:
    client.force_login(member)
    assert client.get(page(public_community)).status_code == 200
    assert client.get(page(public_community)).status_code == 200
    assert visited(actor=member, community=public_community) == 1


def test_a_counted_view_costs_one_cache_call_and_no_query(
    public_community: Community, member: User, django_assert_num_queries: object
) -> None:
    assert visits.record_visit(member, public_community)
    with django_assert_num_queries(0):  # type: ignore[operator]
        assert not visits.record_visit(member, public_community)


def test_a_new_session_counts_again(public_community: Community, member: User) -> None:
    from django.core.cache import cache

    assert visits.record_visit(member, public_community)
    cache.delete(visits.visit_key(public_community.pk, member.pk))
    assert visits.record_visit(member, public_community)
    assert visited(actor=member) == 2


@pytest.mark.parametrize("who", ["anonymous", "stranger"])
def test_only_members_visits_count(
    client: Client, public_community: Community, stranger: User, who: str
) -> None:
    if who == "stranger":
        client.force_login(stranger)
    assert client.get(page(public_community)).status_code == 200
    assert visited() == 0


def test_refusals_errors_and_writes_do_not_count(
    client: Client, public_community: Community, private_community: Community, stranger: User
) -> None:
    client.force_login(stranger)
    client.get(page(private_community))  # its front page, for a non-member
    assert client.get("/c/nowhere-at-all/").status_code == 404
    assert visited() == 0


def test_a_post_does_not_count(client: Client, public_community: Community, member: User) -> None:
    client.force_login(member)
    url = reverse("communities:leave", kwargs={"slug": public_community.slug})
    client.post(url)
    assert visited() == 0


def test_a_broken_cache_never_breaks_the_page(
    client: Client,
    public_community: Community,
    member: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> bool:
        raise ConnectionError("cache down")

    monkeypatch.setattr(visits.cache, "add", broken)
    client.force_login(member)
    assert client.get(page(public_community)).status_code == 200
    assert visited() == 0


def test_a_failed_write_never_breaks_the_page(
    client: Client,
    public_community: Community,
    member: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> Event:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(visits, "record_event", broken)
    client.force_login(member)
    assert client.get(page(public_community)).status_code == 200
    monkeypatch.undo()
    # The gate was lifted again, so the next view counts.
    assert visits.record_visit(member, public_community)


def test_visits_are_rolled_up_apart_from_engagement(
    client: Client, public_community: Community, member: User
) -> None:
    client.force_login(member)
    client.get(page(public_community))
    rollups.run_rollups()
    row = MemberDay.objects.get(user=member, community=public_community)
    assert (row.visits, row.engaged) == (1, 0)
    today = rollups.local_day(datetime.now(UTC), UTC)
    assert row.day == today
