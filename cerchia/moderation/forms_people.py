"""Forms for blocks, affiliations and disclosure labels: they parse input; the actions decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cerchia.communities.models import Affiliation


class AffiliationForm(forms.Form):
    affiliation = forms.ChoiceField(
        label=_("Affiliation"),
        choices=Affiliation.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Shown next to the member's name on every post, card, email and in the API."),
    )
    affiliation_name = forms.CharField(
        label=_("Affiliated with"),
        max_length=80,
        required=False,
        help_text=_("The company or brand, for example “Velo Alpino”."),
    )


class RemoveDisclosureForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, for the moderation log"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
