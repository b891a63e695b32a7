"""Writing announcements: schedule one, change its time, cancel it, and send it.

Sending computes the recipients at that moment (the whole community's active members, or
the segment's members now), opens the announcement topic through the discussions actions
(restricted to its audience for a segment), records every recipient, notifies them in the
app and queues an email for those who agreed to marketing email. A scheduled announcement is
claimed with a conditional update (scheduled → sending) in the sending transaction, so two
workers never send it twice.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cerchia.accounts.models import User
from cerchia.communities.models import HOST_ROLES, Membership
from cerchia.discussions.actions.posts import create_topic
from cerchia.discussions.models import Post, Topic, TopicAudience, TopicKind
from cerchia.discussions.permissions import can_create_topic
from cerchia.insights import notifications_announcements as delivery
from cerchia.insights.log import record_event
from cerchia.insights.models import Announcement, AnnouncementRecipient, Segment
from cerchia.insights.permissions import check_announcement, check_send_announcement

if TYPE_CHECKING:
    from cerchia.communities.models import Community
    from cerchia.discussions.permissions import Actor

logger = logging.getLogger(__name__)

TITLE_MIN = 3
TITLE_MAX = 200
BODY_MAX = 50_000
KEY_MAX = 80
#: How many due announcements one pass of the periodic task sends.
DUE_BATCH = 20

Status = Announcement.Status


# --- Validation ----------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = " ".join((title or "").replace("\x00", "").split())
    if len(title) < TITLE_MIN:
        raise ValidationError(
            {
                "title": _("Give the announcement a title of at least %(min)d characters.")
                % {"min": TITLE_MIN}
            }
        )
    if len(title) > TITLE_MAX:
        raise ValidationError(
            {"title": _("Keep the title under %(max)d characters.") % {"max": TITLE_MAX}}
        )
    return title


def _clean_body(body: str) -> str:
    if "\x00" in (body or ""):
        raise ValidationError({"body": _("The message contains a character that is not allowed.")})
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    if len(body) > BODY_MAX:
        raise ValidationError(
            {"body": _("Keep the message under %(max)d characters.") % {"max": BODY_MAX}}
        )
    return body


def _clean_key(key: str) -> str:
    key = (key or "").strip()
    if len(key) > KEY_MAX or "\x00" in key:
        raise ValidationError(
            {"idempotency_key": _("An idempotency key has at most 80 characters.")}
        )
    return key


def _clean_segment(community: Community, segment: Segment | int | None) -> Segment | None:
    if segment is None:
        return None
    segment_id = segment.pk if isinstance(segment, Segment) else segment
    found = Segment.objects.filter(pk=segment_id, community=community).first()
    if found is None:
        raise ValidationError({"segment": _("Choose one of this community's segments.")})
    return found


def _clean_send_at(send_at: datetime | None, now: datetime) -> datetime | None:
    """None (or a moment already past) sends now; a naive time is refused."""
    if send_at is None:
        return None
    if timezone.is_naive(send_at):
        raise ValidationError({"send_at": _("Give the time with its timezone.")})
    if send_at <= now:
        return None
    return send_at


# --- Scheduling ----------------------------------------------------------------------------


def create_announcement(
    actor: User,
    community: Community,
    *,
    title: str,
    body: str,
    segment: Segment | int | None = None,
    send_email: bool = True,
    send_at: datetime | None = None,
    idempotency_key: str = "",
) -> Announcement:
    """Schedule an announcement, or send it now when ``send_at`` is None or past.

    Raises PermissionDenied/Http404 (hosts only), ValidationError (fields, a segment of
    another community). A repeated ``idempotency_key`` returns the first announcement."""
    check_send_announcement(actor, community)
    if not can_create_topic(actor, community, TopicKind.ANNOUNCEMENT):
        # A site admin who is not a member, or a muted host: the topic could not be opened.
        raise ValidationError(
            _("Only the community's hosts who may post there can send announcements.")
        )
    title = _clean_title(title)
    body = _clean_body(body)
    key = _clean_key(idempotency_key)
    chosen = _clean_segment(community, segment)
    now = timezone.now()
    later = _clean_send_at(send_at, now)
    if key:
        existing = Announcement.objects.filter(author=actor, idempotency_key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            announcement = Announcement.objects.create(
                community=community,
                author=actor,
                title=title,
                body=body,
                segment=chosen,
                audience_name=chosen.name if chosen is not None else "",
                send_email=bool(send_email),
                status=Status.SCHEDULED,
                send_at=later or now,
                idempotency_key=key,
                created_at=now,
            )
            record_event(
                "insights.announcement_scheduled",
                actor=actor,
                community=community,
                subject=announcement,
                send_at=announcement.send_at.isoformat(),
                segment_id=chosen.pk if chosen is not None else None,
                send_email=announcement.send_email,
            )
    except IntegrityError:
        # The same key, submitted twice at once: the first one stands.
        existing = Announcement.objects.filter(author=actor, idempotency_key=key).first()
        if existing is None:
            raise
        return existing
    if later is None:
        send_announcement(announcement.pk)
        announcement.refresh_from_db()
    return announcement


def reschedule_announcement(actor: Actor, announcement: Announcement, send_at: datetime) -> None:
    """Move a scheduled announcement to another time (in the future).

    Raises PermissionDenied/Http404 (hosts only), ValidationError when it is no longer
    scheduled or the time is not in the future."""
    check_announcement(actor, announcement)
    if timezone.is_naive(send_at) or send_at <= timezone.now():
        raise ValidationError({"send_at": _("Choose a time in the future.")})
    with transaction.atomic():
        moved = Announcement.objects.filter(pk=announcement.pk, status=Status.SCHEDULED).update(
            send_at=send_at
        )
        if not moved:
            raise ValidationError(_("Only a scheduled announcement can be rescheduled."))
        record_event(
            "insights.announcement_scheduled",
            actor=actor,
            community=announcement.community,
            subject=announcement,
            send_at=send_at.isoformat(),
            rescheduled=True,
        )
    announcement.send_at = send_at


def cancel_announcement(actor: Actor, announcement: Announcement) -> None:
    """Cancel a scheduled announcement before it is sent.

    Raises PermissionDenied/Http404 (hosts only), ValidationError once it was sent."""
    check_announcement(actor, announcement)
    with transaction.atomic():
        cancelled = Announcement.objects.filter(pk=announcement.pk, status=Status.SCHEDULED).update(
            status=Status.CANCELLED
        )
        if not cancelled:
            raise ValidationError(_("Only a scheduled announcement can be cancelled."))
        record_event(
            "insights.announcement_cancelled",
            actor=actor,
            community=announcement.community,
            subject=announcement,
            reason="host",
        )
    announcement.status = Status.CANCELLED


# --- Sending -------------------------------------------------------------------------------


def _active(users: QuerySet[User]) -> QuerySet[User]:
    return users.filter(
        is_active=True, is_bot=False, suspended_at__isnull=True, deleted_at__isnull=True
    )


def recipients_now(announcement: Announcement) -> QuerySet[User]:
    """Who the announcement goes to at this moment: the community's active members, or the
    segment's (raises RuleError for a segment whose rules no longer hold)."""
    if announcement.segment is None:
        return _active(User.objects.filter(memberships__community_id=announcement.community_id))
    from cerchia.insights.segments import members_of

    return _active(members_of(announcement.segment))


