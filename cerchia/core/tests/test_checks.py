"""The system check that refuses an unsafe production configuration."""

from __future__ import annotations

import secrets

import pytest
from django.core.checks import Tags, run_checks
from django.test import override_settings

from cerchia.core.checks import check_production_safety

STRONG_KEY = secrets.token_urlsafe(50)
PRODUCTION = {
    "CERCHIA_DEV_MODE": False,
    "TESTING": False,
    "DEBUG": False,
    "SECRET_KEY": STRONG_KEY,
    "CERCHIA_SECRET_FROM_ENV": True,
}


def error_ids(**overrides: object) -> list[str]:
    with override_settings(**{**PRODUCTION, **overrides}):
        return [message.id for message in check_production_safety(None) if message.id]


def test_safe_production_passes() -> None:
    assert error_ids() == []


def test_debug_in_production_is_refused() -> None:
    assert error_ids(DEBUG=True) == ["cerchia.E001"]


def test_missing_secret_is_refused() -> None:
    # Without SECRET_KEY the settings fall back to a generated development key.
    assert error_ids(CERCHIA_SECRET_FROM_ENV=False) == ["cerchia.E002"]


@pytest.mark.parametrize(
    "key",
    [
        "too-short",
        "django-insecure-" + STRONG_KEY,
        "change-me-" + STRONG_KEY,
        "a" * 60,
        "abab" * 20,
    ],
    # Fixed ids: pytest-xdist workers must collect the same test names.
    ids=["short", "django-insecure", "change-me", "one-character", "few-characters"],
)
def test_unsafe_secret_is_refused(key: str) -> None:
    assert error_ids(SECRET_KEY=key) == ["cerchia.E002"]


def test_both_problems_are_reported_together() -> None:
    assert error_ids(DEBUG=True, SECRET_KEY="x") == ["cerchia.E001", "cerchia.E002"]


def test_development_mode_allows_debug_and_a_generated_secret() -> None:
    assert error_ids(CERCHIA_DEV_MODE=True, DEBUG=True, CERCHIA_SECRET_FROM_ENV=False) == []


def test_the_check_is_registered_and_runs_outside_deploy_checks() -> None:
    with override_settings(**{**PRODUCTION, "DEBUG": True}):
        ids = {message.id for message in run_checks(tags=[Tags.security])}

    assert "cerchia.E001" in ids
