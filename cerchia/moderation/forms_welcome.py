"""Forms of the welcome pages: they parse input; the welcome actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cerchia.discussions.models import Topic
from cerchia.moderation.actions.welcome import (
    MAX_UNANSWERED_HOURS,
    MAX_WELCOME_LENGTH,
    MIN_UNANSWERED_HOURS,
)
from cerchia.moderation.models import ModerationSettings


class WelcomeForm(forms.Form):
    """The welcome message, the introductions topic and the unanswered hours."""

    welcome_message = forms.CharField(
        label=_("Welcome message"),
        max_length=MAX_WELCOME_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Shown to each new member on the community's page during their first days, until "
            "they close it. Markdown works. Leave empty for none."
        ),
    )
    introductions_topic = forms.TypedChoiceField(
        label=_("Introductions topic"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("The welcome invites new members to introduce themselves here."),
    )
    unanswered_hours = forms.IntegerField(
        label=_("Hours before an unanswered topic is raised"),
        min_value=MIN_UNANSWERED_HOURS,
        max_value=MAX_UNANSWERED_HOURS,
        help_text=_(
            "A newcomer's topic with no reply from anyone else after this long is raised to "
            "the hosts and the welcomers."
        ),
    )

    def __init__(self, *args: Any, topics: list[Topic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["introductions_topic"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("No introductions topic"))] + [
            (topic.pk, topic.title) for topic in topics
        ]

    @classmethod
    def initial_for(cls, settings: ModerationSettings) -> dict[str, Any]:
        return {
            "welcome_message": settings.welcome_message,
            "introductions_topic": settings.introductions_topic_id or "",
            "unanswered_hours": settings.unanswered_hours,
        }

    def action_kwargs(self) -> dict[str, Any]:
        return {
            "welcome_message": self.cleaned_data.get("welcome_message") or "",
            "introductions_topic_id": self.cleaned_data.get("introductions_topic"),
            "unanswered_hours": self.cleaned_data["unanswered_hours"],
        }


class WelcomerForm(forms.Form):
    """Add a welcomer by handle."""

    handle = forms.CharField(
        label=_("Member's handle"),
        max_length=65,
        help_text=_("A member of this community, for example @mia."),
    )

    def clean_handle(self) -> str:
        return str(self.cleaned_data["handle"]).strip().removeprefix("@")