def _give_up(announcement: Announcement, reason: str) -> None:
    Announcement.objects.filter(pk=announcement.pk).update(status=Status.CANCELLED)
    record_event(
        "insights.announcement_cancelled",
        actor=None,
        community=announcement.community,
        subject=announcement,
        reason=reason,
    )


def send_announcement(announcement_id: int) -> bool:
    """Send a scheduled announcement once, whoever calls; False when there was nothing to
    send (already claimed, sent or cancelled). An announcement that can no longer go (its
    author is no longer a host, its segment was deleted or broke) is cancelled with the
    reason recorded. A fixed number of queries whatever the number of recipients."""
    from cerchia.insights.segments import RuleError

    with transaction.atomic():
        claimed = Announcement.objects.filter(pk=announcement_id, status=Status.SCHEDULED).update(
            status=Status.SENDING
        )
        if not claimed:
            return False
        announcement = Announcement.objects.select_related("community", "author", "segment").get(
            pk=announcement_id
        )
        community = announcement.community
        author = announcement.author
        if author is None or author.deleted_at is not None:
            _give_up(announcement, "author_gone")
            return False
        if announcement.segment_id is None and announcement.audience_name:
            _give_up(announcement, "segment_deleted")
            return False
        try:
            recipient_rows = list(
                recipients_now(announcement).values_list("pk", "marketing_consent", "email")
            )
        except RuleError:
            _give_up(announcement, "segment_invalid")
            return False
        try:
            with transaction.atomic():
                topic = create_topic(
                    author,
                    community,
                    title=announcement.title,
                    body=announcement.body,
                    kind=TopicKind.ANNOUNCEMENT,
                    screen=False,
                )
        except (PermissionDenied, Http404, ValidationError):
            _give_up(announcement, "author_cannot_post")
            return False
        recipient_ids = [pk for pk, _consent, _email in recipient_rows]
        if announcement.segment is not None:
            Topic.objects.filter(pk=topic.pk).update(restricted=True)
            # The object the topic's live events will read at commit: nothing reaches the
            # community's channel.
            topic.restricted = True
            hosts = Membership.objects.filter(community=community, role__in=HOST_ROLES).values_list(
                "user_id", flat=True
            )
            audience = {*recipient_ids, author.pk, *hosts}
            TopicAudience.objects.bulk_create(
                [TopicAudience(topic=topic, user_id=user_id) for user_id in audience],
                ignore_conflicts=True,
                batch_size=1000,
            )
        emailed: list[int] = []
        rows = []
        for pk, consent, email in recipient_rows:
            state = AnnouncementRecipient.Email.NONE
            if announcement.send_email:
                if consent and email:
                    state = AnnouncementRecipient.Email.QUEUED
                    emailed.append(pk)
                else:
                    state = AnnouncementRecipient.Email.NO_CONSENT
            rows.append(AnnouncementRecipient(announcement=announcement, user_id=pk, email=state))
        AnnouncementRecipient.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        opening = Post.objects.get(topic=topic, number=1)
        delivery.notify_recipients(announcement, opening, recipient_ids)
        delivery.queue_emails(announcement, emailed)
        now = timezone.now()
        Announcement.objects.filter(pk=announcement.pk).update(
            status=Status.SENT,
            sent_at=now,
            topic=topic,
            recipient_count=len(recipient_ids),
            email_count=len(emailed),
            audience_name=announcement.segment.name if announcement.segment else "",
        )
        record_event(
            "insights.announcement_sent",
            actor=author,
            community=community,
            subject=announcement,
            topic_id=topic.pk,
            segment_id=announcement.segment_id,
            recipients=len(recipient_ids),
            emails=len(emailed),
        )
    return True


def send_due_announcements(now: datetime | None = None, limit: int = DUE_BATCH) -> int:
    """Send the scheduled announcements whose time has come (the periodic task); how many
    this run sent. Safe to run twice or at once: each is claimed before it is sent."""
    now = now or timezone.now()
    due = list(
        Announcement.objects.filter(status=Status.SCHEDULED, send_at__lte=now)
        .order_by("send_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in due:
        try:
            sent += send_announcement(pk)
        except Exception:
            # One broken announcement must not hold back the others; it stays scheduled
            # (its transaction rolled back) and is tried again on the next pass.
            logger.exception("Could not send announcement %s", pk)
    return sent
