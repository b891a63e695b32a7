"""The demo's member fields load through the real actions, once."""

from __future__ import annotations

import pytest

from cerchia.core import testing
from cerchia.insights import demo_fields
from cerchia.insights.models import MemberField, MemberFieldValue

pytestmark = pytest.mark.django_db


def test_demo_fields_load_once(owner, member, moderator):
    community = testing.make_community(owner, slug="espresso-a-casa")
    testing.add_member(community, member)
    testing.add_member(community, moderator)
    saved = demo_fields.load()
    assert MemberField.objects.filter(community=community).count() == 5
    assert saved["espresso-a-casa"] == MemberFieldValue.objects.count() >= 3
    # The required question is answered by everyone.
    required = MemberField.objects.get(community=community, required=True)
    assert MemberFieldValue.objects.filter(field=required).count() == 3
    assert demo_fields.load() == {}
    assert MemberField.objects.count() == 5


def test_missing_communities_are_skipped():
    assert demo_fields.load() == {}
