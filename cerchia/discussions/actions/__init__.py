"""Every write to discussions, one named action each.

Each action checks the actor's rights, writes in one transaction, records an event,
keeps the search index current, and registers live events and notification tasks
to run after commit.
"""

from cerchia.discussions.actions.attachments import upload_attachment
from cerchia.discussions.actions.posts import (
    create_reply,
    create_topic,
    delete_post,
    edit_post,
    restore_post,
)
from cerchia.discussions.actions.reactions import (
    add_bookmark,
    add_reaction,
    remove_bookmark,
    remove_reaction,
)
from cerchia.discussions.actions.reading import (
    mark_all_read,
    mark_read,
    set_community_notification_level,
    set_topic_notification_level,
)
from cerchia.discussions.actions.topics import (
    accept_answer,
    close_topic,
    lock_topic,
    move_topic,
    pin_topic,
    unaccept_answer,
)

__all__ = [
    "accept_answer",
    "add_bookmark",
    "add_reaction",
    "close_topic",
    "create_reply",
    "create_topic",
    "delete_post",
    "edit_post",
    "lock_topic",
    "mark_all_read",
    "mark_read",
    "move_topic",
    "pin_topic",
    "remove_bookmark",
    "remove_reaction",
    "restore_post",
    "set_community_notification_level",
    "set_topic_notification_level",
    "unaccept_answer",
    "upload_attachment",
]
