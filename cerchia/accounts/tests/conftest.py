"""Fixtures for the accounts tests: a small circle of people around one member, ``person``."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cerchia.accounts.models import User
from cerchia.communities.models import Community, Membership, Role, Visibility

PASSWORD = "a long and unusual passphrase"


def make_user(handle: str, **fields: Any) -> User:
    return User.objects.create_user(f"{handle}@example.org", PASSWORD, handle=handle, **fields)


def make_community(slug: str, visibility: str = Visibility.PUBLIC) -> Community:
    return Community.objects.create(
        name=slug.replace("-", " ").title(), slug=slug, tagline="A circle", visibility=visibility
    )


def join(community: Community, user: User, role: str = Role.MEMBER) -> Membership:
    membership = Membership.objects.create(community=community, user=user, role=role)
    Community.objects.filter(pk=community.pk).update(member_count=community.member_count + 1)
    community.refresh_from_db()
    return membership


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def person(db: None) -> User:
    """The member whose profile and account the tests look at."""
    return make_user("person", display_name="Paola Persona")


@pytest.fixture
def circle_owner(db: None) -> User:
    return make_user("circle_owner")


@pytest.fixture
def circle(person: User, circle_owner: User) -> Community:
    """A public community ``person`` belongs to, owned by ``circle_owner``."""
    community = make_community("espresso-circle")
    join(community, circle_owner, Role.OWNER)
    join(community, person)
    return community


@pytest.fixture
def co_member(circle: Community) -> User:
    user = make_user("co_member")
    join(circle, user)
    return user


@pytest.fixture
def host(circle: Community) -> User:
    user = make_user("the_host")
    join(circle, user, Role.MODERATOR)
    return user


@pytest.fixture
def outsider(db: None) -> User:
    """Signed in, shares no community with ``person``."""
    user = make_user("outsider")
    join(make_community("elsewhere"), user, Role.OWNER)
    return user


@pytest.fixture
def admin_user(db: None) -> User:
    return make_user("site_boss", is_staff=True, is_superuser=True)


def image_bytes(
    fmt: str = "JPEG",
    size: tuple[int, int] = (800, 600),
    mode: str = "RGB",
    **save: Any,
) -> bytes:
    image = Image.new(mode, size, color="red" if mode in ("RGB", "RGBA") else 1)
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


@pytest.fixture
def upload() -> Callable[..., SimpleUploadedFile]:
    """An uploaded file with the given bytes (default: an 800×600 JPEG)."""

    def _upload(
        data: bytes | None = None, name: str = "photo.jpg", content_type: str = "image/jpeg"
    ) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, image_bytes() if data is None else data, content_type)

    return _upload
