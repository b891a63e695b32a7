"""Writing notifications: fan-out after posts, reactions, answers and join decisions;
reading them, and members' choices.

Fan-out runs in the task worker, after the change committed. Each is safe to run
twice: a notification is unique per recipient and subject (``dedupe_key``), and an
email per delivery key.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cerchia.accounts.models import User
from cerchia.communities.models import JoinRequest
from cerchia.discussions.models import Mention, NotificationLevel, Post, Reaction, Subscription
from cerchia.insights.models import Event
from cerchia.moderation.queries_blocks import between as blocks_between
from cerchia.moderation.queries_blocks import not_blocked_with
from cerchia.notifications import events
from cerchia.notifications.emails import DIGEST, queue_deliveries, quiet_until
from cerchia.notifications.models import (
    DigestFrequency,
    EmailDelivery,
    Notification,
    NotificationPreference,
)
from cerchia.notifications.permissions import (
    check_manage_notifications,
    check_see_notification,
    readers_of_post,
)
from cerchia.notifications.queries import effective_email
from cerchia.notifications.registry import (
    ACCEPTED_ANSWER,
    JOIN_REQUEST_APPROVED,
    JOIN_REQUEST_DECLINED,
    MENTIONED,
    QUOTED,
    REACTION,
    REGISTRY,
    REPLIED,
    WATCHING,
    emailable_kinds,
)

MAX_ACTORS = 50


def _effective_levels(rows: Sequence[tuple[int, int | None, str]]) -> dict[int, str]:
    """Per user: the topic's level, else the community's (rows of user, topic, level)."""
    topic_level: dict[int, str] = {}
    community_level: dict[int, str] = {}
    for user_id, topic_id, level in rows:
        (topic_level if topic_id is not None else community_level)[user_id] = level
    return {
        user_id: topic_level.get(user_id) or community_level[user_id]
        for user_id in set(topic_level) | set(community_level)
    }


def _queue_emails(notifications: list[Notification]) -> None:
    """Emails for the notifications whose recipients want that kind by email at once,
    held until their quiet hours end. One query for the preferences."""
    wanted = [n for n in notifications if REGISTRY[n.kind].emailable]
    if not wanted:
        return
    preferences = {
        preference.user_id: preference
        for preference in NotificationPreference.objects.filter(
            user_id__in={n.recipient_id for n in wanted}
        )
    }
    now = timezone.now()
    deliveries = []
    for notification in wanted:
        preference = preferences.get(notification.recipient_id)
        if not effective_email(preference).get(notification.kind):
            continue
        held = None
        if preference is not None:
            held = quiet_until(
                preference.quiet_start,
                preference.quiet_end,
                notification.recipient.timezone,
                now,
            )
        deliveries.append(
            EmailDelivery(
                recipient_id=notification.recipient_id,
                kind=EmailDelivery.Kind.NOTIFICATION,
                notification_id=notification.pk,
                payload={"kind": notification.kind},
                dedupe_key=f"notification:{notification.pk}:{notification.kind}",
                next_attempt_at=held or now,
            )
        )
    queue_deliveries(deliveries)


# --- New posts ------------------------------------------------------------------------


def notify_new_post(post_id: int) -> list[Notification]:
    """Notify those a new post concerns: mentions, replies (to their topic or post), quotes
    and watchers, one notification per recipient with the strongest kind.

    Skips the author, muted members, and anyone who may not read the post, decided
    when it runs. A fixed number of queries whatever the number of recipients.
    Returns the notifications created or strengthened."""
    post = (
        Post.objects.select_related("topic", "topic__community", "author", "reply_to", "quoted")
        .filter(pk=post_id, deleted_at__isnull=True, topic__deleted_at__isnull=True)
        .first()
    )
    if post is None or post.author_id is None:
        return []
    topic = post.topic
    kinds: dict[int, str] = {}

    def offer(user_id: int | None, kind: str) -> None:
        if user_id is None or user_id == post.author_id:
            return
        current = kinds.get(user_id)
        if current is None or REGISTRY[kind].rank < REGISTRY[current].rank:
            kinds[user_id] = kind

    for user_id in Mention.objects.filter(post=post).values_list("user_id", flat=True):
        offer(user_id, MENTIONED.name)
    if post.number > 1:
        offer(topic.author_id, REPLIED.name)
    if post.reply_to is not None:
        offer(post.reply_to.author_id, REPLIED.name)
    if post.quoted is not None:
        offer(post.quoted.author_id, QUOTED.name)

    subscriptions = Subscription.objects.filter(community_id=topic.community_id).filter(
        Q(topic=topic) | Q(topic__isnull=True)
    )
    subscriptions = subscriptions.filter(
        Q(user_id__in=list(kinds)) | Q(level=NotificationLevel.WATCHING)
    )
    levels = _effective_levels(list(subscriptions.values_list("user_id", "topic_id", "level")))
    for user_id, level in levels.items():
        if level == NotificationLevel.WATCHING:
            offer(user_id, WATCHING.name)
    for user_id, level in levels.items():
        if level == NotificationLevel.MUTED:
            kinds.pop(user_id, None)
    if not kinds:
        return []

    # Members with a block either way with the author hear nothing from them (a subquery).
    users = User.objects.filter(pk__in=list(kinds)).filter(not_blocked_with(post.author_id))
    readers = {user.pk: user for user in readers_of_post(post, users)}
    if not readers:
        return []
    key = f"post:{post.pk}"
    now = timezone.now()
    with transaction.atomic():
        existing = {
            n.recipient_id: n
            for n in Notification.objects.filter(recipient_id__in=list(readers), dedupe_key=key)
        }
        fresh = [
            Notification(
                recipient_id=user_id,
                kind=kinds[user_id],
                dedupe_key=key,
                actor_id=post.author_id,
                actor_ids=[post.author_id],
                community_id=topic.community_id,
                topic_id=topic.pk,
                post_id=post.pk,
                created_at=now,
                updated_at=now,
            )
            for user_id in readers
            if user_id not in existing
        ]
        Notification.objects.bulk_create(fresh, ignore_conflicts=True)
        stronger = []
        for user_id, notification in existing.items():
            if REGISTRY[kinds[user_id]].rank < REGISTRY[notification.kind].rank:
                notification.kind = kinds[user_id]
                notification.read_at = None
                notification.updated_at = now
                stronger.append(notification)
        if stronger:
            Notification.objects.bulk_update(stronger, ["kind", "read_at", "updated_at"])
        changed_ids = {n.recipient_id for n in fresh} | {n.recipient_id for n in stronger}
        changed = list(
            Notification.objects.filter(
                recipient_id__in=list(changed_ids), dedupe_key=key
            ).select_related("recipient")
        )
        _queue_emails(changed)
        events.publish_changed([n.recipient_id for n in changed])
    return changed


# --- Reactions ------------------------------------------------------------------------


def notify_reaction(reaction_id: int) -> Notification | None:
    """Tell the post's author about a reaction, grouped: one notification per post that
    gathers everyone who reacted ("Anna and 3 others"). Skipped for one's own post, a
    muted topic, or a post the author may no longer read."""
    reaction = (
        Reaction.objects.select_related("post", "post__topic", "post__topic__community", "user")
        .filter(pk=reaction_id)
        .first()
    )
    if reaction is None:
        return None
    post = reaction.post
    if post.author_id is None or post.author_id == reaction.user_id or post.deleted_at:
        return None
    if blocks_between(post.author_id, reaction.user_id):
        return None
    author = User.objects.filter(pk=post.author_id).first()
    if author is None or not readers_of_post(post, [author]):
        return None
    if _level(author, post) == NotificationLevel.MUTED:
        return None
    key = f"reaction:{post.pk}"
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                notification = (
                    Notification.objects.select_for_update()
                    .filter(recipient=author, dedupe_key=key)
                    .first()
                )
                if notification is None:
                    notification = Notification.objects.create(
                        recipient=author,
                        kind=REACTION.name,
                        dedupe_key=key,
                        actor=reaction.user,
                        actor_ids=[reaction.user_id],
                        community_id=post.community_id,
                        topic_id=post.topic_id,
                        post=post,
                        data={"reactions": [reaction.kind]},
                        created_at=now,
                        updated_at=now,
                    )
                else:
                    seen_kinds = list(notification.data.get("reactions", []))
                    if reaction.user_id in notification.actor_ids:
                        if reaction.kind not in seen_kinds:
                            notification.data = {"reactions": [*seen_kinds, reaction.kind]}
                            notification.save(update_fields=["data"])
                        return notification
                    notification.actor = reaction.user
                    notification.actor_ids = [reaction.user_id, *notification.actor_ids][
                        :MAX_ACTORS
                    ]
                    if reaction.kind not in seen_kinds:
                        seen_kinds.append(reaction.kind)
                    notification.data = {"reactions": seen_kinds}
                    notification.read_at = None
                    notification.updated_at = now
                    notification.save(
                        update_fields=["actor", "actor_ids", "data", "read_at", "updated_at"]
                    )
                events.publish_changed([author.pk])
                return notification
        except IntegrityError:
            continue  # another run created it meanwhile: add to that one
    return None


def _level(user: User, post: Post) -> str:
    rows = list(
        Subscription.objects.filter(user=user, community_id=post.community_id)
        .filter(Q(topic_id=post.topic_id) | Q(topic__isnull=True))
        .values_list("user_id", "topic_id", "level")
    )
    return _effective_levels(rows).get(user.pk, NotificationLevel.TRACKING)


# --- Accepted answers and join decisions ----------------------------------------------


def notify_accepted_answer(post_id: int) -> Notification | None:
    """Tell a reply's author their answer was accepted (once per post), unless they
    accepted it themselves, muted the topic, or can no longer read it."""
    post = (
        Post.objects.select_related("topic", "topic__community")
        .filter(pk=post_id, deleted_at__isnull=True)
        .first()
    )
    if post is None or post.author_id is None or post.topic.accepted_answer_id != post.pk:
        return None
    actor_id = (
        Event.objects.filter(kind="answer.accepted", subject_type="post", subject_id=post.pk)
        .order_by("-id")
        .values_list("actor_id", flat=True)
        .first()
    )
    if actor_id == post.author_id:
        return None
    if actor_id is not None and blocks_between(post.author_id, actor_id):
        return None
    author = User.objects.filter(pk=post.author_id).first()
    if author is None or not readers_of_post(post, [author]):
        return None
    if _level(author, post) == NotificationLevel.MUTED:
        return None
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            recipient=author,
            dedupe_key=f"accepted:{post.pk}",
            defaults={
                "kind": ACCEPTED_ANSWER.name,
                "actor_id": actor_id,
                "actor_ids": [actor_id] if actor_id else [],
                "community_id": post.community_id,
                "topic_id": post.topic_id,
                "post": post,
            },
        )
        if created:
            notification.recipient = author
            _queue_emails([notification])
            events.publish_changed([author.pk])
    return notification


def notify_join_request_outcome(join_request: JoinRequest) -> Notification | None:
    """Tell the applicant, in the app, that their request was approved or declined."""
    kinds = {
        JoinRequest.Status.APPROVED: JOIN_REQUEST_APPROVED.name,
        JoinRequest.Status.DECLINED: JOIN_REQUEST_DECLINED.name,
    }
    kind = kinds.get(join_request.status)  # type: ignore[call-overload]
    if kind is None:
        return None
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            recipient_id=join_request.user_id,
            dedupe_key=f"join_request:{join_request.pk}",
            defaults={
                "kind": kind,
                "actor_id": join_request.decided_by_id,
                "actor_ids": [join_request.decided_by_id] if join_request.decided_by_id else [],
                "community_id": join_request.community_id,
            },
        )
        if created:
            events.publish_changed([join_request.user_id])
    return notification


# --- Reading --------------------------------------------------------------------------


def mark_read(actor: Any, notification: Notification) -> None:
    """Mark one notification read. Raises Http404 if it is not the actor's."""
    check_see_notification(actor, notification)
    if notification.read_at is not None:
        return
    now = timezone.now()
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
        events.publish_changed([actor.pk])


