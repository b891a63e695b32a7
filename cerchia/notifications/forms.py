"""The notification preferences form: one checkbox per kind of email, the digest, quiet hours."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cerchia.notifications.models import DigestFrequency
from cerchia.notifications.queries import Preferences
from cerchia.notifications.registry import emailable_kinds


class PreferencesForm(forms.Form):
    digest = forms.ChoiceField(
        label=_("Digest of your communities"),
        choices=DigestFrequency.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "New topics and conversations since your last digest; none when nothing happened."
        ),
    )
    quiet_start = forms.TimeField(
        label=_("Quiet hours from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_(
            "In your timezone. Emails that would arrive in these hours wait until they end."
        ),
    )

    def __init__(self, *args: Any, preferences: Preferences, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "digest": preferences.digest,
                "quiet_start": preferences.quiet_start,
                "quiet_end": preferences.quiet_end,
                **{f"email_{k}": v for k, v in preferences.email.items()},
            },
        )
        super().__init__(*args, **kwargs)
        email_fields = {
            f"email_{kind.name}": forms.BooleanField(label=kind.label, required=False)
            for kind in emailable_kinds()
        }
        # The email choices come first, in the registry's order.
        self.fields = {**email_fields, **self.fields}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("quiet_start") is None) != (data.get("quiet_end") is None):
            self.add_error(
                "quiet_end", _("Give both the start and the end of your quiet hours, or neither.")
            )
        return data

    def email_choices(self) -> dict[str, bool]:
        return {
            kind.name: bool(self.cleaned_data.get(f"email_{kind.name}"))
            for kind in emailable_kinds()
        }

    def email_fields(self) -> list[Any]:
        return [self[f"email_{kind.name}"] for kind in emailable_kinds()]
