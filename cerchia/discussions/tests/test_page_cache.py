"""The anonymous full-page cache of community and topic pages, and the cached fragments of the
topic rows, posts and reactions: what one visitor gets is never another's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.middleware.csrf import _unmask_cipher_token  # type: ignore[attr-defined]
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from cerchia.communities.models import Community, Visibility
from cerchia.core import testing
from cerchia.discussions import actions
from cerchia.discussions.models import Post, ReactionKind, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache() -> Iterator[None]:
    testing.clear_cache()
    with override_settings(CERCHIA_ANONYMOUS_PAGE_CACHE=30):
        yield
    testing.clear_cache()


@pytest.fixture
def world(django_capture_on_commit_callbacks: Callable[..., Any]) -> dict[str, Any]:
    owner = testing.make_user("owner")
    with django_capture_on_commit_callbacks(execute=True):
        community = testing.make_community(owner, slug="open-circle")
        topic = testing.make_topic(community, owner, title="Grinders", body="Flat burrs")
    return {"owner": owner, "community": community, "topic": topic}


def _topic_url(topic: Topic) -> str:
    return reverse("discussions:topic", kwargs={"slug": topic.community.slug, "topic_id": topic.pk})


def _queries(client: Client, url: str, **extra: Any) -> tuple[int, str]:
    from django.db import connection

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_anonymous_topic_page_is_served_from_the_cache(world: dict[str, Any]) -> None:
    url = _topic_url(world["topic"])
    first, page = _queries(Client(), url)
    again, cached = _queries(Client(), url)

    assert again < first
    assert again <= 2  # the community and the topic, checked on every request
    assert _cached_page_keys(world["community"].pk)
    assert "Flat burrs" in cached
    assert cached.count("Grinders") == page.count("Grinders")


def test_community_page_and_topic_list_are_cached_too(world: dict[str, Any]) -> None:
    community = world["community"]
    for url in (
        reverse("communities:detail", kwargs={"slug": community.slug}),
        reverse("discussions:topic_list", kwargs={"slug": community.slug}),
    ):
        first, _page = _queries(Client(), url)
        again, cached = _queries(Client(), url)
        assert again < first
        assert "Grinders" in cached


def test_a_reply_shows_to_the_next_anonymous_visitor_at_once(
    world: dict[str, Any], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    url = _topic_url(world["topic"])
    Client().get(url)
    with django_capture_on_commit_callbacks(execute=True):
        testing.make_reply(world["topic"], world["owner"], body="Conical burrs win")

    assert "Conical burrs win" in Client().get(url).content.decode()


def test_an_edit_and_a_reaction_show_at_once(
    world: dict[str, Any], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    topic, owner = world["topic"], world["owner"]
    url = _topic_url(topic)
    reader = testing.make_user("reader")
    testing.add_member(world["community"], reader)
    Client().get(url)
    post = Post.objects.get(topic=topic, number=1)
    with django_capture_on_commit_callbacks(execute=True):
        actions.edit_post(owner, post, body="Flat burrs, edited")
    assert "Flat burrs, edited" in Client().get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        actions.add_reaction(reader, post, ReactionKind.HEART)
    assert 'class="reaction__count">1<' in Client().get(url).content.decode()


def test_a_deleted_reply_disappears_at_once(
    world: dict[str, Any], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    topic, owner = world["topic"], world["owner"]
    with django_capture_on_commit_callbacks(execute=True):
        reply = testing.make_reply(topic, owner, body="Regrettable words")
    url = _topic_url(topic)
    assert "Regrettable words" in Client().get(url).content.decode()

    # The action writes with a queryset update(): its event replaces the version.
    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_post(owner, reply)

    assert "Regrettable words" not in Client().get(url).content.decode()


def test_reading_a_topic_keeps_the_cached_pages(
    world: dict[str, Any], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    url = _topic_url(world["topic"])
    Client().get(url)
    reader = Client()
    reader.force_login(world["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        reader.get(url)  # moves the owner's read mark

    count, _page = _queries(Client(), url)
    assert count <= 2


def test_a_community_turned_private_is_never_served_from_the_cache(
    world: dict[str, Any],
) -> None:
    url = _topic_url(world["topic"])
    community_url = reverse("communities:detail", kwargs={"slug": world["community"].slug})
    Client().get(url)
    Client().get(community_url)
    # Without any signal: visibility is checked on every request, not cached.
    Community.objects.filter(pk=world["community"].pk).update(visibility=Visibility.PRIVATE)

    assert Client().get(url).status_code == 404
    assert "Grinders" not in Client().get(community_url).content.decode()


def test_a_deleted_topic_is_never_served_from_the_cache(world: dict[str, Any]) -> None:
    from django.utils import timezone

    url = _topic_url(world["topic"])
    Client().get(url)
    Topic.objects.filter(pk=world["topic"].pk).update(deleted_at=timezone.now())

    assert Client().get(url).status_code == 404


def test_a_private_community_is_never_cached(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    owner = testing.make_user()
    with django_capture_on_commit_callbacks(execute=True):
        community = testing.make_community(owner, visibility=Visibility.PRIVATE)
        topic = testing.make_topic(community, owner, body="CANARY-secret-body")
    member = Client()
    member.force_login(owner)
    url = _topic_url(topic)
    assert "CANARY-secret-body" in member.get(url).content.decode()

    anonymous = Client().get(url)
    assert anonymous.status_code == 404
    assert "CANARY-secret-body" not in anonymous.content.decode()
    assert _cached_page_keys(community.pk) == []


def _cached_page_keys(community_id: int) -> list[str]:
    """The cached pages of a community, in the local-memory cache or in Redis."""
    from django.core.cache import cache

    pattern = f":page:{community_id}:"
    store = getattr(cache, "_cache", None)
    if isinstance(store, dict):
        return [key for key in store if pattern in key]
    import redis

    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    return [key.decode() for key in client.scan_iter(f"*{pattern}*")]


def test_signed_in_members_never_get_the_anonymous_page(world: dict[str, Any]) -> None:
    url = _topic_url(world["topic"])
    Client().get(url)
    Client().get(url)
    member = Client()
    member.force_login(world["owner"])

    page = member.get(url).content.decode()

    assert 'id="composer"' in page or "composer" in page
    assert "Sign in and join the community to reply." not in page


def test_each_visitor_gets_their_own_csrf_token(world: dict[str, Any]) -> None:
    url = _topic_url(world["topic"])
    secrets = []
    for _visitor in range(2):
        client = Client()
        response = client.get(url)
        secret = response.cookies[settings.CSRF_COOKIE_NAME].value
        page = response.content.decode()
        tokens = set(_tokens(page))
        assert tokens, "the page carries a CSRF token"
        assert {_unmask_cipher_token(token) for token in tokens} == {secret}
        assert "csrf-token-placeholder" not in page
        secrets.append(secret)
    assert secrets[0] != secrets[1]


def _tokens(page: str) -> list[str]:
    import re

    return re.findall(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', page)


def test_a_visitor_with_a_session_gets_a_fresh_page(world: dict[str, Any]) -> None:
    url = _topic_url(world["topic"])
    Client().get(url)
    first, _page = _queries(Client(), url)
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session"

    count, _page = _queries(client, url)

    assert count > first


def test_each_language_gets_its_own_page(world: dict[str, Any]) -> None:
    url = _topic_url(world["topic"])
    english = Client().get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    italian = Client().get(url, HTTP_ACCEPT_LANGUAGE="it").content.decode()
    english_again = Client().get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'lang="it"' in italian
    assert 'lang="en"' in english_again
    assert english_again.count("Sign in") == english.count("Sign in")


def test_off_when_set_to_zero(world: dict[str, Any]) -> None:
    url = _topic_url(world["topic"])
    with override_settings(CERCHIA_ANONYMOUS_PAGE_CACHE=0):
        first, _page = _queries(Client(), url)
        again, _page = _queries(Client(), url)
    assert again == first


# --- Cached fragments: per-viewer parts stay per viewer ---------------------------------------


def test_a_members_own_links_and_reactions_never_reach_another_member(
    world: dict[str, Any], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    topic, owner = world["topic"], world["owner"]
    reader = testing.make_user("reader")
    testing.add_member(world["community"], reader)
    post = Post.objects.get(topic=topic, number=1)
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_reaction(owner, post, ReactionKind.HEART)
    url = _topic_url(topic)
    edit_url = reverse(
        "discussions:edit_post", kwargs={"slug": topic.community.slug, "post_id": post.pk}
    )
    as_owner, as_reader = Client(), Client()
    as_owner.force_login(owner)
    as_reader.force_login(reader)

    owner_page = as_owner.get(url).content.decode()
    reader_page = as_reader.get(url).content.decode()

    assert edit_url in owner_page
    assert edit_url not in reader_page
    assert 'reaction reaction--mine" type="submit" aria-pressed="true"' in owner_page
    assert 'aria-pressed="true"' not in reader_page.split('id="reactions-')[1].split("</div>")[0]
    # Both share the post's cached header and body.
    assert "Flat burrs" in owner_page
    assert "Flat burrs" in reader_page
    owner_secret = as_owner.cookies[settings.CSRF_COOKIE_NAME].value
    reader_secret = as_reader.cookies[settings.CSRF_COOKIE_NAME].value
    assert {_unmask_cipher_token(t) for t in _tokens(owner_page)} == {owner_secret}
    assert {_unmask_cipher_token(t) for t in _tokens(reader_page)} == {reader_secret}


def test_topic_rows_show_each_member_their_own_unread_state(world: dict[str, Any]) -> None:
    community, topic = world["community"], world["topic"]
    reader = testing.make_user("reader")
    testing.add_member(community, reader)
    url = reverse("discussions:topic_list", kwargs={"slug": community.slug})
    as_owner, as_reader = Client(), Client()
    as_owner.force_login(world["owner"])
    as_reader.force_login(reader)
    as_reader.get(_topic_url(topic))  # reads it

    owner_rows = as_owner.get(url).content.decode()
    reader_rows = as_reader.get(url).content.decode()

    assert "Grinders" in owner_rows
    assert "Grinders" in reader_rows
    assert "topic-row--unread" not in reader_rows


def test_a_cache_outage_serves_pages_uncached_and_never_fails_a_write(
    world: dict[str, Any], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    from cerchia.core.tests.test_ratelimit import cache_down

    url = _topic_url(world["topic"])
    with cache_down():
        first, page = _queries(Client(), url)
        again, _page = _queries(Client(), url)
        with django_capture_on_commit_callbacks(execute=True):
            reply = actions.create_reply(world["owner"], world["topic"], body="Conical burrs")
        _count, fresh = _queries(Client(), url)

    assert again == first  # nothing came from the cache
    assert "Flat burrs" in page
    assert reply.pk is not None
    assert "Conical burrs" in fresh