def mark_all_read(actor: Any) -> int:
    """Mark all the actor's notifications read; how many changed. Raises PermissionDenied
    signed out."""
    check_manage_notifications(actor)
    with transaction.atomic():
        changed = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if changed:
            events.publish_changed([actor.pk])
    return changed


# --- Preferences ----------------------------------------------------------------------


def update_preferences(
    actor: Any,
    *,
    email: dict[str, bool] | None = None,
    digest: str | None = None,
    quiet_start: Any = ...,
    quiet_end: Any = ...,
) -> NotificationPreference:
    """Change the actor's email choices; only what is given changes.

    Raises PermissionDenied signed out, ValidationError for an unknown kind or digest
    frequency, or quiet hours with only one end."""
    check_manage_notifications(actor)
    kinds = {kind.name for kind in emailable_kinds()}
    if email is not None:
        unknown = sorted(set(email) - kinds)
        if unknown:
            raise ValidationError(
                {
                    "email": _("“%(kind)s” is not a kind of email you can choose.")
                    % {"kind": unknown[0]}
                }
            )
    if digest is not None and digest not in DigestFrequency.values:
        raise ValidationError({"digest": _("Choose off, daily or weekly.")})
    for name, value in (("quiet_start", quiet_start), ("quiet_end", quiet_end)):
        if value is not ... and value is not None and value.tzinfo is not None:
            raise ValidationError(
                {name: _("Give a time of day without a timezone: yours applies.")}
            )
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
            user=actor
        )
        if email is not None:
            preference.email_kinds = {
                **preference.email_kinds,
                **{k: bool(v) for k, v in email.items()},
            }
        if digest is not None and digest != preference.digest:
            if preference.digest == DigestFrequency.OFF:
                # The first digest covers what happens from now on.
                preference.digest_covered_until = _hour(timezone.now())
            preference.digest = digest
        if quiet_start is not ...:
            preference.quiet_start = quiet_start
        if quiet_end is not ...:
            preference.quiet_end = quiet_end
        if (preference.quiet_start is None) != (preference.quiet_end is None):
            raise ValidationError(
                {"quiet_end": _("Give both the start and the end of your quiet hours, or neither.")}
            )
        preference.updated_at = timezone.now()
        preference.save()
    return preference


