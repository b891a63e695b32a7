"""The canary: a private community's words never reach anyone outside it.

A unique marker is planted in a private community's topic title, posts, a reply and
mentions. Then a stranger (never a member), a removed member (who took part, then
left), a suspended member and an anonymous visitor look for it everywhere the site can
show it: every page and partial of every route, every API listing, search, the feed,
bookmarks, notifications, profiles and the directory, the emails sent (immediate and
digests), the live events published, and their account exports. The marker must appear
0 times.

The canary discovers the routes from the URL configuration, so a route added later is
searched too; a route whose arguments it cannot fill is printed as skipped. It also
checks that a member does find the marker (pages, search, API, feed, email), so it can
fail.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from cerchia.accounts.models import AccessToken, User
from cerchia.accounts.tokens import generate_token
from cerchia.communities.actions import leave_community
from cerchia.communities.models import Community
from cerchia.core import testing
from cerchia.discussions import actions
from cerchia.discussions.models import NotificationLevel, Post, Topic, TopicKind
from cerchia.discussions.tests.capture import Sent, record_sent
from cerchia.live.publish import user_group

pytestmark = pytest.mark.django_db

#: Route names never requested: they change the session, not show content.
SKIP_NAMES = re.compile(r"logout|signout|reauthenticate|delete")
#: Route argument names the canary does not know how to fill (printed when skipped).
UNKNOWN = object()


@dataclass
class Plant:
    """What was planted and where."""

    marker: str
    search_word: str
    absent_word: str
    community: Community
    public: Community
    member: User
    moderator: User
    stranger: User
    removed: User
    suspended: User
    topics: list[Topic] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    #: Emails and live events sent before the removed member left (to them, rightly).
    emails_before_leaving: int = 0
    events_before_leaving: int = 0
    #: Every live event published since planting began.
    sent: Sent = field(default_factory=Sent)
    #: (attachment id, served name, stored path) of an image in a private post.
    image: tuple[int, str, str] | None = None


@dataclass
class Findings:
    hits: list[str] = field(default_factory=list)
    checked: int = 0
    skipped: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)

    def look(self, where: str, text: str, marker: str) -> None:
        self.checked += 1
        if marker in text:
            self.hits.append(where)


# --- Planting ---------------------------------------------------------------------------------


def _token(user: User) -> str:
    raw, prefix, digest = generate_token()
    AccessToken.objects.create(
        user=user, name=f"canary {prefix}", prefix=prefix, token_hash=digest,
        scope=AccessToken.Scope.READ,
    )  # fmt: skip
    return raw


def _prefer_digest_and_email(*users: User) -> None:
    """Daily digests on, so the digest channel is exercised (it is off by default)."""
    try:
        from cerchia.notifications.models import DigestFrequency, NotificationPreference
    except ImportError:
        return
    for user in users:
        NotificationPreference.objects.update_or_create(
            user=user, defaults={"digest": DigestFrequency.DAILY}
        )


def _attach_image(user: User, community: Community, topic: Topic) -> tuple[int, str, str] | None:
    """An image in a private post, if attachments exist: (id, served name, stored path)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    try:
        from cerchia.discussions.views.feed import attachment_name
    except ImportError:
        return None
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "sienna").save(buffer, "PNG")
    upload = SimpleUploadedFile("darkroom.png", buffer.getvalue(), "image/png")
    attachment = actions.upload_attachment(user, community, upload)
    actions.create_reply(user, topic, body="A print", attachment_ids=[attachment.pk])
    return attachment.pk, attachment_name(attachment), str(attachment.image.name)


def _run_digests() -> None:
    try:
        from cerchia.notifications.actions import schedule_digests
    except ImportError:
        print("canary: no digests to run")
        return
    schedule_digests(now=timezone.now() + timedelta(hours=2))


