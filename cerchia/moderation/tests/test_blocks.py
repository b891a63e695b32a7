"""Blocking: both sides see each other's posts collapsed (and can open them), neither can
mention or notify the other, hosts are unaffected in their community, and nobody else
notices anything."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cerchia.accounts.models import User
from cerchia.api.tests.conftest import ApiClient, make_token
from cerchia.core import testing
from cerchia.discussions import actions as discussion_actions
from cerchia.discussions.models import Mention
from cerchia.moderation.actions.blocks import block_member, unblock_member
from cerchia.moderation.models import Block
from cerchia.moderation.queries_blocks import block_set, forget_block_set
from cerchia.notifications import actions as notification_actions
from cerchia.notifications.models import Notification

pytestmark = pytest.mark.django_db

BLOCKER_NOTE = "A post by a member you blocked."
BLOCKED_NOTE = "This post is collapsed."


@pytest.fixture
def troll(public_community) -> User:
    person = testing.make_user("tom_troll")
    testing.add_member(public_community, person)
    return person


@pytest.fixture
def topic(public_community, member):
    return testing.make_topic(public_community, member, title="Espresso basics")


@pytest.fixture
def blocked(member, troll) -> Block:
    return block_member(member, troll)


def _topic_html(client, user, topic) -> str:
    client.force_login(user)
    response = client.get(reverse("discussions:topic", args=[topic.community.slug, topic.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- The actions --------------------------------------------------------------------------


def test_blocking_is_recorded_once_and_lifted(member, troll):
    first = block_member(member, troll)
    assert block_member(member, troll) == first
    assert Block.objects.count() == 1
    assert "moderation.member_blocked" in testing.event_kinds()
    assert unblock_member(member, troll) is True
    assert unblock_member(member, troll) is False
    assert not Block.objects.exists()


def test_nobody_blocks_themselves(member):
    with pytest.raises(ValidationError):
        block_member(member, member)


def test_a_suspended_account_cannot_block(member, troll):
    member.suspended_at = timezone.now()
    with pytest.raises(PermissionDenied):
        block_member(member, troll)


def test_the_block_set_is_loaded_once_and_refreshed_after_a_change(
    member, troll, django_assert_num_queries
):
    block_member(member, troll)
    forget_block_set(member)
    with django_assert_num_queries(1):
        assert block_set(member).blocked == {troll.pk}
        assert block_set(member).state(troll.pk) == "blocker"
    assert block_set(troll).state(member.pk) == "blocked"


# --- Posts collapse both ways ------------------------------------------------------------


def test_the_blocker_sees_the_blocked_members_posts_collapsed(
    client, topic, troll, member, blocked
):
    testing.make_reply(topic, troll, body="Nonsense here")
    html = _topic_html(client, member, topic)
    assert '<details class="post__blocked">' in html
    assert BLOCKER_NOTE in html
    assert "Nonsense here" in html  # inside the collapsed part: it opens on demand


def test_the_blocked_member_sees_the_blockers_posts_collapsed_neutrally(
    client, topic, troll, member, blocked
):
    html = _topic_html(client, troll, topic)
    assert BLOCKED_NOTE in html
    assert BLOCKER_NOTE not in html
    assert "blocked" not in html.split('id="posts"')[1].split("</ol>")[0].lower().replace(
        "post__blocked", ""
    )


def test_everyone_else_sees_both_as_usual(client, topic, troll, moderator, blocked, owner):
    testing.make_reply(topic, troll, body="Nonsense here")
    bystander = testing.make_user("bea_bystander")
    testing.add_member(topic.community, bystander)
    for viewer in (bystander, moderator):
        html = _topic_html(client, viewer, topic)
        assert "post__blocked" not in html


def test_a_host_keeps_seeing_the_posts_of_a_member_who_blocked_them(
    client, topic, moderator, member
):
    block_member(member, moderator)
    html = _topic_html(client, moderator, topic)
    assert "post__blocked" not in html


def test_the_live_partial_collapses_too(client, topic, troll, member, blocked):
    reply = testing.make_reply(topic, troll, body="Live nonsense")
    client.force_login(member)
    path = reverse("discussions:posts_after", args=[topic.community.slug, topic.pk])
    html = client.get(path, {"after": reply.number - 1}).content.decode()
    assert BLOCKER_NOTE in html


def test_blocks_do_not_change_the_topic_pages_query_count(
    client, topic, troll, member, django_assert_num_queries
):
    for number in range(3):
        testing.make_reply(topic, troll, body=f"Reply {number}")
    client.force_login(member)
    path = reverse("discussions:topic", args=[topic.community.slug, topic.pk])
    client.get(path)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(path)
    block_member(member, troll)
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(path)


def test_the_api_marks_posts_collapsed_for_both_sides(topic, troll, member, blocked):
    reply = testing.make_reply(topic, troll, body="Nonsense")
    for viewer, post_id in ((member, reply.pk), (troll, topic.posts.get(number=1).pk)):
        body = ApiClient(make_token(viewer)).get(f"/posts/{post_id}").json()
        assert body["viewer"]["collapsed"] is True
    other = ApiClient(make_token(member)).get(f"/posts/{topic.posts.get(number=1).pk}").json()
    assert other["viewer"]["collapsed"] is False


# --- Mentions and notifications ---------------------------------------------------------


@pytest.mark.parametrize("direction", ["blocker mentions", "blocked mentions"])
def test_neither_can_mention_the_other(topic, member, troll, blocked, direction):
    author, named = (member, troll) if direction == "blocker mentions" else (troll, member)
    reply = testing.make_reply(topic, author, body=f"Hey @{named.handle}")
    assert 'class="mention"' not in reply.body_html
    assert not Mention.objects.filter(post=reply).exists()


def test_others_can_still_mention_both(topic, member, troll, moderator, blocked):
    reply = testing.make_reply(topic, moderator, body=f"@{member.handle} and @{troll.handle}")
    assert set(Mention.objects.filter(post=reply).values_list("user_id", flat=True)) == {
        member.pk,
        troll.pk,
    }


def test_mention_suggestions_leave_out_blocks_both_ways(client, public_community, member, troll):
    block_member(troll, member)
    path = reverse("discussions:mention_candidates", args=[public_community.slug])
    for viewer, hidden in ((member, troll), (troll, member)):
        client.force_login(viewer)
        handles = [person["handle"] for person in client.get(path, {"q": ""}).json()]
        assert hidden.handle not in handles


def test_a_reply_by_a_blocked_member_notifies_nobody_who_blocked_them(
    topic, member, troll, moderator, blocked
):
    reply = testing.make_reply(topic, troll, body="Replying to your topic")
    notification_actions.notify_new_post(reply.pk)
    assert not Notification.objects.filter(recipient=member).exists()
    host_reply = testing.make_reply(topic, moderator, body="Me too")
    notification_actions.notify_new_post(host_reply.pk)
    assert Notification.objects.filter(recipient=member).exists()


def test_the_blocker_does_not_notify_the_blocked_member_either(
    public_community, member, troll, blocked
):
    trolls_topic = testing.make_topic(public_community, troll, title="Hot takes")
    reply = testing.make_reply(trolls_topic, member, body="No")
    notification_actions.notify_new_post(reply.pk)
    assert not Notification.objects.filter(recipient=troll).exists()


def test_reactions_and_accepted_answers_do_not_notify_across_a_block(
    public_community, member, troll
):
    question = testing.make_topic(public_community, member, title="Help?", kind="question")
    answer = testing.make_reply(question, troll, body="This")
    block_member(troll, member)
    discussion_actions.add_reaction(member, answer, "heart")
    discussion_actions.accept_answer(member, question, answer)
    assert notification_actions.notify_accepted_answer(answer.pk) is None
    assert not Notification.objects.filter(recipient=troll).exists()


# --- Pages and API -----------------------------------------------------------------------


def test_block_and_unblock_from_the_profile_and_settings(client, member, troll, public_community):
    client.force_login(member)
    profile = reverse("accounts:profile", args=[troll.handle])
    assert 'action="/u/tom_troll/block/"' in client.get(profile).content.decode()
    response = client.post(reverse("moderation:block", args=[troll.handle]), {"next": profile})
    assert response.status_code == 302
    assert response["Location"] == profile
    assert Block.objects.filter(blocker=member, blocked=troll).exists()
    assert 'action="/u/tom_troll/unblock/"' in client.get(profile).content.decode()
    listing = client.get(reverse("moderation:blocked")).content.decode()
    assert "@tom_troll" in listing
    client.post(
        reverse("moderation:unblock", args=[troll.handle]), {"next": "https://evil.example/"}
    )
    assert not Block.objects.exists()
    assert "@tom_troll" not in client.get(reverse("moderation:blocked")).content.decode()


def test_no_block_button_on_ones_own_profile(client, member):
    client.force_login(member)
    html = client.get(reverse("accounts:profile", args=[member.handle])).content.decode()
    assert "/block/" not in html


def test_blocking_oneself_from_a_page_is_a_message_not_an_error(client, member):
    client.force_login(member)
    response = client.post(reverse("moderation:block", args=[member.handle]))
    assert response.status_code in (302, 303)
    assert not Block.objects.exists()


def test_the_api_lists_creates_and_deletes_blocks(member, troll, public_community):
    api = ApiClient(make_token(member))
    created = api.post("/me/blocks", {"handle": troll.handle})
    assert created.status_code == 201
    assert created.json()["user"]["handle"] == troll.handle
    assert [b["user"]["handle"] for b in api.get("/me/blocks").json()["items"]] == [troll.handle]
    assert api.delete(f"/me/blocks/{troll.handle}").status_code == 204
    assert api.get("/me/blocks").json()["items"] == []


def test_the_api_refuses_bad_blocks_with_problems(member):
    api = ApiClient(make_token(member))
    assert api.post("/me/blocks", {"handle": member.handle}).status_code == 422
    assert api.post("/me/blocks", {"handle": "nobody_here"}).status_code == 404
    assert api.post("/me/blocks", {"handle": ""}).status_code == 422
    assert api.post("/me/blocks", {"handle": 5}).status_code == 422
    assert not Block.objects.exists()


def test_a_hosts_sanction_still_reaches_a_member_who_blocked_them(
    public_community, member, moderator, django_capture_on_commit_callbacks
):
    from cerchia.moderation.actions.sanctions import sanction_member

    block_member(member, moderator)
    with django_capture_on_commit_callbacks(execute=True):
        sanction_member(moderator, public_community, member, "warning", "Be kind")
    assert Notification.objects.filter(recipient=member).exists()
