"""Keyset pagination: stable pages that cost the same on page 1 and page 1,000."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

T = TypeVar("T", bound=Model)


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Page[T: Model]:
    items: list[T]
    next_cursor: str | None

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as error:
        raise InvalidCursor("malformed cursor") from error
    if not isinstance(values, list) or len(values) != width:
        raise InvalidCursor("malformed cursor")
    if not all(isinstance(value, str | int | float) for value in values):
        raise InvalidCursor("malformed cursor")
    return values


def keyset_page[T: Model](
    queryset: QuerySet[T], ordering: Sequence[str], cursor: str | None, limit: int
) -> Page[T]:
    """One page of ``queryset`` ordered by ``ordering`` (unique together, e.g. ``("name", "id")``).

    Each field may start with ``-`` for descending order. The cursor holds the
    last row's values; an unusable cursor raises ``InvalidCursor``.
    """
    fields = [name.lstrip("-") for name in ordering]
    queryset = queryset.order_by(*ordering)
    if cursor:
        values = _typed(queryset.model, fields, decode_cursor(cursor, len(fields)))
        condition = Q()
        for index, name in enumerate(ordering):
            field = fields[index]
            lookup = "lt" if name.startswith("-") else "gt"
            step = Q(**{f"{field}__{lookup}": values[index]})
            for previous in range(index):
                step &= Q(**{fields[previous]: values[previous]})
            condition |= step
        queryset = queryset.filter(condition)
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([_value(last, field) for field in fields])
    return Page(items=rows, next_cursor=next_cursor)


def _typed(model: type[Model], fields: Sequence[str], values: list[Any]) -> list[Any]:
    """The cursor's values as the ordering fields' Python types (InvalidCursor if they do not
    fit), so a forged cursor is refused here rather than failing in the database."""
    typed = []
    for path, value in zip(fields, values, strict=True):
        field: Any = None
        current = model
        for part in path.split("__"):
            field = current._meta.get_field(part)
            if field.is_relation and field.related_model is not None:
                current = field.related_model
        if field.is_relation:
            field = field.target_field
        try:
            value = field.to_python(value)
        except (ValidationError, TypeError, ValueError, OverflowError) as error:
            raise InvalidCursor("malformed cursor") from error
        if isinstance(value, datetime) and timezone.is_naive(value):
            raise InvalidCursor("malformed cursor")  # the cursors we issue carry their offset
        typed.append(value)
    return typed


def _value(row: Model, field: str) -> Any:
    value: Any = row
    for part in field.split("__"):
        value = getattr(value, part)
    if isinstance(value, Model):
        return value.pk
    return value
