"""The OpenAPI document at /api/schema/ is valid and describes what the API really answers."""

import json
from typing import Any
from urllib.parse import quote

import pytest
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from openapi_spec_validator import validate
from rest_framework.test import APIClient

import conversion
from sessions_app import services
from sessions_app.api import schema as api_schema
from sessions_app.models import Session

pytestmark = pytest.mark.django_db

READ = (400, 401, 404)
OPERATIONS = {
    ("/api/v1/ping", "get"): ("ping", 200, ()),
    ("/api/v1/material/{token}", "get"): ("get_material", 200, (404,)),
    ("/api/v1/search", "get"): ("search_messages", 200, (400, 401)),
    ("/api/v1/session", "get"): ("list_sessions", 200, (400, 401)),
    ("/api/v1/session", "post"): ("create_session", 201, (400, 401, 409, 413, 415)),
    ("/api/v1/session/{session_id}", "get"): ("get_session", 200, (400, 401, 404)),
    ("/api/v1/session/{session_id}", "delete"): ("delete_session", 200, (400, 401, 404)),
    ("/api/v1/session/{session_id}/configs", "get"): ("get_configs", 200, (400, 401, 404)),
    ("/api/v1/session/{session_id}/configs", "put"): (
        "replace_configs",
        200,
        (400, 401, 404, 413, 415),
    ),
    ("/api/v1/session/{session_id}/configs", "patch"): (
        "patch_configs",
        200,
        (400, 401, 404, 413, 415),
    ),
    ("/api/v1/session/{session_id}/messages", "get"): ("get_messages", 200, (400, 401, 404)),
    ("/api/v1/session/{session_id}/messages", "post"): (
        "store_message",
        201,
        (400, 401, 404, 413, 415),
    ),
    ("/api/v1/session/{session_id}/messages/{message_id}/meta", "patch"): (
        "patch_message_meta",
        200,
        (400, 401, 404, 413, 415),
    ),
    ("/api/v1/session/{session_id}/token_counts", "get"): ("get_token_counts", 200, READ),
    ("/api/v1/session/{session_id}/copy", "post"): ("copy_session", 200, (400, 401, 404, 413)),
    ("/api/v1/session/{session_id}/events", "get"): ("get_events", 200, READ),
    ("/api/v1/session/{session_id}/events", "post"): (
        "add_event",
        200,
        (400, 401, 404, 413, 415),
    ),
    ("/api/v1/session/{session_id}/task", "get"): ("get_tasks", 200, READ),
    ("/api/v1/session/{session_id}/flush", "post"): ("flush", 200, READ),
    ("/api/v1/session/{session_id}/observing_status", "get"): (
        "messages_observing_status",
        200,
        READ,
    ),
}
# Answers that are neither the success nor an error envelope: a file's parts and revalidation.
OTHER_STATUSES = {("/api/v1/material/{token}", "get"): (206, 304, 416)}


@pytest.fixture(scope="module")
def spec(django_db_blocker) -> dict[str, Any]:
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    document: dict[str, Any] = json.loads(response.content)
    return document


