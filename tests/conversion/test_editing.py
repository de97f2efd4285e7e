"""Edit strategies: Acontext's semantics, exact outputs, and valid requests in every format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conversion import FORMATS, editing, render
from conversion.editing import (
    InvalidEditStrategy,
    MiddleOut,
    RemoveToolCallParams,
    RemoveToolResult,
    Strategy,
    TokenLimit,
    edit,
    parse_strategies,
)
from tests.conversion.conftest import (
    PROVIDERS,
    assert_valid_request,
    corpus_files,
    load_corpus,
    message_id,
    store,
)


def call(call_id: str, city: str) -> dict[str, Any]:
    arguments = json.dumps({"city": city})
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": "weather", "arguments": arguments},
    }


# 0 system, 1 user, 2 assistant calls c1, 3 tool c1, 4 assistant calls c2 + c3,
# 5 tool c2, 6 tool c3, 7 assistant text, 8 user.
AGENT_RUN = [
    {"role": "system", "content": "You are a weather bot."},
    {"role": "user", "content": "Weather in Paris, Rome and Oslo?"},
    {"role": "assistant", "content": None, "tool_calls": [call("c1", "Paris")]},
    {"role": "tool", "tool_call_id": "c1", "content": "Paris: sunny, 24 degrees"},
    {"role": "assistant", "content": None, "tool_calls": [call("c2", "Rome"), call("c3", "Oslo")]},
    {"role": "tool", "tool_call_id": "c2", "content": "Rome: rain, 15 degrees"},
    {"role": "tool", "tool_call_id": "c3", "content": "Oslo: snow, -3 degrees"},
    {"role": "assistant", "content": "Paris is sunny, Rome rainy, Oslo snowy."},
    {"role": "user", "content": "Thanks!"},
]


def agent_run() -> list[Any]:
    return store(AGENT_RUN, "openai")


def openai_items(messages: list[Any]) -> list[Any]:
    rendered = render(messages, "openai")
    assert_valid_request(rendered, "openai")
    return rendered.items


def codes(edited: editing.Edited) -> list[tuple[str, int | None, str]]:
    return [(w.message_id, w.part_index, w.code) for w in edited.warnings]


EXPECTED_TYPES = "remove_tool_result, remove_tool_call_params, token_limit, middle_out"

# Parsing ----------------------------------------------------------------------------------


def test_parameters_default_as_in_acontext():
    parsed = parse_strategies(
        [
            {"type": "remove_tool_result"},
            {"type": "remove_tool_call_params", "params": {}},
            {"type": "token_limit", "params": {"limit_tokens": 100}},
            {"type": "middle_out", "params": {"token_reduce_to": 50.0}},
        ]
    )

    assert parsed == [
        RemoveToolResult(keep_recent_n_tool_results=3, tool_result_placeholder="Done"),
        RemoveToolCallParams(keep_recent_n_tool_calls=3),
        TokenLimit(limit_tokens=100),
        MiddleOut(token_reduce_to=50),
    ]


def test_a_blank_placeholder_is_done_and_others_are_trimmed():
    blank, padded = parse_strategies(
        [
            {"type": "remove_tool_result", "params": {"tool_result_placeholder": "  "}},
            {"type": "remove_tool_result", "params": {"tool_result_placeholder": " [gone] "}},
        ]
    )

    assert isinstance(blank, RemoveToolResult)
    assert isinstance(padded, RemoveToolResult)
    assert (blank.tool_result_placeholder, padded.tool_result_placeholder) == ("Done", "[gone]")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            {"type": "token_limit"},
            "edit_strategies: must be a JSON array of {type, params} objects",
        ),
        (["token_limit"], "edit_strategies[0]: must be an object with type and params"),
        (
            [{"type": "token_limit", "limit_tokens": 5}],
            "edit_strategies[0].limit_tokens: is not a field of an edit strategy",
        ),
        (
            [{"params": {}}],
            f"edit_strategies[0].type: unknown strategy None; expected one of {EXPECTED_TYPES}",
        ),
        ([{"type": "token_limit", "params": []}], "edit_strategies[0].params: must be an object"),
        (
            [{"type": "middle_out", "params": {}}],
            "edit_strategies[0].params.token_reduce_to: is required for middle_out",
        ),
        (
            [{"type": "token_limit", "params": {"limit_tokens": "5"}}],
            "edit_strategies[0].params.limit_tokens: must be an integer",
        ),
        (
            [{"type": "remove_tool_result", "params": {"keep_recent_n_tool_results": -1}}],
            "edit_strategies[0].params.keep_recent_n_tool_results: must be at least 0",
        ),
        (
            [{"type": "remove_tool_call_params", "params": {"gt_token": 0}}],
            "edit_strategies[0].params.gt_token: must be at least 1",
        ),
        (
            [{"type": "remove_tool_call_params", "params": {"keep_tools": ["a", 1]}}],
            "edit_strategies[0].params.keep_tools: must be an array of tool names",
        ),
        (
            [{"type": "token_limit", "params": {"limit_tokens": 1}}, {"type": "x"}],
            f"edit_strategies[1].type: unknown strategy 'x'; expected one of {EXPECTED_TYPES}",
        ),
    ],
)
def test_malformed_strategies_name_the_field(value, message):
    with pytest.raises(InvalidEditStrategy) as raised:
        parse_strategies(value)

    assert str(raised.value) == message


# remove_tool_result -----------------------------------------------------------------------


def test_remove_tool_result_keeps_the_newest_results():
    edited = edit(agent_run(), [RemoveToolResult(keep_recent_n_tool_results=1)])

    items = openai_items(edited.messages)
    assert [item.get("content") for item in items if item["role"] == "tool"] == [
        "Done",
        "Done",
        "Oslo: snow, -3 degrees",
    ]
    assert items[3] == {"role": "tool", "tool_call_id": "c1", "content": "Done"}
    assert codes(edited) == [
        (message_id(3), 0, "tool_result_removed"),
        (message_id(5), 0, "tool_result_removed"),
    ]
    assert edited.warnings[0].detail == (
        "edit remove_tool_result: the result of tool call c1 reads 'Done'"
    )
    assert edited.edit_at_message_id == message_id(8)


def test_remove_tool_result_with_the_defaults_keeps_three():
    edited = edit(agent_run(), [RemoveToolResult()])

    assert edited.messages == agent_run()
    assert edited.warnings == []


def test_remove_tool_result_spares_kept_tools_and_short_results():
    blobs = [
        {"role": "user", "content": "Go"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                call("c1", "Paris"),
                {"id": "c2", "type": "function", "function": {"name": "search", "arguments": "{}"}},
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "short"},
        {"role": "tool", "tool_call_id": "c2", "content": "a much longer search result " * 5},
        {"role": "assistant", "content": None, "tool_calls": [call("c3", "Oslo")]},
        {"role": "tool", "tool_call_id": "c3", "content": "a long weather report " * 5},
    ]
    messages = store(blobs, "openai")

    kept_tools = edit(
        messages,
        [RemoveToolResult(keep_recent_n_tool_results=0, keep_tools=("weather",))],
    )
    long_only = edit(messages, [RemoveToolResult(keep_recent_n_tool_results=0, gt_token=3)])

    assert [i.get("content") for i in openai_items(kept_tools.messages) if i["role"] == "tool"] == [
        "short",
        "Done",
        "a long weather report " * 5,
    ]
    assert [i.get("content") for i in openai_items(long_only.messages) if i["role"] == "tool"] == [
        "short",  # one token: not more than 3
        "Done",
        "Done",
    ]


def test_a_replaced_result_loses_its_nested_media_too():
    blobs = [
        {"role": "user", "content": [{"type": "text", "text": "Screenshot?"}]},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "shot", "input": {}}],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "t1",
                    "content": [
                        {"type": "text", "text": "Here it is"},
                        {
                            "type": "image",
                            "source": {
                                "type": "base64",
                                "media_type": "image/png",
                                "data": "iVBORw0KGgo=",
                            },
                        },
                    ],
                }
            ],
        },
    ]

    edited = edit(store(blobs, "anthropic"), [RemoveToolResult(keep_recent_n_tool_results=0)])

    rendered = render(edited.messages, "anthropic")
    assert_valid_request(rendered, "anthropic")
    assert rendered.items[2] == {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "Done"}],
    }


# remove_tool_call_params ------------------------------------------------------------------


def test_remove_tool_call_params_empties_old_arguments():
    edited = edit(agent_run(), [RemoveToolCallParams(keep_recent_n_tool_calls=1)])

    items = openai_items(edited.messages)
    assert [
        (tool_call["id"], tool_call["function"])
        for item in items
        for tool_call in item.get("tool_calls", [])
    ] == [
        ("c1", {"name": "weather", "arguments": "{}"}),
        ("c2", {"name": "weather", "arguments": "{}"}),
        ("c3", {"name": "weather", "arguments": '{"city": "Oslo"}'}),
    ]
    assert codes(edited) == [
        (message_id(2), 0, "tool_call_params_removed"),
        (message_id(4), 0, "tool_call_params_removed"),
    ]
    # Anthropic and Gemini get an empty object.
    anthropic = render(edited.messages, "anthropic")
    assert anthropic.items[1]["content"][0]["input"] == {}


def test_remove_tool_call_params_spares_kept_tools_and_short_arguments():
    kept = edit(
        agent_run(),
        [RemoveToolCallParams(keep_recent_n_tool_calls=0, keep_tools=("weather",))],
    )
    long_only = edit(agent_run(), [RemoveToolCallParams(keep_recent_n_tool_calls=0, gt_token=6)])

    assert kept.warnings == []
    # '{"city": "Paris"}' and '{"city": "Rome"}' are 6 tokens, '{"city": "Oslo"}' is 7.
    assert codes(long_only) == [(message_id(4), 1, "tool_call_params_removed")]


# token_limit ------------------------------------------------------------------------------


def test_token_limit_drops_the_oldest_messages_until_the_total_fits():
    messages = agent_run()
    total = sum(editing.message_tokens(message) for message in messages)

    edited = edit(messages, [TokenLimit(limit_tokens=total - 1)])

    # The system prompt is the oldest message: it goes first, as in Acontext.
    assert [m.id for m in edited.messages] == [message_id(p) for p in range(1, 9)]
    assert codes(edited) == [(message_id(0), None, "message_dropped")]
    assert edited.warnings[0].detail == f"edit token_limit: dropped to fit {total - 1} tokens"


def test_token_limit_drops_the_results_of_dropped_calls():
    messages = agent_run()
    tail = sum(editing.message_tokens(message) for message in messages[4:])

    edited = edit(messages, [TokenLimit(limit_tokens=tail)])

    assert [m.id for m in edited.messages] == [message_id(p) for p in range(4, 9)]
    assert codes(edited) == [
        (message_id(0), None, "message_dropped"),
        (message_id(1), None, "message_dropped"),
        (message_id(2), None, "message_dropped"),
        (message_id(3), None, "message_dropped"),
    ]
    assert openai_items(edited.messages)[0]["tool_calls"][0]["id"] == "c2"


def test_token_limit_keeps_a_message_that_holds_more_than_the_dropped_result():
    blobs = [
        {"role": "user", "content": [{"type": "text", "text": "Look up Paris"}]},
        {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "t1", "name": "weather", "input": {"city": "Paris"}}
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": "sunny"},
                {"type": "text", "text": "And now tell me a joke about the weather in Paris."},
            ],
        },
    ]
    messages = store(blobs, "anthropic")

    edited = edit(messages, [TokenLimit(limit_tokens=15)])

    assert codes(edited) == [
        (message_id(0), None, "message_dropped"),
        (message_id(1), None, "message_dropped"),
        (message_id(2), 0, "tool_result_dropped"),
    ]
    for target in FORMATS:
        assert_valid_request(render(edited.messages, target), target)
    assert render(edited.messages, "anthropic").items == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "And now tell me a joke about the weather in Paris."}
            ],
        }
    ]


def test_token_limit_pairs_gemini_calls_without_ids_by_name():
    blobs = [
        {"role": "user", "parts": [{"text": "Weather in Paris?"}]},
        {
            "role": "model",
            "parts": [{"functionCall": {"name": "weather", "args": {"city": "Paris"}}}],
        },
        {
            "role": "user",
            "parts": [{"functionResponse": {"name": "weather", "response": {"output": "sunny"}}}],
        },
        {"role": "model", "parts": [{"text": "It is sunny in Paris today, enjoy the walk."}]},
    ]
    messages = store(blobs, "gemini")

    edited = edit(messages, [TokenLimit(limit_tokens=12)])

    assert [m.id for m in edited.messages] == [message_id(3)]
    for target in FORMATS:
        assert_valid_request(render(edited.messages, target), target)


# middle_out -------------------------------------------------------------------------------


def test_middle_out_removes_the_middle_with_its_tool_partners():
    messages = agent_run()
    total = sum(editing.message_tokens(message) for message in messages)

    edited = edit(messages, [MiddleOut(token_reduce_to=total - 1)])

    # Nine messages: the middle is position 4, whose calls are answered by 5 and 6.
    assert [m.id for m in edited.messages] == [message_id(p) for p in (0, 1, 2, 3, 7, 8)]
    assert codes(edited) == [
        (message_id(4), None, "message_dropped"),
        (message_id(5), None, "message_dropped"),
        (message_id(6), None, "message_dropped"),
    ]


def test_middle_out_takes_the_first_message_when_two_are_left():
    blobs = [{"role": "user", "content": "one two three"}, {"role": "assistant", "content": "four"}]
    messages = store(blobs, "openai")

    edited = edit(messages, [MiddleOut(token_reduce_to=editing.message_tokens(messages[1]))])

    assert [m.id for m in edited.messages] == [message_id(1)]


# Order, pin, storage ----------------------------------------------------------------------


def test_strategies_run_in_acontext_priority_order():
    messages = agent_run()
    placeholders_first: list[Strategy] = [
        TokenLimit(limit_tokens=10_000),
        RemoveToolCallParams(keep_recent_n_tool_calls=0),
        RemoveToolResult(keep_recent_n_tool_results=0),
    ]

    edited = edit(messages, placeholders_first)

    assert [code for _, _, code in codes(edited)] == [
        "tool_result_removed",
        "tool_result_removed",
        "tool_result_removed",
        "tool_call_params_removed",
        "tool_call_params_removed",
        "tool_call_params_removed",
    ]


def test_token_limit_counts_what_earlier_strategies_left():
    messages = agent_run()
    placeholder = edit(messages, [RemoveToolResult(keep_recent_n_tool_results=0)]).messages
    after_placeholders = sum(editing.message_tokens(message) for message in placeholder)

    edited = edit(
        messages,
        [
            TokenLimit(limit_tokens=after_placeholders),
            RemoveToolResult(keep_recent_n_tool_results=0),
        ],
    )

    assert [m.id for m in edited.messages] == [m.id for m in messages]  # nothing more to drop


def test_the_pin_limits_edits_to_the_messages_up_to_it():
    messages = agent_run()

    edited = edit(messages, [RemoveToolResult(keep_recent_n_tool_results=0)], pin=message_id(4))

    assert codes(edited) == [(message_id(3), 0, "tool_result_removed")]
    assert edited.edit_at_message_id == message_id(4)
    assert edited.messages[5:] == messages[5:]


def test_a_pin_that_is_not_read_is_ignored():
    edited = edit(agent_run(), [RemoveToolResult(keep_recent_n_tool_results=2)], pin="nope")

    assert codes(edited) == [(message_id(3), 0, "tool_result_removed")]
    assert edited.edit_at_message_id == message_id(8)


def test_token_limit_before_the_pin_drops_results_after_it():
    messages = agent_run()
    # Pinned at the calls of c2 and c3: dropping them must not leave their results behind.
    edited = edit(messages, [TokenLimit(limit_tokens=1)], pin=message_id(4))

    assert [m.id for m in edited.messages] == [message_id(7), message_id(8)]
    assert codes(edited)[-2:] == [
        (message_id(5), None, "message_dropped"),
        (message_id(6), None, "message_dropped"),
    ]
    for target in FORMATS:
        assert_valid_request(render(edited.messages, target), target)


def test_without_strategies_nothing_changes():
    messages = agent_run()

    edited = edit(messages, [], pin=message_id(2))

    assert edited.messages == messages
    assert edited.warnings == []
    assert edited.edit_at_message_id == message_id(8)
    assert edit([], []).edit_at_message_id is None


def test_an_edited_message_is_rendered_not_replayed():
    messages = agent_run()

    edited = edit(messages, [RemoveToolResult(keep_recent_n_tool_results=0)])

    assert all(m.edited for m in edited.messages if m.id in {message_id(3), message_id(5)})
    assert messages[3].raw == AGENT_RUN[3]  # the stored message is untouched
    assert openai_items(edited.messages)[3]["content"] == "Done"


# Every corpus conversation stays a valid request in every format -------------------------

STRATEGY_SETS: dict[str, list[Strategy]] = {
    "results": [RemoveToolResult(keep_recent_n_tool_results=0)],
    "params": [RemoveToolCallParams(keep_recent_n_tool_calls=0)],
    "limit": [TokenLimit(limit_tokens=60)],
    "middle": [MiddleOut(token_reduce_to=60)],
    "all": [
        RemoveToolResult(keep_recent_n_tool_results=1),
        RemoveToolCallParams(keep_recent_n_tool_calls=1),
        MiddleOut(token_reduce_to=200),
        TokenLimit(limit_tokens=120),
    ],
}
CASES = [(provider, path) for provider in PROVIDERS for path in corpus_files(provider)]


@pytest.mark.parametrize(("provider", "path"), CASES, ids=[f"{p}/{f.stem}" for p, f in CASES])
@pytest.mark.parametrize("strategies", STRATEGY_SETS, ids=list(STRATEGY_SETS))
def test_every_edited_corpus_conversation_is_a_valid_request(
    provider: str, path: Path, strategies: str
) -> None:
    messages = store(load_corpus(path), provider)
    pin = messages[len(messages) // 2].id

    for pinned in (None, pin):
        edited = edit(messages, STRATEGY_SETS[strategies], pin=pinned)
        for target in FORMATS:
            assert_valid_request(render(edited.messages, target), target)
        if pinned is not None:
            # Beyond the pin, messages are only ever dropped (with their dropped calls).
            position = [m.id for m in messages].index(pinned)
            later = {m.id: m for m in messages[position + 1 :]}
            for message in edited.messages:
                if message.id in later and not message.edited:
                    assert message == later[message.id]
