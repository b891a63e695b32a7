"""Who may read, write and run discussions: every rule, written once.

Reading follows the community (``check_read_community``): anyone reads a public
community, members read a private or hidden one. Writing needs a membership and an
active account. Hosts (owners, moderators) and site admins run the topics.
A deleted topic or post is hidden (404) from everyone but the community's hosts.
A restricted topic (an announcement sent to a segment) is read only by its audience, its
author, the community's hosts and site admins: 404 for everyone else, and out of every list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cerchia.communities.models import HOST_ROLES, Community, Membership, Visibility
from cerchia.communities.permissions import (
    Access,
    _can,
    check_read_community,
    format_moment,
    get_access,
)
from cerchia.discussions.models import Post, Topic, TopicAudience, TopicKind

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cerchia.accounts.models import User

    Actor = User | AnonymousUser


def _topic_not_found() -> Http404:
    return Http404(_("No such topic."))


def _is_host(access: Access) -> bool:
    return access.is_host or access.is_site_admin


def _require_member(access: Access) -> None:
    if not access.is_signed_in:
        raise PermissionDenied(_("Sign in first."))
    if access.is_suspended:
        raise PermissionDenied(_("Your account is suspended."))
    if not access.is_member:
        raise PermissionDenied(_("Join the community to take part."))


def _require_unmuted(access: Access) -> None:
    """A muted member may not post, reply, edit or react until the mute ends."""
    muted_until = access.muted_until
    if muted_until is not None:
        raise PermissionDenied(
            _("You are muted in this community until %(end)s.")
            % {"end": format_moment(muted_until)}
        )


# --- Reading -------------------------------------------------------------------------


def _audience_ids(topic: Topic) -> set[int]:
    """Who may read a restricted topic, loaded once per topic instance (one query), so that
    checking many readers (a notification fan-out) costs the same as checking one."""
    cached: set[int] | None = topic.__dict__.get("_audience_ids")
    if cached is None:
        cached = set(TopicAudience.objects.filter(topic=topic).values_list("user_id", flat=True))
        topic.__dict__["_audience_ids"] = cached
    return cached


def may_read_restricted(actor: Actor, topic: Topic) -> bool:
    """Whether the actor may read ``topic`` as far as its audience goes (always for an
    unrestricted topic): its audience, its author, the community's hosts, site admins."""
    if not topic.restricted:
        return True
    if not actor.is_authenticated:
        return False
    if topic.author_id == actor.pk or _is_host(get_access(actor, topic.community)):
        return True
    return actor.pk in _audience_ids(topic)


def check_read_topic(actor: Actor, topic: Topic) -> None:
    """Read a topic: whoever reads its community; a deleted topic only its hosts; a
    restricted one its audience, author and hosts (else 404)."""
    check_read_community(actor, topic.community)
    if topic.deleted_at is not None and not _is_host(get_access(actor, topic.community)):
        raise _topic_not_found()
    if not may_read_restricted(actor, topic):
        raise _topic_not_found()


def check_read_post(actor: Actor, post: Post) -> None:
    """Read a post: whoever reads its topic; a deleted post only its hosts (else 404)."""
    check_read_topic(actor, post.topic)
    if post.deleted_at is not None and not _is_host(get_access(actor, post.topic.community)):
        raise Http404(_("No such post."))


def readable_communities(actor: Actor, queryset: QuerySet[Community]) -> QuerySet[Community]:
    """Communities whose content the actor may read (the queryset form of check_read_community)."""
    if actor.is_authenticated and actor.is_staff and actor.suspended_at is None:
        return queryset
    condition = Q(visibility=Visibility.PUBLIC)
    if actor.is_authenticated and actor.suspended_at is None:
        condition |= Q(Exists(Membership.objects.filter(community=OuterRef("pk"), user=actor)))
    return queryset.filter(condition)


