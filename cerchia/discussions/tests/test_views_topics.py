"""Topic and post pages: what each page shows, what each POST writes, and every refusal."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from cerchia.communities.models import Community, Role
from cerchia.core import testing
from cerchia.discussions.models import (
    Bookmark,
    Post,
    PostRevision,
    Reaction,
    ReadState,
    Subscription,
    Topic,
    TopicKind,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
XSS_TITLE = '<script>alert("title")</script>Espresso'
XSS_BODY = '<img src=x onerror="alert(1)"> <script>alert(2)</script> [link](javascript:alert(3))'


def url(name: str, community: Community, **kwargs: object) -> str:
    return reverse(f"discussions:{name}", kwargs={"slug": community.slug, **kwargs})


def signed_in(client, user):
    client.force_login(user)
    return client


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and reverse("account_login") in response["Location"]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


@pytest.fixture
def topic(public_community, member) -> Topic:
    return testing.make_topic(public_community, member, title="Grinder advice", body="Which one?")


@pytest.fixture
def reply(topic, moderator) -> Post:
    return testing.make_reply(topic, moderator, body="The hand grinder is fine.")


# --- The community page and the topic list ----------------------------------------------------


def test_community_page_lists_topics_with_new_topic_button(client, public_community, topic, member):
    response = signed_in(client, member).get(
        reverse("communities:detail", kwargs={"slug": public_community.slug})
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Grinder advice" in html
    assert url("new_topic", public_community) in html


def test_community_page_for_a_non_reader_shows_no_topics(
    client, private_community, member, stranger
):
    testing.make_topic(private_community, member, title="Secret darkroom tips")
    response = signed_in(client, stranger).get(
        reverse("communities:detail", kwargs={"slug": private_community.slug})
    )
    assert response.status_code == 200
    assert "Secret darkroom tips" not in response.content.decode()


def test_anonymous_reader_sees_topics_but_no_new_topic_button(client, public_community, topic):
    response = client.get(reverse("communities:detail", kwargs={"slug": public_community.slug}))
    html = response.content.decode()
    assert "Grinder advice" in html
    assert url("new_topic", public_community) not in html


def test_topic_list_pages_with_load_more(client, public_community, member):
    for number in range(32):
        testing.make_topic(public_community, member, title=f"Topic number {number}")
    first = client.get(url("topic_list", public_community))
    assert first.status_code == 200
    cursor = re.search(r"\?cursor=([\w%-]+)", first.content.decode())
    assert cursor is not None
    more = client.get(url("topic_list", public_community) + f"?cursor={cursor.group(1)}", **HTMX)
    html = more.content.decode()
    assert more.status_code == 200
    assert "<html" not in html
    assert "Topic number 0" in html
    assert "Topic number 31" not in html
    # A forged cursor gives the first page, not an error.
    assert client.get(url("topic_list", public_community) + "?cursor=!!").status_code == 200


def test_pinned_topic_comes_first(client, public_community, member, owner):
    pinned = testing.make_topic(public_community, member, title="House rules for brewing")
    testing.make_topic(public_community, member, title="Newest chat")
    signed_in(client, owner).post(
        url("moderate", public_community, topic_id=pinned.pk), {"action": "pin"}
    )
    html = client.get(url("topic_list", public_community)).content.decode()
    assert html.index("House rules for brewing") < html.index("Newest chat")


# --- Starting a topic -------------------------------------------------------------------------


def test_new_topic_form_offers_announcements_only_to_hosts(client, public_community, member, owner):
    as_member = signed_in(client, member).get(url("new_topic", public_community))
    assert as_member.status_code == 200
    assert 'value="announcement"' not in as_member.content.decode()
    assert 'name="idempotency_key"' in as_member.content.decode()
    as_owner = signed_in(client, owner).get(url("new_topic", public_community))
    assert 'value="announcement"' in as_owner.content.decode()


def test_member_cannot_post_an_announcement(client, public_community, member):
    response = signed_in(client, member).post(
        url("new_topic", public_community),
        {"title": "Big news", "body": "Hear ye", "kind": TopicKind.ANNOUNCEMENT},
    )
    assert response.status_code == 400
    assert not Topic.objects.filter(title="Big news").exists()


def test_host_posts_an_announcement(client, public_community, owner):
    response = signed_in(client, owner).post(
        url("new_topic", public_community),
        {"title": "Big news", "body": "Hear ye", "kind": TopicKind.ANNOUNCEMENT},
    )
    topic = Topic.objects.get(title="Big news")
    assert topic.kind == TopicKind.ANNOUNCEMENT
    assert response.status_code == 302
    assert response["Location"] == url("topic", public_community, topic_id=topic.pk)


def test_new_topic_with_tags_from_the_community(client, public_community, member):
    from cerchia.accounts.models import Interest

    espresso = Interest.objects.create(slug="espresso", name="Espresso")
    public_community.interests.add(espresso)
    form = signed_in(client, member).get(url("new_topic", public_community)).content.decode()
    assert 'value="espresso"' in form
    client.post(
        url("new_topic", public_community),
        {"title": "Tagged topic", "body": "Body", "kind": "discussion", "tags": ["espresso"]},
    )
    topic = Topic.objects.get(title="Tagged topic")
    assert [tag.slug for tag in topic.tags.all()] == ["espresso"]


def test_new_topic_errors_are_shown_on_the_form(client, public_community, member):
    response = signed_in(client, member).post(
        url("new_topic", public_community), {"title": "x", "body": "", "kind": "discussion"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "at least 3 characters" in html
    response = client.post(
        url("new_topic", public_community), {"title": "Fine title", "body": " ", "kind": "question"}
    )
    assert response.status_code == 400
    assert "Write something first." in response.content.decode()
    assert 'value="Fine title"' in response.content.decode()


def test_double_submit_of_a_new_topic_creates_one_topic(client, public_community, member):
    data = {"title": "Only once", "body": "Hello", "kind": "discussion", "idempotency_key": "k-1"}
    signed_in(client, member)
    first = client.post(url("new_topic", public_community), data)
    second = client.post(url("new_topic", public_community), data)
    assert Topic.objects.filter(title="Only once").count() == 1
    assert first["Location"] == second["Location"]


def test_stranger_cannot_start_a_topic(client, public_community, stranger):
    response = signed_in(client, stranger).get(url("new_topic", public_community))
    assert response.status_code == 403
    assert "Join the community" in response.content.decode()


def test_anonymous_is_sent_to_sign_in_to_start_a_topic(client, public_community):
    assert is_login_redirect(client.get(url("new_topic", public_community)))


# --- The topic page ---------------------------------------------------------------------------


def test_topic_page_shows_posts_with_live_list_markup(client, public_community, topic, reply):
    response = client.get(url("topic", public_community, topic_id=topic.pk))
    html = response.content.decode()
    assert response.status_code == 200
    posts_url = url("posts_after", public_community, topic_id=topic.pk)
    assert (
        f'<ol class="posts" id="posts" data-live-topic="{topic.pk}" data-after="2" '
        f'data-posts-url="{posts_url}">'
    ) in html
    assert '<li class="post" id="post-1" data-number="1">' in html
    assert 'id="post-2"' in html
    assert "The hand grinder is fine." in html
    assert "<time datetime=" in html
    assert "Moderator" in html  # the reply author's role label


def test_private_topic_is_404_to_a_stranger(client, private_community, member, stranger):
    topic = testing.make_topic(private_community, member, title="Darkroom")
    path = url("topic", private_community, topic_id=topic.pk)
    assert signed_in(client, stranger).get(path).status_code == 404
    client.logout()
    assert client.get(path).status_code == 404


def test_topic_of_another_community_is_404(client, public_community, private_community, member):
    topic = testing.make_topic(private_community, member, title="Darkroom")
    response = signed_in(client, member).get(url("topic", public_community, topic_id=topic.pk))
    assert response.status_code == 404


def test_topic_pages_by_post_number(client, public_community, topic, moderator):
    for number in range(2, 46):
        testing.make_reply(topic, moderator, body=f"Reply body {number}")
    html = client.get(
        url("topic", public_community, topic_id=topic.pk) + "?page=2"
    ).content.decode()
    assert 'id="post-21"' in html
    assert 'id="post-40"' in html
    assert 'id="post-20"' not in html
    assert 'id="post-41"' not in html
    assert 'data-after="40"' in html
    assert 'aria-current="page"' in html
    assert "?page=3" in html
    # A page past the end shows the last one.
    html = client.get(
        url("topic", public_community, topic_id=topic.pk) + "?page=99"
    ).content.decode()
    assert 'id="post-45"' in html


def test_post_link_redirects_to_its_page_and_anchor(client, public_community, topic, moderator):
    for _number in range(2, 26):
        testing.make_reply(topic, moderator)
    response = client.get(url("post_link", public_community, topic_id=topic.pk, number=23))
    assert response.status_code == 302
    assert response["Location"].endswith("?page=2#post-23")
    missing = client.get(url("post_link", public_community, topic_id=topic.pk, number=99))
    assert missing.status_code == 404


def test_viewing_a_page_marks_it_read_for_members(client, public_community, topic, reply, owner):
    signed_in(client, owner).get(url("topic", public_community, topic_id=topic.pk))
    assert ReadState.objects.get(user=owner, topic=topic).last_read_number == 2


def test_viewing_as_a_non_member_keeps_no_read_state(client, public_community, topic, stranger):
    signed_in(client, stranger).get(url("topic", public_community, topic_id=topic.pk))
    assert not ReadState.objects.filter(user=stranger).exists()


def test_first_unread_jumps_to_the_first_new_post(
    client, public_community, topic, owner, moderator
):
    for _number in range(2, 5):
        testing.make_reply(topic, moderator)
    signed_in(client, owner).post(
        url("mark_read", public_community, topic_id=topic.pk), {"number": 2}
    )
    response = client.get(url("first_unread", public_community, topic_id=topic.pk))
    assert response["Location"].endswith("#post-3")
    page = client.get(url("topic", public_community, topic_id=topic.pk)).content.decode()
    assert "New since your last visit" in page


def test_accepted_answer_is_shown_under_the_question(client, public_community, member, owner):
    question = testing.make_topic(public_community, member, title="Why sour?", kind="question")
    answer = testing.make_reply(question, owner, body="Grind finer, it is under-extracted.")
    testing.make_reply(question, owner, body="Also check the temperature.")
    response = signed_in(client, member).post(
        url("accept", public_community, topic_id=question.pk), {"post": answer.pk}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.accepted_answer_id == answer.pk
    html = client.get(url("topic", public_community, topic_id=question.pk)).content.decode()
    opening, answer_block, second = (
        html.index('id="post-1"'),
        html.index("accepted-answer-heading"),
        html.index('id="post-2"'),
    )
    assert opening < answer_block < second
    client.post(url("accept", public_community, topic_id=question.pk), {"action": "unaccept"})
    question.refresh_from_db()
    assert question.accepted_answer_id is None


def test_only_the_asker_or_a_host_accepts(client, public_community, member, moderator):
    question = testing.make_topic(public_community, member, title="Why sour?", kind="question")
    answer = testing.make_reply(question, moderator)
    other = testing.make_user("other_member")
    testing.add_member(public_community, other)
    response = signed_in(client, other).post(
        url("accept", public_community, topic_id=question.pk), {"post": answer.pk}
    )
    assert response.status_code == 403
    unaccept = client.post(
        url("accept", public_community, topic_id=question.pk), {"action": "unaccept"}
    )
    assert unaccept.status_code == 403


# --- Replying ---------------------------------------------------------------------------------


def test_member_replies_and_lands_on_the_permalink(client, public_community, topic, member):
    response = signed_in(client, member).post(
        url("reply", public_community, topic_id=topic.pk), {"body": "Thanks!"}
    )
    post = Post.objects.get(topic=topic, number=2)
    assert post.body == "Thanks!"
    assert response["Location"].endswith("#post-2")


def test_non_member_cannot_reply(client, public_community, topic, stranger):
    response = signed_in(client, stranger).post(
        url("reply", public_community, topic_id=topic.pk), {"body": "Let me in"}
    )
    assert response.status_code == 403
    assert not Post.objects.filter(topic=topic, number=2).exists()


def test_anonymous_reply_is_sent_to_sign_in(client, public_community, topic):
    assert is_login_redirect(
        client.post(url("reply", public_community, topic_id=topic.pk), {"body": "Hi"})
    )


def test_reply_in_a_locked_topic_is_refused_to_members(
    client, public_community, topic, member, owner
):
    signed_in(client, owner).post(
        url("moderate", public_community, topic_id=topic.pk), {"action": "lock"}
    )
    page = client.get(url("topic", public_community, topic_id=topic.pk)).content.decode()
    assert "This topic is locked." in page
    response = signed_in(client, member).post(
        url("reply", public_community, topic_id=topic.pk), {"body": "Still here"}
    )
    assert response.status_code == 403


def test_idempotent_double_reply_gives_one_post(client, public_community, topic, member):
    signed_in(client, member)
    data = {"body": "Only once please", "idempotency_key": "reply-key-1"}
    first = client.post(url("reply", public_community, topic_id=topic.pk), data)
    second = client.post(url("reply", public_community, topic_id=topic.pk), data)
    assert Post.objects.filter(topic=topic, body="Only once please").count() == 1
    assert first["Location"] == second["Location"]


def test_composer_carries_a_fresh_idempotency_key(client, public_community, topic, member):
    signed_in(client, member)
    keys = [
        re.search(
            r'name="idempotency_key" value="([^"]+)"',
            client.get(url("topic", public_community, topic_id=topic.pk)).content.decode(),
        )
        for _ in range(2)
    ]
    assert keys[0]
    assert keys[1]
    assert keys[0].group(1) != keys[1].group(1)


def test_empty_reply_shows_the_form_again(client, public_community, topic, member):
    response = signed_in(client, member).post(
        url("reply", public_community, topic_id=topic.pk), {"body": "  "}
    )
    assert response.status_code == 400
    assert "Write something first." in response.content.decode()


def test_htmx_reply_returns_the_post_and_a_fresh_composer(client, public_community, topic, member):
    response = signed_in(client, member).post(
        url("reply", public_community, topic_id=topic.pk),
        {"body": "Via htmx", "idempotency_key": "htmx-key"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<li") or '<li class="post" id="post-2"' in html
    assert "Via htmx" in html
    assert 'hx-swap-oob="true"' in html
    assert 'value="htmx-key"' not in html


def test_htmx_reply_error_retargets_the_composer(client, public_community, topic, member):
    response = signed_in(client, member).post(
        url("reply", public_community, topic_id=topic.pk), {"body": ""}, **HTMX
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#composer"
    assert "Write something first." in response.content.decode()


def test_reply_to_and_quote_a_post(client, public_community, topic, reply, member):
    signed_in(client, member)
    page = client.get(
        url("topic", public_community, topic_id=topic.pk) + f"?quote={reply.pk}"
    ).content.decode()
    assert "&gt; The hand grinder is fine." in page
    client.post(
        url("reply", public_community, topic_id=topic.pk),
        {"body": "> The hand grinder is fine.\n\nAgreed", "quote": reply.pk, "reply_to": reply.pk},
    )
    post = Post.objects.get(topic=topic, number=3)
    assert post.reply_to_id == reply.pk
    assert post.quoted_id == reply.pk
    html = client.get(url("topic", public_community, topic_id=topic.pk)).content.decode()
    assert "In reply to #2" in html


def test_reply_to_a_post_of_another_topic_is_a_form_error(
    client, public_community, topic, member, moderator
):
    elsewhere = testing.make_reply(
        testing.make_topic(public_community, member, title="Elsewhere"), moderator
    )
    response = signed_in(client, member).post(
        url("reply", public_community, topic_id=topic.pk),
        {"body": "Hmm", "reply_to": elsewhere.pk},
    )
    assert response.status_code == 400
    assert "only reply to a post in this topic" in response.content.decode()


def test_posts_after_returns_list_items_only(client, public_community, topic, reply):
    response = client.get(url("posts_after", public_community, topic_id=topic.pk) + "?after=1")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<ol" not in html
    assert 'id="post-2"' in html
    assert 'id="post-1"' not in html
    assert (
        client.get(url("posts_after", public_community, topic_id=topic.pk) + "?after=x").status_code
        == 200
    )


def test_posts_after_in_a_private_community_is_404_to_strangers(
    client, private_community, member, stranger
):
    topic = testing.make_topic(private_community, member, title="Darkroom")
    response = signed_in(client, stranger).get(
        url("posts_after", private_community, topic_id=topic.pk) + "?after=0"
    )
    assert response.status_code == 404


# --- XSS --------------------------------------------------------------------------------------


class _ActiveContent(HTMLParser):
    """Collects what could run: inline scripts, on* handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("inline script")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")


