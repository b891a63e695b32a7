"""Affiliation labels: only hosts mark them, with a record; the label stands next to the
member's name on posts, member cards, profiles, emails and in the API; the member has no
way to hide it."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cerchia.api.tests.conftest import ApiClient, make_token
from cerchia.communities.models import Affiliation, Membership
from cerchia.core import testing
from cerchia.moderation.actions.affiliations import set_affiliation
from cerchia.moderation.models import LogAction, ModerationLogEntry
from cerchia.notifications import actions as notification_actions

pytestmark = pytest.mark.django_db

LABEL = "Staff · Espresso Co"


@pytest.fixture
def staff(public_community, owner):
    person = testing.make_user("sara_staff", profile_visibility="public")
    membership = testing.add_member(public_community, person)
    set_affiliation(owner, membership, Affiliation.STAFF, "Espresso Co")
    return person


def _membership(community, user) -> Membership:
    membership = Membership.objects.select_related("community", "user").get(
        community=community, user=user
    )
    return membership


# --- Who may set it -----------------------------------------------------------------------


def test_a_host_sets_an_affiliation_with_a_record(public_community, moderator, member):
    membership = _membership(public_community, member)
    set_affiliation(moderator, membership, "brand", "  Velo   Alpino ")
    membership.refresh_from_db()
    assert (membership.affiliation, membership.affiliation_name) == ("brand", "Velo Alpino")
    entry = ModerationLogEntry.objects.get(action=LogAction.AFFILIATION_CHANGED)
    assert (entry.actor, entry.member, entry.detail) == (moderator, member, "brand")
    assert "moderation.affiliation_changed" in testing.event_kinds()


def test_clearing_an_affiliation_drops_the_name(public_community, owner, staff):
    membership = _membership(public_community, staff)
    set_affiliation(owner, membership, "", "Espresso Co")
    membership.refresh_from_db()
    assert (membership.affiliation, membership.affiliation_name) == ("", "")


@pytest.mark.parametrize("who", ["member", "stranger"])
def test_others_cannot_set_it_not_even_on_themselves(public_community, member, request, who):
    membership = _membership(public_community, member)
    with pytest.raises(PermissionDenied):
        set_affiliation(request.getfixturevalue(who), membership, "brand", "Me")
    membership.refresh_from_db()
    assert membership.affiliation == ""
    assert not ModerationLogEntry.objects.exists()


@pytest.mark.parametrize(
    ("kind", "name"), [("sponsor", ""), ("brand", "x" * 81), ("brand", "bad\x00name")]
)
def test_bad_input_is_a_field_error(public_community, owner, member, kind, name):
    with pytest.raises(ValidationError):
        set_affiliation(owner, _membership(public_community, member), kind, name)


def test_the_host_page_sets_it_and_others_are_refused(client, public_community, moderator, member):
    path = reverse("moderation:affiliation", args=[public_community.slug, member.handle])
    client.force_login(member)
    assert client.get(path).status_code == 403
    assert client.post(path, {"affiliation": "brand"}).status_code == 403
    client.force_login(moderator)
    assert client.get(path).status_code == 200
    assert client.post(path, {"affiliation": "nonsense"}).status_code == 400
    response = client.post(path, {"affiliation": "partner", "affiliation_name": "Bici"})
    assert response.status_code == 302
    assert _membership(public_community, member).affiliation == "partner"
    roles = client.get(reverse("communities:roles", args=[public_community.slug]))
    assert "Partner · Bici" in roles.content.decode()


# --- Where it shows ---------------------------------------------------------------------


def test_the_label_stands_next_to_the_name_on_posts(client, public_community, staff, member):
    topic = testing.make_topic(public_community, staff, title="Our new grinder")
    client.force_login(member)
    html = client.get(reverse("discussions:topic", args=[public_community.slug, topic.pk]))
    assert LABEL in html.content.decode()


def test_the_label_is_on_member_cards_and_profiles(client, public_community, staff, member):
    client.force_login(member)
    cards = client.get(reverse("communities:members", args=[public_community.slug]))
    assert LABEL in cards.content.decode()
    profile = client.get(reverse("accounts:profile", args=[staff.handle]))
    assert LABEL in profile.content.decode()


def test_the_label_is_in_notification_emails(
    public_community, staff, member, django_capture_on_commit_callbacks
):
    topic = testing.make_topic(public_community, member, title="Grinder advice")
    reply = testing.make_reply(topic, staff, body="Try the burrs")
    with django_capture_on_commit_callbacks(execute=True):
        notification_actions.notify_new_post(reply.pk)
    assert len(mail.outbox) == 1
    assert LABEL in mail.outbox[0].body


def test_the_member_has_no_setting_to_hide_it(client, staff):
    """Their own settings pages offer nothing about it, and the API has no such field."""
    client.force_login(staff)
    for name in ("accounts:settings", "accounts:settings_privacy"):
        assert "affiliation" not in client.get(reverse(name)).content.decode().lower()
    api = ApiClient(make_token(staff))
    assert api.patch("/me", {"affiliation": ""}).status_code == 422


def test_the_api_lists_affiliations_and_hosts_set_them(public_community, staff, moderator, member):
    listing = ApiClient().get(f"/communities/{public_community.slug}/affiliations").json()
    assert listing["items"] == [
        {
            "user": listing["items"][0]["user"],
            "affiliation": "staff",
            "affiliation_name": "Espresso Co",
        }
    ]
    assert listing["items"][0]["user"]["handle"] == staff.handle
    path = f"/communities/{public_community.slug}/members/{member.handle}/affiliation"
    body = json.dumps({"affiliation": "ambassador", "affiliation_name": ""})
    as_member = ApiClient(make_token(member)).request("PUT", path, raw=body)
    assert as_member.status_code == 403
    as_host = ApiClient(make_token(moderator)).request("PUT", path, raw=body)
    assert as_host.status_code == 200
    assert as_host.json()["affiliation"] == "ambassador"
    bad = ApiClient(make_token(moderator)).request(
        "PUT", path, raw=json.dumps({"affiliation": "sponsor"})
    )
    assert bad.status_code == 422
    missing = ApiClient(make_token(moderator)).request(
        "PUT", f"/communities/{public_community.slug}/members/nobody/affiliation", raw=body
    )
    assert missing.status_code == 404
