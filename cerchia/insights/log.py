"""Recording events: the one function every action calls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from cerchia.insights.models import Event

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cerchia.accounts.models import User
    from cerchia.communities.models import Community


def record_event(
    kind: str,
    *,
    actor: User | AnonymousUser | None,
    community: Community | None = None,
    subject: models.Model | None = None,
    **payload: Any,
) -> Event:
    """Append an event; must run inside the transaction of the change it describes."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError(f"record_event({kind!r}) must run inside the action's transaction")
    return Event.objects.create(
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        community=community,
        subject_type=subject._meta.model_name or "" if subject is not None else "",
        subject_id=subject.pk if subject is not None else None,
        payload=payload,
    )
