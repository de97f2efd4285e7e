"""Hostile input is a clear 400 that changes nothing, or is stored and read back exactly.

The rules (conversion/json_rules.py): numbers between -2**63 and 2**64 - 1, at most 100
levels of nesting, for every JSON a request carries.
"""

import json
from typing import Any
from urllib.parse import quote

import pytest

from conversion import FORMATS
from conversion.json_rules import INTEGER_MAX, INTEGER_MIN
from sessions_app import services
from sessions_app.models import Message, Session

pytestmark = pytest.mark.django_db

RULE = "numbers must lie between -9223372036854775808 and 18446744073709551615"
TOO_DEEP = "nested more than 100 levels deep (arrays and objects)"
THIRTY_DIGITS = "123456789012345678901234567890"


def error(status: int, msg: str, code: str) -> dict[str, Any]:
    return {"code": status, "msg": msg, "error": code}


def send(api, method: str, url: str, body_text: str):
    """A body sent as written: the numbers must reach the server as the client typed them."""
    return getattr(api, method)(url, data=body_text, content_type="application/json")


def nested_text(field: str, levels: int) -> str:
    """{field: {"a": {"a": ... 1}}} as text (json.dumps recurses too deep for 1,000 levels)."""
    return f'{{"{field}": ' + '{"a": ' * levels + "1" + "}" * levels + "}"


def nested(levels: int, leaf: Any = 1) -> Any:
    value = leaf
    for _ in range(levels):
        value = {"a": value}
    return value


def stored_state() -> list[Any]:
    return [
        list(Session.objects.order_by("id").values_list("id", "configs")),
        list(Message.objects.order_by("id").values_list("id", "raw", "meta")),
    ]


# Numbers ----------------------------------------------------------------------------------

BIG_NUMBERS = [
    ("1e20", "1e+20"),
    ("18446744073709551616", "18446744073709551616"),  # 2**64
    # -2**63 - 1: orjson alone would read it as the float -2**63, in range but not the number.
    ("-9223372036854775809", "-9223372036854775809"),
    (THIRTY_DIGITS, THIRTY_DIGITS),
]


@pytest.mark.parametrize(("number", "shown"), BIG_NUMBERS)
@pytest.mark.parametrize(
    ("method", "where", "template", "path"),
    [
        ("post", "session", '{"configs": {"limits": [1, %s]}}', "configs.limits[1]"),
        ("put", "configs", '{"configs": {"n": %s}}', "configs.n"),
        ("patch", "configs", '{"configs": {"n": %s}}', "configs.n"),
        (
            "post",
            "messages",
            '{"blob": {"role": "user", "content": "hi"}, "meta": {"n": %s}}',
            "meta.n",
        ),
        ("patch", "meta", '{"meta": {"n": %s}}', "meta.n"),
        (
            "post",
            "messages",
            '{"format": "anthropic", "blob": {"role": "assistant", "content": [{"type": "tool_use",'
            ' "id": "t1", "name": "pay", "input": {"cents": %s}}]}}',
            "blob.content[0].input.cents",
        ),
        (
            "post",
            "messages",
            '{"format": "gemini", "blob": {"role": "model", "parts": [{"functionCall":'
            ' {"name": "pay", "args": {"cents": %s}}}]}}',
            "blob.parts[0].functionCall.args.cents",
        ),
        (
            "post",
            "messages",
            '{"blob": {"role": "user", "content": "hi", "x_unknown": %s}}',
            "blob.x_unknown",
        ),
    ],
)  # fmt: skip
def test_numbers_beyond_64_bits_are_refused_everywhere(
    api, session, number, shown, method, where, template, path
):
    message = services.message_store(session=session, blob={"role": "user", "content": "Hi"})
    url = {
        "session": "/api/v1/session",
        "configs": f"/api/v1/session/{session.pk}/configs",
        "messages": f"/api/v1/session/{session.pk}/messages",
        "meta": f"/api/v1/session/{session.pk}/messages/{message.pk}/meta",
    }[where]
    before = stored_state()

    response = send(api, method, url, template.replace("%s", number))

    assert response.status_code == 400
    assert response.json() == error(
        400, f"{path}: {shown} is out of range: {RULE}", "unsupported_json"
    )
    assert stored_state() == before
    # The project's list is unharmed (one such session used to make it a 500).
    assert api.get("/api/v1/session").status_code == 200


