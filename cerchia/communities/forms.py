"""Forms for the community pages: they parse and shape input; the actions decide."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any
from zoneinfo import available_timezones

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cerchia.communities.actions import MAX_ANSWER_LENGTH, MAX_SCREENING_QUESTIONS
from cerchia.communities.models import Community, JoinPolicy, Role, Visibility
from cerchia.core.images import process_image
from cerchia.core.tags import normalise_tags
from cerchia.core.validators import slug_validator
from cerchia.insights.forms_fields import add_answer_fields


def timezone_choices() -> list[tuple[str, str]]:
    """Every IANA timezone name, sorted (insights count a community's days in one)."""
    return [(name, name.replace("_", " ")) for name in sorted(available_timezones())]


#: Covers are shown wide and short; larger uploads are scaled down to fit.
COVER_SIZE = (1600, 600)


def add_action_errors(
    form: forms.Form, error: ValidationError, aliases: Mapping[str, str] | None = None
) -> None:
    """Show an action's ``ValidationError`` on the form: on its field when the form has one."""
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        field = aliases.get(name, name)
        messages = [message for item in errors for message in item.messages]
        if field in form.fields:
            # add_error drops the field from cleaned_data, which is fine: the form is done.
            form.add_error(field, messages)
        else:
            form.add_error(None, messages)


class TagsField(forms.CharField):
    """Comma-separated interest tags, normalised to slugs."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 600)
        kwargs.setdefault(
            "help_text", _("Comma separated, for example: espresso, coffee roasting, grinders.")
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(item) for item in value)
        return value

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value)
        return normalise_tags(text or "")


class LinesField(forms.CharField):
    """One entry per line (screening questions)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class CoverField(forms.FileField):
    """An image checked by its content, resized and stripped of metadata by ``process_image``."""

    widget = forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if not upload or upload is initial:
            return None
        return process_image(upload, COVER_SIZE)


def _general_fields() -> dict[str, forms.Field]:
    return {
        "name": forms.CharField(label=_("Name"), max_length=80),
        "slug": forms.CharField(
            label=_("Address"),
            max_length=50,
            required=False,
            validators=[slug_validator],
            help_text=_(
                "The community's web address: /c/your-address/. "
                "Leave empty to make one from the name."
            ),
        ),
        "tagline": forms.CharField(
            label=_("Tagline"), max_length=140, help_text=_("Your niche in one line.")
        ),
        "description": forms.CharField(
            label=_("Description"),
            max_length=20_000,
            required=False,
            widget=forms.Textarea(attrs={"rows": 8}),
            help_text=_("What the community is about and who it is for. Markdown works."),
        ),
        "interests": TagsField(label=_("Interest tags")),
        "language": forms.ChoiceField(label=_("Main language"), choices=settings.LANGUAGES),
        "rules": forms.CharField(
            label=_("Rules and code of conduct"),
            max_length=20_000,
            required=False,
            widget=forms.Textarea(attrs={"rows": 6}),
            help_text=_(
                "People accept these when they join. Markdown works. Leave empty for none."
            ),
        ),
        "cover": CoverField(
            label=_("Cover image"), help_text=_("JPEG, PNG, WebP or GIF; shown wide and short.")
        ),
        "brand_name": forms.CharField(
            label=_("Brand"),
            max_length=80,
            required=False,
            help_text=_(
                "If a brand runs this community or it exists for a brand, name it: the about "
                "page says so openly. Leave empty otherwise."
            ),
        ),
    }


def _membership_fields() -> dict[str, forms.Field]:
    return {
        "visibility": forms.ChoiceField(
            label=_("Who can see it"),
            choices=Visibility.choices,
            initial=Visibility.PUBLIC,
            widget=forms.RadioSelect,
        ),
        "join_policy": forms.ChoiceField(
            label=_("How people join"),
            choices=JoinPolicy.choices,
            initial=JoinPolicy.OPEN,
            widget=forms.RadioSelect,
            help_text=_("A hidden community can only be joined by invitation."),
        ),
        "member_cap": forms.IntegerField(
            label=_("Member cap"),
            required=False,
            min_value=1,
            max_value=1_000_000,
            help_text=_("Leave empty for no limit. Beyond it, people join a waitlist."),
        ),
        "screening_questions": LinesField(
            label=_("Screening questions"),
            required=False,
            max_length=MAX_SCREENING_QUESTIONS * 310,
            help_text=_("One per line, at most %(count)d. Asked when someone requests to join.")
            % {"count": MAX_SCREENING_QUESTIONS},
        ),
    }


class CommunityCreateForm(forms.Form):
    """Everything a new community needs; the slug defaults to one made from the name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_general_fields())
        self.fields.update(_membership_fields())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("slug") and cleaned.get("name") and "slug" not in self.errors:
            suggestion = slugify(cleaned["name"])[:50].strip("-")
            if len(suggestion) < 3:
                self.add_error("slug", _("Choose an address of at least 3 letters or digits."))
            else:
                cleaned["slug"] = suggestion
        return cleaned

    def action_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    def about_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in _general_fields()]

    def access_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in _membership_fields()]


class CommunityGeneralForm(forms.Form):
    """The host's "General" tab."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_general_fields())
        self.fields["slug"].required = True
        self.fields["slug"].help_text = _(
            "The community's web address: /c/your-address/. "
            "Old links stop working if you change it."
        )
        self.fields["remove_cover"] = forms.BooleanField(
            label=_("Remove the cover image"), required=False
        )
        self.fields["timezone"] = forms.ChoiceField(
            label=_("Timezone"),
            choices=timezone_choices,
            required=False,
            initial="UTC",
            help_text=_(
                "Insights count days from midnight here. Changing it recounts the figures."
            ),
        )

    @classmethod
    def initial_for(cls, community: Community) -> dict[str, Any]:
        return {
            "name": community.name,
            "slug": community.slug,
            "tagline": community.tagline,
            "description": community.description,
            "interests": [interest.slug for interest in community.interests.all()],
            "language": community.language,
            "rules": community.rules,
            "brand_name": community.brand_name,
            "timezone": community.timezone,
        }

    def action_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["remove_cover"] = bool(data.get("remove_cover")) and not data.get("cover")
        if not data.get("timezone"):
            data.pop("timezone", None)
        return data


class CommunityMembershipForm(forms.Form):
    """The host's "Membership" tab: who sees the community and how people get in."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_membership_fields())

    @classmethod
    def initial_for(cls, community: Community) -> dict[str, Any]:
        return {
            "visibility": community.visibility,
            "join_policy": community.join_policy,
            "member_cap": community.member_cap,
            "screening_questions": community.screening_questions,
        }

    def action_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class JoinForm(forms.Form):
    """Joining: the rules must be accepted when the community has any; the hosts' questions
    asked on joining (``member_fields``) are answered too."""

    accept_rules = forms.BooleanField(label=_("I have read and accept the rules"), required=False)

    def __init__(self, *args: Any, member_fields: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_answer_fields(self, member_fields)


class JoinRequestForm(forms.Form):
    """A request to join: one answer per screening question, a note, the rules."""

    message = forms.CharField(
        label=_("A note to the hosts"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accept_rules = forms.BooleanField(label=_("I have read and accept the rules"), required=False)

    def __init__(
        self, *args: Any, community: Community, member_fields: Iterable[Any] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions: list[str] = list(community.screening_questions or [])
        answers = {
            f"answer_{index}": forms.CharField(
                label=question,
                max_length=MAX_ANSWER_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            for index, question in enumerate(self.questions)
        }
        self.fields = {**answers, **self.fields}
        self.has_rules = bool(community.rules.strip())
        if not self.has_rules:
            del self.fields["accept_rules"]
        add_answer_fields(self, member_fields)

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[f"answer_{index}"] for index in range(len(self.questions))]

    def action_kwargs(self) -> dict[str, Any]:
        return {
            "answers": [
                self.cleaned_data[f"answer_{index}"] for index in range(len(self.questions))
            ],
            "message": self.cleaned_data.get("message", ""),
            "accept_rules": bool(self.cleaned_data.get("accept_rules")) or not self.has_rules,
        }


class DecisionForm(forms.Form):
    """A host's answer to a join request."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))])
    note = forms.CharField(
        label=_("Note to the applicant (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InvitationForm(forms.Form):
    """A new invitation: a shareable link, or addressed to one email."""

    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_("Leave empty for a link anyone can use; with an email, only that person can."),
    )
    expires_days = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        min_value=1,
        max_value=365,
        initial=7,
        help_text=_("Leave empty for a link that does not expire."),
    )
    max_uses = forms.IntegerField(
        label=_("Maximum uses"),
        required=False,
        min_value=1,
        max_value=10_000,
        help_text=_("Leave empty for no limit. An email invitation is used once."),
    )

    #: Action argument names → form fields, for the action's own validation errors.
    ERROR_ALIASES = {"expires_in": "expires_days"}

    def action_kwargs(self) -> dict[str, Any]:
        days = self.cleaned_data.get("expires_days")
        return {
            "email": self.cleaned_data.get("email") or "",
            "expires_in": timedelta(days=days) if days else None,
            "max_uses": self.cleaned_data.get("max_uses"),
        }


class RoleForm(forms.Form):
    """Promote to moderator, or demote to member."""

    role = forms.ChoiceField(
        choices=[(Role.MODERATOR, Role.MODERATOR.label), (Role.MEMBER, Role.MEMBER.label)]
    )


class DirectoryFilterForm(forms.Form):
    """Search and tag filter of the site directory; never invalid, bad values are ignored."""

    q = forms.CharField(label=_("Search communities"), max_length=100, required=False)
    tag = forms.CharField(label=_("Interest"), max_length=40, required=False)


class MemberFilterForm(forms.Form):
    """Search and role filter of a member directory."""

    q = forms.CharField(label=_("Search members"), max_length=100, required=False)
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("Everyone")), *Role.choices],
    )