@pytest.fixture
def plant(
    settings, tmp_path,
    private_community, public_community, owner, moderator, member, stranger,
    django_capture_on_commit_callbacks, monkeypatch,
) -> Plant:  # fmt: skip
    settings.MEDIA_ROOT = tmp_path / "media"
    marker = f"canary{secrets.token_hex(5)}"
    search_word = f"zebrafinch{secrets.token_hex(3)}"
    absent_word = f"zebrafinch{secrets.token_hex(3)}"
    removed = testing.make_user("rita_removed")
    testing.add_member(private_community, removed)
    suspended = testing.make_user("sue_suspended")
    testing.add_member(private_community, suspended)
    testing.add_member(public_community, stranger)  # a member elsewhere, not here
    plant = Plant(
        marker=marker,
        search_word=search_word,
        absent_word=absent_word,
        community=private_community,
        public=public_community,
        member=member,
        moderator=moderator,
        stranger=stranger,
        removed=removed,
        suspended=suspended,
        sent=record_sent(monkeypatch, tasks=False),
    )
    _prefer_digest_and_email(member, stranger, removed, suspended)
    secret = f"{marker} {search_word}"
    with django_capture_on_commit_callbacks(execute=True):
        # While the removed member still belongs: they watch, read, bookmark, react.
        for watcher in (removed, suspended):
            actions.set_community_notification_level(
                watcher, private_community, NotificationLevel.WATCHING
            )
        topic = actions.create_topic(
            moderator, private_community,
            title=f"Darkroom {marker}",
            body=f"Opening {secret}: @rita_removed @sue_suspended @mia_member @sam_stranger",
        )  # fmt: skip
        plant.topics.append(topic)
        opening = Post.objects.get(topic=topic, number=1)
        actions.set_topic_notification_level(removed, topic, NotificationLevel.WATCHING)
        actions.mark_read(removed, topic, 1)
        actions.add_bookmark(removed, opening)
        actions.add_reaction(removed, opening, "heart")
        reply = actions.create_reply(
            member, topic, body=f"Reply {secret} for @rita_removed", reply_to=opening
        )
        actions.add_reaction(moderator, reply, "thanks")
        plant.image = _attach_image(member, private_community, topic)
        question = actions.create_topic(
            removed, private_community, title="A question without the word",
            body="Which developer?", kind=TopicKind.QUESTION,
        )  # fmt: skip
        plant.topics.append(question)
        answer = actions.create_reply(member, question, body=f"Answer {secret}")
        actions.accept_answer(removed, question, answer)
        plant.posts += [opening, reply, answer]
    plant.emails_before_leaving = len(mail.outbox)
    plant.events_before_leaving = len(plant.sent.events)
    leave_community(removed, private_community)
    User.objects.filter(pk=suspended.pk).update(suspended_at=timezone.now())
    suspended.refresh_from_db()
    private_community = Community.objects.get(pk=private_community.pk)
    plant.community = private_community
    with django_capture_on_commit_callbacks(execute=True):
        # After they left: more words, mentions of them and of the stranger.
        topic = Topic.objects.get(pk=topic.pk)
        late = actions.create_reply(
            moderator,
            topic,
            body=f"Late {secret} @rita_removed @sue_suspended @sam_stranger",
            quoted=reply,
        )
        fresh = actions.create_topic(
            member, private_community, title=f"Second {marker}", body=f"More {secret}"
        )
        plant.topics.append(fresh)
        plant.posts += [late, Post.objects.get(topic=fresh, number=1)]
        actions.edit_post(member, reply, body=f"Reply edited {secret} @rita_removed")
        _run_digests()
    return plant


# --- Discovering routes ----------------------------------------------------------------------


def _routes() -> Iterator[tuple[str, list[str]]]:
    """(name, argument names) of every named route, arguments of enclosing includes too."""

    def walk(
        resolver: URLResolver, namespace: str, outer: list[str]
    ) -> Iterator[tuple[str, list[str]]]:
        for entry in resolver.url_patterns:
            arguments = outer + list(entry.pattern.regex.groupindex)
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry, inner, arguments)
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{namespace}{entry.name}", arguments

    yield from walk(get_resolver(), "", [])


