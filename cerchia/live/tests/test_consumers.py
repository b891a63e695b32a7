"""The websocket: who may subscribe to what, and which events reach whom.

Each test drives the consumer from synchronous code (``run``): the consumer's database
work then runs in the test's thread and transaction, like the rest of the suite. The
channel layer is the configured one: in-memory, or Redis when ``REDIS_URL`` is set.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from cerchia.accounts.actions import suspend_account
from cerchia.accounts.models import User
from cerchia.communities.actions import leave_community
from cerchia.communities.models import Community
from cerchia.core import testing
from cerchia.discussions.models import Topic
from cerchia.live import consumers
from cerchia.live.publish import community_group, publish, topic_group, user_group
from cerchia.live.routing import websocket_urlpatterns
from cerchia.live.tests.communicator import WebsocketCommunicator

#: Seconds to wait for something that must arrive; nothing is timed against it.
ARRIVES = 5
#: Seconds during which something that must not arrive would have arrived.
SILENCE = 0.3


@pytest.fixture(autouse=True)
def _connections_stay_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """The consumer's database calls share the test's transaction: keep its connection."""
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run an async scenario to the end; its ``commit`` runs sync code as committed."""

    def commit(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Awaitable[Any]:
        def committed() -> Any:
            with django_capture_on_commit_callbacks(execute=True):
                return function(*args, **kwargs)

        return database_sync_to_async(committed)()

    def runner(scenario: Callable[..., Awaitable[Any]]) -> Any:
        return async_to_sync(scenario)(commit)

    return runner


def socket(user: User | None) -> WebsocketCommunicator:
    """A connection to /ws/ as ``user`` (the session middleware's work is assumed done)."""
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/")
    communicator.scope["user"] = user or AnonymousUser()
    return communicator


async def subscribe(communicator: WebsocketCommunicator, **what: int) -> dict[str, Any]:
    await communicator.send_json_to({"subscribe": what})
    answer: dict[str, Any] = await communicator.receive_json_from(ARRIVES)
    return answer


@pytest.fixture
def private_topic(private_community: Community, owner: User) -> Topic:
    return testing.make_topic(private_community, owner, title="Developing at home")


@pytest.fixture
def public_topic(public_community: Community, owner: User) -> Topic:
    return testing.make_topic(public_community, owner, title="Grinders")


def reply(topic: Topic, author: User, body: str = "A reply") -> None:
    testing.make_reply(topic, author, body=body)


# --- Subscribing ------------------------------------------------------------------------------


def test_a_member_receives_new_replies_in_a_private_topic(
    run: Any, private_topic: Topic, member: User, owner: User
) -> None:
    async def scenario(commit: Any) -> None:
        ws = socket(member)
        connected, _ = await ws.connect()
        assert connected
        assert await subscribe(ws, topic=private_topic.pk) == {
            "subscribed": {"topic": private_topic.pk}
        }
        await commit(reply, private_topic, owner, "Rodinal, 1+50.")
        event = await ws.receive_json_from(ARRIVES)
        assert event["type"] == "post.created"
        assert event["topic_id"] == private_topic.pk
        assert event["number"] == 2
        assert "Rodinal" not in str(event)
        await ws.disconnect()

    run(scenario)


@pytest.mark.parametrize("who", ["stranger", "anonymous"])
def test_outsiders_are_refused_a_private_topic_as_if_it_did_not_exist(
    run: Any, private_topic: Topic, stranger: User, owner: User, who: str
) -> None:
    async def scenario(commit: Any) -> None:
        ws = socket(stranger if who == "stranger" else None)
        await ws.connect()
        assert await subscribe(ws, topic=private_topic.pk) == {
            "refused": {"topic": private_topic.pk}
        }
        assert await subscribe(ws, topic=private_topic.pk + 1000) == {
            "refused": {"topic": private_topic.pk + 1000}
        }
        await commit(reply, private_topic, owner)
        assert await ws.receive_nothing(SILENCE)
        await ws.disconnect()

    run(scenario)


def test_a_hidden_community_is_refused_to_a_stranger(
    run: Any, hidden_community: Community, stranger: User, member: User
) -> None:
    async def scenario(commit: Any) -> None:
        outsider, insider = socket(stranger), socket(member)
        await outsider.connect()
        await insider.connect()
        assert await subscribe(outsider, community=hidden_community.pk) == {
            "refused": {"community": hidden_community.pk}
        }
        assert await subscribe(insider, community=hidden_community.pk) == {
            "subscribed": {"community": hidden_community.pk}
        }
        await outsider.disconnect()
        await insider.disconnect()

    run(scenario)


def test_anyone_may_follow_a_public_topic(run: Any, public_topic: Topic, member: User) -> None:
    async def scenario(commit: Any) -> None:
        ws = socket(None)
        await ws.connect()
        assert await subscribe(ws, topic=public_topic.pk) == {
            "subscribed": {"topic": public_topic.pk}
        }
        await commit(reply, public_topic, member)
        assert (await ws.receive_json_from(ARRIVES))["type"] == "post.created"
        await ws.disconnect()

    run(scenario)


def test_a_community_subscription_hears_topic_activity(
    run: Any, private_community: Community, private_topic: Topic, member: User, owner: User
) -> None:
    async def scenario(commit: Any) -> None:
        ws = socket(member)
        await ws.connect()
        await subscribe(ws, community=private_community.pk)
        await commit(reply, private_topic, owner)
        event = await ws.receive_json_from(ARRIVES)
        assert event == {
            "type": "topic.activity",
            "community_id": private_community.pk,
            "topic_id": private_topic.pk,
            "last_post_number": 2,
        }
        await ws.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    "message",
    [
        {"subscribe": {"topic": "1"}},
        {"subscribe": {"topic": True}},
        {"subscribe": {"topic": -4}},
        {"subscribe": {"user": 1}},
        {"subscribe": {"topic": 1, "community": 1}},
        {"hello": "there"},
        ["subscribe"],
    ],
)
def test_malformed_messages_are_answered_with_an_error(
    run: Any, member: User, message: Any
) -> None:
    async def scenario(commit: Any) -> None:
        ws = socket(member)
        await ws.connect()
        await ws.send_json_to(message)
        assert await ws.receive_json_from(ARRIVES) == {"error": "unknown message"}
        await ws.disconnect()

    run(scenario)


