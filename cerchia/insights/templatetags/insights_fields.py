"""Template tags for custom member fields: the join forms' questions and the community page's
invitation to answer them."""

from __future__ import annotations

from typing import Any

from django import forms, template

from cerchia.insights import forms_fields, queries_fields

register = template.Library()


@register.simple_tag
def answer_fields(form: forms.Form) -> list[forms.BoundField]:
    """The form's answer fields, bound, in order (none when it asks nothing)."""
    return forms_fields.answer_fields(form)


@register.inclusion_tag("insights/fields/_prompt.html", takes_context=True)
def fields_prompt(context: template.Context, community: Any) -> dict[str, Any]:
    """Invite a member with unanswered questions to answer them (one query for members)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    show = user is not None and queries_fields.has_unanswered_questions(user, community)
    return {"community": community, "show": show}
