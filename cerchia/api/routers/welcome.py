"""The welcome: a community's about page, its welcome settings and welcomers, and its
newcomers' first posts.

Thin handlers over ``cerchia.moderation`` (``queries_welcome``, ``actions.welcome``).
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router
from pydantic import BaseModel

from cerchia.api.auth import ANYONE, OPTIONAL_SECURITY, SIGNED_IN, caller, signed_in
from cerchia.api.errors import problems
from cerchia.api.routers.communities import SLUG, resolve_community
from cerchia.api.schemas import Body, UserSummary, user_summary
from cerchia.communities.models import Membership
from cerchia.moderation import queries_welcome
from cerchia.moderation.actions import welcome as actions
from cerchia.moderation.models import ModerationSettings, NewcomerAlert

router = Router(tags=["welcome"])

READ = {**problems(401, 404, 429)}
WRITE = {**problems(401, 403, 404, 422, 429)}


# --- Shapes -----------------------------------------------------------------------------------


class AboutPerson(BaseModel):
    user: UserSummary
    role: str = Field(description="`owner`, `moderator` or `member`.")
    affiliation: str = Field(
        description="`staff`, `brand`, `partner`, `ambassador`, or empty for none."
    )
    affiliation_name: str = Field(description="Whom the member is affiliated with, if named.")


class DataStatementItem(BaseModel):
    title: str
    text: str


class AboutOut(BaseModel):
    slug: str
    name: str
    brand_name: str = Field(description="The brand a brand community belongs to; empty if none.")
    is_brand_community: bool
    rules_html: str
    members_visible: bool = Field(
        description="Whether you may see who hosts and who is affiliated (members of private "
        "communities only); when false, `hosts` and `affiliated` are empty."
    )
    hosts: list[AboutPerson]
    affiliated: list[AboutPerson]
    hosts_can_see: list[DataStatementItem]
    hosts_never_see: list[str]


class TopicRef(BaseModel):
    id: int
    title: str


class WelcomeSettingsOut(BaseModel):
    welcome_message: str
    welcome_message_html: str
    introductions_topic: TopicRef | None
    unanswered_hours: int
    newcomer_days: int
    welcomers: list[UserSummary]


class WelcomeSettingsIn(Body):
    welcome_message: str = Field(
        default="", max_length=actions.MAX_WELCOME_LENGTH, description="Markdown."
    )
    introductions_topic_id: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="One of the community's topics, or null."
    )
    unanswered_hours: int = Field(
        default=24, ge=actions.MIN_UNANSWERED_HOURS, le=actions.MAX_UNANSWERED_HOURS
    )


class WelcomersIn(Body):
    handles: list[str] = Field(
        max_length=actions.MAX_WELCOMERS,
        description="Every welcomer's handle: exactly these members become the welcomers.",
    )


class WelcomerList(BaseModel):
    items: list[UserSummary]


class NewcomerPostOut(BaseModel):
    post_id: int
    topic: TopicRef
    number: int
    author: UserSummary
    created_at: datetime
    body_html: str
    answered: bool = Field(description="For an opening post: someone else has replied.")


class NewcomerAlertOut(BaseModel):
    topic: TopicRef
    author: UserSummary | None
    raised_at: datetime


class NewcomersOut(BaseModel):
    newcomer_days: int
    unanswered: list[NewcomerAlertOut]
    first_posts: list[NewcomerPostOut]


def _person(membership: Membership) -> AboutPerson:
    return AboutPerson(
        user=user_summary(membership.user),
        role=membership.role,
        affiliation=membership.affiliation,
        affiliation_name=membership.affiliation_name,
    )


def _settings_out(settings: ModerationSettings, welcomers: list[Membership]) -> WelcomeSettingsOut:
    topic = settings.introductions_topic if settings.introductions_topic_id else None
    return WelcomeSettingsOut(
        welcome_message=settings.welcome_message,
        welcome_message_html=settings.welcome_message_html,
        introductions_topic=TopicRef(id=topic.pk, title=topic.title) if topic else None,
        unanswered_hours=settings.unanswered_hours,
        newcomer_days=settings.newcomer_days,
        welcomers=[user_summary(m.user) for m in welcomers],
    )


def _alert_out(alert: NewcomerAlert) -> NewcomerAlertOut:
    author = alert.topic.author
    return NewcomerAlertOut(
        topic=TopicRef(id=alert.topic.pk, title=alert.topic.title),
        author=user_summary(author) if author is not None else None,
        raised_at=alert.raised_at,
    )


# --- Operations -------------------------------------------------------------------------------


@router.get(
    "/communities/{slug}/about",
    response={200: AboutOut, **READ},
    auth=ANYONE,
    openapi_extra=OPTIONAL_SECURITY,
)
def get_about(request: HttpRequest, slug: str = SLUG) -> AboutOut:
    """The about page: who runs the community, its brand, affiliated members, rules, and what
    its hosts can see about members. Hidden communities 404 to outsiders; who is here is
    listed only to those who may read the community."""
    community = resolve_community(request, slug)
    about = queries_welcome.get_about(caller(request), community)
    return AboutOut(
        slug=community.slug,
        name=community.name,
        brand_name=about.brand_name,
        is_brand_community=bool(about.brand_name),
        rules_html=community.rules_html,
        members_visible=about.can_read,
        hosts=[_person(m) for m in about.hosts],
        affiliated=[_person(m) for m in about.affiliated],
        hosts_can_see=[
            DataStatementItem(title=str(item.title), text=str(item.text))
            for item in about.hosts_see
        ],
        hosts_never_see=[str(item) for item in about.hosts_never_see],
    )


@router.get(
    "/communities/{slug}/welcome",
    response={200: WelcomeSettingsOut, **READ, **problems(403)},
    auth=SIGNED_IN,
)
def get_welcome(request: HttpRequest, slug: str = SLUG) -> WelcomeSettingsOut:
    """The welcome message, the introductions topic, the unanswered hours and the welcomers
    (hosts)."""
    community = resolve_community(request, slug)
    loaded = queries_welcome.get_welcome_settings(signed_in(request), community)
    return _settings_out(loaded.settings, loaded.welcomers)


@router.put(
    "/communities/{slug}/welcome",
    response={200: WelcomeSettingsOut, **WRITE},
    auth=SIGNED_IN,
)
def put_welcome(
    request: HttpRequest, payload: WelcomeSettingsIn, slug: str = SLUG
) -> WelcomeSettingsOut:
    """Set the welcome message (Markdown), the introductions topic and the hours before a
    newcomer's unanswered topic is raised (hosts)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    settings = actions.update_welcome(
        user,
        community,
        welcome_message=payload.welcome_message,
        introductions_topic_id=payload.introductions_topic_id,
        unanswered_hours=payload.unanswered_hours,
    )
    return _settings_out(settings, actions.list_welcomers(community))