def test_one_connection_holds_a_bounded_number_of_subscriptions(
    run: Any, public_community: Community, owner: User, member: User, monkeypatch: Any
) -> None:
    monkeypatch.setattr(consumers, "MAX_SUBSCRIPTIONS", 2)
    topics = [testing.make_topic(public_community, owner) for _ in range(3)]

    async def scenario(commit: Any) -> None:
        ws = socket(member)
        await ws.connect()
        assert "subscribed" in await subscribe(ws, topic=topics[0].pk)
        assert "subscribed" in await subscribe(ws, topic=topics[1].pk)
        assert "subscribed" in await subscribe(ws, topic=topics[1].pk)  # already held
        assert await subscribe(ws, topic=topics[2].pk) == {"refused": {"topic": topics[2].pk}}
        await ws.disconnect()

    run(scenario)


def test_a_connection_that_sends_too_much_is_closed(
    run: Any, member: User, monkeypatch: Any
) -> None:
    monkeypatch.setattr(consumers, "MAX_MESSAGES", 3)

    async def scenario(commit: Any) -> None:
        ws = socket(member)
        await ws.connect()
        for missing in (10**6, 10**6 + 1, 10**6 + 2):
            assert "refused" in await subscribe(ws, topic=missing)
        await ws.send_json_to({"subscribe": {"topic": 10**6 + 3}})
        closed = await ws.receive_output(ARRIVES)
        assert closed == {"type": "websocket.close", "code": consumers.TOO_MANY_MESSAGES}

    run(scenario)


# --- Losing access ----------------------------------------------------------------------------


def test_a_member_who_leaves_stops_receiving_at_once(
    run: Any, private_community: Community, private_topic: Topic, member: User, owner: User
) -> None:
    async def scenario(commit: Any) -> None:
        ws = socket(member)
        await ws.connect()
        await subscribe(ws, topic=private_topic.pk)
        await subscribe(ws, community=private_community.pk)
        await commit(leave_community, member, private_community)
        await commit(reply, private_topic, owner, "After she left.")
        assert await ws.receive_nothing(SILENCE)
        await ws.disconnect()

    run(scenario)


def test_a_suspended_member_stops_receiving(
    run: Any, private_topic: Topic, member: User, owner: User, site_admin: User
) -> None:
    async def scenario(commit: Any) -> None:
        ws = socket(member)
        await ws.connect()
        await subscribe(ws, topic=private_topic.pk)
        await commit(suspend_account, site_admin, member, "Spam.")
        await commit(reply, private_topic, owner)
        assert await ws.receive_nothing(SILENCE)
        await ws.disconnect()

    run(scenario)


def test_a_member_who_stays_keeps_receiving_after_another_leaves(
    run: Any, private_community: Community, private_topic: Topic, member: User, owner: User
) -> None:
    """The re-check is the reader's own: someone else leaving changes nothing for them."""
    other = testing.make_user("otto_other")
    testing.add_member(private_community, other)

    async def scenario(commit: Any) -> None:
        ws = socket(member)
        await ws.connect()
        await subscribe(ws, topic=private_topic.pk)
        await commit(leave_community, other, private_community)
        await commit(reply, private_topic, owner)
        assert (await ws.receive_json_from(ARRIVES))["type"] == "post.created"
        await ws.disconnect()

    run(scenario)


