"""Full-text search behind one interface: SQLite FTS5 or PostgreSQL full-text search.

The discussions actions keep the index current inside their own transaction:
``index_posts(posts)`` after a post is written or edited, ``remove_posts(post_ids)``
after a delete, ``reindex_topic(topic)`` after a title change, a move or a delete.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cerchia.discussions.models import Post, Topic


def index_posts(posts: Iterable[Post]) -> None:
    """Add or refresh these posts in the index."""


def remove_posts(post_ids: Iterable[int]) -> None:
    """Drop these posts from the index."""


def reindex_topic(topic: Topic) -> None:
    """Refresh every post of ``topic`` (title, community or visibility changed)."""
