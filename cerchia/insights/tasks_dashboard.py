"""The dashboard's background work: recount a community's rollups when its days change."""

from __future__ import annotations

from django.tasks import task


@task()
def rebuild_community_insights(community_id: int) -> int:
    """Recount a community's daily rollups in its (new) timezone; a community gone is skipped.

    Returns the number of local days rebuilt."""
    from cerchia.communities.models import Community
    from cerchia.insights import rollups

    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        return 0
    return rollups.rebuild_community(community)
