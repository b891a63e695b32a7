"""Who may block, set affiliations and remove disclosure labels.

``check_*`` raise (Http404 for what the actor may not know exists, PermissionDenied for
what they may see but not do), ``can_*`` answer for templates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from cerchia.accounts.permissions import check_not_suspended
from cerchia.communities.models import Membership
from cerchia.communities.permissions import _can
from cerchia.discussions.permissions import check_read_post
from cerchia.moderation.permissions import check_moderate

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cerchia.accounts.models import User
    from cerchia.discussions.models import Post

    Actor = User | AnonymousUser


def check_manage_blocks(actor: Actor) -> None:
    """See and change one's own blocks: any signed-in member with an active account."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Sign in first."))
    check_not_suspended(actor)


def check_block(actor: Actor, target: User) -> None:
    """Block ``target``: anyone but oneself (the target's profile was resolved by the caller)."""
    check_manage_blocks(actor)
    if target.pk == actor.pk:
        raise ValidationError({"handle": _("You cannot block yourself.")})


def can_block(actor: Actor, target: User | None) -> bool:
    if target is None:
        return False
    try:
        check_block(actor, target)
    except (PermissionDenied, ValidationError):
        return False
    return True


def check_set_affiliation(actor: Actor, membership: Membership) -> None:
    """Mark a member's affiliation: the community's hosts (and site admins)."""
    check_moderate(actor, membership.community)


def check_remove_disclosure(actor: Actor, post: Post) -> None:
    """Remove a published post's disclosure label: the hosts; others who read it get 403."""
    check_read_post(actor, post)
    check_moderate(actor, post.topic.community)


def can_remove_disclosure(actor: Actor, post: Post) -> bool:
    return bool(post.disclosure) and _can(check_remove_disclosure, actor, post)
