"""search_posts: what it finds, in what order, and for whom — on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from cerchia.accounts.models import User
from cerchia.communities.models import Community, Membership
from cerchia.core import testing
from cerchia.core.pagination import InvalidCursor, encode_cursor
from cerchia.discussions import actions
from cerchia.discussions.models import Post, Topic
from cerchia.search import backend
from cerchia.search.queries import search_posts

MARKER = "zanzibarmarker"


def found(actor, query: str, **filters) -> list[int]:
    return [hit.post.pk for hit in search_posts(actor, query, **filters).hits]


def opening(topic: Topic) -> Post:
    return topic.posts.get(number=1)


# --- Matching ------------------------------------------------------------------------


def test_finds_titles_and_bodies(member: User, public_community: Community) -> None:
    topic = testing.make_topic(public_community, member, title="Grinder calibration", body="Burrs")
    reply = testing.make_reply(topic, member, body="Set the **burrs** finer for espresso.")
    assert found(member, "grinder") == [opening(topic).pk]
    assert found(member, "espresso") == [reply.pk]
    assert set(found(member, "burrs")) == {opening(topic).pk, reply.pk}


def test_all_words_must_appear(member: User, public_community: Community) -> None:
    both = testing.make_topic(public_community, member, title="Milk steaming", body="Latte art")
    testing.make_topic(public_community, member, title="Milk only", body="Nothing else")
    assert found(member, "milk latte") == [opening(both).pk]


def test_case_and_diacritics_do_not_matter(member: User, public_community: Community) -> None:
    topic = testing.make_topic(public_community, member, title="Perché il caffè?", body="Già.")
    assert found(member, "PERCHE caffe") == [opening(topic).pk]
    assert found(member, "perché CAFFÈ") == [opening(topic).pk]


def test_phrases_exclusions_and_alternatives(member: User, public_community: Community) -> None:
    dark = testing.make_topic(public_community, member, title="Dark roast beans", body="Bold")
    roast = testing.make_topic(public_community, member, title="Roast dark", body="Mild decaf")
    moka = testing.make_topic(public_community, member, title="Moka pot", body="Stovetop")
    assert found(member, '"dark roast"') == [opening(dark).pk]
    assert found(member, "roast -decaf") == [opening(dark).pk]
    assert set(found(member, "decaf OR stovetop")) == {opening(roast).pk, opening(moka).pk}


BAD_QUERIES = [
    '"',
    '"unbalanced quote',
    "(((",
    "a)",
    "NEAR(a b)",
    "NEAR",
    "espr*",
    "*",
    "title:moka",
    "body:",
    "-",
    "--",
    "- -",
    "OR",
    "AND",
    "NOT",
    "moka NOT",
    "AND moka",
    "^moka",
    "moka + pot",
    "moka & !pot",
    "moka <-> pot",
    "'",
    "''",
    "';--",
    "\\",
    "\\x00",
    "%",
    "_",
    "{}[]",
    "🙂",
    "日本語",
    "x" * 200,
    " ".join(["w"] * 100),
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_odd_input_never_breaks_a_search(
    query: str, member: User, public_community: Community
) -> None:
    topic = testing.make_topic(
        public_community, member, title="Moka pot", body="moka pot 🙂 日本語"
    )
    results = search_posts(member, query)
    assert all(hit.post.topic_id == topic.pk for hit in results.hits)


def test_nul_and_control_characters_never_break_a_search(member: User) -> None:
    assert search_posts(member, "moka\x00pot\x07").hits == []


def test_a_query_too_long_is_refused(member: User) -> None:
    with pytest.raises(ValidationError) as error:
        search_posts(member, "x" * 201)
    assert "q" in error.value.message_dict


def test_nothing_to_look_for_is_not_searched(member: User, public_community: Community) -> None:
    testing.make_topic(public_community, member, title="Moka pot")
    results = search_posts(member, '  *** "" ')
    assert results.hits == []
    assert results.searched is False


# --- Ranking -------------------------------------------------------------------------


def test_title_matches_rank_above_body_matches(member: User, public_community: Community) -> None:
    in_title = testing.make_topic(
        public_community, member, title="Portafilter baskets", body="Sizes and shapes."
    )
    in_body = testing.make_topic(
        public_community, member, title="Something else", body="A word on the portafilter."
    )
    # The newer one would come first on recency alone.
    assert found(member, "portafilter") == [opening(in_title).pk, opening(in_body).pk]


def test_equal_relevance_newest_first(member: User, public_community: Community) -> None:
    topic = testing.make_topic(public_community, member, title="Tamping", body="Pressure")
    first = testing.make_reply(topic, member, body="Level the coffee bed.")
    second = testing.make_reply(topic, member, body="Level the coffee bed.")
    Post.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert found(member, "level bed") == [second.pk, first.pk]


# --- Who sees what ---------------------------------------------------------------------


@pytest.fixture
def planted(member: User, private_community: Community, hidden_community: Community):
    """The marker in a private and a hidden community's titles and replies."""
    posts = []
    for community in (private_community, hidden_community):
        topic = testing.make_topic(community, member, title=f"Secret {MARKER}", body=MARKER)
        posts += [opening(topic).pk, testing.make_reply(topic, member, body=MARKER).pk]
    return posts


