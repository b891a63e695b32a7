"""Template tags for blocks, affiliations and disclosure labels.

Load with ``{% load moderation_people %}``.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from cerchia.core.templatetags.cerchia_ui import icon
from cerchia.moderation.disclosure import choices_for, must_choose, post_disclosure_label
from cerchia.moderation.permissions_people import can_block
from cerchia.moderation.queries_blocks import block_set

register = template.Library()


@register.simple_tag
def disclosure_band(post: Any, community: Any) -> SafeString:
    """The band at the start of a labelled post, in the community's language."""
    label = post_disclosure_label(post, community)
    if not label:
        return mark_safe("")
    return format_html(
        '<p class="sponsored-band" lang="{}" data-disclosure="{}">{}<strong>{}</strong></p>',
        community.language,
        post.disclosure,
        icon("megaphone"),
        label,
    )


@register.inclusion_tag("moderation/_partials/disclosure_field.html", takes_context=True)
def disclosure_field(context: template.Context, form: Any, community: Any) -> dict[str, Any]:
    """The composer's label choice, for members with an affiliation only."""
    request = context.get("request")
    user = getattr(request, "user", None)
    choices: list[tuple[str, str]] = []
    required = False
    if user is not None and user.is_authenticated and form is not None:
        choices = choices_for(user, community)
        required = bool(choices) and must_choose(user, community)
    field = form["disclosure"] if form is not None and "disclosure" in form.fields else None
    value = (field.value() or "") if field is not None else ""
    if not value and choices and not required:
        value = "none"
    return {
        "choices": choices,
        "required": required,
        "field": field,
        "value": value,
        "prefix": getattr(form, "prefix", None) or "",
        "community": community,
    }


@register.inclusion_tag("moderation/_partials/block_control.html", takes_context=True)
def block_control(context: template.Context, person: Any) -> dict[str, Any]:
    """Block or unblock ``person`` (nothing for oneself or signed-out visitors)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = user is not None and person is not None and can_block(user, person)
    return {
        "person": person,
        "shown": shown,
        "blocked": shown and person.pk in block_set(user).blocked,
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path() if request is not None else "",
    }
