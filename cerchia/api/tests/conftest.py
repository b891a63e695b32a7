"""Calling the API in tests: as a token holder, through a session, or as nobody."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from cerchia.accounts.models import AccessToken, User
from cerchia.accounts.tokens import generate_token

API = "/api/v1"


def make_token(user: User, scope: str = AccessToken.Scope.WRITE, name: str = "") -> str:
    """A fresh personal access token for ``user``; returns the raw value."""
    raw, prefix, digest = generate_token()
    AccessToken.objects.create(
        user=user, name=name or f"test {prefix}", prefix=prefix, token_hash=digest, scope=scope
    )
    return raw


class ApiClient:
    """A Django test client speaking JSON to ``/api/v1``, with an optional bearer token."""

    def __init__(self, token: str | None = None, client: Client | None = None) -> None:
        self.client = client or Client()
        self.token = token

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return headers | (extra or {})

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | str | None = None,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
        **query: Any,
    ) -> Any:
        data: Any = raw if raw is not None else (json.dumps(body) if body is not None else None)
        call = getattr(self.client, method.lower())
        url = API + path
        if method.upper() == "GET":
            return call(url, query or None, headers=self._headers(headers))
        kwargs: dict[str, Any] = {"headers": self._headers(headers)}
        if data is not None:
            kwargs |= {"data": data, "content_type": content_type}
        return call(url, **kwargs)

    def get(self, path: str, **query: Any) -> Any:
        return self.request("GET", path, **query)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.request("PATCH", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def anon() -> ApiClient:
    return ApiClient()


@pytest.fixture
def as_user():
    """``as_user(user, scope="write")``: a client holding a fresh token of ``user``."""

    def build(user: User, scope: str = AccessToken.Scope.WRITE) -> ApiClient:
        return ApiClient(make_token(user, scope))

    return build
