from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

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
from cerchia.core.testing import event_kinds
from cerchia.insights.models import Event

pytestmark = pytest.mark.django_db


def create(actor, **overrides):
    fields = {
        "name": "Balcony gardens",
        "slug": "balcony",
        "tagline": "Tomatoes on the fourth floor",
        "description": "Grow **food** <script>alert(1)</script>",
        "rules": "Be kind.",
        "language": "en",
        "visibility": Visibility.PUBLIC,
        "join_policy": JoinPolicy.OPEN,
    }
    return actions.create_community(
        actor, interests="Gardening, Urban farming, gardening", **(fields | overrides)
    )


# --- create and update ---------------------------------------------------------


def test_create_community_makes_owner_and_records_event(stranger):
    community = create(stranger)
    assert community.member_count == 1
    assert Membership.objects.get(community=community).role == Role.OWNER
    assert [i.slug for i in community.interests.all()] == ["gardening", "urban-farming"]
    assert "<script>" not in community.description_html
    assert "<strong>food</strong>" in community.description_html
    event = Event.objects.get(kind="community.created")
    assert (event.actor, event.community, event.subject_id) == (stranger, community, community.pk)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"slug": "Bad Slug!"}, "slug"),
        ({"slug": "admin"}, "slug"),
        ({"name": ""}, "name"),
        ({"tagline": "x" * 141}, "tagline"),
        ({"visibility": "secret"}, "visibility"),
        ({"member_cap": 0}, "member_cap"),
        ({"screening_questions": ["q?"] * 6}, "screening_questions"),
        ({"visibility": Visibility.HIDDEN, "join_policy": JoinPolicy.OPEN}, "join_policy"),
    ],
)
def test_create_community_refuses_bad_input(stranger, overrides, field):
    with pytest.raises(ValidationError) as error:
        create(stranger, **overrides)
    assert field in error.value.message_dict
    assert not Community.objects.exists()
    assert not Event.objects.exists()


def test_create_refuses_taken_slug(stranger, public_community):
    with pytest.raises(ValidationError) as error:
        create(stranger, slug=public_community.slug)
    assert "slug" in error.value.message_dict


def test_create_refuses_bad_tags(stranger):
    with pytest.raises(ValidationError) as error:
        actions.create_community(stranger, name="A", slug="abc", tagline="t", interests="x")
    assert "interests" in error.value.message_dict


def test_hidden_community_defaults_to_invitation_only(stranger):
    community = create(stranger, visibility=Visibility.HIDDEN, join_policy=JoinPolicy.INVITATION)
    assert community.join_policy == JoinPolicy.INVITATION


def test_update_community_by_host(public_community, moderator):
    actions.update_community(
        moderator, public_community, tagline="Better espresso", interests="coffee"
    )
    public_community.refresh_from_db()
    assert public_community.tagline == "Better espresso"
    event = Event.objects.get(kind="community.updated")
    assert "tagline" in event.payload["fields"]
    assert "interests" in event.payload["fields"]


def test_update_community_refused_for_member(public_community, member):
    with pytest.raises(PermissionDenied):
        actions.update_community(member, public_community, tagline="Mine now")


# --- join, leave, cap --------------------------------------------------------------


def test_join_open_community(public_community, stranger):
    outcome = actions.join_community(stranger, public_community, accept_rules=True)
    assert outcome.status == "joined"
    public_community.refresh_from_db()
    assert public_community.member_count == 4
    assert event_kinds() == ["membership.joined"]


def test_join_requires_accepting_rules(public_community, stranger):
    with pytest.raises(ValidationError):
        actions.join_community(stranger, public_community, accept_rules=False)
    assert not Membership.objects.filter(user=stranger).exists()


def test_join_refusals(public_community, private_community, hidden_community, stranger, member):
    with pytest.raises(PermissionDenied):
        actions.join_community(member, public_community, accept_rules=True)
    with pytest.raises(PermissionDenied):
        actions.join_community(stranger, private_community, accept_rules=True)
    with pytest.raises(Http404):
        actions.join_community(stranger, hidden_community, accept_rules=True)


def test_full_community_gives_a_waitlist_place(owner, stranger):
    community = testing.make_community(owner, member_cap=1)
    outcome = actions.join_community(stranger, community, accept_rules=True)
    assert outcome.status == "waitlisted"
    assert WaitlistEntry.objects.filter(community=community, user=stranger).exists()
    assert not Membership.objects.filter(community=community, user=stranger).exists()
    community.refresh_from_db()
    assert community.member_count == 1
    # Asking again keeps one place in line.
    community.__dict__.pop("_access_cache", None)
    actions.join_community(stranger, community, accept_rules=True)
    assert WaitlistEntry.objects.filter(community=community).count() == 1
    actions.leave_waitlist(stranger, community)
    assert not WaitlistEntry.objects.exists()


