import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

handle_validator = RegexValidator(
    r"^[A-Za-z0-9_]{3,30}\Z",
    _("Use 3–30 letters, digits or underscores."),
    code="invalid_handle",
)
slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{1,48}[a-z0-9])\Z",
    _("Use 3–50 lowercase letters, digits or hyphens, not starting or ending with a hyphen."),
    code="invalid_slug",
)


@cache
def available_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def timezone_validator(name: str) -> None:
    """Accept an IANA timezone name ("Europe/Rome"); blank values are the field's business."""
    if name and name not in available_timezones():
        raise ValidationError(
            _("“%(name)s” is not a timezone we know.") % {"name": name[:64]},
            code="invalid_timezone",
        )
