"""Words, query parsing and snippets: pure functions, the same for both databases."""

from __future__ import annotations

import pytest

from cerchia.search import text


def test_terms_fold_case_and_diacritics() -> None:
    assert text.terms("Perché CAFÉ naïve Straße") == ["perche", "cafe", "naive", "strasse"]


def test_terms_split_on_punctuation_and_underscores() -> None:
    assert text.terms("e-mail foo_bar 3.14 l'acqua") == [
        "e",
        "mail",
        "foo",
        "bar",
        "3",
        "14",
        "l",
        "acqua",
    ]


def test_overlong_runs_are_not_terms() -> None:
    assert text.terms("x" * 65 + " ok") == ["ok"]


def test_plain_text_drops_markup_and_keeps_words_apart() -> None:
    html = "<p>Uno &amp; <em>due</em></p><p>tre</p><ul><li>quattro</li><li>cinque</li></ul>"
    assert text.plain_text(html) == "Uno & due tre quattro cinque"


def test_parse_words_phrases_exclusions_and_or() -> None:
    query = text.parse_query('espresso "dark roast" -decaf OR moka')
    assert text.to_fts5(query) == '(("espresso" AND "dark roast") NOT "decaf") OR ("moka")'
    assert text.to_tsquery(query) == "('espresso' & ('dark' <-> 'roast') & !'decaf') | ('moka')"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        '"',
        '""',
        "***",
        "()",
        "-",
        "-decaf",
        "OR",
        "or or OR",
        "^",
        ":",
        "'",
        "\\",
        "!",
        "&|<->",
    ],
)
def test_nothing_to_look_for_is_an_empty_query(raw: str) -> None:
    assert text.parse_query(raw).is_empty


@pytest.mark.parametrize(
    ("raw", "fts5", "tsquery"),
    [
        ("NEAR(a b, 3)", '("near a" AND "b" AND "3")', "(('near' <-> 'a') & 'b' & '3')"),
        ("espr*", '("espr")', "('espr')"),
        ("title:moka", '("title moka")', "(('title' <-> 'moka'))"),
        ('"unbalanced', '("unbalanced")', "('unbalanced')"),
        ("(a OR b", '("a") OR ("b")', "('a') | ('b')"),
        ("'; DROP TABLE x; --", '("drop" AND "table" AND "x")', "('drop' & 'table' & 'x')"),
        ("a:* & !b", '("a" AND "b")', "('a' & 'b')"),
    ],
)
def test_syntax_characters_are_only_punctuation(raw: str, fts5: str, tsquery: str) -> None:
    query = text.parse_query(raw)
    assert text.to_fts5(query) == fts5
    assert text.to_tsquery(query) == tsquery


def test_a_query_keeps_at_most_sixteen_terms() -> None:
    query = text.parse_query(" ".join(f"w{i}" for i in range(40)))
    assert len(query.highlight_terms()) == text.MAX_QUERY_TERMS


def test_only_wanted_words_are_highlighted() -> None:
    query = text.parse_query("moka -espresso")
    assert query.highlight_terms() == frozenset({"moka"})


def test_highlight_escapes_member_text_then_marks() -> None:
    html = text.highlight('<img src=x onerror="alert(1)"> Moka & more', frozenset({"moka"}))
    assert html == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <mark>Moka</mark> &amp; more"


def test_highlight_matches_folded_words() -> None:
    assert str(text.highlight("Perché no", frozenset({"perche"}))) == "<mark>Perché</mark> no"


def test_snippet_centres_on_the_matches() -> None:
    words = " ".join(f"w{i}" for i in range(100))
    body = f"{words} the <b>needle</b> is here {words}"
    snippet = str(text.snippet(body, frozenset({"needle"})))
    assert snippet.startswith("… w98 w99 the &lt;b&gt;<mark>needle</mark>&lt;/b&gt; is here")
    assert snippet.endswith(" …")
    assert "<b>" not in snippet


def test_snippet_without_a_match_shows_the_beginning() -> None:
    assert str(text.snippet("Short text.", frozenset({"zzz"}))) == "Short text."
    assert str(text.snippet("", frozenset({"zzz"}))) == ""


def test_decomposed_accents_are_the_same_word() -> None:
    decomposed = "Perche\u0301 cafe\u0301"
    assert text.terms(decomposed) == ["perche", "cafe"]
    assert str(text.highlight(decomposed, frozenset({"perche"}))) == "<mark>Perché</mark> café"
