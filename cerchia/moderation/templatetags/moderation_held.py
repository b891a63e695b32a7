"""Template tags showing a member their own held posts (nobody else sees them here)."""

from __future__ import annotations

from typing import Any

from django import template

from cerchia.communities.models import Community
from cerchia.core.markdown import render_markdown
from cerchia.discussions.models import Topic
from cerchia.moderation import queries_held
from cerchia.moderation.models import HeldPost

register = template.Library()


def held_items(held_posts: list[HeldPost]) -> list[dict[str, Any]]:
    """Each held post with its text rendered (sanitised Markdown) for display."""
    return [{"held": held, "body_html": render_markdown(held.body)} for held in held_posts]


@register.inclusion_tag("moderation/_partials/my_held_posts.html", takes_context=True)
def my_held_posts(context: template.Context, community: Community) -> dict[str, Any]:
    """The viewer's own posts in the community awaiting approval or declined."""
    request = context.get("request")
    user = getattr(request, "user", None)
    held = queries_held.list_my_held_posts(user, community) if user is not None else []
    return {"community": community, "items": held_items(held)}


@register.inclusion_tag("moderation/_partials/my_held_replies.html", takes_context=True)
def my_held_replies(context: template.Context, topic: Topic) -> dict[str, Any]:
    """The viewer's own replies to the topic awaiting approval or declined."""
    request = context.get("request")
    user = getattr(request, "user", None)
    held = queries_held.list_my_held_replies(user, topic) if user is not None else []
    return {"topic": topic, "items": held_items(held)}


@register.simple_tag(takes_context=True)
def my_trust_level(context: template.Context, community: Community) -> str:
    """The viewer's trust level in the community ("Basic"), or "" for non-members.

    Reads the membership the page's permission checks already loaded: no query."""
    from cerchia.communities.models import TrustLevel
    from cerchia.communities.permissions import get_access

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    membership = get_access(user, community).membership
    if membership is None:
        return ""
    return str(TrustLevel(membership.trust_level).label)
