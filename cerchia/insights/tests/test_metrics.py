"""The dashboard's metrics on hand-built rollup rows, checked against values worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from cerchia.insights.metrics import Period, build_dashboard

pytestmark = pytest.mark.django_db


def test_empty_period_defines_every_figure(public_community):
    dashboard = build_dashboard(public_community, Period(date(2026, 3, 1), date(2026, 3, 30)))
    assert dashboard.figures["dau"].value is None
    assert len(dashboard.series["dau"].points) == 30
    assert len(dashboard.cohorts) == 12
