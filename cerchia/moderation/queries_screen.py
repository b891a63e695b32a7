"""Reading a community's screening setup: settings, content rules, trust levels (hosts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404
from django.utils.translation import gettext as _

from cerchia.communities.models import Community, Membership
from cerchia.moderation import permissions, trust
from cerchia.moderation.models import ContentRule, ModerationSettings
from cerchia.moderation.screening import settings_for

if TYPE_CHECKING:
    from cerchia.moderation.permissions import Actor


def get_moderation_settings(actor: Actor, community: Community) -> ModerationSettings:
    """The community's settings (defaults until saved): hosts and site admins."""
    permissions.check_moderate(actor, community)
    return settings_for(community)


def list_rules(actor: Actor, community: Community) -> list[ContentRule]:
    """The community's keyword and domain rules: hosts and site admins."""
    permissions.check_moderate(actor, community)
    return list(ContentRule.objects.filter(community=community))


def get_rule(actor: Actor, community: Community, rule_id: int) -> ContentRule:
    """One rule of the community (404 when it has no such rule)."""
    permissions.check_moderate(actor, community)
    rule = ContentRule.objects.filter(community=community, pk=rule_id).first()
    if rule is None:
        raise Http404(_("No such rule."))
    rule.community = community
    return rule


def level_counts(actor: Actor, community: Community) -> dict[int, int]:
    """How many members are at each trust level: hosts and site admins."""
    permissions.check_moderate(actor, community)
    return trust.level_counts(community)


def get_member(actor: Actor, community: Community, handle: str) -> Membership:
    """A member of the community by handle, for hosts (404 for anyone who is not a member)."""
    permissions.check_moderate(actor, community)
    membership = (
        Membership.objects.select_related("user")
        .filter(community=community, user__handle__iexact=handle.strip().removeprefix("@"))
        .first()
    )
    if membership is None:
        raise Http404(_("This person is not a member of the community."))
    return membership