def audience_filter(actor: Actor, prefix: str = "") -> Q:
    """Leave out restricted topics the actor may not read (the list form of
    ``may_read_restricted``); ``prefix`` reaches the topic from another model ("topic__").

    Adds a condition to the list's own query, never a query of its own."""
    unrestricted = Q(**{f"{prefix}restricted": False})
    if not actor.is_authenticated or actor.suspended_at is not None:
        return unrestricted
    if actor.is_staff:
        return Q()
    topic_ref = OuterRef(f"{prefix.removesuffix('__')}_id" if prefix else "pk")
    hosted = Membership.objects.filter(user=actor, role__in=HOST_ROLES).values("community_id")
    return (
        unrestricted
        | Q(**{f"{prefix}author_id": actor.pk})
        | Q(Exists(TopicAudience.objects.filter(topic=topic_ref, user=actor)))
        | Q(**{f"{prefix}community_id__in": hosted})
    )


def visible_topics(actor: Actor, queryset: QuerySet[Topic]) -> QuerySet[Topic]:
    """Topics the actor may read: not deleted, in communities whose content they may read,
    restricted ones only for their audience and hosts."""
    return queryset.filter(
        audience_filter(actor),
        deleted_at__isnull=True,
        community__in=readable_communities(actor, Community.objects.all()),
    )


def visible_posts(actor: Actor, queryset: QuerySet[Post]) -> QuerySet[Post]:
    """Posts the actor may read: not deleted, in live topics of communities they may read,
    restricted topics only for their audience and hosts."""
    return queryset.filter(
        audience_filter(actor, "topic__"),
        deleted_at__isnull=True,
        topic__deleted_at__isnull=True,
        community__in=readable_communities(actor, Community.objects.all()),
    )


def hosted_communities(actor: Actor, queryset: QuerySet[Community]) -> QuerySet[Community]:
    """Communities the actor runs (all of them for an active site admin)."""
    if not actor.is_authenticated or actor.suspended_at is not None:
        return queryset.none()
    if actor.is_staff:
        return queryset
    return queryset.filter(memberships__user=actor, memberships__role__in=HOST_ROLES)


def unhidden_posts(actor: Actor, queryset: QuerySet[Post]) -> QuerySet[Post]:
    """Leave out posts the hosts hid, except for their authors and the hosts (lists, search)."""
    condition = Q(hidden_at__isnull=True) | Q(
        community__in=hosted_communities(actor, Community.objects.all())
    )
    if actor.is_authenticated:
        condition |= Q(author=actor)
    return queryset.filter(condition)


def member_communities(actor: Actor, queryset: QuerySet[Community]) -> QuerySet[Community]:
    """Communities the actor belongs to (the home feed's scope); none when signed out."""
    if not actor.is_authenticated or actor.suspended_at is not None:
        return queryset.none()
    return queryset.filter(memberships__user=actor)


# --- Writing ---------------------------------------------------------------------------


def check_create_topic(
    actor: Actor, community: Community, kind: str = TopicKind.DISCUSSION
) -> None:
    """Start a topic: members; announcements only hosts."""
    check_read_community(actor, community)
    access = get_access(actor, community)
    _require_member(access)
    _require_unmuted(access)
    if kind == TopicKind.ANNOUNCEMENT and not access.is_host:
        raise PermissionDenied(_("Only the community's hosts post announcements."))


def check_reply(actor: Actor, topic: Topic) -> None:
    """Reply: members, while the topic is open; hosts also in closed or locked topics."""
    check_read_topic(actor, topic)
    access = get_access(actor, topic.community)
    _require_member(access)
    _require_unmuted(access)
    if topic.deleted_at is not None:
        raise _topic_not_found()
    if access.is_host:
        return
    if topic.locked_at is not None:
        raise PermissionDenied(_("This topic is locked."))
    if topic.closed_at is not None:
        raise PermissionDenied(_("This topic is closed to new replies."))


