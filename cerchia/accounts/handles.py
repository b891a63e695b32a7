"""Choosing a free handle for a new member."""

from __future__ import annotations

import re
import secrets

from django.utils.text import slugify

#: Handles nobody may take: they would read as the site speaking, or as an erased account.
RESERVED_HANDLES = frozenset(
    {
        "admin",
        "administrator",
        "admins",
        "api",
        "cerchia",
        "help",
        "host",
        "hosts",
        "me",
        "moderator",
        "moderators",
        "root",
        "settings",
        "staff",
        "support",
        "system",
    }
)
RESERVED_HANDLE_PREFIXES = ("deleted",)


def is_reserved_handle(handle: str) -> bool:
    lowered = handle.lower()
    return lowered in RESERVED_HANDLES or lowered.startswith(RESERVED_HANDLE_PREFIXES)


def normalise_handle(raw: str) -> str:
    base = slugify(raw).replace("-", "_")
    base = re.sub(r"[^a-z0-9_]", "", base)[:24]
    return base if len(base) >= 3 else (base + "_member")[:24]


def unique_handle_for(raw: str) -> str:
    """A handle derived from ``raw`` that no one holds yet (case-insensitively)."""
    from cerchia.accounts.models import User

    base = normalise_handle(raw)
    candidate = base
    while is_reserved_handle(candidate) or User.objects.filter(handle__iexact=candidate).exists():
        candidate = f"{base}_{secrets.randbelow(10_000)}"
    return candidate
