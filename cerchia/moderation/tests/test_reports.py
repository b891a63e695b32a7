"""Reporting posts, topics and members: who may, once per thing, and bad input."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from cerchia.accounts.models import User
from cerchia.core import testing
from cerchia.core.errors import ActionRefused
from cerchia.moderation.actions.reports import report_member, report_post, report_topic
from cerchia.moderation.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(public_community, owner):
    return testing.make_topic(public_community, owner, title="Grinders", body="Burrs matter")


@pytest.fixture
def reply(topic, moderator):
    return testing.make_reply(topic, moderator, body="Buy my grinder at spam.example")


def test_a_member_reports_a_post_once(reply, member):
    report = report_post(member, reply, reason="spam", note="  Selling things  ")
    assert report.target == Report.Target.POST
    assert report.target_key == f"post:{reply.pk}"
    assert report.note == "Selling things"
    assert report.community_id == reply.community_id
    assert "moderation.reported" in testing.event_kinds()
    with pytest.raises(ActionRefused) as refused:
        report_post(member, reply, reason="harassment")
    assert refused.value.code == "already_reported"
    assert Report.objects.count() == 1


def test_a_handled_report_can_be_filed_again(reply, member):
    report = report_post(member, reply, reason="spam")
    Report.objects.filter(pk=report.pk).update(status=Report.Status.DISMISSED)
    assert report_post(member, reply, reason="spam").pk != report.pk


def test_a_signed_in_reader_of_a_public_community_may_report(reply, stranger):
    assert report_post(stranger, reply, reason="off_topic").reporter == stranger


def test_nobody_reports_their_own_post_or_topic(reply, topic, moderator, owner):
    with pytest.raises(PermissionDenied):
        report_post(moderator, reply, reason="spam")
    with pytest.raises(PermissionDenied):
        report_topic(owner, topic, reason="spam")


def test_a_suspended_account_cannot_report(reply, member):
    User.objects.filter(pk=member.pk).update(suspended_at=timezone.now())
    member.refresh_from_db()
    with pytest.raises((PermissionDenied, Http404)):
        report_post(member, reply, reason="spam")
    assert not Report.objects.exists()


def test_outsiders_of_a_private_community_get_404(private_community, owner, member, stranger):
    topic = testing.make_topic(private_community, owner, title="Darkroom")
    post = topic.posts.get(number=1)
    with pytest.raises(Http404):
        report_post(stranger, post, reason="spam")
    with pytest.raises(Http404):
        report_topic(stranger, topic, reason="spam")
    with pytest.raises(Http404):
        report_member(stranger, private_community, owner, reason="spam")
    assert report_post(member, post, reason="spam").pk


def test_a_deleted_post_cannot_be_reported(reply, member):
    reply.__class__.objects.filter(pk=reply.pk).update(deleted_at=timezone.now())
    reply.refresh_from_db()
    with pytest.raises(Http404):
        report_post(member, reply, reason="spam")


@pytest.mark.parametrize(
    ("reason", "note", "field"),
    [
        ("", "", "reason"),
        ("nonsense", "", "reason"),
        ("other", "", "note"),
        ("spam", "x" * 2001, "note"),
    ],
)
def test_bad_input_is_a_field_error(reply, member, reason, note, field):
    with pytest.raises(ValidationError) as error:
        report_post(member, reply, reason=reason, note=note)
    assert field in error.value.message_dict
    assert not Report.objects.exists()


def test_members_are_reported_in_a_community_they_belong_to(
    public_community, member, moderator, stranger
):
    report = report_member(member, public_community, moderator, reason="harassment")
    assert report.target_key == f"member:{moderator.pk}"
    with pytest.raises(Http404):
        report_member(member, public_community, stranger, reason="spam")
    with pytest.raises(PermissionDenied):
        report_member(member, public_community, member, reason="spam")


def test_a_topic_report(topic, member):
    report = report_topic(member, topic, reason="off_topic")
    assert report.topic == topic
    assert report.post is None


# --- Pages ------------------------------------------------------------------------------


def test_the_report_page_files_a_report_and_thanks(client, reply, member):
    client.force_login(member)
    url = f"/c/{reply.community.slug}/posts/{reply.pk}/report/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Spam or advertising" in page.content.decode()
    response = client.post(url, {"reason": "spam", "note": "Ads"})
    assert response.status_code == 302
    assert f"#post-{reply.number}" in response["Location"]
    assert Report.objects.get().note == "Ads"
    again = client.post(url, {"reason": "spam"}, follow=True)
    assert "You already reported this" in again.content.decode()
    assert Report.objects.count() == 1


def test_the_report_page_shows_form_errors(client, reply, member):
    client.force_login(member)
    url = f"/c/{reply.community.slug}/posts/{reply.pk}/report/"
    response = client.post(url, {"reason": "other", "note": ""})
    assert response.status_code == 400
    assert "Tell the hosts what is wrong" in response.content.decode()
    htmx = client.post(url, {"reason": "bogus"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 422
    assert "<html" not in htmx.content.decode()


def test_the_report_pages_refuse_whoever_may_not(client, reply, topic, moderator, member):
    slug = reply.community.slug
    assert client.get(f"/c/{slug}/posts/{reply.pk}/report/").status_code == 302  # sign in
    client.force_login(moderator)
    assert client.get(f"/c/{slug}/posts/{reply.pk}/report/").status_code == 403
    client.force_login(member)
    assert client.get(f"/c/{slug}/t/{topic.pk}/report/").status_code == 200
    assert client.get(f"/c/{slug}/members/{moderator.pk}/report/").status_code == 200
    assert client.get(f"/c/{slug}/members/{member.pk}/report/").status_code == 403
    assert client.get(f"/c/{slug}/members/999999/report/").status_code == 404
    response = client.post(f"/c/{slug}/t/{topic.pk}/report/", {"reason": "spam"})
    assert response.status_code == 302
    response = client.post(
        f"/c/{slug}/members/{moderator.pk}/report/",
        {"reason": "harassment"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/c/{slug}/members/"
    assert Report.objects.count() == 2


def test_the_post_shows_a_report_control_to_others_only(client, reply, topic, member, moderator):
    url = f"/c/{reply.community.slug}/t/{topic.pk}/"
    report_url = f"/c/{reply.community.slug}/posts/{reply.pk}/report/"
    client.force_login(member)
    assert report_url in client.get(url).content.decode()
    client.force_login(moderator)
    assert report_url not in client.get(url).content.decode()
    client.logout()
    assert report_url not in client.get(url).content.decode()


def test_topics_and_member_cards_link_to_reporting(client, topic, member, moderator, owner):
    slug = topic.community.slug
    client.force_login(member)
    assert (
        f"/c/{slug}/t/{topic.pk}/report/" in client.get(f"/c/{slug}/t/{topic.pk}/").content.decode()
    )
    members = client.get(f"/c/{slug}/members/").content.decode()
    assert f"/c/{slug}/members/{moderator.pk}/report/" in members
    assert f"/c/{slug}/members/{member.pk}/report/" not in members
    client.force_login(owner)
    assert (
        f"/c/{slug}/t/{topic.pk}/report/"
        not in client.get(f"/c/{slug}/t/{topic.pk}/").content.decode()
    )