def _values(plant: Plant, notifications: list[int]) -> dict[str, list[Any]]:
    """What to try for each route argument name."""
    topic_ids = [topic.pk for topic in plant.topics]
    post_ids = [post.pk for post in plant.posts]
    handles = [plant.member.handle, plant.removed.handle, plant.stranger.handle]
    handles.append(plant.suspended.handle)
    return {
        "slug": [plant.community.slug],
        "topic_id": topic_ids,
        "post_id": post_ids,
        "number": [1, 2],
        "kind": ["heart"],
        "handle": handles,
        "notification_id": notifications or [UNKNOWN],
        "attachment_id": [plant.image[0]] if plant.image else [UNKNOWN],
        "name": [plant.image[1]] if plant.image else [UNKNOWN],
        "path": [plant.image[2]] if plant.image else [UNKNOWN],
    }


def _urls(plant: Plant, notifications: list[int], skipped: set[str]) -> list[tuple[str, str]]:
    """(route name, path) for every route whose arguments the canary can fill."""
    from django.urls import NoReverseMatch, reverse

    values = _values(plant, notifications)
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    paths: set[str] = set()
    for name, arguments in _routes():
        if name in seen or SKIP_NAMES.search(name):
            continue
        seen.add(name)
        if any(values.get(argument, [UNKNOWN]) == [UNKNOWN] for argument in arguments):
            skipped.add(f"{name} ({', '.join(arguments)})")
            continue
        choices = [values[argument] for argument in arguments]
        for combination in itertools.product(*choices):
            kwargs = dict(zip(arguments, combination, strict=True))
            try:
                path = reverse(name, kwargs=kwargs) if kwargs else reverse(name)
            except NoReverseMatch:
                skipped.add(f"{name} (does not reverse)")
                break
            if path not in paths:
                paths.add(path)
                found.append((name, path))
    return found


def _search_queries(name: str, plant: Plant, word: str) -> list[dict[str, str]]:
    """Query strings worth sending to a route: search words for search routes, filters
    for feeds and listings."""
    if "feed" in name:
        return [{}, {"filter": "unread"}, {"filter": "unanswered"}, {"filter": "mine"}]
    if name.endswith("topic_list") or name.endswith("list_topics"):
        return [{}, {"kind": "question"}, {"kind": "discussion"}]
    if name.endswith("posts_after"):
        return [{}, {"after": "0"}, {"after": "1"}]
    if "search" not in name:
        return [{}]
    return [
        {"q": word},
        {"q": word, "community": plant.community.slug},
        {"q": word, "author": plant.member.handle},
    ]


def _get(
    client: Client, path: str, query: dict[str, str], headers: dict[str, str]
) -> tuple[int, str]:
    response: Any = client.get(path, query or None, headers=headers)
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    return response.status_code, body.decode("utf-8", "replace")


def _sweep(plant: Plant, who: str, user: User | None, findings: Findings, word: str) -> None:
    """Request every route as ``user`` (pages, htmx partials, API) and look for the marker."""
    from cerchia.notifications.models import Notification

    client = Client(raise_request_exception=False)
    headers: dict[str, str] = {}
    api_headers: dict[str, str] = {}
    if user is not None:
        client.force_login(user)
        api_headers = {"Authorization": f"Bearer {_token(user)}"}
    notifications = list(Notification.objects.values_list("pk", flat=True))
    for name, path in _urls(plant, notifications, findings.skipped):
        is_api = path.startswith("/api/")
        for query in _search_queries(name, plant, word):
            variants = [api_headers] if is_api else [headers, {"HX-Request": "true"}]
            for extra in variants:
                try:
                    status, text = _get(client, path, query, extra)
                except Exception as error:  # a broken page is reported, not a leak
                    findings.errors.append(f"{who} GET {path}: {error!r}")
                    continue
                label = f"{who} GET {path}{'?' + str(query) if query else ''}"
                label += " (htmx)" if "HX-Request" in extra else ""
                findings.look(label, text, plant.marker)
                if plant.image and plant.image[1] in path and status == 200:
                    findings.hits.append(f"{label}: the private image is served")


