"""The append-only event log, the rollups read from it, member fields, segments, announcements."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AppendOnlyError(Exception):
    pass


class Event(models.Model):
    """Something that happened: who did it, where, to what, when, with a small payload.

    Rows are only ever inserted, in the same transaction as the change they
    describe; analytics, reputation, notifications and webhooks read them.
    """

    kind = models.CharField(max_length=60)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    community = models.ForeignKey(
        "communities.Community", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject_type = models.CharField(max_length=40, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["community", "kind", "created_at"]),
            models.Index(fields=["actor", "created_at"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("events are never deleted one by one")


# --- Rollups: what the dashboard reads ---------------------------------------------------


class RollupState(models.Model):
    """How far the rollup task got in the event log (one row per rollup)."""

    name = models.CharField(max_length=40, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run_events = models.PositiveIntegerField(default=0)
    last_run_days = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_event_id}"


class MemberDay(models.Model):
    """One member's activity in one community on one local day (the community's timezone).

    ``engaged`` counts engaged events (posts, replies, reactions, answers, votes, RSVPs);
    visits are counted apart and never make a day engaged.
    """

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    engaged = models.PositiveIntegerField(default=0)
    topics = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)
    reactions = models.PositiveIntegerField(default=0)
    #: Poll and survey answers, votes and RSVPs (the engaged events that are not posts).
    responses = models.PositiveIntegerField(default=0)
    accepted_answers = models.PositiveIntegerField(default=0)
    #: Replies this member wrote to another member's topic or post.
    replies_given = models.PositiveIntegerField(default=0)
    #: Replies another member wrote to this member's topic or post.
    replies_received = models.PositiveIntegerField(default=0)
    #: Reactions other members gave to this member's posts.
    reactions_received = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user", "day"], name="insights_one_member_day"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "day"], name="insights_memberday_day"),
            models.Index(fields=["community", "user", "day"], name="insights_memberday_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.community_id} {self.day}"


class Scope(models.TextChoices):
    """Whose activity a figure counts."""

    MEMBERS = "members", _("Members (without staff, brand and bot accounts)")
    EVERYONE = "everyone", _("Everyone (staff, brand and bot accounts included)")


class CommunityDay(models.Model):
    """A community's figures for one local day, for one scope."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    scope = models.CharField(max_length=10, choices=Scope.choices)
    dau = models.PositiveIntegerField(default=0)
    wau = models.PositiveIntegerField(default=0)
    mau = models.PositiveIntegerField(default=0)
    engaged_events = models.PositiveIntegerField(default=0)
    topics = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)
    reactions = models.PositiveIntegerField(default=0)
    responses = models.PositiveIntegerField(default=0)
    #: Distinct members who wrote a topic or reply / reacted that day (the n of those counts).
    posters = models.PositiveIntegerField(default=0)
    reactors = models.PositiveIntegerField(default=0)
    #: Posts (topics and replies) by members who are not staff, brand or bots.
    member_posts = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)
    joins = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "scope", "day"], name="insights_one_community_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.day} {self.scope}"


class TopicFact(models.Model):
    """When a topic was created and first answered by another member (response metrics)."""

    topic = models.OneToOneField(
        "discussions.Topic", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    #: The local day it was created on, in the community's timezone.
    created_on = models.DateField()
    first_reply_at = models.DateTimeField(null=True, blank=True)
    #: first_reply_at − created_at, in seconds (kept to sort and average in the database).
    first_reply_seconds = models.PositiveIntegerField(null=True, blank=True)
    deleted = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["community", "created_on"], name="insights_topicfact_day"),
            models.Index(
                fields=["community", "created_on", "first_reply_seconds"],
                name="insights_topicfact_reply",
            ),
        ]

    def __str__(self) -> str:
        return f"topic {self.topic_id}"


