"""The one websocket a page opens: subscriptions checked like page reads, events re-checked.

A client sends ``{"subscribe": {"topic": 12}}`` or ``{"subscribe": {"community": 3}}``
and gets ``{"subscribed": {...}}`` or ``{"refused": {...}}`` back (the same answer for a
topic that does not exist and one it may not read). A signed-in user always receives
the events of their own ``user.<id>`` group (the notification badge).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cerchia.communities.models import Community, Visibility
from cerchia.communities.permissions import check_read_community
from cerchia.discussions.models import Topic
from cerchia.discussions.permissions import check_read_topic, readable_communities
from cerchia.live.publish import (
    community_group,
    register_websocket_loop,
    topic_group,
    user_group,
)

if TYPE_CHECKING:
    from cerchia.communities.permissions import Actor

#: Subscriptions one connection may hold: a page needs a topic and a community or two.
MAX_SUBSCRIPTIONS = 20
#: Messages one connection may send (each may cost queries); then it is closed.
MAX_MESSAGES = 100
#: The close code past MAX_MESSAGES (the 4000s are the application's own).
TOO_MANY_MESSAGES = 4029
#: What a client may subscribe to, and the group each kind of id names.
GROUPS = {"topic": topic_group, "community": community_group}


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """Joins the groups a page asks for once the reader may read them; forwards their events."""

    user_id: int | None
    messages: int
    #: Groups joined, with the community each belongs to.
    joined: dict[str, int]
    #: Communities that were public when subscribed: their events need no re-check.
    public_communities: set[int]

    async def connect(self) -> None:
        register_websocket_loop(asyncio.get_running_loop())
        user = self.scope.get("user")
        self.user_id = user.pk if user is not None and user.is_authenticated else None
        self.messages = 0
        self.joined = {}
        self.public_communities = set()
        await self.accept()
        if self.user_id is not None:
            await self.channel_layer.group_add(user_group(self.user_id), self.channel_name)

    async def disconnect(self, code: int) -> None:
        groups = list(self.joined)
        if self.user_id is not None:
            groups.append(user_group(self.user_id))
        for group in groups:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        self.messages += 1
        if self.messages > MAX_MESSAGES:
            await self.close(code=TOO_MANY_MESSAGES)
            return
        request = content.get("subscribe") if isinstance(content, dict) else None
        if not (isinstance(request, dict) and len(request) == 1):
            await self.send_json({"error": "unknown message"})
            return
        ((kind, raw_id),) = request.items()
        if kind not in GROUPS or not _is_id(raw_id):
            await self.send_json({"error": "unknown message"})
            return
        group = GROUPS[kind](raw_id)
        if group not in self.joined and len(self.joined) >= MAX_SUBSCRIPTIONS:
            await self.send_json({"refused": {kind: raw_id}})
            return
        granted = await database_sync_to_async(authorize)(self.scope["user"], kind, raw_id)
        if granted is None:
            await self.send_json({"refused": {kind: raw_id}})
            return
        community_id, public = granted
        if public:
            self.public_communities.add(community_id)
        self.joined[group] = community_id
        await self.channel_layer.group_add(group, self.channel_name)
        await self.send_json({"subscribed": {kind: raw_id}})

    async def live_event(self, message: dict[str, Any]) -> None:
        """A published event: forwarded if its reader may still read where it happened."""
        event = message["event"]
        group = message.get("group", "")
        own = self.user_id is not None and group == user_group(self.user_id)
        if not own:
            if group not in self.joined:
                return
            community_id = event.get("community_id", self.joined[group])
            if community_id not in self.public_communities and not await database_sync_to_async(
                still_readable
            )(self.user_id, community_id):
                return
        await self.send_json(event)


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def authorize(actor: Actor, kind: str, object_id: int) -> tuple[int, bool] | None:
    """(community id, public?) if ``actor`` may read the topic or community, else None."""
    try:
        if kind == "topic":
            topic = Topic.objects.select_related("community").filter(pk=object_id).first()
            if topic is None:
                return None
            check_read_topic(actor, topic)
            return topic.community_id, topic.community.visibility == Visibility.PUBLIC
        community = Community.objects.filter(pk=object_id).first()
        if community is None:
            return None
        check_read_community(actor, community)
        return community.pk, community.visibility == Visibility.PUBLIC
    except (Http404, PermissionDenied):
        return None


def still_readable(user_id: int | None, community_id: int) -> bool:
    """Whether the connection's user, as they are now, may read the community's content.

    Loaded afresh: a member who left, was removed or was suspended since subscribing
    must not receive one more event.
    """
    actor: Actor = AnonymousUser()
    if user_id is not None:
        actor = get_user_model().objects.filter(pk=user_id, is_active=True).first() or actor
    return readable_communities(actor, Community.objects.filter(pk=community_id)).exists()
