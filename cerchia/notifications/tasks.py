"""Notification fan-out and email delivery, run by the task worker after commit.

Interface used by the discussions actions (each takes an id and is safe to run twice):
``notify_new_post(post_id)``, ``notify_reaction(reaction_id)``, ``notify_accepted_answer(post_id)``.
The worker's scheduler (``cerchia worker``) also enqueues ``send_digests`` hourly and
``retry_failed_deliveries`` every five minutes and ``prune_task_results`` daily
(see ``periodic.py``).
"""

from __future__ import annotations

from django.tasks import task

from cerchia.notifications import actions, emails


@task()
def notify_new_post(post_id: int) -> None:
    """Mentions, replies, quotes and watchers of a new post (topic or reply)."""
    actions.notify_new_post(post_id)


@task()
def notify_reaction(reaction_id: int) -> None:
    """The post's author, grouped per post and reaction kind."""
    actions.notify_reaction(reaction_id)


@task()
def notify_accepted_answer(post_id: int) -> None:
    """The accepted reply's author."""
    actions.notify_accepted_answer(post_id)


@task()
def send_deliveries(delivery_ids: list[int]) -> None:
    """Send these recorded emails (each at most once; failures are retried later)."""
    for delivery_id in delivery_ids:
        emails.send_delivery(delivery_id)


@task()
def retry_failed_deliveries() -> int:
    """Periodic: send every delivery whose retry time or quiet hours have passed."""
    return emails.retry_failed_deliveries()


@task()
def prune_task_results() -> None:
    """Periodic (daily): forget finished tasks' results in the database queue after a week
    (failed ones after a month), so periodic tasks do not pile up rows."""
    from django.core.management import call_command
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(task_backends["default"], DatabaseBackend):
        call_command("prune_db_task_results", min_age_days=7, failed_min_age_days=30, verbosity=0)


@task()
def send_digests() -> int:
    """Periodic (hourly): queue the daily and weekly digests that are due."""
    return actions.schedule_digests()
