"""The authorization matrix's world and rules, shared by every app's route table.

Each app lists its routes in a table (``PAGES`` and ``API`` dicts of ``Route``) in its
``tests/authz.py``; ``test_authorization_matrix`` runs them all. The world holds one
community of each visibility with one person of each kind, and a few topics in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from cerchia.accounts.actions import create_access_token
from cerchia.accounts.models import AccessToken, User
from cerchia.communities.models import Community, JoinPolicy, Role, Visibility
from cerchia.core import testing

PRINCIPALS = (
    "anonymous",
    "stranger",
    "requester",
    "invited",
    "member",
    "moderator",
    "owner",
    "site_admin",
    "suspended",
)
VISIBILITIES = (Visibility.PUBLIC, Visibility.PRIVATE, Visibility.HIDDEN)
POLICY: dict[str, str] = {
    Visibility.PUBLIC: JoinPolicy.OPEN,
    Visibility.PRIVATE: JoinPolicy.REQUEST,
    Visibility.HIDDEN: JoinPolicy.INVITATION,
}

# Who sees a hidden community's front page, who reads non-public content, who hosts.
SEE_HIDDEN = {"requester", "invited", "member", "moderator", "owner", "site_admin"}
READERS = {"member", "moderator", "owner", "site_admin"}
HOSTS = {"moderator", "owner", "site_admin"}
OWNERS = {"owner", "site_admin"}
CO_MEMBERS = {"member", "moderator", "owner", "site_admin"}

Expect = Callable[[str, str], str]


def sees(visibility: str, who: str) -> bool:
    return visibility != Visibility.HIDDEN or who in SEE_HIDDEN


def reads(visibility: str, who: str) -> bool:
    return visibility == Visibility.PUBLIC or who in READERS


def always(outcome: str) -> Expect:
    return lambda visibility, who: outcome


def gate(need: str, then: Expect = always("ok"), anonymous: str | None = "login") -> Expect:
    """The usual rule: sign in first, then 404 for what one may not see, then 403, then ``then``."""

    def expect(visibility: str, who: str) -> str:
        if anonymous and who == "anonymous":
            return anonymous
        if need == "view" and not sees(visibility, who):
            return "404"
        if need in {"read", "manage", "roles"} and not reads(visibility, who):
            return "404"
        if need == "manage" and who not in HOSTS:
            return "403"
        if need == "roles" and who not in OWNERS:
            return "403"
        return then(visibility, who)

    return expect


def signed_in(then: Expect = always("ok"), anonymous: str = "login") -> Expect:
    return lambda visibility, who: anonymous if who == "anonymous" else then(visibility, who)


def join_rule(visibility: str, who: str) -> str:
    open_to = {"stranger", "requester", "invited", "site_admin"}
    return "ok" if visibility == Visibility.PUBLIC and who in open_to else "403"


def request_rule(visibility: str, who: str) -> str:
    return (
        "ok"
        if visibility == Visibility.PRIVATE and who in {"stranger", "invited", "site_admin"}
        else "403"
    )


def leave_rule(visibility: str, who: str) -> str:
    return "ok" if who in {"member", "moderator", "suspended"} else "403"


def page_join_rule(visibility: str, who: str) -> str:
    """The page treats joining again as done (a second click), the API answers 403."""
    return "ok" if who in {"member", "moderator", "owner"} else join_rule(visibility, who)


def page_request_rule(visibility: str, who: str) -> str:
    """Asking again while a request waits shows that request rather than a refusal."""
    return "ok" if who == "requester" else request_rule(visibility, who)


def page_leave_rule(visibility: str, who: str) -> str:
    """Leaving a community one is not in is a no-op with a note; the owner is refused."""
    return "403" if who == "owner" else "ok"


def accept_invitation_rule(visibility: str, who: str) -> str:
    if who == "suspended" or who in {"member", "moderator", "owner"}:
        return "403"
    return "ok"


def profile_rule(visibility: str, who: str) -> str:
    return "ok" if who in CO_MEMBERS else "404"


def not_suspended(then: Expect = always("ok")) -> Expect:
    return lambda visibility, who: "403" if who == "suspended" else then(visibility, who)


def only(*allowed: str, otherwise: str = "404") -> Expect:
    return lambda visibility, who: "ok" if who in allowed else otherwise


@dataclass
class World:
    """One community of a given visibility, and one person of each kind."""

    community: Community
    people: dict[str, Any]
    pending_request_id: int
    requester_request_id: int
    invitation_id: int
    invitation_token: str
    token_id: int
    extra: dict[str, Any] = field(default_factory=dict)


def build_world(visibility: str) -> World:
    people: dict[str, Any] = {"anonymous": None}
    for who in PRINCIPALS[1:]:
        people[who] = testing.make_user(
            f"{who}_{visibility}",
            is_staff=who == "site_admin",
            is_superuser=who == "site_admin",
        )
    community = testing.make_community(
        people["owner"],
        visibility=visibility,
        join_policy=POLICY[visibility],
        slug=f"matrix-{visibility}",
        rules="Be kind.",
        screening_questions=["Why?"] if visibility == Visibility.PRIVATE else [],
    )
    testing.add_member(community, people["moderator"], Role.MODERATOR)
    testing.add_member(community, people["member"])
    testing.add_member(community, people["suspended"])
    User.objects.filter(pk=people["suspended"].pk).update(suspended_at=timezone.now())
    people["suspended"].suspended_at = timezone.now()
    requester_request = testing.make_join_request(community, people["requester"])
    applicant = testing.make_user(f"applicant_{visibility}")
    pending = testing.make_join_request(community, applicant)
    testing.make_invitation(community, email=people["invited"].email)
    link = testing.make_invitation(community)
    with transaction.atomic():
        token, _raw = create_access_token(
            people["member"],
            people["member"],
            name="matrix",
            scope=AccessToken.Scope.WRITE,
        )
    discussion = testing.make_topic(community, people["member"], title="Matrix discussion")
    answer = testing.make_reply(discussion, people["moderator"], body="A reply by a host")
    question = testing.make_topic(
        community, people["member"], title="Matrix question", kind="question"
    )
    question_reply = testing.make_reply(question, people["owner"], body="Try this")
    host_topic = testing.make_topic(community, people["owner"], title="From the hosts")
    return World(
        community=community,
        people=people,
        pending_request_id=pending.pk,
        requester_request_id=requester_request.pk,
        invitation_id=link.pk,
        invitation_token=link.token,
        token_id=token.pk,
        extra={
            # A discussion started by the member, with a reply by the moderator.
            "topic_id": discussion.pk,
            "opening_post_id": discussion.posts.get(number=1).pk,
            "reply_id": answer.pk,
            # A question asked by the member, answered by the owner.
            "question_id": question.pk,
            "question_reply_id": question_reply.pk,
            # A topic started by the owner.
            "host_topic_id": host_topic.pk,
            "host_post_id": host_topic.posts.get(number=1).pk,
        },
    )


def classify(response: Any) -> str:
    status = response.status_code
    if status in (301, 302, 303) and "login" in response.get("Location", ""):
        return "login"
    if status >= 500:
        return "error"
    if status in (400, 422):
        return "invalid"
    if status in (401, 403, 404, 405, 409, 429):
        return str(status)
    return "ok"


@dataclass(frozen=True)
class Route:
    expect: Expect
    method: str = "get"
    path: Callable[[World], str] = lambda world: "/"
    data: Callable[[World], dict[str, Any]] = lambda world: {}


def c(suffix: str) -> Callable[[World], str]:
    return lambda world: f"/c/{world.community.slug}/{suffix}"


def api(suffix: str) -> Callable[[World], str]:
    return lambda world: f"/api/v1/communities/{world.community.slug}{suffix}"


def t(suffix: str = "") -> Callable[[World], str]:
    """A path under the member's discussion topic: ``/c/<slug>/t/<id>/<suffix>``."""
    return lambda world: f"/c/{world.community.slug}/t/{world.extra['topic_id']}/{suffix}"
