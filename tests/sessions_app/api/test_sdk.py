"""The official `acontext` SDK, unchanged, against a live server."""

import os

import pytest
from acontext import AcontextClient
from acontext.errors import APIError
from acontext.messages import MessagePart, build_acontext_message
from acontext.types.session import Message as SdkMessage

from sessions_app.demo import DEMO_CONVERSATION
from sessions_app.models import Message, Session, iso8601
from tests.conversion import rules, strict_types

# The formats the SDK checks on the client: this server's fifth, openai_responses, is not one.
SDK_FORMATS = ("openai", "anthropic", "gemini", "acontext")

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_issue_snippet_runs_verbatim(live_server, issued_key, monkeypatch):
    monkeypatch.setenv("ACONTEXT_BASE_URL", f"{live_server.url}/api/v1")
    monkeypatch.setenv("ACONTEXT_API_KEY", issued_key.secret)

    client = AcontextClient(api_key=os.getenv("ACONTEXT_API_KEY"))
    session = client.sessions.create()
    client.sessions.create(use_uuid="123e4567-e89b-12d3-a456-426614174000")
    with pytest.raises(APIError) as conflict:
        client.sessions.create(use_uuid="123e4567-e89b-12d3-a456-426614174000")
    assert conflict.value.status_code == 409
    client.sessions.store_message(
        session_id=session.id,
        blob={"role": "user", "content": "Hi"},
        format="openai",
        meta={"source": "web"},
    )
    client.sessions.store_message(
        session_id=session.id,
        blob={"role": "user", "content": [{"type": "text", "text": "Hi"}]},
        format="anthropic",
    )
    client.sessions.store_message(
        session_id=session.id,
        blob={"role": "user", "parts": [{"text": "Hi"}]},  # type: ignore[arg-type]  # (1)
        format="gemini",
    )
    # (1) The SDK's type hints list OpenAI and Anthropic blobs only; it sends Gemini ones as is.
    result = client.sessions.get_messages(session_id=session.id, format="anthropic")
    stored_ids = [str(i) for i in Message.objects.order_by("seq").values_list("id", flat=True)]
    client.sessions.delete(session.id)
    client.close()  # an open keep-alive connection would outlive the live server

    assert not Session.objects.filter(pk=session.id).exists()
    assert Message.objects.count() == 0  # deleted with their session
    # Three user messages in a row: Anthropic needs alternating roles, so they make one turn.
    strict_types.validate_anthropic_messages(result.items, None)
    rules.check_anthropic_rules(result.items, None)
    assert [block["text"] for item in result.items for block in item["content"]] == ["Hi"] * 3
    assert result.ids == stored_ids[:1]  # an item's id is the first message it covers
    assert result.metas[0] == {"source": "web"}
    assert result.has_more is False
    assert result.next_cursor is None


def test_create_returns_the_session(sdk, project):
    created = sdk.sessions.create(
        user="alice", configs={"agent": "bot1"}, disable_task_tracking=True
    )

    stored = Session.objects.get(pk=created.id)
    assert created.model_dump() == {
        "id": str(stored.id),
        "project_id": str(project.id),
        "user_id": "alice",
        "disable_task_tracking": True,
        "configs": {"agent": "bot1"},
        "created_at": iso8601(stored.created_at),
        "updated_at": iso8601(stored.updated_at),
    }


def test_create_with_a_taken_uuid_is_a_conflict_and_changes_nothing(sdk, project):
    taken = "123e4567-e89b-12d3-a456-426614174000"
    sdk.sessions.create(use_uuid=taken, configs={"v": 1})

    with pytest.raises(APIError) as error:
        sdk.sessions.create(use_uuid=taken, configs={"v": 2})

    assert error.value.status_code == 409
    assert error.value.code == 409
    assert error.value.message == f"use_uuid: session {taken} already exists"
    assert error.value.error == "session_exists"
    assert Session.objects.get(pk=taken).configs == {"v": 1}
    assert Session.objects.count() == 1


