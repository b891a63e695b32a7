"""Notifications in the app, members' choices about them, and the emails they cause."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cerchia.communities.models import Community
from cerchia.discussions.models import Post, Topic


class Notification(models.Model):
    """One thing that happened for one member: a mention, a reply, reactions to a post…

    ``dedupe_key`` names what the notification is about (``post:<id>`` for a new post,
    ``reaction:<id>`` for the reactions to a post, ...): one row per recipient and key,
    so running a fan-out twice changes nothing and grouped kinds accumulate actors.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    dedupe_key = models.CharField(max_length=80)
    #: The most recent person who caused it.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Everyone who caused it, newest first (grouped kinds: "Anna and 3 others").
    actor_ids = models.JSONField(default=list, blank=True)
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    #: Small kind-specific details (reaction kinds), never content.
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    #: Last time something was added: the list's order.
    updated_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notifications_one_per_subject"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-updated_at", "-id"], name="notifications_list"),
            models.Index(
                fields=["recipient"],
                name="notifications_unread",
                condition=Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} ({self.dedupe_key})"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def actor_count(self) -> int:
        return max(len(self.actor_ids), 1 if self.actor_id else 0)


class DigestFrequency(models.TextChoices):
    OFF = "off", _("Off")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class NotificationPreference(models.Model):
    """A member's email choices; members without a row have the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    #: {kind: True/False} for the kinds that can be emailed at once; a missing kind
    #: takes the registry's default.
    email_kinds = models.JSONField(default=dict, blank=True)
    digest = models.CharField(
        _("digest"), max_length=8, choices=DigestFrequency.choices, default=DigestFrequency.OFF
    )
    quiet_start = models.TimeField(_("quiet hours start"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours end"), null=True, blank=True)
    #: The end of the period the last digest covered (sent or found empty).
    digest_covered_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        indexes = [models.Index(fields=["digest", "digest_covered_until"])]

    def __str__(self) -> str:
        return f"{self.user_id}: digest {self.digest}"


class EmailDelivery(models.Model):
    """One email to send, recorded before sending: sent once, retried with backoff."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        GAVE_UP = "gave_up", _("Failed")
        SKIPPED = "skipped", _("Not needed any more")

    class Kind(models.TextChoices):
        NOTIFICATION = "notification", _("Notification")
        DIGEST = "digest", _("Digest")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    #: What to render: the notification kind, or a digest's period.
    payload = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.dedupe_key} ({self.status})"


class PeriodicRun(models.Model):
    """When the worker's scheduler last enqueued a periodic task (one row per task)."""

    name = models.CharField(max_length=80, unique=True)
    last_enqueued_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_enqueued_at}"