def test_leave_and_owner_cannot_leave(public_community, member, owner):
    actions.leave_community(member, public_community)
    assert not Membership.objects.filter(community=public_community, user=member).exists()
    public_community.refresh_from_db()
    assert public_community.member_count == 2
    with pytest.raises(PermissionDenied):
        actions.leave_community(owner, public_community)
    assert "membership.left" in event_kinds()


# --- join requests ------------------------------------------------------------------


def test_request_approve_flow_notifies_applicant(
    private_community, stranger, moderator, django_capture_on_commit_callbacks
):
    join_request = actions.request_to_join(
        stranger, private_community, answers=["A Leica M6"], accept_rules=True
    )
    assert join_request.answers == [
        {"question": "Which camera do you shoot?", "answer": "A Leica M6"}
    ]
    with django_capture_on_commit_callbacks(execute=True):
        outcome = actions.approve_join_request(moderator, join_request, note="Welcome!")
    assert outcome.status == "joined"
    assert Membership.objects.filter(community=private_community, user=stranger).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [stranger.email]
    assert "Welcome!" in mail.outbox[0].body
    assert event_kinds() == ["join_request.created", "membership.joined", "join_request.approved"]
    with pytest.raises(PermissionDenied):
        actions.approve_join_request(moderator, join_request)


