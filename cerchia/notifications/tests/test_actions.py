"""Fan-out: who is notified about a post, a reaction, an answer or a join decision."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cerchia.communities.models import JoinRequest, Membership
from cerchia.core import testing
from cerchia.discussions.actions import (
    accept_answer,
    add_reaction,
    set_community_notification_level,
    set_topic_notification_level,
)
from cerchia.discussions.models import Mention, NotificationLevel, Subscription
from cerchia.notifications import actions
from cerchia.notifications.models import EmailDelivery, Notification, NotificationPreference
from cerchia.notifications.queries import count_unread, list_notifications


def kinds_for(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


@pytest.fixture
def topic(public_community, member):
    return testing.make_topic(public_community, member, title="Grinder advice")


# --- New posts ------------------------------------------------------------------------


def test_a_reply_notifies_the_topic_author_not_the_replier(topic, member, moderator):
    reply = testing.make_reply(topic, moderator, body="Try a burr grinder")
    changed = actions.notify_new_post(reply.pk)
    assert [n.recipient_id for n in changed] == [member.pk]
    assert kinds_for(member) == ["replied"]
    assert kinds_for(moderator) == []
    notification = Notification.objects.get(recipient=member)
    assert notification.actor_id == moderator.pk
    assert notification.post_id == reply.pk


def test_a_reply_that_mentions_you_is_one_notification_of_the_strongest_kind(
    topic, member, moderator
):
    reply = testing.make_reply(topic, moderator, body="@mia_member what grinder do you have?")
    actions.notify_new_post(reply.pk)
    assert kinds_for(member) == ["mentioned"]


def test_reply_to_and_quote_reach_those_posts_authors(topic, member, moderator, owner):
    owners_post = testing.make_reply(topic, owner, body="Mine is a hand grinder")
    actions.notify_new_post(owners_post.pk)
    answer = testing.make_reply(topic, moderator, body="Which one?", reply_to=owners_post)
    actions.notify_new_post(answer.pk)
    assert kinds_for(owner) == ["replied"]
    quoting = testing.make_reply(topic, member, body="> hand grinder\n\nSame", quoted=answer)
    actions.notify_new_post(quoting.pk)
    assert kinds_for(moderator) == ["quoted"]


def test_watchers_hear_of_every_new_post_trackers_only_of_what_concerns_them(
    public_community, member, moderator, owner, stranger
):
    testing.add_member(public_community, stranger)
    with transaction.atomic():
        set_community_notification_level(stranger, public_community, NotificationLevel.WATCHING)
    topic = testing.make_topic(public_community, owner, title="Weekly espresso thread")
    actions.notify_new_post(topic.posts.get(number=1).pk)
    assert kinds_for(stranger) == ["watching"]
    assert kinds_for(member) == []  # tracking: not mentioned, not replied to
    assert kinds_for(moderator) == []


def test_a_watched_topic_notifies_of_replies(topic, member, moderator, owner):
    with transaction.atomic():
        set_topic_notification_level(owner, topic, NotificationLevel.WATCHING)
    reply = testing.make_reply(topic, moderator, body="Hello")
    actions.notify_new_post(reply.pk)
    assert kinds_for(owner) == ["watching"]


def test_muted_means_nothing_not_even_a_mention(topic, member, moderator):
    with transaction.atomic():
        set_topic_notification_level(member, topic, NotificationLevel.MUTED)
    reply = testing.make_reply(topic, moderator, body="@mia_member hello")
    assert actions.notify_new_post(reply.pk) == []
    assert kinds_for(member) == []


def test_a_muted_community_is_overridden_by_watching_one_topic(
    topic, public_community, member, owner
):
    with transaction.atomic():
        set_community_notification_level(owner, public_community, NotificationLevel.MUTED)
        set_topic_notification_level(owner, topic, NotificationLevel.WATCHING)
    reply = testing.make_reply(topic, member, body="Anyone?")
    actions.notify_new_post(reply.pk)
    assert kinds_for(owner) == ["watching"]


def test_someone_who_can_no_longer_read_the_community_is_not_notified(
    private_community, member, moderator
):
    topic = testing.make_topic(private_community, moderator, title="Darkroom secrets")
    reply = testing.make_reply(topic, moderator, body="@mia_member look at this")
    Membership.objects.filter(community=private_community, user=member).delete()
    assert actions.notify_new_post(reply.pk) == []
    assert kinds_for(member) == []


def test_a_suspended_account_is_not_notified(topic, member, moderator):
    from django.utils import timezone

    member.__class__.objects.filter(pk=member.pk).update(suspended_at=timezone.now())
    reply = testing.make_reply(topic, moderator, body="Hi")
    assert actions.notify_new_post(reply.pk) == []


def test_running_the_fan_out_twice_notifies_and_emails_once(topic, member, moderator):
    reply = testing.make_reply(topic, moderator, body="@mia_member hi")
    actions.notify_new_post(reply.pk)
    assert actions.notify_new_post(reply.pk) == []
    assert Notification.objects.filter(recipient=member).count() == 1
    assert EmailDelivery.objects.filter(recipient=member).count() == 1


def test_a_deleted_post_notifies_no_one(topic, member, moderator):
    from django.utils import timezone

    reply = testing.make_reply(topic, moderator, body="@mia_member hi")
    reply.__class__.objects.filter(pk=reply.pk).update(deleted_at=timezone.now())
    assert actions.notify_new_post(reply.pk) == []


def test_an_edit_that_adds_a_mention_strengthens_a_watching_notification(
    topic, member, moderator, owner
):
    from cerchia.discussions.actions import edit_post

    with transaction.atomic():
        set_topic_notification_level(owner, topic, NotificationLevel.WATCHING)
    reply = testing.make_reply(topic, moderator, body="Hello")
    actions.notify_new_post(reply.pk)
    Notification.objects.filter(recipient=owner).update(read_at="2020-01-01T00:00:00Z")
    with transaction.atomic():
        edit_post(moderator, reply, body="Hello @olivia_owner")
    actions.notify_new_post(reply.pk)
    notification = Notification.objects.get(recipient=owner)
    assert notification.kind == "mentioned"
    assert notification.read_at is None


FAN_OUT_QUERIES = 12


def _fan_out_queries(count: int) -> int:
    """Half the recipients watch the community, half are mentioned (and so emailed)."""
    owner = testing.make_user()
    community = testing.make_community(owner)
    topic = testing.make_topic(community, owner, title="Count the queries")
    post = topic.posts.get(number=1)
    for index in range(count):
        person = testing.make_user()
        testing.add_member(community, person)
        if index % 2:
            Mention.objects.create(post=post, user=person)
        else:
            Subscription.objects.create(
                user=person, community=community, level=NotificationLevel.WATCHING
            )
    with CaptureQueriesContext(connection) as queries:
        changed = actions.notify_new_post(post.pk)
    assert len(changed) == count
    assert EmailDelivery.objects.filter(notification__post=post).count() == count // 2
    return len(queries)


@pytest.mark.django_db
def test_fan_out_costs_the_same_queries_for_3_or_30_recipients():
    # The post, its mentions, the subscriptions, the recipients and their memberships,
    # existing notifications, the insert and the read-back, preferences, the deliveries'
    # insert, and a savepoint around the writes.
    few = _fan_out_queries(3)
    assert few == _fan_out_queries(30)
    assert few == FAN_OUT_QUERIES


# --- Reactions ------------------------------------------------------------------------


def test_reactions_are_grouped_per_post(topic, member, moderator, owner, public_community):
    opening = topic.posts.get(number=1)
    others = [testing.make_user(f"reactor{i}") for i in range(2)]
    for person in others:
        testing.add_member(public_community, person)
    reactions = []
    for person, kind in [
        (moderator, "heart"),
        (owner, "thumbs_up"),
        *[(p, "heart") for p in others],
    ]:
        with transaction.atomic():
            add_reaction(person, opening, kind)
        reactions.append(opening.reactions.get(user=person).pk)
        actions.notify_reaction(reactions[-1])
    notification = Notification.objects.get(recipient=member, kind="reaction")
    assert notification.actor_count == 4
    assert notification.actor_id == others[-1].pk
    assert notification.data == {"reactions": ["heart", "thumbs_up"]}
    rows = list_notifications(member).items
    assert (
        rows[0].text == f"{others[-1].name} and 3 others reacted to your post in “Grinder advice”"
    )
    # Running a reaction's task again adds nobody.
    actions.notify_reaction(reactions[0])
    notification.refresh_from_db()
    assert notification.actor_count == 4


def test_a_new_reaction_brings_a_read_group_back_unread(topic, member, moderator, owner):
    opening = topic.posts.get(number=1)
    with transaction.atomic():
        add_reaction(moderator, opening, "heart")
    actions.notify_reaction(opening.reactions.get(user=moderator).pk)
    with transaction.atomic():
        actions.mark_all_read(member)
    with transaction.atomic():
        add_reaction(owner, opening, "heart")
    actions.notify_reaction(opening.reactions.get(user=owner).pk)
    assert count_unread(member) == 1


def test_reacting_to_ones_own_post_notifies_no_one(topic, member):
    opening = topic.posts.get(number=1)
    with transaction.atomic():
        add_reaction(member, opening, "heart")
    assert actions.notify_reaction(opening.reactions.get(user=member).pk) is None
    assert not Notification.objects.exists()


# --- Accepted answers and join decisions ----------------------------------------------


def test_an_accepted_answer_notifies_its_author_once(public_community, member, moderator):
    question = testing.make_topic(public_community, member, title="Which beans?", kind="question")
    answer = testing.make_reply(question, moderator, body="Try a washed Ethiopian")
    with transaction.atomic():
        accept_answer(member, question, answer)
    actions.notify_accepted_answer(answer.pk)
    actions.notify_accepted_answer(answer.pk)
    notification = Notification.objects.get(recipient=moderator, kind="accepted_answer")
    assert notification.actor_id == member.pk
    rows = list_notifications(moderator).items
    assert rows[0].text == f"{member.name} accepted your answer in “Which beans?”"


def test_accepting_ones_own_reply_notifies_no_one(public_community, member, moderator):
    question = testing.make_topic(
        public_community, moderator, title="Own question", kind="question"
    )
    answer = testing.make_reply(question, moderator, body="Self-answer")
    with transaction.atomic():
        accept_answer(moderator, question, answer)
    assert actions.notify_accepted_answer(answer.pk) is None


def test_join_request_outcomes_become_notifications(private_community, owner, stranger):
    from cerchia.communities.actions import decline_join_request
    from cerchia.communities.tasks import send_join_request_outcome

    join_request = testing.make_join_request(private_community, stranger)
    with transaction.atomic():
        decline_join_request(owner, join_request, note="Not now")
    send_join_request_outcome.call(join_request.pk)
    send_join_request_outcome.call(join_request.pk)
    notification = Notification.objects.get(recipient=stranger)
    assert notification.kind == "join_request_declined"
    rows = list_notifications(stranger).items
    assert rows[0].text == "Your request to join Film lab was declined"
    assert rows[0].url is None


def test_an_approved_request_links_to_the_community(private_community, owner, stranger):
    join_request = testing.make_join_request(private_community, stranger)
    JoinRequest.objects.filter(pk=join_request.pk).update(status="approved", decided_by=owner)
    join_request.refresh_from_db()
    actions.notify_join_request_outcome(join_request)
    row = list_notifications(stranger).items[0]
    assert row.notification.kind == "join_request_approved"
    assert row.url == "/c/film-lab/"


# --- Reading --------------------------------------------------------------------------


def test_mark_read_is_for_the_recipient_only(topic, member, moderator):
    from django.http import Http404

    reply = testing.make_reply(topic, moderator, body="Hi")
    [notification] = actions.notify_new_post(reply.pk)
    with pytest.raises(Http404):
        actions.mark_read(moderator, notification)
    actions.mark_read(member, notification)
    assert count_unread(member) == 0


def test_notifications_about_a_community_one_left_disappear(private_community, member, moderator):
    topic = testing.make_topic(private_community, member, title="Secret marker ZXQ")
    reply = testing.make_reply(topic, moderator, body="Reply")
    actions.notify_new_post(reply.pk)
    assert count_unread(member) == 1
    Membership.objects.filter(community=private_community, user=member).delete()
    assert count_unread(member) == 0
    assert list_notifications(member).items == []


def test_a_topic_moved_to_a_community_one_cannot_read_takes_its_notifications(
    public_community, member, moderator, owner
):
    from cerchia.discussions.actions import move_topic

    topic = testing.make_topic(public_community, member, title="Will move")
    actions.notify_new_post(testing.make_reply(topic, owner, body="Hi").pk)
    hosts_only = testing.make_community(owner, visibility="private", slug="hosts-only")
    with transaction.atomic():
        move_topic(owner, topic, hosts_only)
    assert count_unread(member) == 0
    assert list_notifications(member).items == []
    testing.add_member(hosts_only, member)
    [row] = list_notifications(member).items
    assert row.url is not None
    assert row.url.startswith("/c/hosts-only/")


def test_erasing_a_member_removes_their_notifications_and_emails(topic, member, moderator):
    actions.notify_new_post(testing.make_reply(topic, moderator, body="@mia_member hi").pk)
    actions.update_preferences(member, digest="daily")
    actions.erase_member_notifications(member)
    assert not Notification.objects.filter(recipient=member).exists()
    assert not EmailDelivery.objects.filter(recipient=member).exists()
    assert not NotificationPreference.objects.filter(user=member).exists()
