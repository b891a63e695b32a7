"""Reading the review queue: open reports grouped by what they are about, and held posts.

Every function checks that the actor moderates the community (``check_moderate``) and
costs the same few queries whatever the page size.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Min
from django.http import Http404
from django.utils.translation import gettext as _

from cerchia.communities.models import Community
from cerchia.discussions.models import Post, Topic
from cerchia.moderation import permissions
from cerchia.moderation.models import HeldPost, Report, ReportReason

if TYPE_CHECKING:
    from cerchia.accounts.models import User
    from cerchia.moderation.permissions import Actor

PER_PAGE = 20
#: The furthest page a queue goes (a queue that long needs more hosts, not more pages).
MAX_PAGE = 500


@dataclass
class ReportGroup:
    """Every open report on one thing: who reported it, why, and the thing itself."""

    target_key: str
    target: str
    first_at: datetime
    reports: list[Report] = field(default_factory=list)
    post: Post | None = None
    topic: Topic | None = None
    member: User | None = None

    @property
    def first(self) -> Report:
        return self.reports[0]

    @property
    def count(self) -> int:
        return len(self.reports)

    @property
    def reasons(self) -> list[tuple[str, int]]:
        """Each reason given, with how many gave it, most frequent first."""
        labels = dict(ReportReason.choices)
        counts = Counter(report.reason for report in self.reports)
        return [(str(labels.get(reason, reason)), n) for reason, n in counts.most_common()]

    @property
    def notes(self) -> list[Report]:
        return [report for report in self.reports if report.note]

    @property
    def author(self) -> User | None:
        if self.post is not None:
            return self.post.author
        if self.topic is not None:
            return self.topic.author
        return self.member


@dataclass
class QueuePage[T]:
    items: list[T]
    page: int
    has_next: bool

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def prev_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None


def clean_page(value: Any) -> int:
    """A page number from the query string; anything odd is page 1."""
    try:
        page = int(value)
    except (TypeError, ValueError, OverflowError):
        return 1
    return min(max(page, 1), MAX_PAGE)


def open_reports(community: Community) -> Any:
    return Report.objects.filter(community=community, status=Report.Status.OPEN)


def list_report_groups(actor: Actor, community: Community, page: int = 1) -> QueuePage[ReportGroup]:
    """Open reports grouped by their thing, oldest first: three queries per page."""
    permissions.check_review_queue(actor, community)
    page = clean_page(page)
    start = (page - 1) * PER_PAGE
    keys = list(
        open_reports(community)
        .values("target_key")
        .annotate(first_at=Min("created_at"), n=Count("id"))
        .order_by("first_at", "target_key")[start : start + PER_PAGE + 1]
    )
    has_next = len(keys) > PER_PAGE
    keys = keys[:PER_PAGE]
    if not keys:
        return QueuePage(items=[], page=page, has_next=False)
    groups = {
        row["target_key"]: ReportGroup(
            target_key=row["target_key"], target="", first_at=row["first_at"]
        )
        for row in keys
    }
    reports = (
        open_reports(community)
        .filter(target_key__in=list(groups))
        .select_related(
            "reporter",
            "post",
            "post__author",
            "post__topic",
            "topic",
            "topic__author",
            "member",
        )
        .order_by("created_at", "id")
    )
    for report in reports:
        group = groups[report.target_key]
        group.reports.append(report)
        group.target = report.target
        group.post = group.post or report.post
        group.topic = group.topic or report.topic
        group.member = group.member or report.member
    # A reported topic shows its opening post.
    topics = {
        group.topic.pk: group for group in groups.values() if group.post is None and group.topic
    }
    if topics:
        for post in Post.objects.filter(topic_id__in=list(topics), number=1).select_related(
            "author"
        ):
            group = topics[post.topic_id]
            post.topic = group.topic  # type: ignore[assignment]
            group.post = post
    items = [group for group in groups.values() if group.reports]
    return QueuePage(items=items, page=page, has_next=has_next)


def list_held_posts(actor: Actor, community: Community, page: int = 1) -> QueuePage[HeldPost]:
    """Posts waiting for approval, oldest first: one query per page."""
    permissions.check_review_queue(actor, community)
    page = clean_page(page)
    start = (page - 1) * PER_PAGE
    held = list(
        HeldPost.objects.filter(community=community, status=HeldPost.Status.PENDING)
        .select_related("author", "topic", "rule")
        .order_by("created_at", "id")[start : start + PER_PAGE + 1]
    )
    return QueuePage(items=held[:PER_PAGE], page=page, has_next=len(held) > PER_PAGE)


@dataclass(frozen=True)
class QueueCounts:
    reports: int
    held: int

    @property
    def total(self) -> int:
        return self.reports + self.held


def queue_counts(actor: Actor, community: Community) -> QueueCounts:
    """How many things wait: reported things (not reports) and held posts. Two queries."""
    permissions.check_review_queue(actor, community)
    reports = open_reports(community).values("target_key").distinct().count()
    held = HeldPost.objects.filter(community=community, status=HeldPost.Status.PENDING).count()
    return QueueCounts(reports=reports, held=held)


def get_report(actor: Actor, community: Community, report_id: int) -> Report:
    """A report of ``community`` (open or not); Http404 when there is none, 403/404 for
    those who do not moderate the community."""
    permissions.check_review_queue(actor, community)
    report = (
        Report.objects.select_related("community", "post", "post__topic", "topic", "member")
        .filter(community=community, pk=report_id)
        .first()
    )
    if report is None:
        raise Http404(_("No such report."))
    report.community = community
    # One community instance (its cached access is reused), unless the topic moved away.
    for topic in (report.post.topic if report.post else None, report.topic):
        if topic is not None and topic.community_id == community.pk:
            topic.community = community
    return report


def get_held_post(actor: Actor, community: Community, held_id: int) -> HeldPost:
    """A held post of ``community``; Http404 when there is none."""
    permissions.check_review_queue(actor, community)
    held = (
        HeldPost.objects.select_related("author", "topic", "rule", "reply_to", "quoted")
        .filter(community=community, pk=held_id)
        .first()
    )
    if held is None:
        raise Http404(_("No such post."))
    held.community = community
    if held.topic is not None and held.topic.community_id == community.pk:
        held.topic.community = community
    return held
