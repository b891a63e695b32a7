"""Every write to a member's account: validated, permission-checked, recorded as an event.

Bad input raises ``ValidationError`` keyed by field name (forms show it next to the
field, the API as a 422 problem); a refusal the member can act on raises
``ActionRefused``; a rights problem raises ``PermissionDenied``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from functools import partial
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cerchia.accounts import permissions
from cerchia.accounts.handles import is_reserved_handle
from cerchia.accounts.images import delete_file_on_commit, process_avatar
from cerchia.accounts.models import AccessToken, ConsentRecord, ProfileVisibility, User
from cerchia.accounts.tokens import generate_token
from cerchia.core import ratelimit
from cerchia.core.errors import ActionRefused
from cerchia.core.tags import interests_for, normalise_tags
from cerchia.core.validators import available_timezones, handle_validator
from cerchia.insights.log import record_event

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Actor = User | AnonymousUser

MAX_ACTIVE_TOKENS = 20


class PostsChoice(models.TextChoices):
    """What happens to a deleted member's posts."""

    KEEP = "keep", gettext_lazy("Keep them, shown as written by “deleted member”")
    REMOVE = "remove", gettext_lazy("Remove them")


# --- Validation shared by forms, the API and the actions -----------------------------------


def validate_handle(handle: str, user: User | None = None) -> str:
    """The cleaned handle, free for ``user``; ``ValidationError`` if invalid, reserved or taken."""
    handle = (handle or "").strip().lstrip("@")
    handle_validator(handle)
    lowered = handle.lower()
    keeps_own = user is not None and user.handle.lower() == lowered
    if not keeps_own and is_reserved_handle(lowered):
        raise ValidationError(_("This handle is reserved."), code="reserved_handle")
    taken = User.objects.filter(handle__iexact=handle)
    if user is not None and user.pk is not None:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        raise ValidationError(_("This handle is already taken."), code="handle_taken")
    return handle


def validate_language(language: str) -> str:
    """A language code this site speaks, or ``""`` for the browser's; else ``ValidationError``."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose one of the offered languages."), code="invalid_language")
    return language


def validate_timezone(name: str) -> str:
    """An IANA timezone name, or ``""`` for the site default; else ``ValidationError``."""
    name = (name or "").strip()
    if name and name not in available_timezones():
        raise ValidationError(
            _("“%(name)s” is not a timezone we know.") % {"name": name[:64]},
            code="invalid_timezone",
        )
    return name


def _locked(user: User) -> User:
    """The member's row, locked for the rest of the transaction."""
    return User.objects.select_for_update().get(pk=user.pk)


def _sync(target: User, source: User, fields: Iterable[str]) -> None:
    for name in fields:
        setattr(target, name, getattr(source, name))


# --- Profile ----------------------------------------------------------------------------


