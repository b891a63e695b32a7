"""A clock the demo loader sets back, so the world it builds has a believable past.

The demo acts through the real actions, and those stamp rows (and the event log)
with ``django.utils.timezone.now()``. Inside :func:`demo_time` that function
answers a chosen moment instead, so a member who "joined in March" has a
membership, a ``membership.joined`` event and a rules acceptance all dated in
March, written once, like any other row — no event is ever edited afterwards.

Only the demo command uses this, in its own process, one step at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone


class _ClockMeta(type):
    def __instancecheck__(cls, instance: object) -> bool:
        # ``isinstance(value, datetime)`` inside django.utils.timezone keeps working.
        return isinstance(instance, dt.datetime)

    def __subclasscheck__(cls, subclass: type) -> bool:
        return issubclass(subclass, dt.datetime)


def _clock_class(moment: dt.datetime) -> type[dt.datetime]:
    class ClockDatetime(dt.datetime, metaclass=_ClockMeta):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Any:
            return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)

    return ClockDatetime


@contextmanager
def demo_time(moment: dt.datetime) -> Iterator[None]:
    """Make ``timezone.now()`` return ``moment`` (an aware datetime) until the block ends."""
    if timezone.is_naive(moment):
        raise ValueError("demo_time needs an aware datetime")
    original = timezone.datetime  # type: ignore[attr-defined]
    timezone.datetime = _clock_class(moment)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        timezone.datetime = original  # type: ignore[attr-defined]
