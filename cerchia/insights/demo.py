"""Ninety days of history for the largest demo community, so its insights look lived in.

The demo world (``cerchia.core.demo``) tells a few dozen hand-written stories; a dashboard
needs the everyday rhythm around them. This adds about forty more members who joined over the
past months and, day by day, read (visits), open topics, reply, react and accept answers,
with a weekly rhythm (quieter weekends), a slow growth, a few regulars who went quiet 10 to 20
days ago and a few questions still waiting for a reply. Topics, replies, reactions and
answers go through the real actions at backdated moments (``demo_time``), so rows and
events agree; visits, which have no rows of their own, are written as events. The rollups
then run, so the dashboard has figures at once. Running it again adds nothing.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from cerchia.accounts.handles import unique_handle_for
from cerchia.accounts.models import ConsentRecord, User
from cerchia.communities.models import Community, Membership, Role
from cerchia.core.demo.clock import demo_time
from cerchia.core.errors import ActionRefused
from cerchia.discussions import actions as discussions
from cerchia.discussions.models import Post, Reaction, ReactionKind, Topic
from cerchia.insights import rollups
from cerchia.insights.log import record_event
from cerchia.insights.models import Event

DAYS = 90
ZONE = "Europe/Rome"
PASSWORD = "cerchia-demo"
#: Monday … Sunday: how likely a member is around, relative to a Monday.
WEEKDAY = (1.0, 0.95, 1.0, 0.9, 0.8, 0.5, 0.6)
REFUSALS = (PermissionDenied, Http404, ValidationError, ActionRefused)

FIRST_NAMES = (
    "Sara", "Luca", "Giorgia", "Matteo", "Chiara", "Davide", "Francesca", "Simone", "Alice",
    "Federico", "Beatrice", "Riccardo", "Silvia", "Tommaso", "Irene", "Gabriele", "Noemi",
    "Stefano", "Elisa", "Pietro", "Anna", "Giacomo", "Marta", "Filippo", "Ilaria", "Emma",
    "Jonas", "Claire", "Tomás", "Hanna", "Nadia", "Bruno", "Greta", "Ettore", "Lucia", "Ivo",
    "Rita", "Mirko", "Paola", "Dario",
)  # fmt: skip
LAST_NAMES = (
    "Moretti", "Barbieri", "Colombo", "Ricci", "Mancini", "Costa", "Giordano", "Leone",
    "Serra", "Vitale", "Testa", "Pellegrini", "Caruso", "Ferri", "Sala", "Villa", "Longo",
    "Martini", "Gatti", "Riva", "Neri", "Fiore", "Bassi", "Orlando", "Marchetti", "Galli",
    "Schmidt", "Dubois", "Ortega", "Lindqvist", "Amato", "Rossetti", "Farina", "Parisi",
    "De Santis", "Monti", "Benedetti", "Grasso", "Cattaneo", "Palumbo",
)  # fmt: skip

TOPICS_IT = (
    ("question", "Shot acido anche allungando il tempo: cosa sbaglio?",
     "Dose 18 g, resa 36 g in 30 secondi, macinacaffè conico. Il caffè è un lavato "
     "etiope tostato tre settimane fa. Resta acido anche se macino più fine. Idee?"),
    ("question", "Quale bilancia con timer sotto i 50 euro?",
     "Vorrei smettere di andare a occhio. Mi basta precisione al decimo e un timer."),
    ("discussion", "La vostra routine del mattino",
     "Io: acqua in caldaia la sera prima, macinatura al momento, due shot e via. Voi?"),
    ("question", "Acqua in bottiglia o filtrata?",
     "A Milano l'acqua è durissima. Qualcuno usa una ricetta d'acqua fatta in casa?"),
    ("discussion", "Torrefazioni italiane da provare questo mese",
     "Condividete le ultime buste che vi hanno sorpreso, con origine e lavorazione."),
    ("question", "Canalizzazione: WDT serve davvero?",
     "Vedo schizzi laterali nel portafiltro senza fondo. Provo con lo spillone?"),
    ("discussion", "Latte art: i miei progressi dopo un mese",
     "Finalmente un cuore riconoscibile! Il segreto è stato il latte più freddo."),
    ("question", "Pressione di preinfusione sulla leva",
     "Quanto tenete la preinfusione su una leva a molla? Io sto sui 6 secondi."),
    ("discussion", "Naturale o lavato per l'espresso?",
     "Sto scoprendo i naturali brasiliani in espresso: dolci, corposi. Voi cosa preferite?"),
    ("question", "Decalcificare la caldaia: ogni quanto?",
     "Con acqua addolcita decalcificate lo stesso? E con cosa?"),
    ("discussion", "Il mercatino del mese",
     "Vendo un tamper calibrato da 58,5 mm, usato poco. Scrivetemi in privato."),
    ("question", "Macinacaffè nuovo: quanto rodaggio?",
     "Ho preso un conico da 64 mm. Quanti chili prima che si stabilizzi la macinatura?"),
    ("discussion", "Foto delle vostre postazioni",
     "Mostrate il vostro angolo caffè! Il mio è mezzo metro di bancone, ma ci sta tutto."),
    ("question", "Tazze preriscaldate: fa differenza?",
     "Ho fatto una prova alla cieca con mia sorella e non è convinta. Voi?"),
    ("discussion", "Caffè e colazione: abbinamenti",
     "Un etiope con una crostata di albicocche è stata una rivelazione."),
)  # fmt: skip
REPLIES_IT = (
    "Prova a macinare un filo più fine e a stringere la resa a 1:1,8.",
    "Anch'io avevo lo stesso problema, era la temperatura troppo bassa.",
    "Grazie! Domattina provo e vi racconto.",
    "Con quel caffè starei sui 93 gradi, non di più.",
    "Secondo me è il caffè ancora troppo fresco: aspetta qualche giorno.",
    "Io uso una bilancia economica da cucina e mi trovo benissimo.",
    "Il WDT per me ha cambiato tutto, soprattutto con i chiari.",
    "Che bella foto! Che macchina è?",
    "Concordo, la differenza si sente soprattutto nel corpo.",
    "Ho fatto la stessa prova: risultato identico al tuo.",
    "Aggiungo una cosa: controlla anche la pulizia della doccetta.",
    "Ottimo consiglio, segnato.",
    "Da me funziona meglio con una preinfusione più lunga.",
    "Per l'acqua io uso quella in bottiglia a basso residuo, mescolata.",
    "Benvenuto! Qui trovi un sacco di gente con la tua stessa macchina.",
    "Ha ragione chi dice di cambiare una variabile alla volta.",
)
TOPICS_EN = (
    ("question", "What am I doing wrong?",
     "I followed the usual advice and it still does not work. Any ideas?"),
    ("discussion", "What did you do this weekend?", "Share a photo or two of your week."),
    ("question", "Which tool would you buy first?", "I have a small budget and little space."),
    ("discussion", "Small wins this month", "Tell us one thing that went right lately."),
    ("question", "How often do you clean yours?", "Weekly feels like too much. Or is it?"),
    ("discussion", "Books and videos worth your time", "Recommendations, with a line on why."),
    ("question", "Beginner here: where do I start?", "Everything looks complicated at first."),
    ("discussion", "The monthly swap thread", "Things you no longer use, for a good home."),
)  # fmt: skip
REPLIES_EN = (
    "Same here, changing one thing at a time helped me the most.",
    "Thanks, I will try that tomorrow and report back.",
    "Great photo! What are you using?",
    "I had this problem last year; it was the cheapest part that mattered.",
    "Welcome! You will find plenty of people with the same setup here.",
    "Agreed. It took me a month to notice the difference.",
    "Good tip, saving this.",
    "I would start small and see if you enjoy it first.",
)
REACTIONS = ("thumbs_up", "thumbs_up", "heart", "heart", "thanks", "insightful")


@dataclass
class HistoryReport:
    community: str = ""
    people: int = 0
    topics: int = 0
    replies: int = 0
    reactions: int = 0
    visits: int = 0
    seconds: float = 0.0
    skipped: bool = False


@dataclass
class _Person:
    user: User
    #: Chance of being around on a weekday, and of opening a topic when around.
    rate: float
    topic_rate: float
    joined: date
    quiet_from: date | None = None


@dataclass
class _Step:
    at: datetime
    run: Callable[[], None]
    order: int = 0


@dataclass(eq=False)
class _Topic:
    at: datetime
    author: User
    kind: str
    title: str
    body: str
    #: Left without replies (the dashboard lists those still waiting).
    unanswered: bool
    obj: Topic | None = None


@dataclass(eq=False)
class _Post:
    at: datetime
    topic: _Topic
    opening: bool
    obj: Post | None = None


@dataclass
class _World:
    community: Community
    rng: random.Random
    zone: ZoneInfo
    today: date
    people: list[_Person] = field(default_factory=list)
    report: HistoryReport = field(default_factory=HistoryReport)

    def local(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()


def _largest_demo_community() -> Community | None:
    from cerchia.core.demo.loader import demo_slugs

    return Community.objects.filter(slug__in=demo_slugs()).order_by("-member_count", "pk").first()


def _address(number: int) -> str:
    return f"insights.{number:02d}@example.org"


def _moment(world: _World, day: date, rng: random.Random) -> datetime:
    """A waking moment of a local day (more in the morning and the evening)."""
    hour = rng.choice((7, 7, 8, 8, 9, 10, 12, 13, 13, 14, 18, 19, 20, 21, 21, 22, 23))
    local = datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=world.zone)
    return local.astimezone(ZoneInfo("UTC"))


def _make_people(world: _World, count: int) -> None:
    rng = world.rng
    password = make_password(PASSWORD)
    names = list(zip(FIRST_NAMES, LAST_NAMES, strict=True))
    rng.shuffle(names)
    for number, (first, last) in enumerate(names[:count], start=1):
        roll = rng.random()
        if roll < 0.2:
            rate, topic_rate = rng.uniform(0.45, 0.7), 0.12  # regulars
        elif roll < 0.55:
            rate, topic_rate = rng.uniform(0.12, 0.3), 0.08  # now and then
        else:
            rate, topic_rate = rng.uniform(0.02, 0.08), 0.04  # mostly reading
        joined = world.today - timedelta(
            days=rng.choice((rng.randint(91, 200), rng.randint(3, 88)))
        )
        consent = rng.random() < 0.6
        joined_at = _moment(world, joined, rng)
        with demo_time(joined_at):
            user = User(
                email=_address(number),
                handle=unique_handle_for(f"{first}_{last}".lower().replace(" ", "")),
                display_name=f"{first} {last}",
                language="it" if world.community.language == "it" else "en",
                timezone=ZONE,
                profile_visibility="members",
                analytics_consent=consent,
                marketing_consent=consent and rng.random() < 0.5,
                password=password,
            )
            user.save()
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            if consent:
                ConsentRecord.objects.create(
                    user=user, kind=ConsentRecord.Kind.ANALYTICS, granted=True
                )
            record_event("account.signed_up", actor=user, subject=user)
            membership = Membership.objects.create(
                community=world.community,
                user=user,
                role=Role.MEMBER,
                rules_accepted_at=joined_at,
                joined_at=joined_at,
            )
            Community.objects.filter(pk=world.community.pk).update(
                member_count=F("member_count") + 1
            )
            record_event(
                "membership.joined",
                actor=user,
                community=world.community,
                subject=membership,
                via="open",
            )
        world.people.append(_Person(user, rate, topic_rate, joined))
    regulars = sorted(world.people, key=lambda person: -person.rate)
    for person in regulars[2:5]:
        person.quiet_from = world.today - timedelta(days=rng.randint(10, 20))
    # The people already in the community take part too, at their own pace.
    for membership in Membership.objects.filter(community=world.community).select_related("user"):
        if any(person.user.pk == membership.user_id for person in world.people):
            continue
        host = membership.role != Role.MEMBER
        world.people.append(
            _Person(
                membership.user,
                rng.uniform(0.35, 0.6) if host else rng.uniform(0.1, 0.35),
                0.1,
                membership.joined_at.astimezone(world.zone).date(),
            )
        )
    world.report.people = count


def _plan(
    world: _World, reactions: list[tuple[User, Post, str, datetime]]
) -> tuple[list[_Step], list[Event]]:
    """Every backdated step, in time order, and the visits (as events)."""
    rng, community = world.rng, world.community
    italian = community.language == "it"
    topic_bank = TOPICS_IT if italian else TOPICS_EN
    reply_bank = REPLIES_IT if italian else REPLIES_EN
    steps: list[_Step] = []
    visits: list[Event] = []
    topics: list[_Topic] = []
    posts: list[_Post] = []
    first = world.today - timedelta(days=DAYS)
    for offset in range(DAYS + 1):
        day = first + timedelta(days=offset)
        mood = WEEKDAY[day.weekday()] * (0.75 + 0.5 * offset / DAYS)
        for person in world.people:
            if day < person.joined or (person.quiet_from and day >= person.quiet_from):
                continue
            if rng.random() >= min(0.95, person.rate * mood):
                if rng.random() < min(0.5, person.rate * mood):  # came by just to read
                    visits.append(
                        Event(
                            kind="community.visited",
                            actor=person.user,
                            community=community,
                            created_at=_moment(world, day, rng),
                        )
                    )
                continue
            for _visit in range(rng.choice((1, 1, 1, 2, 2, 3))):
                visits.append(
                    Event(
                        kind="community.visited",
                        actor=person.user,
                        community=community,
                        created_at=_moment(world, day, rng),
                    )
                )
            if rng.random() < person.topic_rate:
                kind, title, body = rng.choice(topic_bank)
                at = _moment(world, day, rng)
                unanswered = rng.random() < 0.08 or offset >= DAYS - 1
                topic = _Topic(at, person.user, kind, title, body, unanswered)
                topics.append(topic)
                posts.append(_Post(at, topic, opening=True))
                steps.append(_Step(at, _open(community, topic), order=-1))
                if kind == "question" and rng.random() < 0.5:
                    later = at + timedelta(days=rng.randint(1, 3))
                    steps.append(_Step(later, _accept(topic), order=2))
            if rng.random() < 0.5:
                recent = [
                    topic
                    for topic in topics
                    if not topic.unanswered
                    and topic.author is not person.user
                    and 0 <= (day - world.local(topic.at)).days <= 6
                ]
                for topic in rng.sample(recent, k=min(len(recent), rng.choice((1, 1, 1, 2)))):
                    at = max(
                        _moment(world, day, rng), topic.at + timedelta(minutes=rng.randint(4, 90))
                    )
                    post = _Post(at, topic, opening=False)
                    posts.append(post)
                    steps.append(_Step(at, _reply(person.user, post, rng.choice(reply_bank))))
            candidates = [post for post in posts if 0 <= (day - world.local(post.at)).days <= 4]
            for post in rng.sample(candidates, k=min(len(candidates), rng.choice((0, 1, 1, 2)))):
                at = max(_moment(world, day, rng), post.at + timedelta(minutes=rng.randint(5, 90)))
                react = _react(person.user, post, rng.choice(REACTIONS), at, reactions)
                steps.append(_Step(at, react, order=1))
    now = timezone.now()
    kept = sorted((step for step in steps if step.at < now), key=lambda s: (s.at, s.order))
    return kept, [visit for visit in visits if visit.created_at < now]


def _open(community: Community, topic: _Topic) -> Callable[[], None]:
    def run() -> None:
        topic.obj = discussions.create_topic(
            topic.author,
            community,
            title=topic.title,
            body=topic.body,
            kind=topic.kind,
            screen=False,
        )

    return run


def _reply(user: User, post: _Post, body: str) -> Callable[[], None]:
    def run() -> None:
        if post.topic.obj is not None:
            post.obj = discussions.create_reply(user, post.topic.obj, body=body, screen=False)

    return run


def _react(
    user: User,
    post: _Post,
    kind: str,
    at: datetime,
    pending: list[tuple[User, Post, str, datetime]],
) -> Callable[[], None]:
    """Note a reaction; they are written together at the end (rows, counts and events)."""

    def run() -> None:
        if post.obj is None and post.opening and post.topic.obj is not None:
            post.obj = Post.objects.get(topic=post.topic.obj, number=1)
        if post.obj is not None and post.obj.author_id != user.pk:
            pending.append((user, post.obj, kind, at))

    return run


def _write_reactions(community: Community, pending: list[tuple[User, Post, str, datetime]]) -> int:
    """The reactions, their posts' counts and their ``reaction.added`` events, in bulk."""
    seen: set[tuple[int, int, str]] = set()
    reactions, events = [], []
    counts: dict[int, dict[str, int]] = {}
    posts: dict[int, Post] = {}
    for user, post, kind, at in pending:
        if (post.pk, user.pk, kind) in seen:
            continue
        seen.add((post.pk, user.pk, kind))
        reactions.append(Reaction(post=post, user=user, kind=kind, created_at=at))
        events.append(
            Event(
                kind="reaction.added",
                actor=user,
                community=community,
                subject_type="post",
                subject_id=post.pk,
                created_at=at,
                payload={
                    "topic_id": post.topic_id,
                    "post_id": post.pk,
                    "reaction": kind,
                    "post_author_id": post.author_id,
                },
            )
        )
        posts[post.pk] = post
        post_counts = counts.setdefault(post.pk, dict(post.reaction_counts or {}))
        post_counts[kind] = post_counts.get(kind, 0) + 1
    Reaction.objects.bulk_create(reactions, batch_size=500)
    Event.objects.bulk_create(events, batch_size=500)
    for pk, post_counts in counts.items():
        posts[pk].reaction_counts = {
            kind: post_counts[kind] for kind in ReactionKind.values if kind in post_counts
        }
    Post.objects.bulk_update(list(posts.values()), ["reaction_counts"], batch_size=200)
    return len(reactions)


