"""Moderation setup: pre-moderation and other settings, content rules, trust levels.

Hosts (and site admins) of a community only; anyone else who can see the community gets
403, the rest 404. Also the shape of a held submission (``HeldOut``), which the posting
operations answer with ``202`` when a post waits for approval.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Path, Router, Status
from pydantic import BaseModel, Field, StringConstraints

from cerchia.api.auth import SIGNED_IN, signed_in
from cerchia.api.errors import problems
from cerchia.api.routers.communities import SLUG, resolve_community
from cerchia.api.schemas import Body, PatchBody, unset
from cerchia.moderation import queries_screen, trust
from cerchia.moderation.actions import settings as settings_actions
from cerchia.moderation.actions import trust as trust_actions
from cerchia.moderation.models import ContentRule, HeldPost, ModerationSettings

router = Router(tags=["moderation"])

READ = {**problems(401, 403, 404, 422, 429)}
WRITE = {**problems(401, 403, 404, 409, 422, 429)}
RULE_ID = Path(..., ge=1, le=2**63 - 1, description="The rule's id.")
HANDLE = Path(..., min_length=1, max_length=64, description="The member's handle.")

PremoderationName = Literal["off", "newcomers", "all"]
RuleKindName = Literal["keyword", "domain"]
RuleActionName = Literal["hold", "refuse"]
Count = Annotated[int, Field(ge=0, le=trust_actions.NUMBER_MAX)]


# --- Held submissions ------------------------------------------------------------------------


class HeldOut(BaseModel):
    """A topic or reply stored for review instead of published."""

    status: Literal["held"] = "held"
    held_id: int = Field(description="The held submission's id.")
    review_status: Literal["pending", "approved", "rejected"] = Field(
        description="Where the review stands."
    )
    reason: str = Field(
        description="Why it waits: `premoderation`, `newcomer`, `rule`, `duplicate` or `limit`."
    )
    notice: str = Field(description="What to tell the author, in their language.")
    community: str = Field(description="The community's address.")
    topic_id: int | None = Field(description="The topic replied to; `null` for a new topic.")
    title: str
    body: str
    created_at: datetime


def held_out(held: HeldPost) -> HeldOut:
    return HeldOut(
        held_id=held.pk,
        review_status=held.status,  # type: ignore[arg-type]
        reason=held.reason,
        notice=held.notice,
        community=held.community.slug,
        topic_id=held.topic_id,
        title=held.title,
        body=held.body,
        created_at=held.created_at,
    )


# --- Settings -------------------------------------------------------------------------------


class ModerationSettingsOut(BaseModel):
    premoderation: PremoderationName = Field(
        description="`off`, `newcomers` (a new member's first posts wait) or `all`."
    )
    newcomer_posts: int = Field(description="With `newcomers`, how many first posts wait.")
    require_disclosure: bool = Field(description="Affiliated members must label their posts.")
    public_log: bool = Field(description="An anonymised moderation log is public.")
    unanswered_hours: int = Field(
        description="Hours before a newcomer's unanswered topic is raised."
    )
    newcomer_days: int = Field(description="Days a member counts as new.")


class ModerationSettingsIn(PatchBody):
    """Only the fields sent change."""

    premoderation: PremoderationName = unset()
    newcomer_posts: Annotated[int, Field(ge=1, le=settings_actions.NEWCOMER_POSTS_MAX)] = unset()
    require_disclosure: bool = unset()
    public_log: bool = unset()
    unanswered_hours: Annotated[int, Field(ge=1, le=settings_actions.UNANSWERED_HOURS_MAX)] = (
        unset()
    )
    newcomer_days: Annotated[int, Field(ge=0, le=settings_actions.NEWCOMER_DAYS_MAX)] = unset()


def settings_out(settings: ModerationSettings) -> ModerationSettingsOut:
    return ModerationSettingsOut(
        premoderation=settings.premoderation,  # type: ignore[arg-type]
        newcomer_posts=settings.newcomer_posts,
        require_disclosure=settings.require_disclosure,
        public_log=settings.public_log,
        unanswered_hours=settings.unanswered_hours,
        newcomer_days=settings.newcomer_days,
    )


@router.get(
    "/communities/{slug}/moderation/settings",
    response={200: ModerationSettingsOut, **READ},
    auth=SIGNED_IN,
)
def get_moderation_settings(request: HttpRequest, slug: str = SLUG) -> ModerationSettingsOut:
    """The community's pre-moderation, disclosure, public log and newcomer settings (hosts)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    return settings_out(queries_screen.get_moderation_settings(user, community))


@router.put(
    "/communities/{slug}/moderation/settings",
    response={200: ModerationSettingsOut, **WRITE},
    auth=SIGNED_IN,
)
def update_moderation_settings(
    request: HttpRequest, payload: ModerationSettingsIn, slug: str = SLUG
) -> ModerationSettingsOut:
    """Change the settings sent; the others stay as they are (hosts)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    settings = settings_actions.update_moderation_settings(user, community, **payload.changes())
    return settings_out(settings)


# --- Content rules -------------------------------------------------------------------------


class RuleOut(BaseModel):
    id: int
    kind: RuleKindName = Field(description="`keyword` (a word or phrase) or `domain`.")
    pattern: str
    action: RuleActionName = Field(description="`hold` for review or `refuse`.")
    message: str = Field(description="Told to the author; empty means the default message.")
    created_at: datetime


class RuleList(BaseModel):
    items: list[RuleOut]
    next_cursor: None = Field(default=None, description="Always `null`: one page.")


class RuleIn(Body):
    kind: RuleKindName
    pattern: Annotated[str, StringConstraints(max_length=settings_actions.PATTERN_MAX)]
    action: RuleActionName
    message: Annotated[str, StringConstraints(max_length=settings_actions.MESSAGE_MAX)] = ""


def rule_out(rule: ContentRule) -> RuleOut:
    return RuleOut(
        id=rule.pk,
        kind=rule.kind,  # type: ignore[arg-type]
        pattern=rule.pattern,
        action=rule.action,  # type: ignore[arg-type]
        message=rule.message,
        created_at=rule.created_at,
    )


@router.get(
    "/communities/{slug}/moderation/rules",
    response={200: RuleList, **READ},
    auth=SIGNED_IN,
)
def list_content_rules(request: HttpRequest, slug: str = SLUG) -> RuleList:
    """The keyword and link-domain rules that hold or refuse posts (hosts)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    return RuleList(items=[rule_out(r) for r in queries_screen.list_rules(user, community)])


