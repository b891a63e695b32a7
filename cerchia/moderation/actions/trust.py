"""Trust levels: raised as members earn them, set by hand by hosts, thresholds tuned by hosts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from cerchia.communities.models import Community, Membership, TrustLevel
from cerchia.insights.log import record_event
from cerchia.moderation import permissions, trust
from cerchia.moderation.models import ModerationSettings
from cerchia.moderation.screening import settings_for

if TYPE_CHECKING:
    from cerchia.accounts.models import User

#: The largest number a threshold or a limit may hold.
NUMBER_MAX = 100_000


def _numbers(
    name: str, given: Any, levels: tuple[str, ...], fields: tuple[str, ...]
) -> dict[str, dict[str, int]]:
    """``{level: {field: n}}`` with known levels and fields, whole numbers 0..NUMBER_MAX."""
    if not isinstance(given, dict):
        raise ValidationError({name: _("Give the numbers by level.")})
    clean: dict[str, dict[str, int]] = {}
    for level, values in given.items():
        level = str(level)
        if level not in levels or not isinstance(values, dict):
            raise ValidationError(
                {name: _("Unknown trust level: %(level)s.") % {"level": level[:10]}}
            )
        for field, value in values.items():
            if field not in fields:
                raise ValidationError(
                    {name: _("Unknown setting: %(name)s.") % {"name": str(field)[:40]}}
                )
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 0 <= value <= NUMBER_MAX
            ):
                raise ValidationError(
                    {
                        f"{name}.{level}.{field}": _("Enter a whole number from 0 to %(max)d.")
                        % {"max": NUMBER_MAX}
                    }
                )
            clean.setdefault(level, {})[field] = value
    return clean


def update_trust_settings(
    actor: User,
    community: Community,
    *,
    thresholds: dict[str, dict[str, int]] | None = None,
    limits: dict[str, dict[str, int]] | None = None,
) -> ModerationSettings:
    """Tune what each level needs and the limits of the lower levels (given values only).

    Raises PermissionDenied/Http404, ValidationError (unknown level or field, not a whole
    number from 0 to NUMBER_MAX)."""
    permissions.check_moderate(actor, community)
    new_thresholds = (
        _numbers("thresholds", thresholds, trust.EARNED_LEVELS, trust.THRESHOLD_FIELDS)
        if thresholds is not None
        else {}
    )
    new_limits = (
        _numbers("limits", limits, trust.LIMITED_LEVELS, trust.LIMIT_FIELDS)
        if limits is not None
        else {}
    )
    with transaction.atomic():
        settings, _created = ModerationSettings.objects.select_for_update().get_or_create(
            community=community
        )
        stored_thresholds = {k: dict(v) for k, v in (settings.trust_thresholds or {}).items()}
        for level, values in new_thresholds.items():
            stored_thresholds.setdefault(level, {}).update(values)
        stored_limits = {k: dict(v) for k, v in (settings.trust_limits or {}).items()}
        for level, values in new_limits.items():
            stored_limits.setdefault(level, {}).update(values)
        settings.trust_thresholds = stored_thresholds
        settings.trust_limits = stored_limits
        settings.save(update_fields=["trust_thresholds", "trust_limits"])
        record_event(
            "moderation.trust_settings_changed",
            actor=actor,
            community=community,
            subject=settings,
            thresholds=new_thresholds,
            limits=new_limits,
        )
    community.moderation_settings = settings
    return settings


def set_trust_level(actor: User, community: Community, member: User, level: int) -> Membership:
    """A host sets a member's level by hand (up or down); the change is recorded.

    Raises PermissionDenied/Http404 (rights; 404 when the person is not a member),
    ValidationError (not a level)."""
    permissions.check_moderate(actor, community)
    if isinstance(level, bool) or level not in TrustLevel.values:
        raise ValidationError({"level": _("Choose a trust level from 0 to 3.")})
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().filter(community=community, user=member).first()
        )
        if membership is None:
            raise Http404(_("This person is not a member of the community."))
        previous = membership.trust_level
        if previous != level:
            membership.trust_level = level
            membership.save(update_fields=["trust_level"])
            record_event(
                "moderation.trust_level_set",
                actor=actor,
                community=community,
                subject=membership,
                member_id=member.pk,
                previous=previous,
                level=level,
            )
    return membership


def _raise_level(membership: Membership, level: int, previous: int) -> None:
    with transaction.atomic():
        updated = Membership.objects.filter(pk=membership.pk, trust_level=previous).update(
            trust_level=level
        )
        if updated:
            membership.trust_level = level
            record_event(
                "moderation.trust_level_earned",
                actor=None,
                community=membership.community,
                subject=membership,
                member_id=membership.user_id,
                previous=previous,
                level=level,
            )


def raise_earned_level(membership: Membership) -> int:
    """Raise one member to the level their activity has earned (never lower); the level."""
    if membership.trust_level >= TrustLevel.REGULAR:
        return membership.trust_level
    thresholds = settings_for(membership.community).thresholds()
    level = trust.earned_level(trust.activity_of(membership), thresholds)
    if level > membership.trust_level:
        _raise_level(membership, level, membership.trust_level)
    return membership.trust_level


def recompute_trust_levels(community: Community | None = None) -> int:
    """Raise every member (of one community, or of all) to the level they have earned.

    Levels are never lowered here. Returns how many memberships rose."""
    communities = (
        [community]
        if community is not None
        else Community.objects.select_related("moderation_settings").iterator(chunk_size=200)
    )
    raised = 0
    for each in communities:
        thresholds = settings_for(each).thresholds()
        for membership, level in trust.earned_levels(each, thresholds):
            membership.community = each
            _raise_level(membership, level, membership.trust_level)
            raised += 1
    return raised
