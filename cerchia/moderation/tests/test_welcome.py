"""The welcome: the hosts' message and introductions topic, the welcomers, and the panel a
new member sees until they close it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.utils import timezone

from cerchia.accounts.models import User
from cerchia.communities.models import Community, Membership
from cerchia.core import testing
from cerchia.moderation.actions import welcome
from cerchia.moderation.models import ModerationSettings, WelcomeDismissal
from cerchia.moderation.queries_welcome import get_welcome_panel

pytestmark = pytest.mark.django_db


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def welcoming(public_community: Community, owner: User) -> Community:
    intro = testing.make_topic(public_community, owner, title="Introduce yourself here")
    welcome.update_welcome(
        owner,
        public_community,
        welcome_message="Hello **friend**, read the rules first.",
        introductions_topic_id=intro.pk,
        unanswered_hours=24,
    )
    return public_community


@pytest.fixture
def newcomer(welcoming: Community) -> User:
    person = testing.make_user("nina_new")
    testing.add_member(welcoming, person)
    return person


# --- Settings -----------------------------------------------------------------------------


def test_update_welcome_renders_the_message_once_and_records_an_event(welcoming):
    settings = ModerationSettings.objects.get(community=welcoming)

    assert (
        settings.welcome_message_html
        == "<p>Hello <strong>friend</strong>, read the rules first.</p>\n"
    )
    assert settings.introductions_topic is not None
    assert "moderation.welcome_updated" in testing.event_kinds(community=welcoming)


def test_a_topic_of_another_community_cannot_be_the_introductions_topic(
    public_community, private_community, owner
):
    elsewhere = testing.make_topic(private_community, owner, title="Elsewhere")

    with pytest.raises(ValidationError) as error:
        welcome.update_welcome(
            owner,
            public_community,
            welcome_message="",
            introductions_topic_id=elsewhere.pk,
            unanswered_hours=24,
        )

    assert "introductions_topic" in error.value.message_dict
    assert not ModerationSettings.objects.filter(community=public_community).exists()


@pytest.mark.parametrize("hours", [0, 721])
def test_unanswered_hours_out_of_range_are_refused(public_community, owner, hours):
    with pytest.raises(ValidationError):
        welcome.update_welcome(
            owner,
            public_community,
            welcome_message="",
            introductions_topic_id=None,
            unanswered_hours=hours,
        )


def test_a_nul_character_in_the_message_is_refused(public_community, owner):
    with pytest.raises(ValidationError):
        welcome.update_welcome(
            owner,
            public_community,
            welcome_message="Hi\x00",
            introductions_topic_id=None,
            unanswered_hours=24,
        )


def test_members_may_not_change_the_welcome(public_community, member):
    with pytest.raises(PermissionDenied):
        welcome.update_welcome(
            member,
            public_community,
            welcome_message="Mine now",
            introductions_topic_id=None,
            unanswered_hours=24,
        )


def test_strangers_of_a_private_community_get_404(private_community, stranger):
    with pytest.raises(Http404):
        welcome.set_welcomers(stranger, private_community, [])


def test_the_welcome_page_saves_the_form(public_community, owner):
    topic = testing.make_topic(public_community, owner, title="Say hi")
    client = _client(owner)
    url = f"/c/{public_community.slug}/moderation/welcome/"
    assert "Say hi" in client.get(url).content.decode()

    response = client.post(
        url,
        {
            "welcome_message": "Welcome!",
            "introductions_topic": str(topic.pk),
            "unanswered_hours": "12",
        },
    )

    assert response.status_code == 302
    settings = ModerationSettings.objects.get(community=public_community)
    assert (
        settings.welcome_message,
        settings.introductions_topic_id,
        settings.unanswered_hours,
    ) == (
        "Welcome!",
        topic.pk,
        12,
    )


def test_the_welcome_page_shows_form_errors_for_bad_input(public_community, owner):
    response = _client(owner).post(
        f"/c/{public_community.slug}/moderation/welcome/",
        {"welcome_message": "Hi", "introductions_topic": "999999", "unanswered_hours": "abc"},
    )

    assert response.status_code == 400
    assert not ModerationSettings.objects.filter(community=public_community).exists()


def test_members_get_403_on_the_welcome_page(public_community, member):
    response = _client(member).get(f"/c/{public_community.slug}/moderation/welcome/")

    assert response.status_code == 403


# --- Welcomers ----------------------------------------------------------------------------


def test_hosts_choose_the_welcomers_by_handle(public_community, owner, member, moderator):
    welcomers = welcome.set_welcomers(owner, public_community, ["@MIA_member", "marco_mod"])

    assert {m.user.handle for m in welcomers} == {"mia_member", "marco_mod"}
    welcome.set_welcomers(owner, public_community, ["marco_mod"])
    assert list(
        Membership.objects.filter(community=public_community, is_welcomer=True).values_list(
            "user__handle", flat=True
        )
    ) == ["marco_mod"]
    assert "moderation.welcomers_changed" in testing.event_kinds(community=public_community)


def test_only_members_can_be_welcomers(public_community, owner, stranger):
    with pytest.raises(ValidationError) as error:
        welcome.set_welcomers(owner, public_community, ["mia_member", stranger.handle])

    assert "@sam_stranger" in str(error.value)
    assert not Membership.objects.filter(community=public_community, is_welcomer=True).exists()


def test_the_welcome_page_adds_and_removes_a_welcomer(public_community, owner, member):
    client = _client(owner)
    base = f"/c/{public_community.slug}/moderation/welcome/welcomers/"

    assert client.post(base, {"handle": "@mia_member"}).status_code == 302
    assert Membership.objects.get(community=public_community, user=member).is_welcomer
    page = client.get(f"/c/{public_community.slug}/moderation/welcome/").content.decode()
    assert "Remove Mia Member" in page

    assert client.post(f"{base}mia_member/remove/").status_code == 302
    assert not Membership.objects.get(community=public_community, user=member).is_welcomer


def test_adding_a_non_member_as_welcomer_is_a_form_error(public_community, owner, stranger):
    response = _client(owner).post(
        f"/c/{public_community.slug}/moderation/welcome/welcomers/", {"handle": stranger.handle}
    )

    assert response.status_code == 400
    assert "Not a member here" in response.content.decode()


# --- The panel ----------------------------------------------------------------------------


def test_a_new_member_sees_the_welcome_panel_with_the_introductions_link(welcoming, newcomer):
    page = _client(newcomer).get(f"/c/{welcoming.slug}/").content.decode()

    assert 'id="welcome-panel"' in page
    assert "Hello <strong>friend</strong>" in page
    assert "Introduce yourself" in page


@pytest.mark.parametrize("who", ["anonymous", "stranger"])
def test_non_members_see_no_welcome_panel(welcoming, stranger, who):
    client = _client(stranger if who == "stranger" else None)

    assert 'id="welcome-panel"' not in client.get(f"/c/{welcoming.slug}/").content.decode()


def test_a_long_standing_member_sees_no_welcome_panel(welcoming, newcomer):
    Membership.objects.filter(community=welcoming, user=newcomer).update(
        joined_at=timezone.now() - timedelta(days=30)
    )

    assert get_welcome_panel(newcomer, welcoming) is None


def test_no_panel_when_the_hosts_wrote_no_welcome(public_community):
    person = testing.make_user("nina_new")
    testing.add_member(public_community, person)

    assert get_welcome_panel(person, public_community) is None


def test_closing_the_panel_keeps_it_closed(welcoming, newcomer):
    client = _client(newcomer)

    response = client.post(f"/c/{welcoming.slug}/welcome/dismiss/")

    assert response.status_code == 302
    assert WelcomeDismissal.objects.filter(community=welcoming, user=newcomer).exists()
    assert 'id="welcome-panel"' not in client.get(f"/c/{welcoming.slug}/").content.decode()
    assert client.post(f"/c/{welcoming.slug}/welcome/dismiss/").status_code == 302
    assert WelcomeDismissal.objects.filter(community=welcoming, user=newcomer).count() == 1


def test_closing_the_panel_with_htmx_answers_nothing_to_swap_in(welcoming, newcomer):
    response = _client(newcomer).post(
        f"/c/{welcoming.slug}/welcome/dismiss/", HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert response.content == b""


def test_non_members_cannot_close_a_welcome(welcoming, stranger):
    response = _client(stranger).post(f"/c/{welcoming.slug}/welcome/dismiss/")

    assert response.status_code == 403
    assert not WelcomeDismissal.objects.exists()


# --- API ----------------------------------------------------------------------------------


def test_api_welcome_settings_round_trip(public_community, owner):
    topic = testing.make_topic(public_community, owner, title="Hello thread")
    client = _client(owner)
    url = f"/api/v1/communities/{public_community.slug}/welcome"

    response = client.put(
        url,
        {"welcome_message": "Ciao!", "introductions_topic_id": topic.pk, "unanswered_hours": 6},
        content_type="application/json",
    )

    assert response.status_code == 200
    body = client.get(url).json()
    assert body["welcome_message"] == "Ciao!"
    assert body["welcome_message_html"] == "<p>Ciao!</p>\n"
    assert body["introductions_topic"] == {"id": topic.pk, "title": "Hello thread"}
    assert body["unanswered_hours"] == 6


def test_api_welcome_refuses_a_foreign_topic_with_422(public_community, private_community, owner):
    elsewhere = testing.make_topic(private_community, owner, title="Elsewhere")

    response = _client(owner).put(
        f"/api/v1/communities/{public_community.slug}/welcome",
        {"welcome_message": "", "introductions_topic_id": elsewhere.pk, "unanswered_hours": 24},
        content_type="application/json",
    )

    assert response.status_code == 422


def test_api_welcome_is_403_to_members(public_community, member):
    response = _client(member).get(f"/api/v1/communities/{public_community.slug}/welcome")

    assert response.status_code == 403


def test_api_sets_the_welcomers(public_community, owner):
    client = _client(owner)
    url = f"/api/v1/communities/{public_community.slug}/welcomers"

    response = client.put(url, {"handles": ["mia_member"]}, content_type="application/json")

    assert response.status_code == 200
    assert [item["handle"] for item in response.json()["items"]] == ["mia_member"]
    refused = client.put(url, {"handles": ["nobody_here"]}, content_type="application/json")
    assert refused.status_code == 422