@router.put(
    "/communities/{slug}/welcomers",
    response={200: WelcomerList, **WRITE},
    auth=SIGNED_IN,
)
def put_welcomers(request: HttpRequest, payload: WelcomersIn, slug: str = SLUG) -> WelcomerList:
    """Make exactly these members the community's welcomers (hosts); an empty list removes
    them all."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    welcomers = actions.set_welcomers(user, community, payload.handles)
    return WelcomerList(items=[user_summary(m.user) for m in welcomers])


@router.get(
    "/communities/{slug}/newcomers",
    response={200: NewcomersOut, **READ, **problems(403)},
    auth=SIGNED_IN,
)
def get_newcomers(request: HttpRequest, slug: str = SLUG) -> NewcomersOut:
    """Newcomers' first posts, newest first, and their topics still without a reply (hosts
    and welcomers)."""
    community = resolve_community(request, slug)
    loaded = queries_welcome.get_newcomers(signed_in(request), community)
    return NewcomersOut(
        newcomer_days=loaded.settings.newcomer_days,
        unanswered=[_alert_out(alert) for alert in loaded.alerts],
        first_posts=[
            NewcomerPostOut(
                post_id=item.post.pk,
                topic=TopicRef(id=item.post.topic_id, title=item.post.topic.title),
                number=item.post.number,
                author=user_summary(item.post.author),  # type: ignore[arg-type]
                created_at=item.post.created_at,
                body_html=item.post.body_html,
                answered=item.answered,
            )
            for item in loaded.posts
        ],
    )
