"""@mentions: members are linked and recorded; anyone else stays plain text and learns nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cerchia.core import testing
from cerchia.core.markdown import render_markdown
from cerchia.discussions import actions
from cerchia.discussions.mentions import (
    MAX_MENTIONS,
    extract_handles,
    handles_in_html,
    link_mentions,
    resolve_mentions,
)
from cerchia.discussions.models import Mention

pytestmark = pytest.mark.django_db


def test_extract_handles_in_order_lowercased_once():
    assert extract_handles("Hi @Anna and @bob_2, and @anna again") == ["anna", "bob_2"]


@pytest.mark.parametrize(
    "text",
    [
        "mail anna@example.org",
        "`@anna`",
        "```\n@anna\n```",
        "~~~\n@anna\n~~~",
        "    @anna in an indented block",
        "[@anna](https://example.org)",
        "https://example.org/@anna",
        "@ab is too short",
    ],
)
def test_handles_that_are_not_mentions(text):
    assert extract_handles(text) == []


def test_mentions_are_capped():
    text = " ".join(f"@person{number}" for number in range(MAX_MENTIONS + 5))
    assert len(extract_handles(text)) == MAX_MENTIONS


def test_handles_in_html_skip_links_and_code():
    html = '<p>@one <a href="/x">@two</a> <code>@three</code></p><pre><code>@four</code></pre>'
    assert handles_in_html(html) == ["one"]


def test_resolve_only_members(public_community, member, stranger):
    found = resolve_mentions(public_community, ["mia_member", "sam_stranger", "nobody"])
    assert found == {"mia_member": member}
    assert resolve_mentions(public_community, []) == {}


def test_link_mentions_links_members_only(public_community, member):
    html = render_markdown("Hi @Mia_Member and @sam_stranger, see `@mia_member`")
    linked = link_mentions(html, {"mia_member": member})
    url = reverse("accounts:profile", kwargs={"handle": "mia_member"})
    assert f'<a class="mention" href="{url}">@mia_member</a>' in linked
    assert "@sam_stranger" in linked
    assert linked.count('class="mention"') == 1
    assert "<code>@mia_member</code>" in linked


def test_non_member_mention_reveals_nothing(public_community, moderator, stranger):
    topic = testing.make_topic(public_community, moderator)
    existing = actions.create_reply(moderator, topic, body="Ask @sam_stranger")
    missing = actions.create_reply(moderator, topic, body="Ask @sam_strangex")
    # An account that exists but is not a member renders exactly like one that does not.
    assert existing.body_html.replace("sam_stranger", "X") == missing.body_html.replace(
        "sam_strangex", "X"
    )
    assert not Mention.objects.exists()


def test_mention_of_a_former_member_is_plain(private_community, member, moderator):
    from cerchia.communities.actions import leave_community

    leave_community(member, private_community)
    topic = testing.make_topic(private_community, moderator)
    reply = actions.create_reply(moderator, topic, body="Thanks @mia_member")
    assert 'class="mention"' not in reply.body_html
    assert not reply.mentions.exists()


def test_mention_records_each_member_once(public_community, member, moderator, owner):
    topic = testing.make_topic(public_community, moderator)
    reply = actions.create_reply(
        moderator, topic, body="@mia_member @MIA_MEMBER @olivia_owner @marco_mod"
    )
    assert sorted(reply.mentions.values_list("user_id", flat=True)) == sorted(
        [member.pk, owner.pk]
    )  # the author is linked but not recorded
    assert reply.body_html.count('class="mention"') == 4


def test_mixed_case_handles_are_mentioned(public_community, moderator):
    anna = testing.make_user("Anna_Rossi")
    testing.add_member(public_community, anna)
    assert resolve_mentions(public_community, ["anna_rossi"]) == {"anna_rossi": anna}
    topic = testing.make_topic(public_community, moderator)
    reply = actions.create_reply(moderator, topic, body="Thanks @anna_rossi and @ANNA_ROSSI")
    url = reverse("accounts:profile", kwargs={"handle": "Anna_Rossi"})
    assert reply.body_html.count(f'<a class="mention" href="{url}">@Anna_Rossi</a>') == 2
    assert list(reply.mentions.values_list("user_id", flat=True)) == [anna.pk]
