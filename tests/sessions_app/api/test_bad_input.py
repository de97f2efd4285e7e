"""Every refused request: exact status, envelope and message, and nothing stored."""

import json

import orjson
import pytest
from django.test import override_settings

import conversion
from sessions_app import services
from sessions_app.models import Message, Session

pytestmark = pytest.mark.django_db

UNKNOWN_ID = "123e4567-e89b-12d3-a456-426614174000"


def error(status: int, msg: str, code: str) -> dict[str, object]:
    return {"code": status, "msg": msg, "error": code}


def post_json(api, path: str, body: object):
    return api.post(path, data=json.dumps(body), content_type="application/json")


def assert_nothing_stored(session: Session) -> None:
    session.refresh_from_db()
    assert session.last_seq == 0
    assert Message.objects.count() == 0


# Storing messages -------------------------------------------------------------------------


def test_unknown_format(api, session):
    response = post_json(
        api, f"/api/v1/session/{session.id}/messages", {"blob": {}, "format": "xml"}
    )

    assert response.status_code == 400
    assert response.json() == error(
        400,
        "format: unknown format 'xml'; expected one of openai, anthropic, gemini, acontext, "
        "openai_responses",
        "unknown_format",
    )
    assert_nothing_stored(session)


def test_invalid_blob_names_the_field_path(api, session):
    blob = {"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "image_url"}]}
    with pytest.raises(conversion.InvalidMessage) as expected:
        conversion.normalize(blob, "openai")

    response = post_json(api, f"/api/v1/session/{session.id}/messages", {"blob": blob})

    assert response.status_code == 400
    assert response.json() == error(400, str(expected.value), "invalid_message")
    assert response.json()["msg"].startswith("blob.content[1].image_url: ")
    assert_nothing_stored(session)


def test_missing_blob(api, session):
    response = post_json(api, f"/api/v1/session/{session.id}/messages", {"format": "openai"})

    assert response.status_code == 400
    assert response.json() == error(400, "blob: This field is required.", "invalid_request")
    assert_nothing_stored(session)


def test_meta_must_be_an_object(api, session):
    response = post_json(
        api,
        f"/api/v1/session/{session.id}/messages",
        {"blob": {"role": "user", "content": "Hi"}, "meta": ["a"]},
    )

    assert response.status_code == 400
    assert response.json() == error(400, "meta: Must be a JSON object.", "invalid_request")
    assert_nothing_stored(session)


def test_meta_over_64_kb_is_too_large(api, session):
    meta = {"big": "x" * (64 * 1024)}

    response = post_json(
        api,
        f"/api/v1/session/{session.id}/messages",
        {"blob": {"role": "user", "content": "Hi"}, "meta": meta},
    )

    size = len(orjson.dumps(meta))
    assert response.status_code == 413
    assert response.json() == error(
        413,
        f"meta: {size} bytes when serialized; the limit is 65536 bytes",
        "payload_too_large",
    )
    assert_nothing_stored(session)


def test_patched_meta_over_64_kb_is_too_large(api, session):
    message = services.message_store(
        session=session, blob={"role": "user", "content": "Hi"}, meta={"a": 1}
    )

    response = api.patch(
        f"/api/v1/session/{session.id}/messages/{message.id}/meta",
        data=json.dumps({"meta": {"big": "x" * (64 * 1024)}}),
        content_type="application/json",
    )

    assert response.status_code == 413
    message.refresh_from_db()
    assert message.meta == {"a": 1}


def test_malformed_json_body(api, session):
    body = b'{"blob": '
    with pytest.raises(orjson.JSONDecodeError) as parse_error:
        orjson.loads(body)

    response = api.post(
        f"/api/v1/session/{session.id}/messages", data=body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == error(400, f"malformed JSON body: {parse_error.value}", "parse_error")
    assert_nothing_stored(session)


def test_a_body_that_is_not_an_object(api, session):
    response = post_json(api, f"/api/v1/session/{session.id}/messages", [1, 2])

    assert response.status_code == 400
    assert response.json() == error(
        400, "Invalid data. Expected a dictionary, but got list.", "invalid_request"
    )


def test_nul_characters_are_refused_on_every_database(api, session):
    body = b'{"blob": {"role": "user", "content": "a\\u0000b"}}'

    response = api.post(
        f"/api/v1/session/{session.id}/messages", data=body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == error(
        400, "unsupported JSON body: strings must not contain \\u0000", "parse_error"
    )
    assert_nothing_stored(session)


def test_multipart_is_taken_only_where_files_are(api, project):
    response = api.post("/api/v1/session", data={"user": "ada"}, format="multipart")

    assert response.status_code == 415
    assert response.json() == error(
        415,
        'unsupported media type "multipart/form-data": send the body as application/json'
        " (or, to upload files with a message, as multipart/form-data)",
        "unsupported_media_type",
    )
    assert not Session.objects.filter(project=project).exists()


@override_settings(ACONTEXT_MAX_BODY_BYTES=1000)
def test_a_body_over_the_configured_limit_is_refused_unread(api, session):
    body = {"blob": {"role": "user", "content": "x" * 2000}}

    response = post_json(api, f"/api/v1/session/{session.id}/messages", body)

    assert response.status_code == 413
    assert response.json() == error(
        413, "request body is larger than the 1000-byte limit", "payload_too_large"
    )
    assert_nothing_stored(session)


# Ids --------------------------------------------------------------------------------------


def test_invalid_session_id_in_the_path(api):
    response = api.get("/api/v1/session/not-a-uuid")

    assert response.status_code == 400
    assert response.json() == error(400, "session_id: Must be a valid UUID.", "invalid_request")


def test_invalid_message_id_in_the_path(api, session):
    response = api.patch(
        f"/api/v1/session/{session.id}/messages/nope/meta",
        data=json.dumps({"meta": {}}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == error(400, "message_id: Must be a valid UUID.", "invalid_request")


def test_invalid_use_uuid(api):
    response = post_json(api, "/api/v1/session", {"use_uuid": "123"})

    assert response.status_code == 400
    assert response.json() == error(400, "use_uuid: Must be a valid UUID.", "invalid_request")
    assert Session.objects.count() == 0


def test_existing_use_uuid_in_another_project_is_a_conflict(api, foreign_session):
    response = post_json(api, "/api/v1/session", {"use_uuid": str(foreign_session.id)})

    assert response.status_code == 409
    assert response.json() == error(
        409, f"use_uuid: session {foreign_session.id} already exists", "session_exists"
    )
    foreign_session.refresh_from_db()
    assert foreign_session.configs == {"owner": "globex"}
    assert Session.objects.count() == 1


def test_unknown_session(api):
    response = api.get(f"/api/v1/session/{UNKNOWN_ID}/messages")

    assert response.status_code == 404
    assert response.json() == error(404, "session not found", "not_found")


def test_unknown_message(api, session):
    response = api.patch(
        f"/api/v1/session/{session.id}/messages/{UNKNOWN_ID}/meta",
        data=json.dumps({"meta": {"a": 1}}),
        content_type="application/json",
    )

    assert response.status_code == 404
    assert response.json() == error(404, "message not found", "not_found")


def test_a_message_of_another_session_is_not_found(api, project, session):
    other = services.session_create(project=project)
    message = services.message_store(session=other, blob={"role": "user", "content": "Hi"})

    response = api.patch(
        f"/api/v1/session/{session.id}/messages/{message.id}/meta",
        data=json.dumps({"meta": {"a": 1}}),
        content_type="application/json",
    )

    assert response.status_code == 404
    assert response.json() == error(404, "message not found", "not_found")


# Session bodies and queries ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "msg"),
    [
        ({"configs": ["a"]}, "configs: Must be a JSON object."),
        ({"configs": None}, "configs: This field may not be null."),
        ({"disable_task_tracking": "maybe"}, "disable_task_tracking: Must be a valid boolean."),
        ({"user": "u" * 256}, "user: Ensure this field has no more than 255 characters."),
    ],
)
def test_invalid_session_fields(api, body, msg):
    response = post_json(api, "/api/v1/session", body)

    assert response.status_code == 400
    assert response.json() == error(400, msg, "invalid_request")
    assert Session.objects.count() == 0


@pytest.mark.parametrize("method", ["put", "patch"])
def test_configs_must_be_an_object(api, session, method):
    response = getattr(api, method)(
        f"/api/v1/session/{session.id}/configs",
        data=json.dumps({"configs": "x"}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == error(400, "configs: Must be a JSON object.", "invalid_request")


@pytest.mark.parametrize(
    ("query", "msg"),
    [
        ("limit=0", "limit: Ensure this value is greater than or equal to 1."),
        ("limit=201", "limit: Ensure this value is less than or equal to 200."),
        ("limit=ten", "limit: A valid integer is required."),
        ("cursor=garbage", "cursor: Invalid cursor."),
        ("cursor=WzFd", "cursor: Invalid cursor."),  # a valid message cursor, [1]
        ("time_desc=sideways", "time_desc: Must be a valid boolean."),
        ("filter_by_configs=%7Bnope", "filter_by_configs: Must be a JSON object."),
        ("filter_by_configs=%5B1%5D", "filter_by_configs: Must be a JSON object."),
    ],
)
def test_invalid_session_list_queries(api, query, msg):
    response = api.get(f"/api/v1/session?{query}")

    assert response.status_code == 400
    assert response.json() == error(400, msg, "invalid_request")


@pytest.mark.parametrize(
    ("query", "msg", "code"),
    [
        ("limit=-1", "limit: Ensure this value is greater than or equal to 0.", "invalid_request"),
        (
            "limit=1001",
            "limit: Ensure this value is less than or equal to 1000.",
            "invalid_request",
        ),
        ("cursor=%21%21", "cursor: Invalid cursor.", "invalid_request"),
        ("cursor=WyJ4Il0", "cursor: Invalid cursor.", "invalid_request"),  # ["x"]
        (
            "format=xml",
            "format: unknown format 'xml'; expected one of openai, anthropic, gemini, acontext, "
            "openai_responses",
            "unknown_format",
        ),
        (
            "edit_strategies=%5B",  # [
            "edit_strategies: must be a JSON array of {type, params} objects",
            "invalid_request",
        ),
        (
            'edit_strategies={"type": "token_limit"}',
            "edit_strategies: must be a JSON array of {type, params} objects",
            "invalid_edit_strategy",
        ),
        (
            'edit_strategies=[{"type": "summarize"}]',
            "edit_strategies[0].type: unknown strategy 'summarize'; expected one of "
            "remove_tool_result, remove_tool_call_params, token_limit, middle_out",
            "invalid_edit_strategy",
        ),
        (
            'edit_strategies=[{"type": "token_limit", "params": {}}]',
            "edit_strategies[0].params.limit_tokens: is required for token_limit",
            "invalid_edit_strategy",
        ),
        (
            'edit_strategies=[{"type": "middle_out", "params": {"token_reduce_to": 2.5}}]',
            "edit_strategies[0].params.token_reduce_to: must be an integer",
            "invalid_edit_strategy",
        ),
        (
            'edit_strategies=[{"type": "token_limit", "params": {"limit_tokens": 0}}]',
            "edit_strategies[0].params.limit_tokens: must be at least 1",
            "invalid_edit_strategy",
        ),
        (
            'edit_strategies=[{"type": "remove_tool_result", "params": {"keep_tools": "x"}}]',
            "edit_strategies[0].params.keep_tools: must be an array of tool names",
            "invalid_edit_strategy",
        ),
        (
            'edit_strategies=[{"type": "remove_tool_result", "params": {"gt_token": true}}]',
            "edit_strategies[0].params.gt_token: must be an integer",
            "invalid_edit_strategy",
        ),
        (
            'edit_strategies=[{"type": "remove_tool_call_params", "params": {"keep": 1}}]',
            "edit_strategies[0].params.keep: is not a parameter of remove_tool_call_params; "
            "expected one of keep_recent_n_tool_calls, keep_tools, gt_token",
            "invalid_edit_strategy",
        ),
        (
            'edit_strategies=[{"type": "remove_tool_result", "params": {'
            '"tool_result_placeholder": 1}}]',
            "edit_strategies[0].params.tool_result_placeholder: must be a string",
            "invalid_edit_strategy",
        ),
        (
            "pin_editing_strategies_at_message=last",
            "pin_editing_strategies_at_message: Must be a valid UUID.",
            "invalid_request",
        ),
        ("with_events=maybe", "with_events: Must be a valid boolean.", "invalid_request"),
    ],
)
def test_invalid_message_list_queries(api, session, query, msg, code):
    services.message_store(session=session, blob={"role": "user", "content": "Hi"})

    response = api.get(f"/api/v1/session/{session.id}/messages?{query}")

    assert response.status_code == 400
    assert response.json() == error(400, msg, code)


# Routing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/nothing-here"),
        ("post", "/api/v1/session/123/unknown"),
        ("get", "/api/v1/session/"),  # no trailing-slash redirect either
        ("delete", "/api/v1/"),
    ],
)
def test_unknown_api_path_answers_with_the_envelope(api, settings, debug, method, path):
    settings.DEBUG = debug

    response = getattr(api, method)(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == error(404, f"no API endpoint at {path}", "not_found")


def test_method_not_allowed(api):
    response = api.put("/api/v1/session", data="{}", content_type="application/json")

    assert response.status_code == 405
    assert response.json() == error(405, 'Method "PUT" not allowed.', "method_not_allowed")
