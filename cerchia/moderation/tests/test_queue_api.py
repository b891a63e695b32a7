"""Reports and the review queue through the API: the same rules as the pages, JSON problems."""

from __future__ import annotations

import pytest

from cerchia.core import testing
from cerchia.discussions import actions as discussions
from cerchia.discussions.models import Post
from cerchia.moderation.models import HeldPost, ModerationSettings, Premoderation, Report
from cerchia.moderation.screening import PostHeld

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


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


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_reporting_through_the_api(client, reply, topic, witness, moderator):
    client.force_login(witness)
    url = f"{V1}/communities/{reply.community.slug}/reports"
    created = _post(client, url, {"post_id": reply.pk, "reason": "spam", "note": "Ads"})
    assert created.status_code == 201
    assert created.json()["target"] == "post"
    again = _post(client, url, {"post_id": reply.pk, "reason": "spam"})
    assert again.status_code == 409
    assert again.json()["code"] == "already_reported"
    assert _post(client, url, {"topic_id": topic.pk, "reason": "off_topic"}).status_code == 201
    member_report = _post(client, url, {"handle": moderator.handle, "reason": "harassment"})
    assert member_report.status_code == 201
    assert member_report.json()["target"] == "member"
    assert Report.objects.count() == 3


@pytest.mark.parametrize(
    "body",
    [
        {"reason": "spam"},
        {"post_id": 1, "topic_id": 1, "reason": "spam"},
        {"post_id": 1, "reason": "bogus"},
        {"post_id": 1, "reason": "other", "extra": True},
        {"post_id": "1", "reason": "spam"},
    ],
)
def test_bad_report_input_is_a_422(client, reply, witness, body):
    if "post_id" in body and body["post_id"] == 1:
        body = {**body, "post_id": reply.pk}
    client.force_login(witness)
    response = _post(client, f"{V1}/communities/{reply.community.slug}/reports", body)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")


def test_reports_of_unknown_or_foreign_things_are_404(
    client, reply, witness, private_community, owner
):
    client.force_login(witness)
    url = f"{V1}/communities/{reply.community.slug}/reports"
    assert _post(client, url, {"post_id": 2**40, "reason": "spam"}).status_code == 404
    assert _post(client, url, {"handle": "nobody_here", "reason": "spam"}).status_code == 404
    private_topic = testing.make_topic(private_community, owner)
    assert _post(client, url, {"topic_id": private_topic.pk, "reason": "spam"}).status_code == 404
    own = _post(client, url, {"handle": witness.handle, "reason": "spam"})
    assert own.status_code == 403


def test_hosts_review_reports_through_the_api(client, reply, witness, moderator, member):
    report = Report.objects.create(
        community=reply.community,
        reporter=witness,
        target=Report.Target.POST,
        post=reply,
        topic=reply.topic,
        target_key=f"post:{reply.pk}",
        reason="spam",
        note="Ads",
    )
    base = f"{V1}/communities/{reply.community.slug}/moderation"
    client.force_login(member)
    assert client.get(f"{base}/reports").status_code == 403
    assert _post(client, f"{base}/reports/{report.pk}/dismiss").status_code == 403
    client.force_login(moderator)
    assert client.get(f"{base}/queue").json() == {"reports": 1, "held": 0}
    listing = client.get(f"{base}/reports").json()
    assert listing["next_page"] is None
    (group,) = listing["items"]
    assert group["report_count"] == 1
    assert group["post"]["body"].startswith("Buy cheap")
    assert group["reports"][0]["note"] == "Ads"
    bad = _post(client, f"{base}/reports/{report.pk}/resolve", {"action": "explode"})
    assert bad.status_code == 422
    done = _post(client, f"{base}/reports/{report.pk}/resolve", {"action": "hide"})
    assert done.json() == {"closed": [report.pk]}
    assert Post.objects.get(pk=reply.pk).hidden_at is not None
    assert _post(client, f"{base}/reports/{report.pk}/dismiss").status_code == 409
    assert _post(client, f"{base}/reports/{2**40}/dismiss").status_code == 404
    assert client.get(f"{base}/reports?page=0").status_code == 422


def test_the_queue_api_is_404_to_outsiders_of_a_private_community(
    client, private_community, stranger
):
    client.force_login(stranger)
    response = client.get(f"{V1}/communities/{private_community.slug}/moderation/reports")
    assert response.status_code == 404


def test_held_posts_through_the_api(client, public_community, topic, member, owner, witness):
    ModerationSettings.objects.create(community=public_community, premoderation=Premoderation.ALL)
    held = []
    for text in ("First", "Second"):
        with pytest.raises(PostHeld) as held_info:
            discussions.create_reply(member, topic, body=text)
        held.append(held_info.value.held)
    base = f"{V1}/communities/{public_community.slug}/moderation/held"
    client.force_login(witness)
    assert client.get(base).status_code == 403
    assert _post(client, f"{base}/{held[0].pk}/approve").status_code == 403
    client.force_login(owner)
    assert [item["body"] for item in client.get(base).json()["items"]] == ["First", "Second"]
    assert client.get(f"{base}/{held[0].pk}").json()["status"] == "pending"
    approved = _post(client, f"{base}/{held[0].pk}/approve").json()
    assert Post.objects.get(pk=approved["post_id"]).body == "First"
    rejected = _post(client, f"{base}/{held[1].pk}/reject", {"note": "Off topic"})
    assert rejected.json()["status"] == "rejected"
    assert HeldPost.objects.get(pk=held[1].pk).decision_note == "Off topic"
    assert _post(client, f"{base}/{held[1].pk}/approve").status_code == 409
    assert client.get(f"{base}/{2**40}").status_code == 404


def test_hiding_through_the_api(client, reply, owner, witness):
    url = f"{V1}/posts/{reply.pk}/hidden"
    client.force_login(witness)
    assert client.put(url).status_code == 403
    client.force_login(owner)
    assert client.put(url).json() == {"post_id": reply.pk, "hidden": True}
    assert client.put(url).status_code == 200
    assert client.delete(url).status_code == 204
    assert Post.objects.get(pk=reply.pk).hidden_at is None
