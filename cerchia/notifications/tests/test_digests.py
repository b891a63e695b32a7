"""Digests: daily or weekly, only what the member may read, skipped when empty; the scheduler."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cerchia.core import testing
from cerchia.discussions.models import NotificationLevel, Post, Subscription, Topic
from cerchia.notifications import actions, periodic
from cerchia.notifications.models import EmailDelivery, NotificationPreference, PeriodicRun


def _daily(member, *, hours_ago: int = 25) -> NotificationPreference:
    actions.update_preferences(member, digest="daily")
    NotificationPreference.objects.filter(user=member).update(
        digest_covered_until=timezone.now() - timedelta(hours=hours_ago)
    )
    return NotificationPreference.objects.get(user=member)


def _age(topic: Topic, hours: int) -> None:
    """Move a topic and its posts into the past."""
    then = timezone.now() - timedelta(hours=hours)
    Topic.objects.filter(pk=topic.pk).update(created_at=then, last_posted_at=then)
    Post.objects.filter(topic=topic).update(created_at=then)


def test_the_digest_is_off_by_default(public_community, member, owner):
    testing.make_topic(public_community, owner, title="Fresh topic")
    assert actions.schedule_digests() == 0
    assert not EmailDelivery.objects.exists()


def test_a_daily_digest_lists_new_topics_and_replies_the_member_may_read(
    public_community,
    private_community,
    member,
    owner,
    moderator,
    django_capture_on_commit_callbacks,
):
    _daily(member)
    old = testing.make_topic(public_community, owner, title="Older conversation")
    _age(old, 48)
    testing.make_reply(old, moderator, body="A new reply")
    testing.make_topic(public_community, owner, title="Fresh topic about beans")
    testing.make_topic(public_community, member, title="My own topic")
    stranger_owner = testing.make_user()
    other = testing.make_community(stranger_owner, visibility="private", name="Not mine")
    testing.make_topic(other, stranger_owner, title="Hidden marker QXZ")
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.schedule_digests(timezone.now() + timedelta(hours=1)) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert "daily digest" in message.subject
    assert "Fresh topic about beans" in message.body
    assert "Older conversation" in message.body
    assert "1 new reply" in message.body
    assert "My own topic" not in message.body
    assert "QXZ" not in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/notifications/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    # The period is covered: running again queues nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.schedule_digests(timezone.now() + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1


def test_muted_communities_stay_out_of_the_digest(
    public_community, member, owner, django_capture_on_commit_callbacks
):
    _daily(member)
    Subscription.objects.create(
        user=member, community=public_community, level=NotificationLevel.MUTED
    )
    testing.make_topic(public_community, owner, title="Muted news")
    with django_capture_on_commit_callbacks(execute=True):
        actions.schedule_digests(timezone.now() + timedelta(hours=1))
    assert mail.outbox == []
    assert EmailDelivery.objects.get(recipient=member).status == EmailDelivery.Status.SKIPPED


def test_an_empty_digest_is_skipped(member, public_community, django_capture_on_commit_callbacks):
    _daily(member)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.schedule_digests() == 1
    assert mail.outbox == []
    assert EmailDelivery.objects.get(recipient=member).status == EmailDelivery.Status.SKIPPED


def test_a_weekly_digest_waits_for_its_week(member, public_community, owner):
    actions.update_preferences(member, digest="weekly")
    NotificationPreference.objects.filter(user=member).update(
        digest_covered_until=timezone.now() - timedelta(days=3)
    )
    assert actions.schedule_digests() == 0
    NotificationPreference.objects.filter(user=member).update(
        digest_covered_until=timezone.now() - timedelta(days=8)
    )
    assert actions.schedule_digests() == 1


def test_turning_the_digest_on_starts_from_now(member):
    preference = actions.update_preferences(member, digest="daily")
    assert preference.digest_covered_until is not None
    assert preference.digest_covered_until <= timezone.now()
    assert actions.schedule_digests() == 0


def test_the_send_digests_command(member, public_community):
    _daily(member)
    call_command("send_digests", verbosity=0)
    assert EmailDelivery.objects.filter(kind="digest").count() == 1


# --- The worker's scheduler ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_scheduler_enqueues_each_periodic_task_once_per_period():
    start = timezone.now()
    everything = [task.name for task in periodic.PERIODIC_TASKS]
    assert everything[:3] == ["retry_failed_deliveries", "send_digests", "prune_task_results"]
    every = {task.name: task.every for task in periodic.PERIODIC_TASKS}
    assert periodic.enqueue_due(start) == everything
    assert periodic.enqueue_due(start + timedelta(seconds=30)) == []
    five_minutes = [name for name in everything if every[name] <= timedelta(minutes=5)]
    assert periodic.enqueue_due(start + timedelta(minutes=5)) == five_minutes
    hourly = [name for name in everything if every[name] <= timedelta(hours=1)]
    assert periodic.enqueue_due(start + timedelta(hours=1)) == hourly
    assert periodic.enqueue_due(start + timedelta(days=1, hours=1)) == everything
    assert PeriodicRun.objects.count() == len(everything)


def test_the_worker_can_run_without_the_scheduler():
    from cerchia.core.management.commands.worker import Command

    assert "--no-scheduler" in Command().create_parser("cerchia", "worker").format_help()


@pytest.mark.django_db
def test_old_task_results_are_pruned_from_the_database_queue():
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from cerchia.notifications.tasks import prune_task_results, retry_failed_deliveries

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        old = retry_failed_deliveries.enqueue()
        fresh = retry_failed_deliveries.enqueue()
        DBTaskResult.objects.filter(pk=old.id).update(
            status="SUCCESSFUL", finished_at=timezone.now() - timedelta(days=8)
        )
        prune_task_results.call()
        assert [str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)] == [fresh.id]
