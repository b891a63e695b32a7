"""Community pages: parse the input, call an action or a query, render.

Rights are checked by the resolver (``@community_view``) and again by every
action; refusals become a 403 page, unknown or hidden things a 404, bad input
form errors (400), and a double click a friendly notice instead of an error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cerchia.communities import actions, permissions, queries
from cerchia.communities.forms import (
    CommunityCreateForm,
    CommunityGeneralForm,
    CommunityMembershipForm,
    DecisionForm,
    DirectoryFilterForm,
    InvitationForm,
    JoinForm,
    JoinRequestForm,
    MemberFilterForm,
    RoleForm,
    add_action_errors,
)
from cerchia.communities.models import (
    Community,
    Invitation,
    JoinPolicy,
    JoinRequest,
    Role,
)
from cerchia.communities.resolvers import (
    CommunityRequest,
    MemberRequest,
    community_view,
    refusals_as_403,
)
from cerchia.core.errors import ActionRefused
from cerchia.core.htmx import is_htmx, render_page
from cerchia.core.pagination import InvalidCursor, Page
from cerchia.insights import actions_fields, queries_fields
from cerchia.insights.forms_fields import answers_from, error_aliases

HOME_DIRECTORY_SIZE = 6


def _cursor(request: HttpRequest) -> str | None:
    return request.GET.get("cursor") or None


def _page(load: Callable[[str | None], Page[Any]], cursor: str | None) -> Page[Any]:
    """Load a keyset page; a cursor that does not decode or fit gives the first page."""
    try:
        return load(cursor)
    except (InvalidCursor, ValidationError, ValueError, TypeError, OverflowError):
        return load(None)


def _detail_url(community: Community) -> str:
    return reverse("communities:detail", kwargs={"slug": community.slug})


# --- Home and directory ----------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Signed in: my communities. Signed out: what Cerchia is, and a few communities."""
    if request.user.is_authenticated:
        return render(
            request,
            "communities/home.html",
            {
                "memberships": queries.list_my_memberships(request.user),
                "can_create": permissions.can_create_community(request.user),
            },
        )
    page = queries.list_directory(request.user, limit=HOME_DIRECTORY_SIZE)
    return render(
        request,
        "communities/landing.html",
        {"communities": page.items, "more": bool(page.next_cursor)},
    )


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """Public and private communities: search, filter by interest, keyset pages."""
    form = DirectoryFilterForm(request.GET)
    form.is_valid()  # a value that does not fit is dropped; the others still apply
    search = form.cleaned_data.get("q", "").strip()
    tag = form.cleaned_data.get("tag", "").strip().lower()
    page = _page(
        lambda cursor: queries.list_directory(
            request.user, search=search, interest=tag, cursor=cursor
        ),
        _cursor(request),
    )
    # The interests of the communities shown, offered as filter links (already prefetched).
    interests = {i.slug: i for c in page.items for i in c.interests.all()}
    context = {
        "form": form,
        "page": page,
        "search": search,
        "tag": tag,
        "page_interests": sorted(interests.values(), key=lambda interest: interest.name),
        "page_interest_slugs": set(interests),
        "is_later_page": bool(_cursor(request)),
        "can_create": permissions.can_create_community(request.user),
    }
    return render_page(
        request,
        "communities/directory.html",
        context,
        partial="communities/_partials/directory_results.html",
    )


@refusals_as_403
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    """A new community, owned by the person who creates it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    permissions.check_create_community(request.user)
    form = (
        CommunityCreateForm(request.POST, request.FILES)
        if request.method == "POST"
        else CommunityCreateForm()
    )
    if request.method == "POST" and form.is_valid():
        try:
            community = actions.create_community(request.user, **form.action_kwargs())
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is ready. Invite the first members from its settings.")
                % {"name": community.name},
            )
            return redirect(_detail_url(community))
    status = 400 if request.method == "POST" else 200
    return render(request, "communities/create.html", {"form": form}, status=status)


# --- The community's front page and its members -------------------------------------------


def _membership_context(
    request: HttpRequest,
    community: Community,
    *,
    join_form: JoinForm | None = None,
    request_form: JoinRequestForm | None = None,
) -> dict[str, Any]:
    """What the call to action needs: the flags, and the person's place in line if any."""
    user = request.user
    flags = permissions.community_flags(user, community)
    asked = queries_fields.list_joining_fields(community) if flags.join or flags.request else []
    context: dict[str, Any] = {
        "community": community,
        "flags": flags,
        "join_form": join_form or JoinForm(member_fields=asked),
        "request_form": request_form or JoinRequestForm(community=community, member_fields=asked),
        "waitlist_place": None,
        "pending_request": None,
        "invitation": None,
    }
    if user.is_authenticated and flags.role is None:
        context["waitlist_place"] = queries.get_waitlist_place(user, community)
        if flags.pending_request:
            context["pending_request"] = queries.get_own_pending_request(user, community)
        context["invitation"] = queries.get_email_invitation(user, community)
    return context


