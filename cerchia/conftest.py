"""Named fixtures for the people and communities every test talks about."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from cerchia.accounts.models import User
from cerchia.communities.models import Community, JoinPolicy, Role, Visibility
from cerchia.core import testing


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a request through LocaleMiddleware
    leaves its language active in the thread, which would leak into the next test."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def owner(db: None) -> User:
    return testing.make_user("olivia_owner")


@pytest.fixture
def moderator(db: None) -> User:
    return testing.make_user("marco_mod")


@pytest.fixture
def member(db: None) -> User:
    return testing.make_user("mia_member")


@pytest.fixture
def stranger(db: None) -> User:
    return testing.make_user("sam_stranger")


@pytest.fixture
def site_admin(db: None) -> User:
    return testing.make_user("ada_admin", is_staff=True, is_superuser=True)


def _community(owner: User, moderator: User, member: User, **fields: object) -> Community:
    community = testing.make_community(owner, **fields)  # type: ignore[arg-type]
    testing.add_member(community, moderator, Role.MODERATOR)
    testing.add_member(community, member, Role.MEMBER)
    return community


@pytest.fixture
def public_community(owner: User, moderator: User, member: User) -> Community:
    return _community(
        owner,
        moderator,
        member,
        name="Espresso at home",
        slug="espresso",
        visibility=Visibility.PUBLIC,
        rules="Be kind.",
    )


@pytest.fixture
def private_community(owner: User, moderator: User, member: User) -> Community:
    return _community(
        owner,
        moderator,
        member,
        name="Film lab",
        slug="film-lab",
        visibility=Visibility.PRIVATE,
        join_policy=JoinPolicy.REQUEST,
        screening_questions=["Which camera do you shoot?"],
    )


@pytest.fixture
def hidden_community(owner: User, moderator: User, member: User) -> Community:
    return _community(
        owner,
        moderator,
        member,
        name="Founders' table",
        slug="founders",
        visibility=Visibility.HIDDEN,
    )
