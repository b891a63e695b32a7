"""End to end: real actions write events, the rollups fold them, the metrics read the rollups."""

from __future__ import annotations

import pytest
from django.db import transaction

from cerchia.accounts.models import User
from cerchia.communities.actions import join_community
from cerchia.communities.models import Community, Membership
from cerchia.core import testing
from cerchia.discussions.actions.reactions import add_reaction
from cerchia.insights.metrics import build_dashboard, period_for
from cerchia.insights.rollups import run_rollups

pytestmark = pytest.mark.django_db


def join(community: Community, handle: str, *, consent: bool = True) -> User:
    user = testing.make_user(handle, analytics_consent=consent)
    with transaction.atomic():
        join_community(user, community, accept_rules=True)
    return user


def test_actions_to_rollups_to_metrics():
    community = testing.make_community(testing.make_user("e2e_host"), timezone="UTC")
    u1, u2, u3, u4 = (join(community, f"u{i}") for i in range(1, 5))
    u5 = join(community, "u5", consent=False)
    u6 = join(community, "u6")
    s = join(community, "s_staff")
    Membership.objects.filter(community=community, user=s).update(affiliation="staff")

    t1, t2, t3, _t4, _t5 = (testing.make_topic(community, user) for user in (u1, u2, u3, u4, u5))
    reply = testing.make_reply(t1, u6)  # u6 → u1
    testing.make_reply(t2, u6)  # u6 → u2
    testing.make_reply(t2, u1)  # u1 → u2
    testing.make_reply(t3, s)  # staff → u3 (a reply from another member all the same)
    with transaction.atomic():
        add_reaction(u1, reply, "heart")  # u1 reacts to u6's reply

    run_rollups()
    period = period_for(community, 7)
    dashboard = build_dashboard(community, period)
    figures = dashboard.figures

    # Everything happened today: active u1..u6 = 6 (the staff member and the idle host left out)
    assert figures["active_members"].value == 6
    assert figures["dau"].value == pytest.approx(6 / 7)  # 6 today, 0 on the 6 days before
    assert (figures["wau"].value, figures["mau"].value) == (6, 6)
    assert figures["stickiness"].value == pytest.approx(100 / 7)  # 6/6 today, MAU 0 before
    assert (figures["topics"].value, figures["replies"].value) == (5, 3)
    assert figures["topics"].n == 6  # posters u1..u6
    assert figures["reactions"].value is None  # one reactor: withheld
    # topics of u1, u2, u3 got a reply from someone else at once: 3 / 5 = 60 %
    assert figures["response_rate"].value == pytest.approx(60.0)
    assert figures["response_rate"].n == 5
    assert figures["unanswered"].value == 0  # none is 24 h old yet
    assert figures["first_reply_median"].n is None  # 3 answered authors: withheld
    assert figures["new_contributors"].value == 6
    assert figures["joins"].value == 6
    # joined today and engaged today: 6 / 6
    assert figures["activation"].value == pytest.approx(100.0)
    # reciprocity: only u1 both gave (to u2) and received (from u6) a reply: 1 / 6
    assert figures["reciprocity"].value == pytest.approx(100 / 6)
    # member posts: 5 topics + 3 replies of 5 + 4 posts in all = 8 / 9
    assert figures["member_post_share"].value == pytest.approx(800 / 9)

    # scores: u1 topic 3 + reply 2 + reaction given 0.5 = 5.5; u6 2 replies 4 + 1 reaction
    # received 1 = 5; u2, u3, u4 a topic each = 3; u5 did not consent
    top = [(row.handle, row.score) for row in dashboard.top_contributors]
    assert top == [("u1", 5.5), ("u6", 5.0), ("u2", 3.0), ("u3", 3.0), ("u4", 3.0)]
    this_week = dashboard.cohorts[-1]
    assert (this_week.size, this_week.shares[0]) == (6, 100.0)
    assert dashboard.rolled_up_to is not None

    everyone = build_dashboard(community, period, include_everyone=True).figures
    assert everyone["active_members"].value == 7
    assert everyone["replies"].value == 4
    assert everyone["joins"].value == 7
