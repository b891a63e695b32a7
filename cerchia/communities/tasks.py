"""Emails about joining, sent after the change commits; each task takes an id, safe to rerun."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from cerchia.communities.models import Community, Invitation, JoinRequest, WaitlistEntry


@task()
def send_join_request_outcome(join_request_id: int) -> None:
    join_request = (
        JoinRequest.objects.select_related("community", "user")
        .filter(pk=join_request_id)
        .exclude(status=JoinRequest.Status.PENDING)
        .first()
    )
    if join_request is None:
        return
    from cerchia.notifications.actions import notify_join_request_outcome

    notify_join_request_outcome(join_request)
    user, community = join_request.user, join_request.community
    with translation.override(user.language or community.language):
        context = {
            "join_request": join_request,
            "community": community,
            "user": user,
            "url": settings.SITE_URL
            + reverse("communities:detail", kwargs={"slug": community.slug}),
        }
        subject = render_to_string("communities/email/join_request_outcome_subject.txt", context)
        body = render_to_string("communities/email/join_request_outcome.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])


@task()
def send_invitation_email(invitation_id: int) -> None:
    invitation = (
        Invitation.objects.select_related("community", "created_by")
        .filter(pk=invitation_id, revoked_at__isnull=True)
        .exclude(email="")
        .first()
    )
    if invitation is None or not invitation.is_usable():
        return
    community = invitation.community
    with translation.override(community.language):
        context = {
            "invitation": invitation,
            "community": community,
            "inviter": invitation.created_by,
            "url": settings.SITE_URL
            + reverse("communities:invitation", kwargs={"token": invitation.token}),
        }
        subject = render_to_string("communities/email/invitation_subject.txt", context)
        body = render_to_string("communities/email/invitation.txt", context)
    send_mail(" ".join(subject.split()), body, None, [invitation.email])


@task()
def offer_freed_seat(community_id: int) -> None:
    """Tell the longest-waiting person, once, that a full community has a free seat."""
    with transaction.atomic():
        community = Community.objects.filter(pk=community_id).first()
        if community is None or community.is_full:
            return
        entry = (
            WaitlistEntry.objects.select_for_update()
            .select_related("user")
            .filter(community=community, offered_at__isnull=True)
            .exclude(user__memberships__community=community)
            .order_by("created_at", "id")
            .first()
        )
        if entry is None:
            return
        entry.offered_at = timezone.now()
        entry.save(update_fields=["offered_at"])
    user = entry.user
    with translation.override(user.language or community.language):
        context = {
            "community": community,
            "user": user,
            "url": settings.SITE_URL
            + reverse("communities:detail", kwargs={"slug": community.slug}),
        }
        subject = render_to_string("communities/email/seat_free_subject.txt", context)
        body = render_to_string("communities/email/seat_free.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])
