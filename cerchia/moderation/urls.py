"""Moderation routes: community-scoped pages under ``/c/<slug>/``."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
