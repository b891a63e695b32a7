"""Forms for custom member fields: the hosts' definition form, and the answer fields added to
the join forms and the about-you page. Answers are checked by ``cerchia.insights.fields``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cerchia.insights import fields as rules
from cerchia.insights.models import (
    FieldAsked,
    FieldKind,
    FieldPurpose,
    FieldVisibility,
    MemberField,
)

PREFIX = "field_"
#: Up to this many options show as radio buttons; more as a drop-down list.
MAX_RADIOS = 6


# --- The hosts' definition -------------------------------------------------------------------


class FieldDefinitionForm(forms.Form):
    """A question for members: its wording, kind, options, purpose and who sees the answers."""

    label = forms.CharField(label=_("Question"), max_length=rules.MAX_LABEL_LENGTH)
    help_text = forms.CharField(
        label=_("Help text"),
        max_length=rules.MAX_HELP_LENGTH,
        required=False,
        help_text=_("Shown under the question, to explain what you mean."),
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("member field", "Kind of answer"), choices=FieldKind.choices
    )
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For single and multiple choice: one option per line, 2 to 30. "
            "Removing or renaming an option drops it from the answers that picked it."
        ),
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=FieldPurpose.choices,
        widget=forms.RadioSelect,
        initial=FieldPurpose.PROFILE,
        help_text=_(
            "Marketing answers are used only for members who consented to marketing, and are "
            "never shown to other members."
        ),
    )
    visibility = forms.ChoiceField(
        label=_("Who sees the answers"),
        choices=FieldVisibility.choices,
        widget=forms.RadioSelect,
        initial=FieldVisibility.HOSTS,
    )
    asked = forms.ChoiceField(
        label=pgettext_lazy("member field", "When it is asked"),
        choices=FieldAsked.choices,
        widget=forms.RadioSelect,
        initial=FieldAsked.ON_JOINING,
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False)

    def __init__(self, *args: Any, editing: MemberField | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is not None:
            # The kind never changes: answers already given are of that kind.
            self.fields["kind"].disabled = True
            self.fields["kind"].initial = editing.kind
            self.fields["kind"].help_text = _("The kind of a question cannot change.")

    @classmethod
    def initial_for(cls, field: MemberField) -> dict[str, Any]:
        return {
            "label": field.label,
            "help_text": field.help_text,
            "kind": field.kind,
            "options": "\n".join(field.choices or []),
            "purpose": field.purpose,
            "visibility": field.visibility,
            "asked": field.asked,
            "required": field.required,
        }

    def action_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {
            "label": data["label"],
            "help_text": data.get("help_text", ""),
            "choices": [line for line in data.get("options", "").splitlines() if line.strip()],
            "purpose": data["purpose"],
            "visibility": data["visibility"],
            "asked": data["asked"],
            "required": bool(data.get("required")),
        }
        if self.editing is None:
            values["kind"] = data["kind"]
        return values


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])


# --- Answers -------------------------------------------------------------------------------


def _help(field: MemberField) -> str:
    """The field's own help, then who will see the answer and why it is asked."""
    parts = [field.help_text] if field.help_text else []
    if field.purpose == FieldPurpose.MARKETING:
        parts.append(
            str(_("Marketing: used to reach you only if you consent to marketing; seen by hosts."))
        )
    elif field.visibility == FieldVisibility.MEMBERS:
        parts.append(str(_("Shown on your member card to the community's members.")))
    else:
        parts.append(str(_("Seen only by the hosts.")))
    return " ".join(parts)


class AnswerField(forms.Field):
    """One member field as a form field; ``cerchia.insights.fields`` decides what is valid."""

    def __init__(self, member_field: MemberField, **kwargs: Any) -> None:
        self.member_field = member_field
        kind = member_field.kind
        options = [(option, option) for option in member_field.choices or []]
        blank = [("", pgettext_lazy("member field", "No answer"))]
        widget: forms.Widget
        if kind == FieldKind.TEXT:
            widget = forms.TextInput(attrs={"maxlength": rules.MAX_TEXT_LENGTH})
        elif kind == FieldKind.NUMBER:
            widget = forms.TextInput(attrs={"inputmode": "decimal"})
        elif kind == FieldKind.DATE:
            widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        elif kind == FieldKind.CHOICE and len(options) > MAX_RADIOS:
            widget = forms.Select(choices=blank + options)
        elif kind == FieldKind.CHOICE:
            widget = forms.RadioSelect(
                choices=options if member_field.required else options + blank
            )
        elif kind == FieldKind.MULTIPLE:
            widget = forms.CheckboxSelectMultiple(choices=options)
        else:
            yes_no = [
                ("yes", pgettext_lazy("answer", "Yes")),
                ("no", pgettext_lazy("answer", "No")),
            ]
            widget = forms.RadioSelect(choices=yes_no if member_field.required else yes_no + blank)
        super().__init__(
            label=member_field.label,
            required=member_field.required,
            help_text=_help(member_field),
            widget=widget,
            **kwargs,
        )

    def clean(self, value: Any) -> Any:
        return rules.clean_answer(self.member_field, value)


def add_answer_fields(
    form: forms.Form, fields: Iterable[MemberField], values: dict[int, Any] | None = None
) -> None:
    """Add one answer field per member field to ``form`` (named ``field_<id>``)."""
    values = values or {}
    form.member_fields = list(fields)  # type: ignore[attr-defined]
    for member_field in form.member_fields:  # type: ignore[attr-defined]
        name = f"{PREFIX}{member_field.pk}"
        form.fields[name] = AnswerField(member_field)
        if member_field.pk in values:
            form.initial[name] = rules.form_initial(member_field, values[member_field.pk])


def answer_fields(form: forms.Form) -> list[forms.BoundField]:
    """The form's answer fields, bound, in order."""
    return [form[f"{PREFIX}{item.pk}"] for item in getattr(form, "member_fields", [])]


def answers_from(form: forms.Form) -> dict[int, Any]:
    """A valid form's answers by field id (the cleaned values)."""
    return {
        item.pk: form.cleaned_data.get(f"{PREFIX}{item.pk}")
        for item in getattr(form, "member_fields", [])
        if f"{PREFIX}{item.pk}" in form.cleaned_data
    }


def error_aliases(form: forms.Form) -> dict[str, str]:
    """An action's ``fields.<id>`` errors mapped to the form's field names."""
    return {
        f"fields.{item.pk}": f"{PREFIX}{item.pk}" for item in getattr(form, "member_fields", [])
    }


class AboutYouForm(forms.Form):
    """A member's answers to every live question of a community."""

    def __init__(
        self, *args: Any, fields: list[MemberField], values: dict[int, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        add_answer_fields(self, fields, values)
