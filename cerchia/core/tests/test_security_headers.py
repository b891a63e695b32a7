"""Security headers on HTML responses: a nonce-based CSP and the usual hardening."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.template import RequestContext, Template
from django.test import Client
from django.urls import path

# Middleware along the way (sessions, the member's language) may query.
pytestmark = pytest.mark.django_db


def nonce_page(request: HttpRequest) -> HttpResponse:
    template = Template('<script nonce="{{ csp_nonce }}">document.title = "ok";</script>')
    return HttpResponse(template.render(RequestContext(request)))


urlpatterns = [path("nonce/", nonce_page)]


def csp_directives(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.fixture
def login_page(client: Client) -> Any:
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return response


def test_csp_allows_scripts_only_from_self_and_by_nonce(login_page: Any) -> None:
    directives = csp_directives(login_page["Content-Security-Policy"])
    script_src = directives["script-src"]

    assert "'self'" in script_src
    assert any(re.fullmatch(r"'nonce-[A-Za-z0-9_\-+/=]{16,}'", source) for source in script_src)
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "'unsafe-inline'" not in directives["default-src"]


def test_csp_forbids_framing_plugins_and_base_rewrites(login_page: Any) -> None:
    directives = csp_directives(login_page["Content-Security-Policy"])

    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]


def test_hardening_headers(login_page: Any) -> None:
    assert login_page["X-Content-Type-Options"] == "nosniff"
    assert login_page["Referrer-Policy"] == "same-origin"
    assert login_page["X-Frame-Options"] == "DENY"
    assert login_page["Cross-Origin-Opener-Policy"] == "same-origin"


def test_nonce_is_fresh_for_every_response(client: Client) -> None:
    first = csp_directives(client.get("/admin/login/")["Content-Security-Policy"])
    second = csp_directives(client.get("/admin/login/")["Content-Security-Policy"])

    assert set(first["script-src"]) - {"'self'"} != set(second["script-src"]) - {"'self'"}


@pytest.mark.urls(__name__)
def test_templates_receive_the_nonce_of_the_header(client: Client) -> None:
    response = client.get("/nonce/")

    rendered = re.search(r'nonce="([^"]+)"', response.content.decode())
    assert rendered, response.content
    assert (
        f"'nonce-{rendered[1]}'"
        in csp_directives(response["Content-Security-Policy"])["script-src"]
    )
