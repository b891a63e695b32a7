"""The API's HTML docs page and its answers outside any operation (unknown path, wrong method)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cerchia.api.errors import problem


@require_safe
def docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI, served from local static files (the CSP allows no other origin)."""
    return render(request, "api/docs.html", {"openapi_url": reverse("api:openapi-json")})


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    return problem(404, _("There is no API endpoint at this address."), code="not_found")


def with_problem_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn the plain-text 405 of an unsupported method into a problem (keeping ``Allow``)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return problem(
                405,
                _("This endpoint does not support %(method)s.") % {"method": request.method},
                code="method_not_allowed",
                headers={"Allow": response["Allow"]},
            )
        return response

    return wrapper
