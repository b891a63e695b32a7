"""The search page: the form, the results, htmx, refusals and its query budget."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.html import escape

from cerchia.accounts.models import User
from cerchia.communities.models import Community, Membership, Visibility
from cerchia.core import testing
from cerchia.core.pagination import encode_cursor

MARKER = "quokkamarker"
URL = "/search/"


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_empty_page_shows_the_form_and_how_to_search(db: None) -> None:
    response = Client().get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html
    assert 'name="q"' in html
    assert "Put “quotes” around a phrase" in html


def test_results_with_highlighted_snippets(member: User, public_community: Community) -> None:
    topic = testing.make_topic(
        public_community, member, title="Frothing <milk>", body="Steam wand & frothing jug"
    )
    reply = testing.make_reply(topic, member, body="Keep the tip just under the surface.")
    response = client_for(member).get(URL, {"q": "frothing"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>Frothing</mark> &lt;milk&gt;" in html
    assert "Steam wand &amp; <mark>frothing</mark> jug" in html
    assert public_community.name in html
    assert member.name in html
    assert f'href="/c/{public_community.slug}/t/{topic.pk}/"' in html
    response = client_for(member).get(URL, {"q": "surface"})
    assert (
        f'href="/c/{public_community.slug}/t/{topic.pk}/p/{reply.number}/"'
        in response.content.decode()
    )


def test_nothing_found_says_so(member: User, public_community: Community) -> None:
    response = client_for(member).get(URL, {"q": "nonexistentword"})
    assert response.status_code == 200
    assert "Nothing found" in response.content.decode()


def test_only_punctuation_asks_for_a_word(db: None) -> None:
    response = Client().get(URL, {"q": '"*()'})
    assert response.status_code == 200
    assert "Type at least one word" in response.content.decode()


def test_a_query_too_long_is_a_form_error(db: None) -> None:
    response = Client().get(URL, {"q": "x" * 201})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()


def test_an_unknown_kind_is_a_form_error(db: None) -> None:
    response = Client().get(URL, {"q": "moka", "kind": "poll"})
    assert response.status_code == 400


def test_a_bad_cursor_gives_the_first_page(member: User, public_community: Community) -> None:
    testing.make_topic(public_community, member, title="Cortado")
    for cursor in ("garbage", encode_cursor([10**9])):
        response = client_for(member).get(URL, {"q": "cortado", "cursor": cursor})
        assert response.status_code == 200
        assert "<mark>Cortado</mark>" in response.content.decode()


def test_next_page_link(member: User, public_community: Community) -> None:
    topic = testing.make_topic(public_community, member, title="Ristretto")
    for n in range(20):
        testing.make_reply(topic, member, body=f"ristretto {n}")
    html = client_for(member).get(URL, {"q": "ristretto"}).content.decode()
    assert 'rel="next"' in html
    cursor = encode_cursor([20])
    html = client_for(member).get(URL, {"q": "ristretto", "cursor": cursor}).content.decode()
    assert 'rel="next"' not in html
    assert "First page" in html


def test_htmx_gets_only_the_results(member: User, public_community: Community) -> None:
    testing.make_topic(public_community, member, title="Affogato")
    response = client_for(member).get(URL, {"q": "affogato"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="search-results"')
    assert "<mark>Affogato</mark>" in html
    assert "HX-Request" in response["Vary"]


def test_filters_and_the_community_choice(
    member: User, owner: User, public_community: Community, private_community: Community
) -> None:
    testing.make_topic(public_community, member, title="Water one")
    secret = testing.make_topic(private_community, member, title="Water two")
    html = client_for(member).get(URL, {"q": "water", "community": "film-lab"}).content.decode()
    assert "Water two" not in html  # highlighted: <mark>Water</mark> two
    assert "<mark>Water</mark> two" in html
    assert "<mark>Water</mark> one" not in html
    assert '<option value="film-lab" selected>' in html
    assert secret.pk


def test_a_community_one_may_not_read_is_a_404(
    member: User, stranger: User, private_community: Community, hidden_community: Community
) -> None:
    for slug in (private_community.slug, hidden_community.slug, "nowhere"):
        assert client_for(stranger).get(URL, {"q": "x", "community": slug}).status_code == 404
    assert client_for(member).get(URL, {"q": "x", "community": "film-lab"}).status_code == 200


def test_the_community_choice_lists_only_the_searchers_communities(
    member: User, stranger: User, private_community: Community, hidden_community: Community
) -> None:
    names = [escape(private_community.name), escape(hidden_community.name)]
    html = client_for(member).get(URL).content.decode()
    assert all(name in html for name in names)
    html = client_for(stranger).get(URL).content.decode()
    assert not any(name in html for name in names)


@pytest.mark.parametrize("visibility", [Visibility.PRIVATE, Visibility.HIDDEN])
def test_the_marker_never_reaches_outsiders(
    visibility: str, member: User, stranger: User, owner: User
) -> None:
    community = testing.make_community(owner, visibility=visibility, slug="canary")
    testing.add_member(community, member)
    topic = testing.make_topic(community, member, title=f"Hush {MARKER}", body=f"{MARKER} murmur")
    testing.make_reply(topic, member, body=f"whisper {MARKER}")
    html = client_for(member).get(URL, {"q": MARKER}).content.decode()
    assert all(word in html for word in ("Hush", "murmur", "whisper", "<mark>"))
    Membership.objects.filter(user=member, community=community).delete()
    queries = ({"q": MARKER}, {"q": f'"{MARKER}" OR murmur'}, {"q": "hush whisper OR murmur"})
    for who in (None, stranger, member):
        client = client_for(who)
        for params in queries:
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(URL, params, headers=headers)
                assert response.status_code == 200
                html = response.content.decode()
                # The query itself is echoed back (the field, the title): nothing else.
                assert "Hush" not in html
                assert "<mark>" not in html
                assert "Nothing found" in html
                assert "canary" not in html


def test_the_header_offers_a_search_box(member: User, public_community: Community) -> None:
    html = client_for(member).get(f"/c/{public_community.slug}/").content.decode()
    assert 'id="site-search-q"' in html
    assert 'action="/search/"' in html
    # Not twice on the search page itself.
    assert 'id="site-search-q"' not in client_for(member).get(URL).content.decode()


def test_query_count_is_the_same_for_3_and_30_matches(
    member: User,
    public_community: Community,
    django_assert_num_queries,
    django_assert_max_num_queries,
) -> None:
    topic = testing.make_topic(public_community, member, title="Channeling", body="channeling")
    for n in range(2):
        testing.make_reply(topic, member, body=f"channeling {n}")
    client = client_for(member)
    client.get(URL, {"q": "channeling"})  # warm up the session and caches
    params = {"q": "channeling", "community": public_community.slug, "kind": "discussion"}
    with django_assert_max_num_queries(50) as first:
        assert (
            client.get(URL, params).content.decode().count('class="stack stack--tight search-hit"')
            == 3
        )
    for n in range(27):
        author = testing.make_user()
        testing.add_member(public_community, author)
        testing.make_reply(topic, author, body=f"channeling {n}")
    with django_assert_num_queries(len(first.captured_queries)):
        assert (
            client.get(URL, params).content.decode().count('class="stack stack--tight search-hit"')
            == 20
        )
