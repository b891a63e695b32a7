"""Words, queries and snippets: the part of search that is the same on every database.

Both backends index the same token stream: the post's plain text split into runs of
letters and digits, folded (lower case, no diacritics), so "Perché" and "perche" match
on SQLite and PostgreSQL alike. A search is parsed here, once, into terms, "quoted
phrases", ``-excluded`` words and ``OR`` alternatives (web search syntax); each backend
renders that into its own query language from terms that can hold no syntax, so no input
can break a query. Snippets are cut and highlighted here too: member text is escaped
first, then the matching words are wrapped in ``<mark>``.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

#: Longer runs are not words people search for (hashes, base64): neither indexed nor searched.
MAX_TERM_LENGTH = 64
#: Words a search may hold; the rest are dropped.
MAX_QUERY_TERMS = 16
#: Characters a search may hold (longer input is refused, not cut).
MAX_QUERY_LENGTH = 200
#: Words shown in a snippet.
SNIPPET_WORDS = 32
#: Words kept before a snippet's first match.
CONTEXT_WORDS = 4

_WORD = re.compile(r"[^\W_]+")
_BLOCK_TAG = re.compile(
    r"</?(?:p|br|li|ul|ol|div|h[1-6]|pre|blockquote|tr|td|th|table|thead|tbody|hr|dd|dt|dl|"
    r"figure|figcaption|section|details|summary)\b[^>]*>",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


def plain_text(body_html: str) -> str:
    """The text of a rendered post, without markup (blocks become spaces)."""
    text = _BLOCK_TAG.sub(" ", body_html or "")
    text = html.unescape(_ANY_TAG.sub("", text))
    return unicodedata.normalize("NFC", _SPACES.sub(" ", text).strip())


def fold(word: str) -> str:
    """Lower case without diacritics: what the index stores for ``word``."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@functools.lru_cache(maxsize=8192)
def _terms_of(word: str) -> tuple[str, ...]:
    """The indexed terms of one word as written (folding may split it, e.g. "½")."""
    if word.isascii():  # letters and digits only: folding is lower-casing
        return (word.lower(),) if len(word) <= MAX_TERM_LENGTH else ()
    return tuple(term for term in _WORD.findall(fold(word)) if len(term) <= MAX_TERM_LENGTH)


def terms(text: str) -> list[str]:
    """The index's terms for ``text``, in order."""
    text = unicodedata.normalize("NFC", text)
    if text.isascii():
        return [word for word in _WORD.findall(text.lower()) if len(word) <= MAX_TERM_LENGTH]
    found: list[str] = []
    for word in _WORD.findall(text):
        found.extend(_terms_of(word))
    return found


# --- Queries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    """One word, or several that must follow each other ("quoted")."""

    terms: tuple[str, ...]


@dataclass
class Alternative:
    """Phrases that must all match, and phrases that must not."""

    include: list[Phrase] = field(default_factory=list)
    exclude: list[Phrase] = field(default_factory=list)


@dataclass
class SearchQuery:
    """A parsed search: any of its alternatives matches (``OR``)."""

    alternatives: list[Alternative]

    @property
    def is_empty(self) -> bool:
        return not self.alternatives

    def highlight_terms(self) -> frozenset[str]:
        """The terms worth marking in a result: every wanted word."""
        return frozenset(
            term
            for alternative in self.alternatives
            for phrase in alternative.include
            for term in phrase.terms
        )


