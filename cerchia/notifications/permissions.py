"""Who sees which notification, and who may be notified about a post.

A notification is its recipient's alone (anyone else gets a 404). One about a post
shows only while the recipient may still read that post: a member removed from a
private community stops seeing what it said, in the list, the count and the emails.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cerchia.communities.models import Community, Membership
from cerchia.communities.permissions import Access
from cerchia.discussions.permissions import check_read_post, readable_communities
from cerchia.notifications.models import Notification

if TYPE_CHECKING:
    from cerchia.accounts.models import User
    from cerchia.discussions.models import Post


def visible_notifications(actor: Any, queryset: QuerySet[Notification]) -> QuerySet[Notification]:
    """The actor's own notifications, less those about posts they may no longer read."""
    if not actor.is_authenticated:
        return queryset.none()
    readable = readable_communities(actor, Community.objects.all())
    return queryset.filter(recipient=actor).filter(
        Q(post__isnull=True)
        | Q(
            post__deleted_at__isnull=True,
            topic__deleted_at__isnull=True,
            # The post's community, not the one stored: a topic may have moved.
            post__community__in=readable,
        )
    )


def check_see_notification(actor: Any, notification: Notification) -> None:
    """Open or mark a notification: its recipient only (Http404 for anyone else)."""
    if not actor.is_authenticated or notification.recipient_id != actor.pk:
        raise Http404(_("No such notification."))


def check_manage_notifications(actor: Any) -> None:
    """Read one's notifications and choose how to get them: anyone signed in."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Sign in first."))


def can_be_notified(user: User) -> bool:
    """Accounts that get notifications: active, not suspended, not erased."""
    return user.is_active and user.suspended_at is None and user.deleted_at is None


def readers_of_post(post: Post, users: Iterable[User]) -> list[User]:
    """Those of ``users`` who may read ``post`` (``check_read_post``), with one query.

    ``post.topic.community`` must be loaded. The memberships of all the users are
    read at once and seeded into the community's access cache, so the rule itself
    is the discussions' own check, run per user without a query.
    """
    users = [user for user in users if can_be_notified(user)]
    community = post.topic.community
    memberships = {
        membership.user_id: membership
        for membership in Membership.objects.filter(
            community=community, user_id__in=[user.pk for user in users]
        )
    }
    cache: dict[Any, Access] = community.__dict__.setdefault("_access_cache", {})
    readers = []
    for user in users:
        if user.pk not in cache:
            access = Access(actor=user, community=community, membership=memberships.get(user.pk))
            # Reading never depends on these (they only open a hidden community's front
            # page): settle them so the check asks the database nothing.
            access.__dict__["has_pending_request"] = False
            access.__dict__["has_email_invitation"] = False
            cache[user.pk] = access
        try:
            check_read_post(user, post)
        except (PermissionDenied, Http404):
            continue
        readers.append(user)
    return readers
