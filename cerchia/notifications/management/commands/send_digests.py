"""``cerchia send_digests``: queue the daily and weekly digests that are due."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cerchia.notifications.actions import schedule_digests


class Command(BaseCommand):
    help = (
        "Queue the email digests that are due (each member's daily or weekly period has "
        "passed), covering what happened since their last one; empty digests are skipped. "
        "The worker's scheduler runs this hourly; use this command from cron when no "
        "`cerchia worker` runs the scheduler. Safe to run twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        queued = schedule_digests()
        self.stdout.write(f"Queued {queued} digest(s).")
