"""Factories and asserts shared by every app's tests."""

from __future__ import annotations

import itertools
from typing import Any

from cerchia.accounts.models import User
from cerchia.communities.models import (
    Community,
    Invitation,
    JoinPolicy,
    JoinRequest,
    Membership,
    Role,
    Visibility,
)
from cerchia.discussions.models import Post, Topic
from cerchia.insights.models import Event

_sequence = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_user(handle: str | None = None, **fields: Any) -> User:
    """A verified member who can sign in with ``PASSWORD``."""
    from allauth.account.models import EmailAddress

    number = next(_sequence)
    handle = handle or f"member{number}"
    email = fields.pop("email", f"{handle}@example.org")
    fields.setdefault("display_name", handle.replace("_", " ").title())
    user = User.objects.create_user(email, PASSWORD, handle=handle, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def make_community(
    owner: User | None = None,
    *,
    visibility: str = Visibility.PUBLIC,
    join_policy: str | None = None,
    **fields: Any,
) -> Community:
    """A community owned by ``owner`` (made if not given), written directly, without events."""
    number = next(_sequence)
    owner = owner or make_user()
    if join_policy is None:
        join_policy = JoinPolicy.INVITATION if visibility == Visibility.HIDDEN else JoinPolicy.OPEN
    fields.setdefault("name", f"Circle {number}")
    fields.setdefault("slug", f"circle-{number}")
    fields.setdefault("tagline", "A small circle")
    community = Community.objects.create(
        visibility=visibility, join_policy=join_policy, created_by=owner, member_count=0, **fields
    )
    add_member(community, owner, Role.OWNER)
    return community


def add_member(community: Community, user: User, role: str = Role.MEMBER) -> Membership:
    membership = Membership.objects.create(community=community, user=user, role=role)
    Community.objects.filter(pk=community.pk).update(member_count=community.member_count + 1)
    community.member_count += 1
    community.__dict__.pop("_access_cache", None)
    return membership


def make_join_request(community: Community, user: User, **fields: Any) -> JoinRequest:
    return JoinRequest.objects.create(community=community, user=user, **fields)


def make_invitation(community: Community, **fields: Any) -> Invitation:
    fields.setdefault("token", f"token-{next(_sequence)}-abcdefghijklmnop")
    fields.setdefault("created_by", community.created_by)
    return Invitation.objects.create(community=community, **fields)


def make_topic(
    community: Community,
    author: User,
    *,
    title: str | None = None,
    body: str = "Opening post",
    kind: str = "discussion",
    **fields: Any,
) -> Topic:
    """A topic with its opening post, written through ``create_topic`` (the author must be
    able to post there)."""
    from django.db import transaction

    from cerchia.discussions.actions import create_topic

    with transaction.atomic():
        topic = create_topic(
            author,
            community,
            title=title or f"Topic {next(_sequence)}",
            body=body,
            kind=kind,
            **fields,
        )
    return topic


def make_reply(topic: Topic, author: User, *, body: str = "A reply", **fields: Any) -> Post:
    """A reply written through ``create_reply``."""
    from django.db import transaction

    from cerchia.discussions.actions import create_reply

    with transaction.atomic():
        post = create_reply(author, topic, body=body, **fields)
    return post


def event_kinds(**filters: Any) -> list[str]:
    """The kinds of events recorded so far, in order, optionally filtered."""
    return list(Event.objects.filter(**filters).order_by("id").values_list("kind", flat=True))


def clear_cache() -> None:
    """Empty this test process's cache without touching other processes sharing a Redis.

    ``cache.clear()`` on Redis flushes the whole database, wiping the rate-limit
    history of tests running at the same time in other workers.
    """
    from django.conf import settings
    from django.core.cache import cache, caches

    if "template_fragments" in settings.CACHES:
        caches["template_fragments"].clear()  # local memory: this process's own
    options = settings.CACHES["default"]
    if "redis" not in options["BACKEND"].lower():
        cache.clear()
        return
    import redis

    client = redis.Redis.from_url(options["LOCATION"])
    try:
        keys = list(client.scan_iter(match=f"{options.get('KEY_PREFIX', '')}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
