"""Notification pages: the list, opening one, the badge, marking read, preferences."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cerchia.core import testing
from cerchia.notifications import actions
from cerchia.notifications.models import Notification, NotificationPreference
from cerchia.notifications.queries import count_unread
from cerchia.notifications.registry import post_path


@pytest.fixture
def topic(public_community, member):
    return testing.make_topic(public_community, member, title="Grinder advice")


@pytest.fixture
def notified(topic, member, moderator) -> Notification:
    reply = testing.make_reply(topic, moderator, body="@mia_member burr, always")
    [notification] = actions.notify_new_post(reply.pk)
    return notification


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_shows_unread_notifications_linking_to_open(notified, member):
    response = client_for(member).get("/notifications/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "mentioned you in “Grinder advice”" in html
    assert "topic-row--unread" in html
    assert f'href="/notifications/{notified.pk}/"' in html


def test_the_list_filters_unread_and_is_empty_for_others(notified, member, stranger):
    actions.mark_read(member, notified)
    html = client_for(member).get("/notifications/?unread=1").content.decode()
    assert "Nothing unread" in html
    html = client_for(stranger).get("/notifications/").content.decode()
    assert "No notifications yet" in html
    assert "Grinder advice" not in html


def test_the_list_needs_signing_in():
    response = Client().get("/notifications/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_opening_marks_read_and_goes_to_the_post(notified, member, topic):
    response = client_for(member).get(f"/notifications/{notified.pk}/")
    assert response.status_code == 302
    assert response["Location"] == post_path("espresso", topic.pk, 2)
    notified.refresh_from_db()
    assert notified.read_at is not None


def test_someone_elses_notification_is_not_found(notified, moderator):
    assert client_for(moderator).get(f"/notifications/{notified.pk}/").status_code == 404
    notified.refresh_from_db()
    assert notified.read_at is None


def test_mark_all_read(notified, member):
    client = client_for(member)
    response = client.post("/notifications/read/")
    assert response.status_code == 302
    assert count_unread(member) == 0
    assert client.get("/notifications/read/").status_code == 405


def test_the_badge_partial_and_the_header_bell(notified, member):
    client = client_for(member)
    badge = client.get("/notifications/badge/").content.decode()
    assert '<span class="count">1</span>' in badge
    assert "<html" not in badge
    page = client.get("/notifications/").content.decode()
    assert 'id="notification-badge"' in page
    assert 'data-badge-url="/notifications/badge/"' in page
    client.post("/notifications/read/")
    assert 'class="count"' not in client.get("/notifications/badge/").content.decode()


def _list_queries(count: int) -> int:
    owner = testing.make_user()
    community = testing.make_community(owner)
    reader = testing.make_user()
    testing.add_member(community, reader)
    topic = testing.make_topic(community, reader, title="Many replies")
    for _ in range(count):
        author = testing.make_user()
        testing.add_member(community, author)
        actions.notify_new_post(testing.make_reply(topic, author, body="Hi").pk)
        # One notification per post: each reply is another one for the topic's author.
    assert Notification.objects.filter(recipient=reader).count() == count
    client = client_for(reader)
    client.get("/notifications/")  # warm the session and the badge cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/notifications/")
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_for_3_or_30_notifications():
    assert _list_queries(3) == _list_queries(30)


def test_preferences_show_the_defaults_and_save(member):
    client = client_for(member)
    page = client.get("/settings/notifications/").content.decode()
    assert (
        'name="email_mentioned" id="id_email_mentioned" checked' in page
        or 'name="email_mentioned" checked' in page
    )
    assert 'name="email_quoted"' in page
    response = client.post(
        "/settings/notifications/",
        {
            "email_mentioned": "on",
            "digest": "weekly",
            "quiet_start": "22:00",
            "quiet_end": "07:00",
        },
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=member)
    assert preference.email_kinds == {
        "mentioned": True,
        "replied": False,
        "quoted": False,
        "accepted_answer": False,
    }
    assert preference.digest == "weekly"
    assert str(preference.quiet_start) == "22:00:00"


def test_quiet_hours_need_both_ends(member):
    response = client_for(member).post(
        "/settings/notifications/", {"digest": "off", "quiet_start": "22:00"}
    )
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_the_settings_navigation_links_to_notification_preferences(member):
    html = client_for(member).get("/settings/").content.decode()
    assert 'href="/settings/notifications/"' in html
