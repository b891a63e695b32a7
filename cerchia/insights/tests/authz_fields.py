"""The authorization matrix's rows for insights: fields."""

from __future__ import annotations

from cerchia.core.tests.matrix import Route

PAGES: dict[str, Route] = {}

API: dict[tuple[str, str], Route] = {}
