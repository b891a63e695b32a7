"""Affiliation: hosts mark who a member speaks for in their community (Staff, Brand,
Partner, Ambassador); the label then stands next to the member's name everywhere there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cerchia.communities.models import Affiliation, Membership
from cerchia.communities.permissions import forget_access
from cerchia.insights.log import record_event
from cerchia.moderation.models import LogAction, ModerationLogEntry
from cerchia.moderation.permissions_people import check_set_affiliation

if TYPE_CHECKING:
    from cerchia.accounts.models import User

AFFILIATION_NAME_MAX = 80


def clean_affiliation(affiliation: str, name: str) -> tuple[str, str]:
    """Validate a kind and an organisation name; returns ``(kind, name)`` to store."""
    affiliation = (affiliation or "").strip().lower()
    if "\x00" in (name or ""):
        raise ValidationError({"affiliation_name": _("Text cannot contain NUL characters.")})
    name = " ".join((name or "").split())
    if affiliation not in Affiliation.values:
        raise ValidationError({"affiliation": _("Choose an affiliation from the list.")})
    if len(name) > AFFILIATION_NAME_MAX:
        raise ValidationError(
            {
                "affiliation_name": _("Keep the name under %(max)d characters.")
                % {"max": AFFILIATION_NAME_MAX}
            }
        )
    if not affiliation:
        name = ""
    return affiliation, name


def set_affiliation(
    actor: User, membership: Membership, affiliation: str, name: str = ""
) -> Membership:
    """Set (or clear, with ``""``) a member's affiliation in the membership's community.

    Raises PermissionDenied/Http404 (hosts only), ValidationError (unknown kind, long name)."""
    check_set_affiliation(actor, membership)
    affiliation, name = clean_affiliation(affiliation, name)
    if (membership.affiliation, membership.affiliation_name) == (affiliation, name):
        return membership
    previous = membership.affiliation
    community = membership.community
    with transaction.atomic():
        membership.affiliation = affiliation
        membership.affiliation_name = name
        membership.save(update_fields=["affiliation", "affiliation_name"])
        ModerationLogEntry.objects.create(
            community=community,
            actor=actor,
            action=LogAction.AFFILIATION_CHANGED,
            detail=affiliation,
            member_id=membership.user_id,
        )
        record_event(
            "moderation.affiliation_changed",
            actor=actor,
            community=community,
            subject=membership,
            user=membership.user_id,
            previous=previous,
            affiliation=affiliation,
            affiliation_name=name,
        )
    forget_access(community)
    return membership
