"""Sanction pages: the hosts' member card and forms, appeals, templates; the member's standing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from cerchia.core import testing
from cerchia.moderation.actions.appeals import appeal_sanction
from cerchia.moderation.actions.notes import add_moderator_note
from cerchia.moderation.actions.reports import report_member
from cerchia.moderation.actions.sanctions import sanction_member
from cerchia.moderation.models import Appeal, ModeratorNote, Report, Sanction, SanctionTemplate

pytestmark = pytest.mark.django_db

NOTE = "Private: seems to argue with everyone"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def card(community, member, suffix: str = "") -> str:
    return f"/c/{community.slug}/moderation/members/{member.pk}/{suffix}"


def test_the_member_card_shows_history_notes_and_the_form(public_community, moderator, member):
    sanction_member(moderator, public_community, member, "warning", "Rule 2: be kind")
    add_moderator_note(moderator, public_community, member, NOTE)
    response = client_for(moderator).get(card(public_community, member))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rule 2: be kind" in page
    assert NOTE in page
    assert 'name="kind"' in page


def test_a_report_prefills_the_sanction_form(public_community, owner, moderator, member):
    report = report_member(moderator, public_community, member, reason="harassment")
    response = client_for(owner).get(card(public_community, member) + f"?report={report.pk}")
    assert f'value="{report.pk}"' in response.content.decode()


def test_the_form_sanctions_and_closes_the_report(public_community, owner, moderator, member):
    report = report_member(moderator, public_community, member, reason="harassment")
    response = client_for(owner).post(
        card(public_community, member, "sanction/"),
        {"kind": "mute", "reason": "Rule 2", "duration": "24", "report": report.pk},
    )
    assert response.status_code == 302
    sanction = Sanction.objects.get()
    assert sanction.kind == "mute"
    assert sanction.ends_at is not None
    assert sanction.ends_at - sanction.created_at == timedelta(hours=24)
    assert Report.objects.get(pk=report.pk).resolution == "sanctioned"


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "mute", "reason": "Rule 2", "duration": ""},
        {"kind": "warning", "reason": ""},
        {"kind": "scolding", "reason": "Rule 2"},
        {"kind": "mute", "reason": "Rule 2", "duration": "999"},
        {"kind": "warning", "reason": "Rule 2", "report": "99999"},
    ],
)
def test_bad_input_is_shown_on_the_form(public_community, owner, member, data):
    response = client_for(owner).post(card(public_community, member, "sanction/"), data)
    assert response.status_code == 400
    assert 'class="form__errors"' in response.content.decode() or "field--error" in (
        response.content.decode()
    )
    assert not Sanction.objects.exists()


def test_a_moderator_is_refused_sanctioning_another_host(public_community, moderator, owner):
    response = client_for(moderator).post(
        card(public_community, owner, "sanction/"), {"kind": "warning", "reason": "Rule 2"}
    )
    assert response.status_code == 403
    assert not Sanction.objects.exists()


def test_an_unknown_person_is_a_404(public_community, owner, stranger):
    assert client_for(owner).get(card(public_community, stranger)).status_code == 404


def test_a_banned_former_member_keeps_a_card(public_community, owner, member):
    sanction_member(owner, public_community, member, "ban", "Rule 4")
    response = client_for(owner).get(card(public_community, member))
    assert response.status_code == 200
    assert "Not a member" in response.content.decode()


def test_notes_and_lifting_from_the_card(public_community, owner, member):
    client = client_for(owner)
    assert client.post(card(public_community, member, "notes/"), {"body": NOTE}).status_code == 302
    assert ModeratorNote.objects.get().body == NOTE
    assert client.post(card(public_community, member, "notes/"), {"body": ""}).status_code == 400
    sanction = sanction_member(owner, public_community, member, "warning", "Rule 2")
    lift = f"/c/{public_community.slug}/moderation/sanctions/{sanction.pk}/lift/"
    assert client.post(lift, {"note": "Fine"}).status_code == 302
    assert Sanction.objects.get(pk=sanction.pk).lifted_by == owner
    # Twice: a message, not an error.
    assert client.post(lift, {"note": "Again"}).status_code == 302


def test_members_page_finds_people(public_community, owner, member):
    sanction_member(owner, public_community, member, "mute", "Rule", duration=timedelta(hours=1))
    response = client_for(owner).get(f"/c/{public_community.slug}/moderation/members/?q=mia")
    page = response.content.decode()
    assert response.status_code == 200
    assert "@mia_member" in page
    assert "Sanction in force" in page


def test_appeals_page_answers(public_community, owner, member):
    sanction = sanction_member(owner, public_community, member, "warning", "Rule 2")
    appeal = appeal_sanction(member, sanction, "I was quoting someone")
    client = client_for(owner)
    page = client.get(f"/c/{public_community.slug}/moderation/appeals/").content.decode()
    assert "I was quoting someone" in page
    answer = f"/c/{public_community.slug}/moderation/appeals/{appeal.pk}/answer/"
    prefix = f"a{appeal.pk}"
    bad = client.post(answer, {f"{prefix}-decision": "grant", f"{prefix}-answer": ""})
    assert bad.status_code == 400
    good = client.post(answer, {f"{prefix}-decision": "grant", f"{prefix}-answer": "Granted"})
    assert good.status_code == 302
    assert Appeal.objects.get().status == "granted"


def test_templates_editor_saves_and_restores(public_community, owner):
    client = client_for(owner)
    url = f"/c/{public_community.slug}/moderation/templates/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"nudge": "Mind the rules", "warning": "", "mute": "", "ban": ""})
    assert response.status_code == 302
    assert SanctionTemplate.objects.get().message == "Mind the rules"
    client.post(url, {"nudge": "", "warning": "", "mute": "", "ban": ""})
    assert not SanctionTemplate.objects.exists()
    assert client.post(url, {"nudge": "x" * 5001}).status_code == 400


# --- The member's side -----------------------------------------------------------------------


def test_the_member_sees_reason_message_end_but_never_notes(public_community, owner, member):
    sanction_member(
        owner,
        public_community,
        member,
        "mute",
        "Rule 3: no shouting",
        message="Take a breath.",
        duration=timedelta(hours=2),
    )
    add_moderator_note(owner, public_community, member, NOTE)
    page = client_for(member).get("/me/sanctions/").content.decode()
    assert "Rule 3: no shouting" in page
    assert "Take a breath." in page
    assert "In force until" in page
    assert NOTE not in page


def test_the_member_appeals_from_the_standing_page(public_community, owner, member, stranger):
    sanction = sanction_member(owner, public_community, member, "warning", "Rule 2")
    url = f"/me/sanctions/{sanction.pk}/appeal/"
    prefix = f"s{sanction.pk}"
    assert client_for(stranger).post(url, {f"{prefix}-body": "Hi"}).status_code == 404
    client = client_for(member)
    assert client.post(url, {f"{prefix}-body": ""}).status_code == 400
    assert client.post(url, {f"{prefix}-body": "Please"}).status_code == 302
    again = client.post(url, {f"{prefix}-body": "Please again"})
    assert again.status_code == 400
    assert "already appealed" in again.content.decode()
    assert Appeal.objects.count() == 1


def test_a_muted_member_sees_a_banner_on_the_community_page(public_community, owner, member):
    sanction_member(owner, public_community, member, "mute", "Rule 3", duration=timedelta(hours=1))
    page = client_for(member).get(f"/c/{public_community.slug}/").content.decode()
    assert "The hosts have muted you" in page
    other = client_for(owner).get(f"/c/{public_community.slug}/").content.decode()
    assert "The hosts have muted you" not in other


def test_a_muted_member_cannot_reply_through_the_page(public_community, owner, member):
    topic = testing.make_topic(public_community, owner, title="Grinders")
    sanction_member(owner, public_community, member, "mute", "Rule 3", duration=timedelta(hours=1))
    response = client_for(member).post(
        f"/c/{public_community.slug}/t/{topic.pk}/reply/", {"body": "Still talking"}
    )
    assert response.status_code == 403
    assert "muted" in response.content.decode()
    assert topic.posts.count() == 1


def test_standing_page_queries_do_not_grow_with_sanctions(
    public_community, owner, member, django_assert_max_num_queries
):
    for number in range(6):
        sanction = sanction_member(owner, public_community, member, "warning", f"Rule {number}")
        if number % 2:
            appeal_sanction(member, sanction, "Please")
    client = client_for(member)
    with django_assert_max_num_queries(8):
        assert client.get("/me/sanctions/").status_code == 200


def test_member_card_queries_do_not_grow_with_history(
    public_community, owner, member, django_assert_max_num_queries
):
    for number in range(6):
        sanction_member(owner, public_community, member, "warning", f"Rule {number}")
        add_moderator_note(owner, public_community, member, f"Note {number}")
    client = client_for(owner)
    client.get(card(public_community, member))
    with django_assert_max_num_queries(30):
        assert client.get(card(public_community, member)).status_code == 200


def test_a_muted_member_is_told_why_on_the_topic_page(public_community, owner, member):
    topic = testing.make_topic(public_community, owner, title="Grinders")
    sanction_member(owner, public_community, member, "mute", "Rule 3", duration=timedelta(hours=1))
    page = client_for(member).get(f"/c/{public_community.slug}/t/{topic.pk}/").content.decode()
    assert "The hosts have muted you until" in page
    assert 'name="body"' not in page


def test_the_queues_sanction_link_opens_the_prefilled_form(
    public_community, owner, moderator, member
):
    report = report_member(moderator, public_community, member, reason="spam")
    response = client_for(owner).get(
        card(public_community, member, "sanction/") + f"?report={report.pk}"
    )
    assert response.status_code == 200
    assert f'value="{report.pk}"' in response.content.decode()
    assert "Spam or advertising" in response.content.decode()
