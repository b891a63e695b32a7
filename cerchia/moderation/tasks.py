"""Moderation's background and periodic tasks (run by ``cerchia worker``)."""

from __future__ import annotations

from django.tasks import task


@task()
def raise_unanswered_newcomer_topics() -> int:
    """Raise newcomers' topics still without a reply from someone else (every 15 minutes)."""
    from cerchia.moderation.actions import welcome

    return len(welcome.raise_unanswered_newcomer_topics())


@task()
def recompute_trust_levels() -> int:
    """Raise every member to the trust level their activity has earned (every hour)."""
    from cerchia.moderation.actions import trust

    return trust.recompute_trust_levels()


@task()
def expire_sanctions() -> int:
    """Record each mute or ban that ran its course, once (every 15 minutes)."""
    from cerchia.moderation.actions import sanctions

    return sanctions.expire_sanctions()
