"""Communities, who belongs to them, and how people get in."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cerchia.accounts.models import Interest
from cerchia.core.validators import slug_validator, timezone_validator


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: anyone can read")
    PRIVATE = "private", _("Private: listed, only members can read")
    HIDDEN = "hidden", _("Hidden: unlisted, by invitation only")


class JoinPolicy(models.TextChoices):
    OPEN = "open", _("Open: anyone can join")
    REQUEST = "request", _("On request: hosts approve each member")
    INVITATION = "invitation", _("Invitation only")


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MODERATOR = "moderator", _("Moderator")
    MEMBER = "member", _("Member")


HOST_ROLES = (Role.OWNER, Role.MODERATOR)


class Affiliation(models.TextChoices):
    """Who a member speaks for in a community, set by its hosts and always shown."""

    NONE = "", _("None")
    STAFF = "staff", _("Staff")
    BRAND = "brand", _("Brand")
    PARTNER = "partner", _("Partner")
    AMBASSADOR = "ambassador", _("Ambassador")


class TrustLevel(models.IntegerChoices):
    """Earned by taking part; new accounts' limits lift as it grows (thresholds per community)."""

    NEW = 0, pgettext_lazy("trust level", "New")
    BASIC = 1, pgettext_lazy("trust level", "Basic")
    MEMBER = 2, pgettext_lazy("trust level", "Member")
    REGULAR = 3, pgettext_lazy("trust level", "Regular")


class SiteSettings(models.Model):
    """Instance-wide settings site admins edit in the admin; one row."""

    class CommunityCreation(models.TextChoices):
        ANYONE = "anyone", _("Any signed-in member")
        ADMINS = "admins", _("Site admins only")

    community_creation = models.CharField(
        _("who may create communities"),
        max_length=10,
        choices=CommunityCreation.choices,
        default=CommunityCreation.ANYONE,
    )

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")

    def __str__(self) -> str:
        return str(_("Site settings"))

    @classmethod
    def load(cls) -> SiteSettings:
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row


class Community(models.Model):
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("address"), max_length=50, unique=True, validators=[slug_validator])
    tagline = models.CharField(_("tagline"), max_length=140, help_text=_("Your niche in one line."))
    description = models.TextField(_("description"), max_length=20_000, blank=True)
    description_html = models.TextField(editable=False, blank=True)
    rules = models.TextField(_("rules and code of conduct"), max_length=20_000, blank=True)
    rules_html = models.TextField(editable=False, blank=True)
    interests = models.ManyToManyField(
        Interest, verbose_name=_("interest tags"), blank=True, related_name="communities"
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    cover = models.ImageField(_("cover image"), upload_to="covers/%Y/%m/", blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    join_policy = models.CharField(
        _("join policy"), max_length=12, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    screening_questions = models.JSONField(
        _("screening questions"),
        default=list,
        blank=True,
        help_text=_("Questions applicants answer when they ask to join."),
    )
    member_cap = models.PositiveIntegerField(
        _("member cap"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for no limit."),
    )
    member_count = models.PositiveIntegerField(default=0, editable=False)
    #: A brand community is run by or for a brand, named openly on its about page.
    brand_name = models.CharField(
        _("brand"),
        max_length=80,
        blank=True,
        help_text=_("If this is a brand community, the brand it belongs to."),
    )
    #: Insights count days in this timezone (an IANA name such as "Europe/Rome").
    timezone = models.CharField(
        _("timezone"),
        max_length=64,
        default="UTC",
        validators=[timezone_validator],
        help_text=_("Days in the insights start at midnight here."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member_cap__isnull=True) | Q(member_cap__gte=1),
                name="communities_member_cap_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_full(self) -> bool:
        return self.member_cap is not None and self.member_count >= self.member_cap


class Membership(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=django_timezone.now)
    rules_accepted_at = models.DateTimeField(null=True, blank=True)
    affiliation = models.CharField(
        _("affiliation"), max_length=12, choices=Affiliation.choices, default="", blank=True
    )
    #: Whom the member is affiliated with ("Velo Alpino"), shown beside the label.
    affiliation_name = models.CharField(_("affiliated with"), max_length=80, blank=True)
    trust_level = models.PositiveSmallIntegerField(
        _("trust level"), choices=TrustLevel.choices, default=TrustLevel.NEW
    )
    #: Volunteer welcomer: sees newcomers' first posts alongside the hosts.
    is_welcomer = models.BooleanField(_("welcomer"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"], name="communities_one_membership"
            ),
        ]
        indexes = [models.Index(fields=["community", "role"]), models.Index(fields=["user"])]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.community_id} ({self.role})"

    @property
    def is_host(self) -> bool:
        return self.role in HOST_ROLES


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    answers = models.JSONField(default=list, blank=True)
    message = models.TextField(_("message to the hosts"), max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=django_timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"],
                condition=Q(status="pending"),
                name="communities_one_pending_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}→{self.community_id} ({self.status})"


class Invitation(models.Model):
    """A link anyone holding it may use, or one addressed to an email."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="invitations")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True)
    email = models.EmailField(_("email"), blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(_("maximum uses"), null=True, blank=True)
    use_count = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "email"])]

    def __str__(self) -> str:
        return f"{self.community_id}:{self.token[:6]}…"

    def is_usable(self, now: datetime | None = None) -> bool:
        now = now or django_timezone.now()
        return (
            self.revoked_at is None
            and (self.expires_at is None or self.expires_at > now)
            and (self.max_uses is None or self.use_count < self.max_uses)
        )


class WaitlistEntry(models.Model):
    """A place in line for a full community, kept until a seat frees or the person leaves it."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="waitlist")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    created_at = models.DateTimeField(default=django_timezone.now)
    #: When we told this person a seat had freed up; each place is offered once.
    offered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="communities_one_wait"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} waiting for {self.community_id}"
