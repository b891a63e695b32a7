"""A restricted topic (an announcement to a segment) is read by its audience, its author, the
hosts and site admins only: 404 for everyone else, and absent from every list they see."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cerchia.accounts.models import User
from cerchia.communities.models import Community
from cerchia.core import testing
from cerchia.discussions import actions as discussions
from cerchia.discussions import queries
from cerchia.discussions.models import NotificationLevel, Post, Topic
from cerchia.discussions.permissions import visible_posts, visible_topics
from cerchia.discussions.tests.capture import record_sent
from cerchia.insights import actions_announcements as actions
from cerchia.insights.models import Segment, SegmentMember
from cerchia.live.consumers import authorize
from cerchia.live.publish import community_group
from cerchia.notifications import queries as notification_queries
from cerchia.search.queries import search_posts

pytestmark = pytest.mark.django_db

WORD = "quetzalcoatl"


@pytest.fixture
def scene(public_community, owner, member, django_capture_on_commit_callbacks, monkeypatch):
    """An announcement to a segment of one (the recipient); ``member`` is not in it and
    watches the whole community."""
    recipient = testing.make_user("rory_recipient")
    testing.add_member(public_community, recipient)
    discussions.set_community_notification_level(
        member, public_community, NotificationLevel.WATCHING
    )
    segment = Segment.objects.create(
        community=public_community, name="Just Rory", kind=Segment.Kind.STATIC
    )
    SegmentMember.objects.create(segment=segment, user=recipient)
    sent = record_sent(monkeypatch, tasks=False)
    with django_capture_on_commit_callbacks(execute=True):
        announcement = actions.create_announcement(
            owner, public_community, title=f"Only for Rory {WORD}", body=f"Hi {WORD}",
            segment=segment,
        )  # fmt: skip
        topic = Topic.objects.get(pk=announcement.topic_id or 0)
        reply = discussions.create_reply(recipient, topic, body=f"Thanks {WORD}")
        discussions.add_bookmark(recipient, reply)
    return {
        "topic": topic,
        "recipient": recipient,
        "reply": reply,
        "sent": sent,
        "community": public_community,
    }


def test_the_audience_author_hosts_and_admins_read_it(scene, owner, moderator, site_admin):
    topic = scene["topic"]
    slug = scene["community"].slug
    for reader in (scene["recipient"], owner, moderator, site_admin):
        client = Client()
        client.force_login(reader)
        assert client.get(f"/c/{slug}/t/{topic.pk}/").status_code == 200, reader


def test_everyone_else_gets_404(scene, member, stranger):
    topic, reply = scene["topic"], scene["reply"]
    slug = scene["community"].slug
    for reader in (member, stranger, None):
        client = Client()
        if reader is not None:
            client.force_login(reader)
        assert client.get(f"/c/{slug}/t/{topic.pk}/").status_code == 404
        assert client.get(f"/c/{slug}/t/{topic.pk}/p/2/").status_code in (404, 302)
        assert client.get(f"/api/v1/topics/{topic.pk}").status_code in (401, 404)
        assert client.get(f"/api/v1/posts/{reply.pk}").status_code in (401, 404)
        assert client.get(f"/api/v1/topics/{topic.pk}/posts").status_code in (401, 404)
    assert authorize(member, "topic", topic.pk) is None
    assert authorize(scene["recipient"], "topic", topic.pk) is not None


def test_left_out_of_every_list_for_non_recipients(scene, member):
    topic = scene["topic"]
    community: Community = scene["community"]
    recipient: User = scene["recipient"]

    def listed(user: User) -> dict[str, bool]:
        rows, _cursor = queries.list_topics(user, community)
        feed, _cursor = queries.list_feed(user)
        unread = queries.list_feed(user, filter="unread")[0]
        results = search_posts(user, WORD)
        notifications = notification_queries.list_notifications(user).items
        digest = notification_queries.digest_content(
            user, timezone.now() - timedelta(days=1), timezone.now() + timedelta(minutes=1)
        )
        return {
            "topics": any(r.topic.pk == topic.pk for r in rows),
            "feed": any(r.topic.pk == topic.pk for r in feed),
            "unread": any(r.topic.pk == topic.pk for r in unread),
            "search": any(hit.post.topic_id == topic.pk for hit in results.hits),
            "notifications": any(n.notification.topic_id == topic.pk for n in notifications),
            "digest": any(t.pk == topic.pk for t in [*digest.new_topics, *digest.active_topics]),
            "visible_topics": visible_topics(user, Topic.objects.filter(pk=topic.pk)).exists(),
            "visible_posts": visible_posts(user, Post.objects.filter(topic=topic)).exists(),
        }

    assert not any(listed(member).values()), listed(member)
    seen = listed(recipient)
    assert seen["topics"]
    assert seen["feed"]
    assert seen["search"]
    assert seen["visible_topics"]
    assert seen["visible_posts"]
    assert queries.count_unread_by_community(member).get(community.pk, 0) == 0
    assert notification_queries.count_unread(member) == 0


def test_bookmarks_of_a_former_audience_drop_out(scene):
    """A bookmark follows the reading rule: out of the audience, out of the list."""
    recipient = scene["recipient"]
    assert [b.post_id for b in queries.list_bookmarks(recipient).items] == [scene["reply"].pk]
    topic = scene["topic"]
    topic.audience.filter(user=recipient).delete()
    assert queries.list_bookmarks(recipient).items == []


def test_no_live_event_about_it_reaches_the_community_channel(scene, member):
    topic = scene["topic"]
    group = community_group(scene["community"].pk)
    about_it = [e for g, e in scene["sent"].events if g == group and e["topic_id"] == topic.pk]
    assert about_it == []
    # Its own channel has them, for the audience who may subscribe.
    assert any(e.get("topic_id") == topic.pk for _g, e in scene["sent"].events)


def test_api_lists_leave_it_out(scene, member):
    from django.db import transaction

    from cerchia.accounts.actions import create_access_token
    from cerchia.accounts.models import AccessToken

    with transaction.atomic():
        _token, raw = create_access_token(member, member, name="t", scope=AccessToken.Scope.READ)
    headers = {"Authorization": f"Bearer {raw}"}
    client = Client()
    slug = scene["community"].slug
    for path in (
        f"/api/v1/communities/{slug}/topics",
        "/api/v1/me/feed",
        "/api/v1/me/feed?filter=unread",
        "/api/v1/me/unread",
        f"/api/v1/search?q={WORD}",
        "/api/v1/me/notifications",
        "/api/v1/me/bookmarks",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        assert WORD not in response.content.decode(), path


def test_a_whole_community_announcement_is_not_restricted(public_community, owner, member):
    announcement = actions.create_announcement(
        owner, public_community, title="For all", body="Hello everyone"
    )
    topic = Topic.objects.get(pk=announcement.topic_id or 0)
    assert not topic.restricted
    rows, _cursor = queries.list_topics(member, public_community)
    assert any(row.topic.pk == topic.pk for row in rows)