_QUERY_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_query(raw: str) -> SearchQuery:
    """Web search syntax: words (all must match), "a phrase", -excluded, OR.

    Everything else (FTS operators, stars, parentheses, NEAR, column filters) is just
    punctuation between words. A part with nothing to look for (only exclusions) is
    dropped; a query with no part left is empty.
    """
    alternatives: list[Alternative] = [Alternative()]
    budget = MAX_QUERY_TERMS
    for match in _QUERY_TOKEN.finditer(raw or ""):
        negated, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare.casefold() == "or":
                alternatives.append(Alternative())
                continue
            negated = "-" if bare.startswith("-") and len(bare) > 1 else ""
            found = terms(bare[1:] if negated else bare)
        else:
            found = terms(quoted)
        found = found[:budget]
        if not found:
            continue
        budget -= len(found)
        phrase = Phrase(tuple(found))
        target = alternatives[-1].exclude if negated else alternatives[-1].include
        if phrase not in target:
            target.append(phrase)
        if budget <= 0:
            break
    return SearchQuery([alternative for alternative in alternatives if alternative.include])


def to_fts5(query: SearchQuery) -> str:
    """SQLite FTS5 MATCH syntax; every term is a quoted string (no operator can slip in)."""

    def phrase(p: Phrase) -> str:
        return '"' + " ".join(p.terms) + '"'

    parts = []
    for alternative in query.alternatives:
        expression = " AND ".join(phrase(p) for p in alternative.include)
        for excluded in alternative.exclude:
            expression = f"({expression}) NOT {phrase(excluded)}"
        parts.append(f"({expression})")
    return " OR ".join(parts)


def to_tsquery(query: SearchQuery) -> str:
    """PostgreSQL tsquery text; every term is a quoted lexeme (no operator can slip in)."""

    def phrase(p: Phrase) -> str:
        quoted = [f"'{term}'" for term in p.terms]
        return quoted[0] if len(quoted) == 1 else "(" + " <-> ".join(quoted) + ")"

    parts = []
    for alternative in query.alternatives:
        items = [phrase(p) for p in alternative.include]
        items += [f"!{phrase(p)}" for p in alternative.exclude]
        parts.append("(" + " & ".join(items) + ")")
    return " | ".join(parts)


# --- Snippets --------------------------------------------------------------------------


def _marked(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` escaped, with each span wrapped in ``<mark>``."""
    out: list[str] = []
    position = 0
    for start, end in spans:
        out.append(escape(text[position:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


def _hits(text: str, wanted: frozenset[str]) -> list[tuple[int, int, bool]]:
    """Each word of ``text`` (NFC) as (start, end, whether it is wanted)."""
    return [
        (match.start(), match.end(), any(term in wanted for term in _terms_of(match.group())))
        for match in _WORD.finditer(text)
    ]


def highlight(text: str, wanted: frozenset[str]) -> SafeString:
    """All of ``text``, escaped, with the wanted words marked (for titles)."""
    text = unicodedata.normalize("NFC", text)
    spans = [(start, end) for start, end, hit in _hits(text, wanted) if hit]
    return mark_safe(_marked(text, spans))  # noqa: S308 - built from escaped parts


def snippet(text: str, wanted: frozenset[str], words: int = SNIPPET_WORDS) -> SafeString:
    """The passage of ``text`` with the most wanted words, escaped, matches marked."""
    text = unicodedata.normalize("NFC", text)
    found = _hits(text, wanted)
    if not found:
        return mark_safe("")
    best_start, best_count, count = 0, -1, 0
    for index, (_start, _end, hit) in enumerate(found):
        count += hit
        if index >= words:
            count -= found[index - words][2]
        if count > best_count:
            best_count, best_start = count, max(0, index - words + 1)
    if best_count > 0:
        # A few words of context before the first match rather than starting on it.
        first_hit = next(i for i in range(best_start, len(found)) if found[i][2])
        best_start = max(0, first_hit - CONTEXT_WORDS)
    window = found[best_start : best_start + words]
    after = best_start + len(window)
    start = 0 if best_start == 0 else window[0][0]
    end = len(text) if after >= len(found) else window[-1][1]
    spans = [(s - start, e - start) for s, e, hit in window if hit]
    body = _marked(text[start:end], spans)
    prefix = "… " if best_start > 0 else ""
    suffix = " …" if after < len(found) else ""
    return mark_safe(f"{prefix}{body}{suffix}")  # noqa: S308 - built from escaped parts
