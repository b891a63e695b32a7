"""Private moderator notes on a member: written and read by hosts, never by the member."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from cerchia.communities.models import Community
from cerchia.insights.log import record_event
from cerchia.moderation import permissions
from cerchia.moderation.actions.sanctions import _clean_text
from cerchia.moderation.models import ModeratorNote

if TYPE_CHECKING:
    from cerchia.accounts.models import User

MAX_NOTE = 5000


def add_moderator_note(actor: User, community: Community, member: Any, body: str) -> ModeratorNote:
    """Keep a note about ``member``. Raises PermissionDenied/Http404, ValidationError."""
    permissions.check_moderate(actor, community)
    body = _clean_text(body, "body", MAX_NOTE, required=True)
    with transaction.atomic():
        note = ModeratorNote.objects.create(
            community=community, member=member, author=actor, body=body
        )
        record_event(
            "moderation.note_added",
            actor=actor,
            community=community,
            subject=note,
            member_id=member.pk,
        )
    return note
