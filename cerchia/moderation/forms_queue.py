"""Forms of reporting and of the review queue: they parse input; the actions decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cerchia.moderation.actions.reports import NOTE_MAX_LENGTH
from cerchia.moderation.actions.review import RESOLUTIONS
from cerchia.moderation.models import ReportReason


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=ReportReason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Anything the hosts should know (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Only the community's hosts read your report; the member is not told who sent it."
        ),
    )


class ReportActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("dismiss", _("Dismiss")), *[(name, name) for name in RESOLUTIONS]]
    )
    note = forms.CharField(required=False, max_length=2000)


class HeldDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(
        label=_("Note to the author (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HideForm(forms.Form):
    action = forms.ChoiceField(choices=[("hide", _("Hide")), ("unhide", _("Show again"))])
