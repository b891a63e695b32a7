"""The sanction ladder: who may sanction whom, what a mute and a ban do, lifting and expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from cerchia.accounts.models import User
from cerchia.communities import actions as community_actions
from cerchia.communities.models import Community, JoinPolicy, Membership, Role, Visibility
from cerchia.core import testing
from cerchia.core.errors import ActionRefused
from cerchia.discussions import actions as discussions
from cerchia.discussions import permissions as discussion_permissions
from cerchia.moderation.actions.reports import report_post
from cerchia.moderation.actions.sanctions import (
    expire_sanctions,
    lift_sanction,
    sanction_member,
    set_sanction_template,
)
from cerchia.moderation.models import LogAction, ModerationLogEntry, Report, Sanction
from cerchia.notifications.models import Notification

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


@pytest.fixture
def topic(public_community, owner):
    return testing.make_topic(public_community, owner, title="Grinders", body="Burrs matter")


def _fresh(community: Community) -> Community:
    return Community.objects.get(pk=community.pk)


def _end(sanction: Sanction) -> None:
    """Let time pass: the sanction's end is now behind us."""
    Sanction.objects.filter(pk=sanction.pk).update(ends_at=timezone.now() - timedelta(minutes=1))


# --- Giving a sanction -----------------------------------------------------------------------