def check_edit_post(actor: Actor, post: Post) -> None:
    """Edit: the author while the topic is not locked, or a host."""
    check_read_post(actor, post)
    access = get_access(actor, post.topic.community)
    if access.is_signed_in and not access.is_suspended and _is_host(access):
        if post.deleted_at is not None:
            raise PermissionDenied(_("Restore the post before editing it."))
        return
    _require_member(access)
    if post.author_id != actor.pk:
        raise PermissionDenied(_("Only the author or a host can edit this post."))
    _require_unmuted(access)
    if post.deleted_at is not None:
        raise Http404(_("No such post."))
    if post.topic.locked_at is not None:
        raise PermissionDenied(_("This topic is locked."))


def check_view_post_history(actor: Actor, post: Post) -> None:
    """Earlier versions: the author and hosts."""
    check_read_post(actor, post)
    access = get_access(actor, post.topic.community)
    if _is_host(access) or (access.is_signed_in and post.author_id == actor.pk):
        return
    raise PermissionDenied(_("Only the author and the hosts can see earlier versions."))


def check_delete_post(actor: Actor, post: Post) -> None:
    """Soft delete: the author (not in a locked topic) or a host; the opening post
    stands for the whole topic."""
    check_read_post(actor, post)
    if post.deleted_at is not None:
        raise PermissionDenied(_("This post is already deleted."))
    access = get_access(actor, post.topic.community)
    if access.is_signed_in and not access.is_suspended and _is_host(access):
        return
    _require_member(access)
    if post.author_id != actor.pk:
        raise PermissionDenied(_("Only the author or a host can delete this post."))
    if post.topic.locked_at is not None:
        raise PermissionDenied(_("This topic is locked."))


def check_restore_post(actor: Actor, post: Post) -> None:
    """Undo a soft delete: hosts."""
    check_moderate_topic(actor, post.topic)
    if post.deleted_at is None:
        raise PermissionDenied(_("This post is not deleted."))


def can_see_hidden_post(actor: Actor, post: Post) -> bool:
    """A post the hosts hid shows (collapsed to everyone else) to its author and the hosts."""
    if post.hidden_at is None:
        return True
    if actor.is_authenticated and post.author_id == actor.pk:
        return True
    access = get_access(actor, post.topic.community)
    return access.is_signed_in and not access.is_suspended and _is_host(access)


def check_react(actor: Actor, post: Post) -> None:
    """React: members, on live posts of topics that are not locked."""
    check_read_post(actor, post)
    access = get_access(actor, post.topic.community)
    _require_member(access)
    _require_unmuted(access)
    if post.deleted_at is not None:
        raise Http404(_("No such post."))
    if post.topic.locked_at is not None and not access.is_host:
        raise PermissionDenied(_("This topic is locked."))


def check_bookmark(actor: Actor, post: Post) -> None:
    """Bookmark: anyone signed in who may read the post."""
    check_read_post(actor, post)
    if not actor.is_authenticated:
        raise PermissionDenied(_("Sign in first."))
    if actor.suspended_at is not None:
        raise PermissionDenied(_("Your account is suspended."))


def check_follow_topic(actor: Actor, topic: Topic) -> None:
    """Choose a notification level or keep read state: members of the topic's community."""
    check_read_topic(actor, topic)
    _require_member(get_access(actor, topic.community))


def check_follow_community(actor: Actor, community: Community) -> None:
    check_read_community(actor, community)
    _require_member(get_access(actor, community))


def check_accept_answer(actor: Actor, topic: Topic, post: Post) -> None:
    """Accept an answer: the question's author or a host, for a live reply in the question."""
    check_read_topic(actor, topic)
    access = get_access(actor, topic.community)
    if not (access.is_signed_in and not access.is_suspended):
        raise PermissionDenied(_("Sign in first."))
    if not (_is_host(access) or (access.is_member and topic.author_id == actor.pk)):
        raise PermissionDenied(_("Only the person who asked or a host can accept an answer."))
    if topic.kind != TopicKind.QUESTION:
        raise PermissionDenied(_("Only questions have accepted answers."))
    if post.topic_id != topic.pk or post.number == 1 or post.deleted_at is not None:
        raise PermissionDenied(_("Choose a reply in this question."))


