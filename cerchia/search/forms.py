"""The search form: it parses the query string; ``search_posts`` decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cerchia.discussions.models import TopicKind
from cerchia.search.text import MAX_QUERY_LENGTH

ANSWERED_CHOICES = [
    ("", _("Answered or not")),
    ("yes", _("With an accepted answer")),
    ("no", _("Not answered yet")),
]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=MAX_QUERY_LENGTH)
    community = forms.SlugField(label=_("Community"), required=False, max_length=50)
    author = forms.CharField(label=_("Author"), required=False, max_length=60)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *TopicKind.choices]
    )
    answered = forms.ChoiceField(label=_("Questions"), required=False, choices=ANSWERED_CHOICES)

    def answered_value(self) -> bool | None:
        value = self.cleaned_data.get("answered")
        return {"yes": True, "no": False}.get(value or "")