def test_the_edges_of_the_range_are_stored_and_read_back_exactly(api, session):
    body = (
        '{"format": "anthropic", "blob": {"role": "assistant", "content": [{"type": "tool_use", '
        f'"id": "t1", "name": "pay", "input": {{"high": {INTEGER_MAX}, "low": {INTEGER_MIN}, '
        '"float": 1.5e-300}}]}, "meta": {"high": 18446744073709551615}}'
    )

    response = send(api, "post", f"/api/v1/session/{session.pk}/messages", body)

    assert response.status_code == 201
    url = f"/api/v1/session/{session.pk}/messages"
    anthropic = api.get(url, {"format": "anthropic"}).json()["data"]
    assert anthropic["items"][0]["content"][0]["input"] == {
        "high": INTEGER_MAX,
        "low": INTEGER_MIN,
        "float": 1.5e-300,
    }
    assert anthropic["metas"] == [{"high": INTEGER_MAX}]
    gemini = api.get(url, {"format": "gemini"}).json()["data"]
    assert gemini["items"][0]["parts"][0]["functionCall"]["args"]["high"] == INTEGER_MAX
    openai = api.get(url, {"format": "openai"}).json()["data"]
    arguments = openai["items"][0]["tool_calls"][0]["function"]["arguments"]
    assert json.loads(arguments) == {"high": INTEGER_MAX, "low": INTEGER_MIN, "float": 1.5e-300}
    assert str(INTEGER_MAX) in arguments


def test_a_30_digit_integer_in_openai_arguments_keeps_its_digits_in_every_format(api, session):
    arguments = f'{{"account": {THIRTY_DIGITS}}}'
    blob = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "pay", "arguments": arguments}}
        ],
    }
    services.message_store(session=session, blob=blob)
    url = f"/api/v1/session/{session.pk}/messages"

    answers = {target: api.get(url, {"format": target}) for target in FORMATS}

    assert all(answer.status_code == 200 for answer in answers.values())
    assert answers["openai"].json()["data"]["items"] == [blob]
    anthropic = answers["anthropic"].json()["data"]
    assert anthropic["items"][0]["content"][0]["input"] == {"_raw_arguments": arguments}
    assert anthropic["warnings"][0]["code"] == "arguments_not_object"
    gemini = answers["gemini"].json()["data"]
    assert gemini["items"][0]["parts"][0]["functionCall"]["args"] == {"_raw_arguments": arguments}
    acontext = answers["acontext"].json()["data"]
    assert acontext["items"][0]["parts"][0]["meta"]["arguments"] == arguments


# Depth ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "where", "field", "prefix"),
    [
        ("post", "session", "configs", "configs"),
        ("put", "configs", "configs", "configs"),
        ("patch", "meta", "meta", "meta"),
    ],
)
@pytest.mark.parametrize("levels", [101, 300, 1000])
def test_json_nested_too_deep_is_refused(api, session, method, where, field, prefix, levels):
    message = services.message_store(session=session, blob={"role": "user", "content": "Hi"})
    url = {
        "session": "/api/v1/session",
        "configs": f"/api/v1/session/{session.pk}/configs",
        "meta": f"/api/v1/session/{session.pk}/messages/{message.pk}/meta",
    }[where]
    before = stored_state()

    response = send(api, method, url, nested_text(field, levels))

    assert response.status_code == 400
    # The body is level 0 and its field level 1: the 100th "a" is the first level too many.
    assert response.json() == error(400, f"{prefix}{'.a' * 99}: {TOO_DEEP}", "unsupported_json")
    assert stored_state() == before


