"""The dashboard's period picker: a GET form that works without JavaScript."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cerchia.communities.models import Community
from cerchia.insights import metrics
from cerchia.insights.metrics import Period

#: The ready-made periods, in days; "custom" reads ``start`` and ``end``.
PRESET_DAYS = (7, 30, 90)
DEFAULT_DAYS = 30
CUSTOM = "custom"
COHORT_UNITS = ("week", "month")


def _days_choices() -> list[tuple[str, Any]]:
    return [
        ("7", _("Last 7 days")),
        ("30", _("Last 30 days")),
        ("90", _("Last 90 days")),
        (CUSTOM, pgettext_lazy("a period of days", "Custom")),
    ]


class PeriodForm(forms.Form):
    """Which days the dashboard covers, whose activity it counts, and how cohorts are grouped.

    Unbound, it stands for the default (the last 30 days, members only, weekly cohorts).
    """

    days = forms.ChoiceField(
        label=_("Period"),
        choices=_days_choices,
        required=False,
        initial=str(DEFAULT_DAYS),
        widget=forms.RadioSelect,
    )
    start = forms.DateField(
        label=pgettext_lazy("first day of a period", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For a custom period: the first day, included."),
    )
    end = forms.DateField(
        label=pgettext_lazy("last day of a period", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day, included."),
    )
    everyone = forms.BooleanField(
        label=_("Include staff, brand and bot accounts"),
        required=False,
        help_text=_("Left out by default, so the figures describe the members."),
    )
    cohort = forms.ChoiceField(
        label=_("Group join cohorts by"),
        choices=[
            ("week", pgettext_lazy("cohorts grouped by", "Week")),
            ("month", pgettext_lazy("cohorts grouped by", "Month")),
        ],
        required=False,
        initial="week",
    )

    def __init__(self, data: Any = None, *, community: Community, **kwargs: Any) -> None:
        if data is not None and not any(data.get(name) for name in ("days", "start", "end")):
            # No period chosen: the default one, shown as chosen in the picker.
            data = data.copy()
            data["days"] = str(DEFAULT_DAYS)
        super().__init__(data, **kwargs)
        self.community = community
        self.period: Period | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        days = cleaned.get("days") or ""
        start, end = cleaned.get("start"), cleaned.get("end")
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        if days == CUSTOM or (not days and (start or end)):
            if start is None:
                self.add_error("start", _("Choose the first day of the period."))
            if end is None:
                self.add_error("end", _("Choose the last day of the period."))
            if start is None or end is None:
                return cleaned
            try:
                self.period = metrics.custom_period(start, end, community=self.community)
            except ValueError as error:
                self.add_error("end" if end < start else None, str(error))
            return cleaned
        number = int(days) if days else DEFAULT_DAYS
        self.period = metrics.period_for(self.community, number)
        return cleaned

    @property
    def include_everyone(self) -> bool:
        return bool(self.cleaned_data.get("everyone"))

    @property
    def cohort_unit(self) -> str:
        unit = self.cleaned_data.get("cohort") or "week"
        return unit if unit in COHORT_UNITS else "week"

    def params(self) -> dict[str, str]:
        """The chosen options as the parameters that select them."""
        assert self.period is not None
        days = self.cleaned_data.get("days") or ""
        params: dict[str, str] = {}
        if days == CUSTOM or (not days and self.cleaned_data.get("start")):
            params["days"] = CUSTOM
            params["start"] = self.period.start.isoformat()
            params["end"] = self.period.end.isoformat()
        elif days:
            params["days"] = days
        if self.include_everyone:
            params["everyone"] = "on"
        if self.cohort_unit != "week":
            params["cohort"] = self.cohort_unit
        return params
