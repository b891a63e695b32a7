"""The notifications API: list with an unread filter and a cursor, count, mark read, choices."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from cerchia.core import testing
from cerchia.notifications import actions
from cerchia.notifications.models import NotificationPreference
from cerchia.notifications.registry import post_path


@pytest.fixture
def topic(public_community, member):
    return testing.make_topic(public_community, member, title="Grinder advice")


@pytest.fixture
def three(topic, moderator, owner, public_community):
    """Three notifications for the topic's author, oldest first."""
    replies = [
        testing.make_reply(topic, person, body="Hello") for person in (moderator, owner, moderator)
    ]
    return [actions.notify_new_post(reply.pk)[0] for reply in replies]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_pages_with_a_cursor_newest_first(three, member, topic, moderator):
    client = client_for(member)
    first = client.get("/api/v1/me/notifications").json()
    ids = [item["id"] for item in first["items"]]
    assert ids == [three[2].pk, three[1].pk, three[0].pk]
    item = first["items"][0]
    assert item["kind"] == "replied"
    assert item["unread"] is True
    assert item["actor"] == {"handle": moderator.handle, "name": moderator.name}
    assert item["url"] == settings.SITE_URL + post_path("espresso", topic.pk, 4)
    assert item["community_slug"] == "espresso"


def test_list_cursor_and_unread_filter(member, topic, moderator, public_community):
    posts = [testing.make_reply(topic, moderator, body=f"Reply {i}") for i in range(32)]
    notifications = [actions.notify_new_post(post.pk)[0] for post in posts]
    client = client_for(member)
    first = client.get("/api/v1/me/notifications").json()
    assert len(first["items"]) == 30
    assert first["next_cursor"]
    second = client.get(f"/api/v1/me/notifications?cursor={first['next_cursor']}").json()
    assert [i["id"] for i in second["items"]] == [notifications[1].pk, notifications[0].pk]
    assert second["next_cursor"] is None
    actions.mark_all_read(member)
    actions.notify_new_post(testing.make_reply(topic, moderator, body="Latest").pk)
    unread = client.get("/api/v1/me/notifications?unread=true").json()
    assert len(unread["items"]) == 1
    assert client.get("/api/v1/me/notifications?cursor=garbage").status_code == 400


def test_unread_count_and_marking_read(three, member, moderator):
    client = client_for(member)
    assert client.get("/api/v1/me/notifications/unread-count").json() == {"unread": 3}
    response = client.post(f"/api/v1/me/notifications/{three[0].pk}/read")
    assert response.status_code == 204
    assert client.post(f"/api/v1/me/notifications/{three[0].pk}/read").status_code == 204
    assert client.get("/api/v1/me/notifications/unread-count").json() == {"unread": 2}
    assert (
        client_for(moderator).post(f"/api/v1/me/notifications/{three[1].pk}/read").status_code
        == 404
    )
    assert client.post("/api/v1/me/notifications/read").json() == {"marked": 2}
    assert client.get("/api/v1/me/notifications/unread-count").json() == {"unread": 0}


def test_signed_out_is_401():
    assert Client().get("/api/v1/me/notifications").status_code == 401
    assert Client().get("/api/v1/me/notification-preferences").status_code == 401


def test_preferences_read_and_patch(member):
    client = client_for(member)
    assert client.get("/api/v1/me/notification-preferences").json() == {
        "email": {"mentioned": True, "replied": True, "quoted": False, "accepted_answer": False},
        "digest": "off",
        "quiet_start": None,
        "quiet_end": None,
        "language": "en",
        "timezone": "UTC",
    }
    response = client.patch(
        "/api/v1/me/notification-preferences",
        {
            "email": {"replied": False},
            "digest": "daily",
            "quiet_start": "22:00",
            "quiet_end": "07:30",
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["email"]["replied"] is False
    assert body["email"]["mentioned"] is True
    assert body["digest"] == "daily"
    assert body["quiet_end"] == "07:30:00"
    # Clearing quiet hours: both null.
    cleared = client.patch(
        "/api/v1/me/notification-preferences",
        {"quiet_start": None, "quiet_end": None},
        content_type="application/json",
    ).json()
    assert cleared["quiet_start"] is None
    assert cleared["digest"] == "daily"


@pytest.mark.parametrize(
    "payload",
    [
        {"email": {"reaction": True}},
        {"digest": "hourly"},
        {"quiet_start": "22:00"},
        {"quiet_start": "22:00+01:00", "quiet_end": "07:00+01:00"},
        {"quiet_start": "25:00", "quiet_end": "07:00"},
    ],
)
def test_bad_preferences_are_refused(member, payload):
    response = client_for(member).patch(
        "/api/v1/me/notification-preferences", payload, content_type="application/json"
    )
    assert response.status_code == 422
    assert not NotificationPreference.objects.filter(digest="hourly").exists()


def test_limit_and_ids_out_of_range(three, member):
    client = client_for(member)
    page = client.get("/api/v1/me/notifications?limit=2").json()
    assert len(page["items"]) == 2
    assert page["next_cursor"]
    assert client.get("/api/v1/me/notifications?limit=0").status_code == 422
    assert client.post(f"/api/v1/me/notifications/{2**63}/read").status_code == 422
    assert client.get(f"/notifications/{2**64}/").status_code == 404
