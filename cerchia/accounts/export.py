"""The member's data export: everything Cerchia holds about them, as one JSON-ready dict.

Each app's data is one section built here; a new app adds its section to
``build_account_export``. Only the member's own data goes in: no other member's
identity or words, and no secrets (token hashes, invitation links).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from cerchia.accounts.models import AccessToken, ConsentRecord, User

EXPORT_FORMAT = "cerchia-account-export"
EXPORT_VERSION = 1


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def build_account_export(user: User) -> dict[str, Any]:
    """The whole archive for ``user``, in a fixed number of queries."""
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "generated_at": _time(timezone.now()),
        "account": _account(user),
        "profile": _profile(user),
        "interests": list(user.interests.order_by("slug").values_list("slug", flat=True)),
        "consents": _consents(user),
        "access_tokens": _access_tokens(user),
        **_communities(user),
        "member_field_answers": _member_field_answers(user),
        "discussions": _discussions(user),
        "events": _events(user),
    }


def _account(user: User) -> dict[str, Any]:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    return {
        "id": user.pk,
        "email": user.email,
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "two_factor_methods": sorted(
            set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
        ),
        "date_joined": _time(user.date_joined),
        "last_login": _time(user.last_login),
        "is_site_admin": user.is_staff,
        "suspended_at": _time(user.suspended_at),
        "suspension_reason": user.suspension_reason,
    }


def _profile(user: User) -> dict[str, Any]:
    return {
        "handle": user.handle,
        "display_name": user.display_name,
        "bio": user.bio,
        "avatar": user.avatar.url if user.avatar else None,
        "language": user.language,
        "timezone": user.timezone,
        "profile_visibility": user.profile_visibility,
    }


def _consents(user: User) -> dict[str, Any]:
    history = ConsentRecord.objects.filter(user=user).order_by("created_at", "id")
    return {
        "analytics": user.analytics_consent,
        "marketing_email": user.marketing_consent,
        "history": [
            {"consent": record.kind, "granted": record.granted, "at": _time(record.created_at)}
            for record in history
        ],
    }


def _access_tokens(user: User) -> list[dict[str, Any]]:
    # Names, prefixes and scopes only: the hash stays on the server.
    return [
        {
            "name": token.name,
            "prefix": token.prefix,
            "scope": token.scope,
            "created_at": _time(token.created_at),
            "last_used_at": _time(token.last_used_at),
            "revoked_at": _time(token.revoked_at),
        }
        for token in AccessToken.objects.filter(user=user).order_by("created_at", "id")
    ]


def _communities(user: User) -> dict[str, Any]:
    from cerchia.communities.models import Invitation, JoinRequest, Membership, WaitlistEntry

    memberships = (
        Membership.objects.filter(user=user).select_related("community").order_by("joined_at", "id")
    )
    join_requests = (
        JoinRequest.objects.filter(user=user)
        .select_related("community")
        .order_by("created_at", "id")
    )
    # The invitee's address and the link itself stay out: one is someone else's
    # data, the other a secret that still admits people.
    invitations = (
        Invitation.objects.filter(created_by=user)
        .select_related("community")
        .order_by("created_at", "id")
    )
    waitlist = (
        WaitlistEntry.objects.filter(user=user)
        .select_related("community")
        .order_by("created_at", "id")
    )
    return {
        "memberships": [
            {
                "community": m.community.slug,
                "community_name": m.community.name,
                "role": m.role,
                "joined_at": _time(m.joined_at),
                "rules_accepted_at": _time(m.rules_accepted_at),
            }
            for m in memberships
        ],
        "join_requests": [
            {
                "community": r.community.slug,
                "status": r.status,
                "message": r.message,
                "answers": r.answers,
                "created_at": _time(r.created_at),
                "decided_at": _time(r.decided_at),
            }
            for r in join_requests
        ],
        "invitations_created": [
            {
                "community": i.community.slug,
                "addressed_to_an_email": bool(i.email),
                "created_at": _time(i.created_at),
                "expires_at": _time(i.expires_at),
                "max_uses": i.max_uses,
                "use_count": i.use_count,
                "revoked_at": _time(i.revoked_at),
            }
            for i in invitations
        ],
        "waitlist": [
            {"community": w.community.slug, "created_at": _time(w.created_at)} for w in waitlist
        ],
    }


def _member_field_answers(user: User) -> list[dict[str, Any]]:
    """The member's answers to the questions of the communities they belong to."""
    from cerchia.insights.queries_fields import export_answers

    return export_answers(user)


def _discussions(user: User) -> dict[str, Any]:
    """What the member wrote and kept: topics, posts, reactions, bookmarks."""
    from cerchia.discussions.models import Bookmark, Post, Reaction, Topic

    topics = Topic.objects.filter(author=user).select_related("community").order_by("id")
    posts = Post.objects.filter(author=user).select_related("community").order_by("id")
    reactions = Reaction.objects.filter(user=user).order_by("id")
    bookmarks = Bookmark.objects.filter(user=user).order_by("id")
    return {
        "topics": [
            {
                "id": t.pk,
                "community": t.community.slug,
                "kind": t.kind,
                "title": t.title,
                "created_at": _time(t.created_at),
                "deleted_at": _time(t.deleted_at),
            }
            for t in topics
        ],
        "posts": [
            {
                "id": p.pk,
                "community": p.community.slug,
                "topic_id": p.topic_id,
                "number": p.number,
                "body": p.body,
                "created_at": _time(p.created_at),
                "edited_at": _time(p.edited_at),
                "deleted_at": _time(p.deleted_at),
            }
            for p in posts
        ],
        "reactions": [
            {"post_id": r.post_id, "kind": r.kind, "created_at": _time(r.created_at)}
            for r in reactions
        ],
        "bookmarks": [{"post_id": b.post_id, "created_at": _time(b.created_at)} for b in bookmarks],
    }


def _events(user: User) -> list[dict[str, Any]]:
    from cerchia.insights.models import Event

    events = Event.objects.filter(actor=user).select_related("community").order_by("id")
    return [
        {
            "kind": event.kind,
            "community": event.community.slug if event.community else None,
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "payload": event.payload,
            "at": _time(event.created_at),
        }
        for event in events.iterator(chunk_size=2000)
    ]
