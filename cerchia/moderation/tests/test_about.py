"""The about page: who runs the community, its brand, affiliated members, rules, and what its
hosts can see; visible like the community itself."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from cerchia.accounts.models import User
from cerchia.communities.models import Affiliation, Community, Membership
from cerchia.core import testing
from cerchia.moderation import queries_welcome

pytestmark = pytest.mark.django_db


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def brand_community(public_community: Community, member: User) -> Community:
    Community.objects.filter(pk=public_community.pk).update(
        brand_name="Velo Alpino", rules_html="<p>Be kind.</p>"
    )
    Membership.objects.filter(community=public_community, user=member).update(
        affiliation=Affiliation.BRAND, affiliation_name="Velo Alpino"
    )
    public_community.refresh_from_db()
    return public_community


def test_about_names_the_brand_hosts_and_affiliated_members(brand_community, owner, moderator):
    response = _client().get(f"/c/{brand_community.slug}/about/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "This is a brand community" in page
    assert "<strong>Velo Alpino</strong>" in page
    assert owner.name in page
    assert moderator.name in page
    assert "Mia Member" in page
    assert "Brand · Velo Alpino" in page
    assert "Be kind." in page


def test_about_says_what_the_hosts_can_see(public_community):
    page = _client().get(f"/c/{public_community.slug}/about/").content.decode()

    assert "What the hosts can see about members" in page
    for item in queries_welcome.HOSTS_SEE:
        assert str(item.title) in page
    assert "Your email address" in page


def test_a_community_without_brand_says_so(public_community):
    page = _client().get(f"/c/{public_community.slug}/about/").content.decode()

    assert "This is not a brand community" in page
    assert "Nobody here is affiliated." in page


def test_the_community_header_links_to_the_about_page(public_community):
    page = _client().get(f"/c/{public_community.slug}/").content.decode()

    assert f'href="/c/{public_community.slug}/about/"' in page


def test_private_community_about_shows_the_brand_but_not_who_is_here_to_strangers(
    private_community, stranger, owner
):
    Community.objects.filter(pk=private_community.pk).update(brand_name="Lumen Film")

    response = _client(stranger).get(f"/c/{private_community.slug}/about/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Lumen Film" in page
    assert "Only members can see who hosts this community." in page
    assert owner.name not in page
    assert "What the hosts can see about members" in page


def test_private_community_about_lists_hosts_to_members(private_community, member, owner):
    page = _client(member).get(f"/c/{private_community.slug}/about/").content.decode()

    assert owner.name in page
    assert "Only members can see" not in page


@pytest.mark.parametrize("who", ["anonymous", "stranger"])
def test_hidden_community_about_is_404_to_outsiders(hidden_community, stranger, who):
    client = _client(stranger if who == "stranger" else None)

    assert client.get(f"/c/{hidden_community.slug}/about/").status_code == 404


def test_hidden_community_about_is_shown_to_members(hidden_community, member):
    assert _client(member).get(f"/c/{hidden_community.slug}/about/").status_code == 200


def test_about_query_links_only_profiles_the_viewer_may_see(brand_community, owner):
    User.objects.filter(pk=owner.pk).update(profile_visibility="public")

    about = queries_welcome.get_about(AnonymousUser(), brand_community)

    assert next(m.user.handle for m in about.hosts) == owner.handle
    assert [m.user.handle for m in about.affiliated] == ["mia_member"]
    assert about.profile_ids == {owner.pk}


def test_about_page_query_count_does_not_grow_with_hosts(
    brand_community, django_assert_max_num_queries
):
    client = _client()
    url = f"/c/{brand_community.slug}/about/"
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for index in range(4):
        person = testing.make_user(f"extra_host_{index}")
        testing.add_member(brand_community, person, "moderator")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_about_api_answers_the_same(brand_community, owner):
    response = _client().get(f"/api/v1/communities/{brand_community.slug}/about")

    assert response.status_code == 200
    body = response.json()
    assert body["brand_name"] == "Velo Alpino"
    assert body["is_brand_community"] is True
    assert body["members_visible"] is True
    assert owner.handle in [person["user"]["handle"] for person in body["hosts"]]
    assert body["affiliated"][0]["affiliation"] == "brand"
    assert body["affiliated"][0]["affiliation_name"] == "Velo Alpino"
    assert body["hosts_can_see"]
    assert body["hosts_never_see"]


def test_about_api_hides_who_is_here_in_a_private_community(private_community, stranger):
    client = _client(stranger)

    body = client.get(f"/api/v1/communities/{private_community.slug}/about").json()

    assert body["members_visible"] is False
    assert body["hosts"] == []
    assert body["affiliated"] == []


def test_about_api_is_404_for_a_hidden_community(hidden_community, stranger):
    response = _client(stranger).get(f"/api/v1/communities/{hidden_community.slug}/about")

    assert response.status_code == 404


def test_hosts_set_the_brand_in_the_general_settings(public_community, owner):
    client = _client(owner)
    form = client.get(f"/c/{public_community.slug}/settings/").content.decode()
    assert 'name="brand_name"' in form

    response = client.post(
        f"/c/{public_community.slug}/settings/",
        {
            "name": public_community.name,
            "slug": public_community.slug,
            "tagline": public_community.tagline,
            "language": "en",
            "brand_name": "Caffè Nero",
        },
    )

    assert response.status_code == 302
    public_community.refresh_from_db()
    assert public_community.brand_name == "Caffè Nero"


def test_a_brand_name_too_long_is_a_form_error(public_community, owner):
    response = _client(owner).post(
        f"/c/{public_community.slug}/settings/",
        {
            "name": public_community.name,
            "slug": public_community.slug,
            "tagline": public_community.tagline,
            "language": "en",
            "brand_name": "x" * 81,
        },
    )

    assert response.status_code == 400
    public_community.refresh_from_db()
    assert public_community.brand_name == ""