class MemberFact(models.Model):
    """A member's landmarks in a community: joined, first post, first and last engaged day."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    joined_on = models.DateField(null=True, blank=True)
    first_post_on = models.DateField(null=True, blank=True)
    first_engaged_on = models.DateField(null=True, blank=True)
    last_engaged_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="insights_one_member_fact"),
        ]
        indexes = [
            models.Index(fields=["community", "joined_on"], name="insights_memberfact_joined"),
            models.Index(fields=["community", "first_post_on"], name="insights_memberfact_post"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.community_id}"


# --- Custom member fields ---------------------------------------------------------------


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    YES_NO = "yesno", _("Yes or no")


class FieldPurpose(models.TextChoices):
    """Why a field is asked: it decides which consent lets it into an export."""

    PROFILE = "profile", _("Profile")
    MARKETING = "marketing", _("Marketing")


class FieldVisibility(models.TextChoices):
    MEMBERS = "members", _("Members")
    HOSTS = "hosts", _("Hosts only")


class FieldAsked(models.TextChoices):
    ON_JOINING = "join", _("When joining")
    LATER = "later", _("Later, in the community")


class MemberField(models.Model):
    """A question a community's hosts ask their members."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="member_fields"
    )
    label = models.CharField(_("question"), max_length=120)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=FieldKind.choices)
    #: The options of a choice field, in order.
    choices = models.JSONField(_("options"), default=list, blank=True)
    purpose = models.CharField(
        _("purpose"), max_length=10, choices=FieldPurpose.choices, default=FieldPurpose.PROFILE
    )
    required = models.BooleanField(_("required"), default=False)
    visibility = models.CharField(
        _("visible to"),
        max_length=10,
        choices=FieldVisibility.choices,
        default=FieldVisibility.HOSTS,
    )
    asked = models.CharField(
        _("asked"), max_length=10, choices=FieldAsked.choices, default=FieldAsked.ON_JOINING
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("member field")
        verbose_name_plural = _("member fields")

    def __str__(self) -> str:
        return self.label


class MemberFieldValue(models.Model):
    """A member's answer to a field; it goes when the membership goes."""

    field = models.ForeignKey(MemberField, on_delete=models.CASCADE, related_name="values")
    membership = models.ForeignKey(
        "communities.Membership", on_delete=models.CASCADE, related_name="field_values"
    )
    #: str for text, date (ISO) and choice; a number; a list of str; or a bool.
    value = models.JSONField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["field", "membership"], name="insights_one_answer"),
        ]

    def __str__(self) -> str:
        return f"{self.field_id}: {self.value!r}"


# --- Segments ---------------------------------------------------------------------------


class Segment(models.Model):
    """A saved filter over a community's members: dynamic (re-evaluated) or static (frozen)."""

    class Kind(models.TextChoices):
        DYNAMIC = "dynamic", _("Dynamic: re-evaluated when used")
        STATIC = "static", _("Static: a frozen list")

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="segments"
    )
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DYNAMIC)
    #: {"match": "all"|"any", "groups": [{"match": "all"|"any", "conditions": [...]}]}
    rules = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    frozen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="insights_segment_name"),
        ]

    def __str__(self) -> str:
        return self.name


class SegmentMember(models.Model):
    """A member of a static segment, frozen when it was saved."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="frozen_members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["segment", "user"], name="insights_one_segment_row"),
        ]

    # --- Announcements ----------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.user_id} in segment {self.segment_id}"


class Announcement(models.Model):
    """A host's message to the community or a segment: a topic in the app, email with consent."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("announcement status", "Scheduled")
        SENDING = "sending", pgettext_lazy("announcement status", "Sending")
        SENT = "sent", pgettext_lazy("announcement status", "Sent")
        CANCELLED = "cancelled", pgettext_lazy("announcement status", "Cancelled")

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="announcements"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), max_length=50_000)
    #: None sends to the whole community.
    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="announcements"
    )
    #: The segment's name when it was sent, kept if the segment is later deleted.
    audience_name = models.CharField(max_length=80, blank=True)
    send_email = models.BooleanField(_("also send by email"), default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    send_at = models.DateTimeField(_("send at"), default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    topic = models.ForeignKey(
        "discussions.Topic", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient_count = models.PositiveIntegerField(default=0)
    email_count = models.PositiveIntegerField(default=0)
    idempotency_key = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-send_at", "-id"]
        indexes = [models.Index(fields=["status", "send_at"], name="insights_announcement_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="insights_announcement_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AnnouncementRecipient(models.Model):
    """Who an announcement went to, recorded when it was sent, and whether by email."""

    class Email(models.TextChoices):
        NONE = "", _("In the app only")
        NO_CONSENT = "no_consent", _("No marketing-email consent")
        QUEUED = "queued", _("Email queued")

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="recipients"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.CharField(max_length=12, choices=Email.choices, default="", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="insights_one_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} got announcement {self.announcement_id}"