def check_moderate_topic(actor: Actor, topic: Topic) -> None:
    """Pin, lock, close, restore, move: the community's hosts and site admins."""
    check_read_community(actor, topic.community)
    access = get_access(actor, topic.community)
    if access.is_signed_in and not access.is_suspended and _is_host(access):
        return
    raise PermissionDenied(_("Only the community's hosts can do this."))


def check_move_topic(actor: Actor, topic: Topic, target: Community) -> None:
    """Move a topic: someone who hosts both communities."""
    check_moderate_topic(actor, topic)
    if target.pk == topic.community_id:
        raise PermissionDenied(_("The topic is already in this community."))
    target_access = get_access(actor, target)
    if not (target_access.is_signed_in and _is_host(target_access)):
        raise PermissionDenied(_("You can move topics only to communities you host."))


def can_create_topic(actor: Actor, community: Community, kind: str = TopicKind.DISCUSSION) -> bool:
    return _can(check_create_topic, actor, community, kind)


def can_reply(actor: Actor, topic: Topic) -> bool:
    return _can(check_reply, actor, topic)


def can_edit_post(actor: Actor, post: Post) -> bool:
    return _can(check_edit_post, actor, post)


def can_delete_post(actor: Actor, post: Post) -> bool:
    return _can(check_delete_post, actor, post)


def can_view_post_history(actor: Actor, post: Post) -> bool:
    return _can(check_view_post_history, actor, post)


def can_react(actor: Actor, post: Post) -> bool:
    return _can(check_react, actor, post)


def can_moderate_topic(actor: Actor, topic: Topic) -> bool:
    return _can(check_moderate_topic, actor, topic)


def can_accept_answer(actor: Actor, topic: Topic, post: Post) -> bool:
    return _can(check_accept_answer, actor, topic, post)


def can_follow_topic(actor: Actor, topic: Topic) -> bool:
    return _can(check_follow_topic, actor, topic)


@dataclass(frozen=True)
class TopicFlags:
    """What the actor may do on a topic page, computed once (per-post rights come from
    ``post_flags``, which needs no query once the access is loaded)."""

    reply: bool
    moderate: bool
    follow: bool
    accept: bool
    is_host: bool
    is_member: bool
    signed_in: bool
    #: When the actor's mute in this community ends (the page says why they cannot reply).
    muted_until: Any = None


def topic_flags(actor: Actor, topic: Topic) -> TopicFlags:
    access = get_access(actor, topic.community)
    moderate = can_moderate_topic(actor, topic)
    return TopicFlags(
        reply=can_reply(actor, topic),
        moderate=moderate,
        follow=can_follow_topic(actor, topic),
        accept=topic.kind == TopicKind.QUESTION
        and access.is_signed_in
        and not access.is_suspended
        and (moderate or (access.is_member and topic.author_id == actor.pk)),
        is_host=moderate,
        is_member=access.is_member,
        signed_in=access.is_signed_in and not access.is_suspended,
        muted_until=access.muted_until,
    )


@dataclass(frozen=True)
class PostFlags:
    edit: bool
    delete: bool
    history: bool
    react: bool
    accept: bool
    #: False when the hosts hid the post and the actor is neither its author nor a host.
    see_hidden: bool = True


def post_flags(actor: Actor, post: Post) -> PostFlags:
    """Per-post rights for templates; ``post.topic`` must be the loaded topic (no query)."""
    return PostFlags(
        edit=can_edit_post(actor, post),
        delete=can_delete_post(actor, post),
        history=post.edit_count > 0 and can_view_post_history(actor, post),
        react=can_react(actor, post),
        accept=post.number > 1 and can_accept_answer(actor, post.topic, post),
        see_hidden=can_see_hidden_post(actor, post),
    )
