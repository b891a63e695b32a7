"""Discussions: topics and their posts, answers, reactions, bookmarks, reading and following.

Thin handlers over ``cerchia.discussions``: each resolves what the URL names (404 for
what the caller may not read), calls one action or query, and answers what it loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Header, Path, Query, Router, Status

from cerchia.api.auth import ANYONE, OPTIONAL_SECURITY, SIGNED_IN, caller, signed_in
from cerchia.api.errors import problems
from cerchia.api.routers.communities import CURSOR, SLUG, resolve_community
from cerchia.api.routers.moderation_rules import HeldOut, held_out
from cerchia.api.schemas import (
    AcceptedAnswerIn,
    BookmarkList,
    BookmarkOut,
    FeedFilterName,
    NotificationLevelIn,
    NotificationLevelOut,
    PostList,
    PostOut,
    PostPatch,
    ReactionList,
    ReactionName,
    ReadStateIn,
    ReadStateOut,
    ReplyCreate,
    RevisionList,
    TopicCreate,
    TopicDetail,
    TopicKindName,
    TopicList,
    TopicMoveIn,
    TopicPatch,
    UnreadList,
    UnreadOut,
    bookmark_out,
    community_link,
    post_out,
    reaction_list,
    read_state_out,
    revision_out,
    topic_detail,
    topic_list,
)
from cerchia.communities import queries as community_queries
from cerchia.communities.models import Community
from cerchia.core.errors import ActionRefused
from cerchia.discussions import actions, permissions, queries
from cerchia.moderation.screening import PostHeld

if TYPE_CHECKING:
    from cerchia.discussions.models import Post, Topic
    from cerchia.discussions.permissions import Actor
    from cerchia.discussions.queries import PostRow

router = Router()

TOPIC_ID = Path(..., ge=1, le=2**63 - 1, description="The topic's id.")
POST_ID = Path(..., ge=1, le=2**63 - 1, description="The post's id.")
IDEMPOTENCY_KEY = Header(
    "",
    alias="Idempotency-Key",
    max_length=80,
    description="Any unique string (a UUID): sending the same key again returns what the "
    "first request created instead of posting twice.",
)
KIND_FILTER = Query(None, description="Only topics of this kind.")
REACTION_FILTER = Query(None, description="Only this reaction.")
FEED_FILTER = Query(
    "all",
    description="`unread`, `unanswered` questions, `mine` (topics you started or replied "
    "to), or `all`.",
)
READ = {**problems(400, 401, 404, 422, 429)}
WRITE = {**problems(401, 403, 404, 409, 422, 429)}


# --- Resolving what the URL names ----------------------------------------------------------


def resolve_topic(request: HttpRequest, topic_id: int) -> Topic:
    """The topic ``topic_id`` if the caller may read it (404 otherwise)."""
    community = Community.objects.filter(topics__pk=topic_id).first()
    if community is None:
        raise Http404(_("No such topic."))
    return queries.get_topic(caller(request), community, topic_id)


def resolve_post(request: HttpRequest, post_id: int) -> Post:
    """The post ``post_id`` if the caller may read it (404 otherwise)."""
    return queries.get_post(caller(request), post_id)


def _post_in_body(actor: Actor, post_id: int, field: str) -> Post:
    """A post named in the request body: one the caller cannot read is a field error."""
    try:
        return queries.get_post(actor, post_id)
    except Http404 as error:
        raise ValidationError({field: _("No such post.")}) from error


def _row(actor: Actor, post: Post) -> PostRow:
    """The post as the topic page shows it: role, the caller's reactions, bookmark, rights."""
    return queries.list_posts_after(actor, post.topic, post.number - 1, limit=1)[0]


def _post(actor: Actor, post: Post) -> PostOut:
    host = permissions.topic_flags(actor, post.topic).moderate
    return post_out(_row(actor, post), host=host)


def _detail(actor: Actor, topic: Topic) -> TopicDetail:
    page = queries.get_topic_page(actor, topic, 1)
    return topic_detail(page, permissions.topic_flags(actor, topic))


# --- Topics ------------------------------------------------------------------------------------


