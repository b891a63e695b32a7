"""Forms for the profile and settings pages: they parse input; the actions decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from cerchia.accounts.actions import (
    PostsChoice,
    available_timezones,
    validate_handle,
)
from cerchia.accounts.models import AccessToken, ProfileVisibility, User
from cerchia.core.tags import MAX_TAGS, normalise_tags


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show an action's ``ValidationError`` on the form: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=60,
        required=False,
        help_text=_("The name people see. Leave empty to show your handle."),
    )
    handle = forms.CharField(
        label=_("Handle"),
        max_length=30,
        help_text=_("3–30 letters, digits or underscores; how others mention you."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    bio = forms.CharField(
        label=_("About you"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    avatar = forms.FileField(
        label=_("Avatar"),
        required=False,
        help_text=_("A JPEG, PNG, WebP or GIF image up to 5 MB; we resize it to 512×512."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    remove_avatar = forms.BooleanField(label=_("Remove my avatar"), required=False)
    interests = forms.CharField(
        label=_("Interests"),
        required=False,
        max_length=1000,
        help_text=format_lazy(
            _("Up to {count}, separated by commas, e.g. espresso, film photography."),
            count=MAX_TAGS,
        ),
    )
    profile_visibility = forms.ChoiceField(
        label=_("Who can see your profile"),
        choices=ProfileVisibility.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        kwargs.setdefault(
            "initial",
            {
                "display_name": user.display_name,
                "handle": user.handle,
                "bio": user.bio,
                "interests": ", ".join(interest.name for interest in user.interests.all()),
                "profile_visibility": user.profile_visibility,
            },
        )
        super().__init__(*args, **kwargs)
        if not user.avatar:
            del self.fields["remove_avatar"]

    def clean_handle(self) -> str:
        return validate_handle(self.cleaned_data["handle"], self.user)

    def clean_interests(self) -> list[str]:
        return normalise_tags(self.cleaned_data.get("interests") or "")


class PrivacyForm(forms.Form):
    analytics_consent = forms.BooleanField(
        label=_("Include my activity in community analytics"),
        required=False,
        help_text=_(
            "Hosts see only totals over at least five people; never your name. Off by default."
        ),
    )
    marketing_consent = forms.BooleanField(
        label=_("Send me announcements and offers by email"),
        required=False,
        help_text=_("From the communities you belong to. Off by default; change it any time."),
    )


def _language_choices() -> list[tuple[str, str]]:
    return [("", str(_("Same as my browser"))), *((c, str(n)) for c, n in settings.LANGUAGES)]


def _timezone_choices() -> list[tuple[str, str]]:
    return [("", str(_("UTC (site default)")))] + [
        (name, name.replace("_", " ")) for name in sorted(available_timezones())
    ]


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=_language_choices, required=False)
    timezone = forms.ChoiceField(
        label=_("Timezone"),
        choices=_timezone_choices,
        required=False,
        help_text=_("Dates and times are shown in this timezone."),
    )


class AccessTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        help_text=_("What the token is for, e.g. “newsletter sync”."),
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=AccessToken.Scope.choices,
        initial=AccessToken.Scope.READ,
        widget=forms.RadioSelect,
    )


class DeleteAccountForm(forms.Form):
    posts = forms.ChoiceField(
        label=_("Your posts"),
        choices=PostsChoice.choices,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To confirm it is really you."),
    )


class SuspendForm(forms.Form):
    """The reason a site admin gives when suspending accounts from the admin."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to the member."),
    )
