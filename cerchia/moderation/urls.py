"""Moderation routes: community-scoped pages under ``/c/<slug>/``."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []

from cerchia.moderation.views import queue as _queue_views  # noqa: E402
from cerchia.moderation.views import reports as _report_views  # noqa: E402

urlpatterns += _queue_views.urlpatterns + _report_views.urlpatterns

from cerchia.moderation.views import people as _people_views  # noqa: E402

urlpatterns += _people_views.urlpatterns

from cerchia.moderation.views import about as _about_views  # noqa: E402
from cerchia.moderation.views import welcome as _welcome_views  # noqa: E402

urlpatterns += _about_views.urlpatterns + _welcome_views.urlpatterns

from cerchia.moderation.views import settings as _settings_views  # noqa: E402
from cerchia.moderation.views import trust as _trust_views  # noqa: E402

urlpatterns += _settings_views.urlpatterns + _trust_views.urlpatterns

from cerchia.moderation.views import log as _log_views  # noqa: E402
from cerchia.moderation.views import sanctions as _sanction_views  # noqa: E402

urlpatterns += _sanction_views.urlpatterns + _log_views.urlpatterns
