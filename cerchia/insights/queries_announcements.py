"""Reads for the announcement pages and API, each in a fixed number of queries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404
from django.utils.translation import gettext as _

from cerchia.core.pagination import Page, keyset_page
from cerchia.insights.models import Announcement, Segment
from cerchia.insights.permissions import check_announcement, check_send_announcement

if TYPE_CHECKING:
    from cerchia.communities.models import Community
    from cerchia.discussions.permissions import Actor

PAGE_SIZE = 30
ORDERING = ("-send_at", "-id")


def list_announcements(
    actor: Actor, community: Community, *, cursor: str | None = None, limit: int = PAGE_SIZE
) -> Page[Announcement]:
    """The community's announcements, latest (or next) send time first, keyset-paginated
    (one query). Raises PermissionDenied/Http404 (hosts only), InvalidCursor."""
    check_send_announcement(actor, community)
    queryset = Announcement.objects.filter(community=community).select_related(
        "segment", "author", "topic"
    )
    page = keyset_page(queryset, ORDERING, cursor, limit)
    for announcement in page.items:
        announcement.community = community
    return page


def get_announcement(actor: Actor, community: Community, announcement_id: int) -> Announcement:
    """One announcement of ``community`` for its hosts (one query); Http404 if it is not
    there, PermissionDenied for others who read the community."""
    announcement = (
        Announcement.objects.select_related("segment", "author", "topic")
        .filter(pk=announcement_id, community=community)
        .first()
    )
    if announcement is None:
        check_send_announcement(actor, community)
        raise Http404(_("No such announcement."))
    announcement.community = community
    check_announcement(actor, announcement)
    return announcement


def list_segment_choices(community: Community) -> list[Segment]:
    """The community's segments an announcement may go to, by name (one query)."""
    return list(Segment.objects.filter(community=community).order_by("name", "id"))
