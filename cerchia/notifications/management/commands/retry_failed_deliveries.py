"""``cerchia retry_failed_deliveries``: send the emails whose retry time has come."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cerchia.notifications.emails import retry_failed_deliveries


class Command(BaseCommand):
    help = (
        "Send every recorded email that is due: failed ones after their backoff, and ones "
        "held over a member's quiet hours. The worker's scheduler runs this every five minutes."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = retry_failed_deliveries()
        self.stdout.write(f"Tried {sent} delivery(ies).")
