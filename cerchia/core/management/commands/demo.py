"""``cerchia demo``: load a believable world of communities and people to explore Cerchia."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from cerchia.core.demo.loader import (
    ADMIN_EMAIL,
    DEMO_PASSWORD,
    SUGGESTED_LOGINS,
    LoadReport,
    load_demo,
)


class Command(BaseCommand):
    help = (
        "Load the demo world: seven communities in Italian and English, forty members, hosts, "
        "join requests, invitations and a waitlist, with a history spread over the past months. "
        "Safe to run again: it only adds what is missing and never changes what is there. "
        f"Every demo account, and {ADMIN_EMAIL} (a site admin), signs in with the password "
        f"{DEMO_PASSWORD!r}."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--no-images",
            action="store_true",
            help="Skip drawing avatars and community covers.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "Load the demo on a production site too. It adds a site admin and forty "
                "accounts whose password is printed here: only for a public demo instance."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or settings.CERCHIA_DEV_MODE or settings.TESTING):
            if not options["force"]:
                raise CommandError(
                    "This is a production configuration (neither DEBUG nor CERCHIA_DEV is set). "
                    f"The demo adds a site admin ({ADMIN_EMAIL}) and forty accounts with a "
                    "published password; run it with --force only on a throwaway demo site."
                )
            self.stderr.write(
                self.style.WARNING(
                    f"Loading demo accounts with the published password {DEMO_PASSWORD!r} "
                    "on a production configuration."
                )
            )
        report = load_demo(with_images=not options["no_images"])
        self._summary(report)

    def _summary(self, report: LoadReport) -> None:
        write = self.stdout.write
        if report.changed:
            write(self.style.SUCCESS(f"Demo world loaded in {report.seconds:.1f} s."))
        else:
            write(self.style.SUCCESS("Demo world already loaded: nothing to add."))
        write(
            f"  {report.people} members ({report.people_created} new), "
            f"{report.communities} communities ({report.communities_created} new), "
            f"{report.memberships} memberships"
        )
        write(
            f"  {report.pending_requests} pending join requests, "
            f"{report.open_invitations} open invitations, {report.waitlisted} on a waitlist, "
            f"{report.events_recorded} events recorded"
        )
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"  skipped: {warning}"))
        login_url = settings.SITE_URL + reverse("account_login")
        write("")
        write(f"Sign in at {login_url} with the password {DEMO_PASSWORD!r} as:")
        for login in SUGGESTED_LOGINS:
            write(f"  {login.role:<11} {login.email:<29} {login.why}")
        write(f"  {'site admin':<11} {ADMIN_EMAIL:<29} staff and superuser (/admin/)")