def update_profile(
    actor: Actor,
    user: User,
    *,
    display_name: str | None = None,
    handle: str | None = None,
    bio: str | None = None,
    interests: str | Iterable[str] | None = None,
    profile_visibility: str | None = None,
    avatar: IO[bytes] | Any | None = None,
    remove_avatar: bool = False,
) -> list[str]:
    """Change what others see on the profile; ``None`` leaves a field as it is.

    Returns the names of the fields that changed (no event when none did).
    Raises ``PermissionDenied`` (not the member, suspended) and ``ValidationError``.
    """
    permissions.check_edit_profile(actor, user)
    errors: dict[str, list[ValidationError]] = {}
    changes: dict[str, Any] = {}

    def collect(field: str, error: ValidationError) -> None:
        errors.setdefault(field, []).append(error)

    if display_name is not None:
        display_name = " ".join(display_name.split())
        if len(display_name) > 60:
            collect("display_name", ValidationError(_("Use at most 60 characters.")))
        changes["display_name"] = display_name
    if handle is not None:
        try:
            changes["handle"] = validate_handle(handle, user)
        except ValidationError as error:
            collect("handle", error)
    if bio is not None:
        bio = bio.strip().replace("\r\n", "\n")
        if len(bio) > 600:
            collect("bio", ValidationError(_("Use at most 600 characters.")))
        changes["bio"] = bio
    interest_slugs: list[str] | None = None
    if interests is not None:
        try:
            interest_slugs = normalise_tags(interests)
        except ValidationError as error:
            collect("interests", error)
    if profile_visibility is not None:
        if profile_visibility not in ProfileVisibility.values:
            collect("profile_visibility", ValidationError(_("Choose one of the options.")))
        changes["profile_visibility"] = profile_visibility
    new_avatar = None
    if avatar is not None:
        ratelimit.hit("upload", user=actor)
        try:
            new_avatar = process_avatar(avatar)
        except ValidationError as error:
            collect("avatar", error)
    if errors:
        raise ValidationError(errors)

    stored_name = ""
    try:
        with transaction.atomic():
            locked = _locked(user)
            changed = [name for name, value in changes.items() if getattr(locked, name) != value]
            for name in changed:
                setattr(locked, name, changes[name])
            old_avatar = locked.avatar.name or ""
            if new_avatar is not None:
                locked.avatar.save(new_avatar.name or "avatar", new_avatar, save=False)
                stored_name = locked.avatar.name or ""
                changed.append("avatar")
            elif remove_avatar and old_avatar:
                locked.avatar = ""
                changed.append("avatar")
            if changed:
                locked.save(update_fields=[*changed])
            if "avatar" in changed:
                delete_file_on_commit(old_avatar)
            if interest_slugs is not None:
                current = set(locked.interests.values_list("slug", flat=True))
                if current != set(interest_slugs):
                    locked.interests.set(interests_for(interest_slugs))  # type: ignore[arg-type]
                    changed.append("interests")
            if changed:
                record_event("account.profile_updated", actor=user, subject=user, fields=changed)
    except IntegrityError as error:
        _discard(stored_name)
        raise ValidationError(
            {"handle": [ValidationError(_("This handle is already taken."), code="handle_taken")]}
        ) from error
    except BaseException:
        _discard(stored_name)
        raise
    _sync(user, locked, ["display_name", "handle", "bio", "profile_visibility", "avatar"])
    return changed


def _discard(name: str) -> None:
    """A file stored for a transaction that rolled back."""
    if name:
        from django.core.files.storage import default_storage

        default_storage.delete(name)


def update_preferences(
    actor: Actor, user: User, *, language: str | None = None, timezone_name: str | None = None
) -> list[str]:
    """Set the interface language and timezone (``None`` leaves one as it is); returns what changed.

    Allowed while suspended. Raises ``PermissionDenied`` and ``ValidationError``.
    """
    permissions.check_manage_account(actor, user)
    changes: dict[str, str] = {}
    errors: dict[str, list[ValidationError]] = {}
    if language is not None:
        try:
            changes["language"] = validate_language(language)
        except ValidationError as error:
            errors["language"] = [error]
    if timezone_name is not None:
        try:
            changes["timezone"] = validate_timezone(timezone_name)
        except ValidationError as error:
            errors["timezone"] = [error]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(user)
        changed = [name for name, value in changes.items() if getattr(locked, name) != value]
        if changed:
            for name in changed:
                setattr(locked, name, changes[name])
            locked.save(update_fields=changed)
            record_event(
                "account.preferences_updated",
                actor=user,
                subject=user,
                fields=changed,
                language=locked.language,
            )
    _sync(user, locked, ["language", "timezone"])
    return changed


# --- Consent ------------------------------------------------------------------------------


_CONSENT_FIELDS = {
    ConsentRecord.Kind.ANALYTICS: "analytics_consent",
    ConsentRecord.Kind.MARKETING: "marketing_consent",
}


def update_consents(
    actor: Actor,
    user: User,
    *,
    analytics: bool | None = None,
    marketing: bool | None = None,
) -> list[str]:
    """Grant or withdraw analytics and marketing-email consent, separately.

    Each real change writes a ``ConsentRecord`` with its time and an event; an
    unchanged answer writes nothing, so a repeated submission leaves one record.
    Allowed while suspended (withdrawing consent is always possible).
    """
    permissions.check_manage_account(actor, user)
    wanted = {ConsentRecord.Kind.ANALYTICS: analytics, ConsentRecord.Kind.MARKETING: marketing}
    changed: list[str] = []
    with transaction.atomic():
        locked = _locked(user)
        now = timezone.now()
        for kind, granted in wanted.items():
            field = _CONSENT_FIELDS[kind]
            if granted is None or getattr(locked, field) == bool(granted):
                continue
            setattr(locked, field, bool(granted))
            ConsentRecord.objects.create(
                user=locked, kind=kind, granted=bool(granted), created_at=now
            )
            record_event(
                "account.consent_changed",
                actor=user,
                subject=user,
                consent=str(kind),
                granted=bool(granted),
            )
            changed.append(str(kind))
        if changed:
            locked.save(update_fields=[_CONSENT_FIELDS[ConsentRecord.Kind(k)] for k in changed])
    _sync(user, locked, _CONSENT_FIELDS.values())
    return changed


