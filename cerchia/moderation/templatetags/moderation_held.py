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
