"""The home feed, bookmarks, @mention suggestions, "mark all read" and the community
notification level: what each page shows, to whom, what it refuses, and what it costs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from cerchia.communities.actions import leave_community
from cerchia.communities.models import Visibility
from cerchia.core import testing
from cerchia.discussions import actions, queries
from cerchia.discussions.models import CommunityReadMark, NotificationLevel, Topic

pytestmark = pytest.mark.django_db

FEED = reverse("discussions:feed")
BOOKMARKS = reverse("discussions:bookmarks")


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def htmx(client: Client, url: str, **data: Any) -> Any:
    return client.get(url, data, HTTP_HX_REQUEST="true")


def body(response: Any) -> str:
    return str(response.content.decode())


def read(user: Any, topic: Topic) -> None:
    with transaction.atomic():
        actions.mark_read(user, topic, topic.last_post_number)


def reload(topic: Topic) -> Topic:
    return Topic.objects.select_related("community").get(pk=topic.pk)


@pytest.fixture
def outsider_community(stranger):
    """A public community the member has not joined."""
    return testing.make_community(stranger, name="Not my circle", slug="not-mine")


# --- Home feed -----------------------------------------------------------------------------------


def test_feed_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(FEED)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_feed_shows_only_the_members_communities(
    member, owner, stranger, public_community, private_community, outsider_community
):
    hidden = testing.make_community(stranger, visibility=Visibility.HIDDEN, name="Secret table")
    testing.make_topic(public_community, owner, title="Grinders compared")
    testing.make_topic(private_community, owner, title="Darkroom tips")
    testing.make_topic(outsider_community, stranger, title="Elsewhere entirely")
    testing.make_topic(hidden, stranger, title="Hidden musings")

    page = body(signed_in(member).get(FEED))

    assert "Grinders compared" in page
    assert "Darkroom tips" in page
    assert public_community.name in page
    assert private_community.name in page
    assert "Elsewhere entirely" not in page
    assert "Hidden musings" not in page


def test_a_private_community_the_member_left_leaves_the_feed(member, owner, private_community):
    testing.make_topic(private_community, owner, title="Darkroom tips")
    with transaction.atomic():
        leave_community(member, private_community)

    page = body(signed_in(member).get(FEED))

    assert "Darkroom tips" not in page
    assert escape(private_community.name) not in page


def test_feed_is_chronological_by_last_activity_never_by_engagement(
    member, owner, moderator, public_community
):
    busy = testing.make_topic(public_community, owner, title="Busy older topic")
    for _ in range(3):
        testing.make_reply(busy, moderator)
    with transaction.atomic():
        actions.add_reaction(moderator, busy.posts.get(number=1), "heart")
    testing.make_topic(public_community, owner, title="Quiet newer topic")

    page = body(signed_in(member).get(FEED))
    assert page.index("Quiet newer topic") < page.index("Busy older topic")

    testing.make_reply(reload(busy), owner)
    page = body(signed_in(member).get(FEED))
    assert page.index("Busy older topic") < page.index("Quiet newer topic")


def test_feed_row_shows_community_kind_replies_last_poster_participants_and_unread(
    member, owner, moderator, public_community
):
    question = testing.make_topic(public_community, member, title="Why sour?", kind="question")
    read(member, question)
    testing.make_reply(reload(question), owner, body="Grind finer")
    testing.make_reply(reload(question), moderator, body="And hotter water")
    question = reload(question)

    page = body(signed_in(member).get(FEED))

    assert "Why sour?" in page
    assert "badge--warning" in page
    assert "2 replies" in page
    assert "Last post by Marco Mod" in page
    assert "topic-row--unread" in page
    # Two posts are new to the member, and the title leads to the first of them.
    assert '2<span class="visually-hidden"> unread posts</span>' in page
    first_unread = reverse(
        "discussions:topic", kwargs={"slug": public_community.slug, "topic_id": question.pk}
    )
    assert f'href="{first_unread}#post-2"' in page
    assert 'aria-label="Olivia Owner"' in page  # a participant's avatar


def test_an_answered_question_says_so(member, owner, public_community):
    question = testing.make_topic(public_community, member, title="Why sour?", kind="question")
    answer = testing.make_reply(question, owner)
    with transaction.atomic():
        actions.accept_answer(member, reload(question), answer)

    page = body(signed_in(member).get(FEED))

    assert "badge--success" in page
    assert "badge--warning" not in page


def test_feed_filters_unread_unanswered_and_mine(member, owner, public_community):
    seen = testing.make_topic(public_community, owner, title="Already read")
    read(member, seen)
    testing.make_topic(public_community, owner, title="Fresh news")
    testing.make_topic(public_community, owner, title="Open question", kind="question")
    answered = testing.make_topic(public_community, owner, title="Solved question", kind="question")
    answer = testing.make_reply(answered, member, body="This worked for me")
    with transaction.atomic():
        actions.accept_answer(owner, reload(answered), answer)
    testing.make_topic(public_community, member, title="My own topic")
    client = signed_in(member)

    unread = body(client.get(FEED, {"filter": "unread"}))
    assert "Fresh news" in unread
    assert "Open question" in unread
    assert "Already read" not in unread
    assert "My own topic" not in unread
    assert 'aria-current="page">Unread' in unread

    unanswered = body(client.get(FEED, {"filter": "unanswered"}))
    assert "Open question" in unanswered
    assert "Solved question" not in unanswered
    assert "Fresh news" not in unanswered

    mine = body(client.get(FEED, {"filter": "mine"}))
    assert "My own topic" in mine
    assert "Solved question" in mine
    assert "Fresh news" not in mine
    assert "Already read" not in mine

    everything = body(client.get(FEED, {"filter": "nonsense"}))
    for title in ("Already read", "Fresh news", "Open question", "My own topic"):
        assert title in everything


def test_an_empty_filter_says_what_to_expect(member, public_community):
    page = body(signed_in(member).get(FEED, {"filter": "unanswered"}))
    assert "No questions waiting for an answer" in page


def test_feed_pages_with_a_cursor_and_htmx_loads_more(member, owner, public_community, monkeypatch):
    original = queries.list_feed
    monkeypatch.setattr(
        queries, "list_feed", lambda *args, **kwargs: original(*args, **kwargs, limit=2)
    )
    for number in range(1, 6):
        testing.make_topic(public_community, owner, title=f"Topic number {number}")
    client = signed_in(member)

    first = body(client.get(FEED))
    assert "Topic number 5" in first
    assert "Topic number 4" in first
    assert "Topic number 3" not in first
    assert "Load more" in first
    cursor = first.split("cursor=", 1)[1].split('"', 1)[0]

    more = htmx(client, FEED, cursor=cursor)
    assert more.status_code == 200
    fragment = body(more)
    assert "<html" not in fragment
    assert "Topic number 3" in fragment
    assert "Topic number 2" in fragment
    assert "Topic number 5" not in fragment
    assert fragment.lstrip().startswith("<li")

    # A page without JavaScript: the same rows inside the whole page.
    page = body(client.get(FEED, {"cursor": cursor}))
    assert "Topic number 3" in page
    assert "<html" in page
    assert "Back to the newest" in page

    forged = client.get(FEED, {"cursor": "not-a-cursor"})
    assert forged.status_code == 200
    assert "Topic number 5" in body(forged)


def test_feed_sidebar_counts_unread_topics_per_community(member, owner, public_community):
    testing.make_topic(public_community, owner, title="One")
    testing.make_topic(public_community, owner, title="Two")

    page = body(signed_in(member).get(FEED))

    assert "Your communities" in page
    assert '2<span class="visually-hidden"> unread topics</span>' in page
    assert reverse("discussions:mark_all_read", kwargs={"slug": public_community.slug}) in page


def test_a_suspended_member_sees_an_empty_feed(member, owner, public_community):
    testing.make_topic(public_community, owner, title="Grinders compared")
    member.suspended_at = member.date_joined
    member.save(update_fields=["suspended_at"])

    response = signed_in(member).get(FEED)

    assert response.status_code == 200
    assert "Grinders compared" not in body(response)


def _communities_with_topics(owner: Any, member: Any, count: int) -> None:
    """``count`` topics spread over three communities, with replies by several people."""
    communities = [testing.make_community(owner) for _ in range(3)]
    for community in communities:
        testing.add_member(community, member)
    for number in range(count):
        community = communities[number % 3]
        topic = testing.make_topic(
            community,
            owner,
            title=f"Topic {number}",
            kind="question" if number % 2 else "discussion",
        )
        testing.make_reply(topic, member)


def _count_queries(client: Client, url: str) -> int:
    from django.db import connection

    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("filter", ["all", "unread", "unanswered", "mine"])
def test_feed_costs_the_same_for_3_and_30_topics(owner, member, filter, django_assert_num_queries):
    client = signed_in(member)
    url = f"{FEED}?filter={filter}"
    _communities_with_topics(owner, member, 3)
    few = _count_queries(client, url)
    assert few <= 16

    _communities_with_topics(owner, member, 27)
    with django_assert_num_queries(few):
        assert client.get(url).status_code == 200


# --- Bookmarks -----------------------------------------------------------------------------------


def bookmark(user: Any, post: Any) -> None:
    with transaction.atomic():
        actions.add_bookmark(user, post)


def test_bookmarks_ask_anonymous_visitors_to_sign_in(client):
    response = client.get(BOOKMARKS)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_bookmarks_list_saved_posts_with_a_remove_button(member, owner, public_community):
    topic = testing.make_topic(public_community, owner, title="Grinders compared")
    reply = testing.make_reply(topic, owner, body="The **flat burr** one, clearly")
    bookmark(member, reply)

    page = body(signed_in(member).get(BOOKMARKS))

    assert "Grinders compared" in page
    assert "The flat burr one, clearly" in page
    assert public_community.name in page
    remove = reverse(
        "discussions:bookmark", kwargs={"slug": public_community.slug, "post_id": reply.pk}
    )
    assert f'action="{remove}"' in page
    assert 'hx-swap="delete"' in page
    topic_url = reverse(
        "discussions:topic", kwargs={"slug": public_community.slug, "topic_id": topic.pk}
    )
    assert f'href="{topic_url}#post-2"' in page


def test_bookmarks_are_the_members_own(member, moderator, owner, public_community):
    topic = testing.make_topic(public_community, owner, title="Only for the moderator")
    bookmark(moderator, topic.posts.get(number=1))

    page = body(signed_in(member).get(BOOKMARKS))

    assert "Only for the moderator" not in page
    assert "No bookmarks yet" in page


def test_bookmarks_no_longer_readable_are_left_out(
    member, owner, public_community, private_community
):
    secret = testing.make_topic(private_community, owner, title="Darkroom secrets")
    gone = testing.make_topic(public_community, owner, title="Deleted later")
    kept = testing.make_topic(public_community, owner, title="Still here")
    for topic in (secret, gone, kept):
        bookmark(member, topic.posts.get(number=1))
    with transaction.atomic():
        actions.delete_post(owner, gone.posts.get(number=1))
        leave_community(member, private_community)

    page = body(signed_in(member).get(BOOKMARKS))

    assert "Still here" in page
    assert "Darkroom secrets" not in page
    assert "Deleted later" not in page


def test_bookmarks_page_with_htmx_load_more(member, owner, public_community, monkeypatch):
    original = queries.list_bookmarks
    monkeypatch.setattr(
        queries, "list_bookmarks", lambda *args, **kwargs: original(*args, **kwargs, limit=1)
    )
    for title in ("First saved", "Second saved"):
        bookmark(member, testing.make_topic(public_community, owner, title=title).posts.get())
    client = signed_in(member)

    first = body(client.get(BOOKMARKS))
    assert "Second saved" in first
    assert "First saved" not in first
    cursor = first.split("cursor=", 1)[1].split('"', 1)[0]

    fragment = body(htmx(client, BOOKMARKS, cursor=cursor))
    assert "First saved" in fragment
    assert "<html" not in fragment


def test_bookmarks_cost_the_same_for_3_and_30(owner, member, django_assert_num_queries):
    client = signed_in(member)
    communities = [testing.make_community(owner) for _ in range(3)]

    def save(count: int) -> None:
        for number in range(count):
            topic = testing.make_topic(communities[number % 3], owner, title=f"Saved {number}")
            bookmark(member, testing.make_reply(topic, owner))

    save(3)
    few = _count_queries(client, BOOKMARKS)
    assert few <= 8
    save(27)
    with django_assert_num_queries(few):
        assert client.get(BOOKMARKS).status_code == 200


# --- @mention candidates -------------------------------------------------------------------------


def mentions_url(community: Any) -> str:
    return reverse("discussions:mention_candidates", kwargs={"slug": community.slug})


def test_mention_candidates_are_members_matching_the_prefix(
    member, moderator, owner, stranger, public_community
):
    testing.make_user("marina_outside")  # not a member: never suggested
    response = signed_in(member).get(mentions_url(public_community), {"q": "@ma"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    people = json.loads(response.content)
    assert people == [{"handle": "marco_mod", "name": "Marco Mod", "avatar_url": ""}]


def test_mention_candidates_match_display_names_and_leave_out_the_asker(
    member, owner, public_community
):
    people = json.loads(signed_in(member).get(mentions_url(public_community), {"q": "oli"}).content)
    assert [person["handle"] for person in people] == ["olivia_owner"]

    themselves = json.loads(
        signed_in(member).get(mentions_url(public_community), {"q": "mia"}).content
    )
    assert themselves == []


def test_those_who_may_not_post_get_no_candidates(client, stranger, public_community):
    assert (
        json.loads(signed_in(stranger).get(mentions_url(public_community), {"q": ""}).content) == []
    )
    assert json.loads(client.get(mentions_url(public_community), {"q": "ma"}).content) == []


def test_mention_candidates_of_a_private_community_are_404_to_outsiders(
    client, stranger, private_community, hidden_community
):
    for community in (private_community, hidden_community):
        assert client.get(mentions_url(community), {"q": "m"}).status_code == 404
        assert signed_in(stranger).get(mentions_url(community), {"q": "m"}).status_code == 404


def test_mention_candidates_of_a_private_community_for_its_members(member, private_community):
    people = json.loads(signed_in(member).get(mentions_url(private_community), {"q": "o"}).content)
    assert [person["handle"] for person in people] == ["olivia_owner"]


# --- Mark all read -------------------------------------------------------------------------------


def read_all_url(community: Any) -> str:
    return reverse("discussions:mark_all_read", kwargs={"slug": community.slug})


def test_mark_all_read_clears_the_communitys_unread_topics(member, owner, public_community):
    testing.make_topic(public_community, owner, title="Fresh news")
    client = signed_in(member)
    assert "Fresh news" in body(client.get(FEED, {"filter": "unread"}))

    response = client.post(read_all_url(public_community))

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "communities:detail", kwargs={"slug": public_community.slug}
    )
    assert CommunityReadMark.objects.filter(user=member, community=public_community).exists()
    assert "Fresh news" not in body(client.get(FEED, {"filter": "unread"}))


def test_mark_all_read_goes_back_to_a_local_next_only(member, public_community):
    client = signed_in(member)
    response = client.post(read_all_url(public_community), {"next": f"{FEED}?filter=unread"})
    assert response["Location"] == f"{FEED}?filter=unread"

    response = client.post(read_all_url(public_community), {"next": "https://evil.example/"})
    assert response["Location"] == reverse(
        "communities:detail", kwargs={"slug": public_community.slug}
    )


def test_mark_all_read_with_htmx_answers_204_and_a_toast(member, public_community):
    response = signed_in(member).post(read_all_url(public_community), HTTP_HX_REQUEST="true")

    assert response.status_code == 204
    trigger = json.loads(response["HX-Trigger"])
    assert trigger["toast"]["level"] == "success"
    assert trigger["cerchia:marked-read"] == {"community": public_community.slug}


def test_mark_all_read_refusals(client, stranger, public_community, private_community):
    assert client.post(read_all_url(public_community)).status_code == 302  # to sign in
    assert signed_in(stranger).post(read_all_url(public_community)).status_code == 403
    assert signed_in(stranger).post(read_all_url(private_community)).status_code == 404
    assert signed_in(stranger).get(read_all_url(public_community)).status_code == 405
    assert not CommunityReadMark.objects.exists()


# --- Community notification level ----------------------------------------------------------------


def level_url(community: Any) -> str:
    return reverse("discussions:community_level", kwargs={"slug": community.slug})


def test_member_chooses_the_communitys_notification_level(member, public_community):
    response = signed_in(member).post(level_url(public_community), {"level": "watching"})

    assert response.status_code == 302
    assert (
        queries.community_notification_level(member, public_community) == NotificationLevel.WATCHING
    )


def test_level_with_htmx_returns_the_form_with_the_new_level(member, public_community):
    response = signed_in(member).post(
        level_url(public_community), {"level": "muted"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    fragment = body(response)
    assert '<option value="muted" selected>' in fragment
    assert "<html" not in fragment
    assert 'hx-swap-oob="beforeend:#toasts"' in fragment


def test_an_unknown_level_is_a_clear_400(member, public_community):
    client = signed_in(member)
    response = client.post(level_url(public_community), {"level": "shouting"})
    assert response.status_code == 400
    assert "Choose watching, tracking or muted." in body(response)

    partial = client.post(level_url(public_community), {"level": ""}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 422
    assert 'aria-invalid="true"' in body(partial)
    assert queries.community_notification_level(member, public_community) == "tracking"


def test_level_refusals(client, stranger, public_community, private_community):
    assert client.post(level_url(public_community), {"level": "muted"}).status_code == 302
    assert (
        signed_in(stranger).post(level_url(public_community), {"level": "muted"}).status_code == 403
    )
    assert (
        signed_in(stranger).post(level_url(private_community), {"level": "muted"}).status_code
        == 404
    )


def test_the_level_partial_can_be_included_elsewhere(public_community):
    html = render_to_string(
        "discussions/_partials/community_level.html",
        {"community": public_community, "level": "watching"},
    )
    assert f'action="{level_url(public_community)}"' in html
    assert '<option value="watching" selected>' in html


# --- Navigation ----------------------------------------------------------------------------------


def test_signed_in_people_find_the_feed_and_bookmarks_in_the_navigation(client, member):
    page = body(signed_in(member).get(FEED))
    assert f'href="{FEED}" aria-current="page"' in page
    assert f'href="{BOOKMARKS}"' in page
    assert f'href="{FEED}"' not in body(client.get("/"))


# --- Authorization matrix ------------------------------------------------------------------------


def _matrix_runs_the_feed_table() -> bool:
    """True once the shared matrix parametrizes the app tables itself (then it runs them)."""
    from cerchia.core.tests import test_authorization_matrix as matrix

    for mark in getattr(matrix.test_page_matrix, "pytestmark", []):
        if mark.name == "parametrize" and mark.args[0] == "name":
            return "discussions:feed" in mark.args[1]
    return False


def _feed_table() -> list[str]:
    from cerchia.discussions.tests.authz_feed import PAGES

    return sorted(PAGES)


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.PRIVATE, Visibility.HIDDEN])
@pytest.mark.parametrize("name", _feed_table())
def test_feed_routes_follow_the_matrix(
    name: str, visibility: str, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    if _matrix_runs_the_feed_table():
        pytest.skip("the authorization matrix runs this table")
    from cerchia.core.tests import test_authorization_matrix as matrix
    from cerchia.core.tests.matrix import PRINCIPALS, build_world
    from cerchia.discussions.tests.authz_feed import PAGES

    world = build_world(visibility)
    route = PAGES[name]
    wrong = {}
    for who in PRINCIPALS:
        expected = route.expect(visibility, who)
        actual = matrix._run(world, route, visibility, who)
        if actual != expected:
            wrong[who] = f"expected {expected}, got {actual}"
    assert not wrong, f"{name} on a {visibility} community: {wrong}"
