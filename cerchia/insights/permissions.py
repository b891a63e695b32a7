"""Who may see insights, members' answers and segments, and send announcements.

Insights are for a community's hosts (owners and moderators) and site admins: whoever may not
read the community gets 404, other readers 403. Members answer their own fields.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from cerchia.communities.permissions import (
    _can,
    check_manage_community,
    check_read_community,
    get_access,
)
from cerchia.insights.models import Announcement, FieldVisibility, MemberField, Segment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cerchia.accounts.models import User
    from cerchia.communities.models import Community

    Actor = User | AnonymousUser


def check_host_insights(actor: Actor, community: Community) -> None:
    """The dashboard, the member table, fields, segments and exports: active hosts and site
    admins; 404 to whoever may not read the community, 403 to other readers."""
    check_manage_community(actor, community)
    if actor.is_authenticated and actor.suspended_at is not None:
        raise PermissionDenied(_("Your account is suspended."))


def can_host_insights(actor: Actor, community: Community) -> bool:
    return _can(check_host_insights, actor, community)


check_view_insights = check_host_insights
check_manage_member_fields = check_host_insights
check_view_members = check_host_insights
check_manage_segments = check_host_insights
check_export_members = check_host_insights
check_send_announcement = check_host_insights


def check_segment(actor: Actor, segment: Segment) -> None:
    """Use or change a segment: its community's hosts."""
    check_host_insights(actor, segment.community)


def check_announcement(actor: Actor, announcement: Announcement) -> None:
    """See, reschedule or cancel an announcement's sending: its community's hosts."""
    check_host_insights(actor, announcement.community)


def check_answer_member_fields(actor: Actor, community: Community) -> None:
    """Answer the community's questions about yourself: its active members."""
    check_read_community(actor, community)
    access = get_access(actor, community)
    if not access.is_signed_in:
        raise PermissionDenied(_("Sign in first."))
    if access.is_suspended:
        raise PermissionDenied(_("Your account is suspended."))
    if not access.is_member:
        raise PermissionDenied(_("Only the community's members can do this."))


def can_answer_member_fields(actor: Actor, community: Community) -> bool:
    return _can(check_answer_member_fields, actor, community)


def can_see_field_answer(actor: Actor, field: MemberField, owner_id: int) -> bool:
    """A member's answer: the member, the hosts, and other members only when the field is
    visible to members."""
    if actor.is_authenticated and actor.pk == owner_id:
        return True
    if can_host_insights(actor, field.community):
        return True
    if field.visibility != FieldVisibility.MEMBERS:
        return False
    return _can(check_read_community, actor, field.community)


def check_field(actor: Actor, field: MemberField) -> None:
    """Change or archive a field: its community's hosts; 404 for an archived one."""
    check_host_insights(actor, field.community)
    if field.archived_at is not None:
        raise Http404(_("No such field."))
