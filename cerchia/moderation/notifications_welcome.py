"""The welcome's notification: a newcomer's topic still has no reply from anyone else.

Sent to the community's hosts and welcomers (never to the newcomer), once per topic.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cerchia.communities.models import HOST_ROLES, Membership
from cerchia.discussions.models import Post
from cerchia.moderation.models import NewcomerAlert
from cerchia.notifications import events
from cerchia.notifications.models import Notification
from cerchia.notifications.registry import (
    NotificationKind,
    actor_name,
    post_path,
    register,
)


def _describe(notification: Notification) -> str:
    title = notification.topic.title if notification.topic is not None else ""
    return _("“%(title)s” by %(actor)s, who is new here, has no reply yet") % {
        "title": title,
        "actor": actor_name(notification),
    }


def _target(notification: Notification) -> str | None:
    post = notification.post
    if post is None:
        return None
    return post_path(post.community.slug, post.topic_id, post.number)


NEWCOMER_UNANSWERED = register(
    NotificationKind(
        "newcomer_unanswered",
        gettext_lazy("A newcomer's topic without a reply (hosts and welcomers)"),
        "user-plus",
        _describe,
        _target,
    )
)


def notify_newcomer_unanswered(alert_id: int) -> list[Notification]:
    """Tell the hosts and welcomers (active accounts, not the author) about one alert.

    Safe to run twice: one notification per recipient and topic."""
    alert = (
        NewcomerAlert.objects.select_related("topic")
        .filter(pk=alert_id, resolved_at__isnull=True, topic__deleted_at__isnull=True)
        .first()
    )
    if alert is None:
        return []
    topic = alert.topic
    opening = Post.objects.filter(topic=topic, number=1).first()
    recipients = [
        user_id
        for user_id in Membership.objects.filter(
            community_id=topic.community_id, user__suspended_at__isnull=True
        )
        .filter(Q(role__in=HOST_ROLES) | Q(is_welcomer=True))
        .values_list("user_id", flat=True)
        if user_id != topic.author_id
    ]
    if not recipients:
        return []
    key = f"newcomer_unanswered:{topic.pk}"
    now = timezone.now()
    with transaction.atomic():
        existing = set(
            Notification.objects.filter(recipient_id__in=recipients, dedupe_key=key).values_list(
                "recipient_id", flat=True
            )
        )
        fresh = [
            Notification(
                recipient_id=user_id,
                kind=NEWCOMER_UNANSWERED.name,
                dedupe_key=key,
                actor_id=topic.author_id,
                actor_ids=[topic.author_id] if topic.author_id else [],
                community_id=topic.community_id,
                topic_id=topic.pk,
                post_id=opening.pk if opening is not None else None,
                created_at=now,
                updated_at=now,
            )
            for user_id in recipients
            if user_id not in existing
        ]
        Notification.objects.bulk_create(fresh, ignore_conflicts=True)
        events.publish_changed([n.recipient_id for n in fresh])
    return fresh
