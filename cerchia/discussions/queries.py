"""Reads for discussions: each returns what a page needs in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cerchia.accounts.models import User
from cerchia.communities.models import Community, Membership
from cerchia.communities.permissions import get_access
from cerchia.core.pagination import Page, keyset_page
from cerchia.discussions import permissions
from cerchia.discussions.models import (
    Bookmark,
    CommunityReadMark,
    NotificationLevel,
    Post,
    PostRevision,
    Reaction,
    ReadState,
    Subscription,
    Topic,
    TopicKind,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Actor = User | AnonymousUser

TOPICS_PER_PAGE = 30
POSTS_PER_PAGE = 20
FEED_PER_PAGE = 30
TOPIC_ORDERING = ("-is_pinned", "-last_posted_at", "-id")
FEED_ORDERING = ("-last_posted_at", "-id")
#: A topic nobody has opened counts as unread ("new") for this long after it starts;
#: older topics one never opened do not pile up as unread.
NEW_TOPIC_WINDOW = timedelta(days=14)


# --- Topics ----------------------------------------------------------------------------


def get_topic(actor: Actor, community: Community, topic_id: int) -> Topic:
    """The topic ``topic_id`` of ``community`` if the actor may read it, else Http404."""
    topic = (
        Topic.objects.select_related("author", "accepted_answer", "accepted_answer__author")
        .filter(pk=topic_id, community=community)
        .first()
    )
    if topic is None:
        raise Http404(_("No such topic."))
    topic.community = community
    permissions.check_read_topic(actor, topic)
    return topic


def check_topic_readable(actor: Actor, community: Community, topic_id: int) -> None:
    """Http404 unless the actor may read topic ``topic_id`` of ``community``: the check of
    ``get_topic`` on a row without the related objects a page shows."""
    topic = (
        Topic.objects.only("id", "community_id", "deleted_at", "restricted", "author_id")
        .filter(pk=topic_id, community=community)
        .first()
    )
    if topic is None:
        raise Http404(_("No such topic."))
    topic.community = community
    permissions.check_read_topic(actor, topic)


def get_post(actor: Actor, post_id: int) -> Post:
    """Any post the actor may read, with its topic and community, else Http404."""
    post = (
        Post.objects.select_related("topic", "topic__community", "author")
        .filter(pk=post_id)
        .first()
    )
    if post is None:
        raise Http404(_("No such post."))
    permissions.check_read_post(actor, post)
    return post


@dataclass
class TopicRow:
    """A topic as lists show it: who wrote last, who took part, and whether it is unread."""

    topic: Topic
    participants: list[User] = field(default_factory=list)
    unread: bool = False
    unread_count: int = 0
    is_new: bool = False

    @property
    def participants_key(self) -> list[tuple[int, str, str, str]]:
        """What the row shows of its participants: part of its cached fragment's key."""
        return [(u.pk, u.name, u.handle, u.avatar.name or "") for u in self.participants]


def _since(actor: Actor, community_ids: list[int]) -> dict[int, datetime]:
    """Per community, the moment before which activity counts as read for the actor."""
    if not actor.is_authenticated:
        return {}
    since = dict(
        Membership.objects.filter(user=actor, community_id__in=community_ids).values_list(
            "community_id", "joined_at"
        )
    )
    for community_id, marked_at in CommunityReadMark.objects.filter(
        user=actor, community_id__in=community_ids
    ).values_list("community_id", "marked_at"):
        if community_id in since and marked_at > since[community_id]:
            since[community_id] = marked_at
    return since


