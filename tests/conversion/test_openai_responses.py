"""The OpenAI Responses format: exact outputs for the hard cases, both ways, and what its
reader refuses."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest
from openai.types.responses import (
    ResponseComputerToolCall,
    ResponseComputerToolCallOutputItem,
    ResponseComputerToolCallOutputScreenshot,
    ResponseConfigurationUpdateItem,
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
    ResponseToolSearchCall,
    computer_action,
    response_output_item,
)

from conversion import InvalidMessage, normalize, render
from tests.conversion.conftest import (
    assert_valid_request,
    message_id,
    store,
    store_mixed,
    warning_codes,
)

M0, M1, M2, M3, M4, M5, M6, M7 = (message_id(position) for position in range(8))
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAAB"
    "JRU5ErkJggg=="
)
RESPONSES = "openai_responses"


def agent_turn() -> list[Any]:
    """A reasoning model's turn as the Responses API returns it: reasoning, a message and two
    parallel calls, then the outputs (in reverse order) and the answer."""
    return [
        {"role": "user", "content": "Weather in Paris and Rome?"},
        {
            "type": "reasoning",
            "id": "rs_1",
            "summary": [{"type": "summary_text", "text": "Two cities: two calls."}],
            "encrypted_content": "ZW5jcnlwdGVk",
        },
        {
            "type": "message",
            "id": "msg_1",
            "role": "assistant",
            "status": "completed",
            "phase": "commentary",
            "content": [{"type": "output_text", "text": "Checking both.", "annotations": []}],
        },
        {
            "type": "function_call",
            "id": "fc_1",
            "call_id": "call_paris",
            "name": "get_weather",
            "arguments": '{"city":"Paris"}',
            "status": "completed",
        },
        {
            "type": "function_call",
            "id": "fc_2",
            "call_id": "call_rome",
            "name": "get_weather",
            "arguments": '{"city":"Rome"}',
            "status": "completed",
        },
        {"type": "function_call_output", "call_id": "call_rome", "output": '{"temp_c":21}'},
        {"type": "function_call_output", "call_id": "call_paris", "output": '{"temp_c":14}'},
        {
            "type": "message",
            "id": "msg_2",
            "role": "assistant",
            "status": "completed",
            "content": [
                {
                    "type": "output_text",
                    "text": "Paris 14 °C, Rome 21 °C.",
                    "annotations": [
                        {
                            "type": "url_citation",
                            "url": "https://weather.example.com",
                            "title": "Weather",
                            "start_index": 0,
                            "end_index": 5,
                        }
                    ],
                }
            ],
        },
    ]


def test_a_responses_turn_is_one_chat_completions_message_with_every_call() -> None:
    rendered = render(store(agent_turn(), RESPONSES), "openai")
    assert_valid_request(rendered, "openai")
    assert rendered.items == [
        {"role": "user", "content": "Weather in Paris and Rome?"},
        {
            "role": "assistant",
            "content": "Checking both.",
            "tool_calls": [
                {
                    "id": "call_paris",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                },
                {
                    "id": "call_rome",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Rome"}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "call_rome", "content": '{"temp_c":21}'},
        {"role": "tool", "tool_call_id": "call_paris", "content": '{"temp_c":14}'},
        {"role": "assistant", "content": "Paris 14 °C, Rome 21 °C."},
    ]
    assert rendered.sources == [[M0], [M2, M3, M4], [M5], [M6], [M7]]
    assert [(w.message_id, w.part_index, w.code, w.detail) for w in rendered.warnings] == [
        (M1, 0, "thinking_dropped", "left out: OpenAI chat messages carry no reasoning"),
        (M2, None, "provider_data_dropped", "left out: openai_responses fields phase"),
        (M7, 0, "provider_data_dropped", "left out: openai_responses fields annotations"),
    ]


def test_a_responses_turn_is_one_anthropic_turn() -> None:
    rendered = render(store(agent_turn(), RESPONSES), "anthropic")
    assert_valid_request(rendered, "anthropic")
    assert rendered.items[1:3] == [
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Checking both."},
                {
                    "type": "tool_use",
                    "id": "call_paris",
                    "name": "get_weather",
                    "input": {"city": "Paris"},
                },
                {
                    "type": "tool_use",
                    "id": "call_rome",
                    "name": "get_weather",
                    "input": {"city": "Rome"},
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "call_rome", "content": '{"temp_c":21}'},
                {"type": "tool_result", "tool_use_id": "call_paris", "content": '{"temp_c":14}'},
            ],
        },
    ]
    assert rendered.sources[1:3] == [[M2, M3, M4], [M5, M6]]
    assert (M1, 0, "thinking_dropped") in warning_codes(rendered)


def test_read_as_responses_the_items_come_back_as_stored() -> None:
    items = agent_turn()
    rendered = render(store(items, RESPONSES), RESPONSES)
    assert rendered.items == items
    assert rendered.warnings == []


def test_an_edited_responses_item_is_rebuilt_with_its_id_status_and_annotations() -> None:
    stored = store(agent_turn(), RESPONSES)
    # What an edit strategy does: the message is no longer what was stored.
    stored = [message._replace(edited=True) for message in stored]
    rendered = render(stored, RESPONSES)
    assert_valid_request(rendered, RESPONSES)
    expected = agent_turn()
    # The rebuilt items hold the same fields; only the key order may differ.
    assert rendered.items == expected


def test_chat_completions_turns_split_into_responses_items() -> None:
    chat = [
        {"role": "user", "content": "Weather?"},
        {
            "role": "assistant",
            "content": "Checking.",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Oslo"}'},
                },
                {"id": "call_2", "type": "custom", "custom": {"name": "shell", "input": "ls -la"}},
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": '{"t":3}'},
        {"role": "tool", "tool_call_id": "call_2", "content": "a.txt"},
        {"role": "assistant", "content": None, "refusal": "I can't."},
    ]
    rendered = render(store(chat, "openai"), RESPONSES)
    assert_valid_request(rendered, RESPONSES)
    assert rendered.items == [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": "Checking."},
        {
            "type": "function_call",
            "call_id": "call_1",
            "name": "get_weather",
            "arguments": '{"city":"Oslo"}',
        },
        # A custom tool's call and output stay custom.
        {"type": "custom_tool_call", "call_id": "call_2", "name": "shell", "input": "ls -la"},
        {"type": "function_call_output", "call_id": "call_1", "output": '{"t":3}'},
        {"type": "custom_tool_call_output", "call_id": "call_2", "output": "a.txt"},
        # An assistant message without an item id takes the easy form, which has no refusal.
        {"role": "assistant", "content": "I can't."},
    ]
    assert rendered.sources == [[M0], [M1], [M1], [M1], [M2], [M3], [M4]]
    assert [(w.message_id, w.part_index, w.code, w.detail) for w in rendered.warnings] == [
        (
            M4,
            0,
            "provider_data_dropped",
            "left out: the openai refusal flag (the refusal's text is kept, as ordinary text)",
        )
    ]


def test_anthropic_results_keep_their_images_and_lose_only_the_error_flag() -> None:
    anthropic = [
        {"role": "user", "content": "Look"},
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "hmm", "signature": "c2ln"},
                {"type": "tool_use", "id": "toolu_1", "name": "shot", "input": {}},
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_1",
                    "is_error": True,
                    "content": [
                        {"type": "text", "text": "failed"},
                        {
                            "type": "image",
                            "source": {"type": "base64", "media_type": "image/png", "data": PNG},
                        },
                    ],
                },
                {"type": "text", "text": "so?"},
            ],
        },
    ]
    rendered = render(store(anthropic, "anthropic"), RESPONSES)
    assert_valid_request(rendered, RESPONSES)
    assert rendered.items == [
        {"role": "user", "content": "Look"},
        {"type": "function_call", "call_id": "toolu_1", "name": "shot", "arguments": "{}"},
        {
            "type": "function_call_output",
            "call_id": "toolu_1",
            "output": [
                {"type": "input_text", "text": "failed"},
                {
                    "type": "input_image",
                    "image_url": f"data:image/png;base64,{PNG}",
                    "detail": "auto",
                },
            ],
        },
        {"role": "user", "content": "so?"},
    ]
    assert rendered.sources == [[M0], [M1], [M2], [M2]]
    assert warning_codes(rendered) == [(M1, 0, "thinking_dropped"), (M2, 0, "error_flag_lost")]


def test_built_in_tool_items_go_to_this_format_only() -> None:
    web_search = {
        "type": "web_search_call",
        "id": "ws_1",
        "status": "completed",
        "action": {"type": "search", "query": "weather Oslo"},
    }
    items = [
        {"role": "user", "content": "Search"},
        web_search,
        {"role": "assistant", "content": "Found it."},
    ]
    stored = store(items, RESPONSES)
    for target in ("openai", "anthropic", "gemini"):
        rendered = render(stored, target)
        assert_valid_request(rendered, target)
        assert [(w.part_index, w.code, w.detail) for w in rendered.warnings] == [
            (
                0,
                "unsupported_part",
                f"left out: {target} has no equivalent of this openai_responses data part",
            )
        ]
    # Mixed with another format's messages, the item is rebuilt from its canonical form.
    mixed = store_mixed([("openai", items[0]), (RESPONSES, web_search), ("anthropic", items[2])])
    rendered = render(mixed, RESPONSES)
    assert_valid_request(rendered, RESPONSES)
    assert rendered.items == items


def test_reasoning_from_responses_is_replayed_to_responses_only() -> None:
    reasoning = {
        "type": "reasoning",
        "id": "rs_9",
        "summary": [],
        "encrypted_content": "b3BhcXVl",
    }
    call = {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"}
    mixed = store_mixed(
        [
            ("anthropic", {"role": "user", "content": "go"}),
            (RESPONSES, reasoning),
            (RESPONSES, call),
            ("openai", {"role": "tool", "tool_call_id": "c1", "content": "ok"}),
        ]
    )
    rendered = render(mixed, RESPONSES)
    assert_valid_request(rendered, RESPONSES)
    assert rendered.items == [
        {"role": "user", "content": "go"},
        reasoning,
        call,
        {"type": "function_call_output", "call_id": "c1", "output": "ok"},
    ]
    assert rendered.warnings == []


def test_file_ids_go_to_both_openai_formats_and_to_no_other() -> None:
    items = [
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "Compare"},
                {"type": "input_file", "file_id": "file-abc"},
                {"type": "input_image", "file_id": "file-img", "detail": "high"},
            ],
        }
    ]
    stored = store(items, RESPONSES)
    to_chat = render(stored, "openai")
    assert_valid_request(to_chat, "openai")
    assert to_chat.items == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Compare"},
                {"type": "file", "file": {"file_id": "file-abc"}},
            ],
        }
    ]
    # Chat Completions takes images by URL or as data only.
    assert warning_codes(to_chat) == [(M0, 2, "media_unsupported")]
    to_anthropic = render(stored, "anthropic")
    assert warning_codes(to_anthropic) == [
        (M0, 1, "file_reference_dropped"),
        (M0, 2, "file_reference_dropped"),
    ]
    # And back from Chat Completions, the file id is the Responses API's to read.
    back = render(store(to_chat.items, "openai"), RESPONSES)
    assert back.items == [
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "Compare"},
                {"type": "input_file", "file_id": "file-abc"},
            ],
        }
    ]
    assert back.warnings == []


def test_a_call_left_unanswered_gets_a_placeholder_output_unless_the_run_is_paused() -> None:
    call = {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"}
    paused = render(store([{"role": "user", "content": "go"}, call], RESPONSES), RESPONSES)
    assert paused.items == [{"role": "user", "content": "go"}, call]
    moved_on = store_mixed(
        [
            ("openai", {"role": "user", "content": "go"}),
            (RESPONSES, call),
            (RESPONSES, {"role": "user", "content": "never mind"}),
        ]
    )
    rendered = render(moved_on, RESPONSES)
    assert_valid_request(rendered, RESPONSES)
    assert rendered.items[2] == {
        "type": "function_call_output",
        "call_id": "c1",
        "output": "No result was recorded for this tool call.",
    }
    assert warning_codes(rendered) == [(M1, 0, "tool_result_missing")]


def test_a_paused_run_keeps_the_media_of_its_outputs_for_chat_completions_until_it_ends() -> None:
    """Chat Completions tool messages are text only: the image of an output follows the run's
    last result in a user message, which would close the run while a call is still open."""
    image = {"type": "input_image", "detail": "auto", "image_url": "https://example.com/cat.png"}
    items = [
        {"role": "user", "content": "Show me both cameras."},
        {"type": "function_call", "call_id": "call_a", "name": "camera", "arguments": "{}"},
        {"type": "function_call", "call_id": "call_b", "name": "camera", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_a", "output": [image]},
    ]
    paused = render(store(items, RESPONSES), "openai")
    assert_valid_request(paused, "openai")
    assert paused.items[-1] == {"role": "tool", "tool_call_id": "call_a", "content": ""}
    assert warning_codes(paused) == [(M3, 0, "media_moved"), (M3, None, "media_unsupported")]

    items.append({"type": "function_call_output", "call_id": "call_b", "output": "offline"})
    ended = render(store(items, RESPONSES), "openai")
    assert_valid_request(ended, "openai")
    assert ended.items[-3:] == [
        {"role": "tool", "tool_call_id": "call_a", "content": ""},
        {"role": "tool", "tool_call_id": "call_b", "content": "offline"},
        {
            "role": "user",
            "content": [
                {
                    "type": "image_url",
                    # "auto" is the default of both formats: it is not carried.
                    "image_url": {"url": "https://example.com/cat.png"},
                }
            ],
        },
    ]
    assert warning_codes(ended) == [(M3, 0, "media_moved")]


def test_a_page_opening_with_an_output_gives_it_as_user_text() -> None:
    items = agent_turn()
    page = store(items, RESPONSES)[6:]
    rendered = render(page, RESPONSES, earlier_calls=lambda ids: {"call_paris": "get_weather"})
    assert_valid_request(rendered, RESPONSES)
    assert rendered.items[0] == {
        "role": "user",
        "content": 'Result of get_weather (tool call call_paris):\n{"temp_c":14}',
    }


def test_fields_the_sdk_dumps_empty_are_left_out_elsewhere_without_a_warning() -> None:
    """A response's output appended as the SDK dumps it: its unset fields null, and the
    API's empty lists. Read in another format, only what says something is warned of."""
    said = ResponseOutputText(type="output_text", text="Sunny.", annotations=[], logprobs=[])
    unset = ResponseOutputText(type="output_text", text="Warm.", annotations=[], logprobs=None)
    answer = ResponseOutputMessage(
        type="message", id="msg_1", role="assistant", status="completed", content=[said, unset]
    )
    call = ResponseFunctionToolCall(
        type="function_call", id="fc_1", call_id="call_1", name="f", arguments="{}"
    )
    logprob = {"token": "Hi", "bytes": [72, 105], "logprob": -0.1, "top_logprobs": []}
    with_logprobs = {"type": "output_text", "text": "Hi", "annotations": [], "logprobs": [logprob]}
    items = [
        {"role": "user", "content": "Weather?"},
        answer.model_dump(mode="json"),
        call.model_dump(mode="json"),
        {"type": "function_call_output", "call_id": "call_1", "output": "ok"},
        {**answer.model_dump(mode="json"), "id": "msg_2", "content": [with_logprobs]},
    ]
    assert items[1]["content"][0]["logprobs"] == []
    assert items[1]["content"][1]["logprobs"] is None
    assert (items[1]["phase"], items[2]["namespace"], items[2]["caller"]) == (None, None, None)
    stored = store(items, RESPONSES)
    for target in ("openai", "anthropic", "gemini"):
        rendered = render(stored, target)
        assert_valid_request(rendered, target)
        assert [(w.message_id, w.part_index, w.code, w.detail) for w in rendered.warnings] == [
            (M4, 0, "provider_data_dropped", "left out: openai_responses fields logprobs")
        ], target
    assert render(stored, RESPONSES).items == items


