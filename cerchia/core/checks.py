"""System checks that refuse an unsafe production configuration."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

UNSAFE_SECRET_PREFIXES = ("django-insecure", "change-me", "changeme", "secret")


@register(Tags.security, deploy=False)
def check_production_safety(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Production (not ``CERCHIA_DEV``) must run with DEBUG off and a strong SECRET_KEY."""
    if settings.CERCHIA_DEV_MODE or settings.TESTING:
        return []
    errors: list[CheckMessage] = []
    if settings.DEBUG:
        errors.append(
            Error(
                "DEBUG is on in production mode.",
                hint="Unset DEBUG, or set CERCHIA_DEV=1 for a development machine.",
                id="cerchia.E001",
            )
        )
    key = settings.SECRET_KEY
    if (
        not settings.CERCHIA_SECRET_FROM_ENV
        or len(key) < 50
        or len(set(key)) < 5
        or key.lower().startswith(UNSAFE_SECRET_PREFIXES)
    ):
        errors.append(
            Error(
                "SECRET_KEY is missing or unsafe in production mode.",
                hint="Set SECRET_KEY to 50+ random characters, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
                id="cerchia.E002",
            )
        )
    return errors