def test_a_tool_input_as_deep_as_allowed_reads_back_in_every_format(api, session):
    # The body is level 0; blob, content, the block and the input take levels 1 to 4, so the
    # input's 96 objects reach level 99, the deepest allowed.
    tool_input = nested(96, "bottom")
    body = {
        "format": "anthropic",
        "blob": {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "deep", "input": tool_input}],
        },
    }

    stored = send(api, "post", f"/api/v1/session/{session.pk}/messages", json.dumps(body))

    assert stored.status_code == 201
    for target in FORMATS:
        answer = api.get(f"/api/v1/session/{session.pk}/messages", {"format": target})
        assert answer.status_code == 200, target
    anthropic = api.get(f"/api/v1/session/{session.pk}/messages", {"format": "anthropic"})
    assert anthropic.json()["data"]["items"][0]["content"][0]["input"] == tool_input


def test_a_blob_one_level_deeper_is_refused(api, session):
    body = {
        "format": "anthropic",
        "blob": {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "deep", "input": nested(97)}],
        },
    }

    response = send(api, "post", f"/api/v1/session/{session.pk}/messages", json.dumps(body))

    assert response.status_code == 400
    path = "blob.content[0].input" + ".a" * 96
    assert response.json() == error(400, f"{path}: {TOO_DEEP}", "unsupported_json")
    assert Message.objects.count() == 0


# Query parameters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "msg"),
    [
        ('{"a": "\\u0000"}', "filter_by_configs: strings must not contain \\u0000"),
        ('{"a": "\\ud800"}', "filter_by_configs: Must be a JSON object."),
        ('{"a": NaN}', "filter_by_configs: Must be a JSON object."),
        ("[" * 1000, "filter_by_configs: Must be a JSON object."),
        ('{"a": 1e20}', f"filter_by_configs: a: 1e+20 is out of range: {RULE}"),
        (json.dumps(nested(150)), f"filter_by_configs: {'a.' * 99}a: {TOO_DEEP}"),
        ("[1]", "filter_by_configs: Must be a JSON object."),
    ],
)
def test_bad_filter_by_configs_is_400(api, session, value, msg):
    response = api.get(f"/api/v1/session?filter_by_configs={quote(value)}")

    assert response.status_code == 400
    assert response.json() == error(400, msg, "invalid_request")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/session?user=a%00b",
        "/api/v1/session?filter_by_configs=%00",
        "/api/v1/session/00000000-0000-4000-8000-000000000000/messages?cursor=%00",
    ],
)
def test_nul_in_a_query_is_400(api, url):
    response = api.get(url)

    assert response.status_code == 400
    name = url.split("?")[1].split("=")[0]
    assert response.json() == error(
        400, f"{name}: query parameters must not contain NUL", "invalid_request"
    )


@pytest.mark.parametrize(
    ("query", "msg"),
    [
        ("format=", "format: This field may not be blank."),
        ("limit=", "limit: This field may not be blank."),
        ("time_desc=", "time_desc: This field may not be blank."),
        ("edit_strategies=", "edit_strategies: This field may not be blank."),
    ],
)
def test_an_empty_query_parameter_is_not_the_default(api, session, query, msg):
    response = api.get(f"/api/v1/session/{session.pk}/messages?{query}")

    assert response.status_code == 400
    assert response.json() == error(400, msg, "invalid_request")


def test_an_empty_list_parameter_is_400(api):
    response = api.get("/api/v1/session?limit=")

    assert response.status_code == 400
    assert response.json() == error(400, "limit: This field may not be blank.", "invalid_request")


@pytest.mark.parametrize(
    ("value", "msg"),
    [
        ("5", "use_uuid: Must be a valid UUID."),
        ("false", "use_uuid: Must be a valid UUID."),
        ("0", "use_uuid: Must be a valid UUID."),
        ("1.5", "use_uuid: Must be a valid UUID."),
        ("[]", "use_uuid: Must be a valid UUID."),
        ('"5"', "use_uuid: Must be a valid UUID."),
        ("null", "use_uuid: This field may not be null."),
    ],
)
def test_use_uuid_takes_only_a_uuid_string(api, value, msg):
    response = send(api, "post", "/api/v1/session", f'{{"use_uuid": {value}}}')

    assert response.status_code == 400
    assert response.json() == error(400, msg, "invalid_request")
    assert Session.objects.count() == 0
