"""Publishing live events to websocket groups after the change commits.

Events carry ids and counts only, never content: a client that receives one fetches
what changed through the ordinary, permission-checked pages.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction


def topic_group(topic_id: int) -> str:
    return f"topic.{topic_id}"


def community_group(community_id: int) -> str:
    return f"community.{community_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def publish_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send ``event`` to ``group`` once the current transaction commits (nothing on rollback)."""
    transaction.on_commit(lambda: publish(group, event))


def publish(group: str, event: dict[str, Any]) -> None:
    """Send ``event`` to ``group`` now."""
