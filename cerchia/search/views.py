"""The search page: parse the form, call ``search_posts``, render (htmx swaps the results)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from cerchia.communities.forms import add_action_errors
from cerchia.core.htmx import render_page
from cerchia.core.pagination import InvalidCursor
from cerchia.search import queries
from cerchia.search.forms import SearchForm


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search what the visitor may read. A community they may not read is a 404; a cursor
    that does not fit gives the first page; a query that is too long, a form error."""
    form = SearchForm(request.GET)
    form.is_valid()  # a value that does not fit is dropped (and shown); the others still apply
    data = form.cleaned_data

    def run(cursor: str | None) -> queries.SearchResults:
        return queries.search_posts(
            request.user,
            data.get("q", ""),
            community=data.get("community") or None,
            author=data.get("author") or None,
            kind=data.get("kind") or None,
            answered=form.answered_value(),
            cursor=cursor,
        )

    results = None
    try:
        try:
            results = run(request.GET.get("cursor") or None)
        except InvalidCursor:
            results = run(None)
    except ValidationError as error:
        add_action_errors(form, error)
    selected = results.community if results else None
    context: dict[str, Any] = {
        "form": form,
        "results": results,
        "page": results,
        "is_later_page": bool(results and results.offset),
        "communities": queries.search_communities(request.user, selected),
        "selected_community": selected.slug if selected else data.get("community", ""),
    }
    status = 400 if form.errors else 200
    return render_page(
        request,
        "search/search.html",
        context,
        partial="search/_partials/results.html",
        status=status,
    )
