"""A community's timezone: hosts set it in the settings and the API; changing it recounts the
insights after the change is saved (never before, never when nothing changed)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cerchia.accounts.models import User
from cerchia.communities.models import Community
from cerchia.insights import rollups

SETTINGS = "/c/espresso/settings/"
BASE = {"name": "Espresso at home", "slug": "espresso", "tagline": "x", "language": "en"}


@pytest.fixture
def rebuilt(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    """The communities recounted (id and timezone at the time), instead of recounting."""
    calls: list[tuple[int, str]] = []

    def fake(community: Community, **kwargs: Any) -> int:
        calls.append((community.pk, community.timezone))
        return 0

    monkeypatch.setattr(rollups, "rebuild_community", fake)
    return calls


@pytest.mark.django_db
def test_the_settings_form_shows_and_changes_the_timezone(
    client: Client,
    owner: User,
    public_community: Community,
    rebuilt: list[tuple[int, str]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(owner)
    page = client.get(SETTINGS).content.decode()
    assert 'name="timezone"' in page
    assert '<option value="Europe/Rome">Europe/Rome</option>' in page
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(SETTINGS, {**BASE, "timezone": "Europe/Rome"})
    assert response.status_code == 302
    public_community.refresh_from_db()
    assert public_community.timezone == "Europe/Rome"
    assert len(callbacks) >= 1
    assert rebuilt == [(public_community.pk, "Europe/Rome")]


@pytest.mark.django_db
def test_saving_without_a_change_does_not_recount(
    client: Client,
    owner: User,
    public_community: Community,
    rebuilt: list[tuple[int, str]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(SETTINGS, {**BASE, "timezone": "UTC"}).status_code == 302
        assert client.post(SETTINGS, BASE).status_code == 302  # left out: kept
    public_community.refresh_from_db()
    assert public_community.timezone == "UTC"
    assert rebuilt == []


@pytest.mark.django_db
def test_an_unknown_timezone_is_a_form_error(
    client: Client, owner: User, public_community: Community, rebuilt: list[tuple[int, str]]
) -> None:
    client.force_login(owner)
    response = client.post(SETTINGS, {**BASE, "timezone": "Mars/Olympus"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    public_community.refresh_from_db()
    assert public_community.timezone == "UTC"
    assert rebuilt == []


@pytest.mark.django_db
def test_the_api_changes_the_timezone(
    client: Client,
    owner: User,
    member: User,
    public_community: Community,
    rebuilt: list[tuple[int, str]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = "/api/v1/communities/espresso"
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            url, {"timezone": "America/New_York"}, content_type="application/json"
        )
    assert response.status_code == 200
    public_community.refresh_from_db()
    assert public_community.timezone == "America/New_York"
    assert rebuilt == [(public_community.pk, "America/New_York")]

    bad = client.patch(url, {"timezone": "Mars/Olympus"}, content_type="application/json")
    assert bad.status_code == 422
    assert "timezone" in bad.json()["errors"]
    client.force_login(member)
    assert (
        client.patch(url, {"timezone": "UTC"}, content_type="application/json").status_code == 403
    )
    assert len(rebuilt) == 1