def test_private_and_hidden_content_only_for_members(
    planted: list[int],
    member: User,
    owner: User,
    stranger: User,
    site_admin: User,
) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert set(found(member, MARKER)) == set(planted)
    assert set(found(owner, MARKER)) == set(planted)
    assert set(found(site_admin, MARKER)) == set(planted)
    assert found(stranger, MARKER) == []
    assert found(AnonymousUser(), MARKER) == []


def test_a_removed_member_no_longer_finds_it(
    planted: list[int], member: User, private_community: Community, hidden_community: Community
) -> None:
    Membership.objects.filter(user=member).delete()
    assert found(member, MARKER) == []


def test_a_suspended_member_no_longer_finds_it(planted: list[int], member: User) -> None:
    User.objects.filter(pk=member.pk).update(suspended_at=timezone.now())
    member.refresh_from_db()
    assert found(member, MARKER) == []


def test_private_matches_do_not_show_even_as_a_page_count(
    member: User, stranger: User, public_community: Community, private_community: Community
) -> None:
    public = testing.make_topic(public_community, member, title=f"Open {MARKER}")
    secret = testing.make_topic(private_community, member, title=f"Closed {MARKER}")
    for _ in range(5):
        testing.make_reply(secret, member, body=MARKER)
    results = search_posts(stranger, MARKER, limit=1)
    assert [hit.post.pk for hit in results.hits] == [opening(public).pk]
    assert results.next_cursor is None  # the same as if the private posts did not exist


def test_a_community_one_may_not_read_is_a_404_like_an_unknown_one(
    planted: list[int], stranger: User, private_community: Community, hidden_community: Community
) -> None:
    for slug in (private_community.slug, hidden_community.slug, "no-such-place"):
        with pytest.raises(Http404):
            search_posts(stranger, MARKER, community=slug)


def test_deleted_posts_and_topics_never_appear(
    member: User, owner: User, public_community: Community
) -> None:
    topic = testing.make_topic(public_community, member, title="Descaling", body="Citric acid")
    reply = testing.make_reply(topic, member, body="Citric acid works")
    with transaction.atomic():
        actions.delete_post(member, reply)
    assert found(owner, "citric") == [opening(topic).pk]
    with transaction.atomic():
        actions.delete_post(owner, opening(topic))
    assert found(owner, "citric") == []  # not even for its hosts
    assert found(owner, "descaling") == []
    topic.refresh_from_db()
    with transaction.atomic():
        actions.restore_post(owner, Post.objects.select_related("topic").get(topic=topic, number=1))
    assert found(owner, "descaling") == [opening(topic).pk]


def test_a_deleted_topic_hides_its_replies_too(
    member: User, owner: User, public_community: Community
) -> None:
    topic = testing.make_topic(public_community, member, title="Old thread", body="Hello")
    reply = testing.make_reply(topic, owner, body="A reply about kettles")
    assert found(member, "kettles") == [reply.pk]
    with transaction.atomic():
        actions.delete_post(member, opening(topic))
    assert found(member, "kettles") == []


def test_an_index_row_never_outlives_the_rules(
    member: User, stranger: User, public_community: Community
) -> None:
    """Even a post deleted behind the index's back stays out of the results."""
    topic = testing.make_topic(public_community, member, title="Stale", body="Ghostword")
    Post.objects.filter(pk=opening(topic).pk).update(deleted_at=timezone.now())
    assert found(stranger, "ghostword") == []


# --- Keeping up with changes -----------------------------------------------------------


def test_edits_replace_the_indexed_words(member: User, public_community: Community) -> None:
    topic = testing.make_topic(public_community, member, title="Old title", body="Old words")
    post = Post.objects.select_related("topic", "topic__community").get(topic=topic, number=1)
    with transaction.atomic():
        actions.edit_post(member, post, body="Fresh words", title="Brand new heading")
    assert found(member, "old") == []
    assert found(member, "fresh") == [post.pk]
    assert found(member, "heading") == [post.pk]


def test_a_moved_topic_is_found_in_its_new_community(
    owner: User, member: User, public_community: Community
) -> None:
    other = testing.make_community(owner, slug="tea-room", name="Tea room")
    topic = testing.make_topic(public_community, member, title="Travelling topic", body="x")
    topic = Topic.objects.select_related("community").get(pk=topic.pk)
    with transaction.atomic():
        actions.move_topic(owner, topic, other)
    assert found(member, "travelling", community="tea-room") == [opening(topic).pk]
    assert found(member, "travelling", community=public_community.slug) == []


# --- Filters -------------------------------------------------------------------------