@router.get(
    "/communities/{slug}/topics",
    response={200: TopicList, **READ},
    auth=ANYONE,
    openapi_extra=OPTIONAL_SECURITY,
    tags=["topics"],
)
def list_topics(
    request: HttpRequest,
    slug: str = SLUG,
    kind: TopicKindName | None = KIND_FILTER,
    tag: str = Query("", max_length=60, description="Only topics with this tag slug."),
    cursor: str | None = CURSOR,
    limit: int = Query(queries.TOPICS_PER_PAGE, ge=1, le=100),
) -> TopicList:
    """A community's topics by last activity, pinned first, with unread markers for you.

    Anyone for public communities; members only for private and hidden ones (404 otherwise).
    """
    actor = caller(request)
    community = community_queries.get_readable_community(actor, slug)
    rows, next_cursor = queries.list_topics(
        actor, community, cursor=cursor, kind=kind, tag=tag or None, limit=limit
    )
    return topic_list(rows, next_cursor)


@router.post(
    "/communities/{slug}/topics",
    response={201: TopicDetail, 202: HeldOut, **WRITE},
    auth=SIGNED_IN,
    tags=["topics"],
)
def create_topic(
    request: HttpRequest,
    payload: TopicCreate,
    slug: str = SLUG,
    idempotency_key: str = IDEMPOTENCY_KEY,
) -> Status[TopicDetail | HeldOut]:
    """Start a topic (members; announcements only hosts). With an `Idempotency-Key`, a
    repeat answers the topic the first request created, with the same status. When the
    community reviews the post first, `202` answers the held submission (the same key
    answers it again); a community rule may refuse the text (`422`)."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    try:
        topic = actions.create_topic(
            user,
            community,
            title=payload.title,
            body=payload.body,
            kind=payload.kind,
            tags=payload.tags,
            idempotency_key=idempotency_key,
            attachment_ids=payload.attachment_ids,
            disclosure=payload.disclosure,
        )
    except PostHeld as held:
        if held.held.community_id != community.pk or held.held.topic_id is not None:
            raise _key_reused() from held
        return Status(202, held_out(held.held))
    if topic.community_id != community.pk:
        raise _key_reused()
    return Status(201, _detail(user, resolve_topic(request, topic.pk)))


def _key_reused() -> ActionRefused:
    return ActionRefused(
        _("This Idempotency-Key was already used for another request; send a new one."),
        code="idempotency_key_reused",
        status=422,
    )


@router.get(
    "/topics/{topic_id}",
    response={200: TopicDetail, **READ},
    auth=ANYONE,
    openapi_extra=OPTIONAL_SECURITY,
    tags=["topics"],
)
def get_topic(request: HttpRequest, topic_id: int = TOPIC_ID) -> TopicDetail:
    """A topic with its opening post, accepted answer, and what you may do and have read."""
    return _detail(caller(request), resolve_topic(request, topic_id))


@router.patch(
    "/topics/{topic_id}",
    response={200: TopicDetail, **WRITE},
    auth=SIGNED_IN,
    tags=["topics"],
)
def update_topic(
    request: HttpRequest, payload: TopicPatch, topic_id: int = TOPIC_ID
) -> TopicDetail:
    """Change the title and tags (the author or a host: an edit of the opening post, kept in
    its history) or pin, lock and close (hosts). All or nothing."""
    user = signed_in(request)
    topic = resolve_topic(request, topic_id)
    changes = payload.changes()
    with transaction.atomic():
        if "title" in changes or "tags" in changes:
            opening = queries.list_posts_after(user, topic, 0, limit=1)[0].post
            actions.edit_post(
                user,
                opening,
                body=opening.body,
                title=changes.get("title"),
                tags=changes.get("tags"),
            )
        if "pinned" in changes:
            actions.pin_topic(user, topic, changes["pinned"])
        if "locked" in changes:
            actions.lock_topic(user, topic, changes["locked"])
        if "closed" in changes:
            actions.close_topic(user, topic, changes["closed"])
    return _detail(user, resolve_topic(request, topic_id))


@router.post(
    "/topics/{topic_id}/move",
    response={200: TopicDetail, **WRITE},
    auth=SIGNED_IN,
    tags=["topics"],
)
def move_topic(request: HttpRequest, payload: TopicMoveIn, topic_id: int = TOPIC_ID) -> TopicDetail:
    """Move a topic with its posts and images to another community (someone who hosts both).
    Tags the target community does not use are dropped; the topic is unpinned."""
    user = signed_in(request)
    topic = resolve_topic(request, topic_id)
    target = community_queries.get_community(user, payload.community)
    actions.move_topic(user, topic, target)
    return _detail(user, resolve_topic(request, topic_id))


@router.post(
    "/topics/{topic_id}/accepted-answer",
    response={200: TopicDetail, **WRITE},
    auth=SIGNED_IN,
    tags=["topics"],
)
def accept_answer(
    request: HttpRequest, payload: AcceptedAnswerIn, topic_id: int = TOPIC_ID
) -> TopicDetail:
    """Accept a reply as the question's answer, replacing any earlier one (the asker or a
    host). 403 for a post that is not a live reply in this question."""
    user = signed_in(request)
    topic = resolve_topic(request, topic_id)
    post = _post_in_body(user, payload.post_id, "post_id")
    actions.accept_answer(user, topic, post)
    return _detail(user, resolve_topic(request, topic_id))


@router.delete(
    "/topics/{topic_id}/accepted-answer",
    response={204: None, **WRITE},
    auth=SIGNED_IN,
    tags=["topics"],
)
def unaccept_answer(request: HttpRequest, topic_id: int = TOPIC_ID) -> Status[None]:
    """Take back the accepted answer (the asker or a host); harmless when there is none."""
    user = signed_in(request)
    topic = resolve_topic(request, topic_id)
    if topic.accepted_answer_id is None and not permissions.topic_flags(user, topic).accept:
        raise PermissionDenied(_("Only the person who asked or a host can accept an answer."))
    actions.unaccept_answer(user, topic)
    return Status(204, None)


# --- Posts --------------------------------------------------------------------------------------


@router.get(
    "/topics/{topic_id}/posts",
    response={200: PostList, **READ},
    auth=ANYONE,
    openapi_extra=OPTIONAL_SECURITY,
    tags=["posts"],
)
def list_posts(
    request: HttpRequest,
    topic_id: int = TOPIC_ID,
    page: int | None = Query(
        None, ge=1, le=10**9, description="A page of 20 posts by number (the default: 1)."
    ),
    after: int | None = Query(
        None, ge=0, le=2**31 - 1, description="Instead of `page`: the posts after this number."
    ),
    limit: int = Query(queries.POSTS_PER_PAGE, ge=1, le=100, description="With `after`."),
) -> PostList:
    """A topic's posts in order, by page or after a post number. A deleted post keeps its
    place with `deleted: true` and no text (hosts still see the text)."""
    if page is not None and after is not None:
        raise ValidationError({"after": _("Send either page or after, not both.")})
    actor = caller(request)
    topic = resolve_topic(request, topic_id)
    host = permissions.topic_flags(actor, topic).moderate
    if after is None:
        topic_page = queries.get_topic_page(actor, topic, page or 1)
        rows, shown_page, page_count = topic_page.rows, topic_page.page, topic_page.page_count
    else:
        rows = queries.list_posts_after(actor, topic, after, limit=limit)
        shown_page, page_count = None, queries.page_for_number(topic.last_post_number)
    last = rows[-1].post.number if rows else None
    return PostList(
        items=[post_out(row, host=host) for row in rows],
        page=shown_page,
        page_count=page_count,
        last_post_number=topic.last_post_number,
        next_after=last if last is not None and last < topic.last_post_number else None,
    )


@router.post(
    "/topics/{topic_id}/posts",
    response={201: PostOut, 202: HeldOut, **WRITE},
    auth=SIGNED_IN,
    tags=["posts"],
)
def create_reply(
    request: HttpRequest,
    payload: ReplyCreate,
    topic_id: int = TOPIC_ID,
    idempotency_key: str = IDEMPOTENCY_KEY,
) -> Status[PostOut | HeldOut]:
    """Reply (members, while the topic is open; hosts always), optionally in reply to or
    quoting a post of this topic. With an `Idempotency-Key`, a repeat answers the post the
    first request created, with the same status. When the community reviews the post
    first, `202` answers the held submission (the same key answers it again); a community
    rule may refuse the text (`422`)."""
    user = signed_in(request)
    topic = resolve_topic(request, topic_id)
    try:
        post = actions.create_reply(
            user,
            topic,
            body=payload.body,
            reply_to=_post_in_body(user, payload.reply_to, "reply_to")
            if payload.reply_to
            else None,
            quoted=_post_in_body(user, payload.quoted, "quoted") if payload.quoted else None,
            idempotency_key=idempotency_key,
            attachment_ids=payload.attachment_ids,
            disclosure=payload.disclosure,
        )
    except PostHeld as held:
        if held.held.topic_id != topic.pk:
            raise _key_reused() from held
        return Status(202, held_out(held.held))
    if post.topic_id != topic.pk:
        raise _key_reused()
    return Status(201, _post(user, post))


@router.get(
    "/posts/{post_id}",
    response={200: PostOut, **READ},
    auth=ANYONE,
    openapi_extra=OPTIONAL_SECURITY,
    tags=["posts"],
)
def get_post(request: HttpRequest, post_id: int = POST_ID) -> PostOut:
    """One post, with its reactions and what you may do with it."""
    return _post(caller(request), resolve_post(request, post_id))


@router.patch(
    "/posts/{post_id}",
    response={200: PostOut, **WRITE},
    auth=SIGNED_IN,
    tags=["posts"],
)
def edit_post(request: HttpRequest, payload: PostPatch, post_id: int = POST_ID) -> PostOut:
    """Change a post's text (its author while the topic is not locked, or a host); the
    earlier text is kept in its history."""
    user = signed_in(request)
    post = resolve_post(request, post_id)
    actions.edit_post(user, post, body=payload.body)
    return _post(user, post)


@router.delete(
    "/posts/{post_id}",
    response={204: None, **WRITE},
    auth=SIGNED_IN,
    tags=["posts"],
)
def delete_post(request: HttpRequest, post_id: int = POST_ID) -> Status[None]:
    """Delete a post (its author, or a host); deleting the opening post deletes the topic.
    Hosts can restore it."""
    user = signed_in(request)
    actions.delete_post(user, resolve_post(request, post_id))
    return Status(204, None)


@router.post(
    "/posts/{post_id}/restore",
    response={200: PostOut, **WRITE},
    auth=SIGNED_IN,
    tags=["posts"],
)
def restore_post(request: HttpRequest, post_id: int = POST_ID) -> PostOut:
    """Undo a deletion (hosts); restoring an opening post restores its topic."""
    user = signed_in(request)
    post = resolve_post(request, post_id)
    actions.restore_post(user, post)
    return _post(user, post)


@router.get(
    "/posts/{post_id}/revisions",
    response={200: RevisionList, **problems(401, 403, 404, 422, 429)},
    auth=SIGNED_IN,
    tags=["posts"],
)
def list_revisions(request: HttpRequest, post_id: int = POST_ID) -> RevisionList:
    """A post's earlier versions, oldest first (its author and the hosts)."""
    user = signed_in(request)
    post = resolve_post(request, post_id)
    return RevisionList(items=[revision_out(r) for r in queries.list_post_history(user, post)])


