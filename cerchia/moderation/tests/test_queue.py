"""The review queue: handling reports (dismiss, hide, delete, lock), hiding posts, held
posts' approval, who may, what reporters and authors are told, and what others see."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cerchia.accounts.models import User
from cerchia.communities.models import Role
from cerchia.core import testing
from cerchia.core.errors import ActionRefused
from cerchia.discussions import actions as discussions
from cerchia.discussions.models import Post
from cerchia.moderation.actions.held import approve_held_post, reject_held_post
from cerchia.moderation.actions.reports import report_member, report_post, report_topic
from cerchia.moderation.actions.review import (
    dismiss_report,
    hide_post,
    resolve_report,
    unhide_post,
)
from cerchia.moderation.models import (
    HeldPost,
    LogAction,
    ModerationLogEntry,
    ModerationSettings,
    Premoderation,
    Report,
)
from cerchia.moderation.queries_queue import get_report, list_report_groups, queue_counts
from cerchia.moderation.screening import PostHeld
from cerchia.notifications.models import Notification
from cerchia.notifications.registry import get_kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(public_community, owner):
    return testing.make_topic(public_community, owner, title="Grinders", body="Burrs matter")


@pytest.fixture
def reply(topic, member):
    return testing.make_reply(topic, member, body="Buy cheap grinders at spam.example")


@pytest.fixture
def witness(public_community):
    person = testing.make_user("wendy_witness")
    testing.add_member(public_community, person)
    return person


@pytest.fixture
def other_host(db):
    """The owner of another community: a host, but not here."""
    person = testing.make_user("oscar_other")
    testing.make_community(person, slug="elsewhere", name="Elsewhere")
    return person


def _said(notification: Notification) -> str:
    kind = get_kind(notification.kind)
    assert kind is not None
    return str(kind.describe(notification))


# --- Hiding ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "moderator", "site_admin"])
def test_hosts_and_site_admins_hide_and_show_a_post(request, reply, who):
    actor = request.getfixturevalue(who)
    assert hide_post(actor, reply) is True
    reply.refresh_from_db()
    assert reply.hidden_at is not None
    assert reply.hidden_by == actor
    assert hide_post(actor, reply) is False
    assert unhide_post(actor, reply) is True
    reply.refresh_from_db()
    assert reply.hidden_at is None
    actions = list(ModerationLogEntry.objects.values_list("action", flat=True))
    assert sorted(actions) == sorted([LogAction.POST_HIDDEN, LogAction.POST_UNHIDDEN])
    assert "moderation.post_hidden" in testing.event_kinds()


@pytest.mark.parametrize("who", ["member", "stranger", "other_host", "witness"])
def test_others_cannot_hide_a_post(request, reply, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        hide_post(actor, reply)
    reply.refresh_from_db()
    assert reply.hidden_at is None


def test_a_suspended_host_cannot_hide(reply, moderator):
    User.objects.filter(pk=moderator.pk).update(suspended_at=timezone.now())
    moderator.refresh_from_db()
    with pytest.raises(PermissionDenied):
        hide_post(moderator, reply)


def test_outsiders_of_a_private_community_get_404(private_community, owner, member, other_host):
    topic = testing.make_topic(private_community, member, title="Darkroom")
    post = topic.posts.get(number=1)
    with pytest.raises(Http404):
        hide_post(other_host, post)
    report = report_post(owner, post, reason="spam")
    with pytest.raises(Http404):
        get_report(other_host, private_community, report.pk)


def test_a_hidden_post_is_collapsed_for_all_but_author_and_hosts(
    client, topic, reply, owner, member, witness
):
    hide_post(owner, reply)
    url = f"/c/{topic.community.slug}/t/{topic.pk}/"
    body = "Buy cheap grinders"
    for person, sees in ((witness, False), (None, False), (member, True), (owner, True)):
        client.logout()
        if person is not None:
            client.force_login(person)
        page = client.get(url).content.decode()
        assert (body in page) is sees, person
        assert ("Hidden by the moderators" in page) is True
    # The hosts can show it again from the post itself.
    assert "Show again" in page


def test_the_api_keeps_a_hidden_body_from_others(client, reply, owner, member, witness):
    hide_post(owner, reply)
    client.force_login(witness)
    data = client.get(f"/api/v1/posts/{reply.pk}").json()
    assert data["hidden"] is True
    assert data["body"] is None
    assert data["body_html"] is None
    client.force_login(member)
    assert client.get(f"/api/v1/posts/{reply.pk}").json()["body"].startswith("Buy cheap")
    client.force_login(owner)
    listing = client.get(f"/api/v1/topics/{reply.topic_id}/posts").json()
    assert [item["body"] is not None for item in listing["items"]] == [True, True]


def test_search_leaves_hidden_posts_out_for_others(reply, owner, member, witness):
    from cerchia.search.queries import search_posts

    hide_post(owner, reply)
    assert not [hit for hit in search_posts(witness, "grinders").hits if hit.post.pk == reply.pk]
    assert [hit for hit in search_posts(member, "grinders").hits if hit.post.pk == reply.pk]
    assert [hit for hit in search_posts(owner, "grinders").hits if hit.post.pk == reply.pk]


def test_the_hide_page_hides_and_shows_again(client, reply, moderator, witness):
    url = f"/c/{reply.community.slug}/moderation/posts/{reply.pk}/hide/"
    client.force_login(witness)
    assert client.post(url, {"action": "hide"}).status_code == 403
    client.force_login(moderator)
    assert client.post(url, {"action": "hide"}).status_code == 302
    reply.refresh_from_db()
    assert reply.hidden_at is not None
    assert client.post(url, {"action": "unhide"}).status_code == 302
    reply.refresh_from_db()
    assert reply.hidden_at is None
    assert client.post(url, {"action": "bogus"}).status_code == 302


# --- Reports ------------------------------------------------------------------------------------


def test_dismissing_closes_every_report_on_the_thing_and_tells_the_reporters(
    reply, owner, witness, stranger, moderator, django_capture_on_commit_callbacks
):
    first = report_post(witness, reply, reason="spam", note="Ads")
    report_post(stranger, reply, reason="off_topic")
    other = report_member(witness, reply.community, moderator, reason="harassment")
    with django_capture_on_commit_callbacks(execute=True):
        closed = dismiss_report(owner, first)
    assert len(closed) == 2
    assert set(Report.objects.filter(pk__in=closed).values_list("status", flat=True)) == {
        "dismissed"
    }
    assert Report.objects.get(pk=other.pk).status == Report.Status.OPEN
    told = Notification.objects.filter(kind="report_reviewed")
    assert {n.recipient_id for n in told} == {witness.pk, stranger.pk}
    for notification in told:
        assert "no action was needed" in _said(notification)
    with pytest.raises(ActionRefused):
        dismiss_report(owner, first)
    assert ModerationLogEntry.objects.filter(action=LogAction.REPORT_DISMISSED).count() == 1


def test_hiding_from_a_report_tells_reporters_nothing_of_what_was_done(
    reply, owner, witness, django_capture_on_commit_callbacks
):
    report = report_post(witness, reply, reason="spam")
    with django_capture_on_commit_callbacks(execute=True):
        resolve_report(owner, report, "hide")
    reply.refresh_from_db()
    assert reply.hidden_at is not None
    report.refresh_from_db()
    assert (report.status, report.resolution) == ("handled", "hidden")
    notification = Notification.objects.get(recipient=witness, kind="report_reviewed")
    said = _said(notification)
    assert "was reviewed. Thank you." in said
    for detail in ("hid", "sanction", "ban", "mute", "warning", reply.author.name):
        assert detail not in said.lower()
    assert notification.post_id is None
    assert notification.data == {"outcome": "actioned"}


def test_deleting_and_locking_from_reports(topic, reply, owner, witness):
    report = report_post(witness, reply, reason="spam")
    resolve_report(owner, report, "delete")
    reply.refresh_from_db()
    assert reply.deleted_at is not None
    topic_report = report_topic(witness, topic, reason="off_topic")
    resolve_report(owner, topic_report, "lock")
    topic.refresh_from_db()
    assert topic.locked_at is not None
    logged = set(ModerationLogEntry.objects.values_list("action", flat=True))
    assert {LogAction.POST_DELETED, LogAction.TOPIC_LOCKED} <= logged


def test_deleting_a_reported_topic_deletes_it(topic, owner, witness, member):
    own = testing.make_topic(topic.community, member, title="Buy now")
    report = report_topic(witness, own, reason="spam")
    resolve_report(owner, report, "delete")
    own.refresh_from_db()
    assert own.deleted_at is not None


def test_a_member_report_is_dismissed_or_sanctioned_not_hidden(
    public_community, owner, witness, member
):
    report = report_member(witness, public_community, member, reason="harassment")
    with pytest.raises(ActionRefused):
        resolve_report(owner, report, "hide")
    with pytest.raises(ActionRefused):
        resolve_report(owner, report, "explode")
    assert Report.objects.get(pk=report.pk).status == Report.Status.OPEN


@pytest.mark.parametrize("who", ["member", "witness", "stranger", "other_host"])
def test_only_hosts_handle_reports(request, reply, witness, stranger, who):
    report = report_post(stranger if who == "witness" else witness, reply, reason="spam")
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        dismiss_report(actor, report)
    with pytest.raises(PermissionDenied):
        resolve_report(actor, report, "lock")
    with pytest.raises(PermissionDenied):
        list_report_groups(actor, reply.community)
    assert Report.objects.get(pk=report.pk).status == Report.Status.OPEN


def test_the_site_admin_handles_reports_anywhere(reply, witness, site_admin):
    report = report_post(witness, reply, reason="spam")
    assert dismiss_report(site_admin, report) == [report.pk]


def test_queue_groups_and_counts(reply, topic, owner, witness, stranger, moderator):
    report_post(witness, reply, reason="spam", note="Ads")
    report_post(stranger, reply, reason="spam")
    report_topic(witness, topic, reason="off_topic")
    page = list_report_groups(owner, reply.community)
    assert [group.count for group in page.items] == [2, 1]
    first, second = page.items
    assert first.post == reply
    assert first.reasons == [("Spam or advertising", 2)]
    assert [note.note for note in first.notes] == ["Ads"]
    assert second.post is not None
    assert second.post.number == 1
    counts = queue_counts(moderator, reply.community)
    assert (counts.reports, counts.held) == (2, 0)


# --- Held posts ---------------------------------------------------------------------------------


@pytest.fixture
def premoderated(public_community):
    ModerationSettings.objects.create(community=public_community, premoderation=Premoderation.ALL)
    return public_community


def test_a_mention_in_a_held_post_notifies_only_after_approval(
    premoderated, topic, member, owner, witness, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PostHeld) as held_info:
        discussions.create_reply(member, topic, body=f"Thanks @{witness.handle}!")
    held = held_info.value.held
    assert not Notification.objects.filter(recipient=witness).exists()
    with django_capture_on_commit_callbacks(execute=True):
        post = approve_held_post(owner, held)
    assert Notification.objects.filter(recipient=witness, kind="mentioned", post=post).exists()
    told = Notification.objects.get(recipient=member, kind="held_approved")
    assert told.post_id == post.pk
    assert "approved" in _said(told)


def test_rejecting_tells_the_author_with_the_note(
    premoderated, topic, member, moderator, django_capture_on_commit_callbacks
):
    with pytest.raises(PostHeld) as held_info:
        discussions.create_reply(member, topic, body="Buy now")
    with django_capture_on_commit_callbacks(execute=True):
        reject_held_post(moderator, held_info.value.held, note="No adverts, please.")
    told = Notification.objects.get(recipient=member, kind="held_rejected")
    assert "No adverts, please." in _said(told)
    assert not Post.objects.filter(body="Buy now").exists()


def test_the_held_page_approves_and_rejects(client, premoderated, topic, member, owner, witness):
    held_posts = []
    for text in ("First", "Second"):
        with pytest.raises(PostHeld) as held_info:
            discussions.create_reply(member, topic, body=text)
        held_posts.append(held_info.value.held)
    url = f"/c/{premoderated.slug}/moderation/held/"
    client.force_login(witness)
    assert client.get(url).status_code == 403
    assert client.post(f"{url}{held_posts[0].pk}/", {"decision": "approve"}).status_code == 403
    client.force_login(owner)
    page = client.get(url).content.decode()
    assert "First" in page
    assert "Second" in page
    assert client.post(f"{url}{held_posts[0].pk}/", {"decision": "approve"}).status_code == 302
    assert (
        client.post(f"{url}{held_posts[1].pk}/", {"decision": "reject", "note": "Off"}).status_code
        == 302
    )
    statuses = dict(HeldPost.objects.values_list("pk", "status"))
    assert statuses == {held_posts[0].pk: "approved", held_posts[1].pk: "rejected"}
    again = client.post(f"{url}{held_posts[1].pk}/", {"decision": "approve"}, follow=True)
    assert "already reviewed" in again.content.decode()
    assert client.post(f"{url}{held_posts[1].pk}/", {"decision": "maybe"}).status_code == 302
    assert client.post(f"{url}999999/", {"decision": "approve"}).status_code == 404


# --- The queue page ----------------------------------------------------------------------------


def test_the_queue_page_for_hosts(client, reply, owner, witness, moderator):
    report = report_post(witness, reply, reason="spam", note="Selling grinders")
    url = f"/c/{reply.community.slug}/moderation/"
    client.force_login(witness)
    assert client.get(url).status_code == 403
    client.force_login(moderator)
    page = client.get(url).content.decode()
    assert "Selling grinders" in page
    assert "Buy cheap grinders" in page
    assert f"/moderation/members/{reply.author_id}/sanction/?report={report.pk}" in page
    response = client.post(f"{url}reports/{report.pk}/", {"action": "lock"})
    assert response.status_code == 302
    reply.topic.refresh_from_db()
    assert reply.topic.locked_at is not None
    again = client.post(f"{url}reports/{report.pk}/", {"action": "dismiss"}, follow=True)
    assert "already handled" in again.content.decode()
    assert client.post(f"{url}reports/{report.pk}/", {"action": "nuke"}).status_code == 302
    assert client.post(f"{url}reports/999999/", {"action": "dismiss"}).status_code == 404


def test_the_queue_is_404_to_outsiders_of_a_private_community(client, private_community, stranger):
    client.force_login(stranger)
    assert client.get(f"/c/{private_community.slug}/moderation/").status_code == 404


def test_the_queue_links_from_the_hosts_pages(client, public_community, owner, member):
    report_member(member, public_community, owner, reason="harassment")
    client.force_login(owner)
    assert "/moderation/" in client.get(f"/c/{public_community.slug}/").content.decode()
    settings_page = client.get(f"/c/{public_community.slug}/settings/").content.decode()
    assert f'href="/c/{public_community.slug}/moderation/"' in settings_page
    assert '<span class="badge badge--primary">1</span>' in settings_page
    client.force_login(member)
    assert (
        f"/c/{public_community.slug}/moderation/"
        not in client.get(f"/c/{public_community.slug}/").content.decode()
    )


def _fill(community: Any, topic: Any, groups: int) -> None:
    author = testing.make_user()
    testing.add_member(community, author)
    reporters = [testing.make_user() for _ in range(2)]
    for person in reporters:
        testing.add_member(community, person)
    for number in range(groups):
        post = testing.make_reply(topic, author, body=f"Reply {number}")
        for person in reporters:
            report_post(person, post, reason="spam", note="Why")
        if number % 3 == 1:
            report_topic(reporters[0], testing.make_topic(community, author), reason="spam")
        if number % 3 == 2:
            target = testing.make_user()
            testing.add_member(community, target, Role.MEMBER)
            report_member(reporters[1], community, target, reason="harassment")


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_queue_page_costs_the_same_for_3_and_30_items(client, topic, owner):
    community = topic.community
    client.force_login(owner)
    url = f"/c/{community.slug}/moderation/"
    _fill(community, topic, 3)
    few = _queries(client, url)
    _fill(community, topic, 27)
    assert _queries(client, url) == few


def test_the_held_page_costs_the_same_for_3_and_30_items(client, premoderated, topic, owner):
    client.force_login(owner)
    url = f"/c/{premoderated.slug}/moderation/held/"
    authors = [testing.make_user() for _ in range(3)]
    for person in authors:
        testing.add_member(premoderated, person)

    def hold(count: int) -> None:
        for number in range(count):
            with pytest.raises(PostHeld):
                discussions.create_reply(authors[number % 3], topic, body=f"Held {number}")

    hold(3)
    few = _queries(client, url)
    hold(27)
    assert _queries(client, url) == few


def test_hiding_tells_live_viewers_to_refetch_without_content(
    reply, owner, monkeypatch, django_capture_on_commit_callbacks
):
    from cerchia.discussions.tests.capture import record_sent

    sent = record_sent(monkeypatch, tasks=False)
    with django_capture_on_commit_callbacks(execute=True):
        hide_post(owner, reply)
    events = [event for _group, event in sent.events]
    assert events == [
        {
            "type": "post.edited",
            "community_id": reply.community_id,
            "topic_id": reply.topic_id,
            "post_id": reply.pk,
            "number": reply.number,
        }
    ]
    assert "Buy cheap" not in str(sent.events)