def _render_detail(
    request: HttpRequest, community: Community, *, status: int = 200, **forms: Any
) -> HttpResponse:
    context = _membership_context(request, community, **forms)
    flags = context["flags"]
    hosts: list[Any] = []
    if flags.read:
        from cerchia.accounts.permissions import visible_profile_ids

        hosts = queries.list_hosts(community)
        visible = visible_profile_ids(request.user, [host.user for host in hosts])
        hosts = [host for host in hosts if host.user_id in visible]
        from cerchia.discussions.views.topics import topic_list_context

        context.update(topic_list_context(request, community))
    context.update(
        {
            "hosts": hosts,
            "interests": list(community.interests.all()),
            "JoinPolicy": JoinPolicy,
        }
    )
    return render_page(
        request,
        "communities/detail.html",
        context,
        partial="communities/_partials/membership.html",
        status=status,
    )


@require_GET
@community_view("view")
def detail(request: CommunityRequest) -> HttpResponse:
    """The front page: what the community is, its rules and hosts, and how to join."""
    return _render_detail(request, request.community)


def _member_listing(request: HttpRequest, community: Community) -> dict[str, Any]:
    """The member filter form, its values and the page of members it selects."""
    form = MemberFilterForm(request.GET)
    form.is_valid()  # a value that does not fit is dropped; the others still apply
    search = form.cleaned_data.get("q", "").strip()
    role = form.cleaned_data.get("role", "")
    page = _page(
        lambda cursor: queries.list_members(
            request.user, community, search=search, role=role, cursor=cursor
        ),
        _cursor(request),
    )
    queries_fields.attach_card_answers(request.user, community, page.items)
    return {
        "form": form,
        "page": page,
        "search": search,
        "role": role,
        "is_later_page": bool(_cursor(request)),
    }


@require_GET
@community_view("read")
def members(request: CommunityRequest) -> HttpResponse:
    """The member directory: only profiles the viewer may see; search, role filter, pages."""
    community = request.community
    context = {
        "community": community,
        "flags": request.flags,
        **_member_listing(request, community),
    }
    return render_page(
        request,
        "communities/members.html",
        context,
        partial="communities/_partials/member_results.html",
    )


# --- Joining and leaving ---------------------------------------------------------------------


def _after_membership_change(request: HttpRequest, community: Community) -> HttpResponse:
    """htmx: the refreshed call to action; otherwise the front page (home if now hidden)."""
    permissions.forget_access(community)
    if is_htmx(request) and permissions.can_view_community(request.user, community):
        return render(
            request,
            "communities/_partials/membership.html",
            _membership_context(request, community),
        )
    if permissions.can_view_community(request.user, community):
        return redirect(_detail_url(community))
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("home")
        return response
    return redirect("home")


def _joined_message(
    request: HttpRequest, outcome: actions.JoinOutcome, community: Community
) -> None:
    if outcome.status == "joined":
        messages.success(request, _("Welcome to %(name)s!") % {"name": community.name})
        return
    place = queries.get_waitlist_place(request.user, community)
    messages.info(
        request,
        _(
            "%(name)s is full right now. You are number %(place)d on the waitlist; "
            "we will let you in when a place frees up."
        )
        % {"name": community.name, "place": place or 1},
    )


