"""Trust and safety: reports, the review queue, sanctions, rules, blocks and the welcome.

A community's hosts run all of it for their community; site admins may act everywhere.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cerchia.communities.models import Community
from cerchia.discussions.models import Post, Topic

#: Default trust thresholds: what a member needs (in this community) to reach each level.
DEFAULT_TRUST_THRESHOLDS: dict[str, dict[str, int]] = {
    "1": {"days": 1, "posts": 1, "topics_read": 3},
    "2": {"days": 15, "posts": 10, "topics_read": 20},
    "3": {"days": 60, "posts": 50, "topics_read": 100},
}

#: Default limits per trust level (level → limit → value); a level without a limit is free.
DEFAULT_TRUST_LIMITS: dict[str, dict[str, int]] = {
    "0": {"posts_per_hour": 5, "links_per_post": 2, "images_per_post": 1, "mentions_per_post": 3},
    "1": {
        "posts_per_hour": 20,
        "links_per_post": 10,
        "images_per_post": 5,
        "mentions_per_post": 10,
    },
}


class Premoderation(models.TextChoices):
    OFF = "off", _("Off: posts appear at once")
    NEWCOMERS = "newcomers", _("Newcomers: a new member's first posts wait for approval")
    ALL = "all", _("All posts wait for approval")


class ModerationSettings(models.Model):
    """A community's moderation and welcome choices; one row, created on first use."""

    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, related_name="moderation_settings"
    )
    premoderation = models.CharField(
        _("pre-moderation"), max_length=10, choices=Premoderation.choices, default="off"
    )
    newcomer_posts = models.PositiveSmallIntegerField(
        _("newcomer posts held"),
        default=3,
        help_text=_("With newcomer pre-moderation, how many first posts wait for approval."),
    )
    trust_thresholds = models.JSONField(default=dict, blank=True)
    trust_limits = models.JSONField(default=dict, blank=True)
    require_disclosure = models.BooleanField(
        _("affiliated members must label their posts"),
        default=False,
        help_text=_("Staff, brand and partner members choose a disclosure label on every post."),
    )
    public_log = models.BooleanField(
        _("public moderation log"),
        default=False,
        help_text=_("Show an anonymised log of moderation actions (rule, action, date; no names)."),
    )
    welcome_message = models.TextField(_("welcome message"), max_length=5000, blank=True)
    welcome_message_html = models.TextField(editable=False, blank=True)
    introductions_topic = models.ForeignKey(
        Topic,
        verbose_name=_("introductions topic"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unanswered_hours = models.PositiveSmallIntegerField(
        _("hours before a newcomer's unanswered topic is raised"), default=24
    )
    #: Newcomer window: a member is a newcomer for this many days after joining.
    newcomer_days = models.PositiveSmallIntegerField(_("days a member counts as new"), default=14)

    class Meta:
        verbose_name = _("moderation settings")
        verbose_name_plural = _("moderation settings")

    def __str__(self) -> str:
        return f"moderation settings of {self.community_id}"

    def thresholds(self) -> dict[str, dict[str, int]]:
        merged = {level: dict(values) for level, values in DEFAULT_TRUST_THRESHOLDS.items()}
        for level, values in (self.trust_thresholds or {}).items():
            merged.setdefault(str(level), {}).update(values)
        return merged

    def limits(self) -> dict[str, dict[str, int]]:
        merged = {level: dict(values) for level, values in DEFAULT_TRUST_LIMITS.items()}
        for level, values in (self.trust_limits or {}).items():
            merged.setdefault(str(level), {}).update(values)
        return merged


class ContentRule(models.Model):
    """A keyword or link domain that holds a post for review or refuses it."""

    class Kind(models.TextChoices):
        KEYWORD = "keyword", _("Word or phrase")
        DOMAIN = "domain", _("Link domain")

    class Action(models.TextChoices):
        HOLD = "hold", _("Hold for review")
        REFUSE = "refuse", _("Refuse")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="content_rules")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    pattern = models.CharField(_("word, phrase or domain"), max_length=200)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    #: Shown to the author when the rule applies; a default is used when empty.
    message = models.CharField(_("message to the author"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "pattern"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "kind", "pattern"], name="moderation_one_rule_per_pattern"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.pattern} → {self.action}"


class HoldReason(models.TextChoices):
    PREMODERATION = "premoderation", _("All posts are reviewed")
    NEWCOMER = "newcomer", _("A new member's first posts")
    RULE = "rule", _("Matched a community rule")
    DUPLICATE = "duplicate", _("Same text posted in several communities")
    LIMIT = "limit", _("Over a new member's limits")


class HeldPost(models.Model):
    """A topic or reply waiting for a host's approval; approval publishes it as if just posted.

    Its author sees it as "awaiting approval"; nobody else but the hosts sees it at all.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="held_posts"
    )
    #: The topic replied to; empty for a held new topic.
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="held_replies"
    )
    title = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=12, blank=True)
    tags = models.JSONField(default=list, blank=True)
    body = models.TextField(max_length=50_000)
    reply_to = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    quoted = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    disclosure = models.CharField(max_length=10, blank=True, default="")
    disclosure_brand = models.CharField(max_length=80, blank=True, default="")
    attachment_ids = models.JSONField(default=list, blank=True)
    idempotency_key = models.CharField(max_length=80, blank=True, default="")
    reason = models.CharField(max_length=16, choices=HoldReason.choices)
    rule = models.ForeignKey(
        ContentRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: What the author was told, in their language at the time.
    notice = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(max_length=2000, blank=True)
    #: The post approval published.
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="moderation_held_idempotency",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status", "created_at"]),
            models.Index(fields=["topic", "author", "status"]),
        ]

    def __str__(self) -> str:
        return f"held {self.pk} by {self.author_id} ({self.status})"

    @property
    def is_topic(self) -> bool:
        return self.topic_id is None


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    HARASSMENT = "harassment", _("Harassment or hate")
    OFF_TOPIC = "off_topic", _("Off-topic")
    OTHER = "other", _("Something else")


class Report(models.Model):
    """A member's report of a post, a topic or a member, handled from the review queue."""

    class Target(models.TextChoices):
        POST = "post", _("Post")
        TOPIC = "topic", _("Topic")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        HANDLED = "handled", _("Handled")
        DISMISSED = "dismissed", _("Dismissed")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.CharField(max_length=8, choices=Target.choices)
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    #: "post:12", "topic:3", "member:7": one open report per reporter per thing.
    target_key = models.CharField(max_length=40)
    reason = models.CharField(_("reason"), max_length=12, choices=ReportReason.choices)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    #: What the hosts did: dismissed, hidden, deleted, locked, sanctioned.
    resolution = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "target_key"],
                condition=Q(status="open"),
                name="moderation_one_open_report",
            ),
        ]
        indexes = [models.Index(fields=["community", "status", "created_at"])]

    def __str__(self) -> str:
        return f"report {self.pk} ({self.target}, {self.status})"


