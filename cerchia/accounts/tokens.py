"""Personal access tokens: ``cer_<prefix>_<secret>``, shown once, stored as a SHA-256 hash.

The prefix is stored in clear to find the row; the whole token is hashed. SHA-256
(not a slow password hash) is right here: the secret has 256 bits of entropy, so
there is nothing to brute-force, and every API request must check it quickly.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.utils import timezone

from cerchia.accounts.models import AccessToken

TOKEN_NAMESPACE = "cer"
#: How stale ``last_used_at`` may get before a request writes it again.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_TOKEN_RE = re.compile(r"^cer_([0-9a-f]{8})_([A-Za-z0-9_-]{43})\Z")


def hash_token(raw: str) -> str:
    """The hex SHA-256 of the whole token, as stored in ``AccessToken.token_hash``."""
    return hashlib.sha256(raw.encode()).hexdigest()


def generate_token() -> tuple[str, str, str]:
    """A fresh ``(raw token, prefix, hash)``; the raw token is never stored."""
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_NAMESPACE}_{prefix}_{secrets.token_urlsafe(32)}"
    return raw, prefix, hash_token(raw)


def authenticate_token(raw: str) -> AccessToken | None:
    """The active token matching ``raw`` (with its ``user`` loaded), else ``None``.

    Revoked tokens, tokens of inactive or erased accounts and malformed strings never
    match; hashes are compared in constant time. ``last_used_at`` is refreshed at most
    once a minute, so a busy integration does not write on every request.
    Suspended members' tokens do authenticate: writes are refused by ``check_not_suspended``.
    """
    match = _TOKEN_RE.match(raw.strip()) if isinstance(raw, str) else None
    if match is None:
        return None
    digest = hash_token(raw.strip())
    candidates = AccessToken.objects.select_related("user").filter(
        prefix=match.group(1),
        revoked_at__isnull=True,
        user__is_active=True,
        user__deleted_at__isnull=True,
    )
    found: AccessToken | None = None
    for candidate in candidates:
        if hmac.compare_digest(candidate.token_hash, digest):
            found = candidate
    if found is None:
        return None
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
        # Bookkeeping, not a member's action: no event, and no lost update matters.
        AccessToken.objects.filter(pk=found.pk).update(last_used_at=now)
        found.last_used_at = now
    return found