def test_a_page_opening_with_built_in_tool_outputs_gives_them_as_user_text() -> None:
    screenshot = f"data:image/png;base64,{PNG}"
    items: list[Any] = [
        {"role": "user", "content": "Go on."},
        {
            "type": "computer_call",
            "id": "cu_1",
            "call_id": "call_click",
            "status": "completed",
            "pending_safety_checks": [],
            "action": {"type": "click", "button": "left", "x": 10, "y": 20},
        },
        {
            "type": "computer_call_output",
            "id": "cuo_1",
            "call_id": "call_click",
            "status": "completed",
            "output": {"type": "computer_screenshot", "image_url": screenshot},
        },
        {
            "type": "shell_call",
            "call_id": "call_ls",
            "action": {"commands": ["ls"], "timeout_ms": 1000},
        },
        {
            "type": "shell_call_output",
            "call_id": "call_ls",
            "output": [
                {"stdout": "a.txt\n", "stderr": "", "outcome": {"type": "exit", "exit_code": 0}}
            ],
        },
        {"type": "mcp_approval_response", "approval_request_id": "mcpr_1", "approve": True},
    ]
    # The page after the calls: their outputs (and an approval of a request never stored).
    page = [stored for stored in store(items, RESPONSES) if stored.id not in (M1, M3)]

    rendered = render(page, RESPONSES)

    assert_valid_request(rendered, RESPONSES)
    assert rendered.items == [
        {"role": "user", "content": "Go on."},
        {
            "role": "user",
            "content": [
                {
                    "type": "input_text",
                    "text": 'Output of computer_call call_click:\n{"status":"completed"}',
                },
                {"type": "input_image", "detail": "auto", "image_url": screenshot},
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "input_text",
                    "text": "Output of shell_call call_ls:\n"
                    '{"output":[{"stdout":"a.txt\\n","stderr":"",'
                    '"outcome":{"type":"exit","exit_code":0}}]}',
                }
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "input_text",
                    "text": 'Output of mcp_approval_request mcpr_1:\n{"approve":true}',
                }
            ],
        },
    ]
    assert [(w.message_id, w.part_index, w.code, w.detail) for w in rendered.warnings] == [
        (
            message_id,
            0,
            "orphan_tool_result",
            f"{call} is not in this conversation or page; its output is given as user text",
        )
        for message_id, call in (
            (M2, "computer_call call_click"),
            (M4, "shell_call call_ls"),
            (M5, "mcp_approval_request mcpr_1"),
        )
    ]
    # With their calls, the outputs are given back as they were stored.
    assert render(store(items, RESPONSES), RESPONSES).items == [*items[:5], rendered.items[-1]]


