"""Demo segments: two saved filters in the demo's brand community (safe to run again)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cerchia.communities.models import Community, Membership, Role
from cerchia.insights.actions_segments import create_segment
from cerchia.insights.models import Segment

COMMUNITY = "rovere-riders"

SEGMENTS: tuple[dict[str, Any], ...] = (
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


def load() -> int:
    """Create the demo segments that are missing; how many were created."""
    community = Community.objects.filter(slug=COMMUNITY).first()
    if community is None:
        return 0
    owner = (
        Membership.objects.filter(community=community, role=Role.OWNER)
        .select_related("user")
        .first()
    )
    if owner is None:
        return 0
    created = 0
    with transaction.atomic():
        for spec in SEGMENTS:
            if Segment.objects.filter(community=community, name=spec["name"]).exists():
                continue
            create_segment(owner.user, community, **spec)
            created += 1
    return created