def test_store_message_returns_the_sdk_message(sdk, session):
    stored = sdk.sessions.store_message(
        session_id=str(session.id),
        blob={"role": "user", "content": "Hi"},
        format="openai",
        meta={"source": "web"},
    )

    message = Message.objects.get()
    assert stored.model_dump() == {
        "id": str(message.id),
        "session_id": str(session.id),
        "parent_id": None,
        "role": "user",
        "meta": {"source": "web"},
        "parts": [{"type": "text", "text": "Hi", "asset": None, "filename": None, "meta": None}],
        "task_id": None,
        "session_task_process_status": "disable_tracking",
        "created_at": iso8601(message.created_at),
        "updated_at": iso8601(message.updated_at),
    }
    assert message.raw == {"role": "user", "content": "Hi"}
    assert message.seq == 1


def test_get_messages_in_the_stored_format_returns_the_blobs_untouched(sdk, session):
    blobs = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi", "name": "alice"},
        {"role": "assistant", "content": "Hello!"},
    ]
    for blob in blobs:
        sdk.sessions.store_message(session_id=str(session.id), blob=blob, format="openai")

    result = sdk.sessions.get_messages(session_id=str(session.id))

    ids = [str(i) for i in Message.objects.order_by("seq").values_list("id", flat=True)]
    assert result.items == blobs
    assert result.ids == ids
    assert result.metas == [{}, {}, {}]
    assert result.has_more is False
    assert result.this_time_tokens > 0


def test_get_messages_as_acontext_gives_sdk_messages(sdk, session):
    sdk.sessions.store_message(
        session_id=str(session.id),
        blob={"role": "user", "parts": [{"text": "Hi"}]},
        format="gemini",
        meta={"k": "v"},
    )

    result = sdk.sessions.get_messages(session_id=str(session.id), format="acontext")

    message = Message.objects.get()
    assert result.items == [
        {
            "id": str(message.id),
            "session_id": str(session.id),
            "parent_id": None,
            "role": "user",
            "meta": message.canonical.get("meta", {}),
            "parts": message.canonical["parts"],
            "task_id": None,
            "session_task_process_status": "disable_tracking",
            "created_at": iso8601(message.created_at),
            "updated_at": iso8601(message.updated_at),
        }
    ]
    assert result.metas == [{"k": "v"}]
    # Each item is what the SDK's own Message model reads.
    parsed = SdkMessage.model_validate(result.items[0])
    assert parsed.id == str(message.id)
    assert [part.model_dump(exclude_none=True) for part in parsed.parts] == [
        {"type": "text", "text": "Hi"}
    ]


def test_list_sessions_pages_with_the_cursor(sdk, project):
    created = [sdk.sessions.create(user="bob").id for _ in range(3)]
    sdk.sessions.create(user="carol")

    first = sdk.sessions.list(user="bob", limit=2)
    second = sdk.sessions.list(user="bob", limit=2, cursor=first.next_cursor)

    assert [s.id for s in first.items] == created[:2]
    assert first.has_more is True
    assert [s.id for s in second.items] == created[2:]
    assert second.has_more is False
    assert second.next_cursor is None


def test_list_sessions_filters_by_configs(sdk):
    wanted = sdk.sessions.create(configs={"agent": "bot1", "tier": {"level": 2, "x": 1}})
    sdk.sessions.create(configs={"agent": "bot2"})

    found = sdk.sessions.list(filter_by_configs={"agent": "bot1", "tier": {"level": 2}})

    assert [s.id for s in found.items] == [wanted.id]


def test_configs_get_replace_and_patch(sdk, session):
    sdk.sessions.update_configs(str(session.id), configs={"a": 1, "b": 2})
    assert sdk.sessions.get_configs(str(session.id)).configs == {"a": 1, "b": 2}

    patched = sdk.sessions.patch_configs(str(session.id), configs={"b": None, "c": 3})

    assert patched == {"a": 1, "c": 3}
    assert sdk.sessions.get_configs(str(session.id)).configs == {"a": 1, "c": 3}


def test_patch_message_meta_merges_and_deletes(sdk, session):
    stored = sdk.sessions.store_message(
        session_id=str(session.id),
        blob={"role": "user", "content": "Hi"},
        meta={"keep": 1, "drop": 2},
    )

    meta = sdk.sessions.patch_message_meta(
        str(session.id), stored.id, meta={"drop": None, "new": "x"}
    )

    assert meta == {"keep": 1, "new": "x"}
    assert sdk.sessions.get_messages(session_id=str(session.id)).metas == [meta]


