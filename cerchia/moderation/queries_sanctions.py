"""Reading sanctions, appeals, notes and the moderation log.

The permission checks of communities and discussions ask here whether a mute or a ban
is in force (one indexed query each, loaded once per request with the access).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cerchia.communities.models import Community, Membership
from cerchia.moderation import permissions
from cerchia.moderation.models import (
    Appeal,
    LogAction,
    ModerationLogEntry,
    ModeratorNote,
    Report,
    Sanction,
    SanctionKind,
    SanctionTemplate,
)
from cerchia.moderation.screening import settings_for

if TYPE_CHECKING:
    from cerchia.accounts.models import User
    from cerchia.moderation.permissions import Actor

#: Kinds that restrict the member while in force; nudges and warnings only inform.
RESTRICTING = (SanctionKind.MUTE, SanctionKind.BAN)
#: How long a nudge or a warning may be appealed.
APPEAL_WINDOW = timedelta(days=30)
LOG_PAGE_SIZE = 50
#: Short names of the steps, for lists and the public log.
STEP_LABELS: dict[str, Any] = {
    SanctionKind.NUDGE: gettext_lazy("Nudge"),
    SanctionKind.WARNING: gettext_lazy("Warning"),
    SanctionKind.MUTE: gettext_lazy("Mute"),
    SanctionKind.BAN: gettext_lazy("Ban"),
}


def in_force(queryset: QuerySet[Sanction], now: Any = None) -> QuerySet[Sanction]:
    """Mutes and bans neither lifted nor ended."""
    moment = now or timezone.now()
    return queryset.filter(kind__in=RESTRICTING, lifted_at__isnull=True).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=moment)
    )


def with_mute(queryset: QuerySet[Membership], actor: Any) -> QuerySet[Membership]:
    """Memberships annotated with ``muted_until``: when the member's mute in force ends."""
    mutes = in_force(
        Sanction.objects.filter(
            community=OuterRef("community"), member=actor, kind=SanctionKind.MUTE
        )
    ).order_by("-ends_at")
    return queryset.annotate(muted_until=Subquery(mutes.values("ends_at")[:1]))


def active_ban(community: Community, member: Any) -> Sanction | None:
    """The ban in force against ``member`` in ``community`` (the permanent one first)."""
    bans = in_force(Sanction.objects.filter(community=community, member=member, kind="ban"))
    return _longest(list(bans[:5]))


def _longest(bans: list[Sanction]) -> Sanction | None:
    if not bans:
        return None
    permanent = [ban for ban in bans if ban.ends_at is None]
    if permanent:
        return permanent[0]
    return max(bans, key=lambda ban: ban.ends_at)  # type: ignore[arg-type, return-value]


def sanction_status(sanction: Sanction, now: Any = None) -> str:
    """``active``, ``lifted`` (by a host, or an appeal) or ``ended`` (ran its course);
    nudges and warnings are ``given`` until lifted."""
    moment = now or timezone.now()
    if sanction.lifted_at is not None:
        return "lifted" if sanction.lifted_by_id is not None else "ended"
    if sanction.kind not in RESTRICTING:
        return "given"
    if sanction.ends_at is not None and sanction.ends_at <= moment:
        return "ended"
    return "active"


def can_appeal(sanction: Sanction, now: Any = None) -> bool:
    """Whether the sanctioned member may still appeal (no appeal yet is checked apart)."""
    moment = now or timezone.now()
    if sanction.lifted_at is not None:
        return False
    if sanction.kind in RESTRICTING:
        return sanction.ends_at is None or sanction.ends_at > moment
    return sanction.created_at > moment - APPEAL_WINDOW


@dataclass(frozen=True)
class SanctionRow:
    sanction: Sanction
    status: str
    appeal: Appeal | None
    appealable: bool


def _rows(sanctions: list[Sanction]) -> list[SanctionRow]:
    now = timezone.now()
    rows = []
    for sanction in sanctions:
        appeal = getattr(sanction, "appeal", None) if _has_appeal(sanction) else None
        rows.append(
            SanctionRow(
                sanction=sanction,
                status=sanction_status(sanction, now),
                appeal=appeal,
                appealable=appeal is None and can_appeal(sanction, now),
            )
        )
    return rows