# --- Reactions and bookmarks --------------------------------------------------------------------


@router.get(
    "/posts/{post_id}/reactions",
    response={200: ReactionList, **READ},
    auth=ANYONE,
    openapi_extra=OPTIONAL_SECURITY,
    tags=["reactions and bookmarks"],
)
def list_reactions(
    request: HttpRequest,
    post_id: int = POST_ID,
    kind: ReactionName | None = REACTION_FILTER,
) -> ReactionList:
    """Who reacted to a post, and how."""
    actor = caller(request)
    post = resolve_post(request, post_id)
    return reaction_list(post, queries.list_reactors(actor, post, kind))


@router.put(
    "/posts/{post_id}/reactions/{kind}",
    response={200: PostOut, **WRITE},
    auth=SIGNED_IN,
    tags=["reactions and bookmarks"],
)
def add_reaction(request: HttpRequest, kind: ReactionName, post_id: int = POST_ID) -> PostOut:
    """React to a post (members; not in a locked topic). Reacting twice is harmless.
    Answers the post with its new counts."""
    user = signed_in(request)
    post = resolve_post(request, post_id)
    actions.add_reaction(user, post, kind)
    return _post(user, post)


@router.delete(
    "/posts/{post_id}/reactions/{kind}",
    response={204: None, **WRITE},
    auth=SIGNED_IN,
    tags=["reactions and bookmarks"],
)
def remove_reaction(
    request: HttpRequest, kind: ReactionName, post_id: int = POST_ID
) -> Status[None]:
    """Take your reaction back; harmless if you had not reacted."""
    user = signed_in(request)
    actions.remove_reaction(user, resolve_post(request, post_id), kind)
    return Status(204, None)