def test_ping(sdk):
    assert sdk.ping() == "pong"


def test_unknown_session_is_an_sdk_error(sdk):
    with pytest.raises(APIError) as error:
        sdk.sessions.get_configs("123e4567-e89b-12d3-a456-426614174000")

    assert error.value.status_code == 404
    assert error.value.message == "session not found"


def test_a_text_file_uploaded_by_the_sdk_reads_as_text(sdk, session):
    stored = sdk.sessions.store_message(
        session_id=str(session.id),
        blob={"role": "user", "parts": [{"type": "file", "file_field": "report"}]},
        format="acontext",
        file_field="report",
        file=("report.txt", b"hello", "text/plain"),
    )

    [part] = stored.parts
    assert (part.type, part.filename, part.asset.mime, part.asset.size_b) == (
        "file",
        "report.txt",
        "text/plain",
        5,
    )
    openai = sdk.sessions.get_messages(session_id=str(session.id), format="openai")
    assert openai.items == [{"role": "user", "content": "report.txt\n\nhello"}]


def store_through_sdk_or_http(sdk, api, session, format, blob, meta):
    """The SDK stores the formats it knows; OpenAI Responses items go through the HTTP API."""
    if format in SDK_FORMATS:
        sdk.sessions.store_message(session_id=str(session.id), blob=blob, format=format, meta=meta)
        return
    answer = api.post(
        f"/api/v1/session/{session.id}/messages",
        {"blob": blob, "format": format, "meta": meta},
        format="json",
    )
    assert answer.status_code == 201, answer.content


def test_every_acontext_item_of_a_mixed_conversation_is_an_sdk_message(sdk, api, session):
    for format, blob, meta in DEMO_CONVERSATION:
        store_through_sdk_or_http(sdk, api, session, format, blob, meta)

    result = sdk.sessions.get_messages(session_id=str(session.id), format="acontext")

    assert len(result.items) == len(DEMO_CONVERSATION)
    parsed = [SdkMessage.model_validate(item) for item in result.items]
    assert [message.role for message in parsed] == [
        message.canonical["role"] for message in Message.objects.order_by("seq")
    ]
    tool_call = next(p for m in parsed for p in m.parts if p.type == "tool-call")
    assert tool_call.meta == {
        "id": "call_weather_1",
        "name": "get_weather",
        "arguments": '{"city": "Paris"}',
    }


def test_sdk_built_acontext_messages_are_stored_and_read_in_other_formats(sdk, session):
    call = build_acontext_message(
        role="assistant",
        parts=[
            "Let me check.",
            MessagePart(type="tool-call", meta={"id": "c1", "name": "f", "arguments": "{}"}),
        ],
    )
    result = build_acontext_message(
        role="user", parts=[{"type": "tool-result", "text": "42", "meta": {"tool_call_id": "c1"}}]
    )
    for blob in (call, result):
        sdk.sessions.store_message(session_id=str(session.id), blob=blob, format="acontext")

    read = sdk.sessions.get_messages(session_id=str(session.id), format="openai")

    assert read.items == [
        {
            "role": "assistant",
            "content": "Let me check.",
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "42"},
    ]


def test_the_sdk_refuses_to_store_openai_responses_items_but_reads_them(sdk, api, session):
    """As the README says: the SDK checks the format of a store on the client, not of a read."""
    call = {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"}
    with pytest.raises(ValueError, match="format must be one of"):
        sdk.sessions.store_message(session_id=str(session.id), blob=call, format="openai_responses")
    assert Message.objects.count() == 0
    store_through_sdk_or_http(sdk, api, session, "openai", {"role": "user", "content": "go"}, {})
    store_through_sdk_or_http(sdk, api, session, "openai_responses", call, {})

    result = sdk.sessions.get_messages(session_id=str(session.id), format="openai_responses")

    assert result.items == [{"role": "user", "content": "go"}, call]
    strict_types.validate_openai_responses_items(result.items)