WEB_SEARCH_CALL = {
    "type": "web_search_call",
    "id": "ws_1",
    "status": "completed",
    "action": {"type": "search", "query": "Musée d'Orsay opening hours"},
}
FILE_SEARCH_CALL = {
    "type": "file_search_call",
    "id": "fs_1",
    "status": "completed",
    "queries": ["opening hours"],
}
MCP_CALL = {
    "type": "mcp_call",
    "id": "mcp_1",
    "server_label": "crm",
    "name": "lookup",
    "arguments": "{}",
}
SHELL_CALL_OUTPUT = {"type": "shell_call_output", "call_id": "call_1", "output": []}


@pytest.mark.parametrize(
    ("blob", "path", "problem"),
    [
        ({"type": "speech"}, "blob.type", "expected one of"),
        ({"content": "hi"}, "blob.type", "is required (a message may give a role instead)"),
        ({"role": "robot", "content": "hi"}, "blob.role", "expected one of"),
        (
            {"role": "user", "content": [{"type": "output_text", "text": "x", "annotations": []}]},
            "blob.content[0].type",
            "expected one of 'input_text', 'input_image', 'input_file', 'input_audio'",
        ),
        (
            {
                "type": "message",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": "x", "annotations": []}],
            },
            "blob.id",
            "is required",
        ),
        (
            {"role": "assistant", "content": [{"type": "output_text", "text": "x"}]},
            "blob.content[0].annotations",
            "is required",
        ),
        (
            {"role": "user", "content": [{"type": "input_image", "detail": "auto"}]},
            "blob.content[0]",
            "needs image_url or file_id",
        ),
        (
            {
                "role": "user",
                "content": [{"type": "input_image", "image_url": "x", "detail": "max"}],
            },
            "blob.content[0].detail",
            "expected one of",
        ),
        (
            {"role": "user", "content": [{"type": "input_file", "filename": "a.pdf"}]},
            "blob.content[0]",
            "needs file_data, file_id or file_url",
        ),
        (
            {"type": "function_call_output", "output": "72 F"},
            "blob.call_id",
            "is required (or the function's name)",
        ),
        (
            {"type": "function_call", "call_id": "c", "name": "f"},
            "blob.arguments",
            "is required",
        ),
        (
            {"type": "function_call", "call_id": "c", "name": "f", "arguments": {}},
            "blob.arguments",
            "expected a string, got object",
        ),
        (
            {"type": "function_call_output", "call_id": "c", "output": [{"type": "refusal"}]},
            "blob.output[0].type",
            "expected one of 'input_text', 'input_image', 'input_file'",
        ),
        (
            {"type": "reasoning", "id": "rs", "summary": [{"type": "reasoning_text", "text": "x"}]},
            "blob.summary[0].type",
            "expected one of 'summary_text'",
        ),
        (
            {"type": "web_search_call", "id": "ws", "status": "completed"},
            "blob.action",
            "is required",
        ),
        (
            {"type": "message", "role": "user", "content": "x", "status": "done"},
            "blob.status",
            "expected one of",
        ),
        # Items kept whole: each top-level field as the SDK types it.
        (
            {**WEB_SEARCH_CALL, "status": "bogus"},
            "blob.status",
            "expected one of 'in_progress', 'searching', 'completed', 'incomplete', 'failed',"
            ' got "bogus"',
        ),
        (
            {**WEB_SEARCH_CALL, "action": 5},
            "blob.action",
            "expected an object, got number",
        ),
        (
            {**FILE_SEARCH_CALL, "queries": ["opening hours", "tickets", 3]},
            "blob.queries[2]",
            "expected a string, got number",
        ),
        (
            {**FILE_SEARCH_CALL, "queries": "opening hours"},
            "blob.queries",
            "expected an array, got string",
        ),
        (
            {**FILE_SEARCH_CALL, "results": {}},
            "blob.results",
            "expected an array, got object",
        ),
        (
            {**WEB_SEARCH_CALL, "id": None},
            "blob.id",
            "expected a string, got null",
        ),
        (
            {**MCP_CALL, "status": "searching"},
            "blob.status",
            "expected one of 'in_progress', 'completed', 'incomplete', 'calling', 'failed',"
            ' got "searching"',
        ),
        # A field only the output models define is checked too.
        (
            {**SHELL_CALL_OUTPUT, "created_by": 7},
            "blob.created_by",
            "expected a string, got number",
        ),
        (
            {**SHELL_CALL_OUTPUT, "max_output_length": True},
            "blob.max_output_length",
            "expected a number, got boolean",
        ),
        (
            {**SHELL_CALL_OUTPUT, "max_output_length": "4096"},
            "blob.max_output_length",
            "expected a number, got string",
        ),
        (
            {"type": "mcp_approval_response", "approval_request_id": "mcpr_1", "approve": "yes"},
            "blob.approve",
            "expected a boolean, got string",
        ),
        (
            {"type": "additional_tools", "role": "moderator", "tools": []},
            "blob.role",
            "expected one of 'developer', 'unknown', 'user', 'assistant', 'system', 'critic',"
            " 'discriminator', 'tool', got \"moderator\"",
        ),
        (
            {"type": "item_reference", "id": 7},
            "blob.id",
            "expected a string, got number",
        ),
    ],
)
def test_invalid_items_are_refused_naming_the_field(blob: Any, path: str, problem: str) -> None:
    with pytest.raises(InvalidMessage) as raised:
        normalize(blob, RESPONSES)
    assert raised.value.path == path
    assert raised.value.problem.startswith(problem)