@require_POST
@community_view("view", login=True)
def join(request: MemberRequest) -> HttpResponse:
    """Join an open community (accepting its rules), or take a place on its waitlist."""
    community = request.community
    if request.flags.role is not None:
        messages.info(request, _("You are already a member."))
        return _after_membership_change(request, community)
    form = JoinForm(request.POST, member_fields=queries_fields.list_joining_fields(community))
    if not form.is_valid():
        return _render_detail(request, community, status=400, join_form=form)
    try:
        outcome = actions_fields.join_with_answers(
            request.user,
            community,
            accept_rules=bool(form.cleaned_data.get("accept_rules")),
            answers=answers_from(form),
        )
    except ValidationError as error:
        add_action_errors(form, error, error_aliases(form))
        return _render_detail(request, community, status=400, join_form=form)
    _joined_message(request, outcome, community)
    return _after_membership_change(request, community)


@require_POST
@community_view("view", login=True)
def leave(request: MemberRequest) -> HttpResponse:
    """Leave the community; an owner is refused until they transfer ownership."""
    community = request.community
    if request.flags.role is None:
        messages.info(request, _("You are not a member."))
        return _after_membership_change(request, community)
    actions.leave_community(request.user, community)
    messages.success(request, _("You left %(name)s.") % {"name": community.name})
    return _after_membership_change(request, community)


@require_POST
@community_view("view", login=True)
def request_to_join(request: MemberRequest) -> HttpResponse:
    """Ask the hosts to let you in, answering the screening questions."""
    community = request.community
    if request.flags.pending_request:
        messages.info(request, _("Your request is already waiting for the hosts."))
        return _after_membership_change(request, community)
    permissions.check_request_to_join(request.user, community)
    form = JoinRequestForm(
        request.POST,
        community=community,
        member_fields=queries_fields.list_joining_fields(community),
    )
    if form.is_valid():
        try:
            actions_fields.request_with_answers(
                request.user, community, **form.action_kwargs(), field_answers=answers_from(form)
            )
        except ValidationError as error:
            add_action_errors(form, error, error_aliases(form))
        except ActionRefused as refusal:
            messages.info(request, refusal.message)
            return _after_membership_change(request, community)
        else:
            messages.success(
                request, _("Your request is on its way. The hosts will let you know by email.")
            )
            return _after_membership_change(request, community)
    return _render_detail(request, community, status=400, request_form=form)


@require_POST
@community_view("view", login=True)
def withdraw_request(request: MemberRequest) -> HttpResponse:
    """Withdraw your pending request to join."""
    community = request.community
    pending = queries.get_own_pending_request(request.user, community)
    if pending is None:
        messages.info(request, _("You have no request waiting here."))
    else:
        actions.withdraw_join_request(request.user, pending)
        messages.success(request, _("Your request was withdrawn."))
    return _after_membership_change(request, community)


@require_POST
@community_view("view", login=True)
def leave_waitlist(request: MemberRequest) -> HttpResponse:
    """Give up your place on the waitlist."""
    community = request.community
    actions.leave_waitlist(request.user, community)
    messages.success(request, _("You left the waitlist of %(name)s.") % {"name": community.name})
    return _after_membership_change(request, community)


# --- Host settings -------------------------------------------------------------------------


def _settings_context(request: MemberRequest, section: str, **extra: Any) -> dict[str, Any]:
    community = request.community
    pending_count = queries.count_pending_requests(community)
    return {
        "community": community,
        "flags": request.flags,
        "section": section,
        "pending_count": pending_count,
        **extra,
    }


def _settings_form_view(
    request: MemberRequest,
    form_class: type[CommunityGeneralForm] | type[CommunityMembershipForm],
    section: str,
    template: str,
) -> HttpResponse:
    community = request.community
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            try:
                actions.update_community(request.user, community, **form.action_kwargs())
            except ValidationError as error:
                add_action_errors(form, error)
                # The action may have changed the instance before refusing: show what is saved.
                community.refresh_from_db()
            else:
                messages.success(request, _("Settings saved."))
                url_name = (
                    "communities:settings"
                    if section == "general"
                    else "communities:settings_membership"
                )
                return redirect(url_name, slug=community.slug)
        return render(request, template, _settings_context(request, section, form=form), status=400)
    form = form_class(initial=form_class.initial_for(community))
    return render(request, template, _settings_context(request, section, form=form))


