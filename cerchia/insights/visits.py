"""Visits: a member viewing a page of their community, counted once per 30-minute session.

A visit is recorded as a ``community.visited`` event, which the rollups count apart from
engaged events. ``cache.add`` gates it, so a page view already counted costs one cache call;
any failure is logged and swallowed: counting visits never slows down or breaks a page.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import transaction

from cerchia.insights.log import record_event

if TYPE_CHECKING:
    from cerchia.accounts.models import User
    from cerchia.communities.models import Community

logger = logging.getLogger(__name__)

VISIT_KIND = "community.visited"
#: One visit per member per community in this many seconds.
SESSION_SECONDS = 30 * 60


def visit_key(community_id: int, user_id: int) -> str:
    return f"insights:visit:{community_id}:{user_id}"


def record_visit(user: User, community: Community) -> bool:
    """Record a visit unless one was recorded in the last 30 minutes; True if recorded.

    The caller has established that ``user`` is a member of ``community``. Never raises."""
    try:
        if not cache.add(visit_key(community.pk, user.pk), 1, timeout=SESSION_SECONDS):
            return False
    except Exception:
        logger.warning("visit not counted: the cache is unavailable", exc_info=True)
        return False
    try:
        with transaction.atomic():
            record_event(VISIT_KIND, actor=user, community=community)
    except Exception:
        logger.warning("visit not counted", exc_info=True)
        with contextlib.suppress(Exception):
            cache.delete(visit_key(community.pk, user.pk))
        return False
    return True