# --- The canary ----------------------------------------------------------------------------


def test_private_words_reach_no_one_outside(plant, django_capture_on_commit_callbacks):
    findings = Findings()

    # Pages, partials, API, search, feed, bookmarks, notifications, profiles, directory.
    outsiders: list[tuple[str, User | None]] = [
        ("stranger", plant.stranger),
        ("removed member", plant.removed),
        ("suspended member", plant.suspended),
        ("anonymous", None),
    ]
    for who, user in outsiders:
        _sweep(plant, who, user, findings, plant.search_word)

    # Anything a later page view triggers (read marks, notifications) is sent now.
    with django_capture_on_commit_callbacks(execute=True):
        pass

    # Emails to the outsiders (tasks run immediately in tests).
    for index, message in enumerate(mail.outbox):
        recipients = {address.lower() for address in message.recipients()}
        outsiders_then = {plant.stranger.email.lower()}
        if index >= plant.emails_before_leaving:
            outsiders_then |= {plant.removed.email.lower(), plant.suspended.email.lower()}
        if not recipients & outsiders_then:
            continue
        parts = [str(message.subject), str(message.body)]
        parts += [str(content) for content, _type in getattr(message, "alternatives", [])]
        parts += [str(value) for value in message.extra_headers.values()]
        findings.look(
            f"email to {sorted(recipients)}: {message.subject}", "\n".join(parts), plant.marker
        )

    # Live events: every event published, in any group, carries ids and counts only.
    assert plant.sent.events, "no live event was captured: the canary cannot see this channel"
    for group, event in plant.sent.events:
        findings.look(f"live event to {group}", json.dumps(event), plant.marker)
    # Nor is an outsider nudged by the community's activity (a notification they got).
    outsider_groups = {
        user_group(user.pk) for user in (plant.stranger, plant.removed, plant.suspended)
    }
    for group, event in plant.sent.events[plant.events_before_leaving :]:
        findings.checked += 1
        if group in outsider_groups:
            findings.hits.append(f"live event {event} to outsider group {group}")
    _check_live_delivery(plant, findings)

    # Account exports of the outsiders.
    from cerchia.accounts.actions import export_account

    for who, user in outsiders:
        if user is not None:
            exported = export_account(user, user)
            findings.look(f"{who} export", json.dumps(exported, default=str), plant.marker)

    print(f"canary: {findings.checked} responses, emails, events and exports checked")
    for skipped in sorted(findings.skipped):
        print(f"canary: skipped route {skipped}")
    for error in findings.errors:
        print(f"canary: error {error}")
    assert findings.hits == [], "the marker leaked to someone outside the community"
    assert findings.checked > 100


def test_search_gives_outsiders_not_even_a_count(plant):
    """Searching a word only the private community uses answers exactly as a word no one used."""
    for user in (plant.stranger, plant.removed):
        client = Client()
        token = _token(user)
        headers = {"Authorization": f"Bearer {token}"}
        for query in ({}, {"community": plant.public.slug}):
            present = client.get(
                "/api/v1/search", {"q": plant.search_word, **query}, headers=headers
            )
            absent = client.get(
                "/api/v1/search", {"q": plant.absent_word, **query}, headers=headers
            )
            assert present.status_code == absent.status_code
            assert present.content.decode().replace(plant.search_word, "WORD") == (
                absent.content.decode().replace(plant.absent_word, "WORD")
            )
        client.force_login(user)
        pages = [
            client.get("/search/", {"q": word}) for word in (plant.search_word, plant.absent_word)
        ]
        texts = [
            _normalise(page.content.decode(), word)
            for page, word in zip(pages, (plant.search_word, plant.absent_word), strict=True)
        ]
        assert pages[0].status_code == pages[1].status_code
        assert texts[0] == texts[1]


