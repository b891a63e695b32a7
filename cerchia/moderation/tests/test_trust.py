"""Trust levels: earned from activity, raised hourly, set by hosts, tuned by hosts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cerchia.api.tests.conftest import ApiClient, make_token
from cerchia.communities.models import Membership, TrustLevel
from cerchia.core import testing
from cerchia.discussions.models import ReadState
from cerchia.moderation import tasks
from cerchia.moderation.actions.trust import (
    raise_earned_level,
    recompute_trust_levels,
    set_trust_level,
    update_trust_settings,
)
from cerchia.moderation.models import ModerationSettings, Sanction
from cerchia.moderation.trust import Activity, earned_level, level_counts

pytestmark = pytest.mark.django_db

THRESHOLDS = {
    "1": {"days": 1, "posts": 1, "topics_read": 1},
    "2": {"days": 5, "posts": 2, "topics_read": 2},
    "3": {"days": 50, "posts": 50, "topics_read": 50},
}


def _membership(community, user) -> Membership:
    return Membership.objects.get(community=community, user=user)


def _active_member(community, user, *, days: int, posts: int) -> Membership:
    Membership.objects.filter(community=community, user=user).update(
        joined_at=timezone.now() - timedelta(days=days)
    )
    for n in range(posts):
        topic = testing.make_topic(community, user, title=f"Topic number {n}", body=f"Body {n}")
        ReadState.objects.get_or_create(user=user, topic=topic, defaults={"last_read_number": 1})
    return _membership(community, user)


def test_earned_level_needs_every_threshold_in_order():
    assert earned_level(Activity(0, 0, 0, False), THRESHOLDS) == 0
    assert earned_level(Activity(1, 1, 1, False), THRESHOLDS) == 1
    assert earned_level(Activity(5, 2, 2, False), THRESHOLDS) == 2
    assert earned_level(Activity(5, 2, 1, False), THRESHOLDS) == 1
    assert earned_level(Activity(100, 100, 100, False), THRESHOLDS) == 3
    assert earned_level(Activity(100, 100, 100, True), THRESHOLDS) == 0


def test_hourly_task_raises_members_to_their_earned_level(public_community, member, owner):
    ModerationSettings.objects.create(community=public_community, trust_thresholds=THRESHOLDS)
    _active_member(public_community, member, days=10, posts=2)
    assert tasks.recompute_trust_levels.call() >= 1
    assert _membership(public_community, member).trust_level == TrustLevel.MEMBER
    assert "moderation.trust_level_earned" in testing.event_kinds()
    # nothing more to earn: a second pass changes nothing
    assert recompute_trust_levels(public_community) == 0


def test_levels_are_never_lowered_automatically(public_community, member):
    Membership.objects.filter(community=public_community, user=member).update(trust_level=2)
    assert recompute_trust_levels(public_community) == 0
    assert _membership(public_community, member).trust_level == 2


def test_a_recent_warning_keeps_a_member_from_rising(public_community, member, owner):
    ModerationSettings.objects.create(community=public_community, trust_thresholds=THRESHOLDS)
    _active_member(public_community, member, days=10, posts=2)
    Sanction.objects.create(
        community=public_community, member=member, kind="warning", reason="Rude", created_by=owner
    )
    assert raise_earned_level(_membership(public_community, member)) == 0


def test_hosts_set_a_level_by_hand_and_it_is_recorded(public_community, owner, member):
    membership = set_trust_level(owner, public_community, member, 3)
    assert membership.trust_level == 3
    assert _membership(public_community, member).trust_level == 3
    assert testing.event_kinds()[-1] == "moderation.trust_level_set"
    set_trust_level(owner, public_community, member, 1)
    assert _membership(public_community, member).trust_level == 1


def test_setting_a_level_refusals(public_community, owner, member, stranger):
    with pytest.raises(PermissionDenied):
        set_trust_level(member, public_community, member, 3)
    with pytest.raises(ValidationError):
        set_trust_level(owner, public_community, member, 7)
    with pytest.raises(Http404):
        set_trust_level(owner, public_community, stranger, 1)


def test_thresholds_and_limits_are_tuned_with_whole_numbers(public_community, owner, member):
    settings = update_trust_settings(
        owner,
        public_community,
        thresholds={"1": {"days": 0}},
        limits={"0": {"links_per_post": 0}},
    )
    assert settings.thresholds()["1"]["days"] == 0
    assert settings.thresholds()["1"]["posts"] == 1  # untouched default
    assert settings.limits()["0"]["links_per_post"] == 0
    bad_values: list[dict[str, Any]] = [
        {"thresholds": {"1": {"days": -1}}},
        {"thresholds": {"4": {"days": 1}}},
        {"thresholds": {"1": {"weeks": 1}}},
        {"limits": {"3": {"posts_per_hour": 1}}},
        {"limits": {"0": {"posts_per_hour": "5"}}},
        {"thresholds": []},
    ]
    for bad in bad_values:
        with pytest.raises(ValidationError):
            update_trust_settings(owner, public_community, **bad)
    with pytest.raises(PermissionDenied):
        update_trust_settings(member, public_community, thresholds={"1": {"days": 0}})


def test_level_counts(public_community, member):
    counts = level_counts(public_community)
    assert counts == {0: 3, 1: 0, 2: 0, 3: 0}


# --- Pages -------------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form_data(**overrides: str) -> dict[str, str]:
    data = {}
    for level, values in THRESHOLDS.items():
        for name, value in values.items():
            data[f"t_{level}_{name}"] = str(value)
    for level in ("0", "1"):
        for name in ("posts_per_hour", "links_per_post", "images_per_post", "mentions_per_post"):
            data[f"l_{level}_{name}"] = "4"
    return data | overrides


def test_trust_page_shows_and_saves(public_community, owner):
    client = _client(owner)
    url = reverse("moderation:trust", kwargs={"slug": public_community.slug})
    page = client.get(url)
    assert page.status_code == 200
    assert "Members at each level" in page.content.decode()
    response = client.post(url, _form_data())
    assert response.status_code == 302
    settings = ModerationSettings.objects.get(community=public_community)
    assert settings.thresholds()["2"] == THRESHOLDS["2"]
    assert settings.limits()["1"]["mentions_per_post"] == 4


def test_trust_page_refuses_negative_numbers(public_community, owner):
    url = reverse("moderation:trust", kwargs={"slug": public_community.slug})
    response = _client(owner).post(url, _form_data(t_1_days="-3"))
    assert response.status_code == 400
    assert not ModerationSettings.objects.filter(community=public_community).exists()


def test_trust_page_sets_a_members_level(public_community, owner, member, stranger):
    url = reverse("moderation:set_member_level", kwargs={"slug": public_community.slug})
    client = _client(owner)
    response = client.post(url, {"handle": f"@{member.handle}", "level": "2"})
    assert response.status_code == 302
    assert _membership(public_community, member).trust_level == 2
    response = client.post(url, {"handle": stranger.handle, "level": "2"})
    assert response.status_code == 400
    assert "No member of this community" in response.content.decode()
    assert client.post(url, {"handle": member.handle, "level": "9"}).status_code == 400


def test_members_do_not_see_the_trust_page(public_community, member):
    url = reverse("moderation:trust", kwargs={"slug": public_community.slug})
    assert _client(member).get(url).status_code == 403


# --- API ---------------------------------------------------------------------------------


def test_api_trust_read_and_tune(public_community, owner, member):
    api = ApiClient(make_token(owner))
    path = f"/communities/{public_community.slug}/moderation/trust"
    data = api.get(path).json()
    assert data["thresholds"]["1"] == {"days": 1, "posts": 1, "topics_read": 3}
    assert data["limits"]["0"]["posts_per_hour"] == 5
    assert data["members_by_level"] == {"0": 3, "1": 0, "2": 0, "3": 0}

    response = api.request("PUT", path, {"thresholds": {"2": {"posts": 4}}})
    assert response.status_code == 200
    assert response.json()["thresholds"]["2"]["posts"] == 4
    assert response.json()["thresholds"]["2"]["days"] == 15

    assert api.request("PUT", path, {"thresholds": {"2": {"posts": -1}}}).status_code == 422
    assert api.request("PUT", path, {"limits": {"2": {"posts_per_hour": 1}}}).status_code == 422
    assert ApiClient(make_token(member)).get(path).status_code == 403


def test_api_set_member_trust_level(public_community, owner, member, stranger):
    api = ApiClient(make_token(owner))
    base = f"/communities/{public_community.slug}/members"
    response = api.request("PUT", f"{base}/{member.handle}/trust-level", {"level": 2})
    assert response.status_code == 200
    assert response.json() == {"handle": member.handle, "level": 2}
    assert (
        api.request("PUT", f"{base}/{stranger.handle}/trust-level", {"level": 2}).status_code == 404
    )
    assert (
        api.request("PUT", f"{base}/{member.handle}/trust-level", {"level": 4}).status_code == 422
    )
    as_member = ApiClient(make_token(member))
    assert (
        as_member.request("PUT", f"{base}/{member.handle}/trust-level", {"level": 3}).status_code
        == 403
    )


def test_members_see_their_own_level_on_the_community_page(public_community, member, stranger):
    Membership.objects.filter(community=public_community, user=member).update(trust_level=1)
    url = reverse("communities:detail", kwargs={"slug": public_community.slug})
    assert "Your trust level here: Basic" in _client(member).get(url).content.decode()
    assert "Your trust level here" not in _client(stranger).get(url).content.decode()
