"""GET /api/v1/search: the same search as the page, as JSON."""

from __future__ import annotations

import pytest
from django.db import transaction

from cerchia.accounts.models import User
from cerchia.api.tests.conftest import ApiClient, make_token
from cerchia.communities.models import Community, Membership
from cerchia.core import testing
from cerchia.discussions import actions
from cerchia.discussions.models import Topic

MARKER = "wombatmarker"


@pytest.fixture
def anon() -> ApiClient:
    return ApiClient()


def as_user(user: User) -> ApiClient:
    return ApiClient(make_token(user))


def test_results_shape(member: User, moderator: User, public_community: Community) -> None:
    topic = testing.make_topic(
        public_community, member, title="Cold <brew>", body="Steep for 12 hours", kind="question"
    )
    reply = testing.make_reply(topic, moderator, body="Cold brew & ice")
    with transaction.atomic():
        actions.accept_answer(member, Topic.objects.get(pk=topic.pk), reply)
    response = ApiClient().get("/search", q="cold")
    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    first, second = body["items"]
    assert first["post_id"] == topic.posts.get(number=1).pk
    assert first["number"] == 1
    assert first["topic"] == {
        "id": topic.pk,
        "title": "Cold <brew>",
        "kind": "question",
        "answered": True,
    }
    assert first["community"] == {"slug": "espresso", "name": "Espresso at home"}
    assert first["author"]["handle"] == member.handle
    assert first["author_role"] == "member"
    assert first["url"] == f"/c/espresso/t/{topic.pk}/"
    assert first["title_html"] == "<mark>Cold</mark> &lt;brew&gt;"
    assert second["post_id"] == reply.pk
    assert second["author_role"] == "moderator"
    assert second["url"] == f"/c/espresso/t/{topic.pk}/p/2/"
    assert second["snippet_html"] == "<mark>Cold</mark> brew &amp; ice"


def test_filters(member: User, owner: User, public_community: Community) -> None:
    testing.make_topic(public_community, member, title="Latte one")
    news = testing.make_topic(public_community, owner, title="Latte news", kind="announcement")
    client = ApiClient()
    items = client.get("/search", q="latte", kind="announcement", author=owner.handle).json()[
        "items"
    ]
    assert [item["topic"]["id"] for item in items] == [news.pk]
    assert client.get("/search", q="latte", answered="true").json()["items"] == []
    assert len(client.get("/search", q="latte", community="espresso").json()["items"]) == 2


def test_pages(member: User, public_community: Community) -> None:
    topic = testing.make_topic(public_community, member, title="Macchiato")
    for n in range(4):
        testing.make_reply(topic, member, body=f"macchiato {n}")
    client = ApiClient()
    first = client.get("/search", q="macchiato", limit=3).json()
    second = client.get("/search", q="macchiato", limit=3, cursor=first["next_cursor"]).json()
    assert len(first["items"]) == 3
    assert len(second["items"]) == 2
    assert second["next_cursor"] is None
    ids = {i["post_id"] for i in first["items"]} | {i["post_id"] for i in second["items"]}
    assert len(ids) == 5


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 422),
        ({"q": ""}, 422),
        ({"q": "x" * 201}, 422),
        ({"q": "x", "kind": "poll"}, 422),
        ({"q": "x", "answered": "maybe"}, 422),
        ({"q": "x", "limit": 0}, 422),
        ({"q": "x", "limit": 51}, 422),
        ({"q": "x", "cursor": "garbage"}, 400),
        ({"q": "x", "community": "nowhere"}, 404),
        ({"q": '"NEAR(*) OR ( -'}, 200),
        ({"q": "'; DROP TABLE discussions_post; --"}, 200),
    ],
)
def test_bad_input_is_a_clear_4xx(params: dict, status: int, db: None) -> None:
    response = ApiClient().get("/search", **params)
    assert response.status_code == status, response.content
    if status != 200:
        assert response["Content-Type"].startswith("application/problem+json")


def test_private_content_only_for_members(
    member: User, stranger: User, private_community: Community, hidden_community: Community
) -> None:
    for community in (private_community, hidden_community):
        topic = testing.make_topic(community, member, title=f"Secret {MARKER}", body=MARKER)
        testing.make_reply(topic, member, body=MARKER)
    assert len(as_user(member).get("/search", q=MARKER).json()["items"]) == 4
    for client in (ApiClient(), as_user(stranger)):
        response = client.get("/search", q=MARKER)
        assert response.status_code == 200
        assert response.json() == {"items": [], "next_cursor": None}
        assert client.get("/search", q=MARKER, community="film-lab").status_code == 404
    Membership.objects.filter(user=member).delete()
    response = as_user(member).get("/search", q=MARKER)
    assert MARKER not in response.content.decode().replace(f"q={MARKER}", "")
    assert response.json()["items"] == []


def test_query_count_is_the_same_for_3_and_30_matches(
    member: User, public_community: Community, django_assert_max_num_queries
) -> None:
    topic = testing.make_topic(public_community, member, title="Cappuccino", body="cappuccino")
    for n in range(2):
        testing.make_reply(topic, member, body=f"cappuccino {n}")
    client = as_user(member)
    client.get("/search", q="warm")  # the token's first use is recorded once
    with django_assert_max_num_queries(50) as first:
        assert len(client.get("/search", q="cappuccino", limit=50).json()["items"]) == 3
    for n in range(27):
        author = testing.make_user()
        testing.add_member(public_community, author)
        testing.make_reply(topic, author, body=f"cappuccino {n}")
    with django_assert_max_num_queries(len(first.captured_queries)) as second:
        assert len(client.get("/search", q="cappuccino", limit=50).json()["items"]) == 30
    assert len(second.captured_queries) == len(first.captured_queries)
