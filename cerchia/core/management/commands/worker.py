"""``cerchia worker``: runs background tasks from the database queue."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = (
        "Run background tasks (Django's django.tasks) from the database queue: this is "
        "django-tasks-db's db_worker under Cerchia's name, with the same options. Run one "
        "per machine, or several against one PostgreSQL database: each claims a task with "
        "a row lock, so no task runs twice. SIGINT/SIGTERM finish the current task, then "
        "exit; a second signal stops at once. --batch exits when the queue is empty."
    )
