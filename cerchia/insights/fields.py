"""Custom member fields: the rules for a field's definition and for each kind of answer.

One place decides what a valid answer is, for the join forms, the about-you page and the API:
``clean_answer`` turns raw input (form strings or JSON values) into the stored JSON value,
or raises ``ValidationError`` with a message for people. ``display_answer`` turns a stored
value back into text.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cerchia.insights.models import FieldKind

if TYPE_CHECKING:
    from cerchia.insights.models import MemberField

MAX_TEXT_LENGTH = 500
MAX_LABEL_LENGTH = 120
MAX_HELP_LENGTH = 300
MAX_OPTION_LENGTH = 80
MIN_OPTIONS = 2
MAX_OPTIONS = 30
#: Live (not archived) fields per community.
MAX_LIVE_FIELDS = 30
#: Numbers are kept as JSON numbers: no more than this in size, nor these decimal places.
MAX_NUMBER = Decimal("1e12")
MAX_DECIMAL_PLACES = 6
MIN_DATE = datetime.date(1900, 1, 1)
MAX_DATE = datetime.date(2100, 12, 31)

CHOICE_KINDS = frozenset({FieldKind.CHOICE, FieldKind.MULTIPLE})
_TRUE = frozenset({"yes", "true", "on", "1"})
_FALSE = frozenset({"no", "false", "off", "0"})

Answer = str | int | float | bool | list[str]


def is_empty(raw: Any) -> bool:
    """No answer given: nothing, blank text, or an empty selection."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple):
        return not raw
    return False


# --- Defining fields ----------------------------------------------------------------------


def clean_options(kind: str, options: Iterable[Any] | None) -> list[str]:
    """The options of a choice field (2–30 unique, short, non-blank); [] for other kinds."""
    if kind not in CHOICE_KINDS:
        return []
    cleaned: list[str] = []
    for option in options or []:
        if not isinstance(option, str):
            raise ValidationError(_("Each option must be text."), code="option_type")
        text = " ".join(option.split())
        if not text:
            continue
        if "\x00" in text:
            raise ValidationError(_("Options cannot contain NUL characters."), code="nul")
        if len(text) > MAX_OPTION_LENGTH:
            raise ValidationError(
                _("Keep each option under %(n)d characters.") % {"n": MAX_OPTION_LENGTH},
                code="option_length",
            )
        if text.casefold() in {seen.casefold() for seen in cleaned}:
            raise ValidationError(
                _("The option “%(option)s” is listed twice.") % {"option": text},
                code="option_duplicate",
            )
        cleaned.append(text)
    if not MIN_OPTIONS <= len(cleaned) <= MAX_OPTIONS:
        raise ValidationError(
            _("A choice field needs between %(min)d and %(max)d options.")
            % {"min": MIN_OPTIONS, "max": MAX_OPTIONS},
            code="option_count",
        )
    return cleaned


def clean_label(label: Any, *, limit: int = MAX_LABEL_LENGTH, required: bool = True) -> str:
    """A question or help text: trimmed, no NUL, within ``limit``; required unless told."""
    if not isinstance(label, str):
        raise ValidationError(_("Enter text."), code="type")
    text = label.strip()
    if required and not text:
        raise ValidationError(_("This field is required."), code="required")
    if "\x00" in text:
        raise ValidationError(_("Text cannot contain NUL characters."), code="nul")
    if len(text) > limit:
        raise ValidationError(
            _("Keep it under %(n)d characters.") % {"n": limit}, code="max_length"
        )
    return text


# --- Answers --------------------------------------------------------------------------------


def _clean_text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise ValidationError(_("Enter text."), code="type")
    text = raw.strip()
    if "\x00" in text:
        raise ValidationError(_("Text cannot contain NUL characters."), code="nul")
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationError(
            _("Keep your answer under %(n)d characters.") % {"n": MAX_TEXT_LENGTH},
            code="max_length",
        )
    return text


