"""``cerchia rollup``: fold new events into the insights rollups, or rebuild them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cerchia.communities.models import Community
from cerchia.insights import rollups


class Command(BaseCommand):
    help = (
        "Fold the events recorded since the last run into the daily rollups the insights "
        "dashboard reads. The worker's scheduler runs this every 5 minutes; safe to run twice. "
        "--rebuild recomputes a community's rollups from its whole event log (after its "
        "timezone changed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Recompute everything from the event log (all communities, or --community).",
        )
        parser.add_argument("--community", metavar="SLUG", help="Only this community (--rebuild).")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options.get("community")
        if slug and not options["rebuild"]:
            raise CommandError("--community goes with --rebuild.")
        if options["rebuild"]:
            communities = Community.objects.order_by("pk")
            if slug:
                communities = communities.filter(slug=slug)
                if not communities.exists():
                    raise CommandError(f"No community with the address {slug!r}.")
            # Events after the cursor are read by the run below; rebuild what it has read.
            report = rollups.run_rollups()
            for community in communities:
                days = rollups.rebuild_community(community)
                self.stdout.write(f"Rebuilt {community.slug}: {days} day(s).")
        else:
            report = rollups.run_rollups()
        self.stdout.write(
            f"Rolled up {report.events} event(s) into {report.days} day(s) in "
            f"{report.seconds:.2f} s; read up to event {report.last_event_id}."
        )
