"""Problem details (RFC 9457): every error the API answers, in one JSON shape.

``{"type", "title", "status", "detail", "code"}`` plus ``errors`` (field name → messages)
for invalid input, served as ``application/problem+json``. Client errors are always
4xx; an unexpected exception is logged and answered with a bare 500 problem, never a
traceback.
"""

from __future__ import annotations

import json
import logging
import math
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import errors as ninja_errors
from pydantic import BaseModel, Field

from cerchia.core.errors import ActionRefused
from cerchia.core.pagination import InvalidCursor
from cerchia.core.ratelimit import LimitUnavailable, RateLimited

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("cerchia.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
#: Where ``errors`` puts messages that belong to no single field (Django's key).
NON_FIELD = NON_FIELD_ERRORS


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str = Field(
        description="A URI naming the kind of problem: `urn:cerchia:problem:<code>`.",
        examples=["urn:cerchia:problem:not_found"],
    )
    title: str = Field(description="The HTTP status phrase.", examples=["Not Found"])
    status: int = Field(description="The HTTP status code.", examples=[404])
    detail: str = Field(
        description="What went wrong, for people, in the member's language.",
        examples=["No such community."],
    )
    code: str = Field(
        description="A stable machine-readable slug: `validation_error`, `malformed_body`, "
        "`not_found`, `permission_denied`, `csrf_failed`, `not_authenticated`, "
        "`invalid_cursor`, `method_not_allowed`, `too_large`, `throttled`, `unavailable`, "
        "or the slug of a refused action (for example `decided`, `request_pending`).",
        examples=["not_found"],
    )
    errors: dict[str, list[str]] | None = Field(
        default=None,
        description="For invalid input: messages by field name (`__all__` for the whole body).",
        examples=[{"slug": ["This address is taken."]}],
    )


def problem(
    status: int,
    detail: str,
    *,
    code: str,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """A problem-details response."""
    body: dict[str, Any] = {
        "type": f"urn:cerchia:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        status=status,
        content_type=f"{PROBLEM_CONTENT_TYPE}; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def problems(*statuses: int) -> dict[int, type[Problem]]:
    """The ``response=`` entries declaring that an operation may answer these problems."""
    return dict.fromkeys(statuses, Problem)


# --- Mapping exceptions --------------------------------------------------------------


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """A Django ``ValidationError`` as messages by field (``__all__`` when it has no field)."""
    if hasattr(error, "error_dict"):
        return {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
    return {NON_FIELD: [str(message) for message in error.messages]}


def _input_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Ninja's pydantic errors by field: ``body``/``query``/``path`` and the body's name dropped."""
    result: dict[str, list[str]] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        source, rest = (loc[0], loc[1:]) if loc else ("body", [])
        if source == "body" and rest:
            rest = rest[1:]  # the handler's parameter name, e.g. "payload"
        field = ".".join(rest) or (NON_FIELD if source == "body" else source)
        message = str(error.get("msg", "Invalid value."))
        result.setdefault(field, []).append(message.removeprefix("Value error, "))
    return result


def _on_ninja_validation(request: HttpRequest, exc: ninja_errors.ValidationError) -> HttpResponse:
    return problem(
        422,
        _("The request is not valid."),
        code="validation_error",
        errors=_input_errors(exc.errors),
    )


def _on_django_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = field_errors(exc)
    detail = _("The request is not valid.")
    if list(errors) == [NON_FIELD] and errors[NON_FIELD]:
        detail = errors[NON_FIELD][0]
    return problem(422, detail, code="validation_error", errors=errors)


def _on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(403, str(exc) or _("You may not do this."), code="permission_denied")


def _on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = str(exc) if exc.args and isinstance(exc.args[0], str) else ""
    # get_object_or_404's message names the model class: not for integrators.
    if not message or (message.startswith("No ") and "matches the given query" in message):
        message = _("Not found.")
    return problem(404, message, code="not_found")


def _on_refused(request: HttpRequest, exc: ActionRefused) -> HttpResponse:
    status = exc.status if 400 <= exc.status < 500 else 409
    return problem(status, exc.message, code=exc.code)


def _on_invalid_cursor(request: HttpRequest, exc: InvalidCursor) -> HttpResponse:
    return problem(
        400,
        _("The cursor is not valid; start again from the first page."),
        code="invalid_cursor",
        errors={"cursor": [_("Not a cursor this API issued.")]},
    )


def _on_http_error(request: HttpRequest, exc: ninja_errors.HttpError) -> HttpResponse:
    status = exc.status_code
    if isinstance(exc, ninja_errors.Throttled):
        headers = {"Retry-After": str(math.ceil(exc.wait))} if exc.wait else {}
        return problem(429, _("Too many requests; slow down."), code="throttled", headers=headers)
    if isinstance(exc, ninja_errors.AuthenticationError):
        detail = exc.message if exc.message != "Unauthorized" else _("Sign in or send a token.")
        return problem(
            401, detail, code="not_authenticated",
            headers={"WWW-Authenticate": 'Bearer realm="cerchia"'},
        )  # fmt: skip
    if status == 400 and "parse request body" in exc.message:
        return problem(
            400,
            _("The request body is not valid JSON."),
            code="malformed_body",
        )
    if status == 403:
        detail = exc.message
        if detail == "CSRF check Failed":
            detail = _("The CSRF token is missing or wrong; reload the page.")
            return problem(403, detail, code="csrf_failed")
        return problem(403, detail, code="permission_denied")
    code = "error" if status >= 500 else "bad_request"
    return problem(status, exc.message, code=code)


def _on_rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    headers = {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, LimitUnavailable):
        detail = _("This is paused for a moment on our side; try again shortly.")
        return problem(503, detail, code="unavailable", headers=headers)
    return problem(429, _("Too many requests; slow down."), code="throttled", headers=headers)


def _on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return problem(413, _("The request body is too large."), code="too_large")


def _on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return problem(400, _("The request is not valid."), code="bad_request")


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return problem(500, _("Something went wrong on our side."), code="server_error")


def install(api: NinjaAPI) -> None:
    """Answer every exception ``api`` may meet with a problem."""
    handlers: list[tuple[type[Exception], Any]] = [
        (Exception, _on_unexpected),
        (ninja_errors.ValidationError, _on_ninja_validation),
        (ninja_errors.HttpError, _on_http_error),
        (ValidationError, _on_django_validation),
        (PermissionDenied, _on_permission_denied),
        (Http404, _on_not_found),
        (ActionRefused, _on_refused),
        (InvalidCursor, _on_invalid_cursor),
        (RateLimited, _on_rate_limited),
        (RequestDataTooBig, _on_too_big),
        (SuspiciousOperation, _on_suspicious),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
