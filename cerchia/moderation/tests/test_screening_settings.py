"""Hosts' moderation settings and content rules: pages, actions, API and validation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from cerchia.api.tests.conftest import ApiClient, make_token
from cerchia.core import testing
from cerchia.moderation.actions.settings import (
    add_rule,
    clean_domain,
    delete_rule,
    update_moderation_settings,
)
from cerchia.moderation.models import ContentRule, ModerationSettings

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(community, name: str = "moderation:settings", **kwargs) -> str:
    return reverse(name, kwargs={"slug": community.slug, **kwargs})


# --- Settings ----------------------------------------------------------------------------


def test_settings_page_saves_the_settings(public_community, owner):
    client = _client(owner)
    assert client.get(_url(public_community)).status_code == 200
    response = client.post(
        _url(public_community),
        {
            "premoderation": "newcomers",
            "newcomer_posts": "2",
            "require_disclosure": "on",
            "public_log": "on",
            "unanswered_hours": "12",
            "newcomer_days": "7",
        },
    )
    assert response.status_code == 302
    settings = ModerationSettings.objects.get(community=public_community)
    assert settings.premoderation == "newcomers"
    assert settings.newcomer_posts == 2
    assert settings.require_disclosure
    assert settings.public_log
    assert settings.unanswered_hours == 12
    assert settings.newcomer_days == 7
    assert "moderation.settings_changed" in testing.event_kinds()


@pytest.mark.parametrize(
    ("field", "value"),
    [("newcomer_posts", "0"), ("unanswered_hours", "-1"), ("premoderation", "sometimes")],
)
def test_settings_page_refuses_bad_values(public_community, owner, field, value):
    data = {
        "premoderation": "off",
        "newcomer_posts": "3",
        "unanswered_hours": "24",
        "newcomer_days": "14",
        field: value,
    }
    response = _client(owner).post(_url(public_community), data)
    assert response.status_code == 400
    assert not ModerationSettings.objects.filter(community=public_community).exists()


def test_members_may_not_change_settings(public_community, member):
    assert _client(member).get(_url(public_community)).status_code == 403
    with pytest.raises(PermissionDenied):
        update_moderation_settings(member, public_community, premoderation="all")


def test_update_settings_validates_types(public_community, owner):
    with pytest.raises(ValidationError):
        update_moderation_settings(owner, public_community, public_log="yes")
    with pytest.raises(ValidationError):
        update_moderation_settings(owner, public_community, newcomer_posts=True)
    with pytest.raises(ValidationError):
        update_moderation_settings(owner, public_community, colour="red")


# --- Rules -------------------------------------------------------------------------------


def test_hosts_add_and_remove_rules_on_the_page(public_community, moderator):
    client = _client(moderator)
    response = client.post(
        _url(public_community, "moderation:add_rule"),
        {"kind": "domain", "pattern": "https://www.Spam.example/offers", "action": "refuse"},
    )
    assert response.status_code == 302
    rule = ContentRule.objects.get()
    assert rule.pattern == "spam.example"
    assert rule.created_by == moderator
    assert "spam.example" in client.get(_url(public_community)).content.decode()

    response = client.post(_url(public_community, "moderation:delete_rule", rule_id=rule.pk))
    assert response.status_code == 302
    assert not ContentRule.objects.exists()
    assert testing.event_kinds()[-2:] == ["moderation.rule_added", "moderation.rule_deleted"]


@pytest.mark.parametrize(
    ("kind", "pattern", "error"),
    [
        ("keyword", "   ", "required"),
        ("keyword", "x" * 201, "200"),
        ("domain", "not a domain", "example.com"),
        ("domain", "localhost", "example.com"),
        ("domain", "-bad-.example", "example.com"),
    ],
)
def test_bad_rule_patterns_are_form_errors(public_community, owner, kind, pattern, error):
    response = _client(owner).post(
        _url(public_community, "moderation:add_rule"),
        {"kind": kind, "pattern": pattern, "action": "hold"},
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not ContentRule.objects.exists()


def test_duplicate_rule_is_a_form_error(public_community, owner):
    add_rule(owner, public_community, kind="keyword", pattern="Casino", action="refuse")
    response = _client(owner).post(
        _url(public_community, "moderation:add_rule"),
        {"kind": "keyword", "pattern": "casino ", "action": "hold"},
    )
    assert response.status_code == 400
    assert "already has a rule" in response.content.decode()
    assert ContentRule.objects.count() == 1


def test_another_communitys_rule_is_not_found(public_community, private_community, owner):
    rule = add_rule(owner, private_community, kind="keyword", pattern="spam", action="hold")
    response = _client(owner).post(
        _url(public_community, "moderation:delete_rule", rule_id=rule.pk)
    )
    assert response.status_code == 404
    assert ContentRule.objects.filter(pk=rule.pk).exists()


def test_members_may_not_add_or_delete_rules(public_community, owner, member):
    rule = add_rule(owner, public_community, kind="keyword", pattern="spam", action="hold")
    with pytest.raises(PermissionDenied):
        add_rule(member, public_community, kind="keyword", pattern="ham", action="hold")
    with pytest.raises(PermissionDenied):
        delete_rule(member, rule)
    response = _client(member).post(
        _url(public_community, "moderation:delete_rule", rule_id=rule.pk)
    )
    assert response.status_code == 403


def test_clean_domain_accepts_international_names():
    assert clean_domain("https://caffè.example/x?y#z") == "xn--caff-8oa.example"
    assert clean_domain("WWW.Example.COM.") == "example.com"


def test_bad_rule_kind_or_action(public_community, owner):
    with pytest.raises(ValidationError):
        add_rule(owner, public_community, kind="regex", pattern="a", action="hold")
    with pytest.raises(ValidationError):
        add_rule(owner, public_community, kind="keyword", pattern="a", action="delete")
    with pytest.raises(ValidationError):
        add_rule(
            owner, public_community, kind="keyword", pattern="a", action="hold", message="m" * 301
        )


def test_rules_match_whole_words_and_subdomains(public_community, owner, member):
    from cerchia.moderation.screening import screen_post

    add_rule(owner, public_community, kind="keyword", pattern="spam", action="hold")
    add_rule(owner, public_community, kind="domain", pattern="shop.example", action="hold")
    assert not screen_post(member, public_community, body="spammy words").hold
    assert screen_post(member, public_community, body="pure SPAM here").hold
    assert screen_post(member, public_community, body="[x](https://eu.shop.example/a)").hold
    assert not screen_post(member, public_community, body="[x](https://shop.example.org/)").hold


# --- API ---------------------------------------------------------------------------------


def test_api_settings_read_and_change(public_community, owner, member):
    api = ApiClient(make_token(owner))
    path = f"/communities/{public_community.slug}/moderation/settings"
    assert api.get(path).json()["premoderation"] == "off"
    response = api.request("PUT", path, {"premoderation": "all", "newcomer_days": 3})
    assert response.status_code == 200
    assert response.json()["premoderation"] == "all"
    assert response.json()["newcomer_days"] == 3
    assert response.json()["unanswered_hours"] == 24

    bad = api.request("PUT", path, {"newcomer_posts": 0})
    assert bad.status_code == 422
    assert api.request("PUT", path, {"premoderation": None}).status_code == 422
    assert ApiClient(make_token(member)).get(path).status_code == 403


def test_api_rules(public_community, private_community, owner, member):
    api = ApiClient(make_token(owner))
    path = f"/communities/{public_community.slug}/moderation/rules"
    created = api.post(
        path, {"kind": "domain", "pattern": "Spam.example", "action": "hold", "message": "Checked"}
    )
    assert created.status_code == 201
    rule = created.json()
    assert rule["pattern"] == "spam.example"
    assert api.get(path).json()["items"] == [rule]

    duplicate = api.post(path, {"kind": "domain", "pattern": "spam.example", "action": "refuse"})
    assert duplicate.status_code == 422
    assert "pattern" in duplicate.json()["errors"]
    bad = api.post(path, {"kind": "domain", "pattern": "nope", "action": "hold"})
    assert bad.status_code == 422
    assert api.post(path, {"kind": "regex", "pattern": "a", "action": "hold"}).status_code == 422

    other = f"/communities/{private_community.slug}/moderation/rules/{rule['id']}"
    assert api.delete(other).status_code == 404
    assert ApiClient(make_token(member)).delete(f"{path}/{rule['id']}").status_code == 403
    assert api.delete(f"{path}/{rule['id']}").status_code == 204
    assert api.delete(f"{path}/{rule['id']}").status_code == 404
