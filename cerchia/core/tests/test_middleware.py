"""The client address: forwarding headers count only when a trusted proxy sent them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from cerchia.core.middleware import ClientAddressMiddleware, client_address, trusted_proxy_networks

PROXIES = ["10.0.0.0/8", "192.0.2.1", "2001:db8::/32"]


@pytest.fixture(autouse=True)
def fresh_proxy_networks() -> Iterator[None]:
    # The parsed networks are cached per process; each test sets its own list.
    trusted_proxy_networks.cache_clear()
    yield
    trusted_proxy_networks.cache_clear()


@override_settings(CERCHIA_TRUSTED_PROXIES=[])
def test_without_trusted_proxies_forwarded_for_is_ignored() -> None:
    assert client_address("203.0.113.9", "198.51.100.7") == "203.0.113.9"


@override_settings(CERCHIA_TRUSTED_PROXIES=PROXIES)
def test_spoofed_header_from_an_untrusted_peer_is_ignored() -> None:
    assert client_address("203.0.113.9", "10.0.0.1, 198.51.100.7") == "203.0.113.9"


@override_settings(CERCHIA_TRUSTED_PROXIES=PROXIES)
def test_trusted_proxy_gives_the_client() -> None:
    assert client_address("10.1.2.3", "198.51.100.7") == "198.51.100.7"


@override_settings(CERCHIA_TRUSTED_PROXIES=PROXIES)
def test_address_the_client_prepended_is_not_believed() -> None:
    # The client sent "X-Forwarded-For: 6.6.6.6"; our proxy appended the real peer.
    assert client_address("192.0.2.1", "6.6.6.6, 198.51.100.7") == "198.51.100.7"


@override_settings(CERCHIA_TRUSTED_PROXIES=PROXIES)
def test_chain_of_trusted_proxies_is_walked_from_the_right() -> None:
    assert client_address("192.0.2.1", "198.51.100.7, 10.0.0.5, 10.9.9.9") == "198.51.100.7"


@override_settings(CERCHIA_TRUSTED_PROXIES=PROXIES)
def test_ipv6_client_behind_an_ipv6_proxy() -> None:
    assert client_address("2001:db8::1", "2a00:1450::7") == "2a00:1450::7"


@override_settings(CERCHIA_TRUSTED_PROXIES=PROXIES)
def test_garbage_hop_falls_back_to_the_peer() -> None:
    assert client_address("10.1.2.3", "not-an-address") == "10.1.2.3"


@override_settings(CERCHIA_TRUSTED_PROXIES=PROXIES)
def test_empty_header_from_a_trusted_proxy_gives_the_peer() -> None:
    assert client_address("10.1.2.3", "") == "10.1.2.3"


def _client_ip(request: HttpRequest) -> str:
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.client_ip)  # type: ignore[attr-defined]
        return HttpResponse()

    ClientAddressMiddleware(view)(request)
    return seen[0]


@override_settings(CERCHIA_TRUSTED_PROXIES=PROXIES)
def test_middleware_sets_client_ip_behind_a_trusted_proxy(rf: RequestFactory) -> None:
    request = rf.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert _client_ip(request) == "198.51.100.7"


@override_settings(CERCHIA_TRUSTED_PROXIES=PROXIES)
def test_middleware_ignores_forwarded_for_from_the_open_internet(rf: RequestFactory) -> None:
    request = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert _client_ip(request) == "203.0.113.9"


def test_middleware_is_installed_before_anything_that_rate_limits() -> None:
    from django.conf import settings

    middleware = settings.MIDDLEWARE
    assert "cerchia.core.middleware.ClientAddressMiddleware" in middleware
    assert middleware.index("cerchia.core.middleware.ClientAddressMiddleware") < middleware.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )
