"""Every write to communities, memberships, join requests and invitations.

Each action checks the actor's rights, writes in one transaction, records an
event, and registers side effects (emails) to run after commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cerchia.communities import permissions
from cerchia.communities.models import (
    Community,
    Invitation,
    JoinPolicy,
    JoinRequest,
    Membership,
    Role,
    Visibility,
    WaitlistEntry,
)
from cerchia.core import ratelimit
from cerchia.core.errors import ActionRefused
from cerchia.core.markdown import render_markdown
from cerchia.core.tags import interests_for, normalise_tags
from cerchia.insights.log import record_event

if TYPE_CHECKING:
    from cerchia.accounts.models import User

MAX_SCREENING_QUESTIONS = 5
MAX_ANSWER_LENGTH = 1000
RESERVED_SLUGS = frozenset(
    {"new", "admin", "api", "settings", "accounts", "static", "media", "ws", "u", "c", "invite"}
)
COMMUNITY_FIELDS = (
    "name",
    "slug",
    "tagline",
    "description",
    "rules",
    "language",
    "visibility",
    "join_policy",
    "member_cap",
    "screening_questions",
    "brand_name",
    "timezone",
)


@dataclass(frozen=True)
class JoinOutcome:
    """What a join attempt led to: a membership, or a place on the waitlist of a full community."""

    status: str  # "joined" or "waitlisted"
    membership: Membership | None = None
    waitlist_entry: WaitlistEntry | None = None


# --- Creating and editing ---------------------------------------------------------


def _clean_community_fields(fields: dict[str, Any], community: Community | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    slug = fields.get("slug")
    if slug is not None:
        slug = slug.strip().lower()
        fields["slug"] = slug
        taken = Community.objects.filter(slug=slug)
        if community is not None:
            taken = taken.exclude(pk=community.pk)
        if slug in RESERVED_SLUGS or taken.exists():
            errors.setdefault("slug", []).append(_("This address is taken."))
    questions = fields.get("screening_questions")
    if questions is not None:
        questions = [str(q).strip() for q in questions if str(q).strip()]
        if len(questions) > MAX_SCREENING_QUESTIONS:
            errors.setdefault("screening_questions", []).append(
                _("Ask at most %(count)d questions.") % {"count": MAX_SCREENING_QUESTIONS}
            )
        if any(len(q) > 300 for q in questions):
            errors.setdefault("screening_questions", []).append(
                _("Keep each question under 300 characters.")
            )
        fields["screening_questions"] = questions
    if fields.get("visibility") == Visibility.HIDDEN and fields.get("join_policy") not in (
        None,
        JoinPolicy.INVITATION,
    ):
        errors.setdefault("join_policy", []).append(
            _("A hidden community can only be joined by invitation.")
        )
    if errors:
        raise ValidationError(errors)
    return fields


def _interest_slugs(interests: list[str] | str) -> list[str]:
    try:
        return normalise_tags(interests)
    except ValidationError as error:
        raise ValidationError({"interests": error.messages}) from error


def _render_texts(community: Community) -> None:
    community.description_html = render_markdown(community.description)
    community.rules_html = render_markdown(community.rules)


def create_community(
    actor: User,
    *,
    interests: list[str] | str = (),  # type: ignore[assignment]
    cover: File[Any] | None = None,
    **fields: Any,
) -> Community:
    """Create a community with ``actor`` as its owner. Raises PermissionDenied, ValidationError."""
    permissions.check_create_community(actor)
    unknown = set(fields) - set(COMMUNITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown community fields: {sorted(unknown)}")
    if fields.get("visibility") == Visibility.HIDDEN:
        fields.setdefault("join_policy", JoinPolicy.INVITATION)
    fields = _clean_community_fields(fields, None)
    slugs = _interest_slugs(interests)
    community = Community(created_by=actor, member_count=1, **fields)
    _render_texts(community)
    community.full_clean(exclude=["cover", "created_by"])
    with transaction.atomic():
        if cover is not None:
            community.cover.save(cover.name or "cover", cover, save=False)
        try:
            community.save()
        except IntegrityError as error:
            raise ValidationError({"slug": [_("This address is taken.")]}) from error
        community.interests.set(interests_for(slugs))  # type: ignore[arg-type]
        Membership.objects.create(
            community=community, user=actor, role=Role.OWNER, rules_accepted_at=timezone.now()
        )
        record_event(
            "community.created",
            actor=actor,
            community=community,
            subject=community,
            visibility=community.visibility,
            join_policy=community.join_policy,
        )
    return community


def update_community(
    actor: User,
    community: Community,
    *,
    interests: list[str] | str | None = None,
    cover: File[Any] | None = None,
    remove_cover: bool = False,
    **fields: Any,
) -> Community:
    """Change a community's settings. Raises PermissionDenied, ValidationError."""
    permissions.check_manage_community(actor, community)
    unknown = set(fields) - set(COMMUNITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown community fields: {sorted(unknown)}")
    merged = {"visibility": community.visibility, "join_policy": community.join_policy} | fields
    fields = _clean_community_fields(merged, community)
    slugs = _interest_slugs(interests) if interests is not None else None
    changed = [name for name, value in fields.items() if getattr(community, name) != value]
    for name, value in fields.items():
        setattr(community, name, value)
    if community.member_cap is not None and community.member_cap < 1:
        raise ValidationError({"member_cap": [_("The cap must be at least 1.")]})
    _render_texts(community)
    community.full_clean(exclude=["cover", "created_by"])
    with transaction.atomic():
        if remove_cover and community.cover:
            community.cover.delete(save=False)
            changed.append("cover")
        if cover is not None:
            community.cover.save(cover.name or "cover", cover, save=False)
            changed.append("cover")
        community.save()
        if slugs is not None:
            community.interests.set(interests_for(slugs))  # type: ignore[arg-type]
            changed.append("interests")
        record_event(
            "community.updated", actor=actor, community=community, subject=community, fields=changed
        )
        if "timezone" in changed:
            _rebuild_insights_on_commit(community.pk)
    return community


def _rebuild_insights_on_commit(community_id: int) -> None:
    """Insights count days in the community's timezone: recount them once the change is saved."""
    from cerchia.insights.tasks_dashboard import rebuild_community_insights

    transaction.on_commit(lambda: rebuild_community_insights.enqueue(community_id))


# --- Joining and leaving ------------------------------------------------------------


def _locked(community: Community) -> Community:
    """Re-read the community row under a lock, so concurrent joins respect the member cap."""
    return Community.objects.select_for_update().get(pk=community.pk)


def _require_rules(community: Community, accept_rules: bool) -> None:
    if community.rules.strip() and not accept_rules:
        raise ValidationError(
            {"accept_rules": [_("Please read and accept the rules to join.")]}, code="rules"
        )


def _admit(actor: User, community: Community, *, via: str, **payload: Any) -> JoinOutcome:
    """Inside a transaction: make ``actor`` a member, or put them on the waitlist when full."""
    locked = _locked(community)
    if locked.member_cap is not None and locked.member_count >= locked.member_cap:
        entry, _created = WaitlistEntry.objects.get_or_create(community=locked, user=actor)
        record_event("community.waitlisted", actor=actor, community=locked, subject=entry, via=via)
        return JoinOutcome(status="waitlisted", waitlist_entry=entry)
    membership = Membership.objects.create(
        community=locked, user=actor, role=Role.MEMBER, rules_accepted_at=timezone.now()
    )
    Community.objects.filter(pk=locked.pk).update(member_count=F("member_count") + 1)
    WaitlistEntry.objects.filter(community=locked, user=actor).delete()
    community.member_count = locked.member_count + 1
    permissions.forget_access(community)
    record_event(
        "membership.joined", actor=actor, community=locked, subject=membership, via=via, **payload
    )
    return JoinOutcome(status="joined", membership=membership)


def join_community(actor: User, community: Community, *, accept_rules: bool) -> JoinOutcome:
    """Join an open community, or take a waitlist place if it is full.

    Raises PermissionDenied, ValidationError (rules not accepted).
    """
    permissions.check_join_community(actor, community)
    _require_rules(community, accept_rules)
    with transaction.atomic():
        return _admit(actor, community, via="open")


def leave_community(actor: User, community: Community) -> None:
    """Leave; an owner must transfer ownership first. Raises PermissionDenied."""
    permissions.check_leave_community(actor, community)
    with transaction.atomic():
        deleted, _rows = Membership.objects.filter(community=community, user=actor).delete()
        if deleted:
            Community.objects.filter(pk=community.pk).update(member_count=F("member_count") - 1)
            community.member_count -= 1
            record_event("membership.left", actor=actor, community=community, subject=community)
            if community.member_cap is not None:
                _notify_on_commit("offer_freed_seat", community.pk)
    permissions.forget_access(community)


def leave_waitlist(actor: User, community: Community) -> None:
    with transaction.atomic():
        deleted, _rows = WaitlistEntry.objects.filter(community=community, user=actor).delete()
        if deleted:
            record_event("community.waitlist_left", actor=actor, community=community)


def request_to_join(
    actor: User,
    community: Community,
    *,
    answers: list[str],
    message: str = "",
    accept_rules: bool,
) -> JoinRequest:
    """Ask the hosts to let ``actor`` in, answering the screening questions.

    Raises PermissionDenied, ValidationError.
    """
    permissions.check_request_to_join(actor, community)
    _require_rules(community, accept_rules)
    questions = community.screening_questions or []
    answers = [str(answer).strip() for answer in answers]
    errors: list[str] = []
    if len(answers) != len(questions) or any(not answer for answer in answers):
        errors.append(_("Please answer every question."))
    if any(len(answer) > MAX_ANSWER_LENGTH for answer in answers):
        errors.append(_("Keep each answer under %(n)d characters.") % {"n": MAX_ANSWER_LENGTH})
    if len(message) > 2000:
        errors.append(_("Keep the message under 2000 characters."))
    if errors:
        raise ValidationError({"answers": errors})
    with transaction.atomic():
        try:
            with transaction.atomic():
                join_request = JoinRequest.objects.create(
                    community=community,
                    user=actor,
                    answers=[
                        {"question": q, "answer": a}
                        for q, a in zip(questions, answers, strict=True)
                    ],
                    message=message.strip(),
                )
        except IntegrityError as error:
            raise ActionRefused(
                _("Your request is already waiting for the hosts."), code="request_pending"
            ) from error
        record_event("join_request.created", actor=actor, community=community, subject=join_request)
    permissions.forget_access(community)
    return join_request


def withdraw_join_request(actor: User, join_request: JoinRequest) -> None:
    permissions.check_withdraw_join_request(actor, join_request)
    with transaction.atomic():
        updated = JoinRequest.objects.filter(
            pk=join_request.pk, status=JoinRequest.Status.PENDING
        ).update(status=JoinRequest.Status.WITHDRAWN, decided_at=timezone.now())
        if updated:
            join_request.status = JoinRequest.Status.WITHDRAWN
            record_event(
                "join_request.withdrawn",
                actor=actor,
                community=join_request.community,
                subject=join_request,
            )


def _decide(join_request: JoinRequest, actor: User, status: str, note: str) -> bool:
    """Mark a pending request decided; False when someone else decided it first."""
    now = timezone.now()
    updated = JoinRequest.objects.filter(
        pk=join_request.pk, status=JoinRequest.Status.PENDING
    ).update(status=status, decided_at=now, decided_by=actor, decision_note=note.strip())
    if updated:
        join_request.status = status
        join_request.decided_at = now
        join_request.decided_by = actor
        join_request.decision_note = note.strip()
    return bool(updated)


def approve_join_request(actor: User, join_request: JoinRequest, *, note: str = "") -> JoinOutcome:
    """Let the applicant in (or onto the waitlist when full) and tell them.

    Raises PermissionDenied, ActionRefused (already decided).
    """
    permissions.check_decide_join_request(actor, join_request)
    community = join_request.community
    applicant = join_request.user
    with transaction.atomic():
        if not _decide(join_request, actor, JoinRequest.Status.APPROVED, note):
            raise ActionRefused(_("This request has already been decided."), code="decided")
        if Membership.objects.filter(community=community, user=applicant).exists():
            outcome = JoinOutcome(status="joined")
        else:
            outcome = _admit(applicant, community, via="request", join_request=join_request.pk)
            if outcome.membership is not None:
                from cerchia.insights.actions_fields import save_answers_from_request

                save_answers_from_request(join_request, outcome.membership)
        record_event(
            "join_request.approved", actor=actor, community=community, subject=join_request
        )
        _notify_on_commit("send_join_request_outcome", join_request.pk)
    return outcome


def decline_join_request(actor: User, join_request: JoinRequest, *, note: str = "") -> None:
    """Decline a pending request and tell the applicant. Raises PermissionDenied, ActionRefused."""
    permissions.check_decide_join_request(actor, join_request)
    with transaction.atomic():
        if not _decide(join_request, actor, JoinRequest.Status.DECLINED, note):
            raise ActionRefused(_("This request has already been decided."), code="decided")
        record_event(
            "join_request.declined",
            actor=actor,
            community=join_request.community,
            subject=join_request,
        )
        _notify_on_commit("send_join_request_outcome", join_request.pk)


# --- Invitations -----------------------------------------------------------------


def create_invitation(
    actor: User,
    community: Community,
    *,
    email: str = "",
    expires_in: timedelta | None = timedelta(days=7),
    max_uses: int | None = None,
) -> Invitation:
    """A link (anyone holding it may join) or an email invitation (only its addressee).

    Raises PermissionDenied, ValidationError, RateLimited.
    """
    permissions.check_manage_community(actor, community)
    ratelimit.hit("invite", user=actor)
    email = email.strip().lower()
    errors: dict[str, list[str]] = {}
    if email:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
        max_uses = 1
    if max_uses is not None and not 1 <= max_uses <= 10_000:
        errors["max_uses"] = [_("Between 1 and 10,000 uses.")]
    if expires_in is not None and not timedelta(hours=1) <= expires_in <= timedelta(days=365):
        errors["expires_in"] = [_("An invitation lasts between one hour and one year.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            community=community,
            created_by=actor,
            token=secrets.token_urlsafe(24),
            email=email,
            expires_at=timezone.now() + expires_in if expires_in else None,
            max_uses=max_uses,
        )
        record_event(
            "invitation.created",
            actor=actor,
            community=community,
            subject=invitation,
            by_email=bool(email),
        )
        if email:
            _notify_on_commit("send_invitation_email", invitation.pk)
    return invitation


def revoke_invitation(actor: User, invitation: Invitation) -> None:
    permissions.check_manage_community(actor, invitation.community)
    with transaction.atomic():
        if invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            record_event(
                "invitation.revoked",
                actor=actor,
                community=invitation.community,
                subject=invitation,
            )


def accept_invitation(actor: User, invitation: Invitation, *, accept_rules: bool) -> JoinOutcome:
    """Join through an invitation, whatever the join policy; the member cap still applies.

    Raises PermissionDenied (expired, used up, someone else's), ValidationError.
    """
    permissions.check_accept_invitation(actor, invitation)
    community = invitation.community
    _require_rules(community, accept_rules)
    with transaction.atomic():
        claimed = permissions.usable_invitations(
            Invitation.objects.filter(pk=invitation.pk)
        ).update(use_count=F("use_count") + 1)
        if not claimed:
            raise ActionRefused(
                _("This invitation has expired or been used up."), code="invitation_unusable"
            )
        invitation.use_count += 1
        outcome = _admit(actor, community, via="invitation", invitation=invitation.pk)
        if outcome.status == "waitlisted":
            # A waitlisted invitee has not used a seat: give the use back.
            Invitation.objects.filter(pk=invitation.pk).update(use_count=F("use_count") - 1)
            invitation.use_count -= 1
    return outcome


# --- Roles ---------------------------------------------------------------------


def change_role(actor: User, membership: Membership, role: str) -> Membership:
    """Promote a member to moderator or demote a moderator. Raises PermissionDenied."""
    permissions.check_change_role(actor, membership, role)
    if membership.role == role:
        return membership
    previous = membership.role
    with transaction.atomic():
        membership.role = role
        membership.save(update_fields=["role"])
        record_event(
            "membership.role_changed",
            actor=actor,
            community=membership.community,
            subject=membership,
            user=membership.user_id,
            previous=previous,
            role=role,
        )
    permissions.forget_access(membership.community)
    return membership


def transfer_ownership(actor: User, community: Community, new_owner: Membership) -> None:
    """Make another member the owner; the previous owner stays on as a moderator."""
    permissions.check_transfer_ownership(actor, community, new_owner)
    with transaction.atomic():
        previous = list(
            Membership.objects.select_for_update().filter(community=community, role=Role.OWNER)
        )
        Membership.objects.filter(pk__in=[m.pk for m in previous]).update(role=Role.MODERATOR)
        Membership.objects.filter(pk=new_owner.pk).update(role=Role.OWNER)
        new_owner.role = Role.OWNER
        record_event(
            "community.ownership_transferred",
            actor=actor,
            community=community,
            subject=community,
            previous_owners=[m.user_id for m in previous],
            owner=new_owner.user_id,
        )
    permissions.forget_access(community)


# --- Side effects --------------------------------------------------------------------


def _notify_on_commit(task_name: str, object_id: int) -> None:
    from cerchia.communities import tasks

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.enqueue(object_id))