def test_members_do_find_the_marker(plant):
    """The control: the same channels do show the words to a member, so the canary can fail."""
    client = Client()
    client.force_login(plant.member)
    topic = plant.topics[0]
    slug = plant.community.slug
    page = client.get(f"/c/{slug}/t/{topic.pk}/")
    assert page.status_code == 200
    assert plant.marker in page.content.decode()
    listing = client.get(f"/c/{slug}/topics/")
    assert plant.marker in listing.content.decode()
    found = client.get("/search/", {"q": plant.search_word})
    assert plant.marker in found.content.decode()
    headers = {"Authorization": f"Bearer {_token(plant.member)}"}
    api_search = client.get("/api/v1/search", {"q": plant.search_word}, headers=headers)
    assert plant.marker in api_search.content.decode()
    api_topics = client.get(f"/api/v1/communities/{slug}/topics", headers=headers)
    assert plant.marker in api_topics.content.decode()
    feed = client.get("/feed/")
    assert plant.marker in feed.content.decode()
    if plant.image:
        image = client.get(f"/attachments/{plant.image[0]}/{plant.image[1]}")
        assert image.status_code == 200
    to_member = [m for m in mail.outbox if plant.member.email in m.recipients()]
    assert any(plant.marker in f"{m.subject}\n{m.body}" for m in to_member)


def _normalise(html: str, word: str) -> str:
    """A page without what differs between two requests: the query, tokens and nonces."""
    html = html.replace(word, "WORD")
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*', r"\1", html)
    html = re.sub(r'(nonce=")[^"]*', r"\1", html)
    return re.sub(r'(csrf[-_]?token["\']?\s*[:=]\s*["\'])[^"\']*', r"\1", html, flags=re.I)


def _check_live_delivery(plant: Plant, findings: Findings) -> None:
    """The websocket consumer refuses the private groups to outsiders and re-checks on send."""
    try:
        from cerchia.live import consumers
    except ImportError:
        findings.skipped.add("live consumer (not built)")
        return
    authorize = getattr(consumers, "authorize", None)
    still_readable = getattr(consumers, "still_readable", None)
    for user in (plant.stranger, plant.removed, plant.suspended, AnonymousUser()):
        for topic in plant.topics:
            if authorize is not None:
                findings.checked += 1
                if authorize(user, "topic", topic.pk) is not None:
                    findings.hits.append(f"live: {user} may subscribe to topic {topic.pk}")
        if authorize is not None:
            findings.checked += 1
            if authorize(user, "community", plant.community.pk) is not None:
                findings.hits.append(f"live: {user} may subscribe to the community")
        if still_readable is not None and user.is_authenticated:
            findings.checked += 1
            if still_readable(user.pk, plant.community.pk):
                findings.hits.append(f"live: {user} still receives the community's events")


# --- Announcements to a segment ---------------------------------------------------------------


@pytest.fixture
def announced(
    settings, tmp_path, public_community, owner, moderator, member, stranger,
    django_capture_on_commit_callbacks, monkeypatch,
) -> Plant:  # fmt: skip
    """An announcement to a segment of a public community (one recipient), a reply in it that
    mentions ``member``, who belongs to the community, watches it, takes the digest and agreed
    to marketing email, but is not in the segment."""
    from cerchia.insights.actions_announcements import create_announcement
    from cerchia.insights.models import Segment, SegmentMember

    settings.MEDIA_ROOT = tmp_path / "media"
    marker = f"canary{secrets.token_hex(5)}"
    search_word = f"zebrafinch{secrets.token_hex(3)}"
    recipient = testing.make_user("rhea_recipient", marketing_consent=True)
    testing.add_member(public_community, recipient)
    User.objects.filter(pk=member.pk).update(marketing_consent=True)
    member.refresh_from_db()
    segment = Segment.objects.create(
        community=public_community, name="Darkroom regulars", kind=Segment.Kind.STATIC
    )
    SegmentMember.objects.create(segment=segment, user=recipient)
    plant = Plant(
        marker=marker,
        search_word=search_word,
        absent_word=f"zebrafinch{secrets.token_hex(3)}",
        community=public_community,
        public=public_community,
        member=recipient,
        moderator=owner,
        stranger=member,
        removed=stranger,
        suspended=member,
        sent=record_sent(monkeypatch, tasks=False),
    )
    _prefer_digest_and_email(member, recipient)
    secret = f"{marker} {search_word}"
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_community_notification_level(
            member, public_community, NotificationLevel.WATCHING
        )
        announcement = create_announcement(
            owner, public_community, title=f"Notice {marker}", body=f"Only {secret}",
            segment=segment,
        )  # fmt: skip
        topic = Topic.objects.get(pk=announcement.topic_id or 0)
        reply = actions.create_reply(recipient, topic, body=f"Thanks {secret} @mia_member")
        actions.add_reaction(owner, reply, "heart")
        plant.topics.append(topic)
        plant.posts += [Post.objects.get(topic=topic, number=1), reply]
        _run_digests()
    return plant