@router.get(
    "/me/bookmarks",
    response={200: BookmarkList, **problems(400, 401, 422, 429)},
    auth=SIGNED_IN,
    tags=["reactions and bookmarks"],
)
def list_bookmarks(
    request: HttpRequest,
    cursor: str | None = CURSOR,
    limit: int = Query(queries.FEED_PER_PAGE, ge=1, le=100),
) -> BookmarkList:
    """Your bookmarks, newest first (posts you can no longer read are left out)."""
    page = queries.list_bookmarks(signed_in(request), cursor=cursor, limit=limit)
    return BookmarkList(items=[bookmark_out(b) for b in page.items], next_cursor=page.next_cursor)


@router.put(
    "/posts/{post_id}/bookmark",
    response={200: BookmarkOut, **WRITE},
    auth=SIGNED_IN,
    tags=["reactions and bookmarks"],
)
def add_bookmark(request: HttpRequest, post_id: int = POST_ID) -> BookmarkOut:
    """Bookmark a post (the opening post stands for its topic); bookmarking twice is harmless."""
    user = signed_in(request)
    post = resolve_post(request, post_id)
    bookmark = actions.add_bookmark(user, post)
    bookmark.post = post
    return bookmark_out(bookmark)


@router.delete(
    "/posts/{post_id}/bookmark",
    response={204: None, **WRITE},
    auth=SIGNED_IN,
    tags=["reactions and bookmarks"],
)
def remove_bookmark(request: HttpRequest, post_id: int = POST_ID) -> Status[None]:
    """Forget a bookmark; harmless if there was none."""
    user = signed_in(request)
    actions.remove_bookmark(user, resolve_post(request, post_id))
    return Status(204, None)


