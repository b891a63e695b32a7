"""The announcements' periodic task (run by ``cerchia worker``)."""

from __future__ import annotations

from django.tasks import task


@task()
def send_due_announcements() -> int:
    """Send the scheduled announcements whose time has come (every minute); how many."""
    from cerchia.insights import actions_announcements

    return actions_announcements.send_due_announcements()