def unsubscribe(user: User, what: str) -> None:
    """Stop one kind of email for ``user`` (a notification kind or the digest): the
    one-click link's action, which needs no sign-in (the signed token stands for it)."""
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.select_for_update().get_or_create(
            user=user
        )
        if what == DIGEST:
            preference.digest = DigestFrequency.OFF
        elif what in {kind.name for kind in emailable_kinds()}:
            preference.email_kinds = {**preference.email_kinds, what: False}
        else:
            return
        preference.updated_at = timezone.now()
        preference.save()


# --- Digests --------------------------------------------------------------------------

PERIODS = {DigestFrequency.DAILY: timedelta(days=1), DigestFrequency.WEEKLY: timedelta(days=7)}
DIGEST_BATCH = 500


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def schedule_digests(now: datetime | None = None) -> int:
    """Queue a digest for every member whose daily or weekly period has passed, covering
    what happened since their last one; how many were queued. An empty digest is
    skipped when it is sent. Safe to run twice: a period is queued once."""
    until = _hour(now or timezone.now())
    queued = 0
    for frequency, period in PERIODS.items():
        while True:
            due = list(
                NotificationPreference.objects.filter(digest=frequency)
                .filter(
                    Q(digest_covered_until__isnull=True)
                    | Q(digest_covered_until__lte=until - period)
                )
                .select_related("user")
                .order_by("pk")[:DIGEST_BATCH]
            )
            if not due:
                break
            with transaction.atomic():
                deliveries = []
                for preference in due:
                    since = preference.digest_covered_until or until - period
                    user = preference.user
                    held = quiet_until(
                        preference.quiet_start, preference.quiet_end, user.timezone, until
                    )
                    deliveries.append(
                        EmailDelivery(
                            recipient=user,
                            kind=EmailDelivery.Kind.DIGEST,
                            payload={"since": since.isoformat(), "until": until.isoformat()},
                            dedupe_key=f"digest:{user.pk}:{until.isoformat()}",
                            next_attempt_at=held or timezone.now(),
                        )
                    )
                NotificationPreference.objects.filter(pk__in=[p.pk for p in due]).update(
                    digest_covered_until=until
                )
                queue_deliveries(deliveries)
            queued += len(due)
    return queued


def erase_member_notifications(user: User) -> None:
    """For account erasure: the member's notifications, choices and unsent emails go;
    their name on others' notifications becomes the tombstone's ("deleted member")."""
    with transaction.atomic():
        Notification.objects.filter(recipient=user).delete()
        NotificationPreference.objects.filter(user=user).delete()
        EmailDelivery.objects.filter(recipient=user).delete()
