"""The official npm SDK (@acontext/acontext 0.0.16, pinned in tests/sdk_npm) against a live server.

Each test runs its calls in one Node process (``run_npm_sdk``) and compares what the SDK
returns, after its zod schemas have stripped the fields they do not know, with exact values.
Version 0.0.16 is older than the Python SDK: it requires ``space_id`` on a Session, sends
``time_desc=true`` by default when reading messages, and sends no body to create a session
without options.
"""

import json
from datetime import datetime

import pytest

from sessions_app import services
from sessions_app.models import Message, Session, iso8601

from .npm_sdk import JSON, call, result, run_npm_sdk

pytestmark = pytest.mark.django_db(transaction=True)

MISSING_SESSION = "123e4567-e89b-12d3-a456-426614174000"


def session_json(session: Session) -> JSON:
    """A Session as the SDK's SessionSchema parses it (it strips user_id)."""
    session.refresh_from_db()
    return {
        "id": str(session.id),
        "project_id": str(session.project_id),
        "disable_task_tracking": session.disable_task_tracking,
        "space_id": None,
        "configs": session.configs,
        "created_at": iso8601(session.created_at),
        "updated_at": iso8601(session.updated_at),
    }


def message_json(message: Message) -> JSON:
    """A stored message as the SDK's MessageSchema parses it."""
    return {
        "id": str(message.id),
        "session_id": str(message.session_id),
        "parent_id": None,
        "role": message.canonical["role"],
        "meta": message.meta,
        "parts": message.canonical["parts"],
        "task_id": None,
        "session_task_process_status": "disable_tracking",
        "created_at": iso8601(message.created_at),
        "updated_at": iso8601(message.updated_at),
    }


def store(session: Session, *blobs: JSON) -> list[str]:
    for blob in blobs:
        services.message_store(session=session, blob=blob)
    return [
        str(i)
        for i in Message.objects.filter(session=session)
        .order_by("seq")
        .values_list("id", flat=True)
    ]


# Sessions ------------------------------------------------------------------------------------


def test_create_without_options_gives_a_session_with_space_id_null(npm, project):
    # Without options the SDK sends no body and no Content-Type.
    (created,) = npm([call("create")])

    session = Session.objects.get()
    # user_id is not in the SDK's schema: zod strips it.
    assert created == {
        "id": str(session.id),
        "project_id": str(project.id),
        "disable_task_tracking": False,
        "space_id": None,
        "configs": {},
        "created_at": iso8601(session.created_at),
        "updated_at": iso8601(session.updated_at),
    }


def test_create_with_configs(npm):
    (created,) = npm([call("create", {"configs": {"agent": "bot1"}, "disableTaskTracking": True})])

    session = Session.objects.get()
    assert (session.configs, session.disable_task_tracking) == ({"agent": "bot1"}, True)
    assert created == session_json(session)
    assert (created["configs"], created["disable_task_tracking"]) == ({"agent": "bot1"}, True)


def test_list_gives_parsed_sessions_a_page_at_a_time(npm, project):
    sessions = [services.session_create(project=project, configs={"n": n}) for n in range(3)]

    everything, first, second, newest = npm(
        [
            call("list"),
            call("list", {"limit": 2}),
            call("list", {"limit": 2, "cursor": result(1, "next_cursor")}),
            call("list", {"limit": 1, "timeDesc": True}),
        ]
    )

    assert everything == {
        "items": [session_json(session) for session in sessions],
        "next_cursor": None,
        "has_more": False,
    }
    assert first["items"] == [session_json(session) for session in sessions[:2]]
    assert first["has_more"] is True
    assert isinstance(first["next_cursor"], str)
    assert second == {
        "items": [session_json(sessions[2])],
        "next_cursor": None,
        "has_more": False,
    }
    assert newest["items"] == [session_json(sessions[2])]


def test_get_configs_gives_the_session(npm, project):
    session = services.session_create(project=project, user="alice", configs={"tier": {"lvl": 2}})

    (got,) = npm([call("getConfigs", str(session.id))])

    assert got == session_json(session)


# Storing messages ----------------------------------------------------------------------------


def test_store_message_in_openai_format(npm, session):
    blob = {"role": "user", "content": "hello world"}

    (stored,) = npm([call("storeMessage", str(session.id), blob, {"format": "openai"})])

    message = Message.objects.get()
    assert stored == message_json(message)
    assert stored["parts"] == [{"type": "text", "text": "hello world"}]
    assert stored["meta"] == {}
    assert (message.format, message.raw) == ("openai", blob)


