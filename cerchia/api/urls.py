"""``/api/v1/``: the operations, ``openapi.json``, the docs page, and problem 404s for the rest."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path

from cerchia.api import views
from cerchia.api.api import api

_patterns, _app_name, _namespace = api.urls
for _pattern in _patterns:
    if isinstance(_pattern, URLPattern):
        _pattern.callback = views.guarded(_pattern.callback)

urlpatterns: list[URLPattern | URLResolver] = [
    path("docs", views.docs, name="api-docs"),
    path("", (_patterns, _app_name, _namespace)),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
