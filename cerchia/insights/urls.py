"""Insights routes: community-scoped pages under ``/c/<slug>/insights/`` for hosts, and the
members' own answers."""

from __future__ import annotations

from cerchia.insights.views import announcements, dashboard, fields, members

urlpatterns = [
    *dashboard.urlpatterns,
    *fields.urlpatterns,
    *members.urlpatterns,
    *announcements.urlpatterns,
]