@pytest.mark.parametrize(
    "blob",
    [
        # A field the SDK does not define (yet) is kept, unchecked: the API may be newer.
        {**WEB_SEARCH_CALL, "sources_used": 3},
        {**FILE_SEARCH_CALL, "results": None, "queries": []},
        {**MCP_CALL, "status": "calling", "error": None, "output": None},
        {**SHELL_CALL_OUTPUT, "max_output_length": None, "status": None, "caller": None},
        {**SHELL_CALL_OUTPUT, "max_output_length": 4096.0},
        # Null where the SDK allows it, even on a required field.
        {
            "type": "code_interpreter_call",
            "id": "ci_1",
            "status": "completed",
            "container_id": "cntr_1",
            "code": None,
            "outputs": None,
        },
        # Any size is allowed: the SDK's Literal only lists the usual ones.
        {
            "type": "image_generation_call",
            "id": "ig_1",
            "status": "generating",
            "result": None,
            "size": "2048x2048",
        },
        # The arguments of a tool search may be any JSON value.
        {"type": "tool_search_call", "arguments": ["crm"], "execution": "client"},
    ],
)
def test_items_kept_whole_accept_what_the_sdk_allows_and_fields_it_does_not_define(
    blob: Any,
) -> None:
    message = normalize(blob, RESPONSES)
    assert message["parts"] == [{"type": "data", "meta": {RESPONSES: {"item": blob}}}]


