"""Insights pages: the hosts' member table, segments (list, builder, live count, detail,
freeze, delete) and consent-aware exports.

Thin: each view resolves the community (hosts only), reads a form, calls one query or action
and renders; htmx requests get the partial that changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cerchia.communities.forms import add_action_errors
from cerchia.communities.resolvers import MemberRequest, community_view
from cerchia.core.htmx import is_htmx, render_page
from cerchia.core.pagination import InvalidCursor
from cerchia.insights import actions_segments as actions
from cerchia.insights import queries_members as queries
from cerchia.insights.forms_members import (
    Builder,
    MemberFilterForm,
    SegmentForm,
    builder_from_post,
    builder_from_rules,
    field_options,
    op_options,
)
from cerchia.insights.member_export import FORMATS, KINDS
from cerchia.insights.models import Segment
from cerchia.insights.permissions import check_manage_segments, check_view_members
from cerchia.insights.segments import RuleError, make_context, matching_memberships


def count_text(count: int | None) -> str:
    """A member count as hosts see it: "fewer than 5" under the small-group threshold."""
    if count is None:
        return "—"
    if queries.withheld(count):
        return _("fewer than 5 members")
    return ngettext("%(n)d member", "%(n)d members", count) % {"n": count}


def _segments_url(request: MemberRequest) -> str:
    return reverse("insights:segments", kwargs={"slug": request.community.slug})


def _segment_url(segment: Segment) -> str:
    return reverse(
        "insights:segment", kwargs={"slug": segment.community.slug, "segment_id": segment.pk}
    )


def _export_links(base: str, query: dict[str, Any]) -> list[dict[str, str]]:
    labels = {
        ("profile", "csv"): _("Profile (CSV)"),
        ("profile", "json"): _("Profile (JSON)"),
        ("marketing", "csv"): _("Marketing, consenting members only (CSV)"),
        ("marketing", "json"): _("Marketing, consenting members only (JSON)"),
    }
    return [
        {
            "label": labels[(kind, fmt)],
            "url": f"{base}?{urlencode({**query, 'kind': kind, 'format': fmt}, doseq=True)}",
        }
        for kind in KINDS
        for fmt in FORMATS
    ]


def _next_url(request: MemberRequest, cursor: str | None) -> str:
    if not cursor:
        return ""
    params = request.GET.copy()
    params["cursor"] = cursor
    return f"{request.path}?{params.urlencode()}"


def _download(export: actions.Export) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _bad_request(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


# --- The member table ---------------------------------------------------------------------


def _filter_groups(form: MemberFilterForm) -> list[tuple[str, list[Any]]]:
    groups: list[tuple[str, list[str]]] = [
        (_("Who they are"), ["interest", "role", "affiliation", "trust_level"]),
        (_("When they joined"), ["joined_after", "joined_before"]),
        (
            _("Activity (members who consented to analytics)"),
            ["engaged_within", "min_events", "events_days"],
        ),
        (_("Consents"), ["analytics", "marketing"]),
    ]
    if form.context.fields:
        groups.append(
            (
                _("Answer to a question"),
                ["custom_field", "custom_op", "custom_value", "custom_value2"],
            )
        )
    if not form.fields["interest"].choices:  # type: ignore[attr-defined]
        groups[0][1].remove("interest")
    return [(legend, [form[name] for name in names]) for legend, names in groups]


@require_GET
@community_view("manage", login=True)
def member_table(request: MemberRequest) -> HttpResponse:
    """The community's members, filtered and searched, with activity for consenting ones."""
    community = request.community
    check_view_members(request.user, community)
    context = make_context(community)
    form = MemberFilterForm(request.GET or None, context=context)
    status = 200
    table = None
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        rules = form.rules() if form.is_bound else None
        try:
            table = queries.list_members(
                request.user,
                community,
                rules=rules,
                search=form.cleaned_data.get("q", "") if form.is_bound else "",
                cursor=request.GET.get("cursor") or None,
                context=context,
            )
        except InvalidCursor:
            form.add_error(None, _("That page link is out of date; start again."))
            status = 400
    params = form.params()
    page_context = {
        "filter_groups": _filter_groups(form),
        "partial_errors": is_htmx(request),
        "community": community,
        "flags": request.flags,
        "section": "members",
        "form": form,
        "table": table,
        "count_text": count_text(table.count) if table else "",
        "next_url": _next_url(request, table.next_cursor if table else None),
        "first_url": request.path if request.GET.get("cursor") else "",
        "exports": _export_links(
            reverse("insights:members_export", kwargs={"slug": community.slug}), params
        ),
        "save_url": (
            reverse("insights:segment_new", kwargs={"slug": community.slug})
            + (f"?{urlencode(params, doseq=True)}" if params else "")
        ),
    }
    return render_page(
        request,
        "insights/members/list.html",
        page_context,
        partial="insights/members/_results.html",
        status=status,
    )


