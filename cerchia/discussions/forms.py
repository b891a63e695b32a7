"""Forms for the discussion pages: they parse and shape input; the actions decide."""

from __future__ import annotations

import secrets
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cerchia.discussions.actions.posts import BODY_MAX, IDEMPOTENCY_KEY_MAX, TITLE_MAX
from cerchia.discussions.models import NotificationLevel, ReactionKind, TopicKind

MARKDOWN_HINT = _(
    "Markdown works: **bold**, _italic_, > quotes, - lists, `code` and links. "
    "Mention a member with @handle."
)


def new_idempotency_key() -> str:
    """A fresh token for one rendering of a form: a double submit sends the same one."""
    return secrets.token_urlsafe(24)


class BodyField(forms.CharField):
    """The message: a plain textarea with a Markdown hint."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Message"))
        kwargs.setdefault("max_length", BODY_MAX)
        kwargs.setdefault("help_text", MARKDOWN_HINT)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 8}))
        # Empty messages are refused by the action, with its own wording.
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class TitleField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Title"))
        kwargs.setdefault("max_length", TITLE_MAX)
        kwargs.setdefault(
            "error_messages", {"required": _("Give the topic a title of at least 3 characters.")}
        )
        super().__init__(**kwargs)


class FieldGroups:
    """The fields a discussion form shows above and below the message box."""

    HEAD: tuple[str, ...] = ()

    @property
    def head_fields(self) -> list[Any]:
        return [self[name] for name in self.HEAD if name in self.fields]  # type: ignore[attr-defined,index]

    @property
    def tag_fields(self) -> list[Any]:
        return [self["tags"]] if "tags" in self.fields else []  # type: ignore[attr-defined,index]


class DisclosureField(forms.CharField):
    """An affiliated member's label for a post (none, sponsored, gift); the composer shows
    it to them only, and the action decides who may use which."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Disclosure"))
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class IdempotentForm(forms.Form):
    """A form that carries its own idempotency key, drawn when it is first rendered."""

    idempotency_key = forms.CharField(
        max_length=IDEMPOTENCY_KEY_MAX, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())


class TagChoicesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


def _tag_choices(tags: list[Any]) -> list[tuple[str, str]]:
    return [(tag.slug, tag.name) for tag in tags]


class TopicForm(FieldGroups, IdempotentForm):
    """A new topic: title, kind, tags from the community's own set, and the opening post."""

    HEAD = ("title", "kind")

    title = TitleField()
    kind = forms.ChoiceField(
        label=_("Kind"), widget=forms.RadioSelect, initial=TopicKind.DISCUSSION
    )
    tags = TagChoicesField(label=_("Tags"), required=False)
    body = BodyField()
    disclosure = DisclosureField()

    def __init__(
        self, *args: Any, tags: list[Any], allow_announcement: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        kinds = [TopicKind.DISCUSSION, TopicKind.QUESTION]
        if allow_announcement:
            kinds.append(TopicKind.ANNOUNCEMENT)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (kind.value, kind.label) for kind in kinds
        ]
        self.fields["kind"].help_text = _("A question can have one reply marked as its answer.")
        if tags:
            cast(forms.ChoiceField, self.fields["tags"]).choices = _tag_choices(tags)
        else:
            del self.fields["tags"]

    def action_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data.get("title", ""),
            "body": data.get("body", ""),
            "kind": data.get("kind") or TopicKind.DISCUSSION,
            "tags": data.get("tags") or [],
            "idempotency_key": data.get("idempotency_key", ""),
            "disclosure": data.get("disclosure", ""),
        }


class ReplyForm(IdempotentForm):
    """A reply, optionally in reply to or quoting another post of the topic (by id)."""

    body = BodyField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 6}))
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    quote = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    disclosure = DisclosureField()


class EditPostForm(FieldGroups, forms.Form):
    """Edit a post; the opening post also edits the topic's title and tags."""

    HEAD = ("title",)

    title = TitleField()
    tags = TagChoicesField(label=_("Tags"), required=False)
    body = BodyField()

    def __init__(self, *args: Any, opening: bool, tags: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opening = opening
        if not opening:
            del self.fields["title"]
            del self.fields["tags"]
        elif tags:
            cast(forms.ChoiceField, self.fields["tags"]).choices = _tag_choices(tags)
        else:
            del self.fields["tags"]

    def action_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kwargs: dict[str, Any] = {"body": data.get("body", "")}
        if self.opening:
            kwargs["title"] = data.get("title", "")
            if "tags" in self.fields:
                kwargs["tags"] = data.get("tags") or []
        return kwargs


class ModerateForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(name, name) for name in ("pin", "unpin", "lock", "unlock", "close", "reopen")]
    )


class MoveForm(forms.Form):
    target = forms.ChoiceField(label=_("Move to"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, targets: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["target"]).choices = [(c.slug, c.name) for c in targets]


class ReactForm(forms.Form):
    kind = forms.ChoiceField(choices=ReactionKind.choices)


class LevelForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Notifications"), choices=NotificationLevel.choices, widget=forms.RadioSelect
    )


class NumberForm(forms.Form):
    number = forms.IntegerField(min_value=0)