# --- Reading and following --------------------------------------------------------------------


@router.get(
    "/topics/{topic_id}/read-state",
    response={200: ReadStateOut, **problems(401, 404, 422, 429)},
    auth=SIGNED_IN,
    tags=["reading"],
)
def get_read_state(request: HttpRequest, topic_id: int = TOPIC_ID) -> ReadStateOut:
    """How far you have read a topic."""
    user = signed_in(request)
    topic = resolve_topic(request, topic_id)
    return read_state_out(topic, queries.get_last_read(user, topic))


@router.put(
    "/topics/{topic_id}/read-state",
    response={200: ReadStateOut, **WRITE},
    auth=SIGNED_IN,
    tags=["reading"],
)
def set_read_state(
    request: HttpRequest, payload: ReadStateIn, topic_id: int = TOPIC_ID
) -> ReadStateOut:
    """Record that you read up to a post (members). It never moves backwards, nor past the
    last post."""
    user = signed_in(request)
    topic = resolve_topic(request, topic_id)
    permissions.check_follow_topic(user, topic)
    actions.mark_read(user, topic, payload.last_read_number)
    return read_state_out(topic, queries.get_last_read(user, topic))


@router.post(
    "/communities/{slug}/mark-read",
    response={204: None, **WRITE},
    auth=SIGNED_IN,
    tags=["reading"],
)
def mark_community_read(request: HttpRequest, slug: str = SLUG) -> Status[None]:
    """Count every topic of a community as read, up to now (members)."""
    user = signed_in(request)
    actions.mark_all_read(user, resolve_community(request, slug))
    return Status(204, None)


