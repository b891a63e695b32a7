"""Sanction pages: the hosts' member card, appeals and message templates; the member's standing.

Thin views: parse a form, call one action or query, render. Refusals become the 403
page, what one may not see a 404, bad input form errors (400), never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cerchia.communities import queries as community_queries
from cerchia.communities.forms import add_action_errors
from cerchia.communities.models import Community
from cerchia.communities.permissions import community_flags
from cerchia.communities.resolvers import forbidden, sign_in_first
from cerchia.core.errors import ActionRefused
from cerchia.moderation import permissions
from cerchia.moderation import queries_sanctions as queries
from cerchia.moderation.actions import appeals as appeal_actions
from cerchia.moderation.actions import notes as note_actions
from cerchia.moderation.actions import sanctions as actions
from cerchia.moderation.forms_sanctions import (
    AnswerForm,
    AppealForm,
    LiftForm,
    NoteForm,
    SanctionForm,
    TemplatesForm,
)
from cerchia.moderation.models import Report, SanctionKind

if TYPE_CHECKING:
    from cerchia.accounts.models import User

View = Callable[..., HttpResponse]


def moderation_view(view: View) -> View:
    """Resolve ``slug`` for the community's hosts: sign in first, 404 for what one may not
    see, the 403 page for everyone else; attaches ``request.community`` and ``request.flags``."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return sign_in_first(request, slug)
        community = community_queries.get_community(request.user, slug)
        try:
            permissions.check_moderate(request.user, community)
            request.community = community  # type: ignore[attr-defined]
            request.flags = community_flags(request.user, community)  # type: ignore[attr-defined]
            return view(request, community, *args, **kwargs)
        except PermissionDenied as error:
            return forbidden(request, error)

    return wrapper


def _actor(request: HttpRequest) -> User:
    """The signed-in person (the views below run only for them)."""
    return request.user  # type: ignore[return-value]


def _refused(request: HttpRequest, error: ActionRefused) -> None:
    messages.error(request, error.message)


# --- The member card ---------------------------------------------------------------------------


def _report_for(community: Community, raw: Any) -> Report | None:
    try:
        report_id = int(raw)
    except (TypeError, ValueError):
        return None
    return (
        Report.objects.filter(pk=report_id, community=community)
        .select_related("post", "topic")
        .first()
    )