def test_store_message_in_acontext_format_with_the_sdks_explicit_nulls(npm, session):
    blob = {"role": "assistant", "parts": [{"type": "text", "text": "Hi"}]}

    (stored,) = npm([call("storeMessage", str(session.id), blob, {"format": "acontext"})])

    message = Message.objects.get()
    assert stored == message_json(message)
    assert stored["role"] == "assistant"
    assert stored["parts"] == [{"type": "text", "text": "Hi"}]
    # The SDK sends its AcontextMessage.toJSON(): every optional field, as null.
    assert message.format == "acontext"
    assert message.raw == {
        "role": "assistant",
        "parts": [{"type": "text", "text": "Hi", "meta": None, "file_field": None}],
        "meta": None,
    }


def test_stored_messages_read_back_in_the_sdk(npm, session):
    stored_openai, stored_acontext, read = npm(
        [
            call("storeMessage", str(session.id), {"role": "user", "content": "Hi"}),
            call(
                "storeMessage",
                str(session.id),
                {"role": "assistant", "parts": [{"type": "text", "text": "Hello!"}]},
                {"format": "acontext"},
            ),
            call("getMessages", str(session.id)),
        ]
    )

    assert read == {
        "items": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}],
        "ids": [stored_openai["id"], stored_acontext["id"]],
        "next_cursor": None,
        "has_more": False,
    }


# Reading messages ----------------------------------------------------------------------------

CONVERSATION = [
    {"role": "user" if n % 2 == 0 else "assistant", "content": f"m{n}"} for n in range(5)
]


def test_get_messages_by_default_is_the_whole_session_in_conversation_order(npm, session):
    ids = store(session, *CONVERSATION)

    # The SDK sends time_desc=true (and no format, no limit) by default.
    (read,) = npm([call("getMessages", str(session.id))])

    assert read == {"items": CONVERSATION, "ids": ids, "next_cursor": None, "has_more": False}


def test_get_messages_with_a_limit_walks_back_from_the_newest_page(npm, session):
    ids = store(session, *CONVERSATION)

    newest, older, oldest, forwards = npm(
        [
            call("getMessages", str(session.id), {"limit": 2}),
            call("getMessages", str(session.id), {"limit": 2, "cursor": result(0, "next_cursor")}),
            call("getMessages", str(session.id), {"limit": 2, "cursor": result(1, "next_cursor")}),
            call("getMessages", str(session.id), {"limit": 2, "timeDesc": False}),
        ]
    )

    assert newest["items"] == CONVERSATION[3:]
    assert newest["ids"] == ids[3:]
    assert newest["has_more"] is True
    assert older["items"] == CONVERSATION[1:3]
    assert older["ids"] == ids[1:3]
    assert older["has_more"] is True
    assert oldest == {
        "items": CONVERSATION[:1],
        "ids": ids[:1],
        "next_cursor": None,
        "has_more": False,
    }
    assert forwards["items"] == CONVERSATION[:2]
    assert forwards["has_more"] is True


def tool_round(call_id: str, city: str, weather: str) -> list[JSON]:
    arguments = json.dumps({"city": city})
    return [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": arguments},
                }
            ],
        },
        {"role": "tool", "tool_call_id": call_id, "content": weather},
    ]


WEATHER = [
    {"role": "user", "content": "Weather in Paris, Lyon and Nice?"},
    *tool_round("call_1", "Paris", "Sunny, 24°C."),
    *tool_round("call_2", "Lyon", "Rainy, 12°C."),
    *tool_round("call_3", "Nice", "Windy, 18°C."),
    {"role": "assistant", "content": "Paris is sunny, Lyon rainy and Nice windy."},
]


def edited_weather(results: dict[str, str], arguments: dict[str, str]) -> list[JSON]:
    """A copy of WEATHER with the given results' content and calls' arguments replaced."""
    messages: list[JSON] = json.loads(json.dumps(WEATHER))
    for message in messages:
        if message.get("tool_call_id") in results:
            message["content"] = results[message["tool_call_id"]]
        for tool_call in message.get("tool_calls", []):
            if tool_call["id"] in arguments:
                tool_call["function"]["arguments"] = arguments[tool_call["id"]]
    return messages


