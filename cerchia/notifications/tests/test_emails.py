"""Immediate emails: through a real SMTP server, once, retried with backoff, unsubscribable."""

from __future__ import annotations

import socket
import zoneinfo
from datetime import UTC, datetime, time, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from cerchia.accounts.models import User
from cerchia.communities.models import Membership
from cerchia.core import testing
from cerchia.notifications import actions, emails
from cerchia.notifications.models import EmailDelivery, NotificationPreference


class Inbox:
    """An aiosmtpd handler keeping what it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp_mailers(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


class SMTPServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port)

    def __enter__(self) -> Inbox:
        self.controller.start()
        return self.inbox

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@pytest.fixture
def topic(public_community, member):
    return testing.make_topic(public_community, member, title="Grinder advice")


def _reply_and_fan_out(topic, author, body, capture):
    reply = testing.make_reply(topic, author, body=body)
    with capture(execute=True):
        actions.notify_new_post(reply.pk)
    return reply


def test_an_email_goes_through_a_real_smtp_server_in_the_members_language(
    topic, member, moderator, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=member.pk).update(language="it")
    port = free_port()
    with override_settings(MAILERS=smtp_mailers(port)), SMTPServer(port) as inbox:
        _reply_and_fan_out(
            topic,
            moderator,
            "@mia_member a burr grinder, surely",
            django_capture_on_commit_callbacks,
        )
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == member.email
    # The token carries its signing time, so read it back rather than recompute it.
    prefix = f"<{settings.SITE_URL}/notifications/unsubscribe/"
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith(prefix)
    assert unsubscribe.endswith("/>")
    token = unsubscribe[len(prefix) : -len("/>")]
    assert emails.read_unsubscribe_token(token) == (member.pk, "mentioned")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Content-Language"] == "it"
    with translation.override("it"):
        subject = gettext("%(actor)s mentioned you in “%(title)s”") % {
            "actor": moderator.name,
            "title": "Grinder advice",
        }
        read_it = gettext("Read it and reply:")
    assert message["Subject"] == subject
    plain_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    assert plain_part is not None
    assert html_part is not None
    text, html = plain_part.get_content(), html_part.get_content()
    assert "a burr grinder, surely" in text
    assert read_it in text
    assert "/p/2/" in text
    assert "a burr grinder, surely" in html
    assert '<html lang="it">' in html
    delivery = EmailDelivery.objects.get(recipient=member)
    assert delivery.status == EmailDelivery.Status.SENT
    assert delivery.attempts == 1


def test_a_failed_send_is_retried_later_and_delivered_once(
    topic, member, moderator, django_capture_on_commit_callbacks
):
    port = free_port()  # nothing listens here yet: the first attempt is refused
    with override_settings(MAILERS=smtp_mailers(port)):
        before = timezone.now()
        _reply_and_fan_out(
            topic, moderator, "@mia_member hello", django_capture_on_commit_callbacks
        )
        delivery = EmailDelivery.objects.get(recipient=member)
        assert delivery.status == EmailDelivery.Status.FAILED
        assert delivery.attempts == 1
        assert "Connection" in delivery.last_error or "refused" in delivery.last_error
        assert delivery.next_attempt_at >= before + emails.FIRST_RETRY

        with SMTPServer(port) as inbox:
            # Not yet: the backoff has not passed.
            emails.retry_failed_deliveries()
            assert inbox.messages == []
            EmailDelivery.objects.filter(pk=delivery.pk).update(
                next_attempt_at=timezone.now() - timedelta(seconds=1)
            )
            assert emails.retry_failed_deliveries() == 1
            assert emails.retry_failed_deliveries() == 0
            emails.send_delivery(delivery.pk)  # a late duplicate task sends nothing
    assert len(inbox.messages) == 1
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT
    assert delivery.attempts == 2
    assert delivery.last_error == ""


def test_backoff_doubles_up_to_a_ceiling():
    assert emails.backoff(1) == timedelta(minutes=1)
    assert emails.backoff(2) == timedelta(minutes=2)
    assert emails.backoff(4) == timedelta(minutes=8)
    assert emails.backoff(30) == emails.LONGEST_RETRY


def test_a_delivery_is_given_up_after_its_last_attempt(
    topic, member, moderator, django_capture_on_commit_callbacks
):
    with override_settings(MAILERS=smtp_mailers(free_port())):
        _reply_and_fan_out(
            topic, moderator, "@mia_member hello", django_capture_on_commit_callbacks
        )
        delivery = EmailDelivery.objects.get(recipient=member)
        EmailDelivery.objects.filter(pk=delivery.pk).update(
            attempts=emails.MAX_ATTEMPTS - 1, next_attempt_at=timezone.now()
        )
        emails.retry_failed_deliveries()
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.GAVE_UP


def test_an_abandoned_claim_is_released_and_sent(topic, member, moderator):
    reply = testing.make_reply(topic, moderator, body="@mia_member hello")
    actions.notify_new_post(reply.pk)
    delivery = EmailDelivery.objects.get(recipient=member)
    EmailDelivery.objects.filter(pk=delivery.pk).update(
        status=EmailDelivery.Status.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
    )
    emails.retry_failed_deliveries()
    assert len(mail.outbox) == 1


# --- Choices --------------------------------------------------------------------------


def test_mentions_and_replies_are_emailed_by_default_quotes_are_not(
    topic, member, moderator, owner, django_capture_on_commit_callbacks
):
    owners_post = testing.make_reply(topic, owner, body="Mine")
    with django_capture_on_commit_callbacks(execute=True):
        actions.notify_new_post(owners_post.pk)
    assert [m.to for m in mail.outbox] == [[member.email]]  # a reply to the member's topic
    quoting = testing.make_reply(topic, moderator, body="> Mine\n\nOk", quoted=owners_post)
    with django_capture_on_commit_callbacks(execute=True):
        actions.notify_new_post(quoting.pk)
    assert len(mail.outbox) == 2  # the member again (reply), not the quoted owner
    assert mail.outbox[1].to == [member.email]


def test_no_email_for_a_kind_the_member_turned_off(
    topic, member, moderator, django_capture_on_commit_callbacks
):
    actions.update_preferences(member, email={"replied": False})
    _reply_and_fan_out(topic, moderator, "Hello", django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert not EmailDelivery.objects.exists()


def test_a_queued_email_is_skipped_if_the_member_lost_access_meanwhile(
    private_community, member, moderator
):
    topic = testing.make_topic(private_community, member, title="Darkroom")
    reply = testing.make_reply(topic, moderator, body="Secret marker QQZ")
    actions.notify_new_post(reply.pk)
    delivery = EmailDelivery.objects.get(recipient=member)
    Membership.objects.filter(community=private_community, user=member).delete()
    assert emails.send_delivery(delivery.pk) == EmailDelivery.Status.SKIPPED
    assert mail.outbox == []


# --- Quiet hours ----------------------------------------------------------------------

ROME = zoneinfo.ZoneInfo("Europe/Rome")


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 3, 10, 23, 30, tzinfo=ROME), datetime(2026, 3, 11, 7, 0, tzinfo=ROME)),
        (datetime(2026, 3, 11, 6, 59, tzinfo=ROME), datetime(2026, 3, 11, 7, 0, tzinfo=ROME)),
        (datetime(2026, 3, 11, 7, 0, tzinfo=ROME), None),
        (datetime(2026, 3, 11, 12, 0, tzinfo=ROME), None),
    ],
)
def test_quiet_hours_over_midnight_in_the_members_timezone(local, expected):
    until = emails.quiet_until(time(22, 0), time(7, 0), "Europe/Rome", local.astimezone(UTC))
    assert until == (expected.astimezone(UTC) if expected else None)


def test_quiet_hours_within_a_day_and_none():
    noon = datetime(2026, 3, 11, 12, 30, tzinfo=UTC)
    assert emails.quiet_until(time(12, 0), time(14, 0), "", noon) == datetime(
        2026, 3, 11, 14, 0, tzinfo=UTC
    )
    assert emails.quiet_until(None, None, "UTC", noon) is None


def test_an_email_during_quiet_hours_waits_until_they_end(
    topic, member, moderator, django_capture_on_commit_callbacks
):
    now = timezone.now()
    start = (now - timedelta(hours=1)).astimezone(UTC).time().replace(second=0, microsecond=0)
    end = (now + timedelta(hours=1)).astimezone(UTC).time().replace(second=0, microsecond=0)
    User.objects.filter(pk=member.pk).update(timezone="UTC")
    actions.update_preferences(member, quiet_start=start, quiet_end=end)
    _reply_and_fan_out(
        topic, moderator, "@mia_member late night", django_capture_on_commit_callbacks
    )
    delivery = EmailDelivery.objects.get(recipient=member)
    assert delivery.status == EmailDelivery.Status.PENDING
    assert delivery.next_attempt_at > now
    emails.retry_failed_deliveries()
    assert mail.outbox == []
    EmailDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    emails.retry_failed_deliveries()
    assert len(mail.outbox) == 1


# --- Unsubscribing --------------------------------------------------------------------


def test_one_click_unsubscribe_works_without_signing_in_or_csrf(member):
    token = emails.unsubscribe_token(member.pk, "mentioned")
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/notifications/unsubscribe/{token}/")
    assert page.status_code == 200
    assert not NotificationPreference.objects.filter(user=member).exists()
    response = client.post(
        f"/notifications/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    preference = NotificationPreference.objects.get(user=member)
    assert preference.email_kinds == {"mentioned": False}


def test_unsubscribing_from_the_digest_turns_it_off(member):
    actions.update_preferences(member, digest="weekly")
    token = emails.unsubscribe_token(member.pk, "digest")
    assert Client().post(f"/notifications/unsubscribe/{token}/").status_code == 200
    assert NotificationPreference.objects.get(user=member).digest == "off"


def test_a_forged_unsubscribe_token_is_refused(member):
    client = Client()
    assert client.post("/notifications/unsubscribe/not-a-token/").status_code == 404
    token = emails.unsubscribe_token(member.pk, "mentioned")
    assert client.post(f"/notifications/unsubscribe/{token[:-2]}xx/").status_code == 404
    assert not NotificationPreference.objects.exists()
