"""Sponsored and gifted content: who may label a post, what a label must say, and how it reads.

Any member with an affiliation in the community may label a post. When the community
requires it (``ModerationSettings.require_disclosure``), staff, brand and partner members
must choose explicitly on every post: sponsored, gift, or "no label" (``NO_LABEL``:
their own opinion, not about the brand). Ambassadors may label but are not required to:
they speak for themselves, and hosts mark them so readers know the tie.

A label reads in the community's language, whoever reads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from cerchia.communities.models import Affiliation, Community
from cerchia.communities.permissions import get_access
from cerchia.discussions.models import Disclosure

if TYPE_CHECKING:
    from cerchia.accounts.models import User
    from cerchia.communities.models import Membership

#: The explicit "no label" choice: stored as no disclosure.
NO_LABEL = "none"
#: Affiliations that must choose a label when the community requires it.
MUST_CHOOSE = frozenset({Affiliation.STAFF, Affiliation.BRAND, Affiliation.PARTNER})


def brand_for(membership: Membership | None, community: Community) -> str:
    """The brand a sponsored label names: the member's organisation, else the community's."""
    name = membership.affiliation_name if membership is not None else ""
    return name or community.brand_name


def must_choose(actor: User, community: Community) -> bool:
    """Whether the actor must pick a label explicitly on each post in ``community``."""
    from cerchia.moderation.screening import settings_for

    access = get_access(actor, community)
    membership = access.membership
    if membership is None or membership.affiliation not in MUST_CHOOSE:
        return False
    return bool(settings_for(community).require_disclosure)


def clean_disclosure(
    actor: User,
    community: Community,
    disclosure: str,
    brand: str,
    *,
    enforce_choice: bool = True,
) -> tuple[str, str]:
    """Validate a post's disclosure label; returns ``(disclosure, brand)`` to store.

    ``disclosure`` is ``""`` (none chosen), ``"none"`` (explicitly no label), ``"sponsored"``
    or ``"gift"``. Raises ValidationError for an unknown label, one the actor may not use,
    or no choice where the community requires one (``enforce_choice``; off when a host
    publishes an already screened post)."""
    disclosure = (disclosure or "").strip().lower()
    if "\x00" in (brand or ""):
        raise ValidationError({"disclosure_brand": _("Text cannot contain NUL characters.")})
    brand = " ".join((brand or "").split())[:80]
    if disclosure != NO_LABEL and disclosure not in Disclosure.values:
        raise ValidationError({"disclosure": _("Choose a disclosure label from the list.")})
    if not disclosure:
        if enforce_choice and actor.is_authenticated and must_choose(actor, community):
            raise ValidationError(
                {
                    "disclosure": _(
                        "This community asks affiliated members to label every post: "
                        "choose sponsored, gift, or no label."
                    )
                }
            )
        return "", ""
    if disclosure == NO_LABEL:
        return "", ""
    access = get_access(actor, community)
    if access.membership is None or not access.membership.affiliation:
        raise ValidationError(
            {"disclosure": _("Only members with an affiliation in this community label posts.")}
        )
    if disclosure == Disclosure.SPONSORED and not brand:
        brand = brand_for(access.membership, community)
    if disclosure == Disclosure.GIFT:
        brand = brand or brand_for(access.membership, community)
    return disclosure, brand


def disclosure_label(disclosure: str, brand: str, language: str) -> str:
    """The label as readers see it, in ``language`` (the community's): "Sponsored by …"."""
    if not disclosure:
        return ""
    with translation.override(language):
        if disclosure == Disclosure.SPONSORED:
            if brand:
                return _("Sponsored by %(brand)s") % {"brand": brand}
            return _("Sponsored")
        if disclosure == Disclosure.GIFT:
            return _("Product received as a gift")
    return ""


def post_disclosure_label(post: object, community: Community) -> str:
    """A post's label in its community's language ("" without one)."""
    return disclosure_label(
        str(getattr(post, "disclosure", "") or ""),
        str(getattr(post, "disclosure_brand", "") or ""),
        community.language,
    )


def choices_for(actor: User, community: Community) -> list[tuple[str, str]]:
    """The composer's label choices for the actor, in the community's language; empty for
    members without an affiliation (they see no choice)."""
    access = get_access(actor, community)
    membership = access.membership
    if membership is None or not membership.affiliation:
        return []
    brand = brand_for(membership, community)
    return [
        (NO_LABEL, _("No label: my own opinion, not sponsored")),
        (
            Disclosure.SPONSORED.value,
            disclosure_label(Disclosure.SPONSORED, brand, community.language),
        ),
        (Disclosure.GIFT.value, disclosure_label(Disclosure.GIFT, brand, community.language)),
    ]


def affiliation_text(kind: str, name: str = "") -> str:
    """An affiliation as plain text in the active language: "Brand · Velo Alpino"."""
    if not kind or kind not in Affiliation.values:
        return ""
    label = str(Affiliation(kind).label)
    return f"{label} · {name}" if name else label


def author_affiliation(post: object) -> tuple[str, str]:
    """The post author's ``(affiliation, affiliation_name)`` in the post's community (one
    query; ``("", "")`` without one)."""
    from cerchia.communities.models import Membership

    author_id = getattr(post, "author_id", None)
    community_id = getattr(post, "community_id", None)
    if author_id is None or community_id is None:
        return "", ""
    row = (
        Membership.objects.filter(community_id=community_id, user_id=author_id)
        .values_list("affiliation", "affiliation_name")
        .first()
    )
    return (row[0] or "", row[1] or "") if row else ("", "")