@require_GET
@community_view("manage", login=True)
def members_export(request: MemberRequest) -> HttpResponse:
    """The member table, with its filters, as CSV or JSON (profile or marketing)."""
    community = request.community
    check_view_members(request.user, community)
    form = MemberFilterForm(request.GET, context=make_context(community))
    if not form.is_valid():
        return _bad_request(" ".join(str(m) for ms in form.errors.values() for m in ms))
    try:
        export = actions.export_members(
            request.user,
            community,
            rules=form.rules(),
            search=form.cleaned_data.get("q", ""),
            kind=request.GET.get("kind", ""),
            fmt=request.GET.get("format", ""),
        )
    except ValidationError as error:
        return _bad_request(" ".join(error.messages))
    return _download(export)


# --- Segments -----------------------------------------------------------------------------


@require_GET
@community_view("manage", login=True)
def segment_list(request: MemberRequest) -> HttpResponse:
    """The community's segments with how many members each holds now."""
    community = request.community
    rows = queries.list_segments(request.user, community)
    return render(
        request,
        "insights/segments/list.html",
        {
            "community": community,
            "flags": request.flags,
            "section": "segments",
            "rows": [{"row": row, "count_text": count_text(row.count)} for row in rows],
        },
    )


def _builder_page(
    request: MemberRequest,
    *,
    form: SegmentForm,
    builder: Builder,
    segment: Segment | None,
    status: int = 200,
    count: int | None = None,
) -> HttpResponse:
    community = request.community
    context = make_context(community)
    if count is None and request.method == "GET" and builder.rules.get("groups"):
        try:
            count = _count_for(request, builder)
        except RuleError as error:
            builder.error = str(error)
    page_context = {
        "community": community,
        "flags": request.flags,
        "section": "segments",
        "form": form,
        "meta_fields": [form["name"], form["description"]],
        "builder": builder,
        "segment": segment,
        "field_options": field_options(context),
        "op_options": op_options(),
        "count_text": count_text(count) if count is not None else "",
        "count_url": reverse("insights:segment_count", kwargs={"slug": community.slug}),
        "static_locked": segment is not None and segment.kind == Segment.Kind.STATIC,
    }
    return render_page(
        request,
        "insights/segments/edit.html",
        page_context,
        partial="insights/segments/_builder.html",
        status=status,
    )


def _count_for(request: MemberRequest, builder: Builder) -> int | None:
    if not builder.is_valid:
        return None
    return matching_memberships(request.community, builder.rules).count()


def _save_or_show(request: MemberRequest, segment: Segment | None) -> HttpResponse:
    context = make_context(request.community)
    form = SegmentForm(request.POST)
    builder = builder_from_post(request.POST, context)
    if builder.edited or "count" in request.POST:
        return _builder_page(
            request,
            form=form,
            builder=builder,
            segment=segment,
            count=_count_for(request, builder),
        )
    static_locked = segment is not None and segment.kind == Segment.Kind.STATIC
    if form.is_valid() and (builder.is_valid or static_locked):
        data = form.cleaned_data
        try:
            if segment is None:
                segment = actions.create_segment(
                    request.user,
                    request.community,
                    name=data["name"],
                    description=data["description"],
                    kind=data["kind"] or Segment.Kind.DYNAMIC,
                    rules=builder.rules,
                )
                messages.success(
                    request, _("The segment “%(name)s” is saved.") % {"name": segment.name}
                )
            else:
                actions.update_segment(
                    request.user,
                    segment,
                    name=data["name"],
                    description=data["description"],
                    rules=builder.rules,
                )
                messages.success(request, _("The segment is updated."))
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            return redirect(_segment_url(segment))
    return _builder_page(request, form=form, builder=builder, segment=segment, status=400)


@require_http_methods(["GET", "POST"])
@community_view("manage", login=True)
def segment_new(request: MemberRequest) -> HttpResponse:
    """Build a segment: groups of conditions, dynamic or static (GET filters pre-fill it)."""
    check_manage_segments(request.user, request.community)
    if request.method == "POST":
        return _save_or_show(request, None)
    context = make_context(request.community)
    filters = MemberFilterForm(request.GET or None, context=context)
    rules = filters.rules() if filters.is_bound and filters.is_valid() else {}
    return _builder_page(
        request, form=SegmentForm(), builder=builder_from_rules(rules), segment=None
    )


@require_http_methods(["GET", "POST"])
@community_view("manage", login=True)
def segment_edit(request: MemberRequest, segment_id: int) -> HttpResponse:
    """Rename a segment or change its rules (a static one keeps its frozen list)."""
    segment = queries.get_segment(request.user, request.community, segment_id)
    if request.method == "POST":
        return _save_or_show(request, segment)
    form = SegmentForm(
        initial={
            "name": segment.name,
            "description": segment.description,
            "kind": segment.kind,
            "match": (segment.rules or {}).get("match", "all"),
        }
    )
    return _builder_page(
        request, form=form, builder=builder_from_rules(segment.rules or {}), segment=segment
    )