def _has_appeal(sanction: Sanction) -> bool:
    try:
        sanction.appeal  # noqa: B018 - loaded by select_related
    except Appeal.DoesNotExist:
        return False
    return True


def my_sanctions(actor: User) -> list[SanctionRow]:
    """Every sanction the actor received, newest first, with its appeal (what they may see)."""
    sanctions = (
        Sanction.objects.filter(member=actor)
        .select_related("community", "appeal")
        .order_by("-created_at", "-id")
    )
    return _rows(list(sanctions[:200]))


def get_my_sanction(actor: Actor, sanction_id: int) -> Sanction:
    """One of the actor's own sanctions; anyone else's is a 404."""
    if not actor.is_authenticated:
        raise Http404(_("No such sanction."))
    sanction = (
        Sanction.objects.filter(pk=sanction_id, member=actor).select_related("community").first()
    )
    if sanction is None:
        raise Http404(_("No such sanction."))
    return sanction


def get_sanction(actor: Actor, community: Community, sanction_id: int) -> Sanction:
    """A sanction of the community, for its hosts (others are refused by ``check_moderate``)."""
    permissions.check_moderate(actor, community)
    sanction = (
        Sanction.objects.filter(pk=sanction_id, community=community)
        .select_related("member", "community")
        .first()
    )
    if sanction is None:
        raise Http404(_("No such sanction."))
    return sanction


def get_appeal(actor: Actor, community: Community, appeal_id: int) -> Appeal:
    permissions.check_moderate(actor, community)
    appeal = (
        Appeal.objects.filter(pk=appeal_id, sanction__community=community)
        .select_related("sanction__member", "sanction__community")
        .first()
    )
    if appeal is None:
        raise Http404(_("No such appeal."))
    return appeal


def get_member_for_moderation(actor: Actor, community: Community, user_id: int) -> User:
    """Someone the hosts may look at: a member, or anyone sanctioned or reported here."""
    from cerchia.accounts.models import User

    permissions.check_moderate(actor, community)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Http404(_("No such member."))
    known = (
        Membership.objects.filter(community=community, user=user).exists()
        or Sanction.objects.filter(community=community, member=user).exists()
        or Report.objects.filter(community=community, member=user).exists()
    )
    if not known:
        raise Http404(_("No such member."))
    return user


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    restricted: bool


def members_for_moderation(
    actor: Actor, community: Community, *, search: str = "", limit: int = 50
) -> tuple[list[MemberRow], list[SanctionRow]]:
    """Members matching ``search`` (name or handle), marked when a mute or ban is in force,
    and the community's latest sanctions."""
    from django.db.models import Exists

    permissions.check_moderate(actor, community)
    memberships = Membership.objects.filter(community=community).select_related("user")
    search = search.strip()
    if search:
        memberships = memberships.filter(
            Q(user__handle__icontains=search.lstrip("@")) | Q(user__display_name__icontains=search)
        )
    restricted = in_force(Sanction.objects.filter(community=community, member=OuterRef("user")))
    rows = memberships.annotate(restricted=Exists(restricted)).order_by("user__handle")[:limit]
    members = [MemberRow(membership=m, restricted=m.restricted) for m in rows]
    return members, community_sanctions(actor, community, limit=20)


def member_sanctions(actor: Actor, community: Community, member: Any) -> list[SanctionRow]:
    """A member's sanctions in the community, for its hosts."""
    permissions.check_moderate(actor, community)
    sanctions = (
        Sanction.objects.filter(community=community, member=member)
        .select_related("created_by", "lifted_by", "appeal", "community")
        .order_by("-created_at", "-id")
    )
    return _rows(list(sanctions[:200]))


def community_sanctions(
    actor: Actor, community: Community, *, member: Any = None, limit: int = 100
) -> list[SanctionRow]:
    permissions.check_moderate(actor, community)
    sanctions = Sanction.objects.filter(community=community)
    if member is not None:
        sanctions = sanctions.filter(member=member)
    sanctions = sanctions.select_related(
        "member", "created_by", "lifted_by", "appeal", "community"
    ).order_by("-created_at", "-id")
    return _rows(list(sanctions[:limit]))


