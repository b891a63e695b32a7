import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cerchia.accounts.models import ProfileVisibility
from cerchia.communities import queries
from cerchia.communities.models import Role, Visibility
from cerchia.core import testing
from cerchia.core.pagination import InvalidCursor

pytestmark = pytest.mark.django_db


def test_directory_lists_public_and_private_not_hidden(
    public_community, private_community, hidden_community, stranger
):
    page = queries.list_directory(stranger)
    assert [c.slug for c in page] == ["espresso", "film-lab"]


def test_directory_search_and_interest(owner, stranger):
    coffee = testing.make_community(owner, name="Moka lovers", tagline="Stovetop coffee")
    coffee.interests.create(slug="coffee", name="coffee")
    testing.make_community(owner, name="Trail runners", tagline="Dolomites at dawn")
    assert [c.pk for c in queries.list_directory(stranger, search="moka")] == [coffee.pk]
    assert [c.pk for c in queries.list_directory(stranger, search="stovetop")] == [coffee.pk]
    assert [c.pk for c in queries.list_directory(stranger, search="coffee")] == [coffee.pk]
    assert [c.pk for c in queries.list_directory(stranger, interest="coffee")] == [coffee.pk]
    assert list(queries.list_directory(stranger, search="knitting")) == []


def test_directory_keyset_pages_cover_everything_once(owner):
    for index in range(7):
        testing.make_community(owner, name=f"Circle {index:02d}")
    seen = []
    cursor = None
    while True:
        page = queries.list_directory(AnonymousUser(), cursor=cursor, limit=3)
        seen += [c.name for c in page]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == sorted(seen)
    assert len(seen) == 7 == len(set(seen))


def test_directory_refuses_a_forged_cursor():
    with pytest.raises(InvalidCursor):
        queries.list_directory(AnonymousUser(), cursor="not-a-cursor!!")


def test_directory_query_count_does_not_grow(owner, stranger, django_assert_max_num_queries):
    for _ in range(3):
        testing.make_community(owner)
    with django_assert_max_num_queries(2):
        list(queries.list_directory(stranger))
    for _ in range(20):
        testing.make_community(owner).interests.create(slug=f"tag-{_}", name="tag")
    with django_assert_max_num_queries(2):
        page = queries.list_directory(stranger)
        [list(c.interests.all()) for c in page]


def test_member_directory_respects_profile_visibility(
    public_community, member, stranger, moderator
):
    hidden_person = testing.make_user("quiet_one", profile_visibility=ProfileVisibility.PRIVATE)
    testing.add_member(public_community, hidden_person)
    open_person = testing.make_user("open_one", profile_visibility=ProfileVisibility.PUBLIC)
    testing.add_member(public_community, open_person)
    handles = lambda viewer: {m.user.handle for m in queries.list_members(viewer, public_community)}  # noqa: E731
    assert handles(AnonymousUser()) == {"open_one"}
    assert "quiet_one" not in handles(member)
    assert {"mia_member", "open_one"} <= handles(member)
    assert "quiet_one" in handles(moderator)


def test_member_directory_of_private_community_is_404_for_non_members(private_community, stranger):
    with pytest.raises(Http404):
        queries.list_members(stranger, private_community)


def test_member_directory_filters(public_community, member, owner):
    assert {
        m.user.handle for m in queries.list_members(owner, public_community, role=Role.OWNER)
    } == {owner.handle}
    assert {m.user.handle for m in queries.list_members(owner, public_community, search="mia")} == {
        member.handle
    }


def test_my_memberships_include_hidden(hidden_community, public_community, member):
    slugs = [m.community.slug for m in queries.list_my_memberships(member)]
    assert set(slugs) == {"espresso", "founders"}
    assert queries.list_my_memberships(AnonymousUser()) == []


def test_host_lists_are_for_hosts(private_community, member, owner):
    testing.make_join_request(private_community, testing.make_user())
    assert len(queries.list_pending_requests(owner, private_community)) == 1
    with pytest.raises(PermissionDenied):
        queries.list_pending_requests(member, private_community)


def test_get_community_hides_hidden(hidden_community, stranger, member):
    with pytest.raises(Http404):
        queries.get_community(stranger, "founders")
    assert queries.get_community(member, "founders") == hidden_community
    with pytest.raises(Http404):
        queries.get_community(member, "no-such-place")
    assert hidden_community.visibility == Visibility.HIDDEN
