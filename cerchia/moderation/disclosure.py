"""Sponsored and gifted content: who may label a post, and what a label must say."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cerchia.communities.models import Community
from cerchia.communities.permissions import get_access
from cerchia.discussions.models import Disclosure

if TYPE_CHECKING:
    from cerchia.accounts.models import User


def clean_disclosure(
    actor: User, community: Community, disclosure: str, brand: str
) -> tuple[str, str]:
    """Validate a post's disclosure label; returns ``(disclosure, brand)`` to store.

    Raises ValidationError for an unknown label or one the actor may not use."""
    disclosure = (disclosure or "").strip()
    brand = " ".join((brand or "").split())[:80]
    if disclosure not in Disclosure.values:
        raise ValidationError({"disclosure": _("Choose a disclosure label from the list.")})
    if not disclosure:
        return "", ""
    access = get_access(actor, community)
    if access.membership is None or not access.membership.affiliation:
        raise ValidationError(
            {"disclosure": _("Only members with an affiliation in this community label posts.")}
        )
    if disclosure == Disclosure.SPONSORED and not brand:
        brand = access.membership.affiliation_name or community.brand_name
    return disclosure, brand