def operation(spec: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    found: dict[str, Any] = spec["paths"][path][method]
    return found


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def response_schema(spec: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    response = operation(spec, path, method)["responses"][str(status)]
    found: dict[str, Any] = response["content"]["application/json"]["schema"]
    return found


def parameters(spec: dict[str, Any], path: str, method: str) -> dict[str, dict[str, Any]]:
    return {
        parameter["name"]: parameter for parameter in operation(spec, path, method)["parameters"]
    }


def test_schema_is_valid_openapi(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.")


def test_every_operation_is_described_with_its_responses(spec):
    described = {
        (path, method)
        for path, methods in spec["paths"].items()
        for method in methods
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert described == set(OPERATIONS)
    for (path, method), (operation_id, success, errors) in OPERATIONS.items():
        found = operation(spec, path, method)
        assert found["operationId"] == operation_id
        assert found["summary"]
        others = OTHER_STATUSES.get((path, method), ())
        assert sorted(found["responses"]) == sorted(
            str(code) for code in (success, *errors, *others)
        )


def test_session_list_query_parameters(spec):
    found = parameters(spec, "/api/v1/session", "get")

    assert set(found) == {"user", "limit", "cursor", "time_desc", "filter_by_configs"}
    assert found["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 200,
        "default": 20,
    }
    assert found["time_desc"]["schema"] == {"type": "boolean", "default": False}
    assert found["cursor"]["schema"]["type"] == "string"
    assert found["user"]["schema"]["type"] == "string"
    assert found["filter_by_configs"]["schema"] == {"type": "string"}
    assert "JSON object" in found["filter_by_configs"]["description"]


def test_message_page_lists_the_four_formats(spec):
    found = parameters(spec, "/api/v1/session/{session_id}/messages", "get")

    assert set(found) == {
        "session_id",
        "format",
        "limit",
        "cursor",
        "time_desc",
        "edit_strategies",
        "pin_editing_strategies_at_message",
        "with_events",
        "with_asset_public_url",
    }
    assert found["format"]["schema"]["enum"] == list(conversion.FORMATS)
    assert found["format"]["schema"]["default"] == "openai"
    assert (found["limit"]["schema"]["minimum"], found["limit"]["schema"]["maximum"]) == (0, 1000)
    assert found["limit"]["schema"]["default"] == 0
    assert "whole session" in found["limit"]["description"]
    assert found["edit_strategies"]["schema"]["type"] == "string"
    assert "token_limit" in found["edit_strategies"]["description"]
    assert found["session_id"]["schema"] == {"type": "string", "format": "uuid"}
    assert found["session_id"]["required"] is True


def test_message_body_lists_the_four_formats(spec):
    body = resolve(
        spec,
        operation(spec, "/api/v1/session/{session_id}/messages", "post")["requestBody"]["content"][
            "application/json"
        ]["schema"],
    )

    assert resolve(spec, body["properties"]["format"]["allOf"][0])["enum"] == list(
        conversion.FORMATS
    )
    assert body["required"] == ["blob"]


def test_patch_bodies_require_their_object(spec):
    for path, field in [
        ("/api/v1/session/{session_id}/configs", "configs"),
        ("/api/v1/session/{session_id}/messages/{message_id}/meta", "meta"),
    ]:
        body = operation(spec, path, "patch")["requestBody"]
        assert body["required"] is True
        assert resolve(spec, body["content"]["application/json"]["schema"])["required"] == [field]


def test_bearer_scheme_guards_every_operation_but_ping(spec):
    schemes = spec["components"]["securitySchemes"]

    assert schemes == {
        "ApiKey": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key, issued in the admin or by manage.py create_api_key",
        }
    }
    for (path, method), (operation_id, _, _) in OPERATIONS.items():
        keyless = operation_id in ("ping", "get_material")
        expected: list[dict[str, list[str]]] = [{}] if keyless else [{"ApiKey": []}]
        assert operation(spec, path, method)["security"] == expected


def test_success_responses_are_enveloped(spec):
    envelope = resolve(spec, response_schema(spec, "/api/v1/session/{session_id}", "get", 200))

    assert envelope["required"] == ["code", "data", "msg"]
    assert list(envelope["properties"]) == ["code", "data", "msg"]
    assert resolve(spec, envelope["properties"]["code"]["allOf"][0])["enum"] == [0]
    assert envelope["properties"]["data"] == {"$ref": "#/components/schemas/Session"}

    page = resolve(spec, response_schema(spec, "/api/v1/session", "get", 200))
    assert page["properties"]["data"] == {"$ref": "#/components/schemas/SessionPage"}
    items = resolve(spec, page["properties"]["data"])["properties"]["items"]
    assert items == {"type": "array", "items": {"$ref": "#/components/schemas/Session"}}


def test_error_responses_use_the_error_envelope(spec):
    for (path, method), (_, _, errors) in OPERATIONS.items():
        for status in errors:
            found = response_schema(spec, path, method, status)
            assert found == {"$ref": "#/components/schemas/ErrorEnvelope"}
    error = resolve(spec, {"$ref": "#/components/schemas/ErrorEnvelope"})
    assert error["required"] == ["code", "error", "msg"]


# The document against the live API ----------------------------------------------------------


class Answers:
    """Checks each real answer against the schema the document gives its status."""

    def __init__(self, spec: dict[str, Any], api: APIClient) -> None:
        self.spec = spec
        self.api = api
        self.checked: set[tuple[str, str, int]] = set()

    def call(self, method: str, template: str, url: str, body: Any = None, **extra: Any):
        if body is not None:
            extra.setdefault("content_type", "application/json")
            extra["data"] = (
                json.dumps(body) if extra["content_type"] == "application/json" else body
            )
        response = getattr(self.api, method)(url, **extra)
        responses = operation(self.spec, template, method)["responses"]
        assert str(response.status_code) in responses, (method, url, response.content)
        schema = {
            **response_schema(self.spec, template, method, response.status_code),
            "components": self.spec["components"],
        }
        OAS30ReadValidator(schema, format_checker=oas30_format_checker).validate(response.json())
        self.checked.add((template, method, response.status_code))
        return response


def test_every_documented_status_matches_a_real_answer(spec, api, issued_key, settings):
    answers = Answers(spec, api)
    session_path = "/api/v1/session/{session_id}"
    messages_path = f"{session_path}/messages"
    meta_path = f"{messages_path}/{{message_id}}/meta"
    configs_path = f"{session_path}/configs"

    answers.call("get", "/api/v1/ping", "/api/v1/ping")
    example = api_schema.SESSION_CREATE_EXAMPLE.value
    created = answers.call("post", "/api/v1/session", "/api/v1/session", example).json()["data"]
    session = f"/api/v1/session/{created['id']}"
    answers.call("post", "/api/v1/session", "/api/v1/session", {"use_uuid": created["id"]})
    answers.call("post", "/api/v1/session", "/api/v1/session", {"use_uuid": "nope"})
    answers.call("post", "/api/v1/session", "/api/v1/session", "x", content_type="text/plain")
    answers.call("get", "/api/v1/session", "/api/v1/session?limit=1")
    answers.call("get", "/api/v1/session", "/api/v1/session?limit=0")
    answers.call("get", session_path, session)
    answers.call("get", session_path, "/api/v1/session/not-a-uuid")
    answers.call("get", session_path, "/api/v1/session/3fa85f64-5717-4562-b3fc-2c963f66afa6")

    answers.call("get", configs_path, f"{session}/configs")
    answers.call("put", configs_path, f"{session}/configs", {"configs": {"a": 1}})
    answers.call("patch", configs_path, f"{session}/configs", {"configs": {"a": None}})
    answers.call("patch", configs_path, f"{session}/configs", {"configs": []})

    stored = [
        answers.call("post", messages_path, f"{session}/messages", example.value).json()["data"]
        for example in api_schema.MESSAGE_STORE_EXAMPLES
    ]
    answers.call("post", messages_path, f"{session}/messages", {"blob": {"role": "user"}})
    for target in conversion.FORMATS:
        page = answers.call("get", messages_path, f"{session}/messages?format={target}&limit=2")
        assert page.json()["data"]["has_more"] is True
    answers.call("get", messages_path, f"{session}/messages?format=xml")

    message = f"{session}/messages/{stored[0]['id']}/meta"
    answers.call("patch", meta_path, message, {"meta": {"seen": True}})
    answers.call("patch", meta_path, message, {"meta": {"big": "x" * 70_000}})
    settings.ACONTEXT_MAX_BODY_BYTES = 100
    answers.call("patch", meta_path, message, {"meta": {"big": "x" * 200}})

    answers.call("delete", session_path, session)
    answers.call("delete", session_path, session)
    api.credentials()
    answers.call("get", "/api/v1/session", "/api/v1/session")

    assert {(path, method, status) for path, method, status in answers.checked} >= {
        ("/api/v1/ping", "get", 200),
        ("/api/v1/session", "post", 201),
        ("/api/v1/session", "post", 400),
        ("/api/v1/session", "post", 409),
        ("/api/v1/session", "post", 415),
        ("/api/v1/session", "get", 200),
        ("/api/v1/session", "get", 400),
        ("/api/v1/session", "get", 401),
        (session_path, "get", 200),
        (session_path, "get", 400),
        (session_path, "get", 404),
        (session_path, "delete", 200),
        (session_path, "delete", 404),
        (configs_path, "get", 200),
        (configs_path, "put", 200),
        (configs_path, "patch", 200),
        (configs_path, "patch", 400),
        (messages_path, "post", 201),
        (messages_path, "post", 400),
        (messages_path, "get", 200),
        (messages_path, "get", 400),
        (meta_path, "patch", 200),
        (meta_path, "patch", 413),
    }
    assert Session.objects.count() == 0


def test_documented_examples_are_what_the_api_says(spec, api, session):
    """The error examples in the document are real messages, not paraphrases."""
    message = services.message_store(session=session, blob={"role": "user", "content": "Hi"})
    calls: dict[str, tuple[str, str, Any]] = {
        "list_sessions": ("get", "/api/v1/session?limit=201", None),
        "create_session": ("post", "/api/v1/session", {"use_uuid": "nope"}),
        "get_session": ("get", "/api/v1/session/not-a-uuid", None),
        "replace_configs": ("put", f"/api/v1/session/{session.pk}/configs", {"configs": "x"}),
        "get_messages": (
            "get",
            f"/api/v1/session/{session.pk}/messages?edit_strategies="
            + quote('[{"type": "token_limit"}]'),
            None,
        ),
        "add_event": ("post", f"/api/v1/session/{session.pk}/events", {"type": "x", "data": []}),
        "search_messages": ("get", "/api/v1/search?q=%21%21%21", None),
        "store_message": (
            "post",
            f"/api/v1/session/{session.pk}/messages",
            {
                "blob": {
                    "role": "user",
                    "content": [{"type": "text", "text": "Hi"}, {"type": "image_url"}],
                }
            },
        ),
        "patch_message_meta": (
            "patch",
            f"/api/v1/session/{session.pk}/messages/{message.pk}/meta",
            {"meta": []},
        ),
    }
    by_id = {
        found["operationId"]: found
        for methods in spec["paths"].values()
        for found in methods.values()
    }
    for operation_id, (method, url, body) in calls.items():
        examples = by_id[operation_id]["responses"]["400"]["content"]["application/json"][
            "examples"
        ]
        (documented,) = (example["value"] for example in examples.values())
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}

        response = getattr(api, method)(url, **kwargs)

        assert response.json() == documented, operation_id


@pytest.mark.parametrize(
    ("path", "script"),
    [
        ("/api/docs/", b"/static/drf_spectacular_sidecar/"),
        # The sidecar's bundle without its CDN logo (tests/acontext_site/test_redoc.py).
        ("/api/redoc/", b"/api/redoc/bundles/redoc.standalone.js"),
    ],
)
def test_documentation_pages_answer_with_local_assets(path, script):
    response = APIClient().get(path)

    assert response.status_code == 200
    assert script in response.content
    # No CDN: the pages must work on a machine without internet access.
    assert b"https://" not in response.content
    assert b"http://" not in response.content


def test_search_query_parameters(spec):
    found = parameters(spec, "/api/v1/search", "get")

    assert set(found) == {"q", "limit", "cursor"}
    assert found["q"]["required"] is True
    assert found["q"]["schema"] == {"type": "string", "minLength": 1, "maxLength": 200}
    assert found["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 20,
    }
    page = resolve(spec, response_schema(spec, "/api/v1/search", "get", 200))
    items = resolve(spec, page["properties"]["data"])["properties"]["items"]
    hit = resolve(spec, items["items"])
    assert list(hit["properties"]) == [
        "session_id",
        "message_id",
        "seq",
        "role",
        "format",
        "created_at",
        "highlight",
    ]
