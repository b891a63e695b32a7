"""The welcome: the hosts' message and introductions topic, the welcomers, and no newcomer
left unanswered.

Each action checks the actor's rights, writes in one transaction and records an event;
notifications go out after commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from cerchia.communities.models import Community, Membership, Role
from cerchia.communities.permissions import forget_access, get_access
from cerchia.core.markdown import render_markdown
from cerchia.discussions.models import Post, Topic
from cerchia.insights.log import record_event
from cerchia.moderation import permissions
from cerchia.moderation.models import ModerationSettings, NewcomerAlert, WelcomeDismissal
from cerchia.moderation.screening import settings_for

if TYPE_CHECKING:
    from cerchia.accounts.models import User

MAX_WELCOME_LENGTH = 5000
MIN_UNANSWERED_HOURS = 1
MAX_UNANSWERED_HOURS = 720
MAX_WELCOMERS = 50
#: Topics older than this are never raised, whatever a community's settings.
ALERT_LOOKBACK = timedelta(days=30)


# --- The hosts' settings --------------------------------------------------------------------


def _clean_text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: _("Text cannot contain NUL characters.")})
    if len(value) > limit:
        raise ValidationError({field: _("Keep it under %(limit)d characters.") % {"limit": limit}})
    return value


def _introductions_topic(community: Community, topic_id: int | None) -> Topic | None:
    if topic_id is None:
        return None
    topic = Topic.objects.filter(pk=topic_id, community=community, deleted_at__isnull=True).first()
    if topic is None:
        raise ValidationError({"introductions_topic": _("Choose one of this community's topics.")})
    return topic


def update_welcome(
    actor: User,
    community: Community,
    *,
    welcome_message: str,
    introductions_topic_id: int | None,
    unanswered_hours: int,
) -> ModerationSettings:
    """Set the welcome message, the introductions topic and the hours before a newcomer's
    unanswered topic is raised. Raises PermissionDenied/Http404, ValidationError."""
    permissions.check_manage_welcome(actor, community)
    message = _clean_text(welcome_message, "welcome_message", MAX_WELCOME_LENGTH)
    if not MIN_UNANSWERED_HOURS <= unanswered_hours <= MAX_UNANSWERED_HOURS:
        raise ValidationError(
            {
                "unanswered_hours": _("Choose between %(low)d and %(high)d hours.")
                % {"low": MIN_UNANSWERED_HOURS, "high": MAX_UNANSWERED_HOURS}
            }
        )
    topic = _introductions_topic(community, introductions_topic_id)
    with transaction.atomic():
        settings, _created = ModerationSettings.objects.select_for_update().get_or_create(
            community=community
        )
        changed = []
        if settings.welcome_message != message:
            changed.append("welcome_message")
        if settings.introductions_topic_id != (topic.pk if topic else None):
            changed.append("introductions_topic")
        if settings.unanswered_hours != unanswered_hours:
            changed.append("unanswered_hours")
        settings.welcome_message = message
        settings.welcome_message_html = render_markdown(message) if message else ""
        settings.introductions_topic = topic
        settings.unanswered_hours = unanswered_hours
        settings.save()
        record_event(
            "moderation.welcome_updated",
            actor=actor,
            community=community,
            subject=settings,
            fields=changed,
        )
    community.moderation_settings = settings
    return settings


# --- Welcomers ------------------------------------------------------------------------------


def _memberships_by_handle(community: Community, handles: list[str]) -> list[Membership]:
    wanted = {}
    for raw in handles:
        handle = str(raw).strip().removeprefix("@")
        if "\x00" in handle or not handle or len(handle) > 64:
            raise ValidationError({"handles": _("Give each welcomer's handle.")})
        wanted[handle.lower()] = handle
    found = {
        membership.user.handle.lower(): membership
        for membership in Membership.objects.filter(community=community)
        .annotate(lower_handle=Lower("user__handle"))
        .filter(lower_handle__in=list(wanted))
        .select_related("user")
    }
    missing = [wanted[key] for key in wanted if key not in found]
    if missing:
        raise ValidationError(
            {
                "handles": _("Not a member here: %(handles)s.")
                % {"handles": ", ".join(f"@{handle}" for handle in missing)}
            }
        )
    suspended = [m.user.handle for m in found.values() if m.user.suspended_at is not None]
    if suspended:
        raise ValidationError(
            {
                "handles": _("A suspended account cannot welcome anyone: %(handles)s.")
                % {"handles": ", ".join(f"@{handle}" for handle in suspended)}
            }
        )
    return list(found.values())


def set_welcomers(actor: User, community: Community, handles: list[str]) -> list[Membership]:
    """Make exactly these members (by handle) the community's welcomers.

    Raises PermissionDenied/Http404, ValidationError (someone who is not a member here)."""
    permissions.check_manage_welcome(actor, community)
    if len(handles) > MAX_WELCOMERS:
        raise ValidationError(
            {"handles": _("At most %(count)d welcomers.") % {"count": MAX_WELCOMERS}}
        )
    chosen = _memberships_by_handle(community, handles)
    chosen_ids = {membership.pk for membership in chosen}
    with transaction.atomic():
        current = set(
            Membership.objects.select_for_update()
            .filter(community=community, is_welcomer=True)
            .values_list("pk", flat=True)
        )
        added = sorted(chosen_ids - current)
        removed = sorted(current - chosen_ids)
        Membership.objects.filter(pk__in=added).update(is_welcomer=True)
        Membership.objects.filter(pk__in=removed).update(is_welcomer=False)
        if added or removed:
            record_event(
                "moderation.welcomers_changed",
                actor=actor,
                community=community,
                subject=community,
                added=added,
                removed=removed,
            )
    forget_access(community)
    return list_welcomers(community)


def list_welcomers(community: Community) -> list[Membership]:
    """The community's welcomers, by name."""
    return sorted(
        Membership.objects.filter(community=community, is_welcomer=True).select_related("user"),
        key=lambda membership: membership.user.name.lower(),
    )