@router.post(
    "/communities/{slug}/moderation/rules",
    response={201: RuleOut, **WRITE},
    auth=SIGNED_IN,
)
def add_content_rule(request: HttpRequest, payload: RuleIn, slug: str = SLUG) -> Status[RuleOut]:
    """Add a rule (hosts). A pattern the community already has is a validation error."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    rule = settings_actions.add_rule(user, community, **payload.model_dump())
    return Status(201, rule_out(rule))


@router.delete(
    "/communities/{slug}/moderation/rules/{rule_id}",
    response={204: None, **WRITE},
    auth=SIGNED_IN,
)
def delete_content_rule(
    request: HttpRequest, slug: str = SLUG, rule_id: int = RULE_ID
) -> Status[None]:
    """Remove a rule (hosts); what it held stays in the review queue."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    settings_actions.delete_rule(user, queries_screen.get_rule(user, community, rule_id))
    return Status(204, None)


# --- Trust levels ------------------------------------------------------------------------------


class Thresholds(BaseModel):
    days: Count = Field(description="Days since joining.")
    posts: Count = Field(description="Posts published in the community.")
    topics_read: Count = Field(description="Topics of the community read.")


class Limits(BaseModel):
    posts_per_hour: Count
    links_per_post: Count
    images_per_post: Count
    mentions_per_post: Count


class ThresholdsIn(Body):
    days: Count = unset()
    posts: Count = unset()
    topics_read: Count = unset()


class LimitsIn(Body):
    posts_per_hour: Count = unset()
    links_per_post: Count = unset()
    images_per_post: Count = unset()
    mentions_per_post: Count = unset()


class TrustOut(BaseModel):
    thresholds: dict[str, Thresholds] = Field(
        description="What each level (`1` basic, `2` member, `3` regular) needs."
    )
    limits: dict[str, Limits] = Field(
        description="Limits of levels `0` (new) and `1` (basic); higher levels have none."
    )
    members_by_level: dict[str, int] = Field(description="How many members are at each level.")


class TrustIn(Body):
    """Only the levels and numbers sent change."""

    thresholds: dict[Literal["1", "2", "3"], ThresholdsIn] = unset()
    limits: dict[Literal["0", "1"], LimitsIn] = unset()


class TrustLevelIn(Body):
    level: Annotated[int, Field(ge=0, le=3)] = Field(
        description="`0` new, `1` basic, `2` member, `3` regular."
    )


class TrustLevelOut(BaseModel):
    handle: str
    level: int


def _trust_out(settings: ModerationSettings, counts: dict[int, int]) -> TrustOut:
    thresholds = settings.thresholds()
    limits = settings.limits()
    return TrustOut(
        thresholds={
            level: Thresholds(**{name: thresholds[level][name] for name in trust.THRESHOLD_FIELDS})
            for level in trust.EARNED_LEVELS
        },
        limits={
            level: Limits(**{name: limits[level][name] for name in trust.LIMIT_FIELDS})
            for level in trust.LIMITED_LEVELS
        },
        members_by_level={str(level): n for level, n in counts.items()},
    )


@router.get(
    "/communities/{slug}/moderation/trust",
    response={200: TrustOut, **READ},
    auth=SIGNED_IN,
)
def get_trust_settings(request: HttpRequest, slug: str = SLUG) -> TrustOut:
    """Trust thresholds and limits per level, and how many members are at each (hosts)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    settings = queries_screen.get_moderation_settings(user, community)
    return _trust_out(settings, queries_screen.level_counts(user, community))


@router.put(
    "/communities/{slug}/moderation/trust",
    response={200: TrustOut, **WRITE},
    auth=SIGNED_IN,
)
def update_trust_settings(request: HttpRequest, payload: TrustIn, slug: str = SLUG) -> TrustOut:
    """Tune thresholds and limits; only the numbers sent change (hosts)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    sent = payload.model_dump(exclude_unset=True)
    settings = trust_actions.update_trust_settings(
        user,
        community,
        thresholds={
            k: {f: n for f, n in v.items() if n is not None} for k, v in sent["thresholds"].items()
        }
        if "thresholds" in sent
        else None,
        limits={k: {f: n for f, n in v.items() if n is not None} for k, v in sent["limits"].items()}
        if "limits" in sent
        else None,
    )
    return _trust_out(settings, queries_screen.level_counts(user, community))


@router.put(
    "/communities/{slug}/members/{handle}/trust-level",
    response={200: TrustLevelOut, **WRITE},
    auth=SIGNED_IN,
)
def set_member_trust_level(
    request: HttpRequest, payload: TrustLevelIn, slug: str = SLUG, handle: str = HANDLE
) -> TrustLevelOut:
    """Set a member's trust level by hand, up or down (hosts); the change is recorded."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    membership = queries_screen.get_member(user, community, handle)
    membership = trust_actions.set_trust_level(user, community, membership.user, payload.level)
    return TrustLevelOut(handle=membership.user.handle, level=membership.trust_level)
