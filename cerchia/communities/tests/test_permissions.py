from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from cerchia.communities import permissions
from cerchia.communities.models import Community, JoinPolicy, Role, SiteSettings, Visibility
from cerchia.core import testing

pytestmark = pytest.mark.django_db


def outcome(check, *args) -> str:
    try:
        check(*args)
    except Http404:
        return "404"
    except PermissionDenied:
        return "403"
    return "ok"


@pytest.fixture
def people(owner, moderator, member, stranger, site_admin):
    suspended = testing.make_user("sid_suspended", suspended_at=timezone.now())
    return {
        "anonymous": AnonymousUser(),
        "stranger": stranger,
        "member": member,
        "moderator": moderator,
        "owner": owner,
        "site_admin": site_admin,
        "suspended": suspended,
    }


# (visibility) -> who sees the front page / reads the content
VIEW = {
    Visibility.PUBLIC: {
        "anonymous",
        "stranger",
        "member",
        "moderator",
        "owner",
        "site_admin",
        "suspended",
    },
    Visibility.PRIVATE: {
        "anonymous",
        "stranger",
        "member",
        "moderator",
        "owner",
        "site_admin",
        "suspended",
    },
    Visibility.HIDDEN: {"member", "moderator", "owner", "site_admin"},
}
READ = {
    Visibility.PUBLIC: VIEW[Visibility.PUBLIC],
    Visibility.PRIVATE: {"member", "moderator", "owner", "site_admin"},
    Visibility.HIDDEN: {"member", "moderator", "owner", "site_admin"},
}


@pytest.mark.parametrize("visibility", list(Visibility))
def test_view_and_read_rules(visibility, people, owner, moderator, member):
    community = testing.make_community(owner, visibility=visibility)
    testing.add_member(community, moderator, Role.MODERATOR)
    testing.add_member(community, member)
    for name, person in people.items():
        community.__dict__.pop("_access_cache", None)
        expected_view = "ok" if name in VIEW[visibility] else "404"
        expected_read = "ok" if name in READ[visibility] else "404"
        assert outcome(permissions.check_view_community, person, community) == expected_view, name
        assert outcome(permissions.check_read_community, person, community) == expected_read, name


def test_suspended_member_loses_member_rights(private_community, member):
    member.suspended_at = timezone.now()
    member.save()
    assert not permissions.can_read_community(member, private_community)
    assert outcome(permissions.check_leave_community, member, private_community) == "ok"


def test_hidden_community_visible_to_pending_requester_and_email_invitee(
    hidden_community, stranger
):
    assert not permissions.can_view_community(stranger, hidden_community)
    testing.make_invitation(hidden_community, email=stranger.email.upper())
    hidden_community.__dict__.pop("_access_cache", None)
    assert permissions.can_view_community(stranger, hidden_community)
    assert not permissions.can_read_community(stranger, hidden_community)


def test_expired_email_invitation_does_not_reveal_hidden_community(hidden_community, stranger):
    testing.make_invitation(
        hidden_community,
        email=stranger.email,
        expires_at=timezone.now() - timedelta(days=1),
    )
    assert not permissions.can_view_community(stranger, hidden_community)


def test_manage_is_for_hosts_and_site_admins(public_community, people):
    allowed = {"moderator", "owner", "site_admin"}
    for name, person in people.items():
        public_community.__dict__.pop("_access_cache", None)
        expected = "ok" if name in allowed else "403"
        assert outcome(permissions.check_manage_community, person, public_community) == expected, (
            name
        )


def test_manage_hidden_community_is_404_for_outsiders(hidden_community, stranger):
    assert outcome(permissions.check_manage_community, stranger, hidden_community) == "404"


def test_roles_are_for_owner_and_site_admin(public_community, people):
    allowed = {"owner", "site_admin"}
    for name, person in people.items():
        public_community.__dict__.pop("_access_cache", None)
        expected = "ok" if name in allowed else "403"
        assert outcome(permissions.check_manage_roles, person, public_community) == expected, name


def test_join_rules(people, public_community, private_community, hidden_community):
    assert permissions.can_join_community(people["stranger"], public_community)
    assert not permissions.can_join_community(people["anonymous"], public_community)
    assert not permissions.can_join_community(people["suspended"], public_community)
    assert not permissions.can_join_community(people["member"], public_community)
    assert not permissions.can_join_community(people["stranger"], private_community)
    assert permissions.can_request_to_join(people["stranger"], private_community)
    assert outcome(permissions.check_join_community, people["stranger"], hidden_community) == "404"


def test_owner_cannot_leave(public_community, owner, member):
    assert outcome(permissions.check_leave_community, owner, public_community) == "403"
    assert permissions.can_leave_community(member, public_community)


def test_change_role_refuses_owner_changes(public_community, owner):
    owner_membership = public_community.memberships.get(user=owner)
    with pytest.raises(PermissionDenied):
        permissions.check_change_role(owner, owner_membership, Role.MEMBER)
    member_membership = public_community.memberships.filter(role=Role.MEMBER).first()
    with pytest.raises(PermissionDenied):
        permissions.check_change_role(owner, member_membership, Role.OWNER)


def test_create_community_can_be_restricted_to_admins(stranger, site_admin):
    assert permissions.can_create_community(stranger)
    settings_row = SiteSettings.load()
    settings_row.community_creation = SiteSettings.CommunityCreation.ADMINS
    settings_row.save()
    assert not permissions.can_create_community(stranger)
    assert permissions.can_create_community(site_admin)
    assert not permissions.can_create_community(AnonymousUser())


def test_visible_and_listed_communities(
    people, public_community, private_community, hidden_community
):
    everything = Community.objects.all()
    slugs = lambda qs: set(qs.values_list("slug", flat=True))  # noqa: E731
    assert slugs(permissions.visible_communities(people["stranger"], everything)) == {
        "espresso",
        "film-lab",
    }
    assert slugs(permissions.visible_communities(people["anonymous"], everything)) == {
        "espresso",
        "film-lab",
    }
    assert slugs(permissions.visible_communities(people["member"], everything)) == {
        "espresso",
        "film-lab",
        "founders",
    }
    assert slugs(permissions.visible_communities(people["site_admin"], everything)) == {
        "espresso",
        "film-lab",
        "founders",
    }
    assert slugs(permissions.listed_communities(everything)) == {"espresso", "film-lab"}


def test_access_is_loaded_once(public_community, member, django_assert_num_queries):
    public_community.__dict__.pop("_access_cache", None)
    with django_assert_num_queries(1):
        permissions.can_read_community(member, public_community)
        permissions.can_manage_community(member, public_community)
        permissions.can_leave_community(member, public_community)


def test_request_policy_matters(owner, stranger):
    community = testing.make_community(owner, join_policy=JoinPolicy.INVITATION)
    assert not permissions.can_join_community(stranger, community)
    assert not permissions.can_request_to_join(stranger, community)