@router.get(
    "/me/unread",
    response={200: UnreadList, **problems(401, 429)},
    auth=SIGNED_IN,
    tags=["reading"],
)
def count_unread_topics(request: HttpRequest) -> UnreadList:
    """Unread topics in each of your communities."""
    user = signed_in(request)
    memberships = community_queries.list_my_memberships(user)
    counts = queries.count_unread_by_community(user, [m.community_id for m in memberships])
    return UnreadList(
        items=[
            UnreadOut(
                community=community_link(m.community),
                unread_topics=counts.get(m.community_id, 0),
            )
            for m in memberships
        ]
    )


@router.get(
    "/me/feed",
    response={200: TopicList, **problems(400, 401, 422, 429)},
    auth=SIGNED_IN,
    tags=["reading"],
)
def get_home_feed(
    request: HttpRequest,
    filter: FeedFilterName = FEED_FILTER,
    cursor: str | None = CURSOR,
    limit: int = Query(queries.FEED_PER_PAGE, ge=1, le=100),
) -> TopicList:
    """Latest activity across your communities, newest first, never ranked by engagement."""
    rows, next_cursor = queries.list_feed(
        signed_in(request), filter=filter, cursor=cursor, limit=limit
    )
    return topic_list(rows, next_cursor)


@router.get(
    "/topics/{topic_id}/notification-level",
    response={200: NotificationLevelOut, **problems(401, 404, 422, 429)},
    auth=SIGNED_IN,
    tags=["reading"],
)
def get_topic_notification_level(
    request: HttpRequest, topic_id: int = TOPIC_ID
) -> NotificationLevelOut:
    """What you hear about a topic: its own level, else the community's, else tracking."""
    user = signed_in(request)
    level = queries.topic_notification_level(user, resolve_topic(request, topic_id))
    return NotificationLevelOut(level=level)  # type: ignore[arg-type]


@router.put(
    "/topics/{topic_id}/notification-level",
    response={200: NotificationLevelOut, **WRITE},
    auth=SIGNED_IN,
    tags=["reading"],
)
def set_topic_notification_level(
    request: HttpRequest, payload: NotificationLevelIn, topic_id: int = TOPIC_ID
) -> NotificationLevelOut:
    """Watch, track or mute one topic (members)."""
    user = signed_in(request)
    topic = resolve_topic(request, topic_id)
    subscription = actions.set_topic_notification_level(user, topic, payload.level)
    return NotificationLevelOut(level=subscription.level)  # type: ignore[arg-type]


@router.get(
    "/communities/{slug}/notification-level",
    response={200: NotificationLevelOut, **problems(401, 404, 422, 429)},
    auth=SIGNED_IN,
    tags=["reading"],
)
def get_community_notification_level(
    request: HttpRequest, slug: str = SLUG
) -> NotificationLevelOut:
    """What you hear about a community's topics by default (tracking unless you chose)."""
    user = signed_in(request)
    community = community_queries.get_readable_community(user, slug)
    level = queries.community_notification_level(user, community)
    return NotificationLevelOut(level=level)  # type: ignore[arg-type]


@router.put(
    "/communities/{slug}/notification-level",
    response={200: NotificationLevelOut, **WRITE},
    auth=SIGNED_IN,
    tags=["reading"],
)
def set_community_notification_level(
    request: HttpRequest, payload: NotificationLevelIn, slug: str = SLUG
) -> NotificationLevelOut:
    """Watch, track or mute a whole community (members); a topic's own level wins."""
    user = signed_in(request)
    community = resolve_community(request, slug)
    subscription = actions.set_community_notification_level(user, community, payload.level)
    return NotificationLevelOut(level=subscription.level)  # type: ignore[arg-type]
