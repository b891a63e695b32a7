"""The live event notifications emit: a nudge to the recipient's own group, no content.

The browser answers it by fetching the badge (``notifications:badge``), which counts
through the permission-checked query.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from cerchia.live.publish import publish_on_commit, user_group


class NotificationsChangedEvent(TypedDict):
    type: Literal["notification.changed"]


EVENT_TYPES = {"notification.changed": NotificationsChangedEvent}


def publish_changed(user_ids: list[int]) -> None:
    """Tell each user's open pages, after commit, that their notifications changed."""
    ids = list(dict.fromkeys(user_ids))
    event: NotificationsChangedEvent = {"type": "notification.changed"}
    for user_id in ids:
        publish_on_commit(user_group(user_id), dict(event))
