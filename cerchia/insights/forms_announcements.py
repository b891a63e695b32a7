"""Forms for the announcement pages: they parse the input (times in the community's timezone);
the actions decide."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cerchia.discussions.forms import MARKDOWN_HINT, IdempotentForm

if TYPE_CHECKING:
    from cerchia.communities.models import Community
    from cerchia.insights.models import Segment

EVERYONE = "everyone"
NOW = "now"
LATER = "later"
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def community_zone(community: Community) -> tzinfo:
    """The community's timezone (UTC when it names none that exists)."""
    try:
        return zoneinfo.ZoneInfo(community.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


class LocalDateTimeField(forms.DateTimeField):
    """A date and time typed in the community's timezone (``<input type="datetime-local">``)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT)

    def __init__(self, *, zone: tzinfo | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", [LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        super().__init__(**kwargs)
        self.zone = zone

    def to_python(self, value: Any) -> datetime | None:
        # Read as a naive wall-clock time, then placed in the community's timezone.
        if isinstance(value, str):
            value = value.strip()
        if not value:
            return None
        parsed = None
        for fmt in list(self.input_formats or []):
            try:
                parsed = datetime.strptime(str(value), fmt)
                break
            except (TypeError, ValueError):
                continue
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return timezone.make_aware(parsed, self.zone or timezone.get_current_timezone())


class AnnouncementForm(IdempotentForm):
    """A new announcement: title, message, audience, email, and when to send it."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Message"),
        max_length=50_000,
        help_text=MARKDOWN_HINT,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    audience = forms.ChoiceField(label=pgettext_lazy("announcement", "Send to"))
    send_email = forms.BooleanField(
        label=_("Also by email to members who agreed to marketing email"),
        required=False,
        initial=True,
        help_text=_(
            "Everyone in the audience sees the announcement in the community; only members "
            "who agreed to marketing email get it by email, each with a one-click unsubscribe."
        ),
    )
    when = forms.ChoiceField(
        label=pgettext_lazy("announcement", "When"),
        widget=forms.RadioSelect,
        initial=NOW,
        choices=[
            (NOW, pgettext_lazy("announcement", "Send now")),
            (LATER, pgettext_lazy("announcement", "Schedule for later")),
        ],
    )
    send_at = LocalDateTimeField(label=pgettext_lazy("announcement", "Send at"), required=False)

    def __init__(
        self, *args: Any, community: Community, segments: list[Segment], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["audience"]).choices = [
            (EVERYONE, _("Everyone in the community")),
            *[(str(segment.pk), segment.name) for segment in segments],
        ]
        send_at = cast(LocalDateTimeField, self.fields["send_at"])
        send_at.zone = community_zone(community)
        send_at.help_text = _("In the community's timezone (%(zone)s).") % {
            "zone": community.timezone or "UTC"
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("when") == LATER:
            send_at = data.get("send_at")
            if send_at is None:
                if "send_at" not in self.errors:
                    self.add_error("send_at", _("Choose when to send it."))
            elif send_at <= timezone.now():
                self.add_error("send_at", _("Choose a time in the future."))
        return data

    def action_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        audience = data.get("audience") or EVERYONE
        return {
            "title": data.get("title", ""),
            "body": data.get("body", ""),
            "segment": None if audience == EVERYONE else int(audience),
            "send_email": bool(data.get("send_email")),
            "send_at": data.get("send_at") if data.get("when") == LATER else None,
            "idempotency_key": data.get("idempotency_key", ""),
        }


class RescheduleForm(forms.Form):
    """A new time for a scheduled announcement, in the community's timezone."""

    send_at = LocalDateTimeField(label=pgettext_lazy("announcement", "Send at"))

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(LocalDateTimeField, self.fields["send_at"])
        field.zone = community_zone(community)
        field.help_text = _("In the community's timezone (%(zone)s).") % {
            "zone": community.timezone or "UTC"
        }

    def clean_send_at(self) -> datetime:
        send_at = cast(datetime, self.cleaned_data["send_at"])
        if send_at <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."))
        return send_at
