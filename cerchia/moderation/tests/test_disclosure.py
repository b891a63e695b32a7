"""Sponsored and gifted posts: who may label, what the community may require, who may
remove a label, and the label in every rendering of the post, in the community's language."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cerchia.api.tests.conftest import ApiClient, make_token
from cerchia.communities.models import Affiliation, Community
from cerchia.core import testing
from cerchia.discussions import actions as discussion_actions
from cerchia.discussions import events
from cerchia.discussions.models import Post
from cerchia.moderation.actions.affiliations import set_affiliation
from cerchia.moderation.actions.disclosure import remove_disclosure
from cerchia.moderation.disclosure import disclosure_label
from cerchia.moderation.models import LogAction, ModerationLogEntry, ModerationSettings
from cerchia.notifications import actions as notification_actions

pytestmark = pytest.mark.django_db

BRAND = "Velo Alpino"


@pytest.fixture
def community(owner, moderator, member) -> Community:
    """An Italian brand community; the member reads in English."""
    community = testing.make_community(
        owner, name="Ciclisti", slug="ciclisti", language="it", brand_name=BRAND
    )
    testing.add_member(community, moderator, "moderator")
    testing.add_member(community, member)
    member.language = "en"
    member.save(update_fields=["language"])
    return community


@pytest.fixture
def brand(community, owner):
    person = testing.make_user("bruno_brand", language="en")
    membership = testing.add_member(community, person)
    set_affiliation(owner, membership, Affiliation.BRAND, BRAND)
    return person


@pytest.fixture
def topic(community, member):
    return testing.make_topic(community, member, title="Which saddle?")


@pytest.fixture
def sponsored(topic, brand):
    return testing.make_reply(topic, brand, body="Try ours", disclosure="sponsored")


def _label(brand_name: str = BRAND) -> str:
    return disclosure_label("sponsored", brand_name, "it")


def _html_any(response) -> str:
    return response.content.decode()


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# --- Who may label ------------------------------------------------------------------------


def test_an_affiliated_member_labels_a_post_with_their_organisation(sponsored):
    assert (sponsored.disclosure, sponsored.disclosure_brand) == ("sponsored", BRAND)


def test_a_member_without_affiliation_cannot_label(topic, member):
    with pytest.raises(ValidationError) as error:
        testing.make_reply(topic, member, body="Mine", disclosure="sponsored")
    assert "disclosure" in error.value.message_dict


def test_an_unknown_label_is_refused(topic, brand):
    with pytest.raises(ValidationError):
        testing.make_reply(topic, brand, body="Mine", disclosure="advert")


def test_no_label_is_stored_for_an_explicit_no(topic, brand):
    post = testing.make_reply(topic, brand, body="Just me", disclosure="none")
    assert post.disclosure == ""


def test_a_required_label_must_be_chosen_by_brand_staff_and_partners(community, topic, brand):
    ModerationSettings.objects.create(community=community, require_disclosure=True)
    with pytest.raises(ValidationError) as error:
        testing.make_reply(topic, brand, body="Unlabelled")
    assert "disclosure" in error.value.message_dict
    assert testing.make_reply(topic, brand, body="Personal", disclosure="none").disclosure == ""
    assert testing.make_reply(topic, brand, body="Gift", disclosure="gift").disclosure == "gift"


def test_a_required_label_is_not_asked_of_ambassadors_or_members(community, topic, owner, member):
    ModerationSettings.objects.create(community=community, require_disclosure=True)
    ambassador = testing.make_user("anna_ambassador")
    set_affiliation(owner, testing.add_member(community, ambassador), Affiliation.AMBASSADOR)
    assert testing.make_reply(topic, ambassador, body="Free ride").disclosure == ""
    assert testing.make_reply(topic, member, body="Hi").disclosure == ""


def test_editing_a_post_keeps_its_label(sponsored, brand):
    sponsored.topic.community = sponsored.community
    discussion_actions.edit_post(brand, sponsored, body="Try ours, really")
    sponsored.refresh_from_db()
    assert sponsored.disclosure == "sponsored"


# --- Removing a label ---------------------------------------------------------------------


def test_a_host_removes_a_label_with_a_record(sponsored, moderator):
    post = Post.objects.select_related("topic__community").get(pk=sponsored.pk)
    remove_disclosure(moderator, post, "Not sponsored after all")
    post.refresh_from_db()
    assert (post.disclosure, post.disclosure_brand) == ("", "")
    entry = ModerationLogEntry.objects.get(action=LogAction.DISCLOSURE_REMOVED)
    assert (entry.actor, entry.post_id, entry.detail) == (moderator, post.pk, "sponsored")
    assert entry.note == "Not sponsored after all"
    assert "moderation.disclosure_removed" in testing.event_kinds()


@pytest.mark.parametrize("who", ["brand", "member"])
def test_only_a_host_removes_a_label_not_its_author(sponsored, request, who):
    post = Post.objects.select_related("topic__community").get(pk=sponsored.pk)
    with pytest.raises(PermissionDenied):
        remove_disclosure(request.getfixturevalue(who), post)
    post.refresh_from_db()
    assert post.disclosure == "sponsored"


def test_removing_a_label_that_is_not_there_is_a_field_error(topic, moderator, member):
    post = testing.make_reply(topic, member, body="Plain")
    post = Post.objects.select_related("topic__community").get(pk=post.pk)
    with pytest.raises(ValidationError):
        remove_disclosure(moderator, post)
    assert not ModerationLogEntry.objects.exists()


def test_the_removal_page_for_hosts(client, sponsored, moderator, member):
    path = reverse(
        "moderation:remove_disclosure", kwargs={"slug": "ciclisti", "post_id": sponsored.pk}
    )
    client.force_login(member)
    assert client.get(path).status_code == 403
    client.force_login(moderator)
    assert _label() in _html(client.get(path))
    response = client.post(path, {"reason": "x" * 301})
    assert response.status_code == 400
    response = client.post(path, {"reason": "Wrong label"})
    assert response.status_code == 302
    sponsored.refresh_from_db()
    assert sponsored.disclosure == ""


# --- The label in every rendering ---------------------------------------------------------


def test_the_topic_page_shows_the_label_in_the_communitys_language(client, sponsored, member):
    client.force_login(member)
    html = _html(client.get(reverse("discussions:topic", args=["ciclisti", sponsored.topic_id])))
    assert '<p class="sponsored-band" lang="it" data-disclosure="sponsored">' in html
    assert _label() in html
    assert "Reply" in html  # the page itself is in the reader's English


def test_the_label_reads_in_italian_for_an_english_reader(client, community, topic, brand, member):
    community.brand_name = ""
    community.save(update_fields=["brand_name"])
    brand_membership = community.memberships.get(user=brand)
    brand_membership.affiliation_name = ""
    brand_membership.save(update_fields=["affiliation_name"])
    testing.make_reply(topic, brand, body="Ours", disclosure="sponsored")
    client.force_login(member)
    html = _html(client.get(reverse("discussions:topic", args=["ciclisti", topic.pk])))
    assert "<strong>Sponsorizzato</strong>" in html


def test_the_posts_after_partial_and_live_path_carry_the_label(client, sponsored, member):
    """A live event carries ids only; the client fetches this partial, which has the label."""
    event = events.post_event("post.created", sponsored)
    assert set(event) == {"type", "community_id", "topic_id", "post_id", "number"}
    client.force_login(member)
    path = reverse("discussions:posts_after", args=["ciclisti", sponsored.topic_id])
    html = _html(client.get(path, {"after": sponsored.number - 1}, headers={"HX-Request": "true"}))
    assert _label() in html
    assert "Brand · Velo Alpino" in html


def test_an_htmx_reply_comes_back_with_its_label(client, topic, brand):
    client.force_login(brand)
    path = reverse("discussions:reply", args=["ciclisti", topic.pk])
    response = client.post(
        path, {"body": "A gift, I liked it", "disclosure": "gift"}, headers={"HX-Request": "true"}
    )
    html = _html(response)
    assert disclosure_label("gift", BRAND, "it") in html
    assert Post.objects.get(body="A gift, I liked it").disclosure == "gift"


def test_the_composer_offers_labels_to_affiliated_members_only(client, topic, brand, member):
    path = reverse("discussions:topic", args=["ciclisti", topic.pk])
    client.force_login(brand)
    assert 'name="disclosure"' in _html(client.get(path))
    client.force_login(member)
    assert 'name="disclosure"' not in _html(client.get(path))


def test_a_bad_label_from_the_composer_is_a_form_error(client, topic, member):
    client.force_login(member)
    path = reverse("discussions:reply", args=["ciclisti", topic.pk])
    response = client.post(path, {"body": "Hi", "disclosure": "sponsored"})
    assert response.status_code == 400
    assert "Only members with an affiliation in this community label posts." in _html_any(response)
    assert not Post.objects.filter(body="Hi").exists()


def test_the_notification_email_carries_the_label_and_affiliation(
    topic, brand, member, django_capture_on_commit_callbacks
):
    reply = testing.make_reply(topic, brand, body="Try ours", disclosure="sponsored")
    with django_capture_on_commit_callbacks(execute=True):
        notification_actions.notify_new_post(reply.pk)
    assert [m.to for m in mail.outbox] == [[member.email]]
    message = mail.outbox[0]
    assert _label() in message.body
    assert "Brand · Velo Alpino" in message.body
    html = message.alternatives[0][0]  # type: ignore[attr-defined]
    assert _label() in html
    assert 'lang="it"' in html


def test_the_api_shows_the_label_in_listings_and_single_posts(sponsored, member):
    api = ApiClient(make_token(member))
    listing = api.get(f"/topics/{sponsored.topic_id}/posts").json()
    item = next(i for i in listing["items"] if i["id"] == sponsored.pk)
    single = api.get(f"/posts/{sponsored.pk}").json()
    for body in (item, single):
        assert body["disclosure"] == "sponsored"
        assert body["disclosure_label"] == _label()
        assert body["author"]["affiliation"] == "brand"
        assert body["author"]["affiliation_name"] == BRAND


def test_the_api_takes_a_label_when_posting(topic, brand, member):
    created = ApiClient(make_token(brand)).post(
        f"/topics/{topic.pk}/posts", {"body": "A gift", "disclosure": "gift"}
    )
    assert created.status_code == 201
    assert created.json()["disclosure"] == "gift"
    refused = ApiClient(make_token(member)).post(
        f"/topics/{topic.pk}/posts", {"body": "Me too", "disclosure": "gift"}
    )
    assert refused.status_code == 422


def test_the_api_removes_a_label_for_hosts_only(sponsored, moderator, brand):
    path = f"/posts/{sponsored.pk}/disclosure/remove"
    assert ApiClient(make_token(brand)).post(path, {"reason": ""}).status_code == 403
    response = ApiClient(make_token(moderator)).post(path, {"reason": "Wrong"})
    assert response.status_code == 200
    assert response.json()["disclosure"] is None
    again = ApiClient(make_token(moderator)).post(path, {})
    assert again.status_code == 422


def test_removing_a_label_refreshes_the_anonymous_page_cache(
    client, sponsored, moderator, settings, django_capture_on_commit_callbacks
):
    from cerchia.discussions import page_cache

    settings.CERCHIA_ANONYMOUS_PAGE_CACHE = 60
    testing.clear_cache()
    path = reverse("discussions:topic", args=["ciclisti", sponsored.topic_id])
    assert _label() in _html(client.get(path))
    before = page_cache.versions(sponsored.community_id)
    post = Post.objects.select_related("topic__community").get(pk=sponsored.pk)
    with django_capture_on_commit_callbacks(execute=True):
        remove_disclosure(moderator, post)
    assert page_cache.versions(sponsored.community_id) != before
    assert _label() not in _html(client.get(path))


def test_a_held_labelled_post_keeps_its_label_when_approved(community, topic, brand, owner):
    from cerchia.moderation.actions.held import approve_held_post
    from cerchia.moderation.models import Premoderation
    from cerchia.moderation.screening import PostHeld

    ModerationSettings.objects.create(
        community=community, premoderation=Premoderation.ALL, require_disclosure=True
    )
    with pytest.raises(PostHeld) as held:
        discussion_actions.create_reply(brand, topic, body="Our gift", disclosure="gift")
    with pytest.raises(PostHeld) as unlabelled:
        discussion_actions.create_reply(brand, topic, body="My view", disclosure="none")
    assert approve_held_post(owner, held.value.held).disclosure == "gift"
    assert approve_held_post(owner, unlabelled.value.held).disclosure == ""
