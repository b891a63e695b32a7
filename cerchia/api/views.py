"""The API's HTML docs page and its answers outside any operation (unknown path, wrong method)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cerchia.api.errors import NON_FIELD, problem
from cerchia.api.schemas import has_nul


@require_safe
def docs(request: HttpRequest) -> HttpResponse:
    """Swagger UI, served from local static files (the CSP allows no other origin)."""
    return render(request, "api/docs.html", {"openapi_url": reverse("api:openapi-json")})


@require_safe
def index(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """``/api/v1/``: where the schema and the docs are."""
    return JsonResponse(
        {
            "name": "Cerchia API",
            "version": "1",
            "openapi": request.build_absolute_uri(reverse("api:openapi-json")),
            "docs": request.build_absolute_uri(reverse("api-docs")),
        }
    )


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    return problem(404, _("There is no API endpoint at this address."), code="not_found")


def guarded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An operation's view, refusing NUL characters in the path or query (no database stores
    them) and answering an unsupported method with a problem instead of plain text."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if has_nul(request.path) or any(has_nul(v) for v in request.GET.lists()):
            return problem(
                422,
                _("The request is not valid."),
                code="validation_error",
                errors={NON_FIELD: [_("The address cannot contain NUL characters.")]},
            )
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
