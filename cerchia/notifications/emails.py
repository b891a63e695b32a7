"""Notification and digest emails: recorded as deliveries, sent once, retried with backoff.

Every email is first an ``EmailDelivery`` row with a unique ``dedupe_key`` (written in
the transaction that decided to send it), then sent by the ``send_deliveries`` task
after commit. Sending claims the row with a conditional update, so two runs never
send it twice. A failed send is retried with exponential backoff: the task is
re-enqueued with ``run_after`` when the task backend supports it (the database queue
does), and the worker's periodic ``retry_failed_deliveries`` pass sends whatever is due
in any case, including emails held back during a member's quiet hours.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from cerchia.notifications.models import EmailDelivery, Notification, NotificationPreference
from cerchia.notifications.permissions import can_be_notified, visible_notifications
from cerchia.notifications.queries import (
    digest_content,
    effective_email,
    notification_row,
)

if TYPE_CHECKING:
    from cerchia.accounts.models import User

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "cerchia.notifications.unsubscribe"
#: Attempts before a delivery is given up; the waits double from one minute, to six hours.
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
#: A delivery claimed this long ago whose worker never reported back is tried again.
STALE_CLAIM = timedelta(minutes=15)
EXCERPT_CHARS = 600
DIGEST = "digest"


# --- Unsubscribe tokens ---------------------------------------------------------------


def unsubscribe_token(user_id: int, what: str) -> str:
    """A signed token naming the member and what to stop (a notification kind or "digest")."""
    return signing.dumps({"u": user_id, "k": what}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """The (user id, what) a token names, or None if it is not one of ours."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("u"), int):
        return None
    if not isinstance(value.get("k"), str):
        return None
    return value["u"], value["k"]


def unsubscribe_url(user_id: int, what: str) -> str:
    token = unsubscribe_token(user_id, what)
    return settings.SITE_URL + reverse("notifications:unsubscribe", kwargs={"token": token})


# --- Quiet hours and backoff ----------------------------------------------------------


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def quiet_until(
    start: time | None, end: time | None, timezone_name: str, now: datetime
) -> datetime | None:
    """When the member's quiet hours end, if ``now`` falls inside them (else None).

    Hours are in the member's timezone and may run over midnight (22:00–07:00)."""
    if start is None or end is None or start == end:
        return None
    zone = _zone(timezone_name)
    local = now.astimezone(zone)
    moment = local.time().replace(tzinfo=None)
    inside = start <= moment < end if start < end else (moment >= start or moment < end)
    if not inside:
        return None
    day = local.date() if moment < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone).astimezone(UTC)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4, … minutes, at most six hours."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


# --- Queueing -------------------------------------------------------------------------


def queue_deliveries(deliveries: list[EmailDelivery]) -> None:
    """Record deliveries (a known ``dedupe_key`` is skipped) and send them after commit."""
    if not deliveries:
        return
    EmailDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    keys = [delivery.dedupe_key for delivery in deliveries]
    transaction.on_commit(lambda: enqueue_sending(keys))


def enqueue_sending(keys: list[str]) -> None:
    """Enqueue the sending of the pending deliveries with these keys: now if due, else at
    their time when the backend can defer (otherwise the periodic pass sends them)."""
    from cerchia.notifications.tasks import send_deliveries

    now = timezone.now()
    later: dict[datetime, list[int]] = defaultdict(list)
    due: list[int] = []
    for pk, at in EmailDelivery.objects.filter(
        dedupe_key__in=keys, status=EmailDelivery.Status.PENDING
    ).values_list("pk", "next_attempt_at"):
        (due if at <= now else later[at]).append(pk)
    if due:
        send_deliveries.enqueue(due)
    if later and send_deliveries.get_backend().supports_defer:
        for at, ids in later.items():
            send_deliveries.using(run_after=at).enqueue(ids)


# --- Sending --------------------------------------------------------------------------


