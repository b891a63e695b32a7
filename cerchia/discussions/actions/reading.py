"""Reading state and notification levels: what a member has read and wants to hear about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cerchia.communities.models import Community
from cerchia.discussions import permissions
from cerchia.discussions.models import (
    CommunityReadMark,
    NotificationLevel,
    ReadState,
    Subscription,
    Topic,
)
from cerchia.insights.log import record_event

if TYPE_CHECKING:
    from cerchia.accounts.models import User


def mark_read(actor: User, topic: Topic, number: int) -> bool:
    """Advance the member's read position in ``topic`` to post ``number`` (never backwards).

    Returns True if it moved. Signed-out readers and non-members keep no state."""
    if not actor.is_authenticated or not permissions.can_follow_topic(actor, topic):
        return False
    number = max(0, min(int(number), topic.last_post_number))
    now = timezone.now()
    with transaction.atomic():
        moved = ReadState.objects.filter(
            user=actor, topic=topic, last_read_number__lt=number
        ).update(last_read_number=number, updated_at=now)
        if not moved:
            if ReadState.objects.filter(user=actor, topic=topic).exists():
                return False
            try:
                with transaction.atomic():
                    ReadState.objects.create(
                        user=actor, topic=topic, last_read_number=number, updated_at=now
                    )
            except IntegrityError:
                return False
        record_event(
            "topic.read",
            actor=actor,
            community=topic.community,
            subject=topic,
            topic_id=topic.pk,
            number=number,
        )
    return True


def mark_all_read(actor: User, community: Community) -> None:
    """Count every topic of ``community`` with no newer activity as read.

    Raises PermissionDenied/Http404."""
    permissions.check_follow_community(actor, community)
    with transaction.atomic():
        CommunityReadMark.objects.update_or_create(
            user=actor, community=community, defaults={"marked_at": timezone.now()}
        )
        record_event("community.marked_read", actor=actor, community=community)


def _clean_level(level: str) -> str:
    if level not in NotificationLevel.values:
        raise ValidationError({"level": _("Choose watching, tracking or muted.")})
    return level


def set_topic_notification_level(actor: User, topic: Topic, level: str) -> Subscription:
    """Watch, track or mute one topic. Raises PermissionDenied/Http404, ValidationError."""
    level = _clean_level(level)
    permissions.check_follow_topic(actor, topic)
    with transaction.atomic():
        subscription, _created = Subscription.objects.update_or_create(
            user=actor,
            topic=topic,
            defaults={"community": topic.community, "level": level, "updated_at": timezone.now()},
        )
        record_event(
            "topic.notification_level",
            actor=actor,
            community=topic.community,
            subject=topic,
            topic_id=topic.pk,
            level=level,
        )
    return subscription


def set_community_notification_level(actor: User, community: Community, level: str) -> Subscription:
    """Watch, track or mute a whole community. Raises PermissionDenied/Http404, ValidationError."""
    level = _clean_level(level)
    permissions.check_follow_community(actor, community)
    with transaction.atomic():
        subscription, _created = Subscription.objects.update_or_create(
            user=actor,
            community=community,
            topic=None,
            defaults={"level": level, "updated_at": timezone.now()},
        )
        record_event("community.notification_level", actor=actor, community=community, level=level)
    return subscription
