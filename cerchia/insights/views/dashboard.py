"""Insights pages: the hosts' dashboard and the CSV export of each of its tables."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.urls import URLPattern, path
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cerchia.communities.resolvers import MemberRequest, community_view
from cerchia.core.htmx import render_page
from cerchia.insights import exports, metrics
from cerchia.insights.forms_dashboard import PeriodForm
from cerchia.insights.metrics import Dashboard
from cerchia.insights.permissions import check_view_insights


def _chart_data(dashboard: Dashboard) -> dict[str, Any]:
    """What insights.js draws: labels and, per chart, its series (withheld points are null)."""
    charts = []
    for key, title, series_keys in exports.CHARTS:
        datasets = [
            {
                "key": series_key,
                "label": str(exports.SERIES_LABELS[series_key]),
                "data": [point.value for point in dashboard.series[series_key].points],
            }
            for series_key in series_keys
            if series_key in dashboard.series
        ]
        charts.append({"key": key, "title": str(title), "datasets": datasets})
    return {
        "labels": [day.isoformat() for day in dashboard.period.each_day()],
        "charts": charts,
        "withheld": exports.withheld_text(),
    }


def _charts(dashboard: Dashboard) -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "title": title,
            "table": exports.series_table(dashboard, series_keys),
        }
        for key, title, series_keys in exports.CHARTS
    ]


def _dashboard_context(request: MemberRequest, form: PeriodForm) -> dict[str, Any]:
    community = request.community
    context: dict[str, Any] = {
        "community": community,
        "flags": request.flags,
        "form": form,
        "dashboard": None,
    }
    if form.period is None:
        return context
    dashboard = metrics.build_dashboard(
        community,
        form.period,
        include_everyone=form.include_everyone,
        cohort_unit=form.cohort_unit,
    )
    query = urlencode(form.params())
    context.update(
        dashboard=dashboard,
        groups=exports.figure_cards(dashboard),
        charts=_charts(dashboard),
        chart_data=_chart_data(dashboard),
        cohorts=exports.cohorts_table(dashboard),
        unanswered=exports.unanswered_table(dashboard),
        contributors=exports.contributors_table(dashboard),
        quiet=exports.quiet_table(dashboard),
        query=f"?{query}" if query else "",
        tables=exports.TABLE_TITLES,
    )
    return context


@require_GET
@community_view("manage", login=True)
def dashboard(request: MemberRequest) -> HttpResponse:
    """The hosts' engagement dashboard for a period (the last 30 days unless chosen)."""
    check_view_insights(request.user, request.community)
    form = PeriodForm(request.GET, community=request.community)
    status = 200 if form.is_valid() else 400
    if status == 400:
        form.period = None
    return render_page(
        request,
        "insights/dashboard.html",
        _dashboard_context(request, form),
        partial="insights/_dashboard/body.html",
        status=status,
    )


@require_GET
@community_view("manage", login=True)
def export(request: MemberRequest, table: str) -> HttpResponse:
    """One of the dashboard's tables as CSV, for the same period and options as the page."""
    if table not in exports.TABLES:
        raise Http404(_("No such table."))
    community = request.community
    check_view_insights(request.user, community)
    form = PeriodForm(request.GET, community=community)
    if not form.is_valid() or form.period is None:
        errors = "; ".join(
            str(message) for messages in form.errors.values() for message in messages
        )
        return HttpResponse(
            errors or _("Choose a valid period."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    dashboard = metrics.build_dashboard(
        community,
        form.period,
        include_everyone=form.include_everyone,
        cohort_unit=form.cohort_unit,
    )
    content = exports.export_table(
        request.user, community, table, dashboard, absolute=request.build_absolute_uri
    )
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    filename = exports.export_filename(community, table, form.period)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns: list[URLPattern] = [
    path("c/<slug:slug>/insights/", dashboard, name="dashboard"),
    path("c/<slug:slug>/insights/export/<slug:table>.csv", export, name="export"),
]