def _decorate(actor: Actor, topics: list[Topic]) -> list[TopicRow]:
    """Participants and unread state for a page of topics, in three queries at most."""
    wanted = {pk for topic in topics for pk in topic.participant_ids}
    people = {user.pk: user for user in User.objects.filter(pk__in=wanted)} if wanted else {}
    rows = [
        TopicRow(
            topic=topic,
            participants=[people[pk] for pk in topic.participant_ids if pk in people],
        )
        for topic in topics
    ]
    if not actor.is_authenticated or not topics:
        return rows
    since = _since(actor, list({topic.community_id for topic in topics}))
    new_since = timezone.now() - NEW_TOPIC_WINDOW
    read = dict(
        ReadState.objects.filter(user=actor, topic__in=topics).values_list(
            "topic_id", "last_read_number"
        )
    )
    for row in rows:
        topic = row.topic
        start = since.get(topic.community_id)
        if start is None:
            continue
        last_read = read.get(topic.pk)
        if last_read is None:
            # As ``unread_topics``: a recent topic never opened, with activity since joining
            # (or marking all read); how many posts are news is known only if it is that new.
            row.unread = row.is_new = topic.created_at > new_since and topic.last_posted_at > start
            row.unread_count = topic.last_post_number if topic.created_at > start else 0
        elif last_read < topic.last_post_number and topic.last_posted_at > start:
            row.unread = True
            row.unread_count = topic.last_post_number - last_read
    return rows


def _listing(actor: Actor, queryset: QuerySet[Topic]) -> QuerySet[Topic]:
    """Live topics with what a row shows; restricted ones only for their audience and hosts."""
    return queryset.select_related("author", "last_poster", "community").filter(
        permissions.audience_filter(actor), deleted_at__isnull=True
    )


def list_topics(
    actor: Actor,
    community: Community,
    *,
    cursor: str | None = None,
    kind: str | None = None,
    tag: str | None = None,
    limit: int = TOPICS_PER_PAGE,
) -> tuple[list[TopicRow], str | None]:
    """The community page: topics by last activity, pinned first, keyset-paginated.

    Raises InvalidCursor for a forged cursor; the caller has checked the actor may read."""
    queryset = _listing(actor, Topic.objects.filter(community=community))
    if kind in TopicKind.values:
        queryset = queryset.filter(kind=kind)
    if tag:
        queryset = queryset.filter(tags__slug=tag)
    page = keyset_page(queryset, TOPIC_ORDERING, cursor, limit)
    for topic in page.items:
        topic.community = community
    return _decorate(actor, page.items), page.next_cursor


class FeedFilter:
    ALL = "all"
    UNREAD = "unread"
    UNANSWERED = "unanswered"
    MINE = "mine"
    CHOICES = (ALL, UNREAD, UNANSWERED, MINE)


def list_feed(
    actor: Actor,
    *,
    filter: str = FeedFilter.ALL,
    cursor: str | None = None,
    limit: int = FEED_PER_PAGE,
) -> tuple[list[TopicRow], str | None]:
    """The home feed: latest activity across the actor's communities, newest first, never
    ranked by engagement. Filters: unread, unanswered questions, my topics."""
    communities = permissions.member_communities(actor, Community.objects.all())
    queryset = _listing(actor, Topic.objects.filter(community__in=communities.values("pk")))
    if filter == FeedFilter.UNANSWERED:
        queryset = queryset.filter(kind=TopicKind.QUESTION, accepted_answer__isnull=True)
    elif filter == FeedFilter.MINE:
        queryset = queryset.filter(
            Q(author_id=actor.pk)
            | Q(Exists(Post.objects.filter(topic=OuterRef("pk"), author_id=actor.pk)))
        )
    elif filter == FeedFilter.UNREAD:
        queryset = unread_topics(actor, queryset)
    page = keyset_page(queryset, FEED_ORDERING, cursor, limit)
    return _decorate(actor, page.items), page.next_cursor


