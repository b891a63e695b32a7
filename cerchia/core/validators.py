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
