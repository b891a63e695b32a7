"""The shapes the demo world is written in: people, communities and what happened in them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Person:
    """A demo member, keyed on ``handle`` (their email is derived from their name)."""

    handle: str
    name: str
    bio: str
    interests: tuple[str, ...]
    language: str = "it"
    timezone: str = "Europe/Rome"
    visibility: str = "members"
    analytics_consent: bool = False
    marketing_consent: bool = False
    avatar: bool = True
    email: str = ""

    @property
    def address(self) -> str:
        if self.email:
            return self.email
        local = self.handle.replace("_", ".")
        return f"{local}@example.org"

    @property
    def initials(self) -> str:
        parts = [part for part in self.name.replace("-", " ").split() if part[:1].isupper()]
        return "".join(part[0] for part in (parts[0], parts[-1])) if parts else self.handle[:2]


@dataclass(frozen=True)
class Request:
    """A join request: still pending, or approved/declined ``decided_after`` days later."""

    handle: str
    answers: tuple[str, ...]
    days_ago: float
    message: str = ""
    outcome: str = "pending"  # "pending", "approved", "declined"
    decided_after: float = 1.0
    note: str = ""


@dataclass(frozen=True)
class Invite:
    """An invitation by link (``to`` empty) or to one person (a handle or an email)."""

    by: str
    days_ago: float
    to: str = ""
    expires_in_days: int = 7
    max_uses: int | None = None
    accepted_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommunityPlan:
    """A community as its owner would fill in the form, plus the story of who came in."""

    slug: str
    name: str
    tagline: str
    description: str
    rules: str
    language: str
    interests: tuple[str, ...]
    owner: str
    created_days_ago: int
    visibility: str = "public"
    join_policy: str = "open"
    screening_questions: tuple[str, ...] = ()
    member_cap: int | None = None
    moderators: tuple[str, ...] = ()
    #: People who join straight away (open communities).
    members: tuple[str, ...] = ()
    requests: tuple[Request, ...] = ()
    invitations: tuple[Invite, ...] = ()
    #: People who try to join once the community is full.
    waitlist: tuple[str, ...] = ()
    cover_seed: str = field(default="")
    #: The brand a brand community belongs to, named on its about page.
    brand_name: str = ""


#: A reaction as (handle of who reacts, reaction kind), e.g. ``("elena_conti", "thanks")``.
type ReactionBy = tuple[str, str]


@dataclass(frozen=True)
class Reply:
    """A reply, written ``after_hours`` after the post before it (or when its writer joined)."""

    by: str
    body: str
    after_hours: float = 3.0
    #: Post number this answers ("in reply to"), and the number it quotes.
    reply_to: int | None = None
    quotes: int | None = None
    reactions: tuple[ReactionBy, ...] = ()
    #: Handles of people who bookmark this reply.
    bookmarked_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Thread:
    """A topic in a community: its opening post, replies, and what people did with them."""

    community: str
    by: str
    title: str
    body: str
    days_ago: float
    kind: str = "discussion"  # "discussion", "question", "announcement"
    tags: tuple[str, ...] = ()
    reactions: tuple[ReactionBy, ...] = ()
    bookmarked_by: tuple[str, ...] = ()
    replies: tuple[Reply, ...] = ()
    #: Number of the reply accepted as the answer (questions), and who accepts it.
    accepted: int | None = None
    accepted_by: str = ""
    #: A host who pins the topic to the top of the community page.
    pinned_by: str = ""
    #: An affiliated member's label on the opening post: "sponsored" or "gift".
    disclosure: str = ""


@dataclass(frozen=True)
class House:
    """How a community's hosts set it up for trust and for newcomers, once everyone is in."""

    slug: str
    #: (handle, affiliation kind, affiliated with), set by the owner.
    affiliations: tuple[tuple[str, str, str], ...] = ()
    welcome: str = ""
    #: Title of the community's thread that serves as its introductions topic.
    introductions: str = ""
    welcomers: tuple[str, ...] = ()
    premoderation: str = "off"
    public_log: bool = False
    #: Content rules as (kind, pattern, action, message to the author).
    rules: tuple[tuple[str, str, str, str], ...] = ()


@dataclass(frozen=True)
class Moment:
    """Something that happened hours ago and still waits for a host: a held post or a report."""

    slug: str
    by: str
    hours_ago: float
    #: "held reply" (a reply the community's screening holds) or "report" (of a post).
    kind: str
    #: Title of the thread it concerns, and the post number reported (reports).
    thread: str
    body: str = ""
    number: int = 1
    reason: str = "other"