def unread_topics(actor: Actor, queryset: QuerySet[Topic]) -> QuerySet[Topic]:
    """Topics with activity the actor has not read (see ``NEW_TOPIC_WINDOW``): ones they read
    before that have newer posts, and new ones they have not opened yet; nothing from before
    they joined or marked the community read."""
    if not actor.is_authenticated:
        return queryset.none()
    membership = Membership.objects.filter(user=actor, community=OuterRef("community"))
    read_mark = CommunityReadMark.objects.filter(user=actor, community=OuterRef("community"))
    behind = ReadState.objects.filter(
        user=actor, last_read_number__lt=F("topic__last_post_number")
    ).values("topic_id")
    opened = ReadState.objects.filter(user=actor, topic=OuterRef("pk"))
    return queryset.filter(
        Q(pk__in=behind) | (Q(created_at__gt=timezone.now() - NEW_TOPIC_WINDOW) & ~Exists(opened)),
        Exists(membership.filter(joined_at__lt=OuterRef("last_posted_at"))),
        ~Exists(read_mark.filter(marked_at__gte=OuterRef("last_posted_at"))),
    )


def count_unread_by_community(
    actor: Actor, community_ids: list[int] | None = None
) -> dict[int, int]:
    """Unread topics per community for the actor; communities with none are absent.

    Two bounded queries whatever the size of the communities: the actor's own read
    states that fell behind, and the topics of the last ``NEW_TOPIC_WINDOW``."""
    if not actor.is_authenticated or actor.suspended_at is not None:
        return {}
    memberships = Membership.objects.filter(user=actor)
    if community_ids is not None:
        memberships = memberships.filter(community_id__in=community_ids)
    since = _since(actor, list(memberships.values_list("community_id", flat=True)))
    if not since:
        return {}
    live = Topic.objects.filter(
        permissions.audience_filter(actor), community_id__in=list(since), deleted_at__isnull=True
    )
    behind = live.filter(
        read_states__user=actor, read_states__last_read_number__lt=F("last_post_number")
    ).values_list("community_id", "last_posted_at")
    cutoff = timezone.now() - NEW_TOPIC_WINDOW
    fresh = (
        live.filter(created_at__gt=cutoff)
        .exclude(read_states__user=actor)
        .values_list("community_id", "last_posted_at")
    )
    counts: dict[int, int] = {}
    for community_id, last_posted_at in [*behind, *fresh]:
        if last_posted_at > since[community_id]:
            counts[community_id] = counts.get(community_id, 0) + 1
    return counts


# --- Posts -----------------------------------------------------------------------------


@dataclass
class PostRow:
    post: Post
    role: str | None = None
    my_reactions: set[str] = field(default_factory=set)
    bookmarked: bool = False
    flags: Any = None
    #: The author's affiliation in the community (Staff, Brand…) and its organisation.
    affiliation: str = ""
    affiliation_name: str = ""
    #: "blocker" when the viewer blocked the author, "blocked" when the author blocked the
    #: viewer (the post shows collapsed), else "".
    blocked: str = ""


@dataclass
class TopicPage:
    """One page of a topic, by post number, with everything the template shows."""

    topic: Topic
    rows: list[PostRow]
    page: int
    page_count: int
    first_unread: int | None
    last_read: int
    answer: PostRow | None
    level: str


def get_last_read(actor: Actor, topic: Topic) -> int:
    """The number of the last post the actor has read in ``topic`` (0: none; one query)."""
    if not actor.is_authenticated:
        return 0
    last_read = (
        ReadState.objects.filter(user_id=actor.pk, topic=topic)
        .values_list("last_read_number", flat=True)
        .first()
    )
    return last_read or 0


def first_unread_number(topic: Topic, last_read: int) -> int | None:
    """The first post after ``last_read``, or None when the topic is read to the end."""
    return last_read + 1 if last_read < topic.last_post_number else None


