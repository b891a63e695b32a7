"""Searching the posts a person may read: ranked, filtered, highlighted, in a fixed number of
queries (the community and author filters, the ranked ids, the posts, their authors' roles).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.http import Http404
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cerchia.accounts.models import User
from cerchia.communities.models import Community, Membership
from cerchia.core.pagination import InvalidCursor, decode_cursor, encode_cursor
from cerchia.discussions.models import Post, Topic, TopicKind
from cerchia.discussions.permissions import readable_communities, unhidden_posts, visible_posts
from cerchia.search import backend, text

if TYPE_CHECKING:
    from cerchia.discussions.permissions import Actor

PAGE_SIZE = 20
MAX_PAGE_SIZE = 50


@dataclass
class SearchHit:
    """One matching post, as a results list shows it."""

    post: Post
    title_html: SafeString
    snippet_html: SafeString
    role: str | None = None

    @property
    def topic(self) -> Topic:
        return self.post.topic

    @property
    def community(self) -> Community:
        return self.post.community

    @property
    def author(self) -> User | None:
        return self.post.author

    @property
    def url(self) -> str:
        """The post's permanent link (the topic itself for its opening post)."""
        kwargs = {"slug": self.community.slug, "topic_id": self.post.topic_id}
        if self.post.number == 1:
            return reverse("discussions:topic", kwargs=kwargs)
        return reverse("discussions:post_link", kwargs={**kwargs, "number": self.post.number})


@dataclass
class TopicGroup:
    """The hits of one topic on a page, in rank order."""

    topic: Topic
    community: Community
    title_html: SafeString
    hits: list[SearchHit] = field(default_factory=list)

    @property
    def url(self) -> str:
        return reverse(
            "discussions:topic", kwargs={"slug": self.community.slug, "topic_id": self.topic.pk}
        )


@dataclass
class SearchResults:
    """One page of results; ``searched`` is False when the query held no word to look for."""

    query: str
    hits: list[SearchHit]
    next_cursor: str | None
    searched: bool
    offset: int = 0
    community: Community | None = None
    author: User | None = None

    @property
    def groups(self) -> list[TopicGroup]:
        """The page's hits by topic, topics in the order of their best hit."""
        groups: dict[int, TopicGroup] = {}
        for hit in self.hits:
            group = groups.get(hit.post.topic_id)
            if group is None:
                group = groups[hit.post.topic_id] = TopicGroup(
                    hit.topic, hit.community, hit.title_html
                )
            group.hits.append(hit)
        return list(groups.values())


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    (offset,) = decode_cursor(cursor, 1)
    if not isinstance(offset, int) or isinstance(offset, bool):
        raise InvalidCursor("malformed cursor")
    if not 0 < offset < backend.CANDIDATES:
        raise InvalidCursor("malformed cursor")
    return offset


def clean_query(query: str) -> str:
    """The search as typed, trimmed; ValidationError (``q``) when it is too long."""
    query = " ".join((query or "").split())
    if len(query) > text.MAX_QUERY_LENGTH:
        raise ValidationError(
            {"q": _("Keep the search under %(max)d characters.") % {"max": text.MAX_QUERY_LENGTH}}
        )
    return query


def search_posts(
    actor: Actor,
    query: str,
    *,
    community: str | None = None,
    author: str | None = None,
    kind: str | None = None,
    answered: bool | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> SearchResults:
    """Posts the actor may read that match ``query``, best first (then newest).

    ``community`` is a slug (Http404 when the actor may not read it, as when it does not
    exist), ``author`` a handle (no results when nobody has it), ``kind`` a topic kind,
    ``answered`` keeps questions with (or without) an accepted answer. Raises
    ValidationError for a query that is too long or an unknown kind, InvalidCursor for a
    cursor this function did not issue. Only the newest ``backend.CANDIDATES`` matches are
    ranked, so a very common word costs the same as a rare one.
    """
    query = clean_query(query)
    if kind and kind not in TopicKind.values:
        raise ValidationError({"kind": _("Choose a discussion, a question or an announcement.")})
    limit = min(max(1, limit), MAX_PAGE_SIZE)
    offset = _offset(cursor)
    readable = readable_communities(actor, Community.objects.all())
    scope = None
    if community:
        scope = readable.filter(slug=community).first()
        if scope is None:
            raise Http404(_("No such community."))
    writer = None
    if author:
        writer = (
            User.objects.annotate(handle_lower=Lower("handle"))
            .filter(handle_lower=author.strip().lstrip("@").lower())
            .first()
        )
    parsed = text.parse_query(query)
    results = SearchResults(
        query=query,
        hits=[],
        next_cursor=None,
        searched=not parsed.is_empty,
        offset=offset,
        community=scope,
        author=writer,
    )
    if parsed.is_empty or (author and writer is None):
        return results
    readable_sql, readable_params = readable.order_by().values("pk").query.sql_with_params()
    filters = backend.Filters(
        readable_sql=readable_sql,
        readable_params=readable_params,
        community_id=scope.pk if scope else None,
        author_id=writer.pk if writer else None,
        kind=kind or None,
        answered=answered,
    )
    ids = backend.get_backend().search(parsed, filters, offset, limit + 1)
    if len(ids) > limit:
        ids = ids[:limit]
        if offset + limit < backend.CANDIDATES:
            results.next_cursor = encode_cursor([offset + limit])
    results.hits = _hits(actor, ids, parsed.highlight_terms())
    return results


def _hits(actor: Actor, ids: list[int], wanted: frozenset[str]) -> list[SearchHit]:
    """The posts ``ids``, loaded in two queries, checked again against the reading rules
    (an index row never outlives its permission), with highlighted title and snippet."""
    if not ids:
        return []
    posts = {
        post.pk: post
        for post in unhidden_posts(
            actor, visible_posts(actor, Post.objects.filter(pk__in=ids))
        ).select_related("topic", "community", "author")
    }
    pairs = {(post.author_id, post.community_id) for post in posts.values() if post.author_id}
    roles: dict[tuple[int, int], str] = {}
    if pairs:
        for user_id, community_id, role in Membership.objects.filter(
            user_id__in={user for user, _c in pairs},
            community_id__in={community for _u, community in pairs},
        ).values_list("user_id", "community_id", "role"):
            roles[(user_id, community_id)] = role
    hits = []
    titles: dict[int, SafeString] = {}
    for pk in ids:
        post = posts.get(pk)
        if post is None:
            continue
        if post.topic_id not in titles:
            titles[post.topic_id] = text.highlight(post.topic.title, wanted)
        hits.append(
            SearchHit(
                post=post,
                title_html=titles[post.topic_id],
                snippet_html=text.snippet(text.plain_text(post.body_html), wanted),
                role=roles.get((post.author_id, post.community_id)) if post.author_id else None,
            )
        )
    return hits


def search_communities(actor: Actor, selected: Community | None = None) -> list[Community]:
    """The communities the search form offers: the actor's own, and the one searched in."""
    if not actor.is_authenticated:
        return [selected] if selected else []
    mine = list(
        readable_communities(actor, Community.objects.filter(memberships__user=actor))
        .order_by("name")
        .only("pk", "slug", "name")[:100]
    )
    if selected and all(c.pk != selected.pk for c in mine):
        mine.insert(0, selected)
    return mine
