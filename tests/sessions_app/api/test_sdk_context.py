"""The official Python SDK's context calls, unchanged, against a live server.

Reading a session whole or a page at a time (the newest page first, still in conversation
order), Acontext's four edit strategies and their pin, o200k_base token counts, copies,
events, and the task calls this server answers honestly (it tracks no tasks).

Edits are checked on a small agent conversation (four tool rounds, the third with two
parallel calls): each expected conversation is ``AGENT`` with the named results, arguments or
messages changed, compared item for item, and every edited conversation must still be a valid
request for OpenAI, Anthropic and Gemini. What the SDK's ``GetMessagesOutput`` drops
(``system``, ``warnings``) is read from the raw HTTP answer.
"""

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Unpack

import httpx
import pytest
from acontext import AcontextClient, DiskEvent, TextEvent
from acontext.errors import APIError
from acontext.types.session import (
    EditStrategy,
    GetMessagesOutput,
    MiddleOutStrategy,
    RemoveToolCallParamsParams,
    RemoveToolCallParamsStrategy,
    RemoveToolResultParams,
    RemoveToolResultStrategy,
    TokenLimitStrategy,
)
from acontext.types.session import Message as SdkMessage

from conversion import tokens
from sessions_app import services
from sessions_app.models import Message, Session, SessionEvent, iso8601
from tests.conversion import rules, strict_types

pytestmark = pytest.mark.django_db(transaction=True)

JSON = dict[str, Any]
BASE_TIME = datetime.fromisoformat("2026-01-05T09:00:00+00:00")

# The agent conversation --------------------------------------------------------------------


def tool_call(call_id: str, name: str, arguments: Mapping[str, str]) -> JSON:
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments)},
    }


def calling(*calls: JSON, content: str | None = None) -> JSON:
    return {"role": "assistant", "content": content, "tool_calls": list(calls)}


def tool_result(call_id: str, text: str) -> JSON:
    return {"role": "tool", "tool_call_id": call_id, "content": text}


AGENT: list[JSON] = [
    {"role": "system", "content": "You are a travel agent."},
    {"role": "user", "content": "Plan a day in Paris."},
    calling(tool_call("call_1", "get_weather", {"city": "Paris"})),
    tool_result("call_1", "Sunny, 24°C in Paris."),
    calling(tool_call("call_2", "search_web", {"query": "museums in Paris"})),
    tool_result("call_2", "Louvre, Orsay, Pompidou."),
    calling(
        tool_call("call_3", "get_weather", {"city": "Lyon"}),
        tool_call("call_4", "search_web", {"query": "trains Paris Lyon"}),
        content="Checking Lyon too.",
    ),
    tool_result("call_3", "Rainy, 12°C in Lyon."),
    tool_result("call_4", "TGV every hour from Gare de Lyon."),
    calling(tool_call("call_5", "book_table", {"restaurant": "Le Cinq", "time": "20:00"})),
    tool_result("call_5", "Booked: Le Cinq, 20:00."),
    {"role": "assistant", "content": "Sunny in Paris: the Louvre, then dinner at Le Cinq."},
]
# o200k_base tokens of each message as Acontext counts them (texts + "\n", each call as
# {"arguments":...,"name":...} + "\n"), read back one message a page in
# test_each_message_counts_its_o200k_tokens.
AGENT_TOKENS = [6, 6, 16, 8, 20, 10, 40, 9, 9, 26, 11, 14]
# The tokens of each result's text alone (gt_token compares these) and of each call's
# arguments, by call id (checked in the same test).
RESULT_TEXT_TOKENS = {"call_1": 8, "call_2": 10, "call_3": 9, "call_4": 9, "call_5": 11}
ARGUMENT_TOKENS = {"call_1": 6, "call_2": 10, "call_3": 7, "call_4": 9, "call_5": 16}
DONE_TOKENS = 2  # "Done\n": [24537, 198]


def edited(
    *,
    results: Mapping[str, str] | None = None,
    arguments: Mapping[str, str] | None = None,
    kept: Iterable[int] | None = None,
) -> list[JSON]:
    """``AGENT`` with the results and arguments of the given calls replaced, and only the
    messages at ``kept`` (all of them by default)."""
    results = results or {}
    arguments = arguments or {}
    messages = []
    for message in json.loads(json.dumps(AGENT)):
        if message["role"] == "tool" and message["tool_call_id"] in results:
            message["content"] = results[message["tool_call_id"]]
        for call in message.get("tool_calls", []):
            if call["id"] in arguments:
                call["function"]["arguments"] = arguments[call["id"]]
        messages.append(message)
    return messages if kept is None else [messages[index] for index in kept]


@dataclass(frozen=True)
class StoredAgent:
    session_id: str
    ids: list[str]

    def ids_at(self, positions: Iterable[int]) -> list[str]:
        return [self.ids[position] for position in positions]


@pytest.fixture
def agent(session: Session) -> StoredAgent:
    for blob in AGENT:
        services.message_store(session=session, blob=blob, format="openai")
    return StoredAgent(str(session.id), message_ids(session))