def test_get_messages_with_edit_strategies(npm, session):
    ids = store(session, *WEATHER)
    strategies: list[JSON] = [
        {"type": "remove_tool_result", "params": {"keep_recent_n_tool_results": 1}},
        {"type": "remove_tool_call_params", "params": {"keep_recent_n_tool_calls": 2}},
    ]

    edited, limited, middle_out = npm(
        [
            call("getMessages", str(session.id), {"editStrategies": strategies}),
            # 87 tokens: the question (8), rounds of 22, 24 and 23, the answer (10). At most
            # 60 drops the question and the first round.
            call(
                "getMessages",
                str(session.id),
                {"editStrategies": [{"type": "token_limit", "params": {"limit_tokens": 60}}]},
            ),
            # Not in the SDK's types, but sent as given.
            call(
                "getMessages",
                str(session.id),
                {"editStrategies": [{"type": "middle_out", "params": {"token_reduce_to": 70}}]},
            ),
        ]
    )

    expected = edited_weather({"call_1": "Done", "call_2": "Done"}, {"call_1": "{}"})
    assert edited == {"items": expected, "ids": ids, "next_cursor": None, "has_more": False}
    assert limited == {"items": WEATHER[3:], "ids": ids[3:], "next_cursor": None, "has_more": False}
    # The middle of eight messages is message 4 (the result of call_2): its call goes too,
    # leaving 63 tokens.
    assert middle_out["items"] == [*WEATHER[:3], *WEATHER[5:]]


# Tokens and the calls of task tracking --------------------------------------------------------


def test_get_token_counts(npm, session):
    # o200k_base: "hello world" is [24912, 2375] and the newline after each text [198].
    store(
        session,
        {"role": "user", "content": "hello world"},
        {"role": "assistant", "content": "hello world"},
    )

    (counts,) = npm([call("getTokenCounts", str(session.id))])

    assert counts == {"total_tokens": 6}


def test_flush_has_nothing_to_do(npm, session):
    assert npm([call("flush", str(session.id))]) == [{"status": 0, "errmsg": ""}]


def test_no_message_waits_to_be_observed(npm, session):
    store(session, {"role": "user", "content": "Hi"})
    before = datetime.now().astimezone()

    (status,) = npm([call("messagesObservingStatus", str(session.id))])

    assert {key: status[key] for key in ("observed", "in_process", "pending")} == {
        "observed": 0,
        "in_process": 0,
        "pending": 0,
    }
    assert set(status) == {"observed", "in_process", "pending", "updated_at"}
    assert before <= datetime.fromisoformat(status["updated_at"]) <= datetime.now().astimezone()


def test_there_are_no_tasks(npm, session):
    assert (
        npm([call("getTasks", str(session.id)), call("getTasks", str(session.id), {"limit": 5})])
        == [{"items": [], "next_cursor": None, "has_more": False}] * 2
    )


# Errors --------------------------------------------------------------------------------------


def test_a_missing_session_is_an_api_error(live_server, issued_key, foreign_session):
    calls = [
        call("getConfigs", MISSING_SESSION),
        call("getMessages", MISSING_SESSION),
        call("getTokenCounts", MISSING_SESSION),
        call("flush", MISSING_SESSION),
        # Another project's session answers the same.
        call("getMessages", str(foreign_session.id)),
    ]

    outcomes = run_npm_sdk(f"{live_server.url}/api/v1", issued_key.secret, calls)

    not_found = {"error": {"name": "APIError", "message": "session not found", "status": 404}}
    assert outcomes == [not_found] * len(calls)


def test_the_sdk_refuses_to_store_openai_responses_items_but_reads_them(
    live_server, issued_key, session
):
    """As the README says: the SDK checks the format of a store on the client, not of a read."""
    ids = store(session, {"role": "user", "content": "go"})
    item = {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"}
    stored = services.message_store(session=session, blob=item, format="openai_responses")
    ids.append(str(stored.id))

    refused, read = run_npm_sdk(
        f"{live_server.url}/api/v1",
        issued_key.secret,
        [
            call("storeMessage", str(session.id), item, {"format": "openai_responses"}),
            call("getMessages", str(session.id), {"format": "openai_responses"}),
        ],
    )

    assert refused == {
        "error": {
            "name": "Error",
            "message": "format must be one of {'acontext', 'openai', 'anthropic', 'gemini'}",
            "status": None,
        }
    }
    assert read == {
        "result": {
            "items": [{"role": "user", "content": "go"}, item],
            "ids": ids,
            "next_cursor": None,
            "has_more": False,
        }
    }
    assert Message.objects.count() == 2
