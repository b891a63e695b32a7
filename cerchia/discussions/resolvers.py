"""Resolve the topic or post in a URL once, at the edge, before a view body runs.

``@topic_view()`` loads the community at ``<slug>`` and the topic ``<topic_id>`` in it,
answers 404 to whoever may not read them, and attaches ``request.community``,
``request.topic`` and ``request.topic_flags``. ``@post_view()`` does the same for
``<post_id>`` (a post of another community is a 404) and adds ``request.post``.
A ``PermissionDenied`` raised below becomes the friendly 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from cerchia.communities import queries as community_queries
from cerchia.communities.models import Community
from cerchia.communities.resolvers import forbidden, sign_in_first
from cerchia.discussions import permissions, queries
from cerchia.discussions.models import Post, Topic
from cerchia.discussions.permissions import TopicFlags

if TYPE_CHECKING:
    from cerchia.accounts.models import User

View = Callable[..., HttpResponse]


class TopicRequest(HttpRequest):
    """The request a topic view receives (for type checkers)."""

    community: Community
    topic: Topic
    topic_flags: TopicFlags


class MemberTopicRequest(TopicRequest):
    """A topic request from a signed-in person (``login=True``)."""

    user: User


class PostRequest(TopicRequest):
    """The request a post view receives (for type checkers)."""

    post: Post


class MemberPostRequest(PostRequest):
    user: User


def _attach(request: HttpRequest, community: Community, topic: Topic) -> None:
    request.community = community  # type: ignore[attr-defined]
    request.topic = topic  # type: ignore[attr-defined]
    request.topic_flags = permissions.topic_flags(request.user, topic)  # type: ignore[attr-defined]


def topic_view(*, login: bool = False) -> Callable[[View], View]:
    """Resolve ``slug`` and ``topic_id`` for a reader of the topic (404 for anyone else).

    ``login`` sends anonymous visitors to sign in first (before any 404, as for POSTs).
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(
            request: HttpRequest, slug: str, topic_id: int, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            if login and not request.user.is_authenticated:
                return sign_in_first(request, slug)
            community = community_queries.get_readable_community(request.user, slug)
            topic = queries.get_topic(request.user, community, topic_id)
            try:
                _attach(request, community, topic)
                return view(request, *args, **kwargs)
            except PermissionDenied as error:
                return forbidden(request, error)

        return wrapper

    return decorator


def post_view(*, login: bool = False) -> Callable[[View], View]:
    """Resolve ``slug`` and ``post_id`` for a reader of the post; a post that is not in
    the community at ``slug`` is a 404."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(
            request: HttpRequest, slug: str, post_id: int, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            if login and not request.user.is_authenticated:
                return sign_in_first(request, slug)
            community = community_queries.get_readable_community(request.user, slug)
            post = queries.get_post(request.user, post_id)
            if post.topic.community_id != community.pk:
                raise Http404(_("No such post."))
            # One community instance, so every later check reuses its cached access.
            post.topic.community = community
            try:
                _attach(request, community, post.topic)
                request.post = post  # type: ignore[attr-defined]
                return view(request, *args, **kwargs)
            except PermissionDenied as error:
                return forbidden(request, error)

        return wrapper

    return decorator