def send_delivery(delivery_id: int) -> str:
    """Send one delivery if it is due and not already taken; its status afterwards."""
    now = timezone.now()
    claimed = EmailDelivery.objects.filter(
        pk=delivery_id,
        status__in=[EmailDelivery.Status.PENDING, EmailDelivery.Status.FAILED],
        next_attempt_at__lte=now,
    ).update(status=EmailDelivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    delivery = EmailDelivery.objects.select_related("recipient").filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    if not claimed:
        return str(delivery.status)
    try:
        message = build_message(delivery)
        if message is None:
            delivery.status = EmailDelivery.Status.SKIPPED
        else:
            message.send()
            delivery.status = EmailDelivery.Status.SENT
            delivery.sent_at = timezone.now()
            delivery.last_error = ""
    except Exception as error:
        logger.warning("Email delivery %s failed: %r", delivery.pk, error)
        delivery.last_error = repr(error)[:2000]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = EmailDelivery.Status.GAVE_UP
        else:
            delivery.status = EmailDelivery.Status.FAILED
            delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
    delivery.save(update_fields=["status", "sent_at", "last_error", "next_attempt_at"])
    if delivery.status == EmailDelivery.Status.FAILED:
        _retry_later(delivery)
    return str(delivery.status)


def _retry_later(delivery: EmailDelivery) -> None:
    from cerchia.notifications.tasks import send_deliveries

    if send_deliveries.get_backend().supports_defer:
        send_deliveries.using(run_after=delivery.next_attempt_at).enqueue([delivery.pk])


def retry_failed_deliveries(limit: int = 500) -> int:
    """Send every delivery whose time has come (failed ones after their wait, ones held
    over quiet hours); a claim left by a worker that died is released first. How many."""
    now = timezone.now()
    EmailDelivery.objects.filter(
        status=EmailDelivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(status=EmailDelivery.Status.FAILED, next_attempt_at=now)
    ids = list(
        EmailDelivery.objects.filter(
            status__in=[EmailDelivery.Status.PENDING, EmailDelivery.Status.FAILED],
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        send_delivery(pk)
    return len(ids)


# --- Messages -------------------------------------------------------------------------


def _language(user: User) -> str:
    languages = dict(settings.LANGUAGES)
    return user.language if user.language in languages else settings.LANGUAGE_CODE


#: Other apps' kinds of email (delivery kind → builder), registered when they load.
MESSAGE_BUILDERS: dict[str, Callable[[EmailDelivery, User], EmailMultiAlternatives | None]] = {}


def build_message(delivery: EmailDelivery) -> EmailMultiAlternatives | None:
    """The email for a delivery in the recipient's language, or None if it is no longer
    wanted (the member changed their mind, lost access, or the digest is empty)."""
    user = delivery.recipient
    if not can_be_notified(user) or not user.email:
        return None
    builder = MESSAGE_BUILDERS.get(delivery.kind)
    if builder is not None:
        with translation.override(_language(user)):
            return builder(delivery, user)
    preference = NotificationPreference.objects.filter(user=user).first()
    with translation.override(_language(user)):
        if delivery.kind == EmailDelivery.Kind.DIGEST:
            return _digest_message(delivery, user, preference)
        return _notification_message(delivery, user, preference)


def _message(
    user: User, what: str, template: str, subject: str, context: dict[str, Any]
) -> EmailMultiAlternatives:
    unsubscribe = unsubscribe_url(user.pk, what)
    context = {
        **context,
        "user": user,
        "site_url": settings.SITE_URL,
        "unsubscribe_url": unsubscribe,
        "preferences_url": settings.SITE_URL + reverse("notifications:preferences"),
    }
    text = render_to_string(f"notifications/email/{template}.txt", context)
    html = render_to_string(f"notifications/email/{template}.html", context)
    message = EmailMultiAlternatives(
        " ".join(subject.split()),
        text,
        None,
        [user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "Content-Language": translation.get_language(),
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _notification_message(
    delivery: EmailDelivery, user: User, preference: NotificationPreference | None
) -> EmailMultiAlternatives | None:
    kind_name = str(delivery.payload.get("kind", ""))
    if delivery.notification_id is None or not effective_email(preference).get(kind_name):
        return None
    notification = (
        visible_notifications(user, Notification.objects.filter(pk=delivery.notification_id))
        .select_related("actor", "topic", "community", "post__community", "post__author")
        .first()
    )
    if notification is None:
        return None
    row = notification_row(notification)
    post = notification.post
    # A post the hosts hid since is named, never quoted.
    excerpt = post.body if post is not None and post.hidden_at is None else ""
    author_line = disclosure = ""
    if post is not None:
        from cerchia.moderation.disclosure import (
            affiliation_text,
            author_affiliation,
            post_disclosure_label,
        )

        # The author's affiliation, and the post's label in its community's language.
        affiliation = affiliation_text(*author_affiliation(post))
        if affiliation and post.author is not None:
            author_line = f"{post.author.name} ({affiliation})"
        disclosure = post_disclosure_label(post, post.community)
    if len(excerpt) > EXCERPT_CHARS:
        excerpt = excerpt[:EXCERPT_CHARS].rstrip() + "…"
    return _message(
        user,
        kind_name,
        "notification",
        row.text,
        {
            "text": row.text,
            "url": settings.SITE_URL + row.url if row.url else settings.SITE_URL,
            "excerpt": excerpt,
            "author_line": author_line,
            "disclosure": disclosure,
            "disclosure_language": post.community.language if post is not None else "",
            "notification": notification,
            "community": row.community,
        },
    )


def _digest_message(
    delivery: EmailDelivery, user: User, preference: NotificationPreference | None
) -> EmailMultiAlternatives | None:
    if preference is None or preference.digest == "off":
        return None
    since = datetime.fromisoformat(str(delivery.payload["since"]))
    until = datetime.fromisoformat(str(delivery.payload["until"]))
    content = digest_content(user, since, until)
    if not content:
        return None
    from django.utils.translation import gettext as _

    subject = (
        _("Your weekly digest from %(site)s")
        if preference.digest == "weekly"
        else _("Your daily digest from %(site)s")
    ) % {"site": "Cerchia"}
    from cerchia.notifications.registry import post_path

    def link(topic: Any) -> str:
        return settings.SITE_URL + post_path(topic.community.slug, topic.pk, 1)

    return _message(
        user,
        DIGEST,
        "digest",
        subject,
        {
            "new_topics": [(topic, link(topic)) for topic in content.new_topics],
            "active_topics": [(topic, link(topic)) for topic in content.active_topics],
            "frequency": preference.digest,
            "since": since,
        },
    )
