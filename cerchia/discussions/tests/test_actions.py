"""Every discussions action: what it writes, records, sends after commit, and refuses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from cerchia.accounts.models import Interest
from cerchia.communities.models import Role, Visibility
from cerchia.core import testing
from cerchia.core.errors import ActionRefused
from cerchia.core.testing import event_kinds
from cerchia.discussions import actions, queries
from cerchia.discussions.models import (
    Bookmark,
    NotificationLevel,
    Post,
    PostRevision,
    Reaction,
    ReadState,
    Topic,
    TopicKind,
)
from cerchia.discussions.permissions import visible_topics
from cerchia.discussions.tests.capture import record_sent
from cerchia.insights.models import Event

pytestmark = pytest.mark.django_db

#: Signed out; actions take a User, but must refuse whoever calls them.
ANONYMOUS: Any = AnonymousUser()


def reload(topic: Topic) -> Topic:
    return Topic.objects.get(pk=topic.pk)


def suspend(user):
    user.suspended_at = timezone.now()
    user.save(update_fields=["suspended_at"])
    return user


@pytest.fixture
def topic(public_community, member):
    return testing.make_topic(public_community, member, title="Grinder advice", body="Which one?")


@pytest.fixture
def question(public_community, member):
    return testing.make_topic(
        public_community, member, title="Why sour?", body="My shots are sour.", kind="question"
    )


# --- create_topic ----------------------------------------------------------------------------


def test_create_topic_writes_topic_opening_post_and_event(public_community, member):
    topic = actions.create_topic(
        member, public_community, title="  Grinder   advice ", body="Which **one**?"
    )
    topic = reload(topic)
    assert topic.title == "Grinder advice"
    assert (topic.author, topic.kind, topic.community) == (member, "discussion", public_community)
    assert (topic.reply_count, topic.last_post_number, topic.last_poster) == (0, 1, member)
    assert topic.participant_ids == [member.pk]
    opening = Post.objects.get(topic=topic)
    assert (opening.number, opening.author, opening.community) == (1, member, public_community)
    assert "<strong>one</strong>" in opening.body_html
    assert event_kinds() == ["topic.created"]
    event = Event.objects.get()
    assert (event.actor, event.community, event.subject_id) == (member, public_community, topic.pk)
    assert event.payload == {
        "topic_id": topic.pk,
        "post_id": opening.pk,
        "topic_kind": "discussion",
    }


def test_create_topic_marks_the_opening_post_read_for_its_author(public_community, member):
    topic = actions.create_topic(member, public_community, title="Hello", body="Hi")
    assert ReadState.objects.get(user=member, topic=topic).last_read_number == 1


def test_create_topic_with_tags_from_the_community_set(public_community, member):
    public_community.interests.add(
        Interest.objects.create(slug="espresso", name="Espresso"),
        Interest.objects.create(slug="grinders", name="Grinders"),
    )
    topic = actions.create_topic(
        member, public_community, title="Tags", body="Body", tags="Grinders, espresso"
    )
    assert sorted(topic.tags.values_list("slug", flat=True)) == ["espresso", "grinders"]


def test_create_topic_refuses_tags_outside_the_community_set(public_community, member):
    Interest.objects.create(slug="tea", name="Tea")  # exists, but not this community's
    with pytest.raises(ValidationError) as error:
        actions.create_topic(member, public_community, title="Tags", body="Body", tags="tea")
    assert "tags" in error.value.message_dict
    assert not Topic.objects.exists()


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("", "Body", "title"),
        ("  a ", "Body", "title"),
        ("x" * 201, "Body", "title"),
        ("A title", "", "body"),
        ("A title", "   \n ", "body"),
        ("A title", "x" * 50_001, "body"),
    ],
)
def test_create_topic_refuses_bad_fields(public_community, member, title, body, field):
    with pytest.raises(ValidationError) as error:
        actions.create_topic(member, public_community, title=title, body=body)
    assert field in error.value.message_dict
    assert not Topic.objects.exists()
    assert not Post.objects.exists()
    assert event_kinds() == []


def test_nul_characters_are_refused_on_every_database(topic, public_community, member):
    cases: tuple[tuple[dict[str, Any], str], ...] = (
        ({"title": "Bad\x00title", "body": "Body"}, "title"),
        ({"title": "Title", "body": "Bad\x00body"}, "body"),
        ({"title": "Title", "body": "Body", "idempotency_key": "k\x00"}, "idempotency_key"),
    )
    for fields, name in cases:
        with pytest.raises(ValidationError) as error:
            actions.create_topic(member, public_community, **fields)
        assert name in error.value.message_dict
    with pytest.raises(ValidationError):
        actions.create_reply(member, topic, body="\x00")
    with pytest.raises(ValidationError):
        actions.edit_post(member, Post.objects.get(topic=topic, number=1), body="a\x00")
    assert Post.objects.count() == 1


def test_create_topic_refuses_unknown_kind_and_long_idempotency_key(public_community, member):
    with pytest.raises(ValidationError) as error:
        actions.create_topic(member, public_community, title="Title", body="B", kind="poll")
    assert "kind" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.create_topic(
            member, public_community, title="Title", body="B", idempotency_key="k" * 81
        )
    assert "idempotency_key" in error.value.message_dict


def test_announcements_are_for_hosts(public_community, member, moderator, owner):
    with pytest.raises(PermissionDenied):
        actions.create_topic(
            member, public_community, title="News", body="Hear ye", kind=TopicKind.ANNOUNCEMENT
        )
    for host in (moderator, owner):
        topic = actions.create_topic(
            host, public_community, title="News", body="Hear ye", kind=TopicKind.ANNOUNCEMENT
        )
        assert topic.kind == TopicKind.ANNOUNCEMENT


def test_create_topic_refusals(public_community, private_community, hidden_community, stranger):
    # A public community: seen but not joined.
    with pytest.raises(PermissionDenied):
        actions.create_topic(stranger, public_community, title="Hello", body="Hi")
    with pytest.raises(PermissionDenied):
        actions.create_topic(ANONYMOUS, public_community, title="Hello", body="Hi")
    # Private and hidden: content does not exist for outsiders.
    for community in (private_community, hidden_community):
        for actor in (stranger, ANONYMOUS):
            with pytest.raises(Http404):
                actions.create_topic(actor, community, title="Hello", body="Hi")
    assert not Topic.objects.exists()


def test_suspended_member_cannot_write(public_community, private_community, member, topic):
    suspend(member)
    with pytest.raises(PermissionDenied):
        actions.create_topic(member, public_community, title="Hello", body="Hi")
    with pytest.raises(PermissionDenied):
        actions.create_reply(member, topic, body="Hi")
    with pytest.raises(Http404):  # a suspended account reads no private content
        actions.create_topic(member, private_community, title="Hello", body="Hi")


def test_create_topic_in_private_community_by_member(private_community, member):
    topic = actions.create_topic(member, private_community, title="Hello", body="Hi")
    assert topic.community == private_community


# --- create_reply ------------------------------------------------------------------------------


def test_create_reply_numbers_and_counters(topic, member, moderator, owner):
    first = actions.create_reply(moderator, topic, body="One")
    second = actions.create_reply(owner, topic, body="Two")
    third = actions.create_reply(moderator, topic, body="Three")
    assert [first.number, second.number, third.number] == [2, 3, 4]
    fresh = reload(topic)
    assert fresh.reply_count == 3
    assert fresh.last_post_number == 4
    assert fresh.last_poster == moderator
    assert fresh.last_posted_at == third.created_at
    # Newest first, each person once.
    assert fresh.participant_ids == [moderator.pk, owner.pk, member.pk]
    # The in-memory topic follows too.
    assert (topic.reply_count, topic.last_post_number) == (3, 4)
    assert event_kinds() == ["topic.created", "post.created", "post.created", "post.created"]
    event = Event.objects.filter(kind="post.created").latest("id")
    assert event.payload["number"] == 4
    assert event.payload["topic_author_id"] == topic.author_id


def test_participants_are_capped(topic):
    community = topic.community
    people = [testing.make_user() for _ in range(7)]
    for person in people:
        testing.add_member(community, person)
        actions.create_reply(person, topic, body="Me too")
    assert reload(topic).participant_ids == [person.pk for person in reversed(people)][:5]


def test_reply_to_and_quote_must_be_in_the_topic(topic, public_community, moderator, owner):
    other = testing.make_topic(public_community, owner)
    elsewhere = Post.objects.get(topic=other, number=1)
    opening = Post.objects.get(topic=topic, number=1)
    reply = actions.create_reply(moderator, topic, body="Yes", reply_to=opening, quoted=opening)
    assert (reply.reply_to, reply.quoted) == (opening, opening)
    with pytest.raises(ValidationError) as error:
        actions.create_reply(moderator, topic, body="No", reply_to=elsewhere)
    assert "reply_to" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.create_reply(moderator, topic, body="No", quoted=elsewhere)
    assert "quoted" in error.value.message_dict


def test_create_reply_refusals(topic, stranger):
    with pytest.raises(PermissionDenied):
        actions.create_reply(stranger, topic, body="Hi")
    with pytest.raises(PermissionDenied):
        actions.create_reply(ANONYMOUS, topic, body="Hi")
    with pytest.raises(ValidationError):
        actions.create_reply(topic.author, topic, body=" ")
    assert reload(topic).reply_count == 0


def test_reply_in_private_topic_is_404_for_outsiders(private_community, member, stranger):
    topic = testing.make_topic(private_community, member)
    for actor in (stranger, ANONYMOUS):
        with pytest.raises(Http404):
            actions.create_reply(actor, topic, body="Hi")


def test_locked_topic_refuses_member_replies_edits_and_reactions(topic, member, moderator):
    reply = actions.create_reply(member, topic, body="Before the lock")
    actions.lock_topic(moderator, topic)
    assert event_kinds()[-1] == "topic.locked"
    with pytest.raises(PermissionDenied):
        actions.create_reply(member, topic, body="After")
    with pytest.raises(PermissionDenied):
        actions.edit_post(member, reply, body="Changed")
    with pytest.raises(PermissionDenied):
        actions.add_reaction(member, reply, "heart")
    with pytest.raises(PermissionDenied):
        actions.delete_post(member, reply)
    # Hosts still can.
    assert actions.create_reply(moderator, topic, body="Locked for now").number == 3
    actions.lock_topic(moderator, topic, locked=False)
    assert event_kinds()[-1] == "topic.unlocked"
    assert actions.create_reply(member, topic, body="After").number == 4


def test_closed_topic_refuses_replies_but_keeps_reactions(topic, member, moderator):
    actions.close_topic(moderator, topic)
    assert reload(topic).closed_at is not None
    assert event_kinds()[-1] == "topic.closed"
    with pytest.raises(PermissionDenied):
        actions.create_reply(member, topic, body="After")
    opening = Post.objects.get(topic=topic, number=1)
    assert actions.add_reaction(moderator, opening, "heart")
    assert actions.create_reply(moderator, topic, body="Closing note").number == 2
    actions.close_topic(moderator, topic, closed=False)
    assert event_kinds()[-1] == "topic.reopened"
    assert actions.create_reply(member, topic, body="Open again").number == 3


def test_reply_to_deleted_topic_is_404(topic, member, moderator):
    actions.delete_post(member, Post.objects.get(topic=topic, number=1))
    with pytest.raises(Http404):
        actions.create_reply(member, reload(topic), body="Hello?")
    # A stale copy of the topic (loaded before the delete) is refused inside the transaction.
    with pytest.raises(ActionRefused) as error:
        actions.create_reply(moderator, topic, body="Hello?")
    assert error.value.status == 404
    assert Post.objects.filter(topic=topic).count() == 1


# --- moderation: pin, move --------------------------------------------------------------------


def test_pin_is_for_hosts(topic, member, moderator):
    with pytest.raises(PermissionDenied):
        actions.pin_topic(member, topic)
    actions.pin_topic(moderator, topic)
    assert reload(topic).is_pinned
    actions.pin_topic(moderator, topic)  # already pinned: nothing new
    assert event_kinds().count("topic.pinned") == 1
    actions.pin_topic(moderator, topic, pinned=False)
    assert not reload(topic).is_pinned
    assert event_kinds()[-1] == "topic.unpinned"


def test_lock_and_close_are_for_hosts(topic, member, stranger):
    for actor in (member, stranger):
        with pytest.raises(PermissionDenied):
            actions.lock_topic(actor, topic)
        with pytest.raises(PermissionDenied):
            actions.close_topic(actor, topic)
    assert reload(topic).locked_at is None


def test_move_topic_to_a_community_the_host_runs(topic, public_community, owner, moderator):
    target = testing.make_community(owner, visibility=Visibility.PRIVATE)
    grinders = Interest.objects.create(slug="grinders", name="Grinders")
    tea = Interest.objects.create(slug="tea", name="Tea")
    public_community.interests.add(grinders, tea)
    target.interests.add(grinders)
    topic.tags.set([grinders, tea])
    reply = actions.create_reply(moderator, topic, body="A reply")
    actions.pin_topic(owner, topic)
    actions.move_topic(owner, topic, target)
    fresh = reload(topic)
    assert fresh.community == target
    assert not fresh.is_pinned
    assert list(fresh.tags.values_list("slug", flat=True)) == ["grinders"]
    assert set(Post.objects.filter(topic=topic).values_list("community_id", flat=True)) == {
        target.pk
    }
    assert Post.objects.get(pk=reply.pk).community == target
    kinds = event_kinds()
    assert kinds[-2:] == ["topic.moved", "topic.moved_out"]
    moved = Event.objects.get(kind="topic.moved")
    assert (moved.community, moved.payload["from_community_id"]) == (target, public_community.pk)


def test_move_topic_keeps_topic_notification_levels(topic, member, owner):
    target = testing.make_community(owner)
    testing.add_member(target, member)
    actions.set_topic_notification_level(member, topic, NotificationLevel.MUTED)
    actions.move_topic(owner, topic, target)
    assert queries.topic_notification_level(member, reload(topic)) == NotificationLevel.MUTED


def test_move_topic_refusals(topic, public_community, moderator, member, owner, stranger):
    not_hosted = testing.make_community(stranger)
    testing.add_member(not_hosted, moderator)  # a plain member there
    with pytest.raises(PermissionDenied):
        actions.move_topic(moderator, topic, not_hosted)
    with pytest.raises(PermissionDenied):
        actions.move_topic(moderator, topic, public_community)  # already there
    own = testing.make_community(member)
    with pytest.raises(PermissionDenied):
        actions.move_topic(member, topic, own)  # hosts the target, not the source
    assert reload(topic).community == public_community
    assert "topic.moved" not in event_kinds()


# --- accepted answers --------------------------------------------------------------------------


def test_accept_answer_by_the_asker_and_by_a_host(question, member, moderator, owner):
    first = actions.create_reply(moderator, question, body="Grind finer")
    second = actions.create_reply(owner, question, body="Hotter water")
    actions.accept_answer(member, question, first)
    assert reload(question).accepted_answer == first
    event = Event.objects.get(kind="answer.accepted")
    assert event.payload["answer_author_id"] == moderator.pk
    assert event.payload["replaced_post_id"] is None
    actions.accept_answer(owner, question, second)  # a host replaces it
    assert reload(question).accepted_answer == second
    assert Event.objects.filter(kind="answer.accepted").latest("id").payload[
        "replaced_post_id"
    ] == (first.pk)
    actions.unaccept_answer(member, question)
    assert reload(question).accepted_answer is None
    assert event_kinds()[-1] == "answer.unaccepted"


def test_accept_answer_refusals(question, topic, public_community, member, moderator, stranger):
    reply = actions.create_reply(moderator, question, body="Grind finer")
    other_member = testing.make_user()
    testing.add_member(public_community, other_member)
    opening = Post.objects.get(topic=question, number=1)
    discussion_reply = actions.create_reply(moderator, topic, body="Reply")
    with pytest.raises(PermissionDenied):  # not the asker
        actions.accept_answer(other_member, question, reply)
    with pytest.raises(PermissionDenied):
        actions.accept_answer(stranger, question, reply)
    with pytest.raises(PermissionDenied):
        actions.accept_answer(ANONYMOUS, question, reply)
    with pytest.raises(PermissionDenied):  # the opening post is the question itself
        actions.accept_answer(member, question, opening)
    with pytest.raises(PermissionDenied):  # not a question
        actions.accept_answer(member, topic, discussion_reply)
    with pytest.raises(PermissionDenied):  # a reply from another topic
        actions.accept_answer(member, question, discussion_reply)
    actions.delete_post(moderator, reply)
    reply.refresh_from_db()
    with pytest.raises(PermissionDenied):  # a deleted reply
        actions.accept_answer(moderator, question, reply)
    assert reload(question).accepted_answer is None
    assert "answer.accepted" not in event_kinds()


def test_deleting_the_accepted_answer_unaccepts_it(question, member, moderator):
    reply = actions.create_reply(moderator, question, body="Grind finer")
    actions.accept_answer(member, question, reply)
    actions.delete_post(moderator, reply)
    assert reload(question).accepted_answer is None


# --- edit, history ------------------------------------------------------------------------------


def test_edit_post_keeps_history(topic, member, moderator, owner, stranger):
    opening = Post.objects.get(topic=topic, number=1)
    actions.edit_post(member, opening, body="Which grinder?", title="Grinder advice, please")
    actions.edit_post(moderator, opening, body="Which grinder, under 200?")
    opening.refresh_from_db()
    assert opening.body == "Which grinder, under 200?"
    assert opening.edit_count == 2
    assert opening.edited_at is not None
    assert reload(topic).title == "Grinder advice, please"
    revisions = list(PostRevision.objects.filter(post=opening))
    assert [(r.number, r.title, r.body, r.edited_by) for r in revisions] == [
        (1, "Grinder advice", "Which one?", member),
        (2, "Grinder advice, please", "Which grinder?", moderator),
    ]
    assert event_kinds().count("post.edited") == 2
    assert Event.objects.filter(kind="post.edited").earliest("id").payload["by_author"] is True
    for reader in (member, moderator, owner):
        assert len(queries.list_post_history(reader, opening)) == 2
    with pytest.raises(PermissionDenied):
        queries.list_post_history(stranger, opening)


def test_edit_without_change_writes_nothing(topic, member):
    opening = Post.objects.get(topic=topic, number=1)
    actions.edit_post(member, opening, body="Which one?")
    assert not PostRevision.objects.exists()
    assert "post.edited" not in event_kinds()


def test_edit_refusals(topic, public_community, member, moderator, stranger):
    reply = actions.create_reply(moderator, topic, body="Mine")
    other = testing.make_user()
    testing.add_member(public_community, other)
    for actor in (other, stranger, ANONYMOUS):
        with pytest.raises(PermissionDenied):
            actions.edit_post(actor, reply, body="Yours now")
    with pytest.raises(ValidationError):
        actions.edit_post(moderator, reply, body="")
    opening = Post.objects.get(topic=topic, number=1)
    with pytest.raises(ValidationError) as error:
        actions.edit_post(member, opening, body="Fine", title="")
    assert "title" in error.value.message_dict
    assert not PostRevision.objects.exists()


def test_editing_a_reply_ignores_title(topic, moderator):
    reply = actions.create_reply(moderator, topic, body="Mine")
    actions.edit_post(moderator, reply, body="Changed", title="Hijacked")
    assert reload(topic).title == "Grinder advice"
    assert PostRevision.objects.get(post=reply).title == ""


# --- delete, restore --------------------------------------------------------------------------


def test_delete_reply_updates_counters(topic, member, moderator, owner):
    first = actions.create_reply(moderator, topic, body="One")
    second = actions.create_reply(owner, topic, body="Two")
    actions.delete_post(owner, second)
    fresh = reload(topic)
    assert (fresh.reply_count, fresh.last_poster, fresh.last_posted_at) == (
        1,
        moderator,
        first.created_at,
    )
    assert fresh.last_post_number == 3  # numbers are never reused
    second.refresh_from_db()
    assert second.deleted_at is not None
    assert second.deleted_by == owner
    assert event_kinds()[-1] == "post.deleted"
    assert actions.create_reply(member, topic, body="Three").number == 4
    actions.restore_post(moderator, second)
    fresh = reload(topic)
    assert fresh.reply_count == 3
    assert event_kinds()[-1] == "post.restored"


def test_deleting_the_opening_post_deletes_the_topic(topic, public_community, member, owner):
    opening = Post.objects.get(topic=topic, number=1)
    actions.delete_post(member, opening)
    assert reload(topic).deleted_at is not None
    assert event_kinds()[-1] == "topic.deleted"
    fresh_community = type(public_community).objects.get(pk=public_community.pk)
    with pytest.raises(Http404):
        queries.get_topic(member, fresh_community, topic.pk)
    with pytest.raises(Http404):
        queries.get_post(ANONYMOUS, opening.pk)
    assert not visible_topics(member, Topic.objects.all()).exists()
    assert queries.list_topics(member, fresh_community)[0] == []
    # Hosts still see it, and can bring it back.
    assert queries.get_topic(owner, fresh_community, topic.pk).pk == topic.pk
    actions.restore_post(owner, Post.objects.get(pk=opening.pk))
    assert reload(topic).deleted_at is None
    fresh_community = type(public_community).objects.get(pk=public_community.pk)
    assert queries.get_topic(member, fresh_community, topic.pk).pk == topic.pk


def test_delete_and_restore_refusals(topic, public_community, member, moderator, stranger):
    reply = actions.create_reply(moderator, topic, body="Mine")
    other = testing.make_user()
    testing.add_member(public_community, other)
    for actor in (other, stranger, ANONYMOUS):
        with pytest.raises(PermissionDenied):
            actions.delete_post(actor, reply)
    actions.delete_post(moderator, reply)
    reply.refresh_from_db()
    with pytest.raises((PermissionDenied, Http404)):
        actions.delete_post(moderator, reply)  # already deleted
    with pytest.raises((PermissionDenied, Http404)):
        actions.restore_post(member, reply)  # only hosts restore
    live = actions.create_reply(moderator, topic, body="Alive")
    with pytest.raises(PermissionDenied):
        actions.restore_post(moderator, live)


# --- reactions ----------------------------------------------------------------------------


def test_reactions_keep_counts(topic, member, moderator, owner):
    opening = Post.objects.get(topic=topic, number=1)
    assert actions.add_reaction(moderator, opening, "heart")
    assert not actions.add_reaction(moderator, opening, "heart")  # one per kind per member
    assert actions.add_reaction(owner, opening, "heart")
    assert actions.add_reaction(owner, opening, "thumbs_up")
    opening.refresh_from_db()
    assert opening.reaction_counts == {"thumbs_up": 1, "heart": 2}
    assert event_kinds().count("reaction.added") == 3
    assert [r.user for r in queries.list_reactors(member, opening, "heart")] == [moderator, owner]
    assert actions.remove_reaction(owner, opening, "heart")
    assert not actions.remove_reaction(owner, opening, "heart")
    opening.refresh_from_db()
    assert opening.reaction_counts == {"thumbs_up": 1, "heart": 1}
    assert event_kinds()[-1] == "reaction.removed"


def test_reaction_refusals(topic, stranger, member):
    opening = Post.objects.get(topic=topic, number=1)
    with pytest.raises(ValidationError) as error:
        actions.add_reaction(member, opening, "thumbs_down")
    assert "kind" in error.value.message_dict
    for actor in (stranger, ANONYMOUS):
        with pytest.raises(PermissionDenied):
            actions.add_reaction(actor, opening, "heart")
    assert not Reaction.objects.exists()


# --- bookmarks -----------------------------------------------------------------------------


def test_bookmarks(topic, private_community, member, stranger):
    opening = Post.objects.get(topic=topic, number=1)
    bookmark = actions.add_bookmark(stranger, opening)  # readable, so bookmarkable
    assert actions.add_bookmark(stranger, opening) == bookmark
    assert event_kinds().count("bookmark.added") == 1
    assert [b.post for b in queries.list_bookmarks(stranger).items] == [opening]
    actions.remove_bookmark(stranger, opening)
    assert not Bookmark.objects.exists()
    assert event_kinds()[-1] == "bookmark.removed"
    with pytest.raises(PermissionDenied):
        actions.add_bookmark(ANONYMOUS, opening)
    secret = testing.make_topic(private_community, member)
    with pytest.raises(Http404):
        actions.add_bookmark(stranger, Post.objects.get(topic=secret, number=1))


def test_bookmarks_of_a_community_one_left_are_hidden(private_community, member, moderator):
    topic = testing.make_topic(private_community, moderator)
    actions.add_bookmark(member, Post.objects.get(topic=topic, number=1))
    assert len(queries.list_bookmarks(member).items) == 1
    from cerchia.communities.actions import leave_community

    leave_community(member, private_community)
    assert queries.list_bookmarks(member).items == []


# --- mentions --------------------------------------------------------------------------


def test_mention_of_a_member_is_linked_and_recorded(topic, public_community, moderator, owner):
    reply = actions.create_reply(moderator, topic, body="Ask @olivia_owner, she knows")
    assert 'class="mention"' in reply.body_html
    assert "/olivia_owner" in reply.body_html
    assert list(reply.mentions.values_list("user_id", flat=True)) == [owner.pk]


def test_mention_of_a_non_member_stays_plain_text(topic, moderator, stranger):
    reply = actions.create_reply(moderator, topic, body="Ask @sam_stranger or @nobody_here")
    assert "<a" not in reply.body_html
    assert "@sam_stranger" in reply.body_html
    assert not reply.mentions.exists()


def test_mention_in_code_is_not_linked_or_recorded(topic, moderator, owner):
    body = (
        "Inline `@olivia_owner`\n\n```\n@olivia_owner\n```\n\n~~~\n@olivia_owner\n~~~\n\n"
        "    @olivia_owner indented\n"
    )
    reply = actions.create_reply(moderator, topic, body=body)
    assert 'class="mention"' not in reply.body_html
    assert not reply.mentions.exists()


def test_mention_of_oneself_is_linked_but_not_recorded(topic, moderator):
    reply = actions.create_reply(moderator, topic, body="I, @marco_mod, agree")
    assert 'class="mention"' in reply.body_html
    assert not reply.mentions.exists()


def test_edit_adds_new_mentions_only_once(topic, moderator, owner, member):
    reply = actions.create_reply(moderator, topic, body="Hello")
    actions.edit_post(moderator, reply, body="Hello @olivia_owner")
    actions.edit_post(moderator, reply, body="Hello @olivia_owner and @mia_member")
    assert sorted(reply.mentions.values_list("user_id", flat=True)) == sorted([owner.pk, member.pk])


# --- read state and unread -----------------------------------------------------------------


def backdate(topic: Topic, when) -> None:
    Topic.objects.filter(pk=topic.pk).update(created_at=when, last_posted_at=when)
    Post.objects.filter(topic=topic).update(created_at=when)
    topic.refresh_from_db()


def rows(actor, community):
    fresh = type(community).objects.get(pk=community.pk)
    return {row.topic.pk: row for row in queries.list_topics(actor, fresh)[0]}


def test_new_member_does_not_see_old_topics_as_unread(topic, public_community, moderator):
    now = timezone.now()
    backdate(topic, now - timedelta(hours=2))
    newcomer = testing.make_user()
    membership = testing.add_member(public_community, newcomer)
    type(membership).objects.filter(pk=membership.pk).update(joined_at=now - timedelta(hours=1))
    assert not rows(newcomer, public_community)[topic.pk].unread
    assert queries.count_unread_by_community(newcomer) == {}
    assert not queries.unread_topics(newcomer, Topic.objects.all()).exists()
    # A reply after they joined makes it unread, everywhere alike.
    actions.create_reply(moderator, topic, body="News")
    assert rows(newcomer, public_community)[topic.pk].unread
    assert queries.count_unread_by_community(newcomer) == {public_community.pk: 1}
    assert list(queries.unread_topics(newcomer, Topic.objects.all())) == [reload(topic)]
    # Reading it clears it.
    assert actions.mark_read(newcomer, reload(topic), 2)
    assert not rows(newcomer, public_community)[topic.pk].unread
    assert queries.count_unread_by_community(newcomer) == {}


def test_new_topic_after_joining_is_unread_until_read(public_community, member, moderator):
    topic = testing.make_topic(public_community, moderator)
    row = rows(member, public_community)[topic.pk]
    assert row.unread
    assert row.is_new
    assert row.unread_count == 1
    assert queries.count_unread_by_community(member) == {public_community.pk: 1}
    actions.mark_read(member, topic, 1)
    assert not rows(member, public_community)[topic.pk].unread
    actions.create_reply(moderator, topic, body="Two")
    actions.create_reply(moderator, topic, body="Three")
    row = rows(member, public_community)[topic.pk]
    assert row.unread
    assert not row.is_new
    assert row.unread_count == 2


def test_own_posts_are_read(public_community, member, moderator):
    topic = testing.make_topic(public_community, member)
    assert not rows(member, public_community)[topic.pk].unread
    actions.create_reply(moderator, topic, body="Two")
    actions.create_reply(member, reload(topic), body="Three")
    assert not rows(member, public_community)[topic.pk].unread
    assert ReadState.objects.get(user=member, topic=topic).last_read_number == 3


def test_mark_read_moves_forward_only(public_community, member, moderator, stranger):
    topic = testing.make_topic(public_community, moderator)
    for _ in range(3):
        actions.create_reply(moderator, topic, body="More")
    assert actions.mark_read(member, topic, 3)
    assert event_kinds()[-1] == "topic.read"
    assert not actions.mark_read(member, topic, 2)
    assert actions.mark_read(member, topic, 999)  # clamped to the last post
    assert ReadState.objects.get(user=member, topic=topic).last_read_number == 4
    assert not actions.mark_read(stranger, topic, 2)  # non-members keep no state
    assert not actions.mark_read(ANONYMOUS, topic, 2)
    assert not ReadState.objects.filter(user=stranger).exists()


def test_mark_all_read(public_community, member, moderator, stranger):
    first = testing.make_topic(public_community, moderator)
    second = testing.make_topic(public_community, moderator)
    assert queries.count_unread_by_community(member) == {public_community.pk: 2}
    actions.mark_all_read(member, public_community)
    assert event_kinds()[-1] == "community.marked_read"
    assert queries.count_unread_by_community(member) == {}
    assert not any(row.unread for row in rows(member, public_community).values())
    # Later activity is unread again.
    Topic.objects.filter(pk=first.pk).update(last_posted_at=timezone.now() + timedelta(seconds=5))
    assert queries.count_unread_by_community(member) == {public_community.pk: 1}
    assert rows(member, public_community)[first.pk].unread
    assert not rows(member, public_community)[second.pk].unread
    with pytest.raises(PermissionDenied):
        actions.mark_all_read(stranger, public_community)


# --- notification levels ---------------------------------------------------------------


def test_notification_levels(topic, public_community, member, stranger):
    assert queries.topic_notification_level(member, topic) == NotificationLevel.TRACKING
    actions.set_community_notification_level(member, public_community, NotificationLevel.WATCHING)
    assert queries.topic_notification_level(member, topic) == NotificationLevel.WATCHING
    assert (
        queries.community_notification_level(member, public_community) == NotificationLevel.WATCHING
    )
    actions.set_topic_notification_level(member, topic, NotificationLevel.MUTED)
    assert queries.topic_notification_level(member, topic) == NotificationLevel.MUTED
    actions.set_topic_notification_level(member, topic, NotificationLevel.TRACKING)
    assert queries.topic_notification_level(member, topic) == NotificationLevel.TRACKING
    assert event_kinds().count("topic.notification_level") == 2
    with pytest.raises(ValidationError):
        actions.set_topic_notification_level(member, topic, "loud")
    with pytest.raises(PermissionDenied):
        actions.set_topic_notification_level(stranger, topic, NotificationLevel.WATCHING)
    with pytest.raises(PermissionDenied):
        actions.set_community_notification_level(
            stranger, public_community, NotificationLevel.WATCHING
        )


def test_notification_level_in_private_community_is_404_for_outsiders(
    private_community, member, stranger
):
    topic = testing.make_topic(private_community, member)
    with pytest.raises(Http404):
        actions.set_topic_notification_level(stranger, topic, NotificationLevel.WATCHING)
    with pytest.raises(Http404):
        actions.set_community_notification_level(
            stranger, private_community, NotificationLevel.WATCHING
        )


# --- side effects after commit ---------------------------------------------------------

EVENT_KEYS = {"type", "community_id", "topic_id", "post_id", "number", "last_post_number", "counts"}


def test_new_reply_sends_live_events_and_notification_after_commit(
    topic, moderator, monkeypatch, django_capture_on_commit_callbacks
):
    sent = record_sent(monkeypatch)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reply = actions.create_reply(moderator, topic, body="Live")
        assert sent.events == []  # nothing before commit
        assert sent.tasks == []
    for callback in callbacks:
        callback()
    assert sent.tasks == [("notify_new_post", (reply.pk,))]
    groups = [group for group, _event in sent.events]
    assert f"topic.{topic.pk}" in groups
    assert f"community.{topic.community_id}" in groups
    for _group, event in sent.events:
        assert set(event) <= EVENT_KEYS  # ids and counts only, never content
    assert sent.events[0][1]["type"] == "post.created"
    assert sent.events[0][1]["post_id"] == reply.pk


def test_other_actions_send_after_commit(
    question, member, moderator, monkeypatch, django_capture_on_commit_callbacks
):
    sent = record_sent(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        reply = actions.create_reply(moderator, question, body="Answer")
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_reaction(member, reply, "thanks")
    assert [name for name, _args in sent.tasks] == ["notify_reaction"]
    assert [event["type"] for _group, event in sent.events] == ["post.reactions"]
    assert sent.events[0][1]["counts"] == {"thanks": 1}
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_reaction(moderator, reply, "heart")  # one's own post: nobody to tell
    assert sent.tasks == []
    with django_capture_on_commit_callbacks(execute=True):
        actions.accept_answer(member, question, reply)
    assert sent.tasks == [("notify_accepted_answer", (reply.pk,))]
    assert "topic.updated" in {event["type"] for _group, event in sent.events}


def test_topic_creation_sends_topic_and_post_events(
    public_community, member, monkeypatch, django_capture_on_commit_callbacks
):
    sent = record_sent(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        topic = actions.create_topic(member, public_community, title="Live", body="Body")
    opening = Post.objects.get(topic=topic)
    assert sent.tasks == [("notify_new_post", (opening.pk,))]
    types = {event["type"] for _group, event in sent.events}
    assert {"topic.created", "post.created"} <= types


def _reply_then_fail(topic: Topic, author) -> None:
    with transaction.atomic():
        actions.create_reply(author, topic, body="Never")
        actions.add_reaction(author, Post.objects.get(topic=topic, number=1), "heart")
        raise RuntimeError("rolled back")


def test_rollback_sends_nothing(topic, moderator, monkeypatch, django_capture_on_commit_callbacks):
    sent = record_sent(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        _reply_then_fail(topic, moderator)
    assert callbacks == []
    assert sent == type(sent)()
    assert not Post.objects.filter(number=2).exists()
    assert "post.created" not in event_kinds()


def test_refused_action_sends_nothing(
    topic, stranger, monkeypatch, django_capture_on_commit_callbacks
):
    sent = record_sent(monkeypatch)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(PermissionDenied),
    ):
        actions.create_reply(stranger, topic, body="No")
    assert callbacks == []
    assert sent == type(sent)()


# --- idempotency (sequential; the concurrent case is in test_idempotency) -----------------


def test_repeated_idempotency_key_returns_the_first_result(topic, public_community, member):
    first = actions.create_topic(
        member, public_community, title="Once", body="Body", idempotency_key="form-1"
    )
    again = actions.create_topic(
        member, public_community, title="Once", body="Body", idempotency_key="form-1"
    )
    assert again.pk == first.pk
    reply = actions.create_reply(member, topic, body="Once", idempotency_key="form-2")
    assert actions.create_reply(member, topic, body="Once", idempotency_key="form-2").pk == reply.pk
    assert Topic.objects.filter(title="Once").count() == 1
    assert Post.objects.filter(topic=topic).count() == 2
    assert event_kinds().count("topic.created") == 2  # the fixture's topic and this one
    # Keys are per author: another member's same key is another post.
    other = testing.make_user()
    testing.add_member(public_community, other, Role.MEMBER)
    assert actions.create_reply(other, topic, body="Mine", idempotency_key="form-2").pk != reply.pk
