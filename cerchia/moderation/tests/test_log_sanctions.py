"""The moderation log: the hosts' one with names; the public one without, and only when on."""

from __future__ import annotations

import pytest
from django.test import Client

from cerchia.accounts.models import AccessToken
from cerchia.api.tests.conftest import ApiClient, make_token
from cerchia.moderation.actions.sanctions import lift_sanction, sanction_member
from cerchia.moderation.models import ModerationLogEntry, ModerationSettings

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def publish(community) -> None:
    ModerationSettings.objects.update_or_create(community=community, defaults={"public_log": True})


@pytest.fixture
def logged(public_community, owner, member):
    sanction = sanction_member(owner, public_community, member, "warning", "Rule 2: be kind")
    lift_sanction(owner, sanction, "Private reasoning about mia")
    return public_community


def test_hosts_see_names_and_notes_and_filter(logged, moderator):
    client = client_for(moderator)
    page = client.get(f"/c/{logged.slug}/moderation/log/").content.decode()
    assert "Mia Member" in page
    assert "Olivia Owner" in page
    assert "Private reasoning about mia" in page
    only_lifts = client.get(f"/c/{logged.slug}/moderation/log/?action=sanction_lifted")
    assert only_lifts.content.decode().count("<tr>") == 2  # the header and one entry
    assert client.get(f"/c/{logged.slug}/moderation/log/?action=nonsense&page=x").status_code == 200


def test_members_do_not_see_the_hosts_log(logged, member):
    assert client_for(member).get(f"/c/{logged.slug}/moderation/log/").status_code == 403


def test_the_public_log_is_off_by_default(logged, member):
    assert client_for(member).get(f"/c/{logged.slug}/moderation-log/").status_code == 404
    api = ApiClient()
    assert api.get(f"/communities/{logged.slug}/public-moderation-log").status_code == 404


def test_the_public_log_has_no_names(logged, member, owner):
    publish(logged)
    response = client_for().get(f"/c/{logged.slug}/moderation-log/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rule 2: be kind" in page
    assert "Warning" in page
    for secret in (member.name, member.handle, owner.name, owner.handle, "Private reasoning"):
        assert secret not in page
    body = ApiClient().get(f"/communities/{logged.slug}/public-moderation-log").content.decode()
    assert "Rule 2: be kind" in body
    for secret in (member.name, member.handle, owner.handle, "Private reasoning"):
        assert secret not in body


def test_a_private_communitys_public_log_is_for_members(private_community, owner, member, stranger):
    sanction_member(owner, private_community, member, "warning", "Rule 1")
    publish(private_community)
    url = f"/c/{private_community.slug}/moderation-log/"
    assert client_for(stranger).get(url).status_code == 404
    assert client_for().get(url).status_code == 404
    assert client_for(member).get(url).status_code == 200
    api_url = f"/communities/{private_community.slug}/public-moderation-log"
    assert ApiClient(make_token(stranger, AccessToken.Scope.READ)).get(api_url).status_code == 404


def test_the_log_api_is_for_hosts_and_pages_by_cursor(logged, owner, member):
    for number in range(3):
        sanction_member(owner, logged, member, "nudge", f"Rule {number}")
    host = ApiClient(make_token(owner, AccessToken.Scope.READ))
    first = host.get(f"/communities/{logged.slug}/moderation-log", limit=2).json()
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    second = host.get(
        f"/communities/{logged.slug}/moderation-log", limit=2, cursor=first["next_cursor"]
    ).json()
    assert {i["id"] for i in first["items"]}.isdisjoint({i["id"] for i in second["items"]})
    assert host.get(f"/communities/{logged.slug}/moderation-log", cursor="!!").status_code == 400
    as_member = ApiClient(make_token(member, AccessToken.Scope.READ))
    assert as_member.get(f"/communities/{logged.slug}/moderation-log").status_code == 403
    assert ModerationLogEntry.objects.count() == 5


def test_log_pages_keep_their_query_count(logged, owner, member, django_assert_max_num_queries):
    for number in range(10):
        sanction_member(owner, logged, member, "nudge", f"Rule {number}")
    publish(logged)
    host = client_for(owner)
    host.get(f"/c/{logged.slug}/moderation/log/")
    with django_assert_max_num_queries(20):
        assert host.get(f"/c/{logged.slug}/moderation/log/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client_for().get(f"/c/{logged.slug}/moderation-log/").status_code == 200