@require_http_methods(["GET", "POST"])
@community_view("manage", login=True)
def settings_general(request: MemberRequest) -> HttpResponse:
    """Name, address, tagline, description, tags, language, rules, cover."""
    return _settings_form_view(
        request, CommunityGeneralForm, "general", "communities/settings/general.html"
    )


@require_http_methods(["GET", "POST"])
@community_view("manage", login=True)
def settings_membership(request: MemberRequest) -> HttpResponse:
    """Visibility, join policy, member cap, screening questions."""
    return _settings_form_view(
        request, CommunityMembershipForm, "membership", "communities/settings/membership.html"
    )


@require_GET
@community_view("manage", login=True)
def requests(request: MemberRequest) -> HttpResponse:
    """Pending join requests with the applicants' answers."""
    pending = queries.list_pending_requests(request.user, request.community)
    return render(
        request,
        "communities/settings/requests.html",
        _settings_context(request, "requests", join_requests=pending),
    )


@require_POST
@community_view("manage", login=True)
def decide_request(request: MemberRequest, request_id: int) -> HttpResponse:
    """Approve or decline one join request, with an optional note to the applicant."""
    community = request.community
    join_request = queries.get_join_request(request.user, community, request_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        context = _settings_context(
            request, "requests", join_request=join_request, decision_form=form
        )
        if is_htmx(request):
            return render(request, "communities/_partials/join_request.html", context, status=422)
        context["join_requests"] = queries.list_pending_requests(request.user, community)
        return render(request, "communities/settings/requests.html", context, status=400)
    name = join_request.user.name
    if join_request.status != JoinRequest.Status.PENDING:
        messages.info(request, _("This request has already been decided."))
    else:
        note = form.cleaned_data["note"]
        try:
            if form.cleaned_data["decision"] == "approve":
                outcome = actions.approve_join_request(request.user, join_request, note=note)
                if outcome.status == "waitlisted":
                    messages.info(
                        request,
                        _("Approved. %(name)s is on the waitlist: the community is full.")
                        % {"name": name},
                    )
                else:
                    messages.success(request, _("%(name)s is now a member.") % {"name": name})
            else:
                actions.decline_join_request(request.user, join_request, note=note)
                messages.success(request, _("Request from %(name)s declined.") % {"name": name})
        except ActionRefused as refusal:
            messages.info(request, refusal.message)
            join_request.refresh_from_db()
    if is_htmx(request):
        return render(
            request,
            "communities/_partials/join_request.html",
            _settings_context(request, "requests", join_request=join_request),
        )
    return redirect("communities:requests", slug=community.slug)


def _invitation_url(request: HttpRequest, invitation: Invitation) -> str:
    return request.build_absolute_uri(
        reverse("communities:invitation", kwargs={"token": invitation.token})
    )


@require_http_methods(["GET", "POST"])
@community_view("manage", login=True)
def invitations(request: MemberRequest) -> HttpResponse:
    """Create invitation links or email invitations; list the usable ones."""
    community = request.community
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = actions.create_invitation(request.user, community, **form.action_kwargs())
        except ValidationError as error:
            add_action_errors(form, error, InvitationForm.ERROR_ALIASES)
        else:
            if invitation.email:
                messages.success(
                    request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
                )
            else:
                messages.success(request, _("New invitation link ready to share."))
            return redirect("communities:invitations", slug=community.slug)
    rows = [
        {"invitation": invitation, "url": _invitation_url(request, invitation)}
        for invitation in queries.list_invitations(request.user, community)
    ]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "communities/settings/invitations.html",
        _settings_context(request, "invitations", form=form, rows=rows),
        status=status,
    )


@require_POST
@community_view("manage", login=True)
def revoke_invitation(request: MemberRequest, invitation_id: int) -> HttpResponse:
    """Stop an invitation from working."""
    community = request.community
    invitation = queries.get_invitation(request.user, community, invitation_id)
    actions.revoke_invitation(request.user, invitation)
    messages.success(request, _("Invitation revoked."))
    if is_htmx(request):
        # The row swaps out for nothing; the notice arrives out of band.
        return render(request, "communities/_partials/htmx_messages.html", {})
    return redirect("communities:invitations", slug=community.slug)


