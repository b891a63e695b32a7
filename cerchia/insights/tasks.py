"""Insights' background and periodic tasks (run by ``cerchia worker``)."""

from __future__ import annotations

from django.tasks import task


@task()
def roll_up_insights() -> int:
    """Fold new events into the daily rollups the dashboard reads (every 5 minutes)."""
    from cerchia.insights import rollups

    return rollups.run_rollups().events