# Helpers -------------------------------------------------------------------------------------


def message_ids(session: Session) -> list[str]:
    return [
        str(i)
        for i in Message.objects.filter(session=session)
        .order_by("seq")
        .values_list("id", flat=True)
    ]


def raw_messages(live_server, secret: str, session_id: str, **query: Any) -> JSON:
    """GET /session/{id}/messages over plain HTTP: the whole ``data``, system and warnings
    included."""
    response = httpx.get(
        f"{live_server.url}/api/v1/session/{session_id}/messages",
        params=query,
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200, response.text
    data: JSON = response.json()["data"]
    return data


def read_pages(sdk, session_id: str, **query: Any) -> list[GetMessagesOutput]:
    """Every page of ``get_messages(**query)``, following ``next_cursor`` to the end."""
    pages = []
    cursor = None
    while True:
        page = sdk.sessions.get_messages(session_id, cursor=cursor, **query)
        pages.append(page)
        if not page.has_more:
            assert page.next_cursor is None
            return pages
        cursor = page.next_cursor


def set_created_at(model: type[Message] | type[SessionEvent], pk: str, moment: datetime) -> None:
    model.objects.filter(pk=pk).update(created_at=moment, updated_at=moment)


def remove_tool_result(**params: Unpack[RemoveToolResultParams]) -> RemoveToolResultStrategy:
    return {"type": "remove_tool_result", "params": params}


def remove_tool_call_params(
    **params: Unpack[RemoveToolCallParamsParams],
) -> RemoveToolCallParamsStrategy:
    return {"type": "remove_tool_call_params", "params": params}


def token_limit(limit_tokens: int) -> TokenLimitStrategy:
    return {"type": "token_limit", "params": {"limit_tokens": limit_tokens}}


def middle_out(token_reduce_to: int) -> MiddleOutStrategy:
    return {"type": "middle_out", "params": {"token_reduce_to": token_reduce_to}}


# Whole sessions and pages ------------------------------------------------------------------

LONG_SESSION = 250


@pytest.fixture
def long_session(session: Session) -> list[str]:
    for index in range(LONG_SESSION):
        role = "user" if index % 2 == 0 else "assistant"
        services.message_store(session=session, blob={"role": role, "content": f"message {index}"})
    return message_ids(session)


def test_without_a_limit_the_whole_session_is_one_conversation(sdk, session, long_session):
    read = sdk.sessions.get_messages(str(session.id))

    assert read.items == [
        {"role": "user" if index % 2 == 0 else "assistant", "content": f"message {index}"}
        for index in range(LONG_SESSION)
    ]
    assert read.ids == long_session
    assert read.has_more is False
    assert read.next_cursor is None
    assert read.edit_at_message_id == long_session[-1]


def test_the_newest_page_comes_first_and_the_cursor_walks_back(sdk, session, long_session):
    pages = read_pages(sdk, str(session.id), limit=10, time_desc=True)

    # The first page is the newest ten messages, in conversation order.
    assert pages[0].items == [
        {"role": "user" if index % 2 == 0 else "assistant", "content": f"message {index}"}
        for index in range(240, 250)
    ]
    assert pages[0].ids == long_session[240:]
    assert pages[0].has_more is True
    # Each next page is the ten before: every message once, each page oldest first.
    assert [len(page.ids) for page in pages] == [10] * (LONG_SESSION // 10)
    assert [message_id for page in reversed(pages) for message_id in page.ids] == long_session
    for page in pages:
        assert [item["content"] for item in page.items] == [
            f"message {long_session.index(message_id)}" for message_id in page.ids
        ]


# Edit strategies -----------------------------------------------------------------------------


def test_remove_tool_result_by_default_keeps_the_three_newest_results(sdk, agent):
    read = sdk.sessions.get_messages(agent.session_id, edit_strategies=[remove_tool_result()])

    assert read.items == edited(results={"call_1": "Done", "call_2": "Done"})
    assert read.ids == agent.ids
    assert (
        read.this_time_tokens
        == (sum(AGENT_TOKENS) - AGENT_TOKENS[3] - AGENT_TOKENS[5] + 2 * DONE_TOKENS)
        == 161
    )
    assert read.edit_at_message_id == agent.ids[-1]


def test_remove_tool_result_counts_results_not_messages_and_uses_the_placeholder(sdk, agent):
    # The third round answers two calls in two messages: each result counts.
    read = sdk.sessions.get_messages(
        agent.session_id,
        edit_strategies=[
            remove_tool_result(keep_recent_n_tool_results=1, tool_result_placeholder="[pruned]")
        ],
    )

    assert read.items == edited(
        results={call: "[pruned]" for call in ("call_1", "call_2", "call_3", "call_4")}
    )


def test_remove_tool_result_keeps_the_results_of_keep_tools(sdk, agent):
    read = sdk.sessions.get_messages(
        agent.session_id,
        edit_strategies=[
            remove_tool_result(keep_recent_n_tool_results=0, keep_tools=["get_weather"])
        ],
    )

    # A result is matched to keep_tools by the name of the call it answers.
    assert read.items == edited(results={"call_2": "Done", "call_4": "Done", "call_5": "Done"})


def test_remove_tool_result_with_gt_token_replaces_only_longer_results(sdk, agent):
    read = sdk.sessions.get_messages(
        agent.session_id, edit_strategies=[remove_tool_result(gt_token=8)]
    )

    # The oldest two are candidates; call_1's text has exactly 8 tokens (not more) and stays.
    # call_3 has 9 but is one of the three newest.
    assert read.items == edited(results={"call_2": "Done"})


def test_remove_tool_result_with_gt_token_and_no_recent_results(sdk, agent):
    read = sdk.sessions.get_messages(
        agent.session_id,
        edit_strategies=[remove_tool_result(keep_recent_n_tool_results=0, gt_token=9)],
    )

    assert read.items == edited(results={"call_2": "Done", "call_5": "Done"})


def test_remove_tool_call_params_by_default_keeps_the_three_newest_calls(sdk, agent):
    read = sdk.sessions.get_messages(agent.session_id, edit_strategies=[remove_tool_call_params()])

    assert read.items == edited(arguments={"call_1": "{}", "call_2": "{}"})
    # '{"arguments":"{}","name":"get_weather"}\n' and the same for search_web: 10 tokens each.
    assert read.this_time_tokens == sum(AGENT_TOKENS) - AGENT_TOKENS[2] - AGENT_TOKENS[4] + 20


def test_remove_tool_call_params_keeps_the_calls_of_keep_tools(sdk, agent):
    read = sdk.sessions.get_messages(
        agent.session_id,
        edit_strategies=[
            remove_tool_call_params(keep_recent_n_tool_calls=0, keep_tools=["book_table"])
        ],
    )

    assert read.items == edited(
        arguments={call: "{}" for call in ("call_1", "call_2", "call_3", "call_4")}
    )


def test_remove_tool_call_params_with_gt_token_empties_only_longer_arguments(sdk, agent):
    read = sdk.sessions.get_messages(
        agent.session_id,
        edit_strategies=[remove_tool_call_params(keep_recent_n_tool_calls=0, gt_token=9)],
    )

    # Of the arguments' 6, 10, 7, 9 and 16 tokens, two are more than 9.
    assert read.items == edited(arguments={"call_2": "{}", "call_5": "{}"})


def test_token_limit_drops_the_oldest_messages_with_the_results_of_their_calls(sdk, agent):
    read = sdk.sessions.get_messages(agent.session_id, edit_strategies=[token_limit(100)])

    # 175 tokens: dropping 0, 1, then each call with its results (2-3, 4-5, 6-8) leaves 51.
    assert sum(AGENT_TOKENS) == 175
    assert read.items == edited(kept=[9, 10, 11])
    assert read.ids == agent.ids_at([9, 10, 11])
    assert read.this_time_tokens == sum(AGENT_TOKENS[9:]) == 51
    assert read.edit_at_message_id == agent.ids[-1]


def test_token_limit_at_the_total_changes_nothing(sdk, agent):
    read = sdk.sessions.get_messages(agent.session_id, edit_strategies=[token_limit(175)])

    assert read.items == AGENT
    assert read.this_time_tokens == 175


def test_middle_out_removes_middle_messages_with_their_tool_partners(sdk, agent):
    read = sdk.sessions.get_messages(agent.session_id, edit_strategies=[middle_out(100)])

    # Of 12 the middle is message 6 (two calls), which goes with both results: 175 - 58 =
    # 117. Then of the 9 left the middle is message 4, with its result: 87.
    assert read.items == edited(kept=[0, 1, 2, 3, 9, 10, 11])
    assert read.ids == agent.ids_at([0, 1, 2, 3, 9, 10, 11])
    assert read.this_time_tokens == 175 - 58 - 30 == 87


def test_middle_out_takes_the_call_of_a_result_in_the_middle(sdk, agent):
    read = sdk.sessions.get_messages(agent.session_id, edit_strategies=[middle_out(80)])

    # After the two rounds above (87 tokens) the middle of 0-3, 9-11 is message 3, a result:
    # message 2, its call, goes with it (63).
    assert read.items == edited(kept=[0, 1, 9, 10, 11])
    assert read.this_time_tokens == 87 - 24 == 63


def test_strategies_run_in_acontexts_order_not_the_requests(sdk, agent):
    # Asked last, remove_tool_result runs first (priority 1, token_limit 100): with every
    # result at "Done" (138 tokens), dropping up to message 5 is enough. Run in the order
    # asked, token_limit would keep only messages 9-11.
    read = sdk.sessions.get_messages(
        agent.session_id,
        edit_strategies=[token_limit(100), remove_tool_result(keep_recent_n_tool_results=0)],
    )

    assert read.items == edited(
        results={"call_3": "Done", "call_4": "Done", "call_5": "Done"}, kept=range(6, 12)
    )
    assert read.this_time_tokens == 40 + 3 * DONE_TOKENS + 26 + 14 == 86


def test_middle_out_runs_before_token_limit(sdk, agent):
    # The four in reverse: results, then arguments (145 tokens), then middle_out (message 6
    # and its results: 87), then token_limit drops message 0 (81). token_limit first would
    # have dropped everything up to message 8.
    read = sdk.sessions.get_messages(
        agent.session_id,
        edit_strategies=[
            token_limit(85),
            middle_out(100),
            remove_tool_call_params(),
            remove_tool_result(),
        ],
    )

    assert read.items == edited(
        results={"call_1": "Done", "call_2": "Done"},
        arguments={"call_1": "{}", "call_2": "{}"},
        kept=[1, 2, 3, 4, 5, 9, 10, 11],
    )
    assert read.this_time_tokens == 6 + 10 + 2 + 10 + 2 + 26 + 11 + 14 == 81


def test_storage_is_never_edited(sdk, agent):
    sdk.sessions.get_messages(agent.session_id, edit_strategies=[token_limit(10)])

    assert sdk.sessions.get_messages(agent.session_id).items == AGENT
    assert sdk.sessions.get_token_counts(agent.session_id).total_tokens == sum(AGENT_TOKENS)


# The pin -------------------------------------------------------------------------------------


def test_the_pin_limits_edits_to_the_messages_up_to_it(sdk, agent):
    read = sdk.sessions.get_messages(
        agent.session_id,
        edit_strategies=[remove_tool_result(keep_recent_n_tool_results=0)],
        pin_editing_strategies_at_message=agent.ids[5],
    )

    # The results after the pin (call_3 to call_5) stay: a stable prefix for prompt caches.
    assert read.items == edited(results={"call_1": "Done", "call_2": "Done"})
    assert read.edit_at_message_id == agent.ids[5]


def test_a_call_dropped_before_the_pin_takes_its_result_after_the_pin(sdk, agent):
    read = sdk.sessions.get_messages(
        agent.session_id,
        edit_strategies=[token_limit(10)],
        pin_editing_strategies_at_message=agent.ids[2],
    )

    # Up to the pin there are 28 tokens: messages 0-2 go, and message 3 (after the pin) with
    # message 2's call, so no result is left without its call.
    assert read.items == edited(kept=range(4, 12))
    assert read.ids == agent.ids[4:]
    assert read.edit_at_message_id == agent.ids[2]


def test_a_pin_that_was_not_read_is_ignored(sdk, agent):
    read = sdk.sessions.get_messages(
        agent.session_id,
        edit_strategies=[remove_tool_result(keep_recent_n_tool_results=4)],
        pin_editing_strategies_at_message="123e4567-e89b-12d3-a456-426614174000",
    )

    assert read.items == edited(results={"call_1": "Done"})
    assert read.edit_at_message_id == agent.ids[-1]


def test_without_strategies_the_pin_changes_nothing(sdk, agent):
    read = sdk.sessions.get_messages(
        agent.session_id, pin_editing_strategies_at_message=agent.ids[3]
    )

    assert read.items == AGENT
    assert read.edit_at_message_id == agent.ids[-1]


# Edited conversations stay valid requests ----------------------------------------------------

# Name: (strategies, the position of the pinned message or None).
EDITS: dict[str, tuple[list[EditStrategy], int | None]] = {
    "remove_tool_result": ([remove_tool_result()], None),
    "remove_tool_result_all": ([remove_tool_result(keep_recent_n_tool_results=0)], None),
    "remove_tool_result_keep_tools_gt_token": (
        [remove_tool_result(keep_recent_n_tool_results=0, keep_tools=["get_weather"], gt_token=9)],
        None,
    ),
    "remove_tool_call_params_all": ([remove_tool_call_params(keep_recent_n_tool_calls=0)], None),
    "token_limit": ([token_limit(100)], None),
    "token_limit_to_the_last_answer": ([token_limit(20)], None),
    "token_limit_pinned_before_a_result": ([token_limit(10)], 2),
    "middle_out": ([middle_out(100)], None),
    "middle_out_to_a_result": ([middle_out(80)], None),
    "middle_out_hard": ([middle_out(30)], None),
    "middle_out_pinned": ([middle_out(10)], 7),
    "all_four": (
        [token_limit(85), middle_out(100), remove_tool_call_params(), remove_tool_result()],
        None,
    ),
}


@pytest.mark.parametrize(("strategies", "pin"), list(EDITS.values()), ids=list(EDITS))
def test_edited_conversations_are_valid_requests_in_every_format(
    sdk, agent, live_server, issued_key, strategies, pin
):
    query: JSON = {"edit_strategies": strategies}
    if pin is not None:
        query["pin_editing_strategies_at_message"] = agent.ids[pin]
    openai_ids = None
    for target in ("openai", "anthropic", "gemini"):
        read = sdk.sessions.get_messages(agent.session_id, format=target, **query)
        # The SDK drops the system prompt of Anthropic and Gemini: the raw answer has it.
        raw = raw_messages(
            live_server,
            issued_key.secret,
            agent.session_id,
            format=target,
            **{**query, "edit_strategies": json.dumps(strategies)},
        )
        assert raw["items"] == read.items
        assert_valid_request(target, read.items, raw["system"])
        openai_ids = read.ids if target == "openai" else openai_ids

    as_acontext = sdk.sessions.get_messages(agent.session_id, format="acontext", **query)
    assert [SdkMessage.model_validate(item).id for item in as_acontext.items] == openai_ids


def assert_valid_request(target: str, items: list[Any], system: Any) -> None:
    """``items`` (with ``system``) pass the provider SDK's request types in strict mode and
    the cross-message rules of its API."""
    if target == "openai":
        assert system is None
        strict_types.validate_openai_messages(items)
        rules.check_openai_rules(items)
    elif target == "anthropic":
        strict_types.validate_anthropic_messages(items, system)
        rules.check_anthropic_rules(items, system)
    else:
        strict_types.validate_gemini_contents(items, system)
        rules.check_gemini_rules(items, system)


# What GetMessagesOutput leaves out -----------------------------------------------------------


def test_system_and_warnings_are_in_the_raw_answer(sdk, agent, live_server, issued_key):
    data = raw_messages(
        live_server,
        issued_key.secret,
        agent.session_id,
        format="anthropic",
        edit_strategies=json.dumps([remove_tool_result()]),
    )

    assert data["system"] == "You are a travel agent."
    assert data["warnings"] == [
        {
            "message_id": agent.ids[3],
            "part_index": 0,
            "code": "tool_result_removed",
            "detail": "edit remove_tool_result: the result of tool call call_1 reads 'Done'",
        },
        {
            "message_id": agent.ids[5],
            "part_index": 0,
            "code": "tool_result_removed",
            "detail": "edit remove_tool_result: the result of tool call call_2 reads 'Done'",
        },
    ]
    # The SDK's model has no field for either.
    read = sdk.sessions.get_messages(
        agent.session_id, format="anthropic", edit_strategies=[remove_tool_result()]
    )
    assert read.items == data["items"]
    assert "system" not in read.model_dump()
    assert "warnings" not in read.model_dump()


def test_openai_keeps_the_system_prompt_among_the_items(sdk, agent):
    openai = sdk.sessions.get_messages(agent.session_id, format="openai")
    anthropic = sdk.sessions.get_messages(agent.session_id, format="anthropic")

    assert openai.items[0] == {"role": "system", "content": "You are a travel agent."}
    assert openai.ids[0] == agent.ids[0]
    # Anthropic's system prompt is not a message: the items start with the user's.
    assert anthropic.items[0] == {
        "role": "user",
        "content": [{"type": "text", "text": "Plan a day in Paris."}],
    }
    assert anthropic.ids[0] == agent.ids[1]


# Tokens --------------------------------------------------------------------------------------

# o200k_base ids: "hello world" is [24912, 2375] and the newline after each text is [198].
HELLO_WORLD_MESSAGE = [24912, 2375, 198]
# '{"arguments":"{\"q\": \"hello world\"}","name":"f"}' + "\n" (the last id is '"}\n').
HELLO_CALL_MESSAGE = [
    *[10848, 34317, 7534, 124418, 80, 22224, 14927, 24912, 2375, 4017, 92, 4294],
    *[897, 7534, 69, 31085],
]
# '{"arguments":"{}","name":"f"}' + "\n"
EMPTY_CALL_MESSAGE = [10848, 34317, 7534, 12083, 4294, 897, 7534, 69, 31085]


@pytest.fixture
def hello_session(session: Session) -> str:
    for blob in [
        {"role": "user", "content": "hello world"},
        calling(tool_call("c1", "f", {"q": "hello world"})),
        tool_result("c1", "hello world"),
    ]:
        services.message_store(session=session, blob=blob)
    return str(session.id)


def test_this_time_tokens_counts_o200k_tokens_of_what_was_read(sdk, hello_session):
    read = sdk.sessions.get_messages(hello_session)

    expected = len(HELLO_WORLD_MESSAGE) + len(HELLO_CALL_MESSAGE) + len(HELLO_WORLD_MESSAGE)
    assert read.this_time_tokens == expected == 22
    assert sdk.sessions.get_token_counts(hello_session).total_tokens == 22


def test_this_time_tokens_counts_the_edited_conversation(sdk, hello_session):
    read = sdk.sessions.get_messages(
        hello_session,
        edit_strategies=[
            remove_tool_result(keep_recent_n_tool_results=0, tool_result_placeholder="hello world"),
            remove_tool_call_params(keep_recent_n_tool_calls=0),
        ],
    )

    assert read.this_time_tokens == len(HELLO_WORLD_MESSAGE) * 2 + len(EMPTY_CALL_MESSAGE) == 15
    # token_counts is the session as stored, whatever a read edits.
    assert sdk.sessions.get_token_counts(hello_session).total_tokens == 22


def test_each_message_counts_its_o200k_tokens(sdk, agent):
    pages = read_pages(sdk, agent.session_id, limit=1)

    assert [page.this_time_tokens for page in pages] == AGENT_TOKENS
    assert sdk.sessions.get_token_counts(agent.session_id).total_tokens == sum(AGENT_TOKENS)
    # The texts alone, as o200k_base counts them, for what the edit tests rely on.
    for position, text in [(0, "You are a travel agent."), (1, "Plan a day in Paris.")]:
        assert AGENT_TOKENS[position] == tokens.count_text(text + "\n")
    results = {m["tool_call_id"]: m["content"] for m in AGENT if m["role"] == "tool"}
    assert {call: tokens.count_text(text) for call, text in results.items()} == RESULT_TEXT_TOKENS
    calls = [call for message in AGENT for call in message.get("tool_calls", [])]
    assert {
        call["id"]: tokens.count_text(call["function"]["arguments"]) for call in calls
    } == ARGUMENT_TOKENS
    assert tokens.count_text("Done\n") == DONE_TOKENS


def test_an_empty_session_has_no_tokens(sdk, session):
    assert sdk.sessions.get_token_counts(str(session.id)).total_tokens == 0
    assert sdk.sessions.get_messages(str(session.id)).this_time_tokens == 0


# Copies --------------------------------------------------------------------------------------


@pytest.fixture
def original(project) -> Session:
    session = services.session_create(project=project, user="alice", configs={"agent": "bot1"})
    for index, blob in enumerate(AGENT[:4]):
        message = services.message_store(session=session, blob=blob, meta={"n": index})
        set_created_at(Message, str(message.pk), BASE_TIME + timedelta(seconds=index))
    event = services.session_event_add(session=session, type="text_event", data={"text": "hi"})
    set_created_at(SessionEvent, str(event.pk), BASE_TIME + timedelta(seconds=1))
    return session


def test_copy_answers_both_ids(sdk, original):
    copied = sdk.sessions.copy(str(original.id))

    new = Session.objects.exclude(pk=original.pk).get()
    assert copied.model_dump() == {
        "old_session_id": str(original.id),
        "new_session_id": str(new.id),
    }


def test_copy_and_add_event_answer_200_as_acontext(agent, live_server, issued_key):
    base = f"{live_server.url}/api/v1/session/{agent.session_id}"
    headers = {"Authorization": f"Bearer {issued_key.secret}"}

    copy = httpx.post(f"{base}/copy", headers=headers)
    event = httpx.post(f"{base}/events", headers=headers, json=TextEvent(text="x").to_payload())

    assert (copy.status_code, event.status_code) == (200, 200)
    assert copy.json()["data"]["old_session_id"] == agent.session_id
    assert event.json()["data"]["data"] == {"text": "x"}


def test_a_copy_has_the_same_messages_under_new_ids(sdk, original):
    new_id = sdk.sessions.copy(str(original.id)).new_session_id

    new = Session.objects.get(pk=new_id)
    assert (new.project_id, new.user, new.configs) == (
        original.project_id,
        "alice",
        {"agent": "bot1"},
    )
    assert sdk.sessions.get_configs(new_id).configs == {"agent": "bot1"}
    fields = ["seq", "format", "raw", "canonical", "meta", "tokens", "created_at", "updated_at"]
    old_rows = list(Message.objects.filter(session=original).order_by("seq").values("id", *fields))
    new_rows = list(Message.objects.filter(session=new).order_by("seq").values("id", *fields))
    assert [{**row, "id": None} for row in new_rows] == [{**row, "id": None} for row in old_rows]
    assert not {row["id"] for row in new_rows} & {row["id"] for row in old_rows}
    assert [row["created_at"] for row in new_rows] == [
        BASE_TIME + timedelta(seconds=index) for index in range(4)
    ]
    # Through the SDK: the same conversation, metas and tokens.
    old_read = sdk.sessions.get_messages(str(original.id))
    new_read = sdk.sessions.get_messages(new_id)
    assert new_read.items == old_read.items == AGENT[:4]
    assert new_read.metas == [{"n": 0}, {"n": 1}, {"n": 2}, {"n": 3}]
    assert new_read.ids == [str(row["id"]) for row in new_rows]
    assert new_read.this_time_tokens == old_read.this_time_tokens == sum(AGENT_TOKENS[:4])


def test_a_copy_and_its_original_change_independently(sdk, original):
    original_id = str(original.id)
    new_id = sdk.sessions.copy(original_id).new_session_id

    sdk.sessions.store_message(new_id, blob={"role": "user", "content": "Only in the copy."})
    first_original = sdk.sessions.get_messages(original_id).ids[0]
    sdk.sessions.patch_message_meta(original_id, first_original, meta={"n": None, "x": 1})
    sdk.sessions.patch_configs(new_id, configs={"agent": "bot2"})
    sdk.sessions.add_event(original_id, TextEvent(text="only in the original"))

    original_read = sdk.sessions.get_messages(original_id)
    copy_read = sdk.sessions.get_messages(new_id)
    assert original_read.items == AGENT[:4]
    assert copy_read.items == [*AGENT[:4], {"role": "user", "content": "Only in the copy."}]
    assert original_read.metas[0] == {"x": 1}
    assert copy_read.metas[0] == {"n": 0}
    assert sdk.sessions.get_configs(original_id).configs == {"agent": "bot1"}
    assert sdk.sessions.get_configs(new_id).configs == {"agent": "bot2"}
    assert [e.data for e in sdk.sessions.get_events(original_id).items] == [
        {"text": "hi"},
        {"text": "only in the original"},
    ]
    assert [e.data for e in sdk.sessions.get_events(new_id).items] == [{"text": "hi"}]


def test_a_copy_has_the_events_under_new_ids(sdk, original, project):
    new_id = sdk.sessions.copy(str(original.id)).new_session_id

    (old_event,) = sdk.sessions.get_events(str(original.id)).items
    (new_event,) = sdk.sessions.get_events(new_id).items
    assert new_event.id != old_event.id
    assert new_event.model_dump() == {
        **old_event.model_dump(),
        "id": new_event.id,
        "session_id": new_id,
    }
    assert new_event.created_at == iso8601(BASE_TIME + timedelta(seconds=1))
    assert new_event.project_id == str(project.id)


def test_a_session_above_the_copy_limit_is_too_large(sdk, original, settings):
    settings.ACONTEXT_COPY_MAX_MESSAGES = 3

    with pytest.raises(APIError) as error:
        sdk.sessions.copy(str(original.id))

    assert error.value.status_code == 413
    assert error.value.code == 413
    assert error.value.message == "the session has 4 messages; at most 3 can be copied"
    assert error.value.error == "session_too_large"
    assert Session.objects.count() == 1


def test_a_session_at_the_copy_limit_is_copied(sdk, original, settings):
    settings.ACONTEXT_COPY_MAX_MESSAGES = 4

    new_id = sdk.sessions.copy(str(original.id)).new_session_id

    assert len(sdk.sessions.get_messages(new_id).ids) == 4


# Events --------------------------------------------------------------------------------------


def test_add_event_returns_the_sdk_session_event(sdk, session, project):
    text = sdk.sessions.add_event(str(session.id), TextEvent(text="Deployed v2"))
    disk = sdk.sessions.add_event(
        str(session.id), DiskEvent(disk_id="d1", path="/notes/plan.md", note="draft")
    )
    bare_disk = sdk.sessions.add_event(
        str(session.id), DiskEvent(disk_id="d1", path="/a.txt", note=None)
    )

    events = {str(event.id): event for event in SessionEvent.objects.all()}
    for answer, type_, data in [
        (text, "text_event", {"text": "Deployed v2"}),
        (disk, "disk_event", {"disk_id": "d1", "path": "/notes/plan.md", "note": "draft"}),
        (bare_disk, "disk_event", {"disk_id": "d1", "path": "/a.txt"}),
    ]:
        stored = events[answer.id]
        assert answer.model_dump() == {
            "id": str(stored.id),
            "session_id": str(session.id),
            "project_id": str(project.id),
            "type": type_,
            "data": data,
            "created_at": iso8601(stored.created_at),
            "updated_at": iso8601(stored.updated_at),
        }
        assert (stored.type, stored.data) == (type_, data)


@pytest.fixture
def five_events(sdk, session) -> list[str]:
    """Five text events a minute apart, "event 0" the oldest."""
    ids = []
    for index in range(5):
        event = sdk.sessions.add_event(str(session.id), TextEvent(text=f"event {index}"))
        set_created_at(SessionEvent, event.id, BASE_TIME + timedelta(minutes=index))
        ids.append(event.id)
    return ids


def read_event_pages(sdk, session_id: str, *, time_desc: bool) -> list[list[str]]:
    """The event ids of every page of two, following next_cursor to the end."""
    pages = []
    cursor = None
    while True:
        page = sdk.sessions.get_events(session_id, limit=2, cursor=cursor, time_desc=time_desc)
        pages.append([event.id for event in page.items])
        if not page.has_more:
            assert page.next_cursor is None
            return pages
        cursor = page.next_cursor


def test_get_events_pages_oldest_first(sdk, session, five_events):
    pages = read_event_pages(sdk, str(session.id), time_desc=False)

    assert pages == [five_events[0:2], five_events[2:4], five_events[4:]]


def test_get_events_pages_newest_first(sdk, session, five_events):
    pages = read_event_pages(sdk, str(session.id), time_desc=True)

    assert pages == [five_events[:2:-1], five_events[2:0:-1], five_events[:1]]


def test_get_events_by_default_is_every_event_oldest_first(sdk, session, five_events):
    page = sdk.sessions.get_events(str(session.id))

    assert [event.id for event in page.items] == five_events
    assert [event.data for event in page.items] == [{"text": f"event {i}"} for i in range(5)]
    assert [event.created_at for event in page.items] == [
        iso8601(BASE_TIME + timedelta(minutes=index)) for index in range(5)
    ]
    assert page.has_more is False


@pytest.fixture
def timed_session(sdk, session) -> str:
    """Four messages 10 s apart (at 10, 20, 30, 40 s) and events at 5, 10, 25, 40 and 45 s."""
    for index in range(4):
        message = services.message_store(
            session=session, blob={"role": "user", "content": f"m{index}"}
        )
        set_created_at(Message, str(message.pk), BASE_TIME + timedelta(seconds=10 * (index + 1)))
    for seconds in (5, 10, 25, 40, 45):
        event = sdk.sessions.add_event(str(session.id), TextEvent(text=f"at {seconds}s"))
        set_created_at(SessionEvent, event.id, BASE_TIME + timedelta(seconds=seconds))
    return str(session.id)


def event_texts(events: list[Any] | None) -> list[str] | None:
    return None if events is None else [event.data["text"] for event in events]


def test_with_events_gives_the_events_from_the_first_to_the_last_message(sdk, timed_session):
    read = sdk.sessions.get_messages(timed_session, with_events=True)

    # Both ends are included; what happened before the first or after the last is not.
    assert event_texts(read.events) == ["at 10s", "at 25s", "at 40s"]
    assert read.events is not None
    assert read.events[0].model_dump() == next(
        event.model_dump()
        for event in sdk.sessions.get_events(timed_session).items
        if event.data == {"text": "at 10s"}
    )


def test_with_events_on_a_page_gives_the_events_of_that_page(sdk, timed_session):
    oldest = sdk.sessions.get_messages(timed_session, limit=2, with_events=True)
    next_page = sdk.sessions.get_messages(
        timed_session, limit=2, cursor=oldest.next_cursor, with_events=True
    )
    newest = sdk.sessions.get_messages(timed_session, limit=2, time_desc=True, with_events=True)
    single = sdk.sessions.get_messages(timed_session, limit=1, with_events=True)
    second = sdk.sessions.get_messages(
        timed_session, limit=1, cursor=single.next_cursor, with_events=True
    )

    # The event at 25 s falls between the pages (20 s and 30 s): neither has it.
    assert event_texts(oldest.events) == ["at 10s"]
    assert event_texts(next_page.events) == ["at 40s"]
    assert event_texts(newest.events) == ["at 40s"]
    assert event_texts(single.events) == ["at 10s"]
    # A page without events has an empty list (Acontext would leave the field out: None).
    assert event_texts(second.events) == []


def test_without_with_events_there_are_none(sdk, timed_session):
    assert sdk.sessions.get_messages(timed_session).events is None


# Tasks, flush, observing status --------------------------------------------------------------


def test_there_are_no_tasks_and_no_summary(sdk, agent):
    tasks = sdk.sessions.get_tasks(agent.session_id)

    assert tasks.model_dump() == {"items": [], "next_cursor": None, "has_more": False}
    assert sdk.sessions.get_tasks(agent.session_id, limit=5, time_desc=True).items == []
    assert sdk.sessions.get_session_summary(agent.session_id) == ""


def test_flush_has_nothing_to_do(sdk, agent):
    assert sdk.sessions.flush(agent.session_id).model_dump() == {"status": 0, "errmsg": ""}


def test_no_message_waits_to_be_observed(sdk, agent):
    before = datetime.now().astimezone()
    status = sdk.sessions.messages_observing_status(agent.session_id)
    after = datetime.now().astimezone()

    assert status.model_dump(exclude={"updated_at"}) == {
        "observed": 0,
        "in_process": 0,
        "pending": 0,
    }
    assert before <= datetime.fromisoformat(status.updated_at) <= after


MISSING_SESSION_CALLS: dict[str, Callable[[AcontextClient, str], object]] = {
    "get_token_counts": lambda sdk, sid: sdk.sessions.get_token_counts(sid),
    "copy": lambda sdk, sid: sdk.sessions.copy(sid),
    "add_event": lambda sdk, sid: sdk.sessions.add_event(sid, TextEvent(text="x")),
    "get_events": lambda sdk, sid: sdk.sessions.get_events(sid),
    "get_messages with_events": lambda sdk, sid: sdk.sessions.get_messages(sid, with_events=True),
    "get_tasks": lambda sdk, sid: sdk.sessions.get_tasks(sid),
    "get_session_summary": lambda sdk, sid: sdk.sessions.get_session_summary(sid),
    "flush": lambda sdk, sid: sdk.sessions.flush(sid),
    "messages_observing_status": lambda sdk, sid: sdk.sessions.messages_observing_status(sid),
}


def test_every_call_of_a_missing_session_is_404(sdk):
    for name, call in MISSING_SESSION_CALLS.items():
        with pytest.raises(APIError) as error:
            call(sdk, "123e4567-e89b-12d3-a456-426614174000")

        assert (error.value.status_code, error.value.message) == (404, "session not found"), name
