"""The authorization matrix: every route × every kind of person × every kind of community.

Each URL pattern and each API operation is listed with the rule that decides who may
use it: the foundation's routes below, each later app's in its ``tests/authz.py``
(``PAGES`` and ``API``). A route that is not listed fails
``test_every_route_is_in_the_matrix``, so every new page or endpoint states its rule.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cerchia.communities.models import Visibility
from cerchia.core.tests.matrix import (
    PRINCIPALS,
    VISIBILITIES,
    Route,
    World,
    accept_invitation_rule,
    always,
    api,
    build_world,
    c,
    classify,
    gate,
    join_rule,
    leave_rule,
    not_suspended,
    only,
    page_join_rule,
    page_leave_rule,
    page_request_rule,
    profile_rule,
    request_rule,
    signed_in,
)

# Apps whose route tables join the matrix (``<app>.tests.authz``: PAGES, API).
ROUTE_TABLES = (
    "cerchia.discussions.tests.authz",
    "cerchia.discussions.tests.authz_feed",
    "cerchia.notifications.tests.authz",
    "cerchia.search.tests.authz",
    "cerchia.api.tests.authz_discussions",
    "cerchia.moderation.tests.authz_people",
    "cerchia.moderation.tests.authz_welcome",
    "cerchia.moderation.tests.authz_screen",
    "cerchia.moderation.tests.authz_queue",
    "cerchia.moderation.tests.authz_sanctions",
    "cerchia.insights.tests.authz_dashboard",
    "cerchia.insights.tests.authz_fields",
    "cerchia.insights.tests.authz_members",
    "cerchia.insights.tests.authz_announcements",
)


# --- Pages -------------------------------------------------------------------------

PAGES: dict[str, Route] = {
    "home": Route(always("ok"), path=lambda w: "/"),
    "communities:directory": Route(always("ok"), path=lambda w: "/c/"),
    "communities:create": Route(signed_in(not_suspended()), path=lambda w: "/c/new/"),
    "communities:detail": Route(gate("view", anonymous=None), path=c("")),
    "communities:members": Route(gate("read", anonymous=None), path=c("members/")),
    "communities:join": Route(
        gate("view", page_join_rule), "post", c("join/"), lambda w: {"accept_rules": "on"}
    ),
    "communities:leave": Route(gate("view", page_leave_rule), "post", c("leave/")),
    "communities:request": Route(
        gate("view", page_request_rule),
        "post",
        c("request/"),
        lambda w: {"answer_0": "Because", "accept_rules": "on"},
    ),
    "communities:withdraw_request": Route(gate("view"), "post", c("request/withdraw/")),
    "communities:leave_waitlist": Route(gate("view"), "post", c("waitlist/leave/")),
    "communities:settings": Route(gate("manage"), path=c("settings/")),
    "communities:settings_membership": Route(gate("manage"), path=c("settings/membership/")),
    "communities:requests": Route(gate("manage"), path=c("settings/requests/")),
    "communities:decide_request": Route(
        gate("manage"),
        "post",
        lambda w: f"/c/{w.community.slug}/settings/requests/{w.pending_request_id}/",
        lambda w: {"decision": "approve"},
    ),
    "communities:invitations": Route(gate("manage"), path=c("settings/invitations/")),
    "communities:revoke_invitation": Route(
        gate("manage"),
        "post",
        lambda w: f"/c/{w.community.slug}/settings/invitations/{w.invitation_id}/revoke/",
    ),
    "communities:roles": Route(gate("manage"), path=c("settings/roles/")),
    "communities:change_role": Route(
        gate("roles"),
        "post",
        lambda w: f"/c/{w.community.slug}/settings/roles/{w.people['member'].handle}/",
        lambda w: {"role": "moderator"},
    ),
    "communities:transfer": Route(
        gate("roles"),
        path=lambda w: (
            f"/c/{w.community.slug}/settings/roles/{w.people['member'].handle}/transfer/"
        ),
    ),
    "communities:invitation": Route(always("ok"), path=lambda w: f"/invite/{w.invitation_token}/"),
    "accounts:profile": Route(
        profile_rule,
        path=lambda w: f"/u/{w.people['member'].handle}/",
    ),
    "accounts:settings": Route(signed_in(), path=lambda w: "/settings/"),
    "accounts:settings_privacy": Route(signed_in(), path=lambda w: "/settings/privacy/"),
    "accounts:settings_preferences": Route(signed_in(), path=lambda w: "/settings/preferences/"),
    "accounts:settings_tokens": Route(signed_in(), path=lambda w: "/settings/tokens/"),
    "accounts:revoke_token": Route(
        signed_in(only("member")), "post", lambda w: f"/settings/tokens/{w.token_id}/revoke/"
    ),
    "accounts:settings_export": Route(signed_in(), path=lambda w: "/settings/export/"),
    "accounts:settings_delete": Route(signed_in(), path=lambda w: "/settings/delete/"),
    "set_language": Route(
        always("ok"), "post", lambda w: "/language/", lambda w: {"language": "it", "next": "/"}
    ),
    "media": Route(always("404"), path=lambda w: "/media/avatars/none.png"),
    "api-docs": Route(always("ok"), path=lambda w: "/api/v1/docs"),
    "api:openapi-json": Route(always("ok"), path=lambda w: "/api/v1/openapi.json"),
    # The API's root points to the schema and the docs.
    "api:api-root": Route(always("ok"), path=lambda w: "/api/v1/"),
}

# allauth's own pages: reachable by everyone, or sign-in first. Keyed links with a wrong
# key show allauth's "invalid link" page rather than an error.
AUTH_PAGES = {
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",
    "account_email_verification_sent",
    "account_reset_password",
    "account_confirm_login_code",
    "account_reset_password_from_key_done",
    "account_reset_password_done",
    "account_confirm_email",
    "account_reset_password_from_key",
    "mfa_authenticate",
}
AUTH_PAGES_SIGNED_IN = {
    "account_reauthenticate",
    "account_email",
    "account_change_password",
    "account_set_password",
    "mfa_index",
    "mfa_reauthenticate",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
}
# Pages about an authenticator the member has not set up answer 404.
MFA_SETUP_ONLY = {"mfa_deactivate_totp", "mfa_view_recovery_codes", "mfa_download_recovery_codes"}
# Routes with no name of their own: the API's catch-all answers a problem-details 404.
UNNAMED = {"api/v1/^(?P<path>.*)$"}


# --- API -------------------------------------------------------------------------------


API: dict[tuple[str, str], Route] = {
    ("get", "/api/v1/me"): Route(signed_in(anonymous="401"), path=lambda w: "/api/v1/me"),
    ("patch", "/api/v1/me"): Route(
        signed_in(not_suspended(), anonymous="401"),
        "patch",
        lambda w: "/api/v1/me",
        lambda w: {"bio": "Hello"},
    ),
    ("get", "/api/v1/me/memberships"): Route(
        signed_in(anonymous="401"), path=lambda w: "/api/v1/me/memberships"
    ),
    ("delete", "/api/v1/me/join-requests/{request_id}"): Route(
        signed_in(only("requester"), anonymous="401"),
        "delete",
        lambda w: f"/api/v1/me/join-requests/{w.requester_request_id}",
    ),
    ("get", "/api/v1/users/{handle}"): Route(
        profile_rule,
        path=lambda w: f"/api/v1/users/{w.people['member'].handle}",
    ),
    ("get", "/api/v1/communities"): Route(always("ok"), path=lambda w: "/api/v1/communities"),
    ("post", "/api/v1/communities"): Route(
        signed_in(not_suspended(), anonymous="401"),
        "post",
        lambda w: "/api/v1/communities",
        lambda w: {"name": "New circle", "slug": "new-circle", "tagline": "Fresh"},
    ),
    ("get", "/api/v1/communities/{slug}"): Route(gate("view", anonymous=None), path=api("")),
    ("patch", "/api/v1/communities/{slug}"): Route(
        gate("manage", anonymous="401"), "patch", api(""), lambda w: {"tagline": "Changed"}
    ),
    ("get", "/api/v1/communities/{slug}/members"): Route(
        gate("read", anonymous=None), path=api("/members")
    ),
    ("patch", "/api/v1/communities/{slug}/members/{handle}"): Route(
        gate("roles", anonymous="401"),
        "patch",
        lambda w: api(f"/members/{w.people['member'].handle}")(w),
        lambda w: {"role": "moderator"},
    ),
    ("post", "/api/v1/communities/{slug}/transfer-ownership"): Route(
        gate("roles", anonymous="401"),
        "post",
        api("/transfer-ownership"),
        lambda w: {"handle": w.people["member"].handle},
    ),
    ("post", "/api/v1/communities/{slug}/join"): Route(
        gate("view", join_rule, anonymous="401"),
        "post",
        api("/join"),
        lambda w: {"accept_rules": True},
    ),
    ("post", "/api/v1/communities/{slug}/leave"): Route(
        gate("view", leave_rule, anonymous="401"), "post", api("/leave")
    ),
    ("post", "/api/v1/communities/{slug}/join-requests"): Route(
        gate("view", request_rule, anonymous="401"),
        "post",
        api("/join-requests"),
        lambda w: {"answers": ["Because"], "accept_rules": True},
    ),
    ("get", "/api/v1/communities/{slug}/join-requests"): Route(
        gate("manage", anonymous="401"), path=api("/join-requests")
    ),
    ("post", "/api/v1/communities/{slug}/join-requests/{request_id}/approve"): Route(
        gate("manage", anonymous="401"),
        "post",
        lambda w: api(f"/join-requests/{w.pending_request_id}/approve")(w),
    ),
    ("post", "/api/v1/communities/{slug}/join-requests/{request_id}/decline"): Route(
        gate("manage", anonymous="401"),
        "post",
        lambda w: api(f"/join-requests/{w.pending_request_id}/decline")(w),
    ),
    ("get", "/api/v1/communities/{slug}/invitations"): Route(
        gate("manage", anonymous="401"), path=api("/invitations")
    ),
    ("post", "/api/v1/communities/{slug}/invitations"): Route(
        gate("manage", anonymous="401"), "post", api("/invitations"), lambda w: {"max_uses": 5}
    ),
    ("delete", "/api/v1/communities/{slug}/invitations/{invitation_id}"): Route(
        gate("manage", anonymous="401"),
        "delete",
        lambda w: api(f"/invitations/{w.invitation_id}")(w),
    ),
    ("post", "/api/v1/invitations/{token}/accept"): Route(
        signed_in(accept_invitation_rule, anonymous="401"),
        "post",
        lambda w: f"/api/v1/invitations/{w.invitation_token}/accept",
        lambda w: {"accept_rules": True},
    ),
}


def _merge_route_tables() -> None:
    for module_name in ROUTE_TABLES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        PAGES.update(getattr(module, "PAGES", {}))
        API.update(getattr(module, "API", {}))


_merge_route_tables()


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            found += _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            found.append((prefix + str(pattern.pattern), name))
    return found


def test_every_route_is_in_the_matrix() -> None:
    missing = []
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue  # Django's admin: see test_admin_is_for_site_admins
        if name.startswith("api:") and name not in PAGES:
            continue  # API operations: see test_every_api_operation_is_in_the_matrix
        if name in PAGES or name in AUTH_PAGES or name in AUTH_PAGES_SIGNED_IN or route in UNNAMED:
            continue
        missing.append(f"{name or '(unnamed)'} {route}")
    assert not missing, "routes without a rule in the authorization matrix:\n" + "\n".join(missing)


def _client_for(world: World, who: str) -> Client:
    client = Client()
    person = world.people[who]
    if person is not None:
        client.force_login(person)
    return client


def _run(world: World, route: Route, visibility: str, who: str) -> str:
    """One request, whose writes are rolled back so every cell starts from the same world."""
    client = _client_for(world, who)
    with transaction.atomic():
        send = getattr(client, route.method)
        response = send(route.path(world), route.data(world))
        transaction.set_rollback(True)
    return classify(response)


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_matrix(name: str, visibility: str) -> None:
    world = build_world(visibility)
    route = PAGES[name]
    wrong = {}
    for who in PRINCIPALS:
        expected = route.expect(visibility, who)
        actual = _run(world, route, visibility, who)
        if actual != expected:
            wrong[who] = f"expected {expected}, got {actual}"
    assert not wrong, f"{name} on a {visibility} community: {wrong}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(AUTH_PAGES | AUTH_PAGES_SIGNED_IN))
def test_account_pages(name: str) -> None:
    world = build_world(Visibility.PUBLIC)
    path = _auth_path(name)
    for who in ("anonymous", "member", "suspended"):
        outcome = _run(world, Route(always("ok"), path=lambda w: path), Visibility.PUBLIC, who)
        if name in AUTH_PAGES_SIGNED_IN and who == "anonymous":
            assert outcome == "login", (name, who, outcome)
        elif name in MFA_SETUP_ONLY and who != "anonymous":
            assert outcome == "404", (name, who, outcome)
        else:
            assert outcome in {"ok", "login"}, (name, who, outcome)


def _auth_path(name: str) -> str:
    from django.urls import reverse

    if name == "account_confirm_email":
        return reverse(name, kwargs={"key": "not-a-real-key"})
    if name == "account_reset_password_from_key":
        return reverse(name, kwargs={"uidb36": "zz", "key": "not-a-real-key"})
    return reverse(name)


@pytest.mark.django_db
def test_admin_is_for_site_admins() -> None:
    world = build_world(Visibility.PUBLIC)
    paths = ["/admin/"] + [
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for model in admin.site._registry
    ]
    for path in paths:
        for who in PRINCIPALS:
            outcome = _run(world, Route(always("ok"), path=lambda w: path), Visibility.PUBLIC, who)
            expected = "ok" if who == "site_admin" else "login"
            assert outcome == expected, (path, who, outcome)


@pytest.mark.django_db
def test_every_api_operation_is_in_the_matrix(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operations = {
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    missing = sorted(operations - set(API))
    assert not missing, f"API operations without a rule in the authorization matrix: {missing}"
    assert not set(API) - operations, "the matrix lists operations the API no longer has"


def _run_api(world: World, route: Route, who: str) -> str:
    client = _client_for(world, who)
    with transaction.atomic():
        send = getattr(client, route.method)
        if route.method == "get":
            response = send(route.path(world))
        else:
            response = send(route.path(world), route.data(world), content_type="application/json")
        transaction.set_rollback(True)
    return classify(response)


@pytest.mark.django_db
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("operation", sorted(API), ids=lambda op: f"{op[0]} {op[1]}")
def test_api_matrix(operation: tuple[str, str], visibility: str) -> None:
    world = build_world(visibility)
    route = API[operation]
    wrong = {}
    for who in PRINCIPALS:
        expected = route.expect(visibility, who)
        actual = _run_api(world, route, who)
        if actual != expected:
            wrong[who] = f"expected {expected}, got {actual}"
    assert not wrong, f"{operation} on a {visibility} community: {wrong}"
