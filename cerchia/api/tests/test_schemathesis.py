"""Schemathesis over the whole schema, in-process: no input may cause a server error.

The caller is a member with a write token who also hosts two communities, so host-only
operations run their real code paths; path parameters are sometimes swapped for slugs,
handles, ids and tokens that exist, so requests reach past the 404s.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from cerchia.accounts.models import AccessToken, User
from cerchia.api.api import api
from cerchia.api.tests.conftest import make_token
from cerchia.communities.models import Community, JoinPolicy, Role, Visibility
from cerchia.config.wsgi import application
from cerchia.core import testing
from cerchia.core.tags import interests_for
from cerchia.moderation.models import HeldPost, Report

MAX_EXAMPLES = 25
#: Values that exist in the database of the running test, for path parameters.
KNOWN: dict[str, list[Any]] = {}


def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    strategies = {}
    for name, value in (path_parameters or {}).items():
        known = KNOWN.get(name)
        strategies[name] = st.sampled_from([value, *known]) if known else st.just(value)
    return st.fixed_dictionaries(strategies)


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    """A small believable world, like the demo's, and the caller's write token."""
    owner = testing.make_user("olivia_owner")
    caller = testing.make_user("mia_member", profile_visibility="public")
    stranger = testing.make_user("sam_stranger")
    others = [testing.make_user(f"member_{i}") for i in range(4)]
    espresso = testing.make_community(
        owner, name="Espresso at home", slug="espresso", rules="Be kind."
    )
    film = testing.make_community(
        owner,
        name="Film lab",
        slug="film-lab",
        visibility=Visibility.PRIVATE,
        join_policy=JoinPolicy.REQUEST,
        screening_questions=["Which camera do you shoot?"],
    )
    founders = testing.make_community(
        owner, name="Founders", slug="founders", visibility=Visibility.HIDDEN
    )
    balcony = testing.make_community(
        caller,
        name="Balcony gardens",
        slug="balcony",
        join_policy=JoinPolicy.REQUEST,
        member_cap=5,
        screening_questions=["What do you grow?", "Where?"],
    )
    full = testing.make_community(owner, name="Tiny", slug="tiny", member_cap=1)
    trail = testing.make_community(owner, name="Trail running", slug="trail")
    espresso.interests.set(interests_for(["coffee", "espresso"]))  # type: ignore[arg-type]
    balcony.interests.set(interests_for(["gardening"]))  # type: ignore[arg-type]
    testing.add_member(espresso, caller)
    testing.add_member(film, caller, Role.MODERATOR)
    testing.add_member(founders, caller)
    for other in others:
        testing.add_member(espresso, other)
        testing.add_member(balcony, other)
    requests = [
        testing.make_join_request(
            film, stranger, answers=[{"question": "Which camera?", "answer": "M6"}]
        ),
        testing.make_join_request(balcony, stranger, answers=[]),
    ]
    invitations = [
        testing.make_invitation(espresso),
        testing.make_invitation(balcony, max_uses=3),
        testing.make_invitation(founders, email=stranger.email),
    ]
    # The review queue of a community the caller hosts: a reported topic and a held reply.
    reported = testing.make_topic(balcony, others[0], title="Seeds for sale")
    report = Report.objects.create(
        community=balcony,
        reporter=others[1],
        target=Report.Target.TOPIC,
        topic=reported,
        target_key=f"topic:{reported.pk}",
        reason="spam",
    )
    held = HeldPost.objects.create(
        community=balcony, author=others[0], topic=reported, body="Held", reason="premoderation"
    )
    KNOWN.clear()
    KNOWN.update(
        slug=[c.slug for c in (espresso, film, founders, balcony, full, trail)],
        handle=[u.handle for u in (owner, caller, stranger, *others)],
        request_id=[r.pk for r in requests],
        invitation_id=[i.pk for i in invitations],
        token=[i.token for i in invitations],
        report_id=[report.pk],
        held_id=[held.pk],
    )
    return {"token": make_token(caller, AccessToken.Scope.WRITE), "caller": caller}


@pytest.fixture
def wsgi_requests_keep_the_test_transaction() -> Iterator[None]:
    """Requests through the real WSGI handler close "old" connections when they finish, which
    would end the test's transaction; Django's test client suspends this the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# Built from the same generator that serves /api/v1/openapi.json (test_openapi checks that
# document), so loading needs no request at import time; the cases run against the real
# WSGI application in-process.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = application
schema.config.generation.update(
    max_examples=MAX_EXAMPLES, deterministic=True, with_security_parameters=False
)
schema.hook(flatmap_path_parameters)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_causes_a_server_error(
    case: Any, world: dict[str, Any], wsgi_requests_keep_the_test_transaction: None
) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {world['token']}"}, checks=[not_a_server_error]
    )


def test_the_world_is_what_the_run_expects(world: dict[str, Any]) -> None:
    caller: User = world["caller"]
    assert Community.objects.count() == 6
    assert caller.memberships.count() == 4