def _clean_number(raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise ValidationError(_("Enter a number."), code="type")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise ValidationError(_("Enter a number."), code="type")
    if isinstance(raw, int | float):
        text = repr(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # a decimal comma, as Italian writes it
    else:
        raise ValidationError(_("Enter a number."), code="type")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter a number."), code="invalid") from None
    if not number.is_finite():
        raise ValidationError(_("Enter a number."), code="invalid")
    if abs(number) >= MAX_NUMBER:
        raise ValidationError(_("This number is too large."), code="max_value")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise ValidationError(
            _("Use at most %(n)d decimal places.") % {"n": MAX_DECIMAL_PLACES},
            code="decimal_places",
        )
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def _clean_date(raw: Any) -> str:
    if isinstance(raw, datetime.datetime):
        raw = raw.date()
    if isinstance(raw, datetime.date):
        day = raw
    elif isinstance(raw, str):
        try:
            day = datetime.date.fromisoformat(raw.strip())
        except ValueError:
            raise ValidationError(
                _("Enter a date as year-month-day, like 2024-05-31."), code="invalid"
            ) from None
    else:
        raise ValidationError(_("Enter a date as year-month-day, like 2024-05-31."), code="type")
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValidationError(
            _("Enter a date between %(min)s and %(max)s.")
            % {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()},
            code="range",
        )
    return day.isoformat()


def _clean_choice(raw: Any, options: list[str]) -> str:
    if not isinstance(raw, str) or raw.strip() not in options:
        raise ValidationError(_("Pick one of the options."), code="invalid_choice")
    return raw.strip()


def _clean_multiple(raw: Any, options: list[str]) -> list[str]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list | tuple) or not all(isinstance(item, str) for item in raw):
        raise ValidationError(_("Pick from the options."), code="type")
    picked = [item.strip() for item in raw]
    if len(set(picked)) != len(picked):
        raise ValidationError(_("Pick each option only once."), code="duplicate")
    unknown = [item for item in picked if item not in options]
    if unknown:
        raise ValidationError(_("Pick only from the options."), code="invalid_choice")
    # Kept in the options' order, so equal answers are stored alike.
    return [option for option in options if option in picked]


def _clean_yes_no(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise ValidationError(_("Answer yes or no."), code="type")


def clean_answer(field: MemberField, raw: Any) -> Answer | None:
    """The stored value of an answer to ``field``, or None when there is none.

    Raises ValidationError when the answer does not fit the field's kind, or when a required
    field is left empty.
    """
    if is_empty(raw):
        if field.required:
            raise ValidationError(_("Please answer this question."), code="required")
        return None
    kind = field.kind
    if kind == FieldKind.TEXT:
        return _clean_text(raw)
    if kind == FieldKind.NUMBER:
        return _clean_number(raw)
    if kind == FieldKind.DATE:
        return _clean_date(raw)
    if kind == FieldKind.CHOICE:
        return _clean_choice(raw, list(field.choices or []))
    if kind == FieldKind.MULTIPLE:
        return _clean_multiple(raw, list(field.choices or []))
    if kind == FieldKind.YES_NO:
        return _clean_yes_no(raw)
    raise ValidationError(_("This question cannot be answered."), code="kind")


def clean_answers(
    fields: Iterable[MemberField], raw: dict[int, Any], *, key: str = "fields.{id}"
) -> dict[int, Answer | None]:
    """Every field's cleaned answer by id; ValidationError keyed ``key`` names each bad one.

    Fields missing from ``raw`` count as unanswered (so required ones are refused).
    """
    cleaned: dict[int, Answer | None] = {}
    errors: dict[str, list[str]] = {}
    for field in fields:
        try:
            cleaned[field.pk] = clean_answer(field, raw.get(field.pk))
        except ValidationError as error:
            errors[key.format(id=field.pk)] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def still_valid(field: MemberField, value: Any) -> Answer | None:
    """A stored answer under the field's current options: options that went are dropped."""
    if field.kind == FieldKind.CHOICE:
        return value if value in (field.choices or []) else None
    if field.kind == FieldKind.MULTIPLE:
        kept = [option for option in field.choices or [] if option in (value or [])]
        return kept or None
    return value


def display_answer(field: MemberField, value: Any) -> str:
    """A stored answer as text for people, in the current language."""
    if value is None:
        return ""
    if field.kind == FieldKind.YES_NO:
        return pgettext("answer", "Yes") if value else pgettext("answer", "No")
    if field.kind == FieldKind.MULTIPLE and isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if field.kind == FieldKind.DATE and isinstance(value, str):
        try:
            return str(formats.date_format(datetime.date.fromisoformat(value), "DATE_FORMAT"))
        except ValueError:
            return value
    if field.kind == FieldKind.NUMBER and isinstance(value, int | float):
        return str(formats.localize(value, use_l10n=True))
    return str(value)


def form_initial(field: MemberField, value: Any) -> Any:
    """A stored answer as a form's initial value."""
    if value is None:
        return None
    if field.kind == FieldKind.YES_NO:
        return "yes" if value else "no"
    if field.kind == FieldKind.NUMBER:
        return str(value)
    return value
