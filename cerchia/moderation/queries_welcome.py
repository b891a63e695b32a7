"""Reads for the about page, the welcome panel, the welcome settings and the newcomers page.

Each query checks the actor's right to see what it returns and loads it in a fixed
number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cerchia.communities.models import HOST_ROLES, Community, Membership, Role
from cerchia.communities.permissions import can_read_community, check_view_community, get_access
from cerchia.discussions.models import Post, Topic
from cerchia.moderation import permissions
from cerchia.moderation.models import ModerationSettings, NewcomerAlert, WelcomeDismissal
from cerchia.moderation.screening import settings_for

if TYPE_CHECKING:
    from cerchia.moderation.permissions import Actor

#: A newcomer's first posts shown to hosts and welcomers, per newcomer.
FIRST_POSTS = 3
NEWCOMER_POSTS_LIMIT = 50
ALERTS_LIMIT = 50
#: Topics offered as the introductions topic: the most recent ones (and the current choice).
TOPIC_CHOICES = 100


# --- The about page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DataItem:
    """One line of "what the hosts can see about members"."""

    title: Promise
    text: Promise


#: What Cerchia actually shows a community's hosts, and what it never shows them. Keep in
#: step with the host pages: the member list, join requests, invitations and moderation.
HOSTS_SEE: tuple[DataItem, ...] = (
    DataItem(
        _("Who is here"),
        _(
            "Every member's name, handle, picture, role and the date they joined, even when "
            "their profile is private."
        ),
    ),
    DataItem(
        _("What you post here"),
        _(
            "Everything you post in this community, including posts that were deleted or hidden "
            "and the earlier versions of edited posts, and posts waiting for approval."
        ),
    ),
    DataItem(
        _("Joining"),
        _(
            "When you ask to join: your answers to the screening questions and your note. When "
            "they invite you by email: the address they typed in."
        ),
    ),
    DataItem(
        _("Moderation"),
        _(
            "Your trust level and affiliation here, the reports you make and those about you or "
            "your posts, sanctions and appeals, and the hosts' private notes about you."
        ),
    ),
    DataItem(
        _("Newcomers"),
        _(
            "For your first days here, your first posts are shown to the hosts and the "
            "welcomers, so that nobody goes unanswered."
        ),
    ),
)
HOSTS_NEVER_SEE: tuple[Promise, ...] = (
    _("Your email address (unless they invited you by email themselves)."),
    _("What you read, when you visit, your bookmarks and your notification settings."),
    _("Your activity in other communities, beyond what anyone there can see."),
)


@dataclass
class About:
    """Everything the about page shows, already checked for the viewer."""

    community: Community
    #: Whether the viewer may see who is here (hosts and affiliated members).
    can_read: bool
    brand_name: str
    hosts: list[Membership] = field(default_factory=list)
    affiliated: list[Membership] = field(default_factory=list)
    #: The people listed whose profile page the viewer may open.
    profile_ids: set[int] = field(default_factory=set)
    hosts_see: tuple[DataItem, ...] = HOSTS_SEE
    hosts_never_see: tuple[Promise, ...] = HOSTS_NEVER_SEE


def get_about(actor: Actor, community: Community) -> About:
    """The community's about page, in three queries. Raises Http404 for a hidden community
    one may not see.

    Who runs it and who is affiliated are listed (names and pictures, as on their posts) to
    those who may read the community; everyone who sees the community gets its brand, its
    rules and what its hosts can see."""
    from cerchia.accounts.permissions import visible_profile_ids

    check_view_community(actor, community)
    about = About(
        community=community,
        can_read=can_read_community(actor, community),
        brand_name=community.brand_name,
    )
    if not about.can_read:
        return about
    people = list(
        Membership.objects.filter(community=community, user__deleted_at__isnull=True)
        .filter(Q(role__in=HOST_ROLES) | ~Q(affiliation=""))
        .select_related("user")
        .order_by("joined_at", "id")
    )
    about.hosts = sorted(
        (m for m in people if m.role in HOST_ROLES), key=lambda m: m.role != Role.OWNER
    )
    about.affiliated = [m for m in people if m.affiliation]
    if people:
        about.profile_ids = visible_profile_ids(actor, [m.user for m in people])
    return about


# --- The welcome panel ------------------------------------------------------------------------


@dataclass(frozen=True)
class WelcomePanel:
    community: Community
    message_html: str
    introductions: Topic | None


def get_welcome_panel(actor: Actor, community: Community) -> WelcomePanel | None:
    """The welcome for a member who joined within the newcomer days and has not closed it;
    None for everyone else, and when the hosts wrote no welcome and chose no topic.

    One query for members (none for anyone else): the settings, the topic and the closing."""
    access = get_access(actor, community)
    membership = access.membership
    if not access.is_member or membership is None:
        return None
    settings = (
        ModerationSettings.objects.filter(community=community)
        .annotate(
            dismissed=Exists(
                WelcomeDismissal.objects.filter(community=community, user_id=membership.user_id)
            )
        )
        .select_related("introductions_topic")
        .first()
    )
    if settings is None or settings.dismissed:
        return None
    if timezone.now() - membership.joined_at > timedelta(days=settings.newcomer_days):
        return None
    topic = settings.introductions_topic
    if topic is not None and (topic.community_id != community.pk or topic.deleted_at is not None):
        topic = None
    if not settings.welcome_message_html and topic is None:
        return None
    return WelcomePanel(community, settings.welcome_message_html, topic)


# --- The hosts' welcome page ------------------------------------------------------------------


@dataclass
class WelcomeSettings:
    settings: ModerationSettings
    welcomers: list[Membership]
    topic_choices: list[Topic]


def get_welcome_settings(actor: Actor, community: Community) -> WelcomeSettings:
    """The welcome, the topics one may pick for introductions, and the welcomers.

    Raises Http404/PermissionDenied unless the actor hosts the community."""
    from cerchia.moderation.actions.welcome import list_welcomers

    permissions.check_manage_welcome(actor, community)
    settings = settings_for(community)
    topics = list(
        Topic.objects.filter(community=community, deleted_at__isnull=True).order_by(
            "-created_at", "-id"
        )[:TOPIC_CHOICES]
    )
    current = settings.introductions_topic_id
    if current is not None and all(topic.pk != current for topic in topics):
        chosen = Topic.objects.filter(
            pk=current, community=community, deleted_at__isnull=True
        ).first()
        if chosen is not None:
            topics.insert(0, chosen)
    return WelcomeSettings(settings, list_welcomers(community), topics)


# --- Newcomers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewcomerPost:
    post: Post
    #: Whether anyone but the author has replied in the topic (for opening posts).
    answered: bool

    @property
    def is_topic(self) -> bool:
        return self.post.number == 1


@dataclass
class Newcomers:
    community: Community
    settings: ModerationSettings
    alerts: list[NewcomerAlert]
    posts: list[NewcomerPost]


def newcomer_cutoff(settings: ModerationSettings) -> Any:
    return timezone.now() - timedelta(days=settings.newcomer_days)


def list_open_alerts(actor: Actor, community: Community) -> list[NewcomerAlert]:
    """Newcomers' topics raised for having no reply, oldest first. Raises unless the actor
    may welcome (hosts, site admins, welcomers)."""
    permissions.check_welcome(actor, community)
    return list(
        NewcomerAlert.objects.filter(
            topic__community=community, resolved_at__isnull=True, topic__deleted_at__isnull=True
        )
        .select_related("topic", "topic__author")
        .order_by("raised_at", "id")[:ALERTS_LIMIT]
    )


def count_open_alerts(community: Community) -> int:
    return NewcomerAlert.objects.filter(
        topic__community=community, resolved_at__isnull=True, topic__deleted_at__isnull=True
    ).count()


def get_newcomers(actor: Actor, community: Community) -> Newcomers:
    """Newcomers' first posts (newest first) and the open alerts, in four queries.

    A newcomer is a member (not a host) who joined within the community's newcomer days.
    Raises Http404/PermissionDenied unless the actor may welcome."""
    permissions.check_welcome(actor, community)
    settings = settings_for(community)
    newcomers = Membership.objects.filter(
        community=community, role=Role.MEMBER, joined_at__gte=newcomer_cutoff(settings)
    ).values("user_id")
    ranked = (
        Post.objects.filter(
            community=community,
            topic__community=community,
            author__in=newcomers,
            deleted_at__isnull=True,
            hidden_at__isnull=True,
            topic__deleted_at__isnull=True,
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("author_id")],
                order_by=[F("created_at").asc(), F("id").asc()],
            )
        )
        .filter(rank__lte=FIRST_POSTS)
        .select_related("author", "topic", "community")
        .order_by("-created_at", "-id")[:NEWCOMER_POSTS_LIMIT]
    )
    posts = list(ranked)
    topic_ids = {post.topic_id for post in posts if post.number == 1}
    answered = set(
        Post.objects.filter(topic_id__in=topic_ids, deleted_at__isnull=True)
        .exclude(author_id=F("topic__author_id"))
        .values_list("topic_id", flat=True)
    )
    return Newcomers(
        community=community,
        settings=settings,
        alerts=list_open_alerts(actor, community),
        posts=[NewcomerPost(post, post.topic_id in answered) for post in posts],
    )