def test_output_items_the_sdk_builds_are_kept_and_come_back_as_they_were() -> None:
    """Clients append a response's output to the next input: the SDK's output models dumped
    with their nulls, which the input TypedDicts do not allow but the API accepts."""
    outputs: list[pydantic.BaseModel] = [
        ResponseComputerToolCall(
            id="cu_1",
            call_id="call_cu",
            type="computer_call",
            status="completed",
            pending_safety_checks=[],
            action=None,
            actions=[computer_action.Screenshot(type="screenshot")],
        ),
        ResponseComputerToolCallOutputItem(
            id="cuo_1",
            call_id="call_cu",
            type="computer_call_output",
            status="failed",
            output=ResponseComputerToolCallOutputScreenshot(
                type="computer_screenshot", image_url=f"data:image/png;base64,{PNG}"
            ),
        ),
        response_output_item.ImageGenerationCall(
            id="ig_1", type="image_generation_call", status="completed", result=PNG, error=None
        ),
        response_output_item.McpCall(
            id="mcp_1",
            type="mcp_call",
            server_label="crm",
            name="lookup",
            arguments="{}",
            output="{}",
            status=None,
        ),
        ResponseToolSearchCall(
            id="ts_1", type="tool_search_call", arguments={}, execution="server", status="completed"
        ),
        response_output_item.AdditionalTools(
            id="at_1", type="additional_tools", role="system", tools=[]
        ),
        ResponseConfigurationUpdateItem(
            id="cfg_1", type="configuration_update", reasoning=None, text=None
        ),
    ]
    blobs = [
        {"role": "user", "content": "Draw the museum, then open its site."},
        *(output.model_dump(mode="json") for output in outputs),
    ]
    assert blobs[1]["action"] is None
    assert blobs[2]["status"] == "failed"
    assert blobs[3]["error"] is None
    assert blobs[4]["status"] is None
    assert blobs[7]["reasoning"] is None
    for blob in blobs[1:]:
        message = normalize(blob, RESPONSES)
        assert message["parts"] == [{"type": "data", "meta": {RESPONSES: {"item": blob}}}]
    rendered = render(store(blobs, RESPONSES), RESPONSES)
    assert rendered.items == blobs
    assert rendered.warnings == []


def test_an_item_reference_may_leave_out_its_type() -> None:
    assert normalize({"id": "msg_1"}, RESPONSES) == {
        "role": "user",
        "parts": [{"type": "data", "meta": {RESPONSES: {"item": {"id": "msg_1"}}}}],
    }