def test_decline_notifies_and_writes_no_membership(
    private_community, stranger, owner, django_capture_on_commit_callbacks
):
    join_request = actions.request_to_join(
        stranger, private_community, answers=["Pentax"], accept_rules=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.decline_join_request(owner, join_request, note="Not this time")
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.DECLINED
    assert join_request.decided_by == owner
    assert not Membership.objects.filter(community=private_community, user=stranger).exists()
    assert len(mail.outbox) == 1


def test_request_refusals(private_community, public_community, stranger, member):
    with pytest.raises(ValidationError):
        actions.request_to_join(stranger, private_community, answers=[], accept_rules=True)
    with pytest.raises(ValidationError):
        actions.request_to_join(stranger, private_community, answers=["  "], accept_rules=True)
    with pytest.raises(ValidationError):
        actions.request_to_join(
            stranger, private_community, answers=["x" * 1001], accept_rules=True
        )
    with pytest.raises(PermissionDenied):
        actions.request_to_join(stranger, public_community, answers=[], accept_rules=True)
    with pytest.raises(PermissionDenied):
        actions.request_to_join(member, private_community, answers=["a"], accept_rules=True)
    actions.request_to_join(stranger, private_community, answers=["Nikon"], accept_rules=True)
    private_community.__dict__.pop("_access_cache", None)
    with pytest.raises(PermissionDenied):
        actions.request_to_join(stranger, private_community, answers=["Nikon"], accept_rules=True)
    assert JoinRequest.objects.count() == 1


def test_only_hosts_decide_requests(private_community, stranger, member):
    join_request = actions.request_to_join(
        stranger, private_community, answers=["Nikon"], accept_rules=True
    )
    with pytest.raises(PermissionDenied):
        actions.approve_join_request(member, join_request)
    # A private community's host tools are its content: outsiders get 404.
    with pytest.raises(Http404):
        actions.approve_join_request(stranger, join_request)


def test_withdraw_request(private_community, stranger, member):
    join_request = actions.request_to_join(
        stranger, private_community, answers=["Nikon"], accept_rules=True
    )
    with pytest.raises(Http404):
        actions.withdraw_join_request(member, join_request)
    actions.withdraw_join_request(stranger, join_request)
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.WITHDRAWN


def test_approving_into_a_full_community_waitlists(owner, stranger):
    community = testing.make_community(owner, join_policy=JoinPolicy.REQUEST, member_cap=1)
    join_request = testing.make_join_request(community, stranger)
    outcome = actions.approve_join_request(owner, join_request)
    assert outcome.status == "waitlisted"


# --- invitations -------------------------------------------------------------------


def test_invitation_link_lets_people_into_hidden_community(hidden_community, owner, stranger):
    invitation = actions.create_invitation(owner, hidden_community, max_uses=2)
    outcome = actions.accept_invitation(stranger, invitation, accept_rules=True)
    assert outcome.status == "joined"
    invitation.refresh_from_db()
    assert invitation.use_count == 1
    assert event_kinds() == ["invitation.created", "membership.joined"]


def test_invitation_limits(public_community, owner, stranger):
    invitation = actions.create_invitation(owner, public_community, max_uses=1)
    actions.accept_invitation(stranger, invitation, accept_rules=True)
    other = testing.make_user()
    with pytest.raises(PermissionDenied):
        actions.accept_invitation(other, invitation, accept_rules=True)
    expired = testing.make_invitation(
        public_community, expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(PermissionDenied):
        actions.accept_invitation(other, expired, accept_rules=True)
    revoked = actions.create_invitation(owner, public_community)
    actions.revoke_invitation(owner, revoked)
    with pytest.raises(PermissionDenied):
        actions.accept_invitation(other, revoked, accept_rules=True)


def test_email_invitation_is_sent_and_only_for_its_addressee(
    public_community, owner, stranger, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = actions.create_invitation(
            owner, public_community, email=stranger.email.upper()
        )
    assert invitation.max_uses == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [stranger.email]
    assert invitation.token in mail.outbox[0].body
    other = testing.make_user()
    with pytest.raises(PermissionDenied):
        actions.accept_invitation(other, invitation, accept_rules=True)
    assert actions.accept_invitation(stranger, invitation, accept_rules=True).status == "joined"


def test_invitation_refusals(public_community, member, owner):
    with pytest.raises(PermissionDenied):
        actions.create_invitation(member, public_community)
    with pytest.raises(ValidationError):
        actions.create_invitation(owner, public_community, email="not-an-email")
    with pytest.raises(ValidationError):
        actions.create_invitation(owner, public_community, max_uses=0)
    with pytest.raises(ValidationError):
        actions.create_invitation(owner, public_community, expires_in=timedelta(days=400))
    assert not Invitation.objects.exists()


def test_waitlisted_invitee_keeps_the_invitation_use(owner, stranger):
    community = testing.make_community(owner, member_cap=1)
    invitation = actions.create_invitation(owner, community, max_uses=1)
    assert actions.accept_invitation(stranger, invitation, accept_rules=True).status == "waitlisted"
    invitation.refresh_from_db()
    assert invitation.use_count == 0


# --- roles ---------------------------------------------------------------------------


def test_owner_promotes_and_demotes(public_community, owner, member):
    membership = public_community.memberships.get(user=member)
    actions.change_role(owner, membership, Role.MODERATOR)
    assert Membership.objects.get(pk=membership.pk).role == Role.MODERATOR
    actions.change_role(owner, membership, Role.MEMBER)
    assert Membership.objects.get(pk=membership.pk).role == Role.MEMBER
    assert event_kinds() == ["membership.role_changed", "membership.role_changed"]


def test_moderator_cannot_change_roles(public_community, moderator, member):
    membership = public_community.memberships.get(user=member)
    with pytest.raises(PermissionDenied):
        actions.change_role(moderator, membership, Role.MODERATOR)


def test_transfer_ownership(public_community, owner, member):
    new_owner = public_community.memberships.get(user=member)
    actions.transfer_ownership(owner, public_community, new_owner)
    roles = dict(public_community.memberships.values_list("user__handle", "role"))
    assert roles[member.handle] == Role.OWNER
    assert roles[owner.handle] == Role.MODERATOR
    public_community.__dict__.pop("_access_cache", None)
    actions.leave_community(owner, public_community)


def test_transfer_refused_to_non_owner(public_community, moderator, member):
    with pytest.raises(PermissionDenied):
        actions.transfer_ownership(
            moderator, public_community, public_community.memberships.get(user=member)
        )


def test_suspended_account_cannot_act(public_community, stranger):
    stranger.suspended_at = timezone.now()
    stranger.save()
    with pytest.raises(PermissionDenied):
        actions.join_community(stranger, public_community, accept_rules=True)
    with pytest.raises(PermissionDenied):
        create(stranger)


def test_a_freed_seat_is_offered_once_to_the_longest_waiting(
    owner, member, stranger, django_capture_on_commit_callbacks
):
    community = testing.make_community(owner, member_cap=2)
    testing.add_member(community, member)
    first = testing.make_user("first_in_line")
    actions.join_community(first, community, accept_rules=True)
    actions.join_community(stranger, community, accept_rules=True)
    assert WaitlistEntry.objects.filter(community=community).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        actions.leave_community(member, community)
    assert [message.to for message in mail.outbox] == [[first.email]]
    assert community.slug in mail.outbox[0].body
    from cerchia.communities.tasks import offer_freed_seat

    offer_freed_seat.enqueue(community.pk)  # a second run offers the next place, not the same
    assert [message.to for message in mail.outbox] == [[first.email], [stranger.email]]
    offer_freed_seat.enqueue(community.pk)
    assert len(mail.outbox) == 2


def test_no_seat_offer_when_the_community_has_no_cap(
    public_community, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.leave_community(member, public_community)
    assert mail.outbox == []
