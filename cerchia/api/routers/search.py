"""Search: the posts you may read that match some words, best first."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, cast

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import BaseModel, Field

from cerchia.api.auth import ANYONE, OPTIONAL_SECURITY, caller
from cerchia.api.errors import problems
from cerchia.api.schemas import RoleName, UserSummary, user_summary
from cerchia.search import queries
from cerchia.search.text import MAX_QUERY_LENGTH

router = Router(tags=["search"])

TopicKindName = Literal["discussion", "question", "announcement"]


class SearchTopic(BaseModel):
    id: int
    title: str
    kind: TopicKindName
    answered: bool = Field(description="A question with an accepted answer.")


class SearchCommunity(BaseModel):
    slug: str
    name: str


class SearchHitOut(BaseModel):
    post_id: int
    number: int = Field(description="The post's number in its topic (1: the opening post).")
    topic: SearchTopic
    community: SearchCommunity
    author: UserSummary | None = Field(description="`null` once the author's account is gone.")
    author_role: RoleName | None
    created_at: datetime
    url: str = Field(description="The post's permanent link on the site.")
    title_html: str = Field(
        description="The topic's title, HTML-escaped, with the matching words in `<mark>`."
    )
    snippet_html: str = Field(
        description="A passage of the post as plain text, HTML-escaped, with the matching "
        "words in `<mark>`."
    )


class SearchPage(BaseModel):
    items: list[SearchHitOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


def hit_out(hit: queries.SearchHit) -> SearchHitOut:
    topic, community = hit.topic, hit.community
    return SearchHitOut(
        post_id=hit.post.pk,
        number=hit.post.number,
        topic=SearchTopic(
            id=topic.pk,
            title=topic.title,
            kind=cast(TopicKindName, topic.kind),
            answered=topic.is_answered,
        ),
        community=SearchCommunity(slug=community.slug, name=community.name),
        author=user_summary(hit.author) if hit.author else None,
        author_role=cast(RoleName | None, hit.role),
        created_at=hit.post.created_at,
        url=hit.url,
        title_html=str(hit.title_html),
        snippet_html=str(hit.snippet_html),
    )


@router.get(
    "/search",
    response={200: SearchPage, **problems(400, 401, 404, 422, 429)},
    auth=ANYONE,
    openapi_extra=OPTIONAL_SECURITY,
)
def search(
    request: HttpRequest,
    q: str = Query(
        ...,
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        description='Words that must all appear; `"a phrase"`, `-word` to leave one out, '
        "`OR` between alternatives. Other punctuation only separates words.",
    ),
    community: str = Query(
        "", max_length=50, description="Only this community (slug); 404 if you may not read it."
    ),
    author: str = Query("", max_length=60, description="Only posts by this handle."),
    kind: Literal["", "discussion", "question", "announcement"] = Query(
        "", description="Only topics of this kind."
    ),
    answered: bool | None = Query(
        None, description="Only questions with (`true`) or without (`false`) an accepted answer."
    ),
    cursor: str | None = Query(
        None,
        max_length=500,
        description="`next_cursor` from the previous page; omit for the first.",
    ),
    limit: int = Query(queries.PAGE_SIZE, ge=1, le=queries.MAX_PAGE_SIZE),
) -> SearchPage:
    """Posts you may read that match `q`, most relevant first, then newest.

    Deleted posts and topics never appear, nor does anything from a community you may not
    read. Only the newest 1,000 matches are ranked.
    """
    results = queries.search_posts(
        caller(request),
        q,
        community=community or None,
        author=author or None,
        kind=kind or None,
        answered=answered,
        cursor=cursor,
        limit=limit,
    )
    return SearchPage(items=[hit_out(hit) for hit in results.hits], next_cursor=results.next_cursor)
