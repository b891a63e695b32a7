"""Who may see a profile, and who may change or suspend an account."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from cerchia.accounts import permissions
from cerchia.accounts.models import ProfileVisibility, User
from cerchia.accounts.tests.conftest import make_user

VIEWERS = ["anonymous", "stranger", "co_member", "host", "self", "admin"]

# visibility -> the viewers who may see the profile
MATRIX: dict[str, set[str]] = {
    ProfileVisibility.PUBLIC: set(VIEWERS),
    ProfileVisibility.MEMBERS: {"co_member", "host", "self", "admin"},
    ProfileVisibility.PRIVATE: {"host", "self", "admin"},
}


@pytest.fixture
def viewers(
    person: User, co_member: User, host: User, outsider: User, admin_user: User
) -> dict[str, Any]:
    return {
        "anonymous": AnonymousUser(),
        "stranger": outsider,
        "co_member": co_member,
        "host": host,
        "self": person,
        "admin": admin_user,
    }


@pytest.mark.parametrize("visibility", list(MATRIX))
@pytest.mark.parametrize("viewer_name", VIEWERS)
def test_profile_visibility_matrix(
    person: User, viewers: dict[str, Any], visibility: str, viewer_name: str
) -> None:
    User.objects.filter(pk=person.pk).update(profile_visibility=visibility)
    person.refresh_from_db()
    viewer = viewers[viewer_name]
    expected = viewer_name in MATRIX[visibility]

    assert permissions.can_view_profile(viewer, person) is expected
    if expected:
        permissions.check_view_profile(viewer, person)
    else:
        with pytest.raises(Http404):
            permissions.check_view_profile(viewer, person)
    # The queryset filter the member directory uses gives the same answer.
    listed = permissions.visible_profiles(viewer, User.objects.filter(pk=person.pk)).exists()
    assert listed is expected
    # And so does the per-candidate form pages use for a few loaded members.
    assert (person.pk in permissions.visible_profile_ids(viewer, [person])) is expected


def test_owner_counts_as_host_for_private_profiles(
    person: User, circle_owner: User, circle: object
) -> None:
    person.profile_visibility = ProfileVisibility.PRIVATE
    person.save()
    assert permissions.can_view_profile(circle_owner, person)


def test_hosting_another_community_does_not_reveal_private_profiles(
    person: User, outsider: User
) -> None:
    # ``outsider`` owns a community, but not one ``person`` belongs to.
    person.profile_visibility = ProfileVisibility.PRIVATE
    person.save()
    assert not permissions.can_view_profile(outsider, person)


def test_suspended_viewer_is_treated_as_a_stranger(person: User, co_member: User) -> None:
    person.profile_visibility = ProfileVisibility.MEMBERS
    person.save()
    User.objects.filter(pk=co_member.pk).update(suspended_at=timezone.now())
    co_member.refresh_from_db()
    assert not permissions.can_view_profile(co_member, person)
    assert not permissions.visible_profiles(co_member, User.objects.filter(pk=person.pk)).exists()
    assert permissions.visible_profile_ids(co_member, [person, co_member]) == {co_member.pk}
    assert permissions.can_view_profile(co_member, co_member)  # still sees themselves


def test_suspended_site_admin_has_no_admin_sight(person: User, admin_user: User) -> None:
    person.profile_visibility = ProfileVisibility.PRIVATE
    person.save()
    User.objects.filter(pk=admin_user.pk).update(suspended_at=timezone.now())
    admin_user.refresh_from_db()
    assert not permissions.is_site_admin(admin_user)
    assert not permissions.can_view_profile(admin_user, person)


def test_deleted_and_inactive_members_are_hidden(person: User, admin_user: User) -> None:
    person.is_active = False
    person.save()
    assert not permissions.can_view_profile(AnonymousUser(), person)
    assert permissions.can_view_profile(admin_user, person)  # admins may look into it
    person.deleted_at = timezone.now()
    person.save()
    assert not permissions.can_view_profile(admin_user, person)
    assert (
        not permissions.visible_profiles(admin_user, User.objects.all())
        .filter(pk=person.pk)
        .exists()
    )
    assert permissions.visible_profile_ids(admin_user, [person]) == set()


def test_visible_profile_ids_decides_many_members_in_one_query(
    person: User, co_member: User, host: User, outsider: User, django_assert_num_queries: Any
) -> None:
    User.objects.filter(pk=person.pk).update(profile_visibility=ProfileVisibility.PRIVATE)
    User.objects.filter(pk=outsider.pk).update(profile_visibility=ProfileVisibility.MEMBERS)
    people = list(User.objects.filter(pk__in=[person.pk, co_member.pk, host.pk, outsider.pk]))
    with django_assert_num_queries(1):
        seen_by_host = permissions.visible_profile_ids(host, people)
    with django_assert_num_queries(1):
        seen_by_member = permissions.visible_profile_ids(co_member, people)
    expected_host = set(
        permissions.visible_profiles(
            host, User.objects.filter(pk__in=[p.pk for p in people])
        ).values_list("pk", flat=True)
    )
    assert seen_by_host == expected_host
    assert person.pk in seen_by_host
    assert person.pk not in seen_by_member
    assert outsider.pk not in seen_by_member


def test_visible_profiles_filters_a_directory_in_one_query(
    person: User,
    co_member: User,
    host: User,
    outsider: User,
    django_assert_num_queries: Any,
) -> None:
    User.objects.filter(pk=person.pk).update(profile_visibility=ProfileVisibility.PRIVATE)
    User.objects.filter(pk=outsider.pk).update(profile_visibility=ProfileVisibility.MEMBERS)
    User.objects.filter(pk=host.pk).update(profile_visibility=ProfileVisibility.PUBLIC)
    with django_assert_num_queries(1):
        seen = set(
            permissions.visible_profiles(co_member, User.objects.all()).values_list(
                "handle", flat=True
            )
        )
    # person is private (co_member is no host), outsider shares nothing with co_member.
    assert seen == {"co_member", "the_host", "circle_owner"}


def test_check_not_suspended(person: User) -> None:
    permissions.check_not_suspended(person)
    permissions.check_not_suspended(AnonymousUser())
    person.suspended_at = timezone.now()
    with pytest.raises(PermissionDenied, match="suspended"):
        permissions.check_not_suspended(person)


def test_only_the_member_manages_their_account(person: User, admin_user: User) -> None:
    permissions.check_manage_account(person, person)
    for actor in (AnonymousUser(), admin_user):
        with pytest.raises(PermissionDenied):
            permissions.check_manage_account(actor, person)


def test_suspended_member_cannot_edit_profile_or_create_tokens(person: User) -> None:
    person.suspended_at = timezone.now()
    permissions.check_manage_account(person, person)  # export, delete, consents, revoke
    assert not permissions.can_edit_profile(person, person)
    assert not permissions.can_create_access_token(person, person)


def test_suspension_rights(person: User, admin_user: User, db: None) -> None:
    staff = make_user("staffer", is_staff=True)
    other_staff = make_user("staffer_two", is_staff=True)
    permissions.check_suspend_account(admin_user, person)
    permissions.check_suspend_account(staff, person)
    with pytest.raises(PermissionDenied):
        permissions.check_suspend_account(person, staff)  # not an admin
    with pytest.raises(PermissionDenied):
        permissions.check_suspend_account(staff, staff)  # not oneself
    with pytest.raises(PermissionDenied):
        permissions.check_suspend_account(staff, other_staff)  # staff only by superusers
    permissions.check_suspend_account(admin_user, other_staff)
