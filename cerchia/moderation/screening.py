"""Screening a post before it is published: rules, newcomer limits, duplicates, pre-moderation.

``screen_post`` answers for one submission: publish, hold for review (with a friendly
notice for the author), or refuse (``ValidationError`` with the rule's message). Hosts
and site admins are never screened. Posting actions call it and, on a hold, store a
``HeldPost`` and raise ``PostHeld`` so the caller can tell the author it awaits approval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cerchia.communities.models import Community
from cerchia.communities.permissions import get_access
from cerchia.core.markdown import render_markdown
from cerchia.discussions.mentions import handles_in_html
from cerchia.moderation.models import (
    ContentRule,
    HeldPost,
    HoldReason,
    ModerationSettings,
    Premoderation,
)

if TYPE_CHECKING:
    from cerchia.accounts.models import User

#: The same text in another community within this window is held as cross-posting.
DUPLICATE_WINDOW = timedelta(hours=1)
DUPLICATE_MIN_LENGTH = 20

_HREF = re.compile(r'<a\s[^>]*href="([^"]+)"', re.IGNORECASE)
_IMG = re.compile(r"<img\s", re.IGNORECASE)


class PostHeld(Exception):
    """The submission was stored for review instead of published."""

    def __init__(self, held: HeldPost) -> None:
        super().__init__(held.notice)
        self.held = held


@dataclass(frozen=True)
class Verdict:
    reason: str = ""
    notice: str = ""
    rule: ContentRule | None = None

    @property
    def hold(self) -> bool:
        return bool(self.reason)


PUBLISH = Verdict()


def settings_for(community: Community) -> ModerationSettings:
    """The community's moderation settings (defaults until a host saves them)."""
    try:
        return community.moderation_settings
    except ModerationSettings.DoesNotExist:
        return ModerationSettings(community=community)


def link_hosts(html: str) -> list[str]:
    """Host names of the links in rendered HTML (lower-case, without ``www.``)."""
    hosts = []
    for href in _HREF.findall(html):
        host = (urlsplit(href).hostname or "").lower()
        if host:
            hosts.append(host.removeprefix("www."))
    return hosts


def _matches(rule: ContentRule, text: str, hosts: list[str]) -> bool:
    pattern = rule.pattern.strip().lower()
    if not pattern:
        return False
    if rule.kind == ContentRule.Kind.DOMAIN:
        domain = pattern.removeprefix("www.")
        return any(host == domain or host.endswith("." + domain) for host in hosts)
    return re.search(r"(?<!\w)" + re.escape(pattern) + r"(?!\w)", text) is not None


def _rule_message(rule: ContentRule) -> str:
    if rule.message:
        return rule.message
    if rule.action == ContentRule.Action.REFUSE:
        return _("This community does not accept posts containing “%(pattern)s”.") % {
            "pattern": rule.pattern
        }
    return _("Your post mentions something the hosts review first; it will appear once approved.")


def _limits_notice() -> str:
    return _(
        "Welcome! New members' posts with many links, images or mentions, or many posts in a "
        "short time, are checked by a host first. Yours will appear once approved."
    )


def check_edit(actor: User, community: Community, *, body: str, title: str = "") -> None:
    """Screen an edit against the community's refusing rules (ValidationError on a match).

    Holding rules, limits and pre-moderation apply to new posts only: an edit is not held."""
    access = get_access(actor, community)
    if access.is_host or access.is_site_admin:
        return
    text = f"{title}\n{body}".lower()
    hosts = link_hosts(render_markdown(body))
    rules = ContentRule.objects.filter(community=community, action=ContentRule.Action.REFUSE)
    for rule in rules:
        if _matches(rule, text, hosts):
            raise ValidationError({"body": _rule_message(rule)})


def screen_post(
    actor: User, community: Community, *, body: str, title: str = "", topic_id: int | None = None
) -> Verdict:
    """Decide what happens to a submission. Raises ValidationError when a rule refuses it."""
    from cerchia.discussions.models import Post

    access = get_access(actor, community)
    if access.is_host or access.is_site_admin:
        return PUBLISH
    html = render_markdown(body)
    text = f"{title}\n{body}".lower()
    hosts = link_hosts(html)

    rules = list(ContentRule.objects.filter(community=community))
    matched = [rule for rule in rules if _matches(rule, text, hosts)]
    for rule in matched:
        if rule.action == ContentRule.Action.REFUSE:
            raise ValidationError({"body": _rule_message(rule)})
    if matched:
        return Verdict(HoldReason.RULE, _rule_message(matched[0]), matched[0])

    settings = settings_for(community)
    level = access.membership.trust_level if access.membership else 0
    limits = (
        settings.limits().get(str(level), {}) if django_settings.CERCHIA_NEWCOMER_LIMITS else {}
    )
    now = timezone.now()
    over = (
        len(hosts) > limits.get("links_per_post", 10**6)
        or len(_IMG.findall(html)) > limits.get("images_per_post", 10**6)
        or len(handles_in_html(html)) > limits.get("mentions_per_post", 10**6)
    )
    if not over and "posts_per_hour" in limits:
        recent = Post.objects.filter(
            author=actor, community=community, created_at__gte=now - timedelta(hours=1)
        ).count()
        recent += HeldPost.objects.filter(
            author=actor, community=community, created_at__gte=now - timedelta(hours=1)
        ).count()
        over = recent >= limits["posts_per_hour"]
    if over and access.membership is not None:
        # The member may have earned a level with laxer limits since the last hourly pass.
        from cerchia.moderation.actions.trust import raise_earned_level

        if raise_earned_level(access.membership) > level:
            return screen_post(actor, community, body=body, title=title, topic_id=topic_id)
    if over:
        return Verdict(HoldReason.LIMIT, _limits_notice())

    if len(body.strip()) >= DUPLICATE_MIN_LENGTH and (
        Post.objects.filter(author=actor, created_at__gte=now - DUPLICATE_WINDOW, body=body.strip())
        .exclude(community=community)
        .exists()
    ):
        return Verdict(
            HoldReason.DUPLICATE,
            _("The same text was just posted in another community; a host will check it first."),
        )

    if settings.premoderation == Premoderation.ALL:
        return Verdict(
            HoldReason.PREMODERATION,
            _("In this community every post is reviewed; yours will appear once approved."),
        )
    if settings.premoderation == Premoderation.NEWCOMERS and access.membership is not None:
        published = Post.objects.filter(
            author=actor, community=community, deleted_at__isnull=True
        ).count()
        if published < settings.newcomer_posts:
            return Verdict(
                HoldReason.NEWCOMER,
                _(
                    "Welcome! A new member's first posts are read by a host before they appear; "
                    "yours will be published once approved."
                ),
            )
    return PUBLISH
