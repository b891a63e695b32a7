"""Blocking: a member stops seeing another's posts, and neither can mention or notify the other.

Blocks are site-wide and private: nobody is told they were blocked. They never get in the
way of moderation: hosts still read everything in their community, and moderation
messages still reach a member who blocked a host.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from cerchia.insights.log import record_event
from cerchia.moderation.models import Block
from cerchia.moderation.permissions_people import check_block, check_manage_blocks
from cerchia.moderation.queries_blocks import forget_block_set

if TYPE_CHECKING:
    from cerchia.accounts.models import User


def block_member(actor: User, target: User) -> Block:
    """Block ``target`` (idempotent: blocking twice keeps the first block).

    Raises PermissionDenied (signed out, suspended), ValidationError (oneself)."""
    check_block(actor, target)
    existing = Block.objects.filter(blocker=actor, blocked=target).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            block = Block.objects.create(blocker=actor, blocked=target)
            record_event("moderation.member_blocked", actor=actor, subject=block, blocked=target.pk)
    except IntegrityError:
        # A concurrent request blocked them first.
        return Block.objects.get(blocker=actor, blocked=target)
    forget_block_set(actor)
    return block


def unblock_member(actor: User, target: User) -> bool:
    """Lift the actor's block of ``target``; returns whether there was one."""
    check_manage_blocks(actor)
    with transaction.atomic():
        deleted, _rows = Block.objects.filter(blocker=actor, blocked=target).delete()
        if deleted:
            record_event("moderation.member_unblocked", actor=actor, unblocked=target.pk)
    forget_block_set(actor)
    return bool(deleted)