class SanctionKind(models.TextChoices):
    """The ladder, gentlest first."""

    NUDGE = "nudge", _("Nudge: a private note")
    WARNING = "warning", _("Warning")
    MUTE = "mute", _("Mute: cannot post or react for a while")
    BAN = "ban", _("Ban from the community")


class Sanction(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="sanctions")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions"
    )
    kind = models.CharField(_("step"), max_length=8, choices=SanctionKind.choices)
    #: The rule or reason cited, shown to the member and (anonymised) in the public log.
    reason = models.CharField(_("reason"), max_length=300)
    message = models.TextField(_("message to the member"), max_length=5000, blank=True)
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="sanctions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    #: When a mute or ban ends by itself; empty for a permanent ban or a nudge/warning.
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lift_note = models.TextField(max_length=2000, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "member", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.member_id}@{self.community_id}"

    def is_active(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.lifted_at is None and (self.ends_at is None or self.ends_at > moment)  # type: ignore[operator]


class SanctionTemplate(models.Model):
    """A community's own wording for a step of the ladder (the default is used without one)."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="sanction_templates"
    )
    kind = models.CharField(max_length=8, choices=SanctionKind.choices)
    message = models.TextField(_("message"), max_length=5000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "kind"], name="moderation_one_template"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} template of {self.community_id}"


class Appeal(models.Model):
    """One appeal per sanction, answered by a host."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        UPHELD = "upheld", _("Sanction upheld")
        GRANTED = "granted", _("Sanction lifted")

    sanction = models.OneToOneField(Sanction, on_delete=models.CASCADE, related_name="appeal")
    body = models.TextField(_("your appeal"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    answer = models.TextField(_("answer"), max_length=5000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"appeal of {self.sanction_id} ({self.status})"


class ModeratorNote(models.Model):
    """A private note hosts keep about a member; never shown to the member."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "member"])]

    def __str__(self) -> str:
        return f"note on {self.member_id}@{self.community_id}"


class LogAction(models.TextChoices):
    REPORT_DISMISSED = "report_dismissed", _("Report dismissed")
    POST_HIDDEN = "post_hidden", _("Post hidden")
    POST_UNHIDDEN = "post_unhidden", _("Post shown again")
    POST_DELETED = "post_deleted", _("Post deleted")
    TOPIC_LOCKED = "topic_locked", _("Topic locked")
    POST_APPROVED = "post_approved", _("Post approved")
    POST_REJECTED = "post_rejected", _("Post rejected")
    SANCTION = "sanction", _("Sanction")
    SANCTION_LIFTED = "sanction_lifted", _("Sanction lifted")
    APPEAL_ANSWERED = "appeal_answered", _("Appeal answered")
    DISCLOSURE_REMOVED = "disclosure_removed", _("Disclosure label removed")
    AFFILIATION_CHANGED = "affiliation_changed", _("Affiliation changed")


class ModerationLogEntry(models.Model):
    """One moderation action, for the hosts' log and (without names) the public one."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=LogAction.choices)
    #: For sanctions, the step (nudge, warning, mute, ban).
    detail = models.CharField(max_length=20, blank=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The rule or reason cited: the only text the public log shows.
    rule = models.CharField(max_length=300, blank=True)
    note = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} in {self.community_id}"


class Block(models.Model):
    """One member blocks another: each stops seeing the other's posts and notifications."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="moderation_one_block"),
            models.CheckConstraint(
                condition=~Q(blocker=models.F("blocked")), name="moderation_no_self_block"
            ),
        ]
        indexes = [models.Index(fields=["blocked"])]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class NewcomerAlert(models.Model):
    """A newcomer's topic still without a reply from someone else, raised once."""

    topic = models.OneToOneField(Topic, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["community", "resolved_at"])]

    def __str__(self) -> str:
        return f"unanswered newcomer topic {self.topic_id}"


class WelcomeDismissal(models.Model):
    """A new member closed the welcome panel of a community; it stays closed."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dismissed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"], name="moderation_one_welcome_dismissal"
            ),
        ]

    def __str__(self) -> str:
        return f"welcome dismissed by {self.user_id}@{self.community_id}"