def add_welcomer(actor: User, community: Community, handle: str) -> list[Membership]:
    """Add one member to the welcomers. Raises PermissionDenied/Http404, ValidationError."""
    permissions.check_manage_welcome(actor, community)
    handles = [m.user.handle for m in list_welcomers(community)]
    return set_welcomers(actor, community, [*handles, handle])


def remove_welcomer(actor: User, community: Community, handle: str) -> list[Membership]:
    """Take one member off the welcomers (someone not on the rota is a no-op)."""
    permissions.check_manage_welcome(actor, community)
    wanted = handle.strip().removeprefix("@").lower()
    handles = [m.user.handle for m in list_welcomers(community) if m.user.handle.lower() != wanted]
    return set_welcomers(actor, community, handles)


# --- The welcome panel ----------------------------------------------------------------------


def dismiss_welcome(actor: User, community: Community) -> None:
    """Close the welcome panel for good (doing it twice is harmless). Members only."""
    permissions.check_read_community(actor, community)
    access = get_access(actor, community)
    if not access.is_member:
        raise PermissionDenied(_("Only members see the welcome."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                dismissal = WelcomeDismissal.objects.create(community=community, user=actor)
        except IntegrityError:
            return
        record_event(
            "moderation.welcome_dismissed", actor=actor, community=community, subject=dismissal
        )


# --- No newcomer unanswered -----------------------------------------------------------------


def _answered_by_someone_else() -> Exists:
    return Exists(
        Post.objects.filter(topic=OuterRef("topic_id"), deleted_at__isnull=True).exclude(
            author_id=OuterRef("topic__author_id")
        )
    )


def resolve_answered_alerts(now: datetime | None = None) -> int:
    """Close the open alerts whose topic has since had a reply from someone else."""
    now = now or timezone.now()
    answered = list(
        NewcomerAlert.objects.filter(resolved_at__isnull=True)
        .filter(_answered_by_someone_else())
        .values_list("pk", flat=True)
    )
    if not answered:
        return 0
    with transaction.atomic():
        count = NewcomerAlert.objects.filter(pk__in=answered, resolved_at__isnull=True).update(
            resolved_at=now
        )
        record_event("moderation.newcomer_alerts_resolved", actor=None, alert_ids=answered)
    return count


def _candidates(now: datetime) -> list[Topic]:
    """Recent topics by members, with no alert yet and no reply from anyone but the author."""
    joined = Membership.objects.filter(
        community=OuterRef("community_id"), user=OuterRef("author_id"), role=Role.MEMBER
    ).values("joined_at")[:1]
    others = Post.objects.filter(topic=OuterRef("pk"), deleted_at__isnull=True).exclude(
        author_id=OuterRef("author_id")
    )
    return list(
        Topic.objects.filter(
            created_at__gte=now - ALERT_LOOKBACK,
            created_at__lte=now - timedelta(hours=MIN_UNANSWERED_HOURS),
            deleted_at__isnull=True,
            author__isnull=False,
            author__suspended_at__isnull=True,
        )
        .annotate(author_joined_at=Subquery(joined))
        .filter(author_joined_at__isnull=False)
        .exclude(Exists(NewcomerAlert.objects.filter(topic=OuterRef("pk"))))
        .exclude(Exists(others))
        .select_related("community")
        .order_by("created_at", "id")
    )


def raise_unanswered_newcomer_topics(now: datetime | None = None) -> list[NewcomerAlert]:
    """Raise, once each, newcomers' topics without a reply from someone else after the
    community's unanswered hours; tell the hosts and welcomers. Resolves answered ones first.

    Safe to run twice: a topic is raised at most once."""
    from cerchia.moderation.notifications_welcome import notify_newcomer_unanswered

    now = now or timezone.now()
    resolve_answered_alerts(now)
    raised = []
    for topic in _candidates(now):
        settings = settings_for(topic.community)
        if topic.created_at > now - timedelta(hours=settings.unanswered_hours):
            continue
        joined_at: datetime = topic.author_joined_at  # type: ignore[attr-defined]
        if topic.created_at > joined_at + timedelta(days=settings.newcomer_days):
            continue  # the author was no longer new when they asked
        try:
            with transaction.atomic():
                alert = NewcomerAlert.objects.create(
                    topic=topic, community=topic.community, raised_at=now
                )
                record_event(
                    "moderation.newcomer_unanswered",
                    actor=None,
                    community=topic.community,
                    subject=topic,
                    alert_id=alert.pk,
                    author_id=topic.author_id,
                )
                transaction.on_commit(partial(notify_newcomer_unanswered, alert.pk))
        except IntegrityError:
            continue  # raised by another run this instant
        raised.append(alert)
    return raised