def _card(
    request: HttpRequest,
    community: Community,
    member: Any,
    *,
    sanction_form: SanctionForm | None = None,
    note_form: NoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.user
    templates = queries.templates_for(actor, community)
    if sanction_form is None:
        initial: dict[str, Any] = {"kind": SanctionKind.NUDGE}
        report = _report_for(community, request.GET.get("report"))
        if report is not None:
            initial["report"] = report.pk
            initial["reason"] = report.get_reason_display()
        sanction_form = SanctionForm(initial=initial)
    defaults = [
        (queries.STEP_LABELS[kind], templates[kind] or actions.message_for(kind, community, member))
        for kind in SanctionKind.values
    ]
    membership = community.memberships.filter(user=member).first()
    context = {
        "community": community,
        "flags": request.flags,  # type: ignore[attr-defined]
        "member": member,
        "membership": membership,
        "sanctions": queries.member_sanctions(actor, community, member),
        "notes": queries.member_notes(actor, community, member),
        "sanction_form": sanction_form,
        "note_form": note_form or NoteForm(),
        "lift_form": LiftForm(),
        "default_messages": defaults,
        "section": "members",
    }
    return render(request, "moderation/member_card.html", context, status=status)


@require_GET
@moderation_view
def members(request: HttpRequest, community: Community) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    rows, latest = queries.members_for_moderation(request.user, community, search=search)
    context = {
        "community": community,
        "flags": request.flags,  # type: ignore[attr-defined]
        "rows": rows,
        "latest": latest,
        "search": search,
        "section": "members",
    }
    return render(request, "moderation/members.html", context)


@require_GET
@moderation_view
def member_card(request: HttpRequest, community: Community, user_id: int) -> HttpResponse:
    member = queries.get_member_for_moderation(request.user, community, user_id)
    return _card(request, community, member)


@require_http_methods(["GET", "POST"])
@moderation_view
def sanction(request: HttpRequest, community: Community, user_id: int) -> HttpResponse:
    """The sanction form (GET: the member card, ``?report=`` prefilling it), and its submission."""
    member = queries.get_member_for_moderation(request.user, community, user_id)
    if request.method == "GET":
        return _card(request, community, member)
    form = SanctionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        report = None
        if data.get("report"):
            report = _report_for(community, data["report"])
            if report is None:
                form.add_error(None, _("No such report."))
        if not form.errors:
            try:
                actions.sanction_member(
                    _actor(request),
                    community,
                    member,
                    data["kind"],
                    data["reason"],
                    message=data.get("message") or None,
                    duration=data["duration"],
                    report=report,
                )
            except ValidationError as error:
                add_action_errors(form, error)
            except ActionRefused as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The sanction is recorded and the member is told."))
                return redirect(_card_url(community, member))
    return _card(request, community, member, sanction_form=form, status=400)


@require_POST
@moderation_view
def add_note(request: HttpRequest, community: Community, user_id: int) -> HttpResponse:
    member = queries.get_member_for_moderation(request.user, community, user_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note_actions.add_moderator_note(
                _actor(request),
                community,
                member,
                form.cleaned_data["body"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Note kept."))
            return redirect(_card_url(community, member))
    return _card(request, community, member, note_form=form, status=400)


@require_POST
@moderation_view
def lift(request: HttpRequest, community: Community, sanction_id: int) -> HttpResponse:
    sanction_ = queries.get_sanction(request.user, community, sanction_id)
    form = LiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Use at most 2000 characters."))
        return redirect(_card_url(community, sanction_.member))
    try:
        actions.lift_sanction(_actor(request), sanction_, form.cleaned_data["note"])
    except ActionRefused as error:
        _refused(request, error)
    else:
        messages.success(request, _("The sanction is lifted."))
    return redirect(_card_url(community, sanction_.member))


def _card_url(community: Community, member: Any) -> str:
    return reverse("moderation:member", kwargs={"slug": community.slug, "user_id": member.pk})


# --- Appeals -----------------------------------------------------------------------------------


def _appeals_page(
    request: HttpRequest,
    community: Community,
    *,
    forms: dict[int, AnswerForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    appeals = queries.pending_appeals(request.user, community)
    forms = forms or {}
    items = [
        (appeal, forms.get(appeal.pk) or AnswerForm(prefix=f"a{appeal.pk}")) for appeal in appeals
    ]
    context = {
        "community": community,
        "flags": request.flags,  # type: ignore[attr-defined]
        "items": items,
        "section": "appeals",
    }
    return render(request, "moderation/appeals.html", context, status=status)


@require_GET
@moderation_view
def appeal_list(request: HttpRequest, community: Community) -> HttpResponse:
    return _appeals_page(request, community)


@require_POST
@moderation_view
def answer_appeal(request: HttpRequest, community: Community, appeal_id: int) -> HttpResponse:
    appeal = queries.get_appeal(request.user, community, appeal_id)
    form = AnswerForm(request.POST, prefix=f"a{appeal.pk}")
    if form.is_valid():
        try:
            appeal_actions.answer_appeal(
                _actor(request),
                appeal,
                form.cleaned_data["decision"] == "grant",
                form.cleaned_data["answer"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        except ActionRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The member is told your answer."))
            return redirect("moderation:appeals", slug=community.slug)
    return _appeals_page(request, community, forms={appeal.pk: form}, status=400)


# --- Message templates -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@moderation_view
def templates(request: HttpRequest, community: Community) -> HttpResponse:
    actor = _actor(request)
    current = queries.templates_for(actor, community)
    defaults = {kind: actions.default_message(kind, community) for kind in SanctionKind.values}
    status = 200
    if request.method == "POST":
        form = TemplatesForm(request.POST, defaults=defaults)
        if form.is_valid():
            try:
                for kind in SanctionKind.values:
                    if form.cleaned_data[kind] != current[kind]:
                        actions.set_sanction_template(
                            actor, community, kind, form.cleaned_data[kind]
                        )
            except ValidationError as error:
                add_action_errors(form, error, aliases={"message": "__all__"})
            else:
                messages.success(request, _("Messages saved."))
                return redirect("moderation:templates", slug=community.slug)
        status = 400
    else:
        form = TemplatesForm(initial=current, defaults=defaults)
    context = {
        "community": community,
        "flags": request.flags,  # type: ignore[attr-defined]
        "form": form,
        "section": "templates",
    }
    return render(request, "moderation/sanction_templates.html", context, status=status)


# --- The member's own standing -----------------------------------------------------------------


def _standing_page(
    request: HttpRequest, *, forms: dict[int, AppealForm] | None = None, status: int = 200
) -> HttpResponse:
    rows = queries.my_sanctions(_actor(request))
    forms = forms or {}
    items = [
        (row, forms.get(row.sanction.pk) or AppealForm(prefix=f"s{row.sanction.pk}"))
        for row in rows
    ]
    return render(request, "moderation/standing.html", {"items": items}, status=status)


@require_GET
def standing(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return sign_in_first(request)
    return _standing_page(request)


@require_POST
def appeal(request: HttpRequest, sanction_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return sign_in_first(request)
    sanction_ = queries.get_my_sanction(request.user, sanction_id)
    form = AppealForm(request.POST, prefix=f"s{sanction_.pk}")
    if form.is_valid():
        try:
            appeal_actions.appeal_sanction(_actor(request), sanction_, form.cleaned_data["body"])
        except PermissionDenied as error:
            return forbidden(request, error)
        except ValidationError as error:
            add_action_errors(form, error)
        except ActionRefused as error:
            # The sanction may no longer show a form (already appealed): say why up top.
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your appeal is sent to the hosts."))
            return redirect("moderation:standing")
    return _standing_page(request, forms={sanction_.pk: form}, status=400)


MODERATION = "c/<slug:slug>/moderation/"

urlpatterns = [
    path("me/sanctions/", standing, name="standing"),
    path("me/sanctions/<int:sanction_id>/appeal/", appeal, name="appeal"),
    path(f"{MODERATION}members/", members, name="members"),
    path(f"{MODERATION}members/<int:user_id>/", member_card, name="member"),
    path(f"{MODERATION}members/<int:user_id>/sanction/", sanction, name="sanction"),
    path(f"{MODERATION}members/<int:user_id>/notes/", add_note, name="add_note"),
    path(f"{MODERATION}sanctions/<int:sanction_id>/lift/", lift, name="lift"),
    path(f"{MODERATION}appeals/", appeal_list, name="appeals"),
    path(f"{MODERATION}appeals/<int:appeal_id>/answer/", answer_appeal, name="answer_appeal"),
    path(f"{MODERATION}templates/", templates, name="templates"),
]