def _accept(topic: _Topic) -> Callable[[], None]:
    def run() -> None:
        if topic.obj is None:
            return
        answer = (
            Post.objects.filter(topic=topic.obj, number__gt=1)
            .exclude(author_id=topic.author.pk)
            .order_by("number")
            .first()
        )
        if answer is not None:
            topic.obj.refresh_from_db()
            discussions.accept_answer(topic.author, topic.obj, answer)

    return run


def add_insights_history(*, seed: int = 90, people: int = 40) -> HistoryReport:
    """Give the largest demo community ~90 days of activity and run the rollups (once)."""
    started = time.monotonic()
    if not getattr(settings, "CERCHIA_DEMO_HISTORY", True):
        return HistoryReport(skipped=True)
    community = _largest_demo_community()
    if community is None:
        return HistoryReport(skipped=True)
    if User.objects.filter(email=_address(1)).exists():
        return HistoryReport(community=community.slug, skipped=True)
    Community.objects.filter(pk=community.pk).update(timezone=ZONE)
    community.timezone = ZONE
    zone = ZoneInfo(ZONE)
    world = _World(
        community=community,
        rng=random.Random(seed),
        zone=zone,
        today=timezone.now().astimezone(zone).date(),
    )
    world.report.community = community.slug
    with transaction.atomic():
        _make_people(world, min(people, len(FIRST_NAMES)))
        reactions: list[tuple[User, Post, str, datetime]] = []
        steps, visits = _plan(world, reactions)
        for step in steps:
            try:
                with demo_time(step.at), transaction.atomic():
                    step.run()
            except REFUSALS:
                continue
        Event.objects.bulk_create(visits, batch_size=1000)
        world.report.reactions = _write_reactions(community, reactions)
    report = world.report
    report.visits = len(visits)
    report.topics = Topic.objects.filter(
        community=community, author__email__startswith="insights."
    ).count()
    report.replies = Post.objects.filter(
        community=community, number__gt=1, created_at__gte=timezone.now() - timedelta(days=DAYS + 1)
    ).count()
    rollups.run_rollups()
    world.report.seconds = time.monotonic() - started
    return world.report
