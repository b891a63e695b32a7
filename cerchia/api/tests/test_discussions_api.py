"""The discussions API: topics, posts, answers, reactions, bookmarks, reading and following,
with every refusal answered as problem details and the same rules as the pages."""

from __future__ import annotations

import typing
from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from cerchia.accounts.models import AccessToken, User
from cerchia.api import schemas
from cerchia.api.api import api
from cerchia.api.routers import discussions
from cerchia.api.tests.conftest import ApiClient, make_token
from cerchia.communities.models import Community, JoinPolicy, Membership, Role, Visibility
from cerchia.config.wsgi import application
from cerchia.core import testing
from cerchia.core.pagination import encode_cursor
from cerchia.core.tags import interests_for
from cerchia.discussions.models import (
    Bookmark,
    NotificationLevel,
    Post,
    ReactionKind,
    ReadState,
    Topic,
    TopicKind,
)
from cerchia.discussions.queries import FeedFilter

pytestmark = pytest.mark.django_db


def assert_problem(response, status: int, code: str | None = None) -> dict:
    """The response is a problem-details answer with this status (and code)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body


def put(client: ApiClient, path: str, body: typing.Any = None, **kwargs: typing.Any) -> typing.Any:
    return client.request("PUT", path, body, **kwargs)


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json() if response.content else {}


@pytest.fixture
def topic(public_community: Community, member: User) -> Topic:
    return testing.make_topic(
        public_community, member, title="Which grinder?", body="Hand or **electric**?"
    )


@pytest.fixture
def reply(topic: Topic, moderator: User) -> Post:
    return testing.make_reply(topic, moderator, body="A hand grinder is enough.")


@pytest.fixture
def question(public_community: Community, member: User) -> Topic:
    return testing.make_topic(
        public_community, member, title="Why is my shot sour?", kind=TopicKind.QUESTION
    )


@pytest.fixture
def private_topic(private_community: Community, member: User) -> Topic:
    return testing.make_topic(private_community, member, title="Film stocks we love")


# --- Topics ------------------------------------------------------------------------------------


def test_anyone_lists_a_public_communitys_topics_pinned_first(anon, public_community, member):
    older = testing.make_topic(public_community, member, title="Older topic")
    testing.make_topic(public_community, member, title="Newer topic")
    Topic.objects.filter(pk=older.pk).update(is_pinned=True)
    body = ok(anon.get("/communities/espresso/topics"))
    assert [item["title"] for item in body["items"]] == ["Older topic", "Newer topic"]
    first = body["items"][0]
    assert first["pinned"] is True
    assert first["community"] == {"slug": "espresso", "name": "Espresso at home"}
    assert first["author"]["handle"] == member.handle
    assert first["participants"][0]["handle"] == member.handle
    assert first["unread"] is False
    assert body["next_cursor"] is None


def test_topic_list_pages_by_cursor_and_filters_by_kind_and_tag(
    as_user, public_community, member, question
):
    public_community.interests.set(interests_for(["grinders", "beans"]))
    tagged = testing.make_topic(public_community, member, title="Tagged", tags=["grinders"])
    testing.make_topic(public_community, member, title="Plain")
    client = as_user(member)
    first = ok(client.get("/communities/espresso/topics", limit=2))
    assert len(first["items"]) == 2
    rest = ok(client.get("/communities/espresso/topics", limit=2, cursor=first["next_cursor"]))
    assert [i["title"] for i in rest["items"]] == [question.title]
    assert rest["next_cursor"] is None
    questions = ok(client.get("/communities/espresso/topics", kind="question"))["items"]
    assert [i["id"] for i in questions] == [question.pk]
    by_tag = ok(client.get("/communities/espresso/topics", tag="grinders"))["items"]
    assert [(i["id"], i["tags"]) for i in by_tag] == [(tagged.pk, ["grinders"])]


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"cursor": "not-a-cursor"}, 400, "invalid_cursor"),
        ({"cursor": encode_cursor(["x", "y", "z"])}, 400, "invalid_cursor"),
        ({"kind": "poll"}, 422, "validation_error"),
        ({"limit": 0}, 422, "validation_error"),
        ({"limit": 101}, 422, "validation_error"),
    ],
)
def test_bad_topic_list_queries_are_4xx_problems(anon, public_community, query, status, code):
    assert_problem(anon.get("/communities/espresso/topics", **query), status, code)


def test_private_topics_are_404_to_non_members_exactly_like_the_pages(
    anon, as_user, stranger, member, private_topic
):
    topic_id = private_topic.pk
    reply_id = private_topic.posts.get().pk
    for client in (anon, as_user(stranger)):
        assert_problem(client.get("/communities/film-lab/topics"), 404, "not_found")
        assert_problem(client.get(f"/topics/{topic_id}"), 404, "not_found")
        assert_problem(client.get(f"/topics/{topic_id}/posts"), 404)
        assert_problem(client.get(f"/posts/{reply_id}"), 404)
        assert_problem(client.get(f"/posts/{reply_id}/reactions"), 404)
    stranger_client = as_user(stranger)
    assert_problem(stranger_client.post(f"/topics/{topic_id}/posts", {"body": "Hi"}), 404)
    assert_problem(put(stranger_client, f"/posts/{reply_id}/bookmark"), 404)
    assert ok(as_user(member).get(f"/topics/{topic_id}"))["title"] == "Film stocks we love"


def test_member_starts_a_topic_and_gets_it_back(as_user, public_community, member):
    public_community.interests.set(interests_for(["grinders"]))
    body = ok(
        as_user(member).post(
            "/communities/espresso/topics",
            {
                "title": "  First   shots  ",
                "body": "Hello <script>alert(1)</script> **world**",
                "kind": "question",
                "tags": ["Grinders"],
            },
        ),
        201,
    )
    assert body["title"] == "First shots"
    assert body["kind"] == "question"
    assert body["tags"] == ["grinders"]
    opening = body["opening_post"]
    assert opening["number"] == 1
    assert opening["author"] == {
        "handle": member.handle,
        "display_name": member.name,
        "avatar_url": None,
        "role": "member",
        "affiliation": None,
        "affiliation_name": "",
    }
    assert "<strong>world</strong>" in opening["body_html"]
    assert "<script" not in opening["body_html"]
    assert opening["viewer"]["can_edit"] is True
    assert body["viewer"]["can_reply"] is True
    assert body["viewer"]["can_moderate"] is False
    assert body["viewer"]["notification_level"] == "tracking"
    assert body["accepted_answer"] is None
    assert Topic.objects.get(pk=body["id"]).author == member


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "x" * 201, "body": "Hi"}, "title"),
        ({"title": "ab", "body": "Hi"}, "title"),
        ({"title": "Fine title", "body": ""}, "body"),
        ({"title": "Fine title", "body": "   "}, "body"),
        ({"title": "Fine title", "body": "Hi", "kind": "poll"}, "kind"),
        ({"title": "Fine title", "body": "Hi", "tags": ["not-ours"]}, "tags"),
        ({"title": "Fine title", "body": "Hi", "tags": ["a" * 70]}, "tags.0"),
        ({"title": "Fine title", "body": "Hi", "attachment_ids": [0]}, "attachment_ids.0"),
        ({"title": "Fine title", "body": "Hi", "extra": 1}, "extra"),
        ({"title": 5, "body": "Hi"}, "title"),
    ],
)
def test_bad_topics_are_422_with_the_field(as_user, public_community, member, payload, field):
    body = assert_problem(
        as_user(member).post("/communities/espresso/topics", payload), 422, "validation_error"
    )
    assert field in body["errors"], body
    assert not Topic.objects.exists()


def test_who_may_start_topics(as_user, public_community, stranger, member, moderator):
    topic = {"title": "Hello there", "body": "Hi"}
    assert_problem(
        as_user(stranger).post("/communities/espresso/topics", topic), 403, "permission_denied"
    )
    announcement = topic | {"kind": "announcement"}
    assert_problem(as_user(member).post("/communities/espresso/topics", announcement), 403)
    ok(as_user(moderator).post("/communities/espresso/topics", announcement), 201)
    assert_problem(ApiClient().post("/communities/espresso/topics", topic), 401)
    assert_problem(as_user(member).post("/communities/nowhere/topics", topic), 404)
    assert Topic.objects.count() == 1


def test_read_tokens_cannot_write(as_user, member, topic, reply):
    client = as_user(member, AccessToken.Scope.READ)
    ok(client.get(f"/topics/{topic.pk}"))
    refusals = [
        client.post("/communities/espresso/topics", {"title": "Hello there", "body": "Hi"}),
        client.post(f"/topics/{topic.pk}/posts", {"body": "Hi"}),
        client.patch(f"/posts/{reply.pk}", {"body": "Changed"}),
        client.delete(f"/posts/{reply.pk}"),
        put(client, f"/posts/{reply.pk}/reactions/heart"),
        put(client, f"/posts/{reply.pk}/bookmark"),
        put(client, f"/topics/{topic.pk}/read-state", {"last_read_number": 2}),
        put(client, f"/topics/{topic.pk}/notification-level", {"level": "muted"}),
        client.post("/communities/espresso/mark-read"),
    ]
    for response in refusals:
        assert "read" in assert_problem(response, 403, "permission_denied")["detail"]
    assert Topic.objects.count() == 1
    assert Post.objects.count() == 2
    assert not Bookmark.objects.exists()


def test_session_writes_need_the_csrf_token(member, topic):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    client = ApiClient(client=browser)
    assert_problem(client.post(f"/topics/{topic.pk}/posts", {"body": "Hi"}), 403, "csrf_failed")
    browser.get("/api/v1/docs")
    token = browser.cookies["csrftoken"].value
    ok(
        client.post(f"/topics/{topic.pk}/posts", {"body": "Hi"}, headers={"X-CSRFToken": token}),
        201,
    )


# --- Idempotency -----------------------------------------------------------------------------


def test_same_idempotency_key_twice_gives_one_topic_and_the_same_answer(
    as_user, public_community, member
):
    client = as_user(member)
    payload = {"title": "Only once", "body": "Double click"}
    headers = {"Idempotency-Key": "topic-key-1"}
    first = client.post("/communities/espresso/topics", payload, headers=headers)
    again = client.post("/communities/espresso/topics", payload, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Topic.objects.count() == 1
    other = client.post(
        "/communities/espresso/topics", payload, headers={"Idempotency-Key": "topic-key-2"}
    )
    assert ok(other, 201)["id"] != first.json()["id"]
    assert Topic.objects.count() == 2


def test_same_idempotency_key_twice_gives_one_reply(as_user, member, topic):
    client = as_user(member)
    headers = {"Idempotency-Key": "reply-key"}
    first = client.post(f"/topics/{topic.pk}/posts", {"body": "Once"}, headers=headers)
    again = client.post(f"/topics/{topic.pk}/posts", {"body": "Once"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert topic.posts.count() == 2
    ok(client.post(f"/topics/{topic.pk}/posts", {"body": "Again"}), 201)
    ok(client.post(f"/topics/{topic.pk}/posts", {"body": "Again"}), 201)
    assert topic.posts.count() == 4


def test_an_idempotency_key_used_elsewhere_or_too_long_is_refused(as_user, member, topic, question):
    client = as_user(member)
    key = {"Idempotency-Key": "k"}
    ok(client.post(f"/topics/{topic.pk}/posts", {"body": "Here"}, headers=key), 201)
    reused = client.post(f"/topics/{question.pk}/posts", {"body": "There"}, headers=key)
    assert_problem(reused, 422, "idempotency_key_reused")
    too_long = client.post(
        f"/topics/{topic.pk}/posts", {"body": "Hi"}, headers={"Idempotency-Key": "k" * 81}
    )
    assert_problem(too_long, 422, "validation_error")
    assert question.posts.count() == 1


# --- One topic ---------------------------------------------------------------------------------


def test_topic_detail_shows_flags_read_state_and_the_accepted_answer(
    as_user, anon, member, owner, question
):
    answer = testing.make_reply(question, owner, body="Grind finer.")
    client = as_user(member)
    ok(client.post(f"/topics/{question.pk}/accepted-answer", {"post_id": answer.pk}))
    body = ok(client.get(f"/topics/{question.pk}"))
    assert body["answered"] is True
    assert body["accepted_answer"]["id"] == answer.pk
    assert body["accepted_answer"]["author"]["role"] == "owner"
    assert body["opening_post"]["number"] == 1
    assert body["viewer"] == {
        "can_reply": True,
        "can_moderate": False,
        "can_follow": True,
        "can_accept": True,
        "is_member": True,
        "last_read_number": 1,
        "first_unread_number": 2,
        "notification_level": "tracking",
    }
    outsider = ok(anon.get(f"/topics/{question.pk}"))
    assert outsider["viewer"]["can_reply"] is False
    assert outsider["viewer"]["can_accept"] is False
    assert outsider["opening_post"]["viewer"]["can_edit"] is False


def test_unknown_and_deleted_topics_are_404_except_deleted_ones_to_hosts(
    as_user, member, moderator, topic
):
    assert_problem(as_user(member).get("/topics/999999"), 404, "not_found")
    assert_problem(as_user(member).get("/topics/abc"), 422)
    ok(as_user(member).delete(f"/posts/{topic.posts.get(number=1).pk}"), 204)
    assert_problem(as_user(member).get(f"/topics/{topic.pk}"), 404)
    body = ok(as_user(moderator).get(f"/topics/{topic.pk}"))
    assert body["deleted"] is True
    assert body["opening_post"]["body"] == "Hand or **electric**?"


def test_hosts_pin_lock_and_close_members_may_not(as_user, member, moderator, topic):
    body = ok(
        as_user(moderator).patch(
            f"/topics/{topic.pk}", {"pinned": True, "locked": True, "closed": True}
        )
    )
    assert (body["pinned"], body["locked"], body["closed"]) == (True, True, True)
    refused = as_user(member).patch(f"/topics/{topic.pk}", {"pinned": False})
    assert_problem(refused, 403, "permission_denied")
    assert_problem(as_user(member).post(f"/topics/{topic.pk}/posts", {"body": "Hi"}), 403)
    body = ok(as_user(moderator).patch(f"/topics/{topic.pk}", {"locked": False}))
    assert body["locked"] is False
    assert body["pinned"] is True


def test_author_retitles_and_retags_through_the_opening_post_all_or_nothing(
    as_user, public_community, member, topic
):
    public_community.interests.set(interests_for(["grinders"]))
    client = as_user(member)
    body = ok(
        client.patch(f"/topics/{topic.pk}", {"title": "Which hand grinder?", "tags": ["grinders"]})
    )
    assert body["title"] == "Which hand grinder?"
    assert body["tags"] == ["grinders"]
    opening = topic.posts.get(number=1)
    revisions = ok(client.get(f"/posts/{opening.pk}/revisions"))["items"]
    assert [(r["number"], r["title"]) for r in revisions] == [(1, "Which grinder?")]
    # A refused part undoes the rest: the member may retitle but not pin.
    refused = client.patch(f"/topics/{topic.pk}", {"title": "Sneaky", "pinned": True})
    assert_problem(refused, 403)
    topic.refresh_from_db()
    assert topic.title == "Which hand grinder?"
    assert_problem(client.patch(f"/topics/{topic.pk}", {"title": None}), 422, "validation_error")
    assert_problem(client.patch(f"/topics/{topic.pk}", {"title": "x" * 201}), 422)


def test_hosts_move_topics_between_communities_they_host(as_user, owner, moderator, member, topic):
    other = testing.make_community(owner, name="Tea at home", slug="tea")
    foreign = testing.make_community(testing.make_user("tom_other"), slug="elsewhere")
    assert_problem(as_user(member).post(f"/topics/{topic.pk}/move", {"community": "tea"}), 403)
    assert_problem(as_user(moderator).post(f"/topics/{topic.pk}/move", {"community": "tea"}), 403)
    refused = as_user(owner).post(f"/topics/{topic.pk}/move", {"community": foreign.slug})
    assert_problem(refused, 403)
    assert_problem(as_user(owner).post(f"/topics/{topic.pk}/move", {"community": "nowhere"}), 404)
    body = ok(as_user(owner).post(f"/topics/{topic.pk}/move", {"community": "tea"}))
    assert body["community"]["slug"] == "tea"
    assert Post.objects.filter(topic=topic, community=other).count() == 1


def test_accepting_answers_who_and_which_posts(
    as_user, stranger, member, owner, question, topic, reply
):
    answer = testing.make_reply(question, owner, body="Grind finer.")
    path = f"/topics/{question.pk}/accepted-answer"
    assert_problem(as_user(stranger).post(path, {"post_id": answer.pk}), 403)
    # A reply from another topic, the question itself, a post nobody can see.
    assert_problem(as_user(member).post(path, {"post_id": reply.pk}), 403)
    opening = question.posts.get(number=1)
    assert_problem(as_user(member).post(path, {"post_id": opening.pk}), 403)
    body = assert_problem(as_user(member).post(path, {"post_id": 999999}), 422)
    assert "post_id" in body["errors"]
    assert_problem(as_user(member).post(path, {"post_id": "1"}), 422)
    assert_problem(
        as_user(member).post(f"/topics/{topic.pk}/accepted-answer", {"post_id": reply.pk}), 403
    )
    ok(as_user(member).post(path, {"post_id": answer.pk}))
    assert_problem(as_user(stranger).delete(path), 403)
    ok(as_user(owner).delete(path), 204)
    question.refresh_from_db()
    assert question.accepted_answer is None
    ok(as_user(member).delete(path), 204)  # nothing to take back: harmless
    assert_problem(as_user(stranger).delete(path), 403)


# --- Posts -------------------------------------------------------------------------------------


def test_posts_by_page_and_after_a_number(as_user, anon, member, moderator, topic):
    for index in range(24):
        testing.make_reply(topic, moderator if index % 2 else member, body=f"Reply {index}")
    first = ok(anon.get(f"/topics/{topic.pk}/posts"))
    assert [p["number"] for p in first["items"]] == list(range(1, 21))
    assert (first["page"], first["page_count"], first["last_post_number"]) == (1, 2, 25)
    assert first["next_after"] == 20
    second = ok(anon.get(f"/topics/{topic.pk}/posts", page=2))
    assert [p["number"] for p in second["items"]] == [21, 22, 23, 24, 25]
    assert second["next_after"] is None
    beyond = ok(anon.get(f"/topics/{topic.pk}/posts", page=99))
    assert beyond["page"] == 2
    after = ok(anon.get(f"/topics/{topic.pk}/posts", after=5, limit=3))
    assert [p["number"] for p in after["items"]] == [6, 7, 8]
    assert after["page"] is None
    assert after["next_after"] == 8
    assert ok(anon.get(f"/topics/{topic.pk}/posts", after=25))["items"] == []
    assert_problem(anon.get(f"/topics/{topic.pk}/posts", page=1, after=3), 422)
    assert_problem(anon.get(f"/topics/{topic.pk}/posts", page=0), 422)
    assert_problem(anon.get(f"/topics/{topic.pk}/posts", after=-1), 422)
    assert_problem(anon.get(f"/topics/{topic.pk}/posts", after="x"), 422)
    roles = {p["author"]["handle"]: p["author"]["role"] for p in first["items"]}
    assert roles == {member.handle: "member", moderator.handle: "moderator"}


def test_a_deleted_post_keeps_its_place_without_text_except_for_hosts(
    as_user, member, moderator, topic, reply
):
    ok(as_user(moderator).delete(f"/posts/{reply.pk}"), 204)
    items = ok(as_user(member).get(f"/topics/{topic.pk}/posts"))["items"]
    placeholder = items[1]
    assert placeholder["deleted"] is True
    assert placeholder["body"] is None
    assert placeholder["body_html"] is None
    assert_problem(as_user(member).get(f"/posts/{reply.pk}"), 404)
    host_view = ok(as_user(moderator).get(f"/topics/{topic.pk}/posts"))["items"][1]
    assert host_view["body"] == "A hand grinder is enough."
    restored = ok(as_user(moderator).post(f"/posts/{reply.pk}/restore"))
    assert restored["deleted"] is False
    assert ok(as_user(member).get(f"/posts/{reply.pk}"))["body"] == "A hand grinder is enough."
    assert_problem(as_user(moderator).post(f"/posts/{reply.pk}/restore"), 403)


def test_replying_in_reply_to_and_quoting(as_user, member, moderator, topic, reply, question):
    client = as_user(member)
    body = ok(
        client.post(
            f"/topics/{topic.pk}/posts",
            {"body": "Agreed, @marco_mod", "reply_to": reply.pk, "quoted": reply.pk},
        ),
        201,
    )
    assert body["number"] == 3
    assert body["reply_to"] == {"id": reply.pk, "number": 2}
    assert body["quoted_id"] == reply.pk
    assert body["author"]["role"] == "member"
    elsewhere = question.posts.get(number=1)
    for field, value in (
        ("reply_to", elsewhere.pk),
        ("quoted", elsewhere.pk),
        ("reply_to", 999999),
    ):
        refused = client.post(f"/topics/{topic.pk}/posts", {"body": "Hi", field: value})
        assert field in assert_problem(refused, 422, "validation_error")["errors"]
    assert_problem(client.post(f"/topics/{topic.pk}/posts", {"body": "x" * 50_001}), 422)
    assert_problem(client.post(f"/topics/{topic.pk}/posts", raw="{nope"), 400, "malformed_body")
    assert topic.posts.count() == 3


def test_editing_posts_keeps_history_for_the_author_and_hosts(
    as_user, member, moderator, stranger, topic, reply
):
    assert_problem(as_user(member).patch(f"/posts/{reply.pk}", {"body": "Mine now"}), 403)
    body = ok(as_user(moderator).patch(f"/posts/{reply.pk}", {"body": "A *hand* grinder."}))
    assert body["body"] == "A *hand* grinder."
    assert "<em>hand</em>" in body["body_html"]
    assert body["edit_count"] == 1
    assert body["edited_at"]
    revisions = ok(as_user(moderator).get(f"/posts/{reply.pk}/revisions"))
    assert [(r["number"], r["body"]) for r in revisions["items"]] == [
        (1, "A hand grinder is enough.")
    ]
    assert revisions["items"][0]["edited_by"]["handle"] == moderator.handle
    assert_problem(as_user(member).get(f"/posts/{reply.pk}/revisions"), 403)
    assert_problem(ApiClient().get(f"/posts/{reply.pk}/revisions"), 401)
    assert_problem(as_user(stranger).patch(f"/posts/{reply.pk}", {"body": "x"}), 403)
    assert_problem(as_user(moderator).patch(f"/posts/{reply.pk}", {"body": ""}), 422)
    assert_problem(as_user(moderator).patch(f"/posts/{reply.pk}", {}), 422)


def test_deleting_posts(as_user, member, stranger, moderator, topic, reply):
    assert_problem(as_user(member).delete(f"/posts/{reply.pk}"), 403)
    assert_problem(as_user(stranger).delete(f"/posts/{reply.pk}"), 403)
    ok(as_user(moderator).delete(f"/posts/{reply.pk}"), 204)
    assert_problem(as_user(moderator).delete(f"/posts/{reply.pk}"), 403)
    assert_problem(as_user(member).delete("/posts/999999"), 404)


# --- Reactions and bookmarks ------------------------------------------------------------------


def test_reacting_counting_and_taking_back(as_user, anon, member, owner, stranger, reply):
    body = ok(put(as_user(member), f"/posts/{reply.pk}/reactions/heart"))
    assert body["reaction_counts"] == {"heart": 1}
    assert body["viewer"]["reactions"] == ["heart"]
    ok(put(as_user(member), f"/posts/{reply.pk}/reactions/heart"))  # twice: harmless
    body = ok(put(as_user(owner), f"/posts/{reply.pk}/reactions/thumbs_up"))
    assert body["reaction_counts"] == {"thumbs_up": 1, "heart": 1}
    assert body["viewer"]["reactions"] == ["thumbs_up"]
    listing = ok(anon.get(f"/posts/{reply.pk}/reactions"))
    assert [(r["user"]["handle"], r["kind"], r["emoji"]) for r in listing["items"]] == [
        (member.handle, "heart", "❤️"),
        (owner.handle, "thumbs_up", "👍"),
    ]
    only_hearts = ok(anon.get(f"/posts/{reply.pk}/reactions", kind="heart"))["items"]
    assert [r["user"]["handle"] for r in only_hearts] == [member.handle]
    ok(as_user(member).delete(f"/posts/{reply.pk}/reactions/heart"), 204)
    ok(as_user(member).delete(f"/posts/{reply.pk}/reactions/heart"), 204)
    assert ok(anon.get(f"/posts/{reply.pk}"))["reaction_counts"] == {"thumbs_up": 1}
    assert_problem(put(as_user(stranger), f"/posts/{reply.pk}/reactions/heart"), 403)
    assert_problem(put(as_user(member), f"/posts/{reply.pk}/reactions/angry"), 422)
    assert_problem(anon.get(f"/posts/{reply.pk}/reactions", kind="angry"), 422)
    assert_problem(put(anon, f"/posts/{reply.pk}/reactions/heart"), 401)


def test_bookmarks(as_user, member, owner, private_community, topic, reply):
    client = as_user(member)
    private = testing.make_topic(private_community, owner, title="Members only")
    private_post = private.posts.get()
    body = ok(put(client, f"/posts/{reply.pk}/bookmark"))
    assert body["post"] == {"id": reply.pk, "number": 2}
    assert body["topic_title"] == topic.title
    ok(put(client, f"/posts/{reply.pk}/bookmark"))
    ok(put(client, f"/posts/{private_post.pk}/bookmark"))
    items = ok(client.get("/me/bookmarks"))["items"]
    assert [b["post"]["id"] for b in items] == [private_post.pk, reply.pk]
    assert items[0]["community"]["slug"] == "film-lab"
    first = ok(client.get("/me/bookmarks", limit=1))
    assert (
        ok(client.get("/me/bookmarks", cursor=first["next_cursor"]))["items"][0]["post"]["id"]
        == reply.pk
    )
    # Leaving a private community hides its posts from one's bookmarks.
    Membership.objects.filter(user=member, community=private_community).delete()
    assert [b["post"]["id"] for b in ok(client.get("/me/bookmarks"))["items"]] == [reply.pk]
    ok(client.delete(f"/posts/{reply.pk}/bookmark"), 204)
    ok(client.delete(f"/posts/{reply.pk}/bookmark"), 204)
    assert ok(client.get("/me/bookmarks"))["items"] == []
    assert_problem(client.get("/me/bookmarks", cursor="garbage!"), 400, "invalid_cursor")
    assert_problem(ApiClient().get("/me/bookmarks"), 401)


# --- Reading and following -------------------------------------------------------------------


def test_read_state_moves_forward_only(as_user, member, moderator, stranger, topic):
    for _ in range(4):
        testing.make_reply(topic, moderator)
    client = as_user(member)
    state = ok(client.get(f"/topics/{topic.pk}/read-state"))
    assert state == {
        "topic_id": topic.pk,
        "last_read_number": 1,
        "last_post_number": 5,
        "first_unread_number": 2,
        "unread_count": 4,
    }
    state = ok(put(client, f"/topics/{topic.pk}/read-state", {"last_read_number": 3}))
    assert (state["last_read_number"], state["unread_count"]) == (3, 2)
    state = ok(put(client, f"/topics/{topic.pk}/read-state", {"last_read_number": 2}))
    assert state["last_read_number"] == 3
    state = ok(put(client, f"/topics/{topic.pk}/read-state", {"last_read_number": 500}))
    assert (state["last_read_number"], state["first_unread_number"]) == (5, None)
    assert_problem(put(client, f"/topics/{topic.pk}/read-state", {"last_read_number": -1}), 422)
    refused = put(as_user(stranger), f"/topics/{topic.pk}/read-state", {"last_read_number": 2})
    assert_problem(refused, 403)
    assert not ReadState.objects.filter(user=stranger).exists()
    assert ok(as_user(stranger).get(f"/topics/{topic.pk}/read-state"))["last_read_number"] == 0


def test_unread_counts_and_mark_all_read(
    as_user, public_community, private_community, member, owner
):
    client = as_user(member)
    testing.make_topic(public_community, owner, title="New one")
    testing.make_topic(public_community, owner, title="New two")
    testing.make_topic(private_community, owner, title="New three")
    counts = {
        i["community"]["slug"]: i["unread_topics"] for i in ok(client.get("/me/unread"))["items"]
    }
    assert counts == {"espresso": 2, "film-lab": 1}
    ok(client.post("/communities/espresso/mark-read"), 204)
    counts = {
        i["community"]["slug"]: i["unread_topics"] for i in ok(client.get("/me/unread"))["items"]
    }
    assert counts == {"espresso": 0, "film-lab": 1}
    stranger = as_user(testing.make_user("sara_stranger"))
    assert_problem(stranger.post("/communities/espresso/mark-read"), 403)
    assert_problem(stranger.post("/communities/film-lab/mark-read"), 404)
    assert ok(stranger.get("/me/unread"))["items"] == []


def test_notification_levels(as_user, member, stranger, topic):
    client = as_user(member)
    assert ok(client.get(f"/topics/{topic.pk}/notification-level")) == {"level": "tracking"}
    assert ok(put(client, "/communities/espresso/notification-level", {"level": "muted"})) == {
        "level": "muted"
    }
    assert ok(client.get("/communities/espresso/notification-level")) == {"level": "muted"}
    assert ok(client.get(f"/topics/{topic.pk}/notification-level")) == {"level": "muted"}
    body = ok(put(client, f"/topics/{topic.pk}/notification-level", {"level": "watching"}))
    assert body == {"level": "watching"}
    assert ok(client.get(f"/topics/{topic.pk}"))["viewer"]["notification_level"] == "watching"
    assert_problem(put(client, f"/topics/{topic.pk}/notification-level", {"level": "loud"}), 422)
    assert_problem(put(client, f"/topics/{topic.pk}/notification-level", {}), 422)
    refused = put(as_user(stranger), f"/topics/{topic.pk}/notification-level", {"level": "muted"})
    assert_problem(refused, 403)
    assert_problem(
        put(as_user(stranger), "/communities/espresso/notification-level", {"level": "muted"}), 403
    )
    assert_problem(as_user(stranger).get("/communities/film-lab/notification-level"), 404)


def test_home_feed_and_its_filters(as_user, public_community, private_community, member, owner):
    mine = testing.make_topic(public_community, member, title="Mine")
    theirs = testing.make_topic(private_community, owner, title="Theirs", kind=TopicKind.QUESTION)
    elsewhere = testing.make_community(owner, slug="elsewhere")
    testing.make_topic(elsewhere, owner, title="Not my community")
    client = as_user(member)
    assert [i["id"] for i in ok(client.get("/me/feed"))["items"]] == [theirs.pk, mine.pk]
    assert [i["id"] for i in ok(client.get("/me/feed", filter="mine"))["items"]] == [mine.pk]
    unanswered = ok(client.get("/me/feed", filter="unanswered"))["items"]
    assert [i["id"] for i in unanswered] == [theirs.pk]
    unread = ok(client.get("/me/feed", filter="unread"))["items"]
    assert [i["id"] for i in unread] == [theirs.pk]
    page = ok(client.get("/me/feed", limit=1))
    assert [i["id"] for i in ok(client.get("/me/feed", cursor=page["next_cursor"]))["items"]] == [
        mine.pk
    ]
    assert_problem(client.get("/me/feed", filter="hot"), 422)
    assert_problem(client.get("/me/feed", cursor="%%%"), 400, "invalid_cursor")
    assert_problem(ApiClient().get("/me/feed"), 401)


# --- Query budgets ----------------------------------------------------------------------------


def _count(client: ApiClient, path: str, **query: typing.Any) -> int:
    ok(client.get(path, **query))  # the token records its last use once in a while: not here
    with CaptureQueriesContext(connection) as captured:
        ok(client.get(path, **query))
    return len(captured.captured_queries)


def test_topic_list_costs_the_same_whatever_the_number_of_topics(
    as_user, public_community, member, moderator, owner
):
    public_community.interests.set(interests_for(["grinders", "beans"]))
    client = as_user(member)

    def grow(count: int) -> None:
        for index in range(count):
            topic = testing.make_topic(
                public_community, owner, title=f"Topic {index}", tags=["grinders", "beans"]
            )
            testing.make_reply(topic, moderator)
            testing.make_reply(topic, member)

    grow(2)
    small = _count(client, "/communities/espresso/topics")
    small_feed = _count(client, "/me/feed")
    grow(12)
    assert _count(client, "/communities/espresso/topics") == small
    assert _count(client, "/me/feed") == small_feed
    assert _count(client, "/communities/espresso/topics", limit=5) == small


def test_post_list_costs_the_same_whatever_the_number_of_posts(
    as_user, public_community, member, moderator, owner, topic
):
    client = as_user(member)

    def grow(count: int) -> None:
        for index in range(count):
            author = (member, moderator, owner)[index % 3]
            post = testing.make_reply(topic, author, body=f"Reply {index} @{owner.handle}")
            ok(put(as_user(owner), f"/posts/{post.pk}/reactions/heart"))
            ok(put(client, f"/posts/{post.pk}/reactions/thanks"))
            ok(put(client, f"/posts/{post.pk}/bookmark"))

    grow(2)
    small_page = _count(client, f"/topics/{topic.pk}/posts")
    small_after = _count(client, f"/topics/{topic.pk}/posts", after=0)
    grow(20)
    assert _count(client, f"/topics/{topic.pk}/posts") == small_page
    assert _count(client, f"/topics/{topic.pk}/posts", after=0) == small_after
    assert _count(client, f"/topics/{topic.pk}/posts", page=2) == small_page


# --- The contract -------------------------------------------------------------------------------

#: Every discussions operation; the anonymous may call the ones marked True.
OPERATIONS = {
    ("get", "/api/v1/communities/{slug}/topics"): True,
    ("post", "/api/v1/communities/{slug}/topics"): False,
    ("get", "/api/v1/topics/{topic_id}"): True,
    ("patch", "/api/v1/topics/{topic_id}"): False,
    ("post", "/api/v1/topics/{topic_id}/move"): False,
    ("post", "/api/v1/topics/{topic_id}/accepted-answer"): False,
    ("delete", "/api/v1/topics/{topic_id}/accepted-answer"): False,
    ("get", "/api/v1/topics/{topic_id}/posts"): True,
    ("post", "/api/v1/topics/{topic_id}/posts"): False,
    ("get", "/api/v1/posts/{post_id}"): True,
    ("patch", "/api/v1/posts/{post_id}"): False,
    ("delete", "/api/v1/posts/{post_id}"): False,
    ("post", "/api/v1/posts/{post_id}/restore"): False,
    ("get", "/api/v1/posts/{post_id}/revisions"): False,
    ("get", "/api/v1/posts/{post_id}/reactions"): True,
    ("put", "/api/v1/posts/{post_id}/reactions/{kind}"): False,
    ("delete", "/api/v1/posts/{post_id}/reactions/{kind}"): False,
    ("get", "/api/v1/me/bookmarks"): False,
    ("put", "/api/v1/posts/{post_id}/bookmark"): False,
    ("delete", "/api/v1/posts/{post_id}/bookmark"): False,
    ("get", "/api/v1/topics/{topic_id}/read-state"): False,
    ("put", "/api/v1/topics/{topic_id}/read-state"): False,
    ("post", "/api/v1/communities/{slug}/mark-read"): False,
    ("get", "/api/v1/me/unread"): False,
    ("get", "/api/v1/me/feed"): False,
    ("get", "/api/v1/topics/{topic_id}/notification-level"): False,
    ("put", "/api/v1/topics/{topic_id}/notification-level"): False,
    ("get", "/api/v1/communities/{slug}/notification-level"): False,
    ("put", "/api/v1/communities/{slug}/notification-level"): False,
}


def test_every_discussions_operation_declares_its_answers_and_security(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for (method, path), anonymous in OPERATIONS.items():
        operation = paths[path][method]
        where = f"{method.upper()} {path}"
        assert operation.get("description"), where
        statuses = {int(status) for status in operation["responses"]}
        assert {401, 429} <= statuses, where
        if method != "get":
            assert 403 in statuses, where
        if "{" in path or operation.get("requestBody"):
            assert {404, 422} & statuses, where
        for status in statuses:
            if status == 204:
                assert "content" not in operation["responses"]["204"], where
            elif status >= 400:
                assert list(operation["responses"][str(status)]["content"]) == [
                    "application/problem+json"
                ], where
        assert ({} in operation["security"]) is anonymous, where
        body = operation.get("requestBody")
        if body:
            ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            model = client.get("/api/v1/openapi.json").json()["components"]["schemas"][ref]
            assert model.get("additionalProperties") is False, where


def test_idempotency_key_header_is_documented(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/communities/{slug}/topics", "/api/v1/topics/{topic_id}/posts"):
        headers = [p for p in paths[path]["post"]["parameters"] if p["in"] == "header"]
        assert [(h["name"], h["schema"]["maxLength"]) for h in headers] == [("Idempotency-Key", 80)]


@pytest.mark.parametrize(
    ("literal", "choices"),
    [
        (schemas.TopicKindName, TopicKind.values),
        (schemas.ReactionName, ReactionKind.values),
        (schemas.NotificationLevelName, NotificationLevel.values),
        (schemas.FeedFilterName, FeedFilter.CHOICES),
        (schemas.RoleName, Role.values),
    ],
)
def test_enums_match_the_domain(literal, choices):
    assert set(typing.get_args(literal)) == set(choices)


# --- Schemathesis over these operations, in a world with topics and posts ------------------

#: Ids, slugs and kinds that exist in the running test, for path parameters.
KNOWN: dict[str, list[typing.Any]] = {}
OPERATION_IDS = [
    operation.view_func.__name__
    for path_view in discussions.router.path_operations.values()
    for operation in path_view.operations
]


@pytest.fixture
def discussions_world(db: None) -> dict[str, typing.Any]:
    """Topics of every kind, replies, a deleted post, reactions, in public and private
    communities; the caller is a member of both and hosts the private one."""
    owner = testing.make_user("olivia_owner")
    caller = testing.make_user("mia_member")
    other = testing.make_user("otto_other")
    espresso = testing.make_community(owner, name="Espresso", slug="espresso")
    espresso.interests.set(interests_for(["grinders", "beans"]))  # type: ignore[arg-type]
    film = testing.make_community(
        owner, slug="film-lab", visibility=Visibility.PRIVATE, join_policy=JoinPolicy.REQUEST
    )
    outside = testing.make_community(owner, slug="outside", visibility=Visibility.HIDDEN)
    testing.add_member(espresso, caller)
    testing.add_member(espresso, other)
    testing.add_member(film, caller, Role.MODERATOR)
    topics = [
        testing.make_topic(espresso, caller, title="Grinders", tags=["grinders"]),
        testing.make_topic(espresso, other, title="Sour shots", kind=TopicKind.QUESTION),
        testing.make_topic(film, owner, title="Stocks", kind=TopicKind.ANNOUNCEMENT),
        testing.make_topic(outside, owner, title="Secret"),
    ]
    posts = [topic.posts.get() for topic in topics]
    posts.append(testing.make_reply(topics[0], other, body="Hand grinders"))
    posts.append(testing.make_reply(topics[1], caller, body="Finer"))
    posts.append(testing.make_reply(topics[2], caller, body="Portra"))
    Post.objects.filter(pk=posts[-1].pk).update(deleted_at=timezone.now())
    KNOWN.clear()
    KNOWN.update(
        slug=[c.slug for c in (espresso, film, outside)],
        topic_id=[t.pk for t in topics],
        post_id=[p.pk for p in posts],
        kind=list(ReactionKind.values),
    )
    return {"token": make_token(caller, AccessToken.Scope.WRITE)}


@pytest.fixture
def requests_keep_the_test_transaction() -> Iterator[None]:
    """Requests through the WSGI handler would close the test's connection when they end."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def flatmap_path_parameters(
    context: typing.Any, path_parameters: dict[str, typing.Any]
) -> typing.Any:
    return st.fixed_dictionaries(
        {
            name: st.sampled_from([value, *KNOWN[name]]) if KNOWN.get(name) else st.just(value)
            for name, value in (path_parameters or {}).items()
        }
    )


fuzzed = schemathesis.openapi.from_dict(api.get_openapi_schema()).include(
    operation_id=OPERATION_IDS
)
fuzzed.app = application
fuzzed.config.generation.update(max_examples=20, deterministic=True, with_security_parameters=False)
fuzzed.hook(flatmap_path_parameters)


@fuzzed.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_to_the_discussions_api_causes_a_server_error(
    case: typing.Any,
    discussions_world: dict[str, typing.Any],
    requests_keep_the_test_transaction: None,
) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {discussions_world['token']}"},
        checks=[not_a_server_error],
    )


def test_the_fuzzed_operations_are_all_of_this_router():
    assert len(OPERATION_IDS) == len(OPERATIONS)
    assert len(list(fuzzed.get_all_operations())) == len(OPERATIONS)