def page_for_number(number: int) -> int:
    return max(1, (max(number, 1) - 1) // POSTS_PER_PAGE + 1)


def get_topic_page(actor: Actor, topic: Topic, page: int = 1) -> TopicPage:
    """Posts numbered ``(page-1)*20+1 … page*20``: the same cost on page 1 and page 500.

    Deleted posts keep their number and show as a placeholder (their text only to hosts).
    """
    page_count = page_for_number(topic.last_post_number)
    page = min(max(1, page), page_count)
    start = (page - 1) * POSTS_PER_PAGE + 1
    posts = list(
        Post.objects.select_related("author", "reply_to", "reply_to__author")
        .filter(topic=topic, number__gte=start, number__lt=start + POSTS_PER_PAGE)
        # The limit is redundant with the range, but without it PostgreSQL's planner
        # expects thousands of rows on page 1 of a long topic and scans whole tables.
        .order_by("number")[:POSTS_PER_PAGE]
    )
    answer = topic.accepted_answer if topic.accepted_answer_id else None
    shown = posts + ([answer] if answer is not None else [])
    for post in shown:
        post.topic = topic
    rows = _post_rows(actor, topic, shown)
    by_pk = {row.post.pk: row for row in rows}
    last_read = 0
    level: str = NotificationLevel.TRACKING
    if actor.is_authenticated:
        last_read = get_last_read(actor, topic)
        level = topic_notification_level(actor, topic)
    first_unread = first_unread_number(topic, last_read)
    return TopicPage(
        topic=topic,
        rows=[by_pk[post.pk] for post in posts],
        page=page,
        page_count=page_count,
        first_unread=first_unread,
        last_read=last_read,
        answer=by_pk.get(answer.pk) if answer is not None else None,
        level=level,
    )


def list_posts_after(actor: Actor, topic: Topic, after: int, limit: int = 50) -> list[PostRow]:
    """Posts numbered after ``after`` (for live updates and "load newer")."""
    posts = list(
        Post.objects.select_related("author", "reply_to", "reply_to__author")
        .filter(topic=topic, number__gt=after)
        .order_by("number")[:limit]
    )
    for post in posts:
        post.topic = topic
    return _post_rows(actor, topic, posts)


def _post_rows(actor: Actor, topic: Topic, posts: list[Post]) -> list[PostRow]:
    """Roles, the actor's reactions and bookmarks and per-post rights: three queries at most."""
    if not posts:
        return []
    author_ids = {post.author_id for post in posts if post.author_id}
    authors = _authors(actor, topic.community, author_ids)
    mine: dict[int, set[str]] = {}
    marked: set[int] = set()
    if actor.is_authenticated:
        for post_id, kind in Reaction.objects.filter(user=actor, post__in=posts).values_list(
            "post_id", "kind"
        ):
            mine.setdefault(post_id, set()).add(kind)
        marked = set(
            Bookmark.objects.filter(user=actor, post__in=posts).values_list("post_id", flat=True)
        )
    access = get_access(actor, topic.community)
    # Blocks never get in the way of moderation: hosts see their community's posts in full.
    hosting = access.is_host or access.is_site_admin
    rows = []
    for post in posts:
        role, affiliation, affiliation_name, blocked = authors.get(
            post.author_id or 0, (None, "", "", "")
        )
        rows.append(
            PostRow(
                post=post,
                role=role,
                my_reactions=mine.get(post.pk, set()),
                bookmarked=post.pk in marked,
                flags=permissions.post_flags(actor, post),
                affiliation=affiliation,
                affiliation_name=affiliation_name,
                blocked="" if hosting else blocked,
            )
        )
    return rows


def _authors(
    actor: Actor, community: Community, author_ids: set[int]
) -> dict[int, tuple[str | None, str, str, str]]:
    """Per author: role and affiliation in ``community``, and the block between them and the
    actor ("blocker", "blocked" or ""), in one query."""
    from cerchia.moderation.models import Block

    if not author_ids:
        return {}
    membership = Membership.objects.filter(community=community, user_id=OuterRef("pk"))
    viewer = actor.pk if actor.is_authenticated else 0
    rows = (
        User.objects.filter(pk__in=author_ids)
        .annotate(
            m_role=Subquery(membership.values("role")[:1]),
            m_affiliation=Subquery(membership.values("affiliation")[:1]),
            m_affiliation_name=Subquery(membership.values("affiliation_name")[:1]),
            i_blocked=Exists(Block.objects.filter(blocker_id=viewer, blocked_id=OuterRef("pk"))),
            blocked_me=Exists(Block.objects.filter(blocker_id=OuterRef("pk"), blocked_id=viewer)),
        )
        .values_list(
            "pk", "m_role", "m_affiliation", "m_affiliation_name", "i_blocked", "blocked_me"
        )
    )
    return {
        pk: (
            role,
            affiliation or "",
            affiliation_name or "",
            "blocker" if i_blocked else ("blocked" if blocked_me else ""),
        )
        for pk, role, affiliation, affiliation_name, i_blocked, blocked_me in rows
    }


def list_post_history(actor: Actor, post: Post) -> list[PostRevision]:
    """Earlier versions, oldest first. Raises PermissionDenied/Http404."""
    permissions.check_view_post_history(actor, post)
    return list(PostRevision.objects.filter(post=post).select_related("edited_by"))


def list_reactors(actor: Actor, post: Post, kind: str | None = None) -> list[Reaction]:
    """Who reacted to a post (and how), oldest first. Raises PermissionDenied/Http404."""
    permissions.check_read_post(actor, post)
    queryset = (
        Reaction.objects.filter(post=post).select_related("user").order_by("created_at", "id")
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    return list(queryset[:200])


def list_bookmarks(
    actor: Actor, *, cursor: str | None = None, limit: int = FEED_PER_PAGE
) -> Page[Bookmark]:
    """The actor's bookmarks that they may still read, newest first."""
    visible = permissions.unhidden_posts(
        actor, permissions.visible_posts(actor, Post.objects.all())
    )
    queryset = Bookmark.objects.filter(user_id=actor.pk or 0, post__in=visible).select_related(
        "post", "post__topic", "post__topic__community", "post__author"
    )
    return keyset_page(queryset, ("-created_at", "-id"), cursor, limit)


def list_mention_candidates(
    actor: Actor, community: Community, prefix: str, limit: int = 8
) -> list[User]:
    """Members of ``community`` whose handle or name starts with ``prefix`` (autocomplete).

    Only someone who may post there gets candidates; others get none."""
    from cerchia.moderation.queries_blocks import not_blocked_with

    if not permissions.can_create_topic(actor, community):
        return []
    prefix = prefix.strip().lstrip("@")[:30]
    queryset = (
        User.objects.filter(
            memberships__community=community, deleted_at__isnull=True, suspended_at__isnull=True
        )
        .filter(not_blocked_with(actor.pk))
        .exclude(pk=actor.pk or 0)
    )
    if prefix:
        queryset = queryset.filter(
            Q(handle__istartswith=prefix) | Q(display_name__istartswith=prefix)
        )
    return list(queryset.order_by("handle")[:limit])


def topic_notification_level(actor: Actor, topic: Topic) -> str:
    """The level that applies to the actor for ``topic``: the topic's, else the community's,
    else tracking."""
    levels: dict[int | None, str] = dict(
        Subscription.objects.filter(user_id=actor.pk or 0, community_id=topic.community_id)
        .filter(Q(topic=topic) | Q(topic__isnull=True))
        .values_list("topic_id", "level")
    )
    return str(levels.get(topic.pk) or levels.get(None) or NotificationLevel.TRACKING)


def community_notification_level(actor: Actor, community: Community) -> str:
    if not actor.is_authenticated:
        return NotificationLevel.TRACKING
    level = (
        Subscription.objects.filter(user=actor, community=community, topic__isnull=True)
        .values_list("level", flat=True)
        .first()
    )
    return level or NotificationLevel.TRACKING


def get_bookmark_ids(actor: Actor, post_ids: list[int]) -> set[int]:
    if not actor.is_authenticated:
        return set()
    return set(
        Bookmark.objects.filter(user=actor, post_id__in=post_ids).values_list("post_id", flat=True)
    )