@pytest.fixture
def library(member: User, moderator: User, owner: User, public_community: Community):
    other = testing.make_community(owner, slug="tea-room", name="Tea room")
    testing.add_member(other, member)
    discussion = testing.make_topic(public_community, member, title="Water hardness")
    answered = testing.make_topic(public_community, member, title="Water filter?", kind="question")
    answer = testing.make_reply(answered, moderator, body="Use a water jug filter")
    open_question = testing.make_topic(other, member, title="Water temperature?", kind="question")
    news = testing.make_topic(public_community, owner, title="Water meetup", kind="announcement")
    topic = Topic.objects.select_related("community").get(pk=answered.pk)
    with transaction.atomic():
        actions.accept_answer(member, topic, answer)
    return {
        "discussion": opening(discussion).pk,
        "answered": opening(answered).pk,
        "answer": answer.pk,
        "open": opening(open_question).pk,
        "news": opening(news).pk,
    }


def test_filter_by_community(library: dict[str, int], member: User) -> None:
    assert found(member, "water", community="tea-room") == [library["open"]]


def test_filter_by_author(library: dict[str, int], member: User, moderator: User) -> None:
    assert found(member, "water", author=moderator.handle) == [library["answer"]]
    assert found(member, "water", author="@" + moderator.handle.upper()) == [library["answer"]]
    assert found(member, "water", author="nobody-here") == []


def test_filter_by_kind(library: dict[str, int], member: User) -> None:
    assert found(member, "water", kind="announcement") == [library["news"]]
    assert set(found(member, "water", kind="question")) == {
        library["answered"],
        library["answer"],
        library["open"],
    }
    with pytest.raises(ValidationError):
        search_posts(member, "water", kind="poll")


def test_filter_by_answered(library: dict[str, int], member: User) -> None:
    assert set(found(member, "water", answered=True)) == {library["answered"], library["answer"]}
    assert found(member, "water", answered=False) == [library["open"]]


# --- Pages -----------------------------------------------------------------------------


def test_pages_follow_each_other(member: User, public_community: Community) -> None:
    topic = testing.make_topic(public_community, member, title="Crema", body="crema")
    for n in range(11):
        testing.make_reply(topic, member, body=f"crema number {n}")
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        results = search_posts(member, "crema", cursor=cursor, limit=5)
        seen += [hit.post.pk for hit in results.hits]
        pages += 1
        cursor = results.next_cursor
        if cursor is None:
            break
    assert pages == 3
    assert sorted(seen) == sorted(topic.posts.values_list("pk", flat=True))
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense",
        encode_cursor([0]),
        encode_cursor([-5]),
        encode_cursor(["5"]),
        encode_cursor([backend.CANDIDATES]),
        encode_cursor([1.5]),
        encode_cursor([True]),
    ],
)
def test_a_forged_cursor_is_refused(cursor: str, member: User) -> None:
    with pytest.raises(InvalidCursor):
        search_posts(member, "crema", cursor=cursor)


def test_results_group_by_topic(member: User, public_community: Community) -> None:
    topic = testing.make_topic(public_community, member, title="Bloom", body="bloom time")
    reply = testing.make_reply(topic, member, body="bloom longer")
    other = testing.make_topic(public_community, member, title="Other", body="bloom too")
    groups = search_posts(member, "bloom").groups
    assert [group.topic.pk for group in groups] == [topic.pk, other.pk]
    assert [hit.post.pk for hit in groups[0].hits] == [opening(topic).pk, reply.pk]


def test_snippets_escape_member_text(member: User, public_community: Community) -> None:
    testing.make_topic(
        public_community,
        member,
        title='<img src=x onerror="alert(1)"> Ristretto',
        body="Ristretto `<script>alert(1)</script>` and <b>bold</b> ristretto",
    )
    (hit,) = search_posts(member, "ristretto").hits
    assert str(hit.title_html) == (
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <mark>Ristretto</mark>"
    )
    assert "<script" not in hit.snippet_html
    assert "<b>" not in hit.snippet_html
    assert "&lt;script&gt;" in hit.snippet_html
    assert hit.snippet_html.count("<mark>") == 2


def test_query_count_is_the_same_for_3_and_30_matches(
    member: User, moderator: User, public_community: Community, django_assert_num_queries
) -> None:
    topic = testing.make_topic(public_community, member, title="Pressure profiling", body="bar")
    for n in range(2):
        testing.make_reply(topic, moderator, body=f"pressure {n}")

    def run() -> int:
        return len(
            search_posts(member, "pressure", community=public_community.slug, author=None).hits
        )

    # the community, the ranked ids, the posts, the authors' roles
    with django_assert_num_queries(4):
        assert run() == 3
    for n in range(27):
        author = testing.make_user()
        testing.add_member(public_community, author)
        testing.make_reply(topic, author, body=f"pressure {n}")
    with django_assert_num_queries(4):
        assert run() == 20
