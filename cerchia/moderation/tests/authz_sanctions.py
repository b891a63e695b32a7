"""Sanctions, appeals, notes, message templates and the moderation logs in the matrix.

Hosts' pages and operations: the community's hosts and site admins (403 to others who
can see the community, 404 to the rest); the member's own sanctions: only them (404 to
anyone else); the public log: whoever reads the community, once the hosts publish it;
suspending accounts: site admins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cerchia.core.tests.matrix import Route, World, c, gate, only, signed_in
from cerchia.moderation.models import Appeal, ModerationSettings, Sanction

V1 = "/api/v1"
HOSTS_ONLY = only("moderator", "owner", "site_admin", otherwise="403")
#: Pages: sign in first, 404 for what one may not see, then hosts only.
HOST_PAGE = gate("view", HOSTS_ONLY)
HOST_API = gate("view", HOSTS_ONLY, anonymous="401")


def _sanction(world: World) -> int:
    """A warning for the world's member (rolled back after the call)."""
    sanction = Sanction.objects.create(
        community=world.community,
        member=world.people["member"],
        kind="warning",
        reason="Be kind.",
        created_by=world.people["owner"],
    )
    world.extra["sanction_id"] = sanction.pk
    return sanction.pk


def _appeal(world: World) -> int:
    """The member's appeal of a warning (rolled back after the call)."""
    appeal = Appeal.objects.create(sanction_id=_sanction(world), body="Please reconsider")
    world.extra["appeal_id"] = appeal.pk
    return appeal.pk


def _publish_log(world: World) -> None:
    ModerationSettings.objects.update_or_create(
        community=world.community, defaults={"public_log": True}
    )


def _published(world: World, path: str) -> str:
    """``path``, once the community publishes its log (rolled back after the call)."""
    _publish_log(world)
    return path


def member_page(suffix: str = "") -> Callable[[World], str]:
    return lambda world: c(f"moderation/members/{world.people['member'].pk}/{suffix}")(world)


def public_log_page(world: World) -> str:
    return _published(world, c("moderation-log/")(world))


def answer_data(world: World) -> dict[str, Any]:
    prefix = f"a{world.extra['appeal_id']}"
    return {f"{prefix}-decision": "uphold", f"{prefix}-answer": "It stands."}


PAGES: dict[str, Route] = {
    "moderation:standing": Route(signed_in(), path=lambda w: "/me/sanctions/"),
    "moderation:appeal": Route(
        signed_in(only("member")),
        "post",
        lambda w: f"/me/sanctions/{_sanction(w)}/appeal/",
        lambda w: {f"s{w.extra['sanction_id']}-body": "I did not mean it."},
    ),
    "moderation:members": Route(HOST_PAGE, path=c("moderation/members/")),
    "moderation:member": Route(HOST_PAGE, path=member_page()),
    "moderation:sanction": Route(
        HOST_PAGE,
        "post",
        member_page("sanction/"),
        lambda w: {"kind": "warning", "reason": "Be kind."},
    ),
    "moderation:add_note": Route(
        HOST_PAGE, "post", member_page("notes/"), lambda w: {"body": "Seems tired lately."}
    ),
    "moderation:lift": Route(
        HOST_PAGE,
        "post",
        lambda w: c(f"moderation/sanctions/{_sanction(w)}/lift/")(w),
        lambda w: {"note": "Sorted out."},
    ),
    "moderation:appeals": Route(HOST_PAGE, path=c("moderation/appeals/")),
    "moderation:answer_appeal": Route(
        HOST_PAGE,
        "post",
        lambda w: c(f"moderation/appeals/{_appeal(w)}/answer/")(w),
        answer_data,
    ),
    "moderation:templates": Route(HOST_PAGE, path=c("moderation/templates/")),
    "moderation:log": Route(HOST_PAGE, path=c("moderation/log/")),
    "moderation:public_log": Route(gate("read", anonymous=None), path=public_log_page),
}


def api(suffix: str) -> Callable[[World], str]:
    return lambda world: f"{V1}/communities/{world.community.slug}{suffix}"


def _handle(world: World) -> str:
    return str(world.people["member"].handle)


API: dict[tuple[str, str], Route] = {
    ("get", f"{V1}/me/sanctions"): Route(
        signed_in(anonymous="401"), path=lambda w: f"{V1}/me/sanctions"
    ),
    ("post", f"{V1}/me/sanctions/{{sanction_id}}/appeal"): Route(
        signed_in(only("member"), anonymous="401"),
        "post",
        lambda w: f"{V1}/me/sanctions/{_sanction(w)}/appeal",
        lambda w: {"body": "I did not mean it."},
    ),
    ("get", f"{V1}/communities/{{slug}}/sanctions"): Route(HOST_API, path=api("/sanctions")),
    ("post", f"{V1}/communities/{{slug}}/sanctions"): Route(
        HOST_API,
        "post",
        api("/sanctions"),
        lambda w: {"handle": _handle(w), "kind": "warning", "reason": "Be kind."},
    ),
    ("post", f"{V1}/communities/{{slug}}/sanctions/{{sanction_id}}/lift"): Route(
        HOST_API,
        "post",
        lambda w: api(f"/sanctions/{_sanction(w)}/lift")(w),
        lambda w: {"note": "Sorted out."},
    ),
    ("get", f"{V1}/communities/{{slug}}/appeals"): Route(HOST_API, path=api("/appeals")),
    ("post", f"{V1}/communities/{{slug}}/appeals/{{appeal_id}}/answer"): Route(
        HOST_API,
        "post",
        lambda w: api(f"/appeals/{_appeal(w)}/answer")(w),
        lambda w: {"granted": False, "answer": "It stands."},
    ),
    ("get", f"{V1}/communities/{{slug}}/members/{{handle}}/notes"): Route(
        HOST_API, path=lambda w: api(f"/members/{_handle(w)}/notes")(w)
    ),
    ("post", f"{V1}/communities/{{slug}}/members/{{handle}}/notes"): Route(
        HOST_API,
        "post",
        lambda w: api(f"/members/{_handle(w)}/notes")(w),
        lambda w: {"body": "Seems tired lately."},
    ),
    ("get", f"{V1}/communities/{{slug}}/sanction-templates"): Route(
        HOST_API, path=api("/sanction-templates")
    ),
    ("put", f"{V1}/communities/{{slug}}/sanction-templates/{{kind}}"): Route(
        HOST_API,
        "put",
        api("/sanction-templates/warning"),
        lambda w: {"message": "Please read the rules again."},
    ),
    ("get", f"{V1}/communities/{{slug}}/moderation-log"): Route(
        HOST_API, path=api("/moderation-log")
    ),
    ("get", f"{V1}/communities/{{slug}}/public-moderation-log"): Route(
        gate("read", anonymous=None),
        path=lambda w: _published(w, api("/public-moderation-log")(w)),
    ),
    ("post", f"{V1}/admin/users/{{user_id}}/suspend"): Route(
        signed_in(only("site_admin", otherwise="403"), anonymous="401"),
        "post",
        lambda w: f"{V1}/admin/users/{w.people['member'].pk}/suspend",
        lambda w: {"reason": "Spam everywhere."},
    ),
    ("post", f"{V1}/admin/users/{{user_id}}/unsuspend"): Route(
        signed_in(only("site_admin", otherwise="403"), anonymous="401"),
        "post",
        lambda w: f"{V1}/admin/users/{w.people['member'].pk}/unsuspend",
    ),
}
