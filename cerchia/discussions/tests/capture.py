"""Record what discussions actions send after commit: live events and notification tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from cerchia.live import publish as live_publish
from cerchia.notifications import tasks as notification_tasks

NOTIFICATION_TASKS = ("notify_new_post", "notify_reaction", "notify_accepted_answer")


@dataclass
class Sent:
    """Live events as (group, event) and enqueued notification tasks as (name, args)."""

    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    tasks: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)

    def clear(self) -> None:
        self.events.clear()
        self.tasks.clear()


@dataclass
class _RecordingTask:
    name: str
    sent: Sent

    def enqueue(self, *args: Any, **kwargs: Any) -> None:
        self.sent.tasks.append((self.name, args))


def record_sent(monkeypatch: pytest.MonkeyPatch, *, tasks: bool = True) -> Sent:
    """Capture live events (and, unless ``tasks`` is False, notification task enqueues)."""
    sent = Sent()

    def publish(group: str, event: dict[str, Any]) -> None:
        sent.events.append((group, event))

    monkeypatch.setattr(live_publish, "publish", publish)
    if tasks:
        for name in NOTIFICATION_TASKS:
            monkeypatch.setattr(notification_tasks, name, _RecordingTask(name, sent))
    return sent
