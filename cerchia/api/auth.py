"""Who is calling: a personal access token, the browser's session, or nobody.

Tokens (``Authorization: Bearer cer_…``) are checked against their stored hash; a
malformed, unknown or revoked token is a 401 even where anonymous reads are allowed,
so an integration never silently runs as nobody. A read-scope token may only use
safe methods. Session requests that change something must carry Django's CSRF token
(``X-CSRFToken`` header). The permission layer decides everything else, with
``request.user`` set to the caller.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from cerchia.accounts.models import AccessToken, User
from cerchia.accounts.tokens import authenticate_token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    """A personal access token, created in the member's settings."""

    openapi_description = (
        "A personal access token: `Authorization: Bearer cer_…`. Read tokens may only "
        "use GET; read and write tokens may also change things."
    )

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header)
        if not header:
            return None
        scheme, _space, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise AuthenticationError(
                message=_("Send a personal access token as “Authorization: Bearer cer_…”.")
            )
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        access = authenticate_token(token)
        if access is None:
            raise AuthenticationError(message=_("This token is not valid or has been revoked."))
        user = access.user
        request.user = user
        request.access_token = access  # type: ignore[attr-defined]
        if user.language and user.language in dict(settings.LANGUAGES):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        if access.scope != AccessToken.Scope.WRITE and request.method not in SAFE_METHODS:
            raise AuthorizationError(
                message=_(
                    "This token can only read. Create a read and write token to make changes."
                )
            )
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session cookie; changes need the CSRF token in ``X-CSRFToken``."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = (
        "The session of a member signed in to the site (for the browser and this docs page). "
        "POST, PATCH and DELETE must send the `csrftoken` cookie's value as `X-CSRFToken`."
    )

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check Failed")
        return user


class Anonymous:
    """Lets a request through without credentials; the permission layer then decides."""

    is_async = False

    def __call__(self, request: HttpRequest) -> AnonymousUser:
        return AnonymousUser()


#: Operations that need a signed-in member.
SIGNED_IN = [TokenAuth(), SessionAuth()]
#: Operations anyone may call (public communities, public profiles).
ANYONE = [*SIGNED_IN, Anonymous()]
#: Marks an ``ANYONE`` operation's credentials as optional in the OpenAPI schema.
OPTIONAL_SECURITY: dict[str, Any] = {"security": [{}]}


def caller(request: HttpRequest) -> Any:
    """The member making the request, or ``AnonymousUser``: the actor for permission checks."""
    return request.user


def signed_in(request: HttpRequest) -> User:
    """The signed-in member; only for ``SIGNED_IN`` operations, where auth guarantees one."""
    user = request.user
    if not user.is_authenticated:  # pragma: no cover - auth refuses first
        raise AuthenticationError()
    return user
