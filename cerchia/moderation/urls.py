"""Moderation routes: community-scoped pages under ``/c/<slug>/``, and the member's own."""

from __future__ import annotations

from cerchia.moderation.views import (
    about,
    log,
    people,
    queue,
    reports,
    sanctions,
    settings,
    trust,
    welcome,
)

urlpatterns = [
    *queue.urlpatterns,
    *reports.urlpatterns,
    *settings.urlpatterns,
    *trust.urlpatterns,
    *about.urlpatterns,
    *welcome.urlpatterns,
    *sanctions.urlpatterns,
    *log.urlpatterns,
    *people.urlpatterns,
]
