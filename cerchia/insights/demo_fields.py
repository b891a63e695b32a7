"""Demo member fields: a few questions the hosts of a demo community ask, and members' answers.

``load()`` adds them through the real actions (the owner defines the questions, each member
answers their own), so every row and event is what the app itself would write. It is
idempotent: a community that already asks questions is left as is.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cerchia.communities.models import Community, Membership, Role
from cerchia.insights import actions_fields as actions
from cerchia.insights.models import (
    FieldAsked,
    FieldKind,
    FieldPurpose,
    FieldVisibility,
    MemberField,
)


@dataclass(frozen=True)
class FieldPlan:
    """A question and the answers members may give (one picked per member, or None)."""

    label: str
    kind: str
    answers: Sequence[Any]
    help_text: str = ""
    choices: Sequence[str] = ()
    purpose: str = FieldPurpose.PROFILE
    visibility: str = FieldVisibility.HOSTS
    asked: str = FieldAsked.ON_JOINING
    required: bool = False
    #: The share of members who answer (the rest skip it).
    answered: float = 0.8


MACHINES = ["Moka", "Macchina a pompa", "Macchina a leva", "Superautomatica"]
ORIGINS = ["Etiopia", "Colombia", "Brasile", "Kenya", "Guatemala", "Miscele italiane"]

#: The demo's questions, by community address.
DEMO_FIELDS: dict[str, list[FieldPlan]] = {
    "espresso-a-casa": [
        FieldPlan(
            label="Con cosa prepari il caffè a casa?",
            kind=FieldKind.CHOICE,
            choices=MACHINES,
            answers=MACHINES,
            visibility=FieldVisibility.MEMBERS,
            required=True,
            answered=1.0,
        ),
        FieldPlan(
            label="Città",
            kind=FieldKind.TEXT,
            help_text="Così puoi trovare chi abita vicino a te.",
            answers=["Bologna", "Milano", "Torino", "Roma", "Napoli", "Firenze", "Padova"],
            visibility=FieldVisibility.MEMBERS,
        ),
        FieldPlan(
            label="Quante tazzine al giorno?",
            kind=FieldKind.NUMBER,
            answers=[1, 2, 2, 3, 4, 1.5],
            asked=FieldAsked.LATER,
        ),
        FieldPlan(
            label="Origini che preferisci",
            kind=FieldKind.MULTIPLE,
            choices=ORIGINS,
            answers=[
                ["Etiopia", "Kenya"],
                ["Brasile"],
                ["Colombia", "Guatemala"],
                ["Miscele italiane"],
            ],
            purpose=FieldPurpose.MARKETING,
            asked=FieldAsked.LATER,
            answered=0.6,
        ),
        FieldPlan(
            label="Vuoi sapere dei corsi di latte art?",
            kind=FieldKind.YES_NO,
            answers=[True, False, True],
            purpose=FieldPurpose.MARKETING,
            asked=FieldAsked.LATER,
            answered=0.5,
        ),
    ],
}


def _owner(community: Community) -> Any:
    owner = (
        Membership.objects.filter(community=community, role=Role.OWNER)
        .select_related("user")
        .order_by("joined_at", "id")
        .first()
    )
    return owner.user if owner is not None else community.created_by


def load(
    fields_by_slug: Mapping[str, Sequence[FieldPlan]] | None = None, *, seed: int = 5
) -> dict[str, int]:
    """Add the planned questions and members' answers; returns answers saved per community.

    Communities missing from the database, or already asking questions, are skipped.
    """
    plans = DEMO_FIELDS if fields_by_slug is None else fields_by_slug
    pick = random.Random(seed)
    saved: dict[str, int] = {}
    for slug, planned in plans.items():
        community = Community.objects.filter(slug=slug).first()
        if community is None or MemberField.objects.filter(community=community).exists():
            continue
        owner = _owner(community)
        if owner is None:
            continue
        created = [
            (
                plan,
                actions.create_field(
                    owner,
                    community,
                    label=plan.label,
                    kind=plan.kind,
                    help_text=plan.help_text,
                    choices=list(plan.choices),
                    purpose=plan.purpose,
                    visibility=plan.visibility,
                    asked=plan.asked,
                    required=plan.required,
                ),
            )
            for plan in planned
        ]
        members = (
            Membership.objects.filter(community=community, user__suspended_at__isnull=True)
            .select_related("user")
            .order_by("id")
        )
        count = 0
        for membership in members:
            answers = {
                made.pk: pick.choice(list(plan.answers))
                for plan, made in created
                if plan.answers and (plan.required or pick.random() < plan.answered)
            }
            if answers:
                count += len(
                    actions.save_my_answers(membership.user, community, answers, complete=False)
                )
        saved[slug] = count
    return saved
