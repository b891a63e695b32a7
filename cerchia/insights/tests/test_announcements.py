"""Announcements: who they reach, when, by which channel, and never twice."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.http import Http404
from django.test import Client
from django.utils import timezone

from cerchia.accounts.models import ConsentRecord, User
from cerchia.communities.models import Community, Role
from cerchia.core import testing
from cerchia.discussions.models import Topic, TopicAudience, TopicKind
from cerchia.insights import actions_announcements as actions
from cerchia.insights.models import Announcement, AnnouncementRecipient, Segment, SegmentMember
from cerchia.insights.notifications_announcements import (
    EMAIL_KIND,
    read_unsubscribe_token,
    unsubscribe_token,
)
from cerchia.insights.tasks_announcements import send_due_announcements
from cerchia.notifications.models import EmailDelivery, Notification
from cerchia.notifications.periodic import PERIODIC_TASKS

pytestmark = pytest.mark.django_db

Status = Announcement.Status


@pytest.fixture
def people(public_community: Community, member: User) -> dict[str, User]:
    """Members with and without marketing consent, a suspended one, a bot, and an outsider."""
    consenting = testing.make_user("cara_consent", marketing_consent=True)
    quiet = testing.make_user("quinn_quiet")
    suspended = testing.make_user("sid_suspended", marketing_consent=True)
    bot = testing.make_user("bob_bot", is_bot=True, marketing_consent=True)
    for user in (consenting, quiet, suspended, bot):
        testing.add_member(public_community, user)
    User.objects.filter(pk=suspended.pk).update(suspended_at=timezone.now())
    outsider = testing.make_user("otto_outsider", marketing_consent=True)
    return {
        "consenting": consenting,
        "quiet": quiet,
        "suspended": suspended,
        "bot": bot,
        "outsider": outsider,
        "member": member,
    }


def _segment(community: Community, *users: User, name: str = "Roasters") -> Segment:
    segment = Segment.objects.create(community=community, name=name, kind=Segment.Kind.STATIC)
    SegmentMember.objects.bulk_create([SegmentMember(segment=segment, user=u) for u in users])
    return segment


def _send(owner: User, community: Community, **kwargs: Any) -> Announcement:
    kwargs.setdefault("title", "Big news")
    kwargs.setdefault("body", "We are moving to **Thursdays**.")
    return actions.create_announcement(owner, community, **kwargs)


def _recipients(announcement: Announcement) -> dict[str, str]:
    return dict(
        AnnouncementRecipient.objects.filter(announcement=announcement).values_list(
            "user__handle", "email"
        )
    )


# --- Whole community and segments ----------------------------------------------------------


def test_to_everyone_reaches_active_members_and_emails_only_with_consent(
    public_community, owner, moderator, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        announcement = _send(owner, public_community)
    assert announcement.status == Status.SENT
    recipients = _recipients(announcement)
    assert set(recipients) == {
        owner.handle,
        moderator.handle,
        people["member"].handle,
        "cara_consent",
        "quinn_quiet",
    }
    assert recipients["cara_consent"] == AnnouncementRecipient.Email.QUEUED
    assert recipients["quinn_quiet"] == AnnouncementRecipient.Email.NO_CONSENT
    assert announcement.recipient_count == 5
    assert announcement.email_count == 1
    topic = Topic.objects.get(pk=announcement.topic_id or 0)
    assert topic.kind == TopicKind.ANNOUNCEMENT
    assert topic.author_id == owner.pk
    assert not topic.restricted
    # The email: one, to the consenting member, with a one-click unsubscribe.
    assert [m.to for m in mail.outbox] == [["cara_consent@example.org"]]
    message = mail.outbox[0]
    assert "Big news" in message.subject
    assert public_community.name in message.subject
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert read_unsubscribe_token(token) == people["consenting"].pk
    assert "<strong>Thursdays</strong>" in str(message.alternatives[0][0])  # type: ignore[attr-defined]
    # The in-app notification: every recipient but the author.
    notified = set(
        Notification.objects.filter(kind="announcement").values_list("recipient__handle", flat=True)
    )
    assert notified == set(recipients) - {owner.handle}
    assert testing.event_kinds(kind__startswith="insights.announcement") == [
        "insights.announcement_scheduled",
        "insights.announcement_sent",
    ]


def test_to_a_segment_is_a_topic_only_its_audience_reads(
    public_community, owner, moderator, people, django_capture_on_commit_callbacks
):
    segment = _segment(public_community, people["consenting"], people["quiet"], people["bot"])
    with django_capture_on_commit_callbacks(execute=True):
        announcement = _send(owner, public_community, segment=segment)
    assert set(_recipients(announcement)) == {"cara_consent", "quinn_quiet"}
    assert announcement.audience_name == "Roasters"
    topic = Topic.objects.get(pk=announcement.topic_id or 0)
    assert topic.restricted
    audience = set(TopicAudience.objects.filter(topic=topic).values_list("user_id", flat=True))
    assert audience == {people["consenting"].pk, people["quiet"].pk, owner.pk, moderator.pk}
    assert [m.to for m in mail.outbox] == [["cara_consent@example.org"]]
    notified = set(Notification.objects.values_list("recipient__handle", flat=True))
    assert "mia_member" not in notified


def test_no_email_when_the_host_does_not_ask(
    public_community, owner, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        announcement = _send(owner, public_community, send_email=False)
    assert set(_recipients(announcement).values()) == {AnnouncementRecipient.Email.NONE}
    assert announcement.email_count == 0
    assert mail.outbox == []


def test_a_segment_of_another_community_is_refused(public_community, private_community, owner):
    other = _segment(private_community, owner)
    with pytest.raises(ValidationError) as refused:
        _send(owner, public_community, segment=other)
    assert "segment" in refused.value.message_dict
    assert not Announcement.objects.exists()


# --- Scheduling ----------------------------------------------------------------------------


def test_a_scheduled_send_uses_the_list_at_send_time(
    public_community, owner, people, django_capture_on_commit_callbacks
):
    early = testing.make_user("eve_early", marketing_consent=True)
    testing.add_member(public_community, early)
    segment = _segment(public_community, early, people["consenting"])
    announcement = _send(
        owner, public_community, segment=segment, send_at=timezone.now() + timedelta(hours=2)
    )
    assert announcement.status == Status.SCHEDULED
    assert not AnnouncementRecipient.objects.exists()
    # Before it goes: one joins the segment, one withdraws consent, one leaves the segment.
    late = testing.make_user("lou_late", marketing_consent=True)
    testing.add_member(public_community, late)
    SegmentMember.objects.create(segment=segment, user=late)
    from cerchia.accounts.actions import update_consents

    update_consents(early, early, marketing=False)
    SegmentMember.objects.filter(user=people["consenting"]).delete()

    assert actions.send_due_announcements() == 0  # not due yet
    with django_capture_on_commit_callbacks(execute=True):
        sent = actions.send_due_announcements(now=timezone.now() + timedelta(hours=3))
    assert sent == 1
    announcement.refresh_from_db()
    assert announcement.status == Status.SENT
    assert _recipients(announcement) == {
        "lou_late": AnnouncementRecipient.Email.QUEUED,
        "eve_early": AnnouncementRecipient.Email.NO_CONSENT,
    }
    assert [m.to for m in mail.outbox] == [["lou_late@example.org"]]


def test_consent_withdrawn_after_queueing_means_no_email(
    public_community, owner, people, django_capture_on_commit_callbacks
):
    from cerchia.accounts.actions import update_consents
    from cerchia.notifications.emails import send_delivery

    announcement = _send(owner, public_community)  # on-commit sending not run
    delivery = EmailDelivery.objects.get(kind=EMAIL_KIND)
    assert delivery.recipient_id == people["consenting"].pk
    consenting = User.objects.get(pk=people["consenting"].pk)
    update_consents(consenting, consenting, marketing=False)
    assert send_delivery(delivery.pk) == EmailDelivery.Status.SKIPPED
    assert mail.outbox == []
    assert announcement.email_count == 1  # it was queued; it was not sent


def test_the_email_is_in_the_members_language(
    public_community, owner, people, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=people["consenting"].pk).update(language="it")
    with django_capture_on_commit_callbacks(execute=True):
        _send(owner, public_community)
    (message,) = mail.outbox
    assert message.extra_headers["Content-Language"] == "it"


def test_reschedule_and_cancel(public_community, owner, member):
    later = timezone.now() + timedelta(days=1)
    announcement = _send(owner, public_community, send_at=later)
    actions.reschedule_announcement(owner, announcement, later + timedelta(days=1))
    announcement.refresh_from_db()
    assert announcement.send_at == later + timedelta(days=1)
    with pytest.raises(ValidationError):
        actions.reschedule_announcement(owner, announcement, timezone.now() - timedelta(hours=1))
    with pytest.raises(PermissionDenied):
        actions.cancel_announcement(member, announcement)
    actions.cancel_announcement(owner, announcement)
    announcement.refresh_from_db()
    assert announcement.status == Status.CANCELLED
    with pytest.raises(ValidationError):
        actions.cancel_announcement(owner, announcement)
    with pytest.raises(ValidationError):
        actions.reschedule_announcement(owner, announcement, later)
    assert actions.send_due_announcements(now=later + timedelta(days=5)) == 0
    assert not Topic.objects.filter(kind=TopicKind.ANNOUNCEMENT).exists()
    assert "insights.announcement_cancelled" in testing.event_kinds()


def test_a_deleted_segment_cancels_the_send_instead_of_reaching_everyone(
    public_community, owner, people
):
    segment = _segment(public_community, people["quiet"])
    announcement = _send(
        owner, public_community, segment=segment, send_at=timezone.now() + timedelta(hours=1)
    )
    segment.delete()
    assert actions.send_due_announcements(now=timezone.now() + timedelta(hours=2)) == 0
    announcement.refresh_from_db()
    assert announcement.status == Status.CANCELLED
    assert not AnnouncementRecipient.objects.exists()


def test_an_author_no_longer_a_host_cancels_the_send(public_community, owner, moderator):
    announcement = _send(moderator, public_community, send_at=timezone.now() + timedelta(hours=1))
    public_community.memberships.filter(user=moderator).update(role=Role.MEMBER)
    assert actions.send_due_announcements(now=timezone.now() + timedelta(hours=2)) == 0
    announcement.refresh_from_db()
    assert announcement.status == Status.CANCELLED


# --- Never twice ---------------------------------------------------------------------------


def test_the_task_run_twice_sends_once(
    public_community, owner, people, django_capture_on_commit_callbacks
):
    announcement = _send(owner, public_community, send_at=timezone.now() + timedelta(seconds=1))
    Announcement.objects.filter(pk=announcement.pk).update(send_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        send_due_announcements.enqueue()
        send_due_announcements.enqueue()
        assert actions.send_announcement(announcement.pk) is False
    assert Topic.objects.filter(kind=TopicKind.ANNOUNCEMENT).count() == 1
    assert len(mail.outbox) == 1
    assert any(task.name == "send_due_announcements" for task in PERIODIC_TASKS)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_once(public_community, owner, people):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the conditional claim is tested above")
    announcement = _send(owner, public_community, send_at=timezone.now() + timedelta(seconds=1))
    Announcement.objects.filter(pk=announcement.pk).update(send_at=timezone.now())
    barrier = threading.Barrier(2)
    results: list[bool] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(actions.send_announcement(announcement.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]
    assert Topic.objects.filter(kind=TopicKind.ANNOUNCEMENT).count() == 1
    assert AnnouncementRecipient.objects.filter(announcement=announcement).count() == 5


def test_the_same_form_token_sends_once(public_community, owner, people):
    first = _send(owner, public_community, idempotency_key="k1")
    again = _send(owner, public_community, idempotency_key="k1")
    assert first.pk == again.pk
    assert Announcement.objects.count() == 1
    assert Topic.objects.filter(kind=TopicKind.ANNOUNCEMENT).count() == 1


def test_sending_costs_the_same_for_many_recipients(
    public_community, owner, django_assert_max_num_queries
):
    for index in range(30):
        testing.add_member(
            public_community, testing.make_user(f"many{index}", marketing_consent=bool(index % 2))
        )
    announcement = _send(owner, public_community, send_at=timezone.now() + timedelta(hours=1))
    with django_assert_max_num_queries(60):
        assert actions.send_announcement(announcement.pk)


# --- Refusals ------------------------------------------------------------------------------


def test_only_hosts_send(public_community, private_community, member, stranger, site_admin):
    with pytest.raises(PermissionDenied):
        _send(member, public_community)
    with pytest.raises(Http404):
        _send(stranger, private_community)
    # A site admin who is not a member could not open the topic: refused up front.
    with pytest.raises(ValidationError):
        _send(site_admin, public_community)
    assert not Announcement.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("title", "ab"), ("body", "  "), ("title", "x" * 201)]
)
def test_bad_fields_are_refused(public_community, owner, field, value):
    kwargs = {"title": "Fine title", "body": "Fine body", field: value}
    with pytest.raises(ValidationError) as refused:
        actions.create_announcement(owner, public_community, **kwargs)
    assert field in refused.value.message_dict


# --- One-click unsubscribe -----------------------------------------------------------------


def test_one_click_unsubscribe_withdraws_consent_and_records_it(people):
    consenting = people["consenting"]
    token = unsubscribe_token(consenting.pk)
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/email/marketing/unsubscribe/{token}/")
    assert page.status_code == 200
    assert User.objects.get(pk=consenting.pk).marketing_consent
    done = client.post(f"/email/marketing/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert not User.objects.get(pk=consenting.pk).marketing_consent
    record = ConsentRecord.objects.get(user=consenting)
    assert record.kind == ConsentRecord.Kind.MARKETING
    assert record.granted is False
    # A second click changes nothing and records nothing more.
    client.post(f"/email/marketing/unsubscribe/{token}/")
    assert ConsentRecord.objects.filter(user=consenting).count() == 1


def test_a_forged_unsubscribe_token_is_404(people):
    client = Client()
    assert client.post("/email/marketing/unsubscribe/forged/").status_code == 404
    assert User.objects.get(pk=people["consenting"].pk).marketing_consent


def test_a_notification_unsubscribe_token_cannot_withdraw_marketing_consent(people):
    from cerchia.notifications import emails

    token = emails.unsubscribe_token(people["consenting"].pk, "mentioned")
    assert Client().post(f"/email/marketing/unsubscribe/{token}/").status_code == 404
    assert User.objects.get(pk=people["consenting"].pk).marketing_consent
    marketing = unsubscribe_token(people["consenting"].pk)
    assert Client().post(f"/notifications/unsubscribe/{marketing}/").status_code == 404


def test_an_unsubscribed_member_is_out_of_the_next_send(
    public_community, owner, people, django_capture_on_commit_callbacks
):
    token = unsubscribe_token(people["consenting"].pk)
    Client().post(f"/email/marketing/unsubscribe/{token}/")
    with django_capture_on_commit_callbacks(execute=True):
        announcement = _send(owner, public_community)
    assert _recipients(announcement)["cara_consent"] == AnnouncementRecipient.Email.NO_CONSENT
    assert mail.outbox == []
