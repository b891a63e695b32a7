"""Reading notifications and preferences, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q

from cerchia.communities.models import Community
from cerchia.core.pagination import Page, keyset_page
from cerchia.discussions.models import NotificationLevel, Post, Subscription, Topic
from cerchia.discussions.permissions import audience_filter, member_communities
from cerchia.notifications.models import Notification, NotificationPreference
from cerchia.notifications.permissions import check_see_notification, visible_notifications
from cerchia.notifications.registry import REGISTRY, emailable_kinds, notification_community

PAGE_SIZE = 30
ORDERING = ("-updated_at", "-id")


@dataclass(frozen=True)
class NotificationRow:
    notification: Notification
    text: str
    icon: str
    url: str | None

    @property
    def id(self) -> int:
        return self.notification.pk

    @property
    def is_unread(self) -> bool:
        return self.notification.read_at is None

    @property
    def community(self) -> Any:
        return notification_community(self.notification)


def notification_row(notification: Notification) -> NotificationRow:
    kind = REGISTRY.get(notification.kind)
    if kind is None:
        return NotificationRow(notification, notification.kind, "bell", None)
    return NotificationRow(
        notification, kind.describe(notification), kind.icon, kind.target(notification)
    )


def _visible(actor: Any, queryset: Any) -> Any:
    """The actor's visible notifications, less those about restricted topics they are not in
    the audience of (a condition in the same query)."""
    return visible_notifications(actor, queryset).filter(
        Q(topic__isnull=True) | audience_filter(actor, "topic__")
    )


def _loaded(actor: Any) -> Any:
    return _visible(actor, Notification.objects.all()).select_related(
        "actor", "topic", "community", "post__community"
    )


def list_notifications(
    actor: Any, *, cursor: str | None = None, unread: bool = False, limit: int = PAGE_SIZE
) -> Page[Any]:
    """The actor's notifications, newest activity first, as rows (one query).

    Raises InvalidCursor for a cursor that does not decode."""
    queryset = _loaded(actor)
    if unread:
        queryset = queryset.filter(read_at__isnull=True)
    page = keyset_page(queryset, ORDERING, cursor, limit)
    return Page(items=[notification_row(n) for n in page.items], next_cursor=page.next_cursor)


def count_unread(actor: Any) -> int:
    """How many of the actor's visible notifications are unread (one query; 0 signed out)."""
    if not actor.is_authenticated:
        return 0
    return _visible(actor, Notification.objects.filter(read_at__isnull=True)).count()


def get_notification(actor: Any, notification_id: int) -> Notification:
    """One of the actor's visible notifications; Http404 otherwise."""
    from django.http import Http404

    notification = _loaded(actor).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    check_see_notification(actor, notification)
    return notification


# --- Preferences ----------------------------------------------------------------------


@dataclass(frozen=True)
class Preferences:
    """A member's effective choices: the stored ones over the registry's defaults."""

    email: dict[str, bool]
    digest: str
    quiet_start: Any
    quiet_end: Any
    language: str
    timezone: str


def effective_email(preference: NotificationPreference | None) -> dict[str, bool]:
    stored = preference.email_kinds if preference is not None else {}
    return {
        kind.name: bool(stored.get(kind.name, kind.email_default)) for kind in emailable_kinds()
    }


def get_preferences(actor: Any) -> Preferences:
    """The actor's notification preferences (defaults when never saved)."""
    preference = NotificationPreference.objects.filter(user=actor).first()
    return Preferences(
        email=effective_email(preference),
        digest=preference.digest if preference else "off",
        quiet_start=preference.quiet_start if preference else None,
        quiet_end=preference.quiet_end if preference else None,
        language=actor.language,
        timezone=actor.timezone,
    )


# --- Digest ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestContent:
    new_topics: Sequence[Topic]
    active_topics: Sequence[Topic]

    def __bool__(self) -> bool:
        return bool(self.new_topics or self.active_topics)


DIGEST_LIMIT = 15


def digest_content(user: Any, since: datetime, until: datetime) -> DigestContent:
    """New topics and topics with new replies in the user's communities between ``since``
    and ``until``: only what they may read, nothing muted, nothing only they wrote."""
    communities = member_communities(user, Community.objects.all())
    muted_communities = Subscription.objects.filter(
        user=user, topic__isnull=True, level=NotificationLevel.MUTED
    ).values("community_id")
    muted_topics = Subscription.objects.filter(
        user=user, topic__isnull=False, level=NotificationLevel.MUTED
    ).values("topic_id")
    topics = (
        Topic.objects.filter(
            audience_filter(user), community__in=communities, deleted_at__isnull=True
        )
        .exclude(community_id__in=muted_communities)
        .exclude(pk__in=muted_topics)
        .select_related("community", "author")
    )
    new_topics = list(
        topics.filter(created_at__gt=since, created_at__lte=until)
        .exclude(author=user)
        .order_by("-created_at", "-id")[:DIGEST_LIMIT]
    )
    new_posts = Post.objects.filter(
        created_at__gt=since, created_at__lte=until, deleted_at__isnull=True, number__gt=1
    ).exclude(author=user)
    active_topics = list(
        topics.filter(created_at__lte=since, last_posted_at__gt=since)
        .annotate(
            new_replies=Count(
                "posts",
                filter=Q(posts__in=new_posts),
            )
        )
        .filter(new_replies__gt=0)
        .order_by("-last_posted_at", "-id")[:DIGEST_LIMIT]
    )
    return DigestContent(new_topics=new_topics, active_topics=active_topics)
