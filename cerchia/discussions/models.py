"""Topics, posts and what members do with them: react, bookmark, read, follow."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cerchia.accounts.models import Interest
from cerchia.communities.models import Community


class TopicKind(models.TextChoices):
    DISCUSSION = "discussion", _("Discussion")
    QUESTION = "question", _("Question")
    ANNOUNCEMENT = "announcement", _("Announcement")


class ReactionKind(models.TextChoices):
    """The small fixed set: warm signals, no downvotes."""

    THUMBS_UP = "thumbs_up", _("Thumbs up")
    HEART = "heart", _("Heart")
    THANKS = "thanks", _("Thanks")
    INSIGHTFUL = "insightful", _("Insightful")
    FUNNY = "funny", _("Funny")


REACTION_EMOJI: dict[str, str] = {
    ReactionKind.THUMBS_UP: "👍",
    ReactionKind.HEART: "❤️",
    ReactionKind.THANKS: "🙏",
    ReactionKind.INSIGHTFUL: "💡",
    ReactionKind.FUNNY: "😄",
}


class NotificationLevel(models.TextChoices):
    WATCHING = "watching", _("Watching: notify me of every new post")
    TRACKING = "tracking", _("Tracking: notify me when someone mentions or replies to me")
    MUTED = "muted", _("Muted: never notify me")


class Topic(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="topics")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="topics"
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=TopicKind.choices, default=TopicKind.DISCUSSION
    )
    title = models.CharField(_("title"), max_length=200)
    tags = models.ManyToManyField(Interest, verbose_name=_("tags"), blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    #: Time of the newest visible post: the community page's order.
    last_posted_at = models.DateTimeField(default=timezone.now)
    last_poster = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Highest post number handed out; post numbers are never reused.
    last_post_number = models.PositiveIntegerField(default=0)
    reply_count = models.PositiveIntegerField(default=0)
    #: A few recent distinct participants (user ids, newest first) for the list's avatars.
    participant_ids = models.JSONField(default=list, blank=True)
    accepted_answer = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_pinned = models.BooleanField(_("pinned"), default=False)
    locked_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Only its audience (TopicAudience rows) and the hosts may read a restricted topic:
    #: an announcement sent to a segment. Restricted topics stay out of every list.
    restricted = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        indexes = [
            models.Index(
                fields=["community", "-is_pinned", "-last_posted_at", "-id"],
                name="discussions_topic_listing",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(fields=["-last_posted_at", "-id"], name="discussions_topic_activity"),
            models.Index(
                fields=["community", "-last_posted_at", "-id"],
                name="discussions_topic_community",
            ),
            models.Index(fields=["community", "-created_at"], name="discussions_topic_created"),
            models.Index(fields=["author", "-created_at"], name="discussions_topic_author"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_question(self) -> bool:
        return self.kind == TopicKind.QUESTION

    @property
    def is_answered(self) -> bool:
        return self.accepted_answer_id is not None

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class TopicAudience(models.Model):
    """A member who may read a restricted topic (recorded when it is sent)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="audience")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "user"], name="discussions_one_audience_row"),
        ]
        indexes = [models.Index(fields=["user", "topic"])]

    def __str__(self) -> str:
        return f"{self.user_id} may read topic {self.topic_id}"


class Disclosure(models.TextChoices):
    """What an affiliated member declares about a post; shown at its start, fixed once published."""

    NONE = "", _("No disclosure")
    SPONSORED = "sponsored", _("Sponsored")
    GIFT = "gift", _("Product received as a gift")


class Post(models.Model):
    """Number 1 is the topic's opening post; replies follow in time order."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    #: Copied from the topic (and moved with it) so searches and feeds filter without a join.
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="posts"
    )
    number = models.PositiveIntegerField()
    body = models.TextField(_("message"), max_length=50_000)
    body_html = models.TextField(editable=False)
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    quoted = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: {reaction kind: count}, kept with each reaction so lists need no aggregate.
    reaction_counts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    edit_count = models.PositiveIntegerField(default=0)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: The client's key for this submission: a retry finds the post instead of writing another.
    idempotency_key = models.CharField(max_length=80, blank=True, default="")
    #: Hidden by the hosts (from a report or the queue): collapsed for everyone but its author
    #: and the hosts, restorable; unlike a delete, the post keeps its place and counts.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    disclosure = models.CharField(
        _("disclosure"), max_length=10, choices=Disclosure.choices, default="", blank=True
    )
    #: The brand named in a sponsored or gift label ("Sponsored by …").
    disclosure_brand = models.CharField(_("brand"), max_length=80, blank=True, default="")

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(fields=["topic", "number"], name="discussions_post_number"),
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="discussions_post_idempotency",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "-created_at"], name="discussions_post_recent"),
            models.Index(fields=["author", "-created_at"], name="discussions_post_author"),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}#{self.number}"

    @property
    def is_opening(self) -> bool:
        return self.number == 1

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class PostRevision(models.Model):
    """The text a post had before an edit; authors and hosts can read them."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["post", "number"]
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="discussions_revision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} v{self.number}"


class Mention(models.Model):
    """A member of the post's community named in it; non-members are never recorded."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="discussions_one_mention"),
        ]

    def __str__(self) -> str:
        return f"@{self.user_id} in {self.post_id}"


class Reaction(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions"
    )
    kind = models.CharField(max_length=16, choices=ReactionKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user", "kind"], name="discussions_one_reaction_per_kind"
            ),
        ]
        indexes = [models.Index(fields=["post", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} by {self.user_id} on {self.post_id}"


class Bookmark(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "post"], name="discussions_one_bookmark"),
        ]
        indexes = [models.Index(fields=["user", "-created_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.post_id}"


class ReadState(models.Model):
    """How far one member has read one topic."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="read_states")
    last_read_number = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="discussions_one_read_state"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.topic_id} to {self.last_read_number}"


class CommunityReadMark(models.Model):
    """ "Mark all read": topics with no activity after ``marked_at`` count as read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "community"], name="discussions_one_read_mark"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.community_id} at {self.marked_at}"


class Subscription(models.Model):
    """A member's notification level for a whole community (``topic`` empty) or one topic."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    level = models.CharField(
        _("notifications"),
        max_length=10,
        choices=NotificationLevel.choices,
        default=NotificationLevel.TRACKING,
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "topic"],
                condition=Q(topic__isnull=False),
                name="discussions_one_topic_subscription",
            ),
            models.UniqueConstraint(
                fields=["user", "community"],
                condition=Q(topic__isnull=True),
                name="discussions_one_community_subscription",
            ),
        ]
        indexes = [
            models.Index(fields=["topic", "level"]),
            models.Index(fields=["community", "level"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.topic_id or self.community_id} {self.level}"


class Attachment(models.Model):
    """An image uploaded to a community, checked, resized and stripped of metadata.

    Stored outside the public media URL space: it is served only through a view that
    checks the reader may read the community.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    image = models.ImageField(upload_to="attachments/%Y/%m/")
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["uploaded_by", "-created_at"])]

    def __str__(self) -> str:
        return str(self.image.name)
