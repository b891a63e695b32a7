"""``cerchia demo``: a believable world, loaded through the actions, idempotent."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core import mail
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import timezone

from cerchia.accounts.models import ConsentRecord, Interest, User
from cerchia.communities import actions
from cerchia.communities.models import (
    Community,
    Invitation,
    JoinPolicy,
    JoinRequest,
    Membership,
    Role,
    Visibility,
    WaitlistEntry,
)
from cerchia.core import testing
from cerchia.core.demo.clock import demo_time
from cerchia.core.demo.communities import COMMUNITIES
from cerchia.core.demo.discussions import THREADS
from cerchia.core.demo.loader import (
    ADMIN_EMAIL,
    DEMO_PASSWORD,
    SUGGESTED_LOGINS,
    DemoLoader,
    demo_emails,
    demo_slugs,
)
from cerchia.core.demo.people import PEOPLE
from cerchia.discussions.models import Bookmark, Mention, Post, Reaction, Topic, TopicKind
from cerchia.insights.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(request, tmp_path):
    """Pictures go to a temporary folder (the class-based tests draw none)."""
    if request.instance is not None:
        return None
    settings = request.getfixturevalue("settings")
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out, stderr=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "email_addresses": EmailAddress.objects.count(),
        "interests": Interest.objects.count(),
        "consents": ConsentRecord.objects.count(),
        "communities": Community.objects.count(),
        "memberships": Membership.objects.count(),
        "join_requests": JoinRequest.objects.count(),
        "invitations": Invitation.objects.count(),
        "waitlist": WaitlistEntry.objects.count(),
        "topics": Topic.objects.count(),
        "posts": Post.objects.count(),
        "reactions": Reaction.objects.count(),
        "bookmarks": Bookmark.objects.count(),
        "events": Event.objects.count(),
    }


def demo_communities():
    return Community.objects.filter(slug__in=demo_slugs())


class TestDemoWorld(TestCase):
    """The world as one ``cerchia demo`` run leaves it (loaded once for these tests)."""

    output: str
    counts: dict[str, int]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = run_demo("--no-images")
        cls.counts = counts()

    def test_second_run_changes_nothing(self):
        first_output, first = self.output, self.counts
        second_output = run_demo("--no-images")

        assert counts() == first
        assert first["users"] == len(PEOPLE) + 1  # and the site admin
        assert first["communities"] == len(COMMUNITIES) == 7
        assert first["memberships"] >= 60
        assert "Demo world loaded" in first_output
        assert "nothing to add" in second_output
        assert "0 events recorded" in second_output
        assert "skipped" not in first_output + second_output
        for output in (first_output, second_output):
            assert DEMO_PASSWORD in output
            assert ADMIN_EMAIL in output
            for login in SUGGESTED_LOGINS:
                assert login.email in output

    def test_the_world_has_hosts_members_requests_invitations_and_a_waitlist(self):
        communities = demo_communities()

        for community in communities:
            roles = Counter(community.memberships.values_list("role", flat=True))
            assert roles[Role.OWNER] == 1, community.slug
            assert roles[Role.MODERATOR] >= 1, community.slug
            assert community.member_count == community.memberships.count(), community.slug
            owner = community.memberships.get(role=Role.OWNER).user
            assert community.created_by == owner
            assert community.interests.exists()
            assert community.description_html
            assert community.rules_html

        assert {c.language for c in communities} == {"it", "en"}
        assert Counter(c.visibility for c in communities) == {
            Visibility.PUBLIC: 5,
            Visibility.PRIVATE: 1,
            Visibility.HIDDEN: 1,
        }
        private = communities.get(visibility=Visibility.PRIVATE)
        assert private.join_policy == JoinPolicy.REQUEST
        assert len(private.screening_questions) == 2
        hidden = communities.get(visibility=Visibility.HIDDEN)
        assert hidden.join_policy == JoinPolicy.INVITATION

        capped = communities.get(member_cap__isnull=False)
        assert capped.is_full
        assert WaitlistEntry.objects.filter(community=capped).count() == 1

        pending = JoinRequest.objects.filter(status=JoinRequest.Status.PENDING)
        assert pending.count() == 3
        for join_request in pending:
            questions = join_request.community.screening_questions
            assert [item["question"] for item in join_request.answers] == questions
            assert all(item["answer"] for item in join_request.answers)
        assert JoinRequest.objects.filter(status=JoinRequest.Status.APPROVED).count() == 5
        assert JoinRequest.objects.filter(status=JoinRequest.Status.DECLINED).count() == 1

        usable = [i for i in Invitation.objects.all() if i.is_usable()]
        assert any(i.email for i in usable)
        assert any(not i.email for i in usable)
        # The suggested member really has an invitation waiting for them.
        member_email = next(login.email for login in SUGGESTED_LOGINS if login.role == "member")
        assert any(i.email == member_email for i in usable)

        # People belong to several communities, some to none yet.
        per_user = Counter(Membership.objects.values_list("user__handle", flat=True))
        assert max(per_user.values()) >= 3
        assert sum(1 for n in per_user.values() if n >= 2) >= 10

    def test_hosts_set_up_trust_and_find_work_waiting(self):
        from cerchia.discussions.models import Disclosure
        from cerchia.moderation.models import ContentRule, HeldPost, ModerationSettings, Report

        assert not self.output.count("warning"), self.output
        rovere = Community.objects.get(slug="rovere-riders")
        assert rovere.brand_name == "Rovere Bikes"
        labels = dict(
            Membership.objects.filter(community=rovere)
            .exclude(affiliation="")
            .values_list("user__handle", "affiliation")
        )
        assert labels == {
            "davide_zanon": "brand",
            "silvia_marchetti": "staff",
            "beatrice_mancini": "ambassador",
        }
        gift = Post.objects.select_related("author").get(
            community=rovere, disclosure=Disclosure.GIFT
        )
        assert gift.author is not None
        assert gift.author.handle == "beatrice_mancini"
        espresso = ModerationSettings.objects.get(community__slug="espresso-a-casa")
        assert espresso.welcome_message_html
        assert espresso.introductions_topic is not None
        held = HeldPost.objects.get(status=HeldPost.Status.PENDING)
        assert held.community.slug == "balcony-growers"
        assert held.rule == ContentRule.objects.get(pattern="cheap-seeds.example")
        report = Report.objects.get(status=Report.Status.OPEN)
        assert report.community.slug == "espresso-a-casa"

    def test_every_community_has_discussions_with_consistent_counters(self):
        assert Topic.objects.count() == len(THREADS)
        for community in demo_communities():
            topics = Topic.objects.filter(community=community)
            assert topics.count() >= 2, community.slug
            assert topics.filter(posts__number__gt=1).exists(), community.slug
        for topic in Topic.objects.all():
            numbers = list(topic.posts.order_by("number").values_list("number", flat=True))
            assert numbers == list(range(1, len(numbers) + 1))
            assert topic.last_post_number == len(numbers)
            assert topic.reply_count == len(numbers) - 1
            newest = topic.posts.latest("number")
            assert topic.last_posted_at == newest.created_at
            assert topic.last_poster_id == newest.author_id
            assert topic.participant_ids[0] == newest.author_id
            assert Membership.objects.filter(
                community=topic.community, user_id__in=topic.participant_ids
            ).count() == len(topic.participant_ids)
            created = list(topic.posts.order_by("number").values_list("created_at", flat=True))
            assert created == sorted(created)
            assert topic.created_at == created[0]

        questions = Topic.objects.filter(kind=TopicKind.QUESTION)
        assert questions.count() >= 5
        assert questions.filter(accepted_answer__isnull=False).count() == questions.count()
        for question in questions:
            assert question.accepted_answer is not None
            assert question.accepted_answer.topic_id == question.pk
            assert question.accepted_answer.number > 1
        pinned = Topic.objects.filter(is_pinned=True)
        assert pinned.count() >= 5
        assert Topic.objects.filter(kind=TopicKind.ANNOUNCEMENT).count() >= 5
        assert {c.language for c in Community.objects.filter(topics__isnull=False)} == {"it", "en"}

        for post in Post.objects.exclude(reaction_counts={}):
            kinds = Counter(post.reactions.values_list("kind", flat=True))
            assert post.reaction_counts == dict(kinds)
        assert Reaction.objects.count() >= 50
        assert not Post.objects.filter(reactions__isnull=False, reaction_counts={}).exists()
        for reaction in Reaction.objects.select_related("post"):
            assert Membership.objects.filter(
                community_id=reaction.post.community_id, user=reaction.user
            ).exists()
            assert reaction.post.created_at <= reaction.created_at
        mentions = Mention.objects.select_related("post", "user")
        assert mentions.count() >= 10
        for mention in mentions:
            assert f"@{mention.user.handle}" in mention.post.body
            assert mention.user.handle in mention.post.body_html
        assert Bookmark.objects.count() >= 10
        assert Post.objects.filter(reply_to__isnull=False).exists()
        assert Post.objects.filter(quoted__isnull=False).exists()
        # The suggested member has threads of her own, an accepted answer and bookmarks.
        member = User.objects.get(email=SUGGESTED_LOGINS[2].email)
        assert Topic.objects.filter(author=member, accepted_answer__isnull=False).exists()
        assert Bookmark.objects.filter(user=member).exists()

    def test_demo_content_passes_full_clean(self):
        for model in (
            User, EmailAddress, Interest, ConsentRecord, Community, Membership,
            JoinRequest, Invitation, WaitlistEntry, Topic, Post, Reaction, Bookmark, Mention,
        ):  # fmt: skip
            rows = list(model.objects.all())
            assert rows, model
            for row in rows:
                row.full_clean()

    def test_every_action_left_an_event_and_the_story_is_in_the_past(self):
        now = timezone.now()
        kinds = Counter(Event.objects.values_list("kind", flat=True))
        assert kinds["account.signed_up"] == len(PEOPLE)
        assert kinds["community.created"] == len(COMMUNITIES)
        assert kinds["membership.joined"] == Membership.objects.count() - len(COMMUNITIES)
        assert (
            kinds["membership.role_changed"] == Membership.objects.filter(role="moderator").count()
        )
        assert kinds["join_request.created"] == JoinRequest.objects.count()
        assert kinds["join_request.approved"] == 5
        assert kinds["invitation.created"] == Invitation.objects.count()
        assert kinds["community.waitlisted"] == 1
        assert kinds["topic.created"] == Topic.objects.count()
        assert kinds["post.created"] == Post.objects.filter(number__gt=1).count()
        assert kinds["reaction.added"] == Reaction.objects.count()
        assert kinds["bookmark.added"] == Bookmark.objects.count()
        assert kinds["answer.accepted"] == Topic.objects.exclude(accepted_answer=None).count()

        times = list(Event.objects.values_list("created_at", flat=True))
        assert max(times) < now
        assert max(times) - min(times) > timedelta(days=120)  # a history, not one busy second

        for membership in Membership.objects.select_related("community", "user"):
            assert membership.community.created_at <= membership.joined_at < now
            assert membership.user.date_joined <= membership.joined_at
        for post in Post.objects.select_related("topic"):
            membership = Membership.objects.get(community=post.community, user=post.author)
            assert membership.joined_at <= post.created_at < now
            assert post.community_id == post.topic.community_id
        for event in Event.objects.select_related("actor").exclude(actor=None):
            assert event.actor is not None
            assert event.actor.date_joined <= event.created_at
        for join_request in JoinRequest.objects.exclude(decided_at=None):
            assert join_request.decided_at is not None
            assert join_request.created_at < join_request.decided_at < now

    def test_demo_accounts_sign_in_with_verified_emails(self):
        for email in [*demo_emails(), ADMIN_EMAIL]:
            address = EmailAddress.objects.get(email=email)
            assert address.verified
            assert address.primary
        for email in [login.email for login in SUGGESTED_LOGINS] + [ADMIN_EMAIL]:
            assert authenticate(username=email, password=DEMO_PASSWORD) is not None, email
        admin = User.objects.get(email=ADMIN_EMAIL)
        assert admin.is_staff
        assert admin.is_superuser
        assert not User.objects.filter(is_staff=True).exclude(email=ADMIN_EMAIL).exists()
        owner = User.objects.get(email=SUGGESTED_LOGINS[0].email)
        assert owner.memberships.filter(role=Role.OWNER).exists()
        moderator = User.objects.get(email=SUGGESTED_LOGINS[1].email)
        assert moderator.memberships.filter(role=Role.MODERATOR).exists()

        italians = User.objects.filter(email__in=demo_emails(), language="it")
        assert italians.count() > len(PEOPLE) / 2
        assert all(
            user.bio and user.display_name for user in User.objects.exclude(email=ADMIN_EMAIL)
        )
        assert User.objects.filter(timezone="Europe/Rome").count() > len(PEOPLE) / 2
        assert len(set(User.objects.values_list("profile_visibility", flat=True))) == 3


def test_avatars_and_covers_are_drawn_into_storage():
    run_demo()
    with_avatar = User.objects.exclude(avatar="")
    assert with_avatar.count() == sum(1 for person in PEOPLE if person.avatar)
    names = [user.avatar.name for user in with_avatar]
    names += [community.cover.name for community in demo_communities()]
    assert len(names) == with_avatar.count() + len(COMMUNITIES)
    for name in names:
        assert name
        assert default_storage.exists(name)


def test_what_people_did_since_is_left_alone():
    """A community already at a demo address, and a member who left, are not touched."""
    someone = testing.make_user("someone_else")
    taken = testing.make_community(someone, slug="espresso-a-casa", name="My espresso club")
    run_demo("--no-images")
    taken.refresh_from_db()
    assert taken.name == "My espresso club"
    assert taken.memberships.count() == 1

    trail = Community.objects.get(slug="trail-dolomiti")
    leaver = trail.memberships.filter(role=Role.MEMBER).earliest("joined_at").user
    actions.leave_community(leaver, trail)
    before = counts()
    output = run_demo("--no-images")
    assert counts() == before
    assert not trail.memberships.filter(user=leaver).exists()
    assert "skipped" not in output


def test_join_emails_go_only_to_reserved_example_domains(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_demo("--no-images")
    assert mail.outbox  # join outcomes and invitations, as the actions send them
    for message in mail.outbox:
        for address in message.to:
            assert address.endswith(("@example.org", "@example.com", "@example.net")), address


def test_refuses_a_production_configuration_without_force(settings):
    settings.DEBUG = False
    settings.CERCHIA_DEV_MODE = False
    settings.TESTING = False
    with pytest.raises(CommandError, match="--force"):
        run_demo("--no-images")
    assert not User.objects.exists()

    output = run_demo("--no-images", "--force")
    assert "Demo world loaded" in output
    assert User.objects.filter(email=ADMIN_EMAIL).exists()


def test_plan_errors_are_caught_before_anything_is_written():
    unknown = replace(COMMUNITIES[0], moderators=("nobody_here",))
    with pytest.raises(ValueError, match="unknown people"):
        DemoLoader(communities=[unknown], with_images=False).load()
    stranger_writes = replace(THREADS[0], by="federica_longo")
    with pytest.raises(ValueError, match="without being a member"):
        DemoLoader(threads=[stranger_writes], with_images=False).load()
    member_pins = replace(THREADS[0], pinned_by="elena_conti")
    with pytest.raises(ValueError, match="no host"):
        DemoLoader(threads=[member_pins], with_images=False).load()
    never_joins = replace(COMMUNITIES[4], moderators=("elena_conti",))
    with pytest.raises(ValueError, match="never joins"):
        DemoLoader(communities=[never_joins], with_images=False).load()
    assert not User.objects.exists()


def test_demo_time_sets_the_clock_back_and_always_restores_it():
    moment = timezone.now() - timedelta(days=30)
    seen = []

    def inside() -> None:
        with demo_time(moment):
            seen.append(timezone.now())
            raise RuntimeError

    with pytest.raises(RuntimeError):
        inside()
    assert seen == [moment]
    assert timezone.now() - moment > timedelta(days=29)
    with pytest.raises(ValueError, match="aware"), demo_time(moment.replace(tzinfo=None)):
        pass