def test_a_topic_moved_into_a_private_community_is_checked_there(
    run: Any, public_topic: Topic, member: User, owner: User
) -> None:
    """Public subscriptions skip the re-check only for the community they were made in."""
    elsewhere = testing.make_community(owner, visibility="private")

    async def scenario(commit: Any) -> None:
        ws = socket(member)
        await ws.connect()
        await subscribe(ws, topic=public_topic.pk)
        event = {
            "type": "post.created",
            "community_id": elsewhere.pk,
            "topic_id": public_topic.pk,
            "post_id": 1,
            "number": 9,
        }
        await commit(publish, topic_group(public_topic.pk), event)
        assert await ws.receive_nothing(SILENCE)
        await ws.disconnect()

    run(scenario)


def test_the_recheck_costs_two_queries(
    private_community: Community, member: User, stranger: User, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(2):
        assert consumers.still_readable(member.pk, private_community.pk)
    with django_assert_num_queries(2):
        assert not consumers.still_readable(stranger.pk, private_community.pk)
    with django_assert_num_queries(1):
        assert not consumers.still_readable(None, private_community.pk)


# --- A person's own events --------------------------------------------------------------------


def test_a_signed_in_user_hears_their_own_events_only(
    run: Any, member: User, stranger: User
) -> None:
    async def scenario(commit: Any) -> None:
        mine, theirs, nobody = socket(member), socket(stranger), socket(None)
        for ws in (mine, theirs, nobody):
            await ws.connect()
        await commit(publish, user_group(member.pk), {"type": "notification.created", "unread": 3})
        assert await mine.receive_json_from(ARRIVES) == {
            "type": "notification.created",
            "unread": 3,
        }
        assert await theirs.receive_nothing(SILENCE)
        assert await nobody.receive_nothing(SILENCE)
        for ws in (mine, theirs, nobody):
            await ws.disconnect()

    run(scenario)


def test_events_of_groups_never_joined_are_dropped(member: User) -> None:
    """A message reaching the consumer for a group it did not join is not forwarded."""
    consumer = consumers.LiveConsumer()
    consumer.user_id = member.pk
    consumer.joined = {}
    consumer.public_communities = set()
    sent: list[Any] = []

    async def capture(content: Any, close: bool = False) -> None:
        sent.append(content)

    consumer.send_json = capture
    async_to_sync(consumer.live_event)(
        {"type": "live.event", "group": community_group(1), "event": {"community_id": 1}}
    )
    assert sent == []


# --- Through the whole ASGI application ------------------------------------------------------


@pytest.fixture
def application() -> Any:
    from cerchia.config.asgi import application

    return application


def session_cookie(client: Any, user: User) -> bytes:
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


def test_the_session_signs_the_socket_in(
    run: Any, application: Any, client: Any, member: User
) -> None:
    cookie = session_cookie(client, member)

    async def scenario(commit: Any) -> None:
        ws = WebsocketCommunicator(
            application,
            "/ws/",
            headers=[(b"origin", b"http://127.0.0.1:8000"), (b"cookie", cookie)],
        )
        connected, _ = await ws.connect()
        assert connected
        await commit(publish, user_group(member.pk), {"type": "notification.created", "unread": 1})
        assert (await ws.receive_json_from(ARRIVES))["unread"] == 1
        await ws.disconnect()

    run(scenario)


@pytest.mark.parametrize("origin", [b"https://evil.example", None])
def test_pages_of_other_sites_may_not_connect(
    run: Any, application: Any, client: Any, member: User, origin: bytes | None
) -> None:
    cookie = session_cookie(client, member)
    headers = [(b"cookie", cookie)] + ([(b"origin", origin)] if origin else [])

    async def scenario(commit: Any) -> None:
        ws = WebsocketCommunicator(application, "/ws/", headers=headers)
        connected, _ = await ws.connect()
        assert not connected

    run(scenario)


# --- Redis: across processes -----------------------------------------------------------------


@pytest.mark.skipif(
    "redis" not in str(settings.CHANNEL_LAYERS["default"]["BACKEND"]).lower(),
    reason="needs REDIS_URL: the Redis channel layer",
)
def test_an_event_published_elsewhere_reaches_the_socket_through_redis(
    run: Any, public_topic: Topic, member: User, monkeypatch: Any
) -> None:
    """Another process has its own layer, connections and event loop: only Redis links them."""
    import threading

    from channels.layers import channel_layers

    from cerchia.live import publish as live_publish

    async def scenario(commit: Any) -> None:
        ws = socket(member)
        await ws.connect()
        await subscribe(ws, topic=public_topic.pk)
        other_process_layer = channel_layers.make_backend("default")
        assert other_process_layer is not live_publish.get_channel_layer()
        event = {
            "type": "post.created",
            "community_id": public_topic.community_id,
            "topic_id": public_topic.pk,
            "post_id": 7,
            "number": 2,
        }

        def elsewhere() -> None:
            monkeypatch.setattr(live_publish, "get_channel_layer", lambda: other_process_layer)
            publish(topic_group(public_topic.pk), event)

        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
        assert await ws.receive_json_from(ARRIVES) == event
        await ws.disconnect()

    run(scenario)