def member_notes(actor: Actor, community: Community, member: Any) -> list[ModeratorNote]:
    """Private notes on a member: hosts only."""
    permissions.check_moderate(actor, community)
    return list(
        ModeratorNote.objects.filter(community=community, member=member)
        .select_related("author")
        .order_by("-created_at", "-id")[:200]
    )


def pending_appeals(actor: Actor, community: Community) -> list[Appeal]:
    """Appeals waiting for an answer, oldest first, then the latest answered ones."""
    permissions.check_moderate(actor, community)
    base = Appeal.objects.filter(sanction__community=community).select_related(
        "sanction__member", "sanction__created_by", "decided_by"
    )
    pending = list(base.filter(status=Appeal.Status.PENDING).order_by("created_at", "id")[:200])
    decided = list(base.exclude(status=Appeal.Status.PENDING).order_by("-decided_at", "-id")[:20])
    return pending + decided


def templates_for(actor: Actor, community: Community) -> dict[str, str]:
    """The community's own message per step (empty where the default is used)."""
    permissions.check_moderate(actor, community)
    own = dict(SanctionTemplate.objects.filter(community=community).values_list("kind", "message"))
    return {kind: own.get(kind, "") for kind in SanctionKind.values}


def host_log(
    actor: Actor, community: Community, *, action: str = "", page: int = 1
) -> Page[ModerationLogEntry]:
    """The community's moderation log with names, newest first."""
    permissions.check_moderate(actor, community)
    entries = ModerationLogEntry.objects.filter(community=community).select_related(
        "actor", "member", "topic"
    )
    if action:
        entries = entries.filter(action=action)
    paginator = Paginator(entries.order_by("-created_at", "-id"), LOG_PAGE_SIZE)
    return paginator.get_page(page)


def check_view_public_log(actor: Actor, community: Community) -> None:
    """The anonymised log: whoever reads the community, when the hosts publish it (else 404)."""
    from cerchia.communities.permissions import check_read_community

    check_read_community(actor, community)
    if not settings_for(community).public_log:
        raise Http404(_("This community does not publish its moderation log."))


@dataclass(frozen=True)
class PublicEntry:
    """What the public log shows: the action, the step, the rule cited, the date. No names."""

    action: str
    action_label: str
    step: str
    step_label: str
    rule: str
    created_at: Any


def public_log(
    actor: Actor, community: Community, *, page: int = 1
) -> tuple[Page[Any], list[PublicEntry]]:
    check_view_public_log(actor, community)
    entries = (
        ModerationLogEntry.objects.filter(community=community)
        .order_by("-created_at", "-id")
        .values("action", "detail", "rule", "created_at")
    )
    current = Paginator(entries, LOG_PAGE_SIZE).get_page(page)
    labels = dict(LogAction.choices)
    steps = STEP_LABELS
    items = [
        PublicEntry(
            action=row["action"],
            action_label=str(labels.get(row["action"], row["action"])),
            step=row["detail"] if row["detail"] in steps else "",
            step_label=str(steps.get(row["detail"], "")) if row["detail"] in steps else "",
            rule=row["rule"],
            created_at=row["created_at"],
        )
        for row in current.object_list
    ]
    return current, items


def log_page(
    actor: Actor, community: Community, *, action: str = "", cursor: str | None, limit: int
) -> Any:
    """The hosts' log as a keyset page (for the API). Raises InvalidCursor."""
    from cerchia.core.pagination import keyset_page

    permissions.check_moderate(actor, community)
    entries = ModerationLogEntry.objects.filter(community=community).select_related(
        "actor", "member"
    )
    if action:
        entries = entries.filter(action=action)
    return keyset_page(entries, ("-created_at", "-id"), cursor, limit)


def public_log_page(actor: Actor, community: Community, *, cursor: str | None, limit: int) -> Any:
    """The anonymised log as a keyset page (for the API). Raises Http404, InvalidCursor."""
    from cerchia.core.pagination import keyset_page

    check_view_public_log(actor, community)
    entries = ModerationLogEntry.objects.filter(community=community).only(
        "id", "action", "detail", "rule", "created_at"
    )
    return keyset_page(entries, ("-created_at", "-id"), cursor, limit)
