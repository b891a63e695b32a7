"""The published contract: the schema loads, every operation declares what it answers, and the
docs page runs from local files under the site's CSP."""

from __future__ import annotations

import typing

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from cerchia.accounts.models import ProfileVisibility
from cerchia.api import schemas
from cerchia.communities.models import JoinPolicy, Role, Visibility
from cerchia.core.tests.matrix import VISIBILITIES
from cerchia.core.tests.test_authorization_matrix import API as MATRIX_API

pytestmark = pytest.mark.django_db

# The operations and who may call them come from the authorization matrix, which lists
# every operation with its rule: those whose rule lets anonymous callers through on
# some community need no token or session; every other one does.
OPERATIONS = set(MATRIX_API)
ANONYMOUS_ALLOWED = {
    operation
    for operation, route in MATRIX_API.items()
    if any(route.expect(visibility, "anonymous") != "401" for visibility in VISIBILITIES)
}


@pytest.fixture(scope="module")
def schema() -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def test_schema_loads_and_lists_exactly_the_known_operations(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Cerchia API"
    assert {(method, path) for method, path, _op in operations(schema)} == OPERATIONS


def test_every_operation_declares_its_responses(schema):
    ids = set()
    for method, path, operation in operations(schema):
        where = f"{method.upper()} {path}"
        assert operation["operationId"] not in ids, where
        ids.add(operation["operationId"])
        assert operation.get("description"), f"{where} has no description"
        responses = operation["responses"]
        successes = [int(status) for status in responses if int(status) < 400]
        assert successes, where
        for status in successes:
            if status == 204:
                assert "content" not in responses[str(status)], where
            else:
                content = responses[str(status)]["content"]["application/json"]
                assert "$ref" in content["schema"] or "type" in content["schema"], where
        errors = {int(status) for status in responses if int(status) >= 400}
        assert {401, 429} <= errors, where
        if method != "get":
            assert 403 in errors, where
        if "{" in path or operation.get("requestBody"):
            assert {404, 422} & errors, where
        for status in errors:
            content = responses[str(status)]["content"]
            assert list(content) == ["application/problem+json"], where
            assert content["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"
            }


def test_security_is_declared_and_optional_only_where_anonymous_may_call(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["TokenAuth"]["description"],
    }
    assert schemes["SessionAuth"]["in"] == "cookie"
    for method, path, operation in operations(schema):
        security = operation["security"]
        assert {"TokenAuth": []} in security
        assert {"SessionAuth": []} in security
        assert ({} in security) == ((method, path) in ANONYMOUS_ALLOWED), (method, path)


def test_request_bodies_are_strict_objects(schema):
    components = schema["components"]["schemas"]
    for method, path, operation in operations(schema):
        body = operation.get("requestBody")
        if not body:
            continue
        ref = body["content"]["application/json"]["schema"]["$ref"]
        model = components[ref.rsplit("/", 1)[1]]
        assert model["type"] == "object", (method, path)
        assert model.get("additionalProperties") is False, (method, path)


def test_patch_bodies_do_not_advertise_null_where_it_is_refused(schema):
    properties = schema["components"]["schemas"]["CommunityPatch"]["properties"]
    assert "anyOf" not in properties["name"]
    assert {"type": "null"} in properties["member_cap"]["anyOf"]


@pytest.mark.parametrize(
    ("literal", "choices"),
    [
        (schemas.VisibilityName, Visibility.values),
        (schemas.JoinPolicyName, JoinPolicy.values),
        (schemas.RoleName, Role.values),
        (schemas.ProfileVisibilityName, ProfileVisibility.values),
    ],
)
def test_enums_match_the_models(literal, choices):
    assert set(typing.get_args(literal)) == set(choices)


def test_docs_page_is_served_from_local_static_files_under_the_csp(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    for asset in (
        "api/swagger-ui/swagger-ui-bundle.js",
        "api/swagger-ui/swagger-ui.css",
        "api/docs.js",
        "api/docs.css",
    ):
        assert f"/static/{asset}" in html
        assert finders.find(asset), asset
    assert 'data-openapi-url="/api/v1/openapi.json"' in html
    assert "<script>" not in html  # no inline script: the CSP would block it
    assert "cdn" not in html.lower()
    assert "http://" not in html
    assert "https://" not in html
    assert finders.find("api/swagger-ui/LICENSE")
    assert client.post("/api/v1/docs").status_code == 405


def test_api_root_points_to_the_schema_and_the_docs(client):
    body = client.get("/api/v1/").json()
    assert body["openapi"] == "http://testserver/api/v1/openapi.json"
    assert body["docs"] == "http://testserver/api/v1/docs"
    response = client.post("/api/v1/")
    assert response.status_code == 405


def test_vendored_swagger_ui_loads_nothing_from_elsewhere():
    path = finders.find("api/docs.js")
    assert path
    with open(path) as source:
        script = source.read()
    assert "validatorUrl: null" in script
    assert "http" not in script
