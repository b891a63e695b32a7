"""Demo segments: saved filters in two demo communities (safe to run again)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cerchia.communities.models import Community, Membership, Role
from cerchia.insights.actions_segments import create_segment
from cerchia.insights.models import Segment

COMMUNITY = "rovere-riders"

RIDER_SEGMENTS: tuple[dict[str, Any], ...] = (
    {
        "name": "Rider attivi / Active riders",
        "description": "Engaged in the last 30 days (with analytics consent) or trusted regulars.",
        "rules": {
            "match": "any",
            "groups": [
                {
                    "match": "any",
                    "conditions": [
                        {"field": "engaged_days", "op": "within", "value": 30},
                        {"field": "trust_level", "op": "at_least", "value": 2},
                    ],
                }
            ],
        },
    },
    {
        "name": "Nuovi con consenso / Newcomers open to news",
        "description": "Joined in the last 90 days and accept marketing email.",
        "rules": {
            "match": "all",
            "groups": [
                {
                    "match": "all",
                    "conditions": [
                        {"field": "joined", "op": "within_days", "value": 90},
                        {"field": "marketing_consent", "op": "is", "value": True},
                        {"field": "role", "op": "is", "value": "member"},
                    ],
                }
            ],
        },
    },
)


#: The community with months of history (cerchia.insights.demo) gets segments that use it.
ESPRESSO_SEGMENTS: tuple[dict[str, Any], ...] = (
    {
        "name": "Assidui del mese",
        "description": "Attivi in almeno una discussione negli ultimi 30 giorni (con consenso).",
        "rules": {
            "match": "all",
            "groups": [
                {
                    "match": "all",
                    "conditions": [{"field": "engaged_days", "op": "within", "value": 30}],
                }
            ],
        },
    },
    {
        "name": "Nuovi iscritti aperti alle novità",
        "description": "Entrati negli ultimi 90 giorni, accettano le email di marketing.",
        "rules": {
            "match": "all",
            "groups": [
                {
                    "match": "all",
                    "conditions": [
                        {"field": "joined", "op": "within_days", "value": 90},
                        {"field": "marketing_consent", "op": "is", "value": True},
                    ],
                }
            ],
        },
    },
)

SEGMENTS_BY_COMMUNITY: dict[str, tuple[dict[str, Any], ...]] = {
    COMMUNITY: RIDER_SEGMENTS,
    "espresso-a-casa": ESPRESSO_SEGMENTS,
}

#: Kept for callers that know only the first community's segments.
SEGMENTS = RIDER_SEGMENTS


def load() -> int:
    """Create the demo segments that are missing; how many were created."""
    created = 0
    for slug, specs in SEGMENTS_BY_COMMUNITY.items():
        community = Community.objects.filter(slug=slug).first()
        if community is None:
            continue
        owner = (
            Membership.objects.filter(community=community, role=Role.OWNER)
            .select_related("user")
            .first()
        )
        if owner is None:
            continue
        with transaction.atomic():
            for spec in specs:
                if Segment.objects.filter(community=community, name=spec["name"]).exists():
                    continue
                create_segment(owner.user, community, **spec)
                created += 1
    return created
