"""Notifications about sanctions: the member hears of each sanction and of their appeal's answer.

Both lead to the member's own standing page, which lists their sanctions everywhere
(a banned member can no longer open the community itself).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cerchia.notifications.registry import (
    NotificationKind,
    actor_name,
    notification_community,
    register,
)

if TYPE_CHECKING:
    from cerchia.notifications.models import Notification


def _community_name(notification: Notification) -> str:
    community = notification_community(notification)
    return community.name if community is not None else ""


def _described(notification: Notification) -> str:
    step = (notification.data or {}).get("step", "")
    values = {"community": _community_name(notification)}
    if step == "nudge":
        return _("You received a nudge from the hosts of %(community)s") % values
    if step == "warning":
        return _("You received a warning in %(community)s") % values
    if step == "mute":
        return _("You were muted in %(community)s for a while") % values
    if step == "ban":
        return _("You were banned from %(community)s") % values
    return _("You received a sanction in %(community)s") % values


def _appeal_described(notification: Notification) -> str:
    values = {"community": _community_name(notification)}
    if (notification.data or {}).get("granted"):
        return _("Your appeal in %(community)s was granted") % values
    return _("Your appeal in %(community)s was answered: the sanction stands") % values


def _standing(notification: Notification) -> str | None:
    return reverse("moderation:standing")


def _appeal_received(notification: Notification) -> str:
    return _("%(actor)s appealed a sanction in %(community)s") % {
        "actor": actor_name(notification),
        "community": _community_name(notification),
    }


def _appeals(notification: Notification) -> str | None:
    if notification.community is None:
        return None
    return reverse("moderation:appeals", kwargs={"slug": notification.community.slug})


SANCTION = register(
    NotificationKind(
        "sanction",
        gettext_lazy("Sanctions from a community's hosts"),
        "shield",
        _described,
        _standing,
    )
)
APPEAL_ANSWERED = register(
    NotificationKind(
        "appeal_answered",
        gettext_lazy("Answers to your appeals"),
        "shield",
        _appeal_described,
        _standing,
    )
)

APPEAL_RECEIVED = register(
    NotificationKind(
        "appeal_received",
        gettext_lazy("Appeals to your community's hosts"),
        "message-square",
        _appeal_received,
        _appeals,
    )
)


def _create(
    recipient_id: int,
    key: str,
    kind: str,
    actor_id: int | None,
    community_id: int,
    data: dict[str, object],
) -> None:
    from cerchia.notifications import events
    from cerchia.notifications.models import Notification

    with transaction.atomic():
        _notification, created = Notification.objects.get_or_create(
            recipient_id=recipient_id,
            dedupe_key=key,
            defaults={
                "kind": kind,
                "actor_id": actor_id,
                "actor_ids": [actor_id] if actor_id else [],
                "community_id": community_id,
                "data": data,
            },
        )
    if created:
        events.publish_changed([recipient_id])


def notify_sanction(sanction_id: int) -> None:
    """Tell the member about their sanction (once)."""
    from cerchia.moderation.models import Sanction

    sanction = Sanction.objects.filter(pk=sanction_id).first()
    if sanction is None:
        return
    _create(
        sanction.member_id,
        f"sanction:{sanction.pk}",
        SANCTION.name,
        sanction.created_by_id,
        sanction.community_id,
        {"step": sanction.kind},
    )


def notify_appeal_answer(appeal_id: int) -> None:
    """Tell the member how their appeal was answered (once)."""
    from cerchia.moderation.models import Appeal

    appeal = Appeal.objects.filter(pk=appeal_id).select_related("sanction").first()
    if appeal is None or appeal.status == Appeal.Status.PENDING:
        return
    _create(
        appeal.sanction.member_id,
        f"appeal:{appeal.pk}",
        APPEAL_ANSWERED.name,
        appeal.decided_by_id,
        appeal.sanction.community_id,
        {"granted": appeal.status == Appeal.Status.GRANTED},
    )


def notify_appeal(appeal_id: int) -> None:
    """Tell the community's hosts that a member appealed (once each)."""
    from cerchia.communities.models import HOST_ROLES, Membership
    from cerchia.moderation.models import Appeal
    from cerchia.notifications.permissions import can_be_notified

    appeal = Appeal.objects.filter(pk=appeal_id).select_related("sanction").first()
    if appeal is None:
        return
    sanction = appeal.sanction
    hosts = Membership.objects.filter(
        community_id=sanction.community_id, role__in=HOST_ROLES
    ).select_related("user")
    for membership in hosts:
        if membership.user_id == sanction.member_id or not can_be_notified(membership.user):
            continue
        _create(
            membership.user_id,
            f"appeal_received:{appeal.pk}",
            APPEAL_RECEIVED.name,
            sanction.member_id,
            sanction.community_id,
            {},
        )
