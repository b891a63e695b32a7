"""Custom member fields: the hosts' questions page (list, add, edit, move, archive) and each
member's about-you page, where they see and change their answers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cerchia.communities.forms import add_action_errors
from cerchia.communities.resolvers import MemberRequest, community_view
from cerchia.core.htmx import is_htmx
from cerchia.insights import actions_fields as actions
from cerchia.insights import queries_fields as queries
from cerchia.insights.forms_fields import (
    AboutYouForm,
    FieldDefinitionForm,
    MoveForm,
    answers_from,
    error_aliases,
)


def _fields_url(request: MemberRequest) -> str:
    return reverse("insights:fields", kwargs={"slug": request.community.slug})


def _list_page(
    request: MemberRequest, *, form: FieldDefinitionForm | None = None, status: int = 200
) -> HttpResponse:
    community = request.community
    context: dict[str, Any] = {
        "community": community,
        "flags": request.flags,
        "section": "fields",
        "fields": queries.list_fields(request.user, community),
        "form": form or FieldDefinitionForm(),
    }
    if is_htmx(request) and status == 200 and request.method == "POST":
        return render(request, "insights/fields/_partials/field_list.html", context)
    return render(request, "insights/fields/list.html", context, status=status)


@require_http_methods(["GET", "POST"])
@community_view("manage", login=True)
def field_list(request: MemberRequest) -> HttpResponse:
    """The community's questions, in order, with a form to add one."""
    if request.method != "POST":
        return _list_page(request)
    form = FieldDefinitionForm(request.POST)
    if form.is_valid():
        try:
            field = actions.create_field(request.user, request.community, **form.action_kwargs())
        except ValidationError as error:
            add_action_errors(form, error, {"choices": "options"})
        else:
            messages.success(request, _("“%(label)s” is added.") % {"label": field.label})
            return redirect(_fields_url(request))
    return _list_page(request, form=form, status=400)


@require_http_methods(["GET", "POST"])
@community_view("manage", login=True)
def field_edit(request: MemberRequest, field_id: int) -> HttpResponse:
    """Change a question's wording, options, purpose and who sees it (archived ones 404)."""
    field = queries.get_field(request.user, request.community, field_id)
    status = 200
    if request.method == "POST":
        form = FieldDefinitionForm(request.POST, editing=field)
        if form.is_valid():
            try:
                actions.update_field(request.user, field, **form.action_kwargs())
            except ValidationError as error:
                add_action_errors(form, error, {"choices": "options"})
            else:
                messages.success(request, _("The question is saved."))
                return redirect(_fields_url(request))
        status = 400
    else:
        form = FieldDefinitionForm(initial=FieldDefinitionForm.initial_for(field), editing=field)
    context = {
        "community": request.community,
        "flags": request.flags,
        "section": "fields",
        "field": field,
        "form": form,
    }
    return render(request, "insights/fields/edit.html", context, status=status)


@require_POST
@community_view("manage", login=True)
def field_archive(request: MemberRequest, field_id: int) -> HttpResponse:
    """Stop asking a question; its answers are kept for the hosts."""
    field = queries.get_field(request.user, request.community, field_id)
    actions.archive_field(request.user, field)
    messages.success(
        request,
        _("“%(label)s” is archived: it is no longer asked or shown.") % {"label": field.label},
    )
    return redirect(_fields_url(request))


@require_POST
@community_view("manage", login=True)
def field_move(request: MemberRequest, field_id: int) -> HttpResponse:
    """Move a question one place up or down."""
    field = queries.get_field(request.user, request.community, field_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        live = queries.list_fields(request.user, request.community).live
        index = next(i for i, item in enumerate(live) if item.pk == field.pk)
        step = -1 if form.cleaned_data["direction"] == "up" else 1
        actions.move_field(request.user, field, to=index + step)
    elif not is_htmx(request):
        messages.error(request, _("Choose up or down."))
    if is_htmx(request):
        return _list_page(request)
    return redirect(_fields_url(request))


# --- Members ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@community_view("read", login=True)
def about_you(request: MemberRequest) -> HttpResponse:
    """A member's answers to the community's questions: see and change them."""
    community = request.community
    loaded = queries.get_my_answers(request.user, community)
    status = 200
    if request.method == "POST":
        form = AboutYouForm(request.POST, fields=loaded.fields, values=loaded.values)
        if form.is_valid():
            try:
                actions.save_my_answers(request.user, community, answers_from(form), complete=True)
            except ValidationError as error:
                add_action_errors(form, error, error_aliases(form))
            else:
                messages.success(request, _("Your answers are saved."))
                return redirect("insights:about_you", slug=community.slug)
        status = 400
    else:
        form = AboutYouForm(fields=loaded.fields, values=loaded.values)
    context = {"community": community, "flags": request.flags, "form": form}
    return render(request, "insights/fields/about_you.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("c/<slug:slug>/insights/fields/", field_list, name="fields"),
    path("c/<slug:slug>/insights/fields/<int:field_id>/", field_edit, name="field_edit"),
    path(
        "c/<slug:slug>/insights/fields/<int:field_id>/archive/",
        field_archive,
        name="field_archive",
    ),
    path("c/<slug:slug>/insights/fields/<int:field_id>/move/", field_move, name="field_move"),
    path("c/<slug:slug>/about-you/", about_you, name="about_you"),
]