def active_content(html: str) -> list[str]:
    parser = _ActiveContent()
    parser.feed(html)
    return parser.found


def test_script_in_title_and_body_is_inert(client, public_community, member):
    signed_in(client, member).post(
        url("new_topic", public_community),
        {"title": XSS_TITLE, "body": XSS_BODY, "kind": "discussion"},
    )
    topic = Topic.objects.get(title__endswith="Espresso")
    testing.make_reply(topic, member, body=XSS_BODY)
    for path in (
        url("topic", public_community, topic_id=topic.pk),
        url("posts_after", public_community, topic_id=topic.pk) + "?after=0",
        reverse("communities:detail", kwargs={"slug": public_community.slug}),
        url("topic_list", public_community),
    ):
        html = client.get(path).content.decode()
        assert active_content(html) == [], path
    html = client.get(url("topic", public_community, topic_id=topic.pk)).content.decode()
    assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;Espresso" in html


# --- Editing, history, deleting ---------------------------------------------------------------


def test_author_edits_the_opening_post_title_and_body(client, public_community, topic, member):
    opening = topic.posts.get(number=1)
    form = signed_in(client, member).get(url("edit_post", public_community, post_id=opening.pk))
    assert form.status_code == 200
    assert "Grinder advice" in form.content.decode()
    response = client.post(
        url("edit_post", public_community, post_id=opening.pk),
        {"title": "Grinder advice, please", "body": "Which one is best?"},
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    opening.refresh_from_db()
    assert topic.title == "Grinder advice, please"
    assert opening.body == "Which one is best?"
    assert PostRevision.objects.get(post=opening).body == "Which one?"


def test_stranger_and_other_members_cannot_edit(client, public_community, topic, stranger):
    opening = topic.posts.get(number=1)
    assert (
        signed_in(client, stranger)
        .get(url("edit_post", public_community, post_id=opening.pk))
        .status_code
        == 403
    )
    assert (
        client.post(
            url("edit_post", public_community, post_id=opening.pk), {"title": "Hijack", "body": "x"}
        ).status_code
        == 403
    )


def test_post_of_another_community_is_404(client, public_community, private_community, member):
    topic = testing.make_topic(private_community, member, title="Darkroom")
    opening = topic.posts.get(number=1)
    response = signed_in(client, member).get(url("edit_post", public_community, post_id=opening.pk))
    assert response.status_code == 404


def test_history_only_for_the_author_and_hosts(
    client, public_community, topic, member, owner, stranger
):
    opening = topic.posts.get(number=1)
    signed_in(client, member).post(
        url("edit_post", public_community, post_id=opening.pk),
        {"title": "Grinder advice", "body": "Which grinder?"},
    )
    history = url("post_history", public_community, post_id=opening.pk)
    assert "Which one?" in client.get(history).content.decode()
    assert "Which one?" in signed_in(client, owner).get(history).content.decode()
    other = testing.make_user("other_member")
    testing.add_member(public_community, other)
    assert signed_in(client, other).get(history).status_code == 403
    assert signed_in(client, stranger).get(history).status_code == 403
    client.logout()
    assert is_login_redirect(client.get(history))


def test_deleted_post_is_a_placeholder_and_hosts_restore_it(
    client, public_community, topic, reply, member, owner
):
    signed_in(client, owner).post(url("delete_post", public_community, post_id=reply.pk))
    reply.refresh_from_db()
    assert reply.deleted_at is not None
    page = signed_in(client, member).get(url("topic", public_community, topic_id=topic.pk))
    html = page.content.decode()
    assert "This post was deleted" in html
    assert "The hand grinder is fine." not in html
    assert url("restore_post", public_community, post_id=reply.pk) not in html
    host_page = signed_in(client, owner).get(url("topic", public_community, topic_id=topic.pk))
    assert url("restore_post", public_community, post_id=reply.pk) in host_page.content.decode()
    client.post(url("restore_post", public_community, post_id=reply.pk))
    reply.refresh_from_db()
    assert reply.deleted_at is None


def test_member_cannot_restore(client, public_community, topic, reply, owner, member):
    signed_in(client, owner).post(url("delete_post", public_community, post_id=reply.pk))
    response = signed_in(client, member).post(
        url("restore_post", public_community, post_id=reply.pk)
    )
    assert response.status_code == 404


def test_htmx_delete_returns_the_placeholder(client, public_community, topic, member):
    mine = testing.make_reply(topic, member, body="Oops, wrong topic")
    response = signed_in(client, member).post(
        url("delete_post", public_community, post_id=mine.pk), **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This post was deleted" in html
    assert "Oops, wrong topic" not in html


def test_deleting_the_opening_post_deletes_the_topic(client, public_community, topic, member):
    opening = topic.posts.get(number=1)
    response = signed_in(client, member).post(
        url("delete_post", public_community, post_id=opening.pk)
    )
    assert response["Location"] == reverse(
        "communities:detail", kwargs={"slug": public_community.slug}
    )
    topic.refresh_from_db()
    assert topic.deleted_at is not None
    assert client.get(url("topic", public_community, topic_id=topic.pk)).status_code == 404


# --- Host tools -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "field", "value"),
    [("pin", "is_pinned", True), ("lock", "locked_at", "set"), ("close", "closed_at", "set")],
)
def test_hosts_pin_lock_close(client, public_community, topic, moderator, action, field, value):
    response = signed_in(client, moderator).post(
        url("moderate", public_community, topic_id=topic.pk), {"action": action}
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    current = getattr(topic, field)
    assert (current is not None) if value == "set" else current == value


def test_members_cannot_moderate(client, public_community, topic, member):
    response = signed_in(client, member).post(
        url("moderate", public_community, topic_id=topic.pk), {"action": "pin"}
    )
    assert response.status_code == 403
    page = client.get(url("topic", public_community, topic_id=topic.pk)).content.decode()
    assert url("moderate", public_community, topic_id=topic.pk) not in page


def test_move_to_another_community_the_host_runs(client, public_community, topic, owner):
    other = testing.make_community(owner, slug="milk-frothing", name="Milk frothing")
    form = signed_in(client, owner).get(url("move", public_community, topic_id=topic.pk))
    assert "Milk frothing" in form.content.decode()
    response = client.post(url("move", public_community, topic_id=topic.pk), {"target": other.slug})
    topic.refresh_from_db()
    assert topic.community_id == other.pk
    assert response["Location"] == url("topic", other, topic_id=topic.pk)


def test_move_to_a_community_not_hosted_is_refused(client, public_community, topic, moderator):
    elsewhere = testing.make_community(slug="not-mine")
    testing.add_member(elsewhere, moderator)
    response = signed_in(client, moderator).post(
        url("move", public_community, topic_id=topic.pk), {"target": elsewhere.slug}
    )
    assert response.status_code == 400
    topic.refresh_from_db()
    assert topic.community_id == public_community.pk


# --- Reactions, bookmarks, notification level -------------------------------------------------


def test_reaction_toggles_and_is_highlighted(client, public_community, topic, reply, member):
    signed_in(client, member)
    react = url("react", public_community, post_id=reply.pk)
    response = client.post(react, {"kind": "heart"}, **HTMX)
    html = response.content.decode()
    assert Reaction.objects.filter(post=reply, user=member, kind="heart").exists()
    assert 'class="reaction reaction--mine"' in html
    assert 'aria-pressed="true"' in html
    assert url("reactors", public_community, post_id=reply.pk) in html
    reactors = client.get(url("reactors", public_community, post_id=reply.pk)).content.decode()
    assert member.name in reactors
    client.post(react, {"kind": "heart"})
    assert not Reaction.objects.filter(post=reply, user=member).exists()


def test_stranger_cannot_react(client, public_community, reply, stranger):
    response = signed_in(client, stranger).post(
        url("react", public_community, post_id=reply.pk), {"kind": "heart"}
    )
    assert response.status_code == 403
    bad = signed_in(client, stranger).post(
        url("react", public_community, post_id=reply.pk), {"kind": "nope"}
    )
    assert bad.status_code == 403


def test_bookmark_toggles(client, public_community, topic, reply, member):
    signed_in(client, member)
    path = url("bookmark", public_community, post_id=reply.pk)
    response = client.post(path, **HTMX)
    assert 'aria-pressed="true"' in response.content.decode()
    assert Bookmark.objects.filter(user=member, post=reply).exists()
    client.post(path)
    assert not Bookmark.objects.filter(user=member, post=reply).exists()


def test_topic_notification_level(client, public_community, topic, member, stranger):
    signed_in(client, member)
    page = client.get(url("topic", public_community, topic_id=topic.pk)).content.decode()
    assert url("topic_level", public_community, topic_id=topic.pk) in page
    response = client.post(
        url("topic_level", public_community, topic_id=topic.pk), {"level": "muted"}, **HTMX
    )
    assert response.status_code == 200
    assert Subscription.objects.get(user=member, topic=topic).level == "muted"
    assert re.search(r'value="muted"[^>]*checked', response.content.decode())
    refused = signed_in(client, stranger).post(
        url("topic_level", public_community, topic_id=topic.pk), {"level": "muted"}
    )
    assert refused.status_code == 403


def test_mark_read_is_for_members(client, public_community, topic, reply, owner, stranger):
    signed_in(client, owner).post(
        url("mark_read", public_community, topic_id=topic.pk), {"number": 1}, **HTMX
    )
    assert ReadState.objects.get(user=owner, topic=topic).last_read_number == 1
    refused = signed_in(client, stranger).post(
        url("mark_read", public_community, topic_id=topic.pk), {"number": 1}
    )
    assert refused.status_code == 403


def test_moderator_role_label_only_for_hosts(client, public_community, topic, reply):
    html = client.get(url("topic", public_community, topic_id=topic.pk)).content.decode()
    assert f"pill--{Role.MODERATOR}" in html
    assert f"pill--{Role.MEMBER}" not in html


def test_bookmark_remove_from_a_stale_list_never_adds_it_back(client, public_community, member):
    topic = testing.make_topic(public_community, member, title="Keep this")
    post = topic.posts.get(number=1)
    client.force_login(member)
    url = f"/c/{public_community.slug}/posts/{post.pk}/bookmark/"
    response = client.post(url, {"action": "remove", "next": "/bookmarks/"})
    assert response.status_code == 302
    assert response["Location"] == "/bookmarks/"
    assert not Bookmark.objects.filter(user=member, post=post).exists()
    client.post(url, {"action": "add"})
    client.post(url, {"action": "add"})
    assert Bookmark.objects.filter(user=member, post=post).count() == 1
    response = client.post(url, {"action": "remove", "next": "https://elsewhere.example/"})
    assert response["Location"].startswith(f"/c/{public_community.slug}/t/{topic.pk}/")