def test_a_host_warns_a_member_who_is_told_and_it_is_logged(
    public_community, moderator, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sanction = sanction_member(
            moderator, public_community, member, "warning", "  Rule 2: be kind  "
        )
    assert sanction.reason == "Rule 2: be kind"
    assert sanction.ends_at is None
    assert "Espresso at home" in sanction.message  # the built-in message names the community
    entry = ModerationLogEntry.objects.get(action=LogAction.SANCTION)
    assert (entry.actor, entry.member, entry.detail, entry.rule) == (
        moderator,
        member,
        "warning",
        "Rule 2: be kind",
    )
    assert "moderation.sanctioned" in testing.event_kinds()
    notification = Notification.objects.get(recipient=member)
    assert notification.kind == "sanction"
    assert notification.data == {"step": "warning"}


def test_the_notification_says_what_happened_and_leads_to_the_standing_page(
    public_community, moderator, member, django_capture_on_commit_callbacks
):
    from cerchia.notifications.queries import notification_row

    with django_capture_on_commit_callbacks(execute=True):
        sanction_member(moderator, public_community, member, "warning", "Rule 2")
    row = notification_row(Notification.objects.get(recipient=member))
    assert row.text == "You received a warning in Espresso at home"
    assert row.url == "/me/sanctions/"


def test_the_communitys_template_is_the_default_message(public_community, owner, member):
    set_sanction_template(owner, public_community, "nudge", "Hey, mind the rules.")
    sanction = sanction_member(owner, public_community, member, "nudge", "Rule 1")
    assert sanction.message == "Hey, mind the rules."
    own = sanction_member(owner, public_community, member, "nudge", "Rule 1", message="Custom")
    assert own.message == "Custom"


def test_an_empty_template_restores_the_built_in_message(public_community, owner, member):
    set_sanction_template(owner, public_community, "nudge", "Hey")
    set_sanction_template(owner, public_community, "nudge", "   ")
    sanction = sanction_member(owner, public_community, member, "nudge", "Rule 1")
    assert sanction.message != "Hey"
    assert sanction.message


def test_the_built_in_message_is_in_the_members_language(public_community, owner, member):
    from django.utils import translation

    User.objects.filter(pk=member.pk).update(language="it")
    member.refresh_from_db()
    with translation.override("it"):
        from cerchia.moderation.actions.sanctions import default_message

        expected = default_message("warning", public_community)
    sanction = sanction_member(owner, public_community, member, "warning", "Rule 1")
    assert sanction.message == expected


def test_templates_are_for_hosts(public_community, member):
    with pytest.raises(PermissionDenied):
        set_sanction_template(member, public_community, "nudge", "Hey")
    with pytest.raises(ValidationError):
        set_sanction_template(public_community.created_by, public_community, "scolding", "Hey")


@pytest.mark.parametrize("who", ["member", "stranger"])
def test_members_and_strangers_may_not_sanction(public_community, request, who, owner):
    actor = request.getfixturevalue(who)
    target = testing.make_user("tina_target")
    testing.add_member(public_community, target)
    with pytest.raises(PermissionDenied):
        sanction_member(actor, public_community, target, "warning", "Rule 1")
    assert not Sanction.objects.exists()


def test_another_communitys_host_may_not_sanction(public_community, member):
    other_host = testing.make_user("oscar_other")
    testing.make_community(other_host, slug="other")
    with pytest.raises(PermissionDenied):
        sanction_member(other_host, public_community, member, "warning", "Rule 1")


def test_a_hidden_community_is_a_404_to_outsiders(hidden_community, member, stranger):
    with pytest.raises(Http404):
        sanction_member(stranger, hidden_community, member, "warning", "Rule 1")


def test_nobody_sanctions_themselves(public_community, moderator):
    with pytest.raises(PermissionDenied):
        sanction_member(moderator, public_community, moderator, "warning", "Rule 1")


def test_a_moderator_may_not_sanction_another_host_but_the_owner_may(
    public_community, owner, moderator
):
    second = testing.make_user("max_mod")
    testing.add_member(public_community, second, Role.MODERATOR)
    with pytest.raises(PermissionDenied):
        sanction_member(moderator, public_community, second, "warning", "Rule 1")
    with pytest.raises(PermissionDenied):
        sanction_member(moderator, public_community, owner, "warning", "Rule 1")
    assert sanction_member(owner, public_community, second, "warning", "Rule 1").pk


def test_nobody_sanctions_the_owner_not_even_a_site_admin(public_community, owner, site_admin):
    with pytest.raises(PermissionDenied):
        sanction_member(site_admin, public_community, owner, "ban", "Rule 1")


def test_a_site_admin_sanctions_anywhere(public_community, site_admin, member):
    assert sanction_member(site_admin, public_community, member, "warning", "Rule 1").pk


def test_only_members_are_sanctioned(public_community, owner, stranger):
    with pytest.raises(ActionRefused) as refused:
        sanction_member(owner, public_community, stranger, "warning", "Rule 1")
    assert refused.value.code == "not_member"


@pytest.mark.parametrize(
    ("kind", "reason", "duration", "field"),
    [
        ("scolding", "Rule 1", None, "kind"),
        ("warning", "   ", None, "reason"),
        ("warning", "x" * 301, None, "reason"),
        ("warning", "bad\x00", None, "reason"),
        ("mute", "Rule 1", None, "duration"),
        ("mute", "Rule 1", timedelta(minutes=30), "duration"),
        ("mute", "Rule 1", timedelta(days=91), "duration"),
        ("ban", "Rule 1", timedelta(days=91), "duration"),
        ("nudge", "Rule 1", HOUR, "duration"),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_written(
    public_community, owner, member, kind, reason, duration, field
):
    with pytest.raises(ValidationError) as error:
        sanction_member(owner, public_community, member, kind, reason, duration=duration)
    assert field in error.value.message_dict
    assert not Sanction.objects.exists()
    assert not ModerationLogEntry.objects.exists()


def test_a_too_long_message_is_refused(public_community, owner, member):
    with pytest.raises(ValidationError) as error:
        sanction_member(owner, public_community, member, "warning", "Rule 1", message="x" * 5001)
    assert "message" in error.value.message_dict


# --- Mutes ----------------------------------------------------------------------------------


def test_a_mute_stops_posting_replying_editing_and_reacting_until_it_ends(
    public_community, owner, member, topic
):
    own_post = testing.make_reply(topic, member, body="Before the mute")
    sanction = sanction_member(owner, public_community, member, "mute", "Rule 3", duration=HOUR)
    assert sanction.ends_at is not None
    community = _fresh(public_community)
    topic.community = community
    own_post.topic = topic
    with pytest.raises(PermissionDenied) as refused:
        discussions.create_topic(member, community, title="Hello", body="Me again")
    assert "muted" in str(refused.value)
    with pytest.raises(PermissionDenied):
        discussions.create_reply(member, topic, body="Still here")
    with pytest.raises(PermissionDenied):
        discussions.add_reaction(member, own_post, "heart")
    with pytest.raises(PermissionDenied):
        discussions.edit_post(member, own_post, body="Changed")
    assert not discussion_permissions.can_reply(member, topic)

    _end(sanction)
    community = _fresh(public_community)
    topic.community = community
    assert testing.make_reply(topic, member, body="Back again").pk


def test_a_mute_does_not_reach_other_communities(public_community, owner, member):
    elsewhere = testing.make_community(owner, slug="elsewhere")
    testing.add_member(elsewhere, member)
    sanction_member(owner, public_community, member, "mute", "Rule 3", duration=HOUR)
    assert testing.make_topic(_fresh(elsewhere), member, title="Over here").pk


def test_a_lifted_mute_frees_the_member_at_once(public_community, owner, member, topic):
    sanction = sanction_member(owner, public_community, member, "mute", "Rule 3", duration=HOUR)
    lift_sanction(owner, sanction, "Talked it through")
    topic.community = _fresh(public_community)
    assert testing.make_reply(topic, member).pk
    entry = ModerationLogEntry.objects.get(action=LogAction.SANCTION_LIFTED)
    assert (entry.actor, entry.note) == (owner, "Talked it through")


def test_a_sanction_is_lifted_once(public_community, owner, member):
    sanction = sanction_member(owner, public_community, member, "mute", "Rule 3", duration=HOUR)
    lift_sanction(owner, sanction)
    with pytest.raises(ActionRefused):
        lift_sanction(owner, Sanction.objects.get(pk=sanction.pk))


def test_an_ended_sanction_cannot_be_lifted(public_community, owner, member):
    sanction = sanction_member(owner, public_community, member, "mute", "Rule 3", duration=HOUR)
    _end(sanction)
    with pytest.raises(ActionRefused) as refused:
        lift_sanction(owner, Sanction.objects.get(pk=sanction.pk))
    assert refused.value.code == "already_ended"


def test_only_hosts_lift(public_community, owner, member):
    sanction = sanction_member(owner, public_community, member, "warning", "Rule 3")
    with pytest.raises(PermissionDenied):
        lift_sanction(member, sanction)


# --- Bans ----------------------------------------------------------------------------------


def test_a_ban_ends_the_membership_and_keeps_the_count(public_community, owner, member):
    before = _fresh(public_community).member_count
    sanction_member(owner, public_community, member, "ban", "Rule 4")
    assert not Membership.objects.filter(community=public_community, user=member).exists()
    community = _fresh(public_community)
    assert community.member_count == before - 1
    assert community.member_count == Membership.objects.filter(community=community).count()


def test_a_banned_member_cannot_join_again_until_the_ban_ends(public_community, owner, member):
    sanction = sanction_member(owner, public_community, member, "ban", "Rule 4", duration=HOUR)
    with pytest.raises(PermissionDenied) as refused:
        community_actions.join_community(member, _fresh(public_community), accept_rules=True)
    assert "banned" in str(refused.value)
    _end(sanction)
    outcome = community_actions.join_community(member, _fresh(public_community), accept_rules=True)
    assert outcome.status == "joined"


def test_a_permanent_ban_refuses_requests_and_invitations(owner, member):
    community = testing.make_community(
        owner, slug="asks", visibility=Visibility.PRIVATE, join_policy=JoinPolicy.REQUEST
    )
    testing.add_member(community, member)
    sanction_member(owner, community, member, "ban", "Rule 4")
    with pytest.raises(PermissionDenied) as refused:
        community_actions.request_to_join(member, _fresh(community), answers=[], accept_rules=True)
    assert str(refused.value) == "You are banned from this community."
    invitation = testing.make_invitation(community)
    with pytest.raises(PermissionDenied):
        community_actions.accept_invitation(member, invitation, accept_rules=True)
    assert not Membership.objects.filter(community=community, user=member).exists()


def test_a_lifted_ban_lets_the_member_back(public_community, owner, member):
    sanction = sanction_member(owner, public_community, member, "ban", "Rule 4")
    lift_sanction(owner, sanction)
    outcome = community_actions.join_community(member, _fresh(public_community), accept_rules=True)
    assert outcome.status == "joined"


# --- Expiry --------------------------------------------------------------------------------


def test_expiry_is_recorded_once(public_community, owner, member):
    mute = sanction_member(owner, public_community, member, "mute", "Rule 3", duration=HOUR)
    running = sanction_member(owner, public_community, member, "mute", "Rule 3", duration=HOUR)
    warning = sanction_member(owner, public_community, member, "warning", "Rule 3")
    _end(mute)
    assert expire_sanctions() == 1
    assert expire_sanctions() == 0
    entry = ModerationLogEntry.objects.get(action=LogAction.SANCTION_LIFTED)
    assert (entry.actor, entry.member, entry.note) == (None, member, "expired")
    assert testing.event_kinds().count("moderation.sanction_expired") == 1
    assert Sanction.objects.get(pk=running.pk).lifted_at is None
    assert Sanction.objects.get(pk=warning.pk).lifted_at is None


def test_the_periodic_task_runs_expiry(public_community, owner, member):
    from cerchia.moderation.tasks import expire_sanctions as task

    mute = sanction_member(owner, public_community, member, "mute", "Rule 3", duration=HOUR)
    _end(mute)
    assert task.call() == 1


# --- Reports ------------------------------------------------------------------------------


def test_a_sanction_answering_a_report_closes_it(public_community, owner, member, topic):
    post = testing.make_reply(topic, member, body="Spam spam")
    reporter = testing.make_user("rita_reporter")
    testing.add_member(public_community, reporter)
    report = report_post(reporter, post, reason="spam")
    sanction = sanction_member(owner, public_community, member, "warning", "Spam", report=report)
    report.refresh_from_db()
    assert (report.status, report.resolution, report.handled_by) == ("handled", "sanctioned", owner)
    assert sanction.report == report


def test_a_report_about_someone_else_is_refused(public_community, owner, member, moderator, topic):
    post = testing.make_reply(topic, moderator, body="Fine post")
    report = report_post(member, post, reason="spam")
    other = testing.make_user("otto")
    testing.add_member(public_community, other)
    with pytest.raises(ValidationError) as error:
        sanction_member(owner, public_community, other, "warning", "Spam", report=report)
    assert "report" in error.value.message_dict
    assert Report.objects.get(pk=report.pk).status == "open"


# --- Site suspension ----------------------------------------------------------------------


def test_a_suspended_account_cannot_post_react_or_report_anywhere(public_community, owner, topic):
    from cerchia.accounts.actions import suspend_account

    site_admin = testing.make_user("ada", is_staff=True, is_superuser=True)
    spammer = testing.make_user("sid_spammer")
    testing.add_member(public_community, spammer)
    post = testing.make_reply(topic, owner, body="Hello")
    suspend_account(site_admin, spammer, "Spam everywhere")
    spammer.refresh_from_db()
    community = _fresh(public_community)
    topic.community = community
    post.topic = topic
    with pytest.raises(PermissionDenied):
        discussions.create_topic(spammer, community, title="Buy", body="Now")
    with pytest.raises(PermissionDenied):
        discussions.create_reply(spammer, topic, body="Buy now")
    with pytest.raises(PermissionDenied):
        discussions.add_reaction(spammer, post, "heart")
    with pytest.raises(PermissionDenied):
        report_post(spammer, post, reason="spam")
