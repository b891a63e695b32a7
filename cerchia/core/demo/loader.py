"""Loading the demo world through the real actions, as a story told in order.

The plan (``people.py``, ``communities.py``) becomes a timeline of steps — sign
ups, communities created, joins, promotions, join requests and their outcomes,
invitations sent and accepted, a waitlist place — each given a moment in the
past months. Steps run in time order under :func:`demo_time`, so every row the
actions write, and every event they record, carries its moment in the story.

Loading is idempotent and never undoes what people did since: a person whose
email exists is left as is, and a community whose address exists is left as is
with everything in it. Running it again on a loaded world adds nothing.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from cerchia.accounts.handles import unique_handle_for
from cerchia.accounts.models import ConsentRecord, Interest, User
from cerchia.communities import actions
from cerchia.communities.models import (
    Community,
    Invitation,
    JoinRequest,
    Membership,
    Role,
    WaitlistEntry,
)
from cerchia.core.demo import images
from cerchia.core.demo.clock import demo_time
from cerchia.core.demo.communities import COMMUNITIES
from cerchia.core.demo.discussions import THREADS
from cerchia.core.demo.house import HOUSES, MOMENTS
from cerchia.core.demo.people import PEOPLE, TAG_NAMES
from cerchia.core.demo.spec import (
    CommunityPlan,
    House,
    Invite,
    Moment,
    Person,
    Reply,
    Request,
    Thread,
)
from cerchia.core.errors import ActionRefused
from cerchia.discussions import actions as discussions
from cerchia.discussions.models import Post, Topic
from cerchia.insights.log import record_event
from cerchia.insights.models import Event
from cerchia.moderation.actions.affiliations import set_affiliation
from cerchia.moderation.actions.reports import report_post
from cerchia.moderation.actions.settings import add_rule, update_moderation_settings
from cerchia.moderation.actions.welcome import set_welcomers, update_welcome
from cerchia.moderation.screening import PostHeld

#: The password of every demo account, printed by ``cerchia demo``.
DEMO_PASSWORD = "cerchia-demo"
ADMIN_EMAIL = "admin@example.org"
#: Where the story's clock reads the time of day.
STORY_ZONE = ZoneInfo("Europe/Rome")

#: Refusals a step may meet on a world people have used since (logged, never fatal).
REFUSALS = (PermissionDenied, Http404, ValidationError, ActionRefused)


@dataclass(frozen=True)
class SuggestedLogin:
    role: str
    email: str
    why: str


#: Three accounts worth trying first.
SUGGESTED_LOGINS = (
    SuggestedLogin(
        "owner", "davide.zanon@example.org",
        "owns Rovere Riders, a private brand community with join requests waiting",
    ),
    SuggestedLogin(
        "moderator", "marco.ferretti@example.org",
        "moderates Espresso a Casa, the busiest public community",
    ),
    SuggestedLogin(
        "member", "giorgia.ferri@example.org",
        "member of two communities, with an invitation to a hidden one",
    ),
)  # fmt: skip


@dataclass
class Step:
    at: datetime
    seq: int
    label: str
    run: Callable[[], None]
    community: str | None = None
    kind: str = ""


@dataclass
class LoadReport:
    """What the demo world holds after loading, and what this run added."""

    people: int = 0
    people_created: int = 0
    communities: int = 0
    communities_created: int = 0
    memberships: int = 0
    pending_requests: int = 0
    open_invitations: int = 0
    waitlisted: int = 0
    topics: int = 0
    posts: int = 0
    events_recorded: int = 0
    admin_created: bool = False
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.people_created or self.communities_created or self.admin_created)


def demo_emails() -> list[str]:
    return [person.address for person in PEOPLE]


def demo_slugs() -> list[str]:
    return [plan.slug for plan in COMMUNITIES]


class DemoLoader:
    """Builds the timeline for what is missing, then plays it in one transaction."""

    def __init__(
        self,
        *,
        people: Iterable[Person] = PEOPLE,
        communities: Iterable[CommunityPlan] = COMMUNITIES,
        threads: Iterable[Thread] = THREADS,
        with_images: bool = True,
        now: datetime | None = None,
    ) -> None:
        self.people = {person.handle: person for person in people}
        self.plans = list(communities)
        self.threads: dict[str, list[Thread]] = {}
        for thread in threads:
            self.threads.setdefault(thread.community, []).append(thread)
        #: Topics written in this run, by (community slug, index of the thread).
        self.topics: dict[tuple[str, int], int] = {}
        self.with_images = with_images
        self.now = now or timezone.now()
        self.users: dict[str, User] = {}
        self.invitations: dict[tuple[str, int], Invitation] = {}
        self.failed_communities: set[str] = set()
        self.report = LoadReport()
        self._steps: list[Step] = []
        self._password_hash = ""
        self._interest_rows: dict[str, Interest] = {}

    # --- The plan as a timeline --------------------------------------------------------

    def _rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(["cerchia-demo", *map(str, parts)]))

    def _moment(self, days_ago: float, rng: random.Random) -> datetime:
        """``days_ago`` before now, at a waking hour in Italy when it is a day or more ago."""
        moment = self.now - timedelta(days=days_ago)
        if days_ago >= 1:
            local = moment.astimezone(STORY_ZONE)
            local = local.replace(hour=rng.randint(7, 22), minute=rng.randint(0, 59))
            moment = local.astimezone(moment.tzinfo)
        return self._past(moment)

    def _past(self, moment: datetime) -> datetime:
        return min(moment, self.now - timedelta(minutes=2))

    def _awake(self, moment: datetime, rng: random.Random) -> datetime:
        """``moment``, moved on to the next morning in Italy when it falls in the night."""
        local = moment.astimezone(STORY_ZONE)
        if local.hour < 7:
            local = local.replace(hour=rng.randint(7, 9), minute=rng.randint(0, 59))
        elif local.hour >= 23:
            local = (local + timedelta(days=1)).replace(
                hour=rng.randint(7, 9), minute=rng.randint(0, 59)
            )
        return local.astimezone(moment.tzinfo)

    def _after(self, earlier: datetime, moment: datetime, rng: random.Random) -> datetime:
        """``moment`` in waking hours, or a little after ``earlier`` when it would come first."""
        if moment <= earlier:
            moment = earlier + timedelta(minutes=rng.randint(5, 90))
        return self._past(self._awake(moment, rng))

    def _add(
        self,
        at: datetime,
        label: str,
        run: Callable[[], None],
        community: str | None = None,
        kind: str = "",
    ) -> None:
        self._steps.append(Step(at, len(self._steps), label, run, community, kind))

    def validate(self) -> None:
        """Raise ``ValueError`` when the plan names someone who is not among the people."""
        for plan in self.plans:
            named = [plan.owner, *plan.moderators, *plan.members, *plan.waitlist]
            named += [request.handle for request in plan.requests]
            for invite in plan.invitations:
                named += [invite.by, *invite.accepted_by]
                if invite.to and "@" not in invite.to:
                    named.append(invite.to)
            for thread in self.threads.get(plan.slug, []):
                named += _thread_people(thread)
            for house in HOUSES:
                if house.slug == plan.slug:
                    named += [handle for handle, _kind, _name in house.affiliations]
                    named += list(house.welcomers)
            named += [moment.by for moment in MOMENTS if moment.slug == plan.slug]
            unknown = sorted(set(named) - set(self.people))
            if unknown:
                raise ValueError(f"demo plan {plan.slug}: unknown people {unknown}")

    def build(self) -> list[Step]:
        """The steps still to play, in the order they happen."""
        self.validate()
        by_address = {person.address: handle for handle, person in self.people.items()}
        for user in User.objects.filter(email__in=list(by_address)):
            self.users[by_address[user.email]] = user
        existing_slugs = set(
            Community.objects.filter(slug__in=[p.slug for p in self.plans]).values_list(
                "slug", flat=True
            )
        )
        first_seen: dict[str, datetime] = {}
        for plan in self.plans:
            if plan.slug in existing_slugs:
                continue
            for handle, at in self._plan_community(plan):
                if handle not in first_seen or at < first_seen[handle]:
                    first_seen[handle] = at
        for handle, person in self.people.items():
            if handle in self.users:
                continue
            rng = self._rng("signup", handle)
            earliest = first_seen.get(handle, self.now - timedelta(days=rng.uniform(2, 30)))
            at = self._past(earliest - timedelta(days=rng.uniform(0.5, 20), hours=rng.random()))
            self._add(at, f"{handle} signs up", self._signup_step(person))
        self._steps.sort(key=lambda step: (step.at, step.seq))
        return self._steps

    def _plan_community(self, plan: CommunityPlan) -> list[tuple[str, datetime]]:
        """Schedule one community's story; return (handle, moment) of everyone's first step."""
        rng = self._rng("community", plan.slug)
        slug = plan.slug
        created = self._moment(plan.created_days_ago, rng)
        seen: list[tuple[str, datetime]] = [(plan.owner, created)]
        self._add(created, f"{plan.owner} creates {slug}", self._create_step(plan), slug, "create")

        joined: dict[str, datetime] = {plan.owner: created}
        # Open communities: moderators arrive in the first days, members over the months.
        if plan.join_policy == "open":
            for handle in plan.moderators:
                at = created + timedelta(days=rng.uniform(0.3, 6))
                joined[handle] = self._after(created, at, rng)
            start = created + timedelta(days=1)
            end = self.now - timedelta(days=10 if plan.waitlist else 3)
            for handle in plan.members:
                at = start + (end - start) * rng.uniform(0, 1)
                joined[handle] = self._after(created, self._past(at), rng)
            for handle, at in joined.items():
                if handle != plan.owner:
                    self._add(at, f"{handle} joins {slug}", self._join_step(slug, handle), slug)

        # Invitations, and the people who came in through them.
        host_since: dict[str, datetime] = {plan.owner: created}
        invitation_times: list[tuple[int, Invite, datetime]] = []
        for index, invite in enumerate(plan.invitations):
            at = self._after(created, self._moment(invite.days_ago, rng), rng)
            invitation_times.append((index, invite, at))
            for handle in invite.accepted_by:
                window = min(
                    timedelta(days=invite.expires_in_days), self.now - at - timedelta(hours=2)
                )
                accepted = at + timedelta(hours=1) + window * rng.uniform(0.02, 0.6)
                joined[handle] = self._after(at, accepted, rng)

        # Join requests: approved ones are how members of request-only communities arrive.
        request_times: list[tuple[Request, datetime, datetime | None]] = []
        for request in plan.requests:
            at = self._after(created, self._moment(request.days_ago, rng), rng)
            decided = None
            if request.outcome != "pending":
                decided = self._after(at, at + timedelta(days=request.decided_after), rng)
                if request.outcome == "approved":
                    joined[request.handle] = decided
            request_times.append((request, at, decided))
            seen.append((request.handle, at))

        # Moderators are promoted by the owner some days after they joined.
        for handle in plan.moderators:
            if handle not in joined:
                raise ValueError(f"demo plan {slug}: moderator {handle} never joins")
            promoted = self._past(joined[handle] + timedelta(days=rng.uniform(2, 14)))
            host_since[handle] = promoted
            self._add(
                promoted, f"{handle} becomes moderator of {slug}",
                self._promote_step(slug, plan.owner, handle), slug,
            )  # fmt: skip

        for index, invite, at in invitation_times:
            if invite.by not in host_since or host_since[invite.by] > at:
                raise ValueError(f"demo plan {slug}: {invite.by} invites before being a host")
            self._add(
                at, f"{invite.by} invites {invite.to or 'by link'} to {slug}",
                self._invite_step(slug, index, invite), slug,
            )  # fmt: skip
            for handle in invite.accepted_by:
                self._add(
                    joined[handle], f"{handle} accepts an invitation to {slug}",
                    self._accept_step(slug, index, handle), slug,
                )  # fmt: skip

        for request, at, decided in request_times:
            self._add(
                at, f"{request.handle} asks to join {slug}",
                self._request_step(slug, request), slug,
            )  # fmt: skip
            if decided is not None:
                hosts = sorted(h for h, since in host_since.items() if since < decided)
                decider = rng.choice(hosts)
                self._add(
                    decided, f"{decider} decides on {request.handle} in {slug}",
                    self._decide_step(slug, decider, request), slug,
                )  # fmt: skip

        last_join = max(joined.values())
        for handle in plan.waitlist:
            at = self._after(last_join, self._moment(rng.uniform(2, 8), rng), rng)
            self._add(at, f"{handle} finds {slug} full", self._join_step(slug, handle), slug)
            seen.append((handle, at))

        for index, thread in enumerate(self.threads.get(slug, [])):
            self._plan_thread(plan, index, thread, joined, host_since)

        # The hosts set up trust and welcome once everyone in the story is in.
        for house in (house for house in HOUSES if house.slug == slug):
            at = self._past(max(max(joined.values()), self.now - timedelta(days=1.5)))
            self._add(at, f"{plan.owner} sets up {slug}", self._house_step(plan, house), slug)
        for moment in (moment for moment in MOMENTS if moment.slug == slug):
            at = self._past(self.now - timedelta(hours=moment.hours_ago))
            self._add(at, f"{moment.by}: {moment.kind} in {slug}", self._moment_step(moment), slug)

        seen.extend(joined.items())
        return seen

    def _plan_thread(
        self,
        plan: CommunityPlan,
        index: int,
        thread: Thread,
        joined: dict[str, datetime],
        host_since: dict[str, datetime],
    ) -> None:
        """Schedule a topic, its replies, reactions, bookmarks, answer and pin, after the
        people taking part have joined (a reply never comes before the post it follows)."""
        slug = plan.slug
        rng = self._rng("thread", slug, index)
        for handle in _thread_people(thread):
            if handle not in joined:
                raise ValueError(f"demo plan {slug}: {handle} writes in “{thread.title}” "
                                 "without being a member")  # fmt: skip
        hosts = [thread.pinned_by] if thread.pinned_by else []
        hosts += [thread.by] if thread.kind == "announcement" else []
        for handle in hosts:
            if handle not in host_since:
                raise ValueError(f"demo plan {slug}: {handle} is no host of {slug}")
        ready = max([joined[thread.by], *(host_since[handle] for handle in hosts)])
        at = self._after(ready, self._moment(thread.days_ago, rng), rng)
        label = f"“{thread.title}” in {slug}"
        self._add(at, f"{thread.by} starts {label}", self._topic_step(slug, index, thread), slug)
        posted = {1: at}
        if thread.pinned_by:
            pinned = self._after(at, at + timedelta(minutes=rng.randint(10, 120)), rng)
            self._add(pinned, f"{thread.pinned_by} pins {label}",
                      self._pin_step(slug, index, thread.pinned_by), slug)  # fmt: skip
        previous = at
        for number, reply in enumerate(thread.replies, 2):
            moment = previous + timedelta(hours=reply.after_hours * rng.uniform(0.8, 1.2))
            previous = self._after(max(previous, joined[reply.by]), moment, rng)
            posted[number] = previous
            self._add(previous, f"{reply.by} replies to {label}",
                      self._reply_step(slug, index, reply), slug)  # fmt: skip
        posts: list[tuple[int, tuple[tuple[str, str], ...], tuple[str, ...]]] = [
            (1, thread.reactions, thread.bookmarked_by),
            *((n, r.reactions, r.bookmarked_by) for n, r in enumerate(thread.replies, 2)),
        ]
        for number, reactions, bookmarks in posts:
            for handle, kind in reactions:
                when = posted[number] + timedelta(minutes=rng.randint(5, 600))
                when = self._after(max(posted[number], joined[handle]), when, rng)
                self._add(when, f"{handle} reacts to #{number} of {label}",
                          self._react_step(slug, index, number, handle, kind), slug)  # fmt: skip
            for handle in bookmarks:
                when = posted[number] + timedelta(minutes=rng.randint(5, 900))
                when = self._after(max(posted[number], joined[handle]), when, rng)
                self._add(when, f"{handle} bookmarks #{number} of {label}",
                          self._bookmark_step(slug, index, number, handle), slug)  # fmt: skip
        if thread.accepted is not None:
            if thread.accepted not in posted or thread.accepted == 1:
                raise ValueError(f"demo plan {slug}: “{thread.title}” accepts a missing reply")
            accepter = thread.accepted_by or thread.by
            when = posted[thread.accepted] + timedelta(hours=rng.uniform(1, 20))
            when = self._after(max(posted.values()), when, rng)
            self._add(when, f"{accepter} accepts an answer in {label}",
                      self._answer_step(slug, index, thread.accepted, accepter), slug)  # fmt: skip

    # --- Steps --------------------------------------------------------------------------

    def _user(self, handle: str) -> User:
        return self.users[handle]

    def _community(self, slug: str) -> Community:
        return Community.objects.get(slug=slug)

    def _signup_step(self, person: Person) -> Callable[[], None]:
        def run() -> None:
            handle = person.handle
            if User.objects.filter(handle__iexact=handle).exists():
                handle = unique_handle_for(handle)
            user = User(
                email=person.address,
                handle=handle,
                display_name=person.name,
                bio=person.bio,
                language=person.language,
                timezone=person.timezone,
                profile_visibility=person.visibility,
                analytics_consent=person.analytics_consent,
                marketing_consent=person.marketing_consent,
                password=self._password_hash,
            )
            if self.with_images and person.avatar:
                picture = images.avatar(person.initials, person.handle)
                user.avatar.save(picture.name or "avatar.jpg", picture, save=False)
            with transaction.atomic():
                user.save()
                EmailAddress.objects.create(
                    user=user, email=person.address, verified=True, primary=True
                )
                user.interests.set(self._interests(person.interests))
                for kind, granted in (
                    (ConsentRecord.Kind.ANALYTICS, person.analytics_consent),
                    (ConsentRecord.Kind.MARKETING, person.marketing_consent),
                ):
                    if granted:
                        ConsentRecord.objects.create(user=user, kind=kind, granted=True)
                record_event("account.signed_up", actor=user, subject=user)
            self.users[person.handle] = user
            self.report.people_created += 1

        return run

    def _interests(self, tags: Iterable[str]) -> list[Interest]:
        """The Interest rows for ``tags``, created with a readable name where missing."""
        rows = []
        for tag in tags:
            slug = slugify(tag)
            if slug not in self._interest_rows:
                self._interest_rows[slug], _created = Interest.objects.get_or_create(
                    slug=slug, defaults={"name": TAG_NAMES.get(slug, tag)}
                )
            rows.append(self._interest_rows[slug])
        return rows

    def _create_step(self, plan: CommunityPlan) -> Callable[[], None]:
        def run() -> None:
            self._interests(plan.interests)
            cover = images.cover(plan.slug) if self.with_images else None
            actions.create_community(
                self._user(plan.owner),
                interests=list(plan.interests),
                cover=cover,
                name=plan.name,
                slug=plan.slug,
                tagline=plan.tagline,
                description=plan.description,
                rules=plan.rules,
                language=plan.language,
                visibility=plan.visibility,
                join_policy=plan.join_policy,
                screening_questions=list(plan.screening_questions),
                member_cap=plan.member_cap,
                brand_name=plan.brand_name,
            )
            self.report.communities_created += 1

        return run

    def _join_step(self, slug: str, handle: str) -> Callable[[], None]:
        def run() -> None:
            community, user = self._community(slug), self._user(handle)
            if Membership.objects.filter(community=community, user=user).exists():
                return
            actions.join_community(user, community, accept_rules=True)

        return run

    def _promote_step(self, slug: str, owner: str, handle: str) -> Callable[[], None]:
        def run() -> None:
            community = self._community(slug)
            membership = Membership.objects.select_related("community").get(
                community=community, user=self._user(handle)
            )
            actions.change_role(self._user(owner), membership, Role.MODERATOR)

        return run

    def _invite_step(self, slug: str, index: int, invite: Invite) -> Callable[[], None]:
        def run() -> None:
            email = self.people[invite.to].address if invite.to in self.people else invite.to
            self.invitations[(slug, index)] = actions.create_invitation(
                self._user(invite.by),
                self._community(slug),
                email=email,
                expires_in=timedelta(days=invite.expires_in_days),
                max_uses=invite.max_uses,
            )

        return run

    def _accept_step(self, slug: str, index: int, handle: str) -> Callable[[], None]:
        def run() -> None:
            invitation = Invitation.objects.select_related("community").get(
                pk=self.invitations[(slug, index)].pk
            )
            actions.accept_invitation(self._user(handle), invitation, accept_rules=True)

        return run

    def _request_step(self, slug: str, request: Request) -> Callable[[], None]:
        def run() -> None:
            actions.request_to_join(
                self._user(request.handle),
                self._community(slug),
                answers=list(request.answers),
                message=request.message,
                accept_rules=True,
            )

        return run

    def _decide_step(self, slug: str, decider: str, request: Request) -> Callable[[], None]:
        def run() -> None:
            join_request = JoinRequest.objects.select_related("community", "user").get(
                community__slug=slug,
                user=self._user(request.handle),
                status=JoinRequest.Status.PENDING,
            )
            host = self._user(decider)
            if request.outcome == "approved":
                actions.approve_join_request(host, join_request, note=request.note)
            else:
                actions.decline_join_request(host, join_request, note=request.note)

        return run

    def _topic(self, slug: str, index: int) -> Topic:
        return Topic.objects.select_related("community").get(pk=self.topics[(slug, index)])

    def _post(self, slug: str, index: int, number: int) -> Post:
        return Post.objects.select_related("topic", "topic__community").get(
            topic_id=self.topics[(slug, index)], number=number
        )

    def _topic_step(self, slug: str, index: int, thread: Thread) -> Callable[[], None]:
        def run() -> None:
            topic = discussions.create_topic(
                self._user(thread.by),
                self._community(slug),
                title=thread.title,
                body=thread.body,
                kind=thread.kind,
                tags=list(thread.tags),
                disclosure=thread.disclosure,
                # The story's history happened before moderation: publish it as written.
                screen=False,
            )
            self.topics[(slug, index)] = topic.pk

        return run

    def _house_step(self, plan: CommunityPlan, house: House) -> Callable[[], None]:
        def run() -> None:
            owner = self._user(plan.owner)
            community = self._community(plan.slug)
            for handle, kind, name in house.affiliations:
                membership = Membership.objects.select_related("community").get(
                    community=community, user=self._user(handle)
                )
                set_affiliation(owner, membership, kind, name)
            if house.welcome:
                introductions = (
                    Topic.objects.filter(community=community, title=house.introductions)
                    .values_list("pk", flat=True)
                    .first()
                )
                update_welcome(
                    owner,
                    community,
                    welcome_message=house.welcome,
                    introductions_topic_id=introductions,
                    unanswered_hours=24,
                )
            if house.welcomers:
                set_welcomers(owner, community, list(house.welcomers))
            update_moderation_settings(
                owner, community, premoderation=house.premoderation, public_log=house.public_log
            )
            for kind, pattern, action, message in house.rules:
                add_rule(
                    owner, community, kind=kind, pattern=pattern, action=action, message=message
                )

        return run

    def _moment_step(self, moment: Moment) -> Callable[[], None]:
        def run() -> None:
            topic = Topic.objects.select_related("community").get(
                community__slug=moment.slug, title=moment.thread
            )
            if moment.kind == "report":
                post = Post.objects.select_related("topic", "topic__community").get(
                    topic=topic, number=moment.number
                )
                report_post(self._user(moment.by), post, reason=moment.reason, note=moment.body)
                return
            # Held is what the moment is for: the reply waits in the hosts' queue.
            with contextlib.suppress(PostHeld):
                discussions.create_reply(self._user(moment.by), topic, body=moment.body)

        return run

    def _reply_step(self, slug: str, index: int, reply: Reply) -> Callable[[], None]:
        def run() -> None:
            discussions.create_reply(
                self._user(reply.by),
                self._topic(slug, index),
                body=reply.body,
                reply_to=self._post(slug, index, reply.reply_to) if reply.reply_to else None,
                quoted=self._post(slug, index, reply.quotes) if reply.quotes else None,
                screen=False,
            )

        return run

    def _react_step(
        self, slug: str, index: int, number: int, handle: str, kind: str
    ) -> Callable[[], None]:
        def run() -> None:
            discussions.add_reaction(self._user(handle), self._post(slug, index, number), kind)

        return run

    def _bookmark_step(self, slug: str, index: int, number: int, handle: str) -> Callable[[], None]:
        def run() -> None:
            discussions.add_bookmark(self._user(handle), self._post(slug, index, number))

        return run

    def _answer_step(self, slug: str, index: int, number: int, handle: str) -> Callable[[], None]:
        def run() -> None:
            discussions.accept_answer(
                self._user(handle), self._topic(slug, index), self._post(slug, index, number)
            )

        return run

    def _pin_step(self, slug: str, index: int, handle: str) -> Callable[[], None]:
        def run() -> None:
            discussions.pin_topic(self._user(handle), self._topic(slug, index))

        return run

    # --- Playing it ---------------------------------------------------------------------

    def _ensure_admin(self, at: datetime) -> None:
        if User.objects.filter(email__iexact=ADMIN_EMAIL).exists():
            return
        with demo_time(at):
            admin = User(
                email=ADMIN_EMAIL,
                handle=unique_handle_for("admin"),
                display_name="Site admin",
                language="en",
                timezone="Europe/Rome",
                profile_visibility="private",
                is_staff=True,
                is_superuser=True,
                password=self._password_hash,
            )
            admin.save()
            EmailAddress.objects.create(user=admin, email=ADMIN_EMAIL, verified=True, primary=True)
        self.report.admin_created = True

    def load(self) -> LoadReport:
        """Add what is missing of the demo world; return what it now holds."""
        started = time.monotonic()
        events_before = Event.objects.count()
        with transaction.atomic():
            steps = self.build()
            admin_missing = not User.objects.filter(email__iexact=ADMIN_EMAIL).exists()
            if steps or admin_missing:
                self._password_hash = make_password(DEMO_PASSWORD)
            if admin_missing:
                first = steps[0].at if steps else self.now
                self._ensure_admin(first - timedelta(days=7))
            for step in steps:
                if step.community in self.failed_communities:
                    continue
                with demo_time(step.at):
                    try:
                        step.run()
                    except REFUSALS as error:
                        self.report.warnings.append(f"{step.label}: {_message(error)}")
                        if step.kind == "create" and step.community:
                            self.failed_communities.add(step.community)
        self._count()
        self.report.events_recorded = Event.objects.count() - events_before
        self.report.seconds = time.monotonic() - started
        return self.report

    def _count(self) -> None:
        communities = Community.objects.filter(slug__in=[plan.slug for plan in self.plans])
        report = self.report
        report.people = User.objects.filter(
            email__in=[person.address for person in self.people.values()]
        ).count()
        report.communities = communities.count()
        report.memberships = Membership.objects.filter(community__in=communities).count()
        report.pending_requests = JoinRequest.objects.filter(
            community__in=communities, status=JoinRequest.Status.PENDING
        ).count()
        report.open_invitations = sum(
            invitation.is_usable(self.now)
            for invitation in Invitation.objects.filter(community__in=communities)
        )
        report.waitlisted = WaitlistEntry.objects.filter(community__in=communities).count()
        report.topics = Topic.objects.filter(community__in=communities).count()
        report.posts = Post.objects.filter(community__in=communities).count()


def _thread_people(thread: Thread) -> list[str]:
    """Everyone who writes, reacts, bookmarks, accepts or pins in ``thread``."""
    people = [thread.by, *(handle for handle, _kind in thread.reactions), *thread.bookmarked_by]
    for reply in thread.replies:
        people += [reply.by, *(handle for handle, _kind in reply.reactions), *reply.bookmarked_by]
    return people + [handle for handle in (thread.accepted_by, thread.pinned_by) if handle]


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error) or type(error).__name__


def load_demo(*, with_images: bool = True) -> LoadReport:
    """Load (or complete) the demo world; safe to run any number of times."""
    report = DemoLoader(with_images=with_images).load()
    from cerchia.insights import demo_fields, demo_segments
    from cerchia.insights.demo import add_insights_history  # the dashboard's months of history

    add_insights_history()
    demo_fields.load()
    demo_segments.load()
    return report