def test_a_segments_announcement_reaches_no_other_member(announced):
    """A member outside the segment, an outsider and a visitor never see its words."""
    from cerchia.live.publish import community_group

    findings = Findings()
    outsiders: list[tuple[str, User | None]] = [
        ("member outside the segment", announced.stranger),
        ("stranger", announced.removed),
        ("anonymous", None),
    ]
    for who, user in outsiders:
        _sweep(announced, who, user, findings, announced.search_word)
    outsider_emails = {announced.stranger.email.lower(), announced.removed.email.lower()}
    for message in mail.outbox:
        if not {address.lower() for address in message.recipients()} & outsider_emails:
            continue
        parts = [str(message.subject), str(message.body)]
        parts += [str(content) for content, _type in getattr(message, "alternatives", [])]
        findings.look(f"email to {message.recipients()}: {message.subject}", "\n".join(parts),
                      announced.marker)  # fmt: skip
    topic = announced.topics[0]
    group = community_group(announced.community.pk)
    outsider_groups = {user_group(announced.stranger.pk), user_group(announced.removed.pk)}
    for sent_to, event in announced.sent.events:
        findings.checked += 1
        if sent_to == group and event.get("topic_id") == topic.pk:
            findings.hits.append(f"live event {event} about the announcement to {sent_to}")
        if sent_to in outsider_groups:
            findings.hits.append(f"live event {event} to outsider group {sent_to}")
    from cerchia.live.consumers import authorize

    readers: list[Any] = [announced.stranger, announced.removed, AnonymousUser()]
    for reader in readers:
        findings.checked += 1
        if authorize(reader, "topic", topic.pk) is not None:
            findings.hits.append(f"live: {reader} may subscribe to the announcement")
    print(f"canary: {findings.checked} responses, emails and events checked (announcement)")
    for error in findings.errors:
        print(f"canary: error {error}")
    assert findings.hits == [], "the announcement leaked to someone outside its segment"
    assert findings.checked > 100


def test_the_segment_does_find_the_announcement(announced):
    """The control: its recipient sees it on the pages, in search, the API and by email."""
    client = Client()
    client.force_login(announced.member)
    topic = announced.topics[0]
    slug = announced.community.slug
    assert announced.marker in client.get(f"/c/{slug}/t/{topic.pk}/").content.decode()
    assert announced.marker in client.get(f"/c/{slug}/topics/").content.decode()
    found = client.get("/search/", {"q": announced.search_word})
    assert announced.marker in found.content.decode()
    headers = {"Authorization": f"Bearer {_token(announced.member)}"}
    api_topics = client.get(f"/api/v1/communities/{slug}/topics", headers=headers)
    assert announced.marker in api_topics.content.decode()
    to_recipient = [m for m in mail.outbox if announced.member.email in m.recipients()]
    assert any(announced.marker in f"{m.subject}\n{m.body}" for m in to_recipient)
