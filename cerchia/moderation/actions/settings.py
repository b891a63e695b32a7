"""A community's moderation settings and content rules, changed by its hosts."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cerchia.communities.models import Community
from cerchia.insights.log import record_event
from cerchia.moderation import permissions
from cerchia.moderation.models import ContentRule, ModerationSettings, Premoderation

if TYPE_CHECKING:
    from cerchia.accounts.models import User

PATTERN_MAX = 200
MESSAGE_MAX = 300
NEWCOMER_POSTS_MAX = 50
UNANSWERED_HOURS_MAX = 24 * 30
NEWCOMER_DAYS_MAX = 365
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")

#: Settings a host may change here, with their bounds (numbers) or choices.
SETTING_FIELDS = (
    "premoderation",
    "newcomer_posts",
    "require_disclosure",
    "public_log",
    "unanswered_hours",
    "newcomer_days",
)


def _bounded(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(
            {name: _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}}
        )
    return value


def update_moderation_settings(
    actor: User, community: Community, **changes: Any
) -> ModerationSettings:
    """Change pre-moderation, disclosure, public log, unanswered hours and newcomer days.

    Only the given fields change. Raises PermissionDenied/Http404, ValidationError."""
    permissions.check_moderate(actor, community)
    unknown = set(changes) - set(SETTING_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown setting: %(name)s.") % {"name": sorted(unknown)[0]})
    clean: dict[str, Any] = {}
    if "premoderation" in changes:
        if changes["premoderation"] not in Premoderation.values:
            raise ValidationError({"premoderation": _("Choose off, newcomers or all posts.")})
        clean["premoderation"] = changes["premoderation"]
    if "newcomer_posts" in changes:
        clean["newcomer_posts"] = _bounded(
            "newcomer_posts", changes["newcomer_posts"], 1, NEWCOMER_POSTS_MAX
        )
    if "unanswered_hours" in changes:
        clean["unanswered_hours"] = _bounded(
            "unanswered_hours", changes["unanswered_hours"], 1, UNANSWERED_HOURS_MAX
        )
    if "newcomer_days" in changes:
        clean["newcomer_days"] = _bounded(
            "newcomer_days", changes["newcomer_days"], 0, NEWCOMER_DAYS_MAX
        )
    for name in ("require_disclosure", "public_log"):
        if name in changes:
            if not isinstance(changes[name], bool):
                raise ValidationError({name: _("Choose yes or no.")})
            clean[name] = changes[name]
    with transaction.atomic():
        settings, _created = ModerationSettings.objects.select_for_update().get_or_create(
            community=community
        )
        changed = {name: value for name, value in clean.items() if getattr(settings, name) != value}
        for name, value in changed.items():
            setattr(settings, name, value)
        if changed:
            settings.save(update_fields=list(changed))
            record_event(
                "moderation.settings_changed",
                actor=actor,
                community=community,
                subject=settings,
                changed=sorted(changed),
            )
    community.moderation_settings = settings
    return settings


def clean_domain(value: str) -> str:
    """A link domain as rules store it: lower-case, no scheme, path or ``www.``."""
    domain = value.strip().lower()
    domain = re.sub(r"^[a-z][a-z0-9+.-]*://", "", domain)
    domain = domain.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    domain = domain.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    domain = domain.removeprefix("www.")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise ValidationError({"pattern": _("Enter a domain such as example.com.")}) from error
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise ValidationError({"pattern": _("Enter a domain such as example.com.")})
    return domain


def _clean_pattern(kind: str, pattern: str) -> str:
    if "\x00" in (pattern or ""):
        raise ValidationError({"pattern": _("Text cannot contain NUL characters.")})
    pattern = " ".join((pattern or "").split())
    if not pattern:
        raise ValidationError({"pattern": _("Enter a word, a phrase or a domain.")})
    if len(pattern) > PATTERN_MAX:
        raise ValidationError(
            {"pattern": _("Keep it under %(max)d characters.") % {"max": PATTERN_MAX}}
        )
    if kind == ContentRule.Kind.DOMAIN:
        return clean_domain(pattern)
    return pattern.lower()


def add_rule(
    actor: User,
    community: Community,
    *,
    kind: str,
    pattern: str,
    action: str,
    message: str = "",
) -> ContentRule:
    """Add a keyword or link-domain rule that holds or refuses matching posts.

    Raises PermissionDenied/Http404, ValidationError (bad or duplicate pattern)."""
    permissions.check_moderate(actor, community)
    if kind not in ContentRule.Kind.values:
        raise ValidationError({"kind": _("Choose a word or phrase, or a link domain.")})
    if action not in ContentRule.Action.values:
        raise ValidationError({"action": _("Choose to hold or to refuse matching posts.")})
    pattern = _clean_pattern(kind, pattern)
    message = " ".join((message or "").split())
    if "\x00" in message:
        raise ValidationError({"message": _("Text cannot contain NUL characters.")})
    if len(message) > MESSAGE_MAX:
        raise ValidationError(
            {"message": _("Keep it under %(max)d characters.") % {"max": MESSAGE_MAX}}
        )
    duplicate = ValidationError({"pattern": _("This community already has a rule for this.")})
    if ContentRule.objects.filter(community=community, kind=kind, pattern=pattern).exists():
        raise duplicate
    try:
        with transaction.atomic():
            rule = ContentRule.objects.create(
                community=community,
                kind=kind,
                pattern=pattern,
                action=action,
                message=message,
                created_by=actor,
            )
            record_event(
                "moderation.rule_added",
                actor=actor,
                community=community,
                subject=rule,
                rule_id=rule.pk,
                rule_kind=kind,
                action=action,
            )
    except IntegrityError as error:
        raise duplicate from error
    return rule


def delete_rule(actor: User, rule: ContentRule) -> None:
    """Remove a rule; posts it held stay in the queue. Raises PermissionDenied/Http404."""
    community = rule.community
    permissions.check_moderate(actor, community)
    with transaction.atomic():
        rule_id = rule.pk
        record_event(
            "moderation.rule_deleted",
            actor=actor,
            community=community,
            subject=rule,
            rule_id=rule_id,
            rule_kind=rule.kind,
            action=rule.action,
        )
        rule.delete()
