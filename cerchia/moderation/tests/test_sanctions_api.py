"""The sanctions API: the same rules as the pages, problems for refusals and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cerchia.accounts.models import AccessToken
from cerchia.api.tests.conftest import ApiClient, make_token
from cerchia.core import testing
from cerchia.moderation.actions.notes import add_moderator_note
from cerchia.moderation.actions.sanctions import sanction_member
from cerchia.moderation.models import Appeal, ModeratorNote, Sanction

pytestmark = pytest.mark.django_db

NOTE = "Private: argues with everyone"


def api(user) -> ApiClient:
    return ApiClient(make_token(user, AccessToken.Scope.WRITE))


def test_a_host_sanctions_through_the_api(public_community, moderator, member):
    response = api(moderator).post(
        f"/communities/{public_community.slug}/sanctions",
        {"handle": member.handle, "kind": "mute", "reason": "Rule 3", "duration_hours": 24},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["status"], body["member"]["handle"]) == (
        "mute",
        "active",
        "mia_member",
    )
    listed = api(moderator).get(
        f"/communities/{public_community.slug}/sanctions", member="mia_member"
    )
    assert [item["id"] for item in listed.json()["items"]] == [body["id"]]


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"handle": "mia_member", "kind": "mute", "reason": "Rule"}, 422, "duration_hours"),
        ({"handle": "mia_member", "kind": "scold", "reason": "Rule"}, 422, None),
        ({"handle": "mia_member", "kind": "warning", "reason": ""}, 422, None),
        ({"handle": "nobody_here", "kind": "warning", "reason": "Rule"}, 422, "handle"),
        (
            {"handle": "mia_member", "kind": "warning", "reason": "R", "report_id": 999},
            422,
            "report_id",
        ),
        ({"handle": "mia_member", "kind": "warning", "reason": "R", "extra": 1}, 422, None),
    ],
)
def test_bad_input_is_a_problem(public_community, owner, payload, status, field):
    response = api(owner).post(f"/communities/{public_community.slug}/sanctions", payload)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    if field:
        assert field in response.json()["errors"]
    assert not Sanction.objects.exists()


def test_refusals_are_problems(public_community, moderator, owner, member, stranger):
    url = f"/communities/{public_community.slug}/sanctions"
    as_member = api(member).post(url, {"handle": "sam_stranger", "kind": "warning", "reason": "R"})
    assert as_member.status_code == 403
    on_host = api(moderator).post(url, {"handle": owner.handle, "kind": "warning", "reason": "R"})
    assert on_host.status_code == 403
    not_member = api(owner).post(url, {"handle": stranger.handle, "kind": "warning", "reason": "R"})
    assert (not_member.status_code, not_member.json()["code"]) == (409, "not_member")


def test_the_member_reads_their_sanctions_without_notes(public_community, owner, member):
    sanction_member(owner, public_community, member, "warning", "Rule 2", message="Be gentle.")
    add_moderator_note(owner, public_community, member, NOTE)
    response = api(member).get("/me/sanctions")
    assert response.status_code == 200
    item = response.json()["items"][0]
    assert (item["reason"], item["message"], item["can_appeal"]) == ("Rule 2", "Be gentle.", True)
    assert "created_by" not in item
    assert NOTE not in response.content.decode()
    # Notes are for hosts only.
    notes = f"/communities/{public_community.slug}/members/{member.handle}/notes"
    assert api(member).get(notes).status_code == 403
    assert NOTE in api(owner).get(notes).content.decode()


def test_appeal_and_answer_through_the_api(public_community, owner, member, stranger):
    sanction = sanction_member(
        owner, public_community, member, "mute", "R", duration=timedelta(hours=1)
    )
    url = f"/me/sanctions/{sanction.pk}/appeal"
    assert api(stranger).post(url, {"body": "Please"}).status_code == 404
    assert api(member).post(url, {"body": "Please"}).status_code == 201
    again = api(member).post(url, {"body": "Please"})
    assert (again.status_code, again.json()["code"]) == (409, "already_appealed")
    appeal = Appeal.objects.get()
    answer = f"/communities/{public_community.slug}/appeals/{appeal.pk}/answer"
    assert api(member).post(answer, {"granted": True, "answer": "Yes"}).status_code == 403
    response = api(owner).post(answer, {"granted": True, "answer": "Yes"})
    assert response.status_code == 200
    assert response.json()["sanction"]["status"] == "lifted"
    twice = api(owner).post(answer, {"granted": False, "answer": "No"})
    assert twice.status_code == 409


def test_lift_notes_and_templates(public_community, owner, member):
    sanction = sanction_member(owner, public_community, member, "warning", "R")
    slug = public_community.slug
    lifted = api(owner).post(f"/communities/{slug}/sanctions/{sanction.pk}/lift", {"note": "OK"})
    assert (lifted.status_code, lifted.json()["status"]) == (200, "lifted")
    assert (
        api(owner).post(f"/communities/{slug}/sanctions/{sanction.pk}/lift", {}).status_code == 409
    )
    note = api(owner).post(f"/communities/{slug}/members/{member.handle}/notes", {"body": NOTE})
    assert note.status_code == 201
    assert ModeratorNote.objects.get().body == NOTE
    put = api(owner).request(
        "PUT", f"/communities/{slug}/sanction-templates/ban", {"message": "Out."}
    )
    assert (put.status_code, put.json()["message"]) == (200, "Out.")
    kinds = {
        i["kind"]: i["message"]
        for i in api(owner).get(f"/communities/{slug}/sanction-templates").json()["items"]
    }
    assert kinds["ban"] == "Out."
    assert (
        api(owner)
        .request("PUT", f"/communities/{slug}/sanction-templates/scold", {"message": "x"})
        .status_code
        == 422
    )


def test_site_admins_suspend_and_unsuspend(public_community, site_admin, member, owner):
    url = f"/admin/users/{member.pk}/suspend"
    assert api(owner).post(url, {"reason": "Spam"}).status_code == 403
    assert api(site_admin).post(url, {"reason": ""}).status_code == 422
    response = api(site_admin).post(url, {"reason": "Spam everywhere"})
    assert response.json() == {**response.json(), "suspended": True, "changed": True}
    member.refresh_from_db()
    topic = testing.make_topic(public_community, owner, title="Hello")
    reply = api(member).post(f"/topics/{topic.pk}/posts", {"body": "Buy now"})
    assert reply.status_code in (401, 403)
    back = api(site_admin).post(f"/admin/users/{member.pk}/unsuspend")
    assert back.json()["suspended"] is False
    assert api(site_admin).post("/admin/users/999999/suspend", {"reason": "x"}).status_code == 404
