"""Full-text search behind one interface: SQLite FTS5 or PostgreSQL full-text search.

The discussions actions keep the index current inside their own transaction:
``index_posts(posts)`` after a post is written, edited or restored, ``remove_posts(post_ids)``
after a delete, ``reindex_topic(topic)`` after anything about a topic changed.

The index holds words only: one row per post that is not itself deleted, keyed by the
post's id, with the topic's title (opening posts only) and the post's plain text, both as
the folded terms of ``cerchia.search.text``. Everything a search filters on — deleted
topics, community, author, kind, accepted answer — is read from the posts and topics
themselves when searching, so a move, a topic delete or an accepted answer can never leave
a stale permission in the index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from cerchia.search import text

if TYPE_CHECKING:
    from cerchia.discussions.models import Post, Topic

#: Rows written per statement.
CHUNK = 250
#: A search ranks at most this many matches, the newest: the cost of a common word stays flat.
CANDIDATES = 1000
#: PostgreSQL keeps positions up to this, and this many positions per lexeme.
_PG_MAX_POSITION = 16383
_PG_MAX_POSITIONS = 256


@dataclass(frozen=True)
class Document:
    """What the index stores for one post: folded terms, space separated."""

    post_id: int
    title: list[str]
    body: list[str]


@dataclass(frozen=True)
class Filters:
    """Conditions on the posts (``p``) and topics (``t``) a search may return.

    ``readable_sql``/``readable_params`` select the ids of the communities the searcher
    may read (compiled from ``readable_communities``).
    """

    readable_sql: str
    readable_params: Sequence[Any]
    community_id: int | None = None
    author_id: int | None = None
    kind: str | None = None
    answered: bool | None = None

    def where(self) -> tuple[str, list[Any]]:
        clauses = [
            "p.deleted_at IS NULL",
            "t.deleted_at IS NULL",
            f"p.community_id IN ({self.readable_sql})",
        ]
        params: list[Any] = list(self.readable_params)
        if self.community_id is not None:
            clauses.append("p.community_id = %s")
            params.append(self.community_id)
        if self.author_id is not None:
            clauses.append("p.author_id = %s")
            params.append(self.author_id)
        if self.kind is not None:
            clauses.append("t.kind = %s")
            params.append(self.kind)
        if self.answered is not None:
            clauses.append("t.kind = %s")
            params.append("question")
            clauses.append(
                "t.accepted_answer_id IS NOT NULL"
                if self.answered
                else "t.accepted_answer_id IS NULL"
            )
        return " AND ".join(clauses), params


def document(post: Post) -> Document:
    """The index's view of a post (the opening post carries its topic's title)."""
    title = text.terms(post.topic.title) if post.number == 1 else []
    return Document(post.pk, title, text.terms(text.plain_text(post.body_html)))


def _chunks[T](items: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class SQLiteBackend:
    """An FTS5 table (``search_post_fts``) whose rowid is the post id; ranked by bm25."""

    #: bm25 weights of the title and body columns.
    WEIGHTS = (4.0, 1.0)

    def write(self, documents: Sequence[Document]) -> None:
        with connection.cursor() as cursor:
            for chunk in _chunks(documents):
                self.delete([d.post_id for d in chunk])
                rows = ", ".join(["(%s, %s, %s)"] * len(chunk))
                params: list[Any] = []
                for d in chunk:
                    params += [d.post_id, " ".join(d.title), " ".join(d.body)]
                cursor.execute(
                    f"INSERT INTO search_post_fts (rowid, title, body) VALUES {rows}",  # noqa: S608
                    params,
                )

    def delete(self, post_ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            for chunk in _chunks(post_ids):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"DELETE FROM search_post_fts WHERE rowid IN ({marks})",  # noqa: S608
                    list(chunk),
                )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_post_fts")

    def indexed_ids(self, after: int, limit: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM search_post_fts WHERE rowid > %s ORDER BY rowid LIMIT %s",
                [after, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def search(
        self, query: text.SearchQuery, filters: Filters, offset: int, limit: int
    ) -> list[int]:
        where, params = filters.where()
        title_weight, body_weight = self.WEIGHTS
        # CROSS JOIN keeps the full-text index as the outer loop; the candidates are the
        # newest matches, ranked among themselves.
        sql = f"""
            SELECT c.id FROM (
                SELECT p.id AS id, p.created_at AS created_at,
                       bm25(search_post_fts, {title_weight}, {body_weight}) AS score
                FROM search_post_fts
                CROSS JOIN discussions_post p ON p.id = search_post_fts.rowid
                CROSS JOIN discussions_topic t ON t.id = p.topic_id
                WHERE search_post_fts MATCH %s AND {where}
                ORDER BY search_post_fts.rowid DESC
                LIMIT %s
            ) c
            ORDER BY c.score, c.created_at DESC, c.id DESC
            LIMIT %s OFFSET %s
        """  # noqa: S608 - only placeholders and constants are interpolated
        with connection.cursor() as cursor:
            cursor.execute(sql, [text.to_fts5(query), *params, CANDIDATES, limit, offset])
            return [row[0] for row in cursor.fetchall()]


class PostgreSQLBackend:
    """A table of tsvectors (``search_post_vector``) with a GIN index; ranked by ts_rank.

    The vectors and queries are written as literals of already folded terms, so PostgreSQL
    indexes exactly the terms SQLite does (no parser, dictionary or stemming in between).
    """

    def _vector(self, d: Document) -> str:
        positions: dict[str, list[str]] = {}
        for weight, words, first in (("A", d.title, 1), ("", d.body, len(d.title) + 1)):
            for offset, term in enumerate(words):
                found = positions.setdefault(term, [])
                if len(found) < _PG_MAX_POSITIONS:
                    found.append(f"{min(first + offset, _PG_MAX_POSITION)}{weight}")
        return " ".join(f"'{term}':{','.join(where)}" for term, where in positions.items())

    def write(self, documents: Sequence[Document]) -> None:
        with connection.cursor() as cursor:
            for chunk in _chunks(documents):
                rows = ", ".join(["(%s, %s::tsvector)"] * len(chunk))
                params: list[Any] = []
                for d in chunk:
                    params += [d.post_id, self._vector(d)]
                cursor.execute(
                    f"INSERT INTO search_post_vector (post_id, vector) VALUES {rows} "  # noqa: S608
                    "ON CONFLICT (post_id) DO UPDATE SET vector = EXCLUDED.vector",
                    params,
                )

    def delete(self, post_ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            for chunk in _chunks(post_ids):
                cursor.execute(
                    "DELETE FROM search_post_vector WHERE post_id = ANY(%s)", [list(chunk)]
                )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE search_post_vector")

    def indexed_ids(self, after: int, limit: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT post_id FROM search_post_vector WHERE post_id > %s "
                "ORDER BY post_id LIMIT %s",
                [after, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def search(
        self, query: text.SearchQuery, filters: Filters, offset: int, limit: int
    ) -> list[int]:
        where, params = filters.where()
        sql = f"""
            SELECT c.id FROM (
                SELECT p.id AS id, p.created_at AS created_at, v.vector AS vector
                FROM search_post_vector v
                JOIN discussions_post p ON p.id = v.post_id
                JOIN discussions_topic t ON t.id = p.topic_id
                WHERE v.vector @@ %s::tsquery AND {where}
                ORDER BY v.post_id DESC
                LIMIT %s
            ) c
            ORDER BY ts_rank(c.vector, %s::tsquery) DESC, c.created_at DESC, c.id DESC
            LIMIT %s OFFSET %s
        """  # noqa: S608 - only placeholders are interpolated
        tsquery = text.to_tsquery(query)
        with connection.cursor() as cursor:
            cursor.execute(sql, [tsquery, *params, CANDIDATES, tsquery, limit, offset])
            return [row[0] for row in cursor.fetchall()]


Backend = SQLiteBackend | PostgreSQLBackend


def get_backend() -> Backend:
    """The backend for the default database."""
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    if connection.vendor == "postgresql":
        return PostgreSQLBackend()
    raise ImproperlyConfigured(f"Search supports SQLite and PostgreSQL, not {connection.vendor}.")


# --- What the discussions actions call ----------------------------------------------------


def index_posts(posts: Iterable[Post]) -> None:
    """Add or refresh these posts in the index; deleted ones are taken out.

    An opening post's ``topic`` must be loaded (its title is indexed with it)."""
    posts = list(posts)
    live = [document(post) for post in posts if post.deleted_at is None]
    gone = [post.pk for post in posts if post.deleted_at is not None]
    backend = get_backend()
    if gone:
        backend.delete(gone)
    if live:
        backend.write(live)


def remove_posts(post_ids: Iterable[int]) -> None:
    """Drop these posts from the index."""
    ids = list(post_ids)
    if ids:
        get_backend().delete(ids)


def reindex_topic(topic: Topic) -> None:
    """Refresh what the index keeps of ``topic``: its title, held by the opening post.

    Moves, topic deletes and accepted answers need nothing more: searches read them from
    the topic itself."""
    from cerchia.discussions.models import Post

    opening = (
        Post.objects.filter(topic=topic, number=1)
        .only("pk", "number", "body_html", "deleted_at")
        .first()
    )
    if opening is not None:
        opening.topic = topic
        index_posts([opening])
