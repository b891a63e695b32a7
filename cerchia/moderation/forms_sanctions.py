"""Forms for sanctions, appeals, notes and message templates: parsing only; the actions decide."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cerchia.moderation.models import LogAction, SanctionKind

#: The durations offered for mutes and bans (hours); a ban without one is permanent.
DURATIONS: list[tuple[str, Any]] = [
    ("", _("No end (bans only)")),
    ("1", _("1 hour")),
    ("24", _("1 day")),
    ("72", _("3 days")),
    ("168", _("7 days")),
    ("720", _("30 days")),
    ("2160", _("90 days")),
]


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Step"), choices=SanctionKind.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Rule or reason"),
        max_length=300,
        help_text=_(
            "Shown to the member, and in the public log if you publish one: cite the rule, "
            "not a person."
        ),
    )
    message = forms.CharField(
        label=_("Message to the member"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Leave empty to send the community's message for this step."),
    )
    duration = forms.ChoiceField(
        label=_("How long (mutes and bans)"), choices=DURATIONS, required=False
    )
    report = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hours = data.get("duration") or ""
        kind = data.get("kind")
        # Only mutes and bans last; a duration picked for a gentler step is ignored.
        if hours and kind in (SanctionKind.MUTE, SanctionKind.BAN):
            data["duration"] = timedelta(hours=int(hours))
        else:
            data["duration"] = None
        return data


class LiftForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the record"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Private note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the hosts see notes; the member never does."),
    )


class AppealForm(forms.Form):
    body = forms.CharField(
        label=_("Your appeal"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Explain why the hosts should reconsider. You can appeal each sanction once."),
    )


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("uphold", _("Uphold the sanction")), ("grant", _("Grant: lift the sanction"))],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Answer to the member"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class TemplatesForm(forms.Form):
    """One message per step; an empty one means the built-in message."""

    def __init__(self, *args: Any, defaults: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in SanctionKind.choices:
            self.fields[kind] = forms.CharField(
                label=label,
                max_length=5000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4, "placeholder": defaults.get(kind, "")}),
            )


class LogFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("All actions")), *LogAction.choices], required=False
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)