@require_POST
@community_view("manage", login=True)
def segment_count(request: MemberRequest) -> HttpResponse:
    """The live count of the builder's rules (htmx swaps it in as the rows change)."""
    community = request.community
    check_view_members(request.user, community)
    builder = builder_from_post(request.POST, make_context(community))
    count = _count_for(request, builder)
    status = 200 if count is not None else 422
    if not is_htmx(request):
        status = 200 if count is not None else 400
    return render(
        request,
        "insights/segments/_count.html",
        {"count_text": count_text(count) if count is not None else "", "builder": builder},
        status=status,
    )


@require_GET
@community_view("manage", login=True)
def segment_detail(request: MemberRequest, segment_id: int) -> HttpResponse:
    """A segment's members now (dynamic: re-evaluated; static: the frozen list)."""
    segment = queries.get_segment(request.user, request.community, segment_id)
    table = None
    error = ""
    status = 200
    try:
        table = queries.list_segment_members(
            request.user,
            segment,
            search=request.GET.get("q", "")[:100],
            cursor=request.GET.get("cursor") or None,
        )
    except RuleError as rule_error:
        error = _("This segment's rules no longer fit: %(error)s") % {"error": rule_error}
    except InvalidCursor:
        error = _("That page link is out of date; start again.")
        status = 400
    base = reverse(
        "insights:segment_export",
        kwargs={"slug": request.community.slug, "segment_id": segment.pk},
    )
    return render_page(
        request,
        "insights/segments/detail.html",
        {
            "community": request.community,
            "flags": request.flags,
            "section": "segments",
            "segment": segment,
            "table": table,
            "error": error,
            "count_text": count_text(table.count) if table else "",
            "next_url": _next_url(request, table.next_cursor if table else None),
            "first_url": request.path if request.GET.get("cursor") else "",
            "exports": _export_links(base, {}),
            "search": request.GET.get("q", "")[:100],
        },
        partial="insights/members/_results.html",
        status=status,
    )


@require_POST
@community_view("manage", login=True)
def segment_freeze(request: MemberRequest, segment_id: int) -> HttpResponse:
    """Freeze a dynamic segment into a static list of who matches now."""
    segment = queries.get_segment(request.user, request.community, segment_id)
    try:
        size = actions.freeze_segment(request.user, segment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The segment is now a frozen list: %(count)s.") % {"count": count_text(size)}
        )
    return redirect(_segment_url(segment))


@require_http_methods(["GET", "POST"])
@community_view("manage", login=True)
def segment_delete(request: MemberRequest, segment_id: int) -> HttpResponse:
    """Ask, then delete a segment."""
    segment = queries.get_segment(request.user, request.community, segment_id)
    if request.method == "POST":
        name = segment.name
        actions.delete_segment(request.user, segment)
        messages.success(request, _("The segment “%(name)s” is deleted.") % {"name": name})
        return redirect(_segments_url(request))
    return render(
        request,
        "insights/segments/delete.html",
        {"community": request.community, "flags": request.flags, "segment": segment},
    )


@require_GET
@community_view("manage", login=True)
def segment_export(request: MemberRequest, segment_id: int) -> HttpResponse:
    """A segment's members as CSV or JSON, with only what their consents allow."""
    segment = queries.get_segment(request.user, request.community, segment_id)
    try:
        export = actions.export_segment(
            request.user,
            segment,
            kind=request.GET.get("kind", ""),
            fmt=request.GET.get("format", ""),
        )
    except ValidationError as error:
        return _bad_request(" ".join(error.messages))
    return _download(export)


urlpatterns: list[URLPattern] = [
    path("c/<slug:slug>/insights/members/", member_table, name="members"),
    path("c/<slug:slug>/insights/members/export/", members_export, name="members_export"),
    path("c/<slug:slug>/insights/segments/", segment_list, name="segments"),
    path("c/<slug:slug>/insights/segments/new/", segment_new, name="segment_new"),
    path("c/<slug:slug>/insights/segments/count/", segment_count, name="segment_count"),
    path("c/<slug:slug>/insights/segments/<int:segment_id>/", segment_detail, name="segment"),
    path(
        "c/<slug:slug>/insights/segments/<int:segment_id>/edit/",
        segment_edit,
        name="segment_edit",
    ),
    path(
        "c/<slug:slug>/insights/segments/<int:segment_id>/freeze/",
        segment_freeze,
        name="segment_freeze",
    ),
    path(
        "c/<slug:slug>/insights/segments/<int:segment_id>/delete/",
        segment_delete,
        name="segment_delete",
    ),
    path(
        "c/<slug:slug>/insights/segments/<int:segment_id>/export/",
        segment_export,
        name="segment_export",
    ),
]
