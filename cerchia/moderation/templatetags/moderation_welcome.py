"""The welcome in other apps' pages: ``{% load moderation_welcome %}``."""

from __future__ import annotations

from typing import Any

from django import template

from cerchia.communities.models import Community
from cerchia.moderation import permissions, queries_welcome

register = template.Library()


@register.inclusion_tag("moderation/_partials/welcome_panel.html", takes_context=True)
def welcome_panel(context: Any, community: Community) -> dict[str, Any]:
    """The welcome panel for a new member of ``community`` (nothing for anyone else)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    panel = queries_welcome.get_welcome_panel(user, community) if user is not None else None
    return {"panel": panel, "csrf_token": context.get("csrf_token"), "request": request}


@register.simple_tag(takes_context=True)
def newcomer_alerts_for(context: Any, community: Community) -> list[Any]:
    """Open newcomer alerts of ``community``, if the viewer may welcome (else none)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not permissions.can_welcome(user, community):
        return []
    return queries_welcome.list_open_alerts(user, community)


@register.simple_tag(takes_context=True)
def may_welcome(context: Any, community: Community) -> bool:
    """Whether the viewer sees the newcomers page (hosts, site admins, welcomers)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return user is not None and permissions.can_welcome(user, community)
