"""Removing a published post's disclosure label: only a host may, and it is logged."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cerchia.discussions import events
from cerchia.insights.log import record_event
from cerchia.moderation.models import LogAction, ModerationLogEntry
from cerchia.moderation.permissions_people import check_remove_disclosure

if TYPE_CHECKING:
    from cerchia.accounts.models import User
    from cerchia.discussions.models import Post

REASON_MAX = 300


def remove_disclosure(actor: User, post: Post, reason: str = "") -> Post:
    """Take the sponsored or gift label off a post, with the reason in the moderation log.

    Raises PermissionDenied/Http404 (hosts only), ValidationError (no label, long reason)."""
    check_remove_disclosure(actor, post)
    if "\x00" in (reason or ""):
        raise ValidationError({"reason": _("Text cannot contain NUL characters.")})
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX}}
        )
    if not post.disclosure:
        raise ValidationError({"disclosure": _("This post has no disclosure label.")})
    community = post.topic.community
    with transaction.atomic():
        previous, brand = post.disclosure, post.disclosure_brand
        post.disclosure = post.disclosure_brand = ""
        # A save, not an update(): cached pages of the community hear of the change.
        post.save(update_fields=["disclosure", "disclosure_brand"])
        ModerationLogEntry.objects.create(
            community=community,
            actor=actor,
            action=LogAction.DISCLOSURE_REMOVED,
            detail=previous,
            member_id=post.author_id,
            post=post,
            topic_id=post.topic_id,
            note=reason,
        )
        record_event(
            "moderation.disclosure_removed",
            actor=actor,
            community=community,
            subject=post,
            post_id=post.pk,
            topic_id=post.topic_id,
            previous=previous,
            brand=brand,
        )
        events.publish_post("post.edited", post)
    return post
