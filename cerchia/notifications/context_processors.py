"""The header's notification badge: the unread count, counted only if a page shows it."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.http import HttpRequest

from cerchia.notifications.queries import count_unread


def notifications(request: HttpRequest) -> dict[str, Callable[[], int]]:
    user: Any = getattr(request, "user", None)

    @cache
    def unread() -> int:
        return count_unread(user) if user is not None else 0

    # Templates call a callable when they read it: no count on pages without the badge.
    return {"notifications_unread": unread}
