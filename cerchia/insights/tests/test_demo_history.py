"""The demo's months of history: consistent rows and events, and rollups with something to show."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from cerchia.accounts.models import User
from cerchia.communities.models import Community
from cerchia.core.demo.loader import DemoLoader
from cerchia.discussions.models import Post, Reaction, Topic
from cerchia.insights import demo, rollups
from cerchia.insights.models import CommunityDay, Event, MemberDay, MemberFact, Scope, TopicFact

pytestmark = pytest.mark.django_db


def test_the_largest_demo_community_gets_ninety_days_of_history(
    settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CERCHIA_DEMO_HISTORY = True
    DemoLoader(with_images=False).load()
    largest = Community.objects.order_by("-member_count", "pk").first()
    assert largest is not None

    report = demo.add_insights_history()

    assert not report.skipped
    assert report.community == largest.slug
    assert report.people == 40
    community = Community.objects.get(pk=largest.pk)
    assert community.timezone == "Europe/Rome"
    assert community.member_count == community.memberships.count() >= 45
    newcomers = User.objects.filter(email__startswith="insights.")
    assert newcomers.filter(analytics_consent=True).exists()
    assert newcomers.filter(analytics_consent=False).exists()

    now = timezone.now()
    kinds = Counter(Event.objects.filter(community=community).values_list("kind", flat=True))
    topics = Topic.objects.filter(community=community)
    assert kinds["topic.created"] == topics.count()
    assert kinds["post.created"] == Post.objects.filter(community=community, number__gt=1).count()
    assert kinds["reaction.added"] == Reaction.objects.filter(post__community=community).count()
    assert kinds["community.visited"] > 300
    assert not Event.objects.filter(created_at__gt=now).exists()
    for post in Post.objects.filter(community=community).exclude(reaction_counts={}):
        assert post.reaction_counts == dict(Counter(post.reactions.values_list("kind", flat=True)))
    for reaction in Reaction.objects.filter(post__community=community).select_related("post"):
        assert reaction.post.created_at <= reaction.created_at < now
        assert reaction.user_id != reaction.post.author_id
    for topic in topics:
        assert topic.reply_count == topic.posts.count() - 1

    zone = rollups.community_zone(community.timezone)
    today = rollups.local_day(now, zone)
    days = MemberDay.objects.filter(community=community).values_list("day", flat=True)
    assert today - min(days) >= timedelta(days=85)
    latest = CommunityDay.objects.get(community=community, day=today, scope=Scope.MEMBERS)
    assert latest.mau >= 20
    assert latest.wau >= 10
    weekly: Counter[bool] = Counter()
    for row in CommunityDay.objects.filter(community=community, scope=Scope.MEMBERS):
        weekly[row.day.weekday() >= 5] += row.engaged_events
    assert weekly[False] / 5 > weekly[True] / 2  # quieter weekends
    assert TopicFact.objects.filter(community=community, first_reply_at__isnull=True).count() >= 2
    quiet = MemberFact.objects.filter(
        community=community,
        last_engaged_on__gte=today - timedelta(days=21),
        last_engaged_on__lte=today - timedelta(days=9),
        user__email__startswith="insights.",
    )
    assert quiet.count() >= 2

    before = Event.objects.count()
    assert demo.add_insights_history().skipped
    assert Event.objects.count() == before


def test_test_runs_of_the_demo_leave_the_history_out(settings: Any) -> None:
    settings.CERCHIA_DEMO_HISTORY = False
    assert demo.add_insights_history().skipped
