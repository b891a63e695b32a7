"""Sign-up, sign-in, password reset and reauthentication limits: 429 with Retry-After, keyed
on the real client address (forwarding headers only from trusted proxies), refused when
the cache cannot count them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from cerchia.accounts.models import User
from cerchia.core.middleware import trusted_proxy_networks
from cerchia.core.testing import PASSWORD, clear_cache, make_user
from cerchia.core.tests.test_ratelimit import cache_down

pytestmark = pytest.mark.django_db
STRONG = "a-long and unusual passphrase 42"
PEER = "203.0.113.10"
PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def fresh_counts() -> Iterator[None]:
    clear_cache()
    trusted_proxy_networks.cache_clear()
    yield
    trusted_proxy_networks.cache_clear()
    clear_cache()


def login(client: Client, email: str = "someone@example.org", **extra: Any) -> Any:
    return client.post("/accounts/login/", {"login": email, "password": "wrong"}, **extra)


def sign_up(client: Client, email: str, **extra: Any) -> Any:
    data = {"email": email, "password1": STRONG, "password2": STRONG}
    return client.post("/accounts/signup/", data, **extra)


def reset(client: Client, email: str, **extra: Any) -> Any:
    return client.post("/accounts/password/reset/", {"email": email}, **extra)


def assert_refused(response: Any, status: int = 429) -> None:
    assert response.status_code == status
    assert int(response["Retry-After"]) >= 1


# --- Each limit -------------------------------------------------------------------------------


def test_sign_up_past_the_limit_is_429_and_creates_no_account(settings: Any) -> None:
    settings.CERCHIA_RATE_LIMITS = {"signup": "2/h"}
    client = Client(REMOTE_ADDR=PEER)
    for index in range(2):
        assert sign_up(client, f"new{index}@example.org").status_code == 302
    response = sign_up(client, "late@example.org")
    assert_refused(response)
    assert int(response["Retry-After"]) <= 3600
    assert "Please slow down a little" in response.content.decode()
    assert not User.objects.filter(email="late@example.org").exists()


def test_login_past_the_limit_is_429_even_with_the_right_password(settings: Any) -> None:
    make_user("target", email="target@example.org")
    settings.CERCHIA_RATE_LIMITS = {"login": "3/5m"}
    client = Client(REMOTE_ADDR=PEER)
    for index in range(3):
        assert login(client, f"u{index}@example.org").status_code == 200
    response = client.post(
        "/accounts/login/", {"login": "target@example.org", "password": PASSWORD}
    )
    assert_refused(response)
    assert int(response["Retry-After"]) <= 300
    assert "_auth_user_id" not in client.session


def test_showing_the_login_page_is_not_counted(settings: Any) -> None:
    settings.CERCHIA_RATE_LIMITS = {"login": "1/5m"}
    client = Client(REMOTE_ADDR=PEER)
    for _ in range(5):
        assert client.get("/accounts/login/").status_code == 200
    assert login(client).status_code == 200


def test_password_reset_past_the_limit_is_429_and_sends_nothing(settings: Any) -> None:
    make_user("forgetful", email="forgetful@example.org")
    settings.CERCHIA_RATE_LIMITS = {"password_reset": "1/15m"}
    client = Client(REMOTE_ADDR=PEER)
    assert reset(client, "forgetful@example.org").status_code == 302
    sent = len(mail.outbox)
    assert_refused(reset(client, "forgetful@example.org"))
    assert len(mail.outbox) == sent


def test_reauthentication_is_limited_per_account(settings: Any) -> None:
    settings.CERCHIA_RATE_LIMITS = {"mfa": "2/5m"}
    person, other = make_user("careful"), make_user("other")
    client = Client(REMOTE_ADDR=PEER)
    client.force_login(person)
    for _ in range(2):
        assert client.post("/accounts/reauthenticate/", {"password": "wrong"}).status_code == 200
    assert_refused(client.post("/accounts/reauthenticate/", {"password": PASSWORD}))
    other_client = Client(REMOTE_ADDR=PEER)
    other_client.force_login(other)
    response = other_client.post("/accounts/reauthenticate/", {"password": "wrong"})
    assert response.status_code == 200


def test_an_htmx_sign_in_gets_the_message_alone(settings: Any) -> None:
    settings.CERCHIA_RATE_LIMITS = {"login": "1/5m"}
    client = Client(REMOTE_ADDR=PEER)
    login(client)
    response = login(client, HTTP_HX_REQUEST="true")
    assert_refused(response)
    assert "<html" not in response.content.decode()
    assert "too many tries" in response.content.decode()


def test_allauths_own_limits_also_say_when_to_retry(settings: Any) -> None:
    # allauth keeps its per-address and per-email limits; its 429 is ours, with Retry-After.
    settings.ACCOUNT_RATE_LIMITS = {"login": "1/m/ip"}
    client = Client(REMOTE_ADDR=PEER)
    login(client)
    response = login(client)
    assert_refused(response)
    assert response["Retry-After"] == "60"
    assert "Please slow down a little" in response.content.decode()


# --- Forwarding headers -----------------------------------------------------------------------


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_does_not_change_the_key(
    settings: Any,
) -> None:
    settings.CERCHIA_TRUSTED_PROXIES = [PROXY]
    settings.CERCHIA_RATE_LIMITS = {"login": "2/5m"}
    client = Client(REMOTE_ADDR=PEER)
    statuses = [
        login(client, HTTP_X_FORWARDED_FOR=f"198.51.100.{index}").status_code for index in range(4)
    ]
    assert statuses == [200, 200, 429, 429]


def test_a_trusted_proxy_gives_each_real_client_its_own_count(settings: Any) -> None:
    settings.CERCHIA_TRUSTED_PROXIES = [PROXY]
    settings.CERCHIA_RATE_LIMITS = {"login": "2/5m"}
    client = Client(REMOTE_ADDR=PROXY)
    for _ in range(2):
        assert login(client, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert_refused(login(client, HTTP_X_FORWARDED_FOR="198.51.100.1"))
    assert login(client, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200
    # A client cannot escape by prepending an address of its choice: the proxy appended its own.
    spoofed = login(client, HTTP_X_FORWARDED_FOR="192.0.2.77, 198.51.100.1")
    assert_refused(spoofed)


# --- The cache is down ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "attempt"),
    [
        ("login", lambda client: login(client)),
        ("signup", lambda client: sign_up(client, "closed@example.org")),
        ("password_reset", lambda client: reset(client, "forgetful@example.org")),
    ],
)
def test_authentication_limits_fail_closed_when_the_cache_is_down(
    settings: Any, caplog: pytest.LogCaptureFixture, limit: str, attempt: Any
) -> None:
    make_user("forgetful", email="forgetful@example.org")
    settings.CERCHIA_RATE_LIMITS = {limit: "100/h"}
    with cache_down(), caplog.at_level(logging.WARNING, logger="cerchia.ratelimit"):
        response = attempt(Client(REMOTE_ADDR=PEER))
    assert_refused(response, status=503)
    assert "paused for a moment" in response.content.decode()
    assert "cannot be counted; refusing" in caplog.text
    assert not User.objects.filter(email="closed@example.org").exists()
    assert not mail.outbox
