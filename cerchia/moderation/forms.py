"""Forms for the hosts' moderation settings, content rules and trust levels."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cerchia.communities.models import TrustLevel
from cerchia.moderation import trust
from cerchia.moderation.actions.settings import (
    MESSAGE_MAX,
    NEWCOMER_DAYS_MAX,
    NEWCOMER_POSTS_MAX,
    PATTERN_MAX,
    UNANSWERED_HOURS_MAX,
)
from cerchia.moderation.actions.trust import NUMBER_MAX
from cerchia.moderation.models import ContentRule, ModerationSettings, Premoderation


class ModerationSettingsForm(forms.Form):
    """Pre-moderation, disclosure, the public log and the newcomer windows."""

    premoderation = forms.ChoiceField(
        label=_("Pre-moderation"), choices=Premoderation.choices, widget=forms.RadioSelect
    )
    newcomer_posts = forms.IntegerField(
        label=_("Newcomer posts held"),
        min_value=1,
        max_value=NEWCOMER_POSTS_MAX,
        help_text=_("With newcomer pre-moderation, how many first posts wait for approval."),
    )
    require_disclosure = forms.BooleanField(
        label=_("Affiliated members must label their posts"),
        required=False,
        help_text=_("Staff, brand and partner members choose a disclosure label on every post."),
    )
    public_log = forms.BooleanField(
        label=_("Public moderation log"),
        required=False,
        help_text=_("Show an anonymised log of moderation actions (rule, action, date; no names)."),
    )
    unanswered_hours = forms.IntegerField(
        label=_("Hours before a newcomer's unanswered topic is raised"),
        min_value=1,
        max_value=UNANSWERED_HOURS_MAX,
    )
    newcomer_days = forms.IntegerField(
        label=_("Days a member counts as new"), min_value=0, max_value=NEWCOMER_DAYS_MAX
    )

    @classmethod
    def initial_for(cls, settings: ModerationSettings) -> dict[str, Any]:
        return {name: getattr(settings, name) for name in cls.base_fields}

    def action_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class RuleForm(forms.Form):
    """A new keyword or link-domain rule."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ContentRule.Kind.choices)
    pattern = forms.CharField(
        label=_("Word, phrase or domain"),
        max_length=PATTERN_MAX,
        help_text=_("Words match whole words, in any case; a domain also matches its subdomains."),
    )
    action = forms.ChoiceField(label=_("What happens"), choices=ContentRule.Action.choices)
    message = forms.CharField(
        label=_("Message to the author"),
        max_length=MESSAGE_MAX,
        required=False,
        help_text=_("Optional: a clear default message is used otherwise."),
    )

    def action_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class TrustSettingsForm(forms.Form):
    """Thresholds per earned level and limits per limited level, one number field each."""

    LIMITED_LEVELS = trust.LIMITED_LEVELS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for level in trust.EARNED_LEVELS:
            for name in trust.THRESHOLD_FIELDS:
                self.fields[f"t_{level}_{name}"] = forms.IntegerField(
                    label=trust.THRESHOLD_LABELS[name], min_value=0, max_value=NUMBER_MAX
                )
        for level in self.LIMITED_LEVELS:
            for name in trust.LIMIT_FIELDS:
                self.fields[f"l_{level}_{name}"] = forms.IntegerField(
                    label=trust.LIMIT_LABELS[name],
                    min_value=0,
                    max_value=NUMBER_MAX,
                )

    @classmethod
    def initial_for(cls, settings: ModerationSettings) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for level, values in settings.thresholds().items():
            for name, value in values.items():
                initial[f"t_{level}_{name}"] = value
        for level, values in settings.limits().items():
            for name, value in values.items():
                initial[f"l_{level}_{name}"] = value
        return initial

    def threshold_rows(self) -> list[tuple[str, list[Any]]]:
        """(level label, bound fields) for the template."""
        return [
            (
                str(TrustLevel(int(level)).label),
                [self[f"t_{level}_{name}"] for name in trust.THRESHOLD_FIELDS],
            )
            for level in trust.EARNED_LEVELS
        ]

    def limit_rows(self) -> list[tuple[str, list[Any]]]:
        return [
            (
                str(TrustLevel(int(level)).label),
                [self[f"l_{level}_{name}"] for name in trust.LIMIT_FIELDS],
            )
            for level in self.LIMITED_LEVELS
        ]

    def action_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        thresholds = {
            level: {name: data[f"t_{level}_{name}"] for name in trust.THRESHOLD_FIELDS}
            for level in trust.EARNED_LEVELS
        }
        limits = {
            level: {name: data[f"l_{level}_{name}"] for name in trust.LIMIT_FIELDS}
            for level in self.LIMITED_LEVELS
        }
        return {"thresholds": thresholds, "limits": limits}


class MemberTrustForm(forms.Form):
    """A host sets one member's level by hand."""

    handle = forms.CharField(label=_("Member's handle"), max_length=40)
    level = forms.TypedChoiceField(label=_("Trust level"), choices=TrustLevel.choices, coerce=int)

    def clean_handle(self) -> str:
        return str(self.cleaned_data["handle"]).strip().removeprefix("@")
