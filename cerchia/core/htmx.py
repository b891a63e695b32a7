"""htmx: one partial, two entry points.

A page template includes its partial; the same view answers an htmx request
with the partial alone and a normal request with the whole page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def is_htmx(request: HttpRequest) -> bool:
    """True for a request htmx made to swap part of a page (not a boosted navigation)."""
    details = getattr(request, "htmx", None)
    return bool(details) and not bool(getattr(details, "boosted", False))


def render_page(
    request: HttpRequest,
    template: str,
    context: Mapping[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """``partial`` for an htmx request, ``template`` otherwise.

    A partial re-rendered with form errors goes to htmx as 422, which base.html's
    htmx config swaps (it swaps no other 4xx); a full page keeps ``status`` (400).
    """
    if partial is not None and is_htmx(request):
        response = render(request, partial, context, status=422 if status == 400 else status)
    else:
        response = render(request, template, context, status=status)
    if partial is not None:
        patch_vary_headers(response, ["HX-Request"])
    return response
