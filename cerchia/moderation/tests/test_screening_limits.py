"""Newcomer limits that lift with trust, newcomer pre-moderation, and cross-posting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cerchia.communities.models import Membership
from cerchia.core import testing
from cerchia.discussions import actions as discussions
from cerchia.discussions.models import Post, Topic
from cerchia.moderation.models import HeldPost, ModerationSettings, Premoderation
from cerchia.moderation.screening import PostHeld

pytestmark = pytest.mark.django_db

LINKS = "Look: [a](https://a.example) [b](https://b.example) [c](https://c.example)"


@pytest.fixture
def limits_on(settings):
    settings.CERCHIA_NEWCOMER_LIMITS = True


@pytest.fixture
def topic(public_community, owner):
    return testing.make_topic(public_community, owner, title="Grinders", body="Which grinder?")


def _level(community, user, level: int) -> None:
    Membership.objects.filter(community=community, user=user).update(trust_level=level)


def test_a_newcomer_over_the_link_limit_is_held_not_bounced(limits_on, topic, member):
    with pytest.raises(PostHeld) as held_info:
        discussions.create_reply(member, topic, body=LINKS)
    held = held_info.value.held
    assert held.reason == "limit"
    assert held.notice.startswith("Welcome!")
    assert not Post.objects.filter(topic=topic, author=member).exists()


def test_the_friendly_message_shows_on_the_page(limits_on, topic, member):
    client = Client()
    client.force_login(member)
    url = reverse("discussions:reply", kwargs={"slug": topic.community.slug, "topic_id": topic.pk})
    response = client.post(url, {"body": LINKS}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "awaiting approval" in html
    assert "checked by a host first" in html


def test_limits_lift_with_trust(limits_on, public_community, topic, member):
    _level(public_community, member, 1)
    post = discussions.create_reply(member, topic, body=LINKS)  # basic: up to 10 links
    assert post.pk
    _level(public_community, member, 2)
    many = " ".join(f"[l{i}](https://l{i}.example)" for i in range(12))
    fresh = Topic.objects.get(pk=topic.pk)  # a fresh community: access is cached per instance
    assert discussions.create_reply(member, fresh, body=many).pk


def test_mentions_and_images_over_the_limit_are_held(limits_on, public_community, topic, member):
    mentions = "Hi @olivia_owner @marco_mod @mia_member @someone_else"
    with pytest.raises(PostHeld):
        discussions.create_reply(member, topic, body=mentions)
    images = "![a](https://img.example/a.png) ![b](https://img.example/b.png)"
    with pytest.raises(PostHeld):
        discussions.create_reply(member, topic, body=images)


def test_posts_per_hour_limit(limits_on, public_community, topic, member):
    ModerationSettings.objects.create(
        community=public_community, trust_limits={"0": {"posts_per_hour": 2}}
    )
    discussions.create_reply(member, topic, body="One")
    discussions.create_reply(member, topic, body="Two")
    with pytest.raises(PostHeld) as held_info:
        discussions.create_reply(member, topic, body="Three")
    assert held_info.value.held.reason == "limit"


def test_an_earned_level_is_applied_before_holding(limits_on, public_community, topic, member):
    ModerationSettings.objects.create(
        community=public_community,
        trust_thresholds={"1": {"days": 0, "posts": 0, "topics_read": 0}},
    )
    post = discussions.create_reply(member, topic, body=LINKS)
    assert post.pk
    assert Membership.objects.get(community=public_community, user=member).trust_level == 1


def test_limits_are_off_unless_switched_on(topic, member):
    assert discussions.create_reply(member, topic, body=LINKS).pk


# --- Newcomer pre-moderation -------------------------------------------------------------


def test_newcomer_premoderation_holds_only_the_first_posts(public_community, topic, member, owner):
    from cerchia.moderation.actions.held import approve_held_post

    ModerationSettings.objects.create(
        community=public_community, premoderation=Premoderation.NEWCOMERS, newcomer_posts=1
    )
    with pytest.raises(PostHeld) as held_info:
        discussions.create_reply(member, topic, body="My first words here")
    assert held_info.value.held.reason == "newcomer"
    approve_held_post(owner, held_info.value.held)
    assert discussions.create_reply(member, topic, body="Second post goes straight up").pk


# --- Cross-posting -----------------------------------------------------------------------


@pytest.fixture
def second_community(owner, member):
    community = testing.make_community(owner, name="Latte art", slug="latte")
    testing.add_member(community, member)
    return community


TEXT = "Buy my beans at a great price, only this week!"


def test_same_text_in_two_communities_within_the_hour_is_held(
    public_community, second_community, member
):
    discussions.create_topic(member, public_community, title="Beans", body=TEXT)
    with pytest.raises(PostHeld) as held_info:
        discussions.create_topic(member, second_community, title="Beans", body=TEXT)
    assert held_info.value.held.reason == "duplicate"
    assert HeldPost.objects.get().community == second_community


def test_different_text_is_published(public_community, second_community, member):
    discussions.create_topic(member, public_community, title="Beans", body=TEXT)
    topic = discussions.create_topic(
        member, second_community, title="Milk", body="Which milk foams best for latte art?"
    )
    assert topic.pk


def test_same_text_after_the_window_is_published(public_community, second_community, member):
    discussions.create_topic(member, public_community, title="Beans", body=TEXT)
    Post.objects.filter(author=member).update(created_at=timezone.now() - timedelta(hours=2))
    assert discussions.create_topic(member, second_community, title="Beans", body=TEXT).pk


def test_same_text_twice_in_one_community_is_not_cross_posting(public_community, member):
    discussions.create_topic(member, public_community, title="Beans", body=TEXT)
    assert discussions.create_topic(member, public_community, title="Beans again", body=TEXT).pk


def test_query_count_on_topic_page_for_author_with_held_reply(
    public_community, topic, member, django_assert_max_num_queries
):
    ModerationSettings.objects.create(community=public_community, premoderation=Premoderation.ALL)
    with pytest.raises(PostHeld):
        discussions.create_reply(member, topic, body="Held reply")
    for n in range(3):
        with pytest.raises(PostHeld):
            discussions.create_reply(member, topic, body=f"Held reply {n}")
    client = Client()
    client.force_login(member)
    url = reverse("discussions:topic", kwargs={"slug": public_community.slug, "topic_id": topic.pk})
    client.get(url)
    # The held replies cost one query however many there are.
    with django_assert_max_num_queries(40) as captured:
        response = client.get(url)
    assert response.content.decode().count("Awaiting approval") == 4
    held_queries = [q for q in captured.captured_queries if "moderation_heldpost" in q["sql"]]
    assert len(held_queries) == 1
