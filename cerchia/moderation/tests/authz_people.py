"""Blocks, affiliations and disclosure labels in the authorization matrix.

Blocks are one's own (signed in, active account); affiliations are set by hosts and read
by whoever reads the community; a disclosure label is removed by hosts only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cerchia.core import testing
from cerchia.core.tests.matrix import Route, World, api, c, gate, not_suspended, signed_in
from cerchia.discussions.models import Post

V1 = "/api/v1"


def _blockee(world: World) -> str:
    """A member with a public profile to block (rolled back after the call)."""
    handle = f"blockee_{world.community.visibility}"
    testing.make_user(handle, profile_visibility="public")
    return handle


def _profile_action(action: str) -> Callable[[World], str]:
    return lambda world: f"/u/{_blockee(world)}/{action}/"


def _labelled_reply(suffix: str, api_path: bool = False) -> Callable[[World], str]:
    """The moderator's reply, labelled as sponsored (rolled back after the call)."""

    def path(world: World) -> str:
        Post.objects.filter(pk=world.extra["reply_id"]).update(
            disclosure="sponsored", disclosure_brand="Velo Alpino"
        )
        if api_path:
            return f"{V1}/posts/{world.extra['reply_id']}{suffix}"
        return c(f"posts/{world.extra['reply_id']}{suffix}")(world)

    return path


def _member_handle(world: World) -> str:
    return str(world.people["member"].handle)


def _block_body(world: World) -> dict[str, Any]:
    return {"handle": _blockee(world)}


PAGES: dict[str, Route] = {
    "moderation:block": Route(signed_in(not_suspended()), "post", _profile_action("block")),
    "moderation:unblock": Route(signed_in(not_suspended()), "post", _profile_action("unblock")),
    "moderation:blocked": Route(signed_in(not_suspended()), path=lambda w: "/settings/blocked/"),
    "moderation:affiliation": Route(
        gate("manage"),
        path=lambda w: c(f"settings/affiliations/{_member_handle(w)}/")(w),
    ),
    "moderation:remove_disclosure": Route(
        gate("manage"), path=_labelled_reply("/disclosure/remove/")
    ),
}

API: dict[tuple[str, str], Route] = {
    ("get", f"{V1}/me/blocks"): Route(
        signed_in(not_suspended(), anonymous="401"), path=lambda w: f"{V1}/me/blocks"
    ),
    ("post", f"{V1}/me/blocks"): Route(
        signed_in(not_suspended(), anonymous="401"),
        "post",
        lambda w: f"{V1}/me/blocks",
        _block_body,
    ),
    ("delete", f"{V1}/me/blocks/{{handle}}"): Route(
        signed_in(not_suspended(), anonymous="401"),
        "delete",
        lambda w: f"{V1}/me/blocks/{_blockee(w)}",
    ),
    ("get", f"{V1}/communities/{{slug}}/affiliations"): Route(
        gate("read", anonymous=None), path=api("/affiliations")
    ),
    ("put", f"{V1}/communities/{{slug}}/members/{{handle}}/affiliation"): Route(
        gate("manage", anonymous="401"),
        "put",
        lambda w: api(f"/members/{_member_handle(w)}/affiliation")(w),
        lambda w: {"affiliation": "brand", "affiliation_name": "Velo Alpino"},
    ),
    ("post", f"{V1}/posts/{{post_id}}/disclosure/remove"): Route(
        gate("manage", anonymous="401"),
        "post",
        _labelled_reply("/disclosure/remove", api_path=True),
        lambda w: {"reason": "Not sponsored"},
    ),
}
