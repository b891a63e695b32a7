"""``cerchia worker``: db_worker under Cerchia's name, running tasks from the database queue."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus, task
from django.test import override_settings

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@task()
def double(number: int) -> int:
    return number * 2


@pytest.mark.django_db(transaction=True)
def test_worker_runs_what_is_queued_then_exits_in_batch_mode() -> None:
    with override_settings(TASKS=DATABASE_QUEUE):
        queued = double.enqueue(21)
        assert queued.status == TaskResultStatus.READY

        call_command("worker", batch=True, startup_delay=False, reload=False, verbosity=0)

        queued.refresh()
        assert queued.status == TaskResultStatus.SUCCESSFUL
        assert queued.return_value == 42


def test_worker_explains_itself() -> None:
    from cerchia.core.management.commands.worker import Command

    assert "db_worker" in Command.help
    assert "PostgreSQL" in Command.help
