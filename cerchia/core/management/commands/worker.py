"""``cerchia worker``: runs background tasks from the database queue."""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = (
        "Run background tasks (Django's django.tasks) from the database queue: this is "
        "django-tasks-db's db_worker under Cerchia's name, with the same options. Run one "
        "per machine, or several against one PostgreSQL database: each claims a task with "
        "a row lock, so no task runs twice. SIGINT/SIGTERM finish the current task, then "
        "exit; a second signal stops at once. --batch exits when the queue is empty. "
        "Unless --batch or --no-scheduler, it also enqueues the periodic tasks (digests, "
        "email retries) when due, once per period however many workers run."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-scheduler", action="store_true", help="Do not enqueue periodic tasks."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # With autoreload, only the reloaded child runs tasks (and so the scheduler).
        reloader_parent = options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if not (options.pop("no_scheduler") or options["batch"] or reloader_parent):
            from cerchia.notifications.periodic import start_scheduler

            start_scheduler()
        super().handle(*args, **options)
