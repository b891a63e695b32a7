"""Announcements reach members two ways: a notification in the app, and an email to those who
agreed to marketing email, with a one-click unsubscribe that withdraws that consent.

The notification shares its key with the opening post's own fan-out (``post:<id>``) and outranks
it, so a member watching the community gets one notification, not two. The email is an
``EmailDelivery`` of its own kind, built when it is sent: consent is checked again then, so a
member who withdrew it in between gets nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cerchia.core.markdown import render_markdown
from cerchia.notifications import emails, events
from cerchia.notifications.emails import MESSAGE_BUILDERS, queue_deliveries
from cerchia.notifications.models import EmailDelivery, Notification
from cerchia.notifications.registry import NotificationKind, actor_name, post_path, register

if TYPE_CHECKING:
    from cerchia.accounts.models import User
    from cerchia.discussions.models import Post
    from cerchia.insights.models import Announcement

#: The ``EmailDelivery.kind`` of an announcement's email.
EMAIL_KIND = "announcement"
#: What an unsubscribe token stops when it stops marketing email (not a notification kind).
MARKETING = "marketing"


# --- The notification in the app --------------------------------------------------------


def _describe(notification: Notification) -> str:
    community = notification.community.name if notification.community is not None else ""
    title = notification.topic.title if notification.topic is not None else ""
    return _("%(actor)s announced in %(community)s: “%(title)s”") % {
        "actor": actor_name(notification),
        "community": community,
        "title": title,
    }


def _target(notification: Notification) -> str | None:
    if notification.community is None or notification.topic_id is None:
        return None
    return post_path(notification.community.slug, notification.topic_id, 1)


ANNOUNCEMENT = register(
    NotificationKind(
        "announcement",
        gettext_lazy("Announcements from a community's hosts"),
        "megaphone",
        _describe,
        _target,
        # Outranks every other kind about the opening post (mentions, watching).
        rank=0,
    )
)


def notify_recipients(announcement: Announcement, post: Post, user_ids: Iterable[int]) -> int:
    """One notification per recipient (the author excepted), keyed like the opening post's
    own fan-out so it replaces rather than doubles it. Two queries; how many were written."""
    now = timezone.now()
    key = f"post:{post.pk}"
    recipients = [pk for pk in dict.fromkeys(user_ids) if pk != announcement.author_id]
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=user_id,
                kind=ANNOUNCEMENT.name,
                dedupe_key=key,
                actor_id=announcement.author_id,
                actor_ids=[announcement.author_id] if announcement.author_id else [],
                community_id=announcement.community_id,
                topic_id=post.topic_id,
                post_id=post.pk,
                created_at=now,
                updated_at=now,
            )
            for user_id in recipients
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    # A notification the post's fan-out wrote first (a mention) becomes the announcement.
    Notification.objects.filter(recipient_id__in=recipients, dedupe_key=key).exclude(
        kind=ANNOUNCEMENT.name
    ).update(kind=ANNOUNCEMENT.name, read_at=None, updated_at=now)
    events.publish_changed(recipients)
    return len(recipients)


# --- The email ---------------------------------------------------------------------------


def unsubscribe_token(user_id: int) -> str:
    """A signed token naming the member whose marketing-email consent one click withdraws
    (the notification emails' token, naming "marketing" as what to stop)."""
    return emails.unsubscribe_token(user_id, MARKETING)


def read_unsubscribe_token(token: str) -> int | None:
    """The user id a marketing token names, or None if it is not one (or not ours)."""
    named = emails.read_unsubscribe_token(token)
    if named is None or named[1] != MARKETING:
        return None
    return named[0]


def unsubscribe_url(user_id: int) -> str:
    token = unsubscribe_token(user_id)
    return settings.SITE_URL + reverse("insights:marketing_unsubscribe", kwargs={"token": token})


def queue_emails(announcement: Announcement, user_ids: Iterable[int]) -> int:
    """Record one email per consenting recipient (sent after commit); how many."""
    deliveries = [
        EmailDelivery(
            recipient_id=user_id,
            kind=EMAIL_KIND,
            payload={"announcement_id": announcement.pk},
            dedupe_key=f"announcement:{announcement.pk}:{user_id}",
        )
        for user_id in dict.fromkeys(user_ids)
    ]
    queue_deliveries(deliveries)
    return len(deliveries)


def announcement_message(delivery: EmailDelivery, user: User) -> EmailMultiAlternatives | None:
    """The announcement's email to ``user`` in their language (the caller chose it), or None
    when it is no longer wanted: consent withdrawn, the announcement or its topic gone, or
    the member may no longer read it."""
    from cerchia.discussions.permissions import check_read_topic
    from cerchia.insights.models import Announcement

    if not user.marketing_consent:
        return None
    announcement = (
        Announcement.objects.select_related("community", "author", "topic", "topic__community")
        .filter(pk=delivery.payload.get("announcement_id"), status=Announcement.Status.SENT)
        .first()
    )
    if announcement is None or announcement.topic is None:
        return None
    topic = announcement.topic
    try:
        check_read_topic(user, topic)
    except (Http404, PermissionDenied):
        return None
    community = announcement.community
    unsubscribe = unsubscribe_url(user.pk)
    context = {
        "announcement": announcement,
        "community": community,
        "author": announcement.author,
        # Sanitised by the renderer: nothing a host writes can run script.
        "body_html": mark_safe(render_markdown(announcement.body)),  # noqa: S308
        "user": user,
        "url": settings.SITE_URL + post_path(topic.community.slug, topic.pk, 1),
        "unsubscribe_url": unsubscribe,
        "preferences_url": settings.SITE_URL + reverse("accounts:settings_privacy"),
    }
    text = render_to_string("insights/announcements/email/announcement.txt", context)
    html = render_to_string("insights/announcements/email/announcement.html", context)
    subject = _("%(community)s: %(title)s") % {
        "community": community.name,
        "title": announcement.title,
    }
    message = EmailMultiAlternatives(
        " ".join(subject.split()),
        text,
        None,
        [user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Content-Language": translation.get_language(),
        },
    )
    message.attach_alternative(html, "text/html")
    return message


MESSAGE_BUILDERS[EMAIL_KIND] = announcement_message