@require_GET
@community_view("manage", login=True)
def roles(request: MemberRequest) -> HttpResponse:
    """Members and their roles; the owner promotes, demotes and hands over ownership."""
    community = request.community
    context = _settings_context(request, "roles", **_member_listing(request, community))
    return render(request, "communities/settings/roles.html", context)


@require_POST
@community_view("manage_roles", login=True)
def change_role(request: MemberRequest, handle: str) -> HttpResponse:
    """Make a member a moderator, or a moderator a member again."""
    community = request.community
    membership = queries.get_membership(request.user, community, handle)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose moderator or member."))
        return redirect("communities:roles", slug=community.slug)
    actions.change_role(request.user, membership, form.cleaned_data["role"])
    if membership.role == Role.MODERATOR:
        message = _("%(name)s is now a moderator.") % {"name": membership.user.name}
    else:
        message = _("%(name)s is now a member.") % {"name": membership.user.name}
    if is_htmx(request):
        response = render(
            request,
            "communities/_partials/role_row.html",
            {
                "community": community,
                "flags": permissions.community_flags(request.user, community),
                "membership": membership,
            },
        )
        # A table row cannot carry an out-of-band toast: send it as an htmx event instead.
        response["HX-Trigger"] = json.dumps({"toast": {"message": message, "level": "success"}})
        return response
    messages.success(request, message)
    return redirect("communities:roles", slug=community.slug)


@require_http_methods(["GET", "POST"])
@community_view("manage_roles", login=True)
def transfer(request: MemberRequest, handle: str) -> HttpResponse:
    """Hand the community to another member, after a confirmation step."""
    community = request.community
    membership = queries.get_membership(request.user, community, handle)
    if request.method == "POST":
        actions.transfer_ownership(request.user, community, membership)
        messages.success(
            request,
            _("%(name)s now owns %(community)s. You stay on as a moderator.")
            % {"name": membership.user.name, "community": community.name},
        )
        return redirect("communities:roles", slug=community.slug)
    permissions.check_transfer_ownership(request.user, community, membership)
    return render(
        request,
        "communities/settings/transfer.html",
        _settings_context(request, "roles", membership=membership),
    )


# --- Invitations, from the invitee's side ------------------------------------------------------


def _invitation_state(request: HttpRequest, invitation: Invitation) -> str:
    """Which message the invitation page shows, from the permission layer's point of view."""
    if invitation.revoked_at is not None:
        return "revoked"
    if not invitation.is_usable():
        if invitation.max_uses is not None and invitation.use_count >= invitation.max_uses:
            return "used_up"
        return "expired"
    user = request.user
    if not user.is_authenticated:
        return "anonymous"
    access = permissions.get_access(user, invitation.community)
    if access.membership is not None:
        return "member"
    if invitation.email and invitation.email.lower() != user.email.lower():
        return "other_email"
    if access.is_suspended:
        return "suspended"
    if queries.get_waitlist_place(user, invitation.community) is not None:
        return "waitlisted"
    return "ready"


@require_http_methods(["GET", "POST"])
@refusals_as_403
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation: who invites you where, and a button to accept (the token is the proof)."""
    invitation = queries.get_invitation_by_token(token)
    community = invitation.community
    form = JoinForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if permissions.get_access(request.user, community).membership is not None:
            messages.info(request, _("You are already a member."))
            return redirect(_detail_url(community))
        form.is_valid()
        try:
            outcome = actions.accept_invitation(
                request.user, invitation, accept_rules=bool(form.cleaned_data.get("accept_rules"))
            )
        except ValidationError as error:
            add_action_errors(form, error)
            status = 400
        except ActionRefused as refusal:
            messages.info(request, refusal.message)
            return redirect("communities:invitation", token=token)
        else:
            _joined_message(request, outcome, community)
            if outcome.status == "joined":
                return redirect(_detail_url(community))
            return redirect("communities:invitation", token=token)
    state = _invitation_state(request, invitation)
    context = {
        "invitation": invitation,
        "community": community,
        "inviter": invitation.created_by,
        "state": state,
        "form": form,
        "waitlist_place": (
            queries.get_waitlist_place(request.user, community) if state == "waitlisted" else None
        ),
    }
    return render(request, "communities/invitation.html", context, status=status)
