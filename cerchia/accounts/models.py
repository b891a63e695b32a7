"""Members: the account, its public profile, interests, consents and access tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

from cerchia.core.validators import handle_validator


class Interest(models.Model):
    """A normalised interest tag shared by member profiles and communities."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=40)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("interest")
        verbose_name_plural = _("interests")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        from cerchia.accounts.handles import unique_handle_for

        email = self.normalize_email(email)
        extra.setdefault("handle", unique_handle_for(email.split("@")[0]))
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class ProfileVisibility(models.TextChoices):
    PUBLIC = "public", _("Anyone")
    MEMBERS = "members", _("Members of my communities")
    PRIVATE = "private", _("Only hosts of my communities")


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    handle = models.CharField(
        _("handle"),
        max_length=30,
        unique=True,
        validators=[handle_validator],
        help_text=_("3–30 letters, digits or underscores; how others mention you."),
    )
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    bio = models.TextField(_("bio"), max_length=600, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/%Y/%m/", blank=True)
    interests = models.ManyToManyField(
        Interest, verbose_name=_("interests"), blank=True, related_name="members"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    timezone = models.CharField(_("timezone"), max_length=64, blank=True)
    profile_visibility = models.CharField(
        _("profile visibility"),
        max_length=10,
        choices=ProfileVisibility.choices,
        default=ProfileVisibility.MEMBERS,
    )
    analytics_consent = models.BooleanField(_("analytics consent"), default=False)
    marketing_consent = models.BooleanField(_("marketing email consent"), default=False)
    is_staff = models.BooleanField(_("site admin"), default=False)
    #: An automated account (an integration posting on someone's behalf): left out of insights.
    is_bot = models.BooleanField(_("bot account"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspension_reason = models.TextField(_("suspension reason"), max_length=2000, blank=True)
    deleted_at = models.DateTimeField(
        _("deleted at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when the member erased their account; the row is then a tombstone."),
    )
    date_joined = models.DateTimeField(_("joined"), default=django_timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(Lower("handle"), name="accounts_user_handle_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """What people see: the display name, else the handle ("deleted member" once erased)."""
        if self.deleted_at is not None:
            return str(_("deleted member"))
        return self.display_name or self.handle

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class ConsentRecord(models.Model):
    """Every change of a consent, with its time: the member's answer is never overwritten."""

    class Kind(models.TextChoices):
        ANALYTICS = "analytics", _("Analytics")
        MARKETING = "marketing", _("Marketing email")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consent_records")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    granted = models.BooleanField()
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind}={self.granted} @ {self.created_at:%Y-%m-%d %H:%M}"


class AccessToken(models.Model):
    """A personal access token for the API; only a hash is stored."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(default=django_timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
