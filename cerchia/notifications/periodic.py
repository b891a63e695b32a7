"""The worker's scheduler: enqueue periodic tasks when they are due.

``cerchia worker`` runs ``run_scheduler`` in a thread beside the task loop (not in
``--batch`` mode). Each task's last enqueue time is a database row advanced with a
conditional update, so any number of workers enqueue each period exactly once.
"""

from __future__ import annotations

import importlib
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, close_old_connections
from django.utils import timezone

from cerchia.notifications.models import PeriodicRun

logger = logging.getLogger(__name__)

#: How often the scheduler looks at the clock.
TICK_SECONDS = 30.0


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    every: timedelta
    #: The module defining the task (any app's ``tasks`` module).
    module: str = "cerchia.notifications.tasks"

    def task(self) -> Any:
        return getattr(importlib.import_module(self.module), self.name)


PERIODIC_TASKS = (
    # A safety net: a failed email is re-enqueued for its retry time anyway.
    PeriodicTask("retry_failed_deliveries", timedelta(minutes=5)),
    PeriodicTask("send_digests", timedelta(hours=1)),
    PeriodicTask("prune_task_results", timedelta(days=1)),
    PeriodicTask(
        "raise_unanswered_newcomer_topics",
        timedelta(minutes=15),
        module="cerchia.moderation.tasks",
    ),
    PeriodicTask("recompute_trust_levels", timedelta(hours=1), module="cerchia.moderation.tasks"),
    PeriodicTask("expire_sanctions", timedelta(minutes=15), module="cerchia.moderation.tasks"),
    PeriodicTask(
        "send_due_announcements",
        timedelta(minutes=1),
        module="cerchia.insights.tasks_announcements",
    ),
    PeriodicTask("roll_up_insights", timedelta(minutes=5), module="cerchia.insights.tasks"),
)


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueue each periodic task whose period has passed; the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for periodic in PERIODIC_TASKS:
        try:
            run, created = PeriodicRun.objects.get_or_create(
                name=periodic.name, defaults={"last_enqueued_at": now}
            )
        except IntegrityError:
            continue  # another worker created it this instant and enqueues it
        if not created:
            claimed = PeriodicRun.objects.filter(
                pk=run.pk, last_enqueued_at__lte=now - periodic.every
            ).update(last_enqueued_at=now)
            if not claimed:
                continue
        periodic.task().enqueue()
        enqueued.append(periodic.name)
    return enqueued


def run_scheduler(stop: threading.Event, tick: float = TICK_SECONDS) -> None:
    """Until ``stop`` is set: enqueue what is due, then wait a tick."""
    while not stop.is_set():
        try:
            close_old_connections()
            enqueue_due()
        except Exception:
            logger.exception("The periodic task scheduler failed; trying again shortly.")
        finally:
            close_old_connections()
        stop.wait(tick)


def start_scheduler() -> threading.Event:
    """Start the scheduler in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=run_scheduler, args=(stop,), name="scheduler", daemon=True).start()
    return stop