# --- Access tokens ------------------------------------------------------------------------


def create_access_token(
    actor: Actor, user: User, *, name: str, scope: str = AccessToken.Scope.READ
) -> tuple[AccessToken, str]:
    """A new personal access token and its plain value, which is never shown again.

    Raises ``PermissionDenied`` (not the member, suspended), ``ValidationError`` (name,
    scope) and ``ActionRefused`` (a token with that name exists, too many tokens).
    """
    permissions.check_create_access_token(actor, user)
    name = " ".join((name or "").split())
    errors: dict[str, list[ValidationError]] = {}
    if not name:
        errors["name"] = [ValidationError(_("Give the token a name."), code="required")]
    elif len(name) > 80:
        errors["name"] = [ValidationError(_("Use at most 80 characters."), code="max_length")]
    if scope not in AccessToken.Scope.values:
        errors["scope"] = [ValidationError(_("Choose read or read and write."), code="invalid")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _locked(user)  # serialises concurrent creations, so the checks below hold
        active = AccessToken.objects.filter(user=user, revoked_at__isnull=True)
        if active.filter(name__iexact=name).exists():
            raise ActionRefused(
                _("You already have a token named “%(name)s”.") % {"name": name},
                code="token_name_taken",
            )
        if active.count() >= MAX_ACTIVE_TOKENS:
            raise ActionRefused(
                _("You have %(count)d active tokens; revoke one before creating another.")
                % {"count": MAX_ACTIVE_TOKENS},
                code="too_many_tokens",
            )
        raw, prefix, digest = generate_token()
        token = AccessToken.objects.create(
            user=user, name=name, prefix=prefix, token_hash=digest, scope=scope
        )
        record_event("account.token_created", actor=user, subject=token, prefix=prefix, scope=scope)
    return token, raw


def revoke_access_token(actor: Actor, token: AccessToken) -> bool:
    """Revoke one of the member's tokens; ``False`` if it already was. Allowed while suspended."""
    permissions.check_manage_account(actor, token.user)
    with transaction.atomic():
        updated = AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            record_event(
                "account.token_revoked", actor=token.user, subject=token, prefix=token.prefix
            )
    token.refresh_from_db(fields=["revoked_at"])
    return bool(updated)


# --- Export and deletion ---------------------------------------------------------------


def export_account(actor: Actor, user: User) -> dict[str, Any]:
    """Everything Cerchia holds about the member, as a JSON-ready dict; allowed while suspended."""
    from cerchia.accounts.export import build_account_export

    permissions.check_manage_account(actor, user)
    with transaction.atomic():
        record_event("account.data_exported", actor=user, subject=user)
        return build_account_export(user)


def check_password_for_deletion(user: User, password: str) -> None:
    """Re-authentication for deletion; raises ``ValidationError`` on a wrong password."""
    if not password or not user.check_password(password):
        raise ValidationError(
            {
                "password": [
                    ValidationError(_("The password is not correct."), code="wrong_password")
                ]
            }
        )


def delete_account(actor: Actor, user: User, *, password: str, posts: str) -> None:
    """Erase the member's account after checking their password.

    The row is anonymised, not deleted: every personal field is wiped, the email
    and password are replaced so the address can sign up again and no one can sign
    in, and ``deleted_at`` marks it as a tombstone that shows as "deleted member".
    Keeping the row keeps foreign keys from the event log, invitations and decisions
    made as a host, and (later) kept posts pointing at one consistent author,
    instead of scattering ``NULL`` authors through the database.

    Deleted outright: memberships (each community's ``member_count`` drops),
    join requests (they hold the member's own words), waitlist places, tokens,
    consent records, email addresses, two-factor authenticators, interests and the
    avatar file. ``posts`` is ``"keep"`` (attributed to "deleted member") or
    ``"remove"``. The caller logs the member out.

    Raises ``PermissionDenied``, ``ValidationError`` (wrong password, bad choice) and
    ``ActionRefused`` while the member owns a community.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from cerchia.communities.models import (
        Community,
        JoinRequest,
        Membership,
        Role,
        WaitlistEntry,
    )

    permissions.check_manage_account(actor, user)
    if posts not in PostsChoice.values:
        raise ValidationError(
            {"posts": [ValidationError(_("Choose what happens to your posts."), code="invalid")]}
        )
    check_password_for_deletion(user, password)

    with transaction.atomic():
        locked = _locked(user)
        memberships = list(
            Membership.objects.select_for_update()
            .filter(user=locked)
            .select_related("community")
            .order_by("community__name")
        )
        owned = [m.community.name for m in memberships if m.role == Role.OWNER]
        if owned:
            raise ActionRefused(
                _(
                    "You own %(communities)s. Transfer ownership to another member "
                    "before deleting your account."
                )
                % {"communities": ", ".join(f"“{name}”" for name in owned)},
                code="owns_communities",
            )

        _handle_authored_content(locked, posts)

        community_ids = [m.community_id for m in memberships]
        Community.objects.filter(pk__in=community_ids, member_count__gt=0).update(
            member_count=F("member_count") - 1
        )
        Membership.objects.filter(user=locked).delete()
        from cerchia.communities import tasks as community_tasks

        for community_id in community_ids:
            # A full community has a seat again: offer it to whoever waits longest.
            transaction.on_commit(partial(community_tasks.offer_freed_seat.enqueue, community_id))
        JoinRequest.objects.filter(user=locked).delete()
        WaitlistEntry.objects.filter(user=locked).delete()
        AccessToken.objects.filter(user=locked).delete()
        ConsentRecord.objects.filter(user=locked).delete()
        EmailAddress.objects.filter(user=locked).delete()
        Authenticator.objects.filter(user=locked).delete()
        locked.interests.clear()
        locked.groups.clear()
        locked.user_permissions.clear()

        delete_file_on_commit(locked.avatar.name or "")
        tombstone = f"deleted_{secrets.token_hex(8)}"
        locked.email = f"{tombstone}@deleted.invalid"
        locked.handle = tombstone
        locked.display_name = ""
        locked.bio = ""
        locked.avatar = ""
        locked.language = ""
        locked.timezone = ""
        locked.profile_visibility = ProfileVisibility.PRIVATE
        locked.analytics_consent = False
        locked.marketing_consent = False
        locked.is_active = False
        locked.is_staff = False
        locked.is_superuser = False
        locked.suspension_reason = ""
        locked.last_login = None
        locked.deleted_at = timezone.now()
        locked.set_unusable_password()
        locked.save()

        record_event(
            "account.deleted",
            actor=locked,
            subject=locked,
            posts=posts,
            memberships_removed=len(memberships),
        )


def _handle_authored_content(user: User, posts: str) -> None:
    """Honour the member's choice for what they wrote: ``keep`` leaves it attributed to the
    tombstone ("deleted member"), ``remove`` erases it; private traces go either way."""
    from cerchia.discussions.erasure import erase_member_discussions
    from cerchia.notifications.actions import erase_member_notifications

    erase_member_discussions(user, remove_posts=posts == PostsChoice.REMOVE)
    erase_member_notifications(user)


# --- Suspension ----------------------------------------------------------------------------


def suspend_account(actor: Actor, user: User, reason: str) -> bool:
    """Suspend ``user`` (site admins only); ``False`` if already suspended.

    The member can still sign in, read, export and delete their data; writes elsewhere
    refuse through ``permissions.check_not_suspended``.
    """
    permissions.check_suspend_account(actor, user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": [ValidationError(_("Say why the account is suspended."), code="required")]}
        )
    if len(reason) > 2000:
        raise ValidationError(
            {"reason": [ValidationError(_("Use at most 2000 characters."), code="max_length")]}
        )
    with transaction.atomic():
        locked = _locked(user)
        if locked.suspended_at is not None:
            return False
        locked.suspended_at = timezone.now()
        locked.suspension_reason = reason
        locked.save(update_fields=["suspended_at", "suspension_reason"])
        record_event("account.suspended", actor=actor, subject=locked, reason=reason)
    _sync(user, locked, ["suspended_at", "suspension_reason"])
    return True


def unsuspend_account(actor: Actor, user: User) -> bool:
    """Lift a suspension (site admins only); ``False`` if the account was not suspended."""
    permissions.check_suspend_account(actor, user)
    with transaction.atomic():
        locked = _locked(user)
        if locked.suspended_at is None:
            return False
        locked.suspended_at = None
        locked.suspension_reason = ""
        locked.save(update_fields=["suspended_at", "suspension_reason"])
        record_event("account.unsuspended", actor=actor, subject=locked)
    _sync(user, locked, ["suspended_at", "suspension_reason"])
    return True
