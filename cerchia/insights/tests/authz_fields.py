"""The authorization matrix's rows for custom member fields: the hosts' questions pages and
API (hosts and site admins; 404 to whoever may not read the community, 403 to other readers),
and each member's own answers (the community's members only)."""

from __future__ import annotations

from collections.abc import Callable

from cerchia.core.tests.matrix import Route, World, api, c, gate, only
from cerchia.insights.models import FieldKind, MemberField

V1 = "/api/v1"
MEMBERS = only("member", "moderator", "owner", otherwise="403")


def _field_id(world: World) -> int:
    """A live text question (created inside the cell's rolled-back transaction)."""
    field, _created = MemberField.objects.get_or_create(
        community=world.community, label="Matrix question", defaults={"kind": FieldKind.TEXT}
    )
    return field.pk


def _field_page(suffix: str = "") -> Callable[[World], str]:
    return lambda w: f"/c/{w.community.slug}/insights/fields/{_field_id(w)}/{suffix}"


def _field_api(world: World) -> str:
    return api(f"/member-fields/{_field_id(world)}")(world)


PAGES: dict[str, Route] = {
    "insights:fields": Route(gate("manage"), path=c("insights/fields/")),
    "insights:field_edit": Route(gate("manage"), path=_field_page()),
    "insights:field_archive": Route(gate("manage"), "post", _field_page("archive/")),
    "insights:field_move": Route(
        gate("manage"), "post", _field_page("move/"), lambda w: {"direction": "down"}
    ),
    "insights:about_you": Route(gate("read", MEMBERS), path=c("about-you/")),
}

API: dict[tuple[str, str], Route] = {
    ("get", f"{V1}/communities/{{slug}}/member-fields"): Route(
        gate("manage", anonymous="401"), path=api("/member-fields")
    ),
    ("post", f"{V1}/communities/{{slug}}/member-fields"): Route(
        gate("manage", anonymous="401"),
        "post",
        api("/member-fields"),
        lambda w: {"label": "Where do you live?", "kind": "text"},
    ),
    ("patch", f"{V1}/communities/{{slug}}/member-fields/{{field_id}}"): Route(
        gate("manage", anonymous="401"), "patch", _field_api, lambda w: {"label": "Changed"}
    ),
    ("delete", f"{V1}/communities/{{slug}}/member-fields/{{field_id}}"): Route(
        gate("manage", anonymous="401"), "delete", _field_api
    ),
    ("get", f"{V1}/communities/{{slug}}/me/fields"): Route(
        gate("read", MEMBERS, anonymous="401"), path=api("/me/fields")
    ),
    ("put", f"{V1}/communities/{{slug}}/me/fields"): Route(
        gate("read", MEMBERS, anonymous="401"), "put", api("/me/fields"), lambda w: {"fields": {}}
    ),
}
