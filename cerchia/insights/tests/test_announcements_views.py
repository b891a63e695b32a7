"""The announcement pages and API: hosts only, times in the community's timezone, bad input
as form errors or 4xx problems, a double submit sends once, fixed query counts."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cerchia.accounts.models import User
from cerchia.api.tests.conftest import ApiClient, make_token
from cerchia.communities.models import Community
from cerchia.core import testing
from cerchia.insights import actions_announcements as actions
from cerchia.insights.models import Announcement, Segment

pytestmark = pytest.mark.django_db

Status = Announcement.Status


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _base(community: Community) -> str:
    return f"/c/{community.slug}/insights/announcements/"


def _scheduled(owner: User, community: Community, title: str = "Soon") -> Announcement:
    return actions.create_announcement(
        owner, community, title=title, body="Later", send_at=timezone.now() + timedelta(days=2)
    )


# --- Pages ---------------------------------------------------------------------------------


def test_list_shows_status_audience_and_local_time(public_community, owner):
    Community.objects.filter(pk=public_community.pk).update(timezone="Europe/Rome")
    public_community.refresh_from_db()
    at = dt.datetime(2099, 1, 15, 9, 0, tzinfo=dt.UTC)  # 10:00 in Rome
    actions.create_announcement(
        owner, public_community, title="Winter meetup", body="x", send_at=at
    )
    actions.create_announcement(owner, public_community, title="Sent one", body="y")
    page = _client(owner).get(_base(public_community))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Winter meetup" in html
    assert "Sent one" in html
    assert "Scheduled" in html
    assert "Everyone in the community" in html
    assert "10:00" in html or "10 a.m." in html


def test_list_costs_the_same_for_3_or_12(public_community, owner, django_assert_num_queries):
    client = _client(owner)
    for index in range(3):
        _scheduled(owner, public_community, f"First {index}")
    client.get(_base(public_community))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        client.get(_base(public_community))
    for index in range(9):
        _scheduled(owner, public_community, f"Second {index}")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(_base(public_community))
    assert response.content.decode().count("<tr>") == 13  # header and twelve rows


@pytest.mark.parametrize("suffix", ["", "new/"])
def test_pages_are_for_hosts(public_community, private_community, member, stranger, suffix):
    assert _client(member).get(_base(public_community) + suffix).status_code == 403
    assert _client(stranger).get(_base(private_community) + suffix).status_code == 404
    anonymous = _client(None).get(_base(public_community) + suffix)
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]


def test_send_now_from_the_page(public_community, owner, member):
    client = _client(owner)
    form = client.get(_base(public_community) + "new/")
    assert form.status_code == 200
    key = form.context["form"].initial["idempotency_key"]
    data = {
        "title": "Hello all",
        "body": "Welcome **in**",
        "audience": "everyone",
        "send_email": "on",
        "when": "now",
        "idempotency_key": key,
    }
    response = client.post(_base(public_community) + "new/", data)
    assert response.status_code == 302
    announcement = Announcement.objects.get()
    assert response["Location"].endswith(f"/announcements/{announcement.pk}/")
    assert announcement.status == Status.SENT
    # A double click: the same form token, no second announcement.
    again = client.post(_base(public_community) + "new/", data)
    assert again.status_code == 302
    assert Announcement.objects.count() == 1
    detail = client.get(response["Location"])
    html = detail.content.decode()
    assert f"/t/{announcement.topic_id}/" in html
    assert "<strong>in</strong>" in html


def test_schedule_in_the_communitys_timezone_then_reschedule_and_cancel(public_community, owner):
    Community.objects.filter(pk=public_community.pk).update(timezone="Europe/Rome")
    client = _client(owner)
    year = timezone.now().year + 1
    data = {
        "title": "Summer",
        "body": "Picnic",
        "audience": "everyone",
        "when": "later",
        "send_at": f"{year}-07-01T18:30",
    }
    response = client.post(_base(public_community) + "new/", data)
    assert response.status_code == 302
    announcement = Announcement.objects.get()
    assert announcement.status == Status.SCHEDULED
    expected = dt.datetime(year, 7, 1, 18, 30, tzinfo=ZoneInfo("Europe/Rome"))
    assert announcement.send_at == expected
    detail = f"{_base(public_community)}{announcement.pk}/"
    page = client.get(detail).content.decode()
    assert f"{year}-07-01T18:30" in page  # the reschedule field, in Rome time
    moved = client.post(detail + "reschedule/", {"send_at": f"{year}-07-02T08:00"})
    assert moved.status_code == 302
    announcement.refresh_from_db()
    assert announcement.send_at == dt.datetime(year, 7, 2, 8, 0, tzinfo=ZoneInfo("Europe/Rome"))
    past = client.post(detail + "reschedule/", {"send_at": "2001-01-01T08:00"})
    assert past.status_code == 400
    cancelled = client.post(detail + "cancel/")
    assert cancelled.status_code == 302
    announcement.refresh_from_db()
    assert announcement.status == Status.CANCELLED
    twice = client.post(detail + "cancel/", follow=True)
    assert "Only a scheduled announcement can be cancelled." in twice.content.decode()


def test_to_a_segment_from_the_page(public_community, owner, member):
    segment = Segment.objects.create(community=public_community, name="Everyone but")
    client = _client(owner)
    page = client.get(_base(public_community) + "new/").content.decode()
    assert "Everyone but" in page
    response = client.post(
        _base(public_community) + "new/",
        {"title": "Dyn", "body": "x", "audience": str(segment.pk), "when": "now"},
    )
    assert response.status_code == 302
    assert Announcement.objects.get().segment_id == segment.pk


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "body": "x", "audience": "everyone", "when": "now"}, "title"),
        ({"title": "Fine", "body": "", "audience": "everyone", "when": "now"}, "body"),
        ({"title": "Fine", "body": "x", "audience": "999999", "when": "now"}, "audience"),
        ({"title": "Fine", "body": "x", "audience": "everyone", "when": "later"}, "send_at"),
        (
            {"title": "Fine", "body": "x", "audience": "everyone", "when": "later",
             "send_at": "not a date"},
            "send_at",
        ),
        (
            {"title": "Fine", "body": "x", "audience": "everyone", "when": "later",
             "send_at": "2001-01-01T10:00"},
            "send_at",
        ),
        ({"title": "ab", "body": "x", "audience": "everyone", "when": "now"}, "title"),
    ],
)  # fmt: skip
def test_bad_input_is_a_form_error(public_community, owner, data, field):
    response = _client(owner).post(_base(public_community) + "new/", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Announcement.objects.exists()


def test_preview_renders_without_sending(public_community, owner):
    response = _client(owner).post(
        _base(public_community) + "new/",
        {"title": "T", "body": "Some *words* <script>x()</script>", "preview": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<em>words</em>" in html
    assert "<script>x()" not in html
    assert not Announcement.objects.exists()


def test_site_admin_who_is_not_a_member_gets_a_form_error(public_community, site_admin):
    response = _client(site_admin).post(
        _base(public_community) + "new/",
        {"title": "Admin", "body": "x", "audience": "everyone", "when": "now"},
    )
    assert response.status_code == 400
    assert not Announcement.objects.exists()


def test_another_communitys_announcement_is_404(public_community, private_community, owner):
    other = _scheduled(owner, private_community)
    client = _client(owner)
    assert client.get(f"{_base(public_community)}{other.pk}/").status_code == 404
    assert client.post(f"{_base(public_community)}{other.pk}/cancel/").status_code == 404
    other.refresh_from_db()
    assert other.status == Status.SCHEDULED


def test_members_cannot_cancel(public_community, owner, member):
    announcement = _scheduled(owner, public_community)
    response = _client(member).post(f"{_base(public_community)}{announcement.pk}/cancel/")
    assert response.status_code == 403
    announcement.refresh_from_db()
    assert announcement.status == Status.SCHEDULED


# --- API -----------------------------------------------------------------------------------


def _api(user: User | None) -> ApiClient:
    return ApiClient(make_token(user) if user is not None else None)


def test_api_create_list_get_cancel(public_community, owner):
    client = _api(owner)
    path = f"/communities/{public_community.slug}/announcements"
    when = (timezone.now() + timedelta(days=1)).isoformat()
    created = client.post(
        path,
        {"title": "From the API", "body": "Hi", "send_at": when, "send_email": False},
        headers={"Idempotency-Key": "abc"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "scheduled"
    assert body["segment"] is None
    repeat = client.post(
        path,
        {"title": "From the API", "body": "Hi", "send_at": when},
        headers={"Idempotency-Key": "abc"},
    )
    assert repeat.json()["id"] == body["id"]
    listed = client.get(path)
    assert [item["id"] for item in listed.json()["items"]] == [body["id"]]
    one = client.get(f"{path}/{body['id']}")
    assert one.json()["title"] == "From the API"
    cancelled = client.post(f"{path}/{body['id']}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    again = client.post(f"{path}/{body['id']}/cancel")
    assert again.status_code == 422


def test_api_send_now_counts(public_community, owner, member):
    User.objects.filter(pk=member.pk).update(marketing_consent=True)
    response = _api(owner).post(
        f"/communities/{public_community.slug}/announcements", {"title": "Now!", "body": "Go"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "sent"
    # 3 recipients, 1 emailed: both under 5, so neither is told exactly.
    assert body["recipient_count"] is None
    assert body["email_count"] is None
    assert body["topic_id"] is not None
    page = Client()
    page.force_login(owner)
    html = page.get(
        f"/c/{public_community.slug}/insights/announcements/{body['id']}/"
    ).content.decode()
    assert "fewer than 5" in html


def test_api_counts_of_five_or_more_are_shown(public_community, owner, member):
    for number in range(3):
        testing.add_member(public_community, testing.make_user(f"extra_{number}"))
    User.objects.filter(pk=member.pk).update(marketing_consent=True)
    response = _api(owner).post(
        f"/communities/{public_community.slug}/announcements", {"title": "Now!", "body": "Go"}
    )
    body = response.json()
    assert body["recipient_count"] == 6
    assert body["email_count"] is None  # one member agreed to marketing email


@pytest.mark.parametrize(
    "payload",
    [
        {"body": "no title"},
        {"title": "T", "body": "x", "extra": 1},
        {"title": "T", "body": "x", "send_at": "yesterday"},
        {"title": "T", "body": "x", "send_at": "2099-01-01T10:00:00"},  # no timezone
        {"title": "T", "body": "x", "segment_id": 999999},
        {"title": "ab", "body": "x"},
    ],
)
def test_api_bad_input_is_a_4xx_problem(public_community, owner, payload):
    response = _api(owner).post(f"/communities/{public_community.slug}/announcements", payload)
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/problem+json")
    assert not Announcement.objects.exists()


def test_api_refusals(public_community, private_community, owner, member, stranger):
    path = f"/communities/{public_community.slug}/announcements"
    assert _api(None).get(path).status_code == 401
    assert _api(member).get(path).status_code == 403
    assert _api(member).post(path, {"title": "Hey", "body": "x"}).status_code == 403
    assert (
        _api(stranger).get(f"/communities/{private_community.slug}/announcements").status_code
        == 404
    )
    other = _scheduled(owner, private_community)
    assert _api(owner).get(f"{path}/{other.pk}").status_code == 404


def test_the_notification_reads_well_and_leads_to_the_topic(public_community, owner, member):
    announcement = actions.create_announcement(
        owner, public_community, title="Market day", body="Saturday"
    )
    from cerchia.notifications.models import Notification

    client = _client(member)
    page = client.get("/notifications/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "announced in" in html
    assert "Market day" in html
    notification = Notification.objects.get(recipient=member, kind="announcement")
    opened = client.get(f"/notifications/{notification.pk}/")
    assert opened.status_code == 302
    assert f"/t/{announcement.topic_id}/" in opened["Location"]
