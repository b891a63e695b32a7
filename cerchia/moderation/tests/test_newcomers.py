"""No newcomer unanswered: the newcomers page for hosts and welcomers, and the periodic task
that raises a newcomer's topic still without a reply from someone else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cerchia.accounts.models import User
from cerchia.communities.models import Community, Membership
from cerchia.core import testing
from cerchia.moderation import tasks
from cerchia.moderation.actions.welcome import raise_unanswered_newcomer_topics
from cerchia.moderation.models import NewcomerAlert
from cerchia.moderation.notifications_welcome import NEWCOMER_UNANSWERED
from cerchia.moderation.queries_welcome import FIRST_POSTS
from cerchia.notifications.models import Notification
from cerchia.notifications.periodic import PERIODIC_TASKS
from cerchia.notifications.queries import notification_row

pytestmark = pytest.mark.django_db

LATER = timedelta(hours=25)


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def welcomer(public_community: Community) -> User:
    person = testing.make_user("wendy_welcomer")
    membership = testing.add_member(public_community, person)
    Membership.objects.filter(pk=membership.pk).update(
        is_welcomer=True, joined_at=timezone.now() - timedelta(days=200)
    )
    return person


@pytest.fixture
def newcomer(public_community: Community) -> User:
    person = testing.make_user("nina_new")
    testing.add_member(public_community, person)
    return person


@pytest.fixture
def old_timer(public_community: Community) -> User:
    person = testing.make_user("otto_old")
    membership = testing.add_member(public_community, person)
    Membership.objects.filter(pk=membership.pk).update(
        joined_at=timezone.now() - timedelta(days=200)
    )
    return person


def _raise(*, hours_later: timedelta = LATER) -> list[NewcomerAlert]:
    return raise_unanswered_newcomer_topics(now=timezone.now() + hours_later)


def _recipients() -> set[str]:
    return set(
        Notification.objects.filter(kind=NEWCOMER_UNANSWERED.name).values_list(
            "recipient__handle", flat=True
        )
    )


# --- The newcomers page -------------------------------------------------------------------


def test_welcomers_see_newcomers_first_posts(public_community, welcomer, newcomer, old_timer):
    testing.make_topic(public_community, newcomer, title="Hello from Nina")
    testing.make_topic(public_community, old_timer, title="An old timer's topic")

    response = _client(welcomer).get(f"/c/{public_community.slug}/newcomers/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Hello from Nina" in page
    assert "An old timer's topic" not in page
    assert "No reply yet" in page


def test_only_a_newcomers_first_posts_are_listed(public_community, owner, newcomer):
    topic = testing.make_topic(public_community, newcomer, title="Many posts")
    for number in range(FIRST_POSTS + 2):
        testing.make_reply(topic, newcomer, body=f"Reply number {number}")

    response = _client(owner).get(f"/c/{public_community.slug}/newcomers/")

    posts = response.context["newcomers"].posts
    assert len(posts) == FIRST_POSTS
    assert [item.post.number for item in posts] == [3, 2, 1]


def test_hosts_posts_are_not_newcomers_posts(public_community, owner, moderator):
    testing.make_topic(public_community, moderator, title="From a host")

    page = _client(owner).get(f"/c/{public_community.slug}/newcomers/").content.decode()

    assert "From a host" not in page


def test_ordinary_members_get_403_on_the_newcomers_page(public_community, member):
    assert _client(member).get(f"/c/{public_community.slug}/newcomers/").status_code == 403


def test_strangers_of_a_private_community_get_404_on_the_newcomers_page(
    private_community, stranger
):
    assert _client(stranger).get(f"/c/{private_community.slug}/newcomers/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(public_community):
    response = _client().get(f"/c/{public_community.slug}/newcomers/")

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_newcomers_page_query_count_does_not_grow_with_posts(
    public_community, owner, django_assert_max_num_queries
):
    client = _client(owner)
    url = f"/c/{public_community.slug}/newcomers/"
    first = testing.make_user("first_new")
    testing.add_member(public_community, first)
    testing.make_topic(public_community, first, title="One")
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for index in range(5):
        person = testing.make_user(f"new_{index}")
        testing.add_member(public_community, person)
        testing.make_topic(public_community, person, title=f"Topic {index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_newcomers_api_for_welcomers_and_not_members(public_community, welcomer, member, newcomer):
    testing.make_topic(public_community, newcomer, title="Hello API")
    url = f"/api/v1/communities/{public_community.slug}/newcomers"

    response = _client(welcomer).get(url)

    assert response.status_code == 200
    assert [item["topic"]["title"] for item in response.json()["first_posts"]] == ["Hello API"]
    assert _client(member).get(url).status_code == 403


# --- No newcomer unanswered ---------------------------------------------------------------


def test_an_unanswered_newcomer_topic_is_raised_once_to_hosts_and_welcomers(
    public_community, newcomer, welcomer, django_capture_on_commit_callbacks
):
    topic = testing.make_topic(public_community, newcomer, title="Anyone there?")

    with django_capture_on_commit_callbacks(execute=True):
        raised = _raise()
    with django_capture_on_commit_callbacks(execute=True):
        again = _raise()

    assert [alert.topic_id for alert in raised] == [topic.pk]
    assert again == []
    assert NewcomerAlert.objects.filter(topic=topic).count() == 1
    assert _recipients() == {"olivia_owner", "marco_mod", "wendy_welcomer"}
    assert Notification.objects.filter(kind=NEWCOMER_UNANSWERED.name).count() == 3
    assert "moderation.newcomer_unanswered" in testing.event_kinds(community=public_community)


def test_the_author_is_not_notified_about_their_own_topic(
    public_community, welcomer, django_capture_on_commit_callbacks
):
    Membership.objects.filter(community=public_community, user=welcomer).update(
        joined_at=timezone.now()
    )
    testing.make_topic(public_community, welcomer, title="A welcomer's own first topic")

    with django_capture_on_commit_callbacks(execute=True):
        _raise()

    assert "wendy_welcomer" not in _recipients()
    assert _recipients() == {"olivia_owner", "marco_mod"}


def test_a_reply_from_someone_else_means_nothing_is_raised(public_community, newcomer, member):
    topic = testing.make_topic(public_community, newcomer, title="Answered")
    testing.make_reply(topic, member, body="Welcome!")

    assert _raise() == []


def test_a_reply_only_from_the_author_still_raises(public_community, newcomer):
    topic = testing.make_topic(public_community, newcomer, title="Talking to myself")
    testing.make_reply(topic, newcomer, body="Bump")

    assert [alert.topic_id for alert in _raise()] == [topic.pk]


def test_nothing_is_raised_before_the_unanswered_hours(public_community, newcomer):
    testing.make_topic(public_community, newcomer, title="Just now")

    assert _raise(hours_later=timedelta(hours=23)) == []


def test_a_long_standing_members_topic_is_not_raised(public_community, old_timer):
    testing.make_topic(public_community, old_timer, title="Old timer asks")

    assert _raise() == []


def test_the_alert_resolves_when_someone_else_replies(public_community, newcomer, member):
    topic = testing.make_topic(public_community, newcomer, title="Late answer")
    _raise()
    testing.make_reply(topic, member, body="Sorry for the wait")

    _raise()

    assert NewcomerAlert.objects.get(topic=topic).resolved_at is not None


def test_open_alerts_show_on_the_newcomers_page(public_community, owner, newcomer):
    testing.make_topic(public_community, newcomer, title="Still waiting")
    _raise()

    page = _client(owner).get(f"/c/{public_community.slug}/newcomers/").content.decode()

    assert "Still without a reply" in page
    assert "Still waiting" in page


def test_the_notification_reads_naturally_and_links_to_the_topic(
    public_community, newcomer, django_capture_on_commit_callbacks
):
    topic = testing.make_topic(public_community, newcomer, title="Where to start")
    with django_capture_on_commit_callbacks(execute=True):
        _raise()

    row = notification_row(
        Notification.objects.get(kind=NEWCOMER_UNANSWERED.name, recipient__handle="olivia_owner")
    )

    assert row.text == "“Where to start” by Nina New, who is new here, has no reply yet"
    assert row.url == f"/c/{public_community.slug}/t/{topic.pk}/p/1/"


def test_the_task_runs_every_fifteen_minutes():
    periodic = {task.name: task for task in PERIODIC_TASKS}["raise_unanswered_newcomer_topics"]

    assert periodic.every == timedelta(minutes=15)
    assert periodic.task() is tasks.raise_unanswered_newcomer_topics


def test_welcomers_find_the_newcomers_page_from_the_community_header(
    public_community, welcomer, member
):
    link = f'href="/c/{public_community.slug}/newcomers/"'

    assert link in _client(welcomer).get(f"/c/{public_community.slug}/").content.decode()
    assert link not in _client(member).get(f"/c/{public_community.slug}/").content.decode()


def test_a_raised_topic_moved_elsewhere_leaves_the_old_communitys_list(
    public_community, private_community, owner, newcomer
):
    from cerchia.discussions.models import Post, Topic
    from cerchia.moderation.queries_welcome import count_open_alerts, list_open_alerts

    topic = testing.make_topic(public_community, newcomer, title="Moved away")
    _raise()
    Topic.objects.filter(pk=topic.pk).update(community=private_community)
    Post.objects.filter(topic=topic).update(community=private_community)

    assert list_open_alerts(owner, public_community) == []
    assert count_open_alerts(public_community) == 0


def test_the_review_queue_raises_unanswered_newcomers_to_the_hosts(
    public_community, owner, newcomer
):
    testing.make_topic(public_community, newcomer, title="Lost in the queue?")
    _raise()

    page = _client(owner).get(f"/c/{public_community.slug}/moderation/").content.decode()

    assert "Newcomers without a reply" in page
    assert "Lost in the queue?" in page
