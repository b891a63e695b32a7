"""Held posts from their author's side: pages, the htmx reply, and the API's 202."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from cerchia.api.tests.conftest import ApiClient, make_token
from cerchia.core import testing
from cerchia.discussions.models import Post, Topic
from cerchia.moderation.actions.held import reject_held_post
from cerchia.moderation.models import ContentRule, HeldPost, ModerationSettings, Premoderation

pytestmark = pytest.mark.django_db


@pytest.fixture
def premoderated(public_community):
    ModerationSettings.objects.create(community=public_community, premoderation=Premoderation.ALL)
    return public_community


@pytest.fixture
def topic(public_community, owner):
    return testing.make_topic(public_community, owner, title="Grinders", body="Which grinder?")


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _new_topic(client: Client, community, **data):
    url = reverse("discussions:new_topic", kwargs={"slug": community.slug})
    fields = {"title": "My first question", "body": "Hello, espresso friends", "kind": "discussion"}
    return client.post(url, fields | data)


def _reply(client: Client, topic, body: str = "I use a hand grinder", **headers):
    url = reverse("discussions:reply", kwargs={"slug": topic.community.slug, "topic_id": topic.pk})
    return client.post(url, {"body": body}, headers=headers)


# --- Pages -------------------------------------------------------------------------------


def test_held_topic_tells_the_author_and_shows_only_to_them(premoderated, member, stranger):
    client = _client(member)
    response = _new_topic(client, premoderated)
    held = HeldPost.objects.get()
    detail = reverse("communities:detail", kwargs={"slug": premoderated.slug})
    assert response.status_code == 302
    assert response["Location"] == f"{detail}#held-{held.pk}"
    assert not Topic.objects.filter(community=premoderated).exists()

    page = client.get(detail)
    html = page.content.decode()
    assert "awaiting approval" in html  # the notice, as a message
    assert f'id="held-{held.pk}"' in html
    assert "My posts awaiting approval" in html
    assert "Hello, espresso friends" in html

    for other in (stranger, None):
        other_html = _client(other).get(detail).content.decode()
        assert "Hello, espresso friends" not in other_html
        assert "My first question" not in other_html


def test_held_reply_shows_at_the_end_of_the_topic_to_its_author_only(
    premoderated, topic, member, moderator, stranger
):
    client = _client(member)
    response = _reply(client, topic)
    held = HeldPost.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#held-{held.pk}")
    assert Post.objects.filter(topic=topic).count() == 1

    url = reverse("discussions:topic", kwargs={"slug": premoderated.slug, "topic_id": topic.pk})
    html = client.get(url).content.decode()
    assert "Awaiting approval" in html
    assert "I use a hand grinder" in html
    for other in (moderator, stranger, None):
        assert "I use a hand grinder" not in _client(other).get(url).content.decode()


def test_htmx_reply_held_answers_the_held_post_and_a_fresh_composer(premoderated, topic, member):
    response = _reply(_client(member), topic, **{"HX-Request": "true"})
    held = HeldPost.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="held-{held.pk}"' in html
    assert "Awaiting approval" in html
    assert 'id="composer"' in html
    assert "hx-swap-oob" in html


def test_rejected_post_shows_the_hosts_note_to_its_author(premoderated, member, owner):
    _new_topic(_client(member), premoderated)
    held = HeldPost.objects.get()
    reject_held_post(owner, held, note="Please use the FAQ topic")
    html = (
        _client(member)
        .get(reverse("communities:detail", kwargs={"slug": premoderated.slug}))
        .content.decode()
    )
    assert "Not approved" in html
    assert "Please use the FAQ topic" in html


def test_a_refusing_rule_is_a_form_error_on_the_page(public_community, member, topic):
    ContentRule.objects.create(
        community=public_community,
        kind="keyword",
        pattern="casino",
        action="refuse",
        message="No gambling talk here, please.",
    )
    response = _new_topic(_client(member), public_community, body="Best casino bonus")
    assert response.status_code == 400
    assert "No gambling talk here, please." in response.content.decode()
    response = _reply(_client(member), topic, body="casino tips")
    assert response.status_code == 400
    assert "No gambling talk here, please." in response.content.decode()
    assert not HeldPost.objects.exists()
    assert Post.objects.filter(community=public_community).count() == 1


def test_a_holding_rule_holds_with_its_message(public_community, member):
    ContentRule.objects.create(
        community=public_community,
        kind="domain",
        pattern="shop.example",
        action="hold",
        message="Links to shops are checked first.",
    )
    response = _new_topic(
        _client(member), public_community, body="Look at [this](https://www.shop.example/x)"
    )
    held = HeldPost.objects.get()
    assert response.status_code == 302
    assert held.reason == "rule"
    assert held.notice == "Links to shops are checked first."


def test_hosts_posts_are_never_held(premoderated, owner, topic):
    response = _reply(_client(owner), topic, body="Welcome everyone")
    assert response.status_code == 302
    assert not HeldPost.objects.exists()


# --- Edits -------------------------------------------------------------------------------


def test_refusing_rules_apply_to_edits_holding_rules_do_not(public_community, member):
    topic = testing.make_topic(public_community, member, title="My setup", body="A lever")
    post = topic.posts.get(number=1)
    ContentRule.objects.create(
        community=public_community, kind="keyword", pattern="casino", action="refuse"
    )
    ContentRule.objects.create(
        community=public_community, kind="keyword", pattern="discount", action="hold"
    )
    url = reverse(
        "discussions:edit_post", kwargs={"slug": public_community.slug, "post_id": post.pk}
    )
    client = _client(member)
    response = client.post(url, {"body": "A lever, casino", "title": "My setup"})
    assert response.status_code == 400
    assert "casino" in response.content.decode()
    post.refresh_from_db()
    assert post.body == "A lever"

    response = client.post(url, {"body": "A lever with a discount", "title": "My setup"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "A lever with a discount"


def test_api_edit_refused_by_a_rule_is_422(public_community, member):
    topic = testing.make_topic(public_community, member, title="My setup", body="A lever")
    post = topic.posts.get(number=1)
    ContentRule.objects.create(
        community=public_community,
        kind="keyword",
        pattern="casino",
        action="refuse",
        message="No gambling.",
    )
    response = ApiClient(make_token(member)).patch(f"/posts/{post.pk}", {"body": "casino"})
    assert response.status_code == 422
    assert response.json()["errors"]["body"] == ["No gambling."]


# --- API ---------------------------------------------------------------------------------


def test_api_held_topic_answers_202_and_the_same_key_replays_it(premoderated, member):
    api = ApiClient(make_token(member))
    body = {"title": "Tamping", "body": "How hard do you tamp?"}
    first = api.post(
        f"/communities/{premoderated.slug}/topics", body, headers={"Idempotency-Key": "k-1"}
    )
    assert first.status_code == 202
    data = first.json()
    held = HeldPost.objects.get()
    assert data["status"] == "held"
    assert data["held_id"] == held.pk
    assert data["review_status"] == "pending"
    assert data["reason"] == "premoderation"
    assert data["notice"] == held.notice
    assert data["topic_id"] is None

    again = api.post(
        f"/communities/{premoderated.slug}/topics", body, headers={"Idempotency-Key": "k-1"}
    )
    assert again.status_code == 202
    assert again.json()["held_id"] == held.pk
    assert HeldPost.objects.count() == 1


def test_api_held_reply_answers_202(premoderated, topic, member):
    api = ApiClient(make_token(member))
    response = api.post(
        f"/topics/{topic.pk}/posts", {"body": "Medium"}, headers={"Idempotency-Key": "r-1"}
    )
    assert response.status_code == 202
    assert response.json()["topic_id"] == topic.pk
    again = api.post(
        f"/topics/{topic.pk}/posts", {"body": "Medium"}, headers={"Idempotency-Key": "r-1"}
    )
    assert again.json()["held_id"] == response.json()["held_id"]


def test_api_held_key_reused_elsewhere_is_refused(premoderated, topic, member):
    api = ApiClient(make_token(member))
    api.post(f"/topics/{topic.pk}/posts", {"body": "Medium"}, headers={"Idempotency-Key": "x"})
    response = api.post(
        f"/communities/{premoderated.slug}/topics",
        {"title": "Another", "body": "Another body"},
        headers={"Idempotency-Key": "x"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"


def test_api_refusing_rule_is_a_422_problem(public_community, member):
    ContentRule.objects.create(
        community=public_community,
        kind="keyword",
        pattern="casino",
        action="refuse",
        message="No gambling.",
    )
    response = ApiClient(make_token(member)).post(
        f"/communities/{public_community.slug}/topics", {"title": "Hey", "body": "casino night"}
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert json.loads(response.content)["errors"]["body"] == ["No gambling."]
