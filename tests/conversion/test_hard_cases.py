"""The hard cases of CONVERSION.md, each with the exact output it must give."""

from __future__ import annotations

from typing import Any

from conversion import render
from tests.conversion.conftest import (
    assert_valid_request,
    message_id,
    openai_single_call,
    store,
    store_mixed,
    warning_codes,
)

PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5Er"
    "kJggg=="
)
M0, M1, M2, M3, M4, M5, M6, M7 = (message_id(position) for position in range(8))


def weather_anthropic() -> list[Any]:
    return [
        {"role": "user", "content": "Weather in Paris and Rome?"},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Checking both."},
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "get_weather",
                    "input": {"city": "Paris"},
                },
                {
                    "type": "tool_use",
                    "id": "toolu_2",
                    "name": "get_weather",
                    "input": {"city": "Rome"},
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C"},
                {"type": "tool_result", "tool_use_id": "toolu_2", "content": "24C"},
                {"type": "text", "text": "Also, which is warmer?"},
            ],
        },
    ]


def test_anthropic_tool_results_become_openai_tool_messages_then_user() -> None:
    rendered = render(store(weather_anthropic(), "anthropic"), "openai")
    assert rendered.items == [
        {"role": "user", "content": "Weather in Paris and Rome?"},
        {
            "role": "assistant",
            "content": "Checking both.",
            "tool_calls": [
                {
                    "id": "toolu_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                },
                {
                    "id": "toolu_2",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Rome"}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "toolu_1", "content": "18C"},
        {"role": "tool", "tool_call_id": "toolu_2", "content": "24C"},
        {"role": "user", "content": "Also, which is warmer?"},
    ]
    # The stored message that became three items is named by each of them.
    assert rendered.sources == [[M0], [M1], [M2], [M2], [M2]]
    assert rendered.warnings == []
    assert_valid_request(rendered, "openai")


def test_openai_tool_messages_merge_back_into_one_anthropic_user_message() -> None:
    openai_items = render(store(weather_anthropic(), "anthropic"), "openai").items
    rendered = render(store(openai_items, "openai"), "anthropic")
    assert rendered.items == [
        {"role": "user", "content": [{"type": "text", "text": "Weather in Paris and Rome?"}]},
        weather_anthropic()[1],
        weather_anthropic()[2],
    ]
    assert rendered.sources == [[M0], [M1], [M2, M3, M4]]
    assert_valid_request(rendered, "anthropic")


def test_parallel_calls_stay_in_one_gemini_turn_with_their_responses_in_the_next() -> None:
    rendered = render(store(weather_anthropic(), "anthropic"), "gemini")
    assert rendered.items == [
        {"role": "user", "parts": [{"text": "Weather in Paris and Rome?"}]},
        {
            "role": "model",
            "parts": [
                {"text": "Checking both."},
                {
                    "functionCall": {
                        "id": "toolu_1",
                        "name": "get_weather",
                        "args": {"city": "Paris"},
                    }
                },
                {
                    "functionCall": {
                        "id": "toolu_2",
                        "name": "get_weather",
                        "args": {"city": "Rome"},
                    }
                },
            ],
        },
        {
            "role": "user",
            "parts": [
                {
                    "functionResponse": {
                        "id": "toolu_1",
                        "name": "get_weather",
                        "response": {"output": "18C"},
                    }
                },
                {
                    "functionResponse": {
                        "id": "toolu_2",
                        "name": "get_weather",
                        "response": {"output": "24C"},
                    }
                },
                {"text": "Also, which is warmer?"},
            ],
        },
    ]
    assert_valid_request(rendered, "gemini")


def gemini_calls_without_ids() -> list[Any]:
    return [
        {"role": "user", "parts": [{"text": "Time in Paris and Tokyo, and the weather in Paris?"}]},
        {
            "role": "model",
            "parts": [
                {
                    "functionCall": {"name": "get_time", "args": {"city": "Paris"}},
                    "thoughtSignature": "c2lnMQ==",
                },
                {"functionCall": {"name": "get_time", "args": {"city": "Tokyo"}}},
                {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}},
            ],
        },
        {
            "role": "user",
            "parts": [
                {"functionResponse": {"name": "get_weather", "response": {"temp_c": 18}}},
                {"functionResponse": {"name": "get_time", "response": {"output": "14:00"}}},
                {"functionResponse": {"name": "get_time", "response": {"error": "timeout"}}},
            ],
        },
    ]


def test_gemini_calls_without_ids_get_deterministic_ids_and_pair_by_name_oldest_first() -> None:
    rendered = render(store(gemini_calls_without_ids(), "gemini"), "anthropic")
    call = "call_00000000000040008000000000000001_"
    assert rendered.items[1:] == [
        {
            "role": "assistant",
            "content": [
                {
                    "type": "tool_use",
                    "id": call + "0",
                    "name": "get_time",
                    "input": {"city": "Paris"},
                },
                {
                    "type": "tool_use",
                    "id": call + "1",
                    "name": "get_time",
                    "input": {"city": "Tokyo"},
                },
                {
                    "type": "tool_use",
                    "id": call + "2",
                    "name": "get_weather",
                    "input": {"city": "Paris"},
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": call + "2", "content": '{"temp_c":18}'},
                # The first get_time response answers the oldest get_time call (Paris).
                {"type": "tool_result", "tool_use_id": call + "0", "content": "14:00"},
                {
                    "type": "tool_result",
                    "tool_use_id": call + "1",
                    "content": "timeout",
                    "is_error": True,
                },
            ],
        },
    ]
    # The thought signature belongs to Gemini: left out, and said so.
    assert warning_codes(rendered) == [(M1, 0, "provider_data_dropped")]
    assert_valid_request(rendered, "anthropic")


def test_gemini_without_ids_comes_back_to_gemini_without_ids() -> None:
    blobs = gemini_calls_without_ids()
    assert render(store(blobs, "gemini"), "gemini").items == blobs
    # Through OpenAI (which needs ids) and back, Gemini still pairs by name, not by made-up id.
    openai_items = render(store(blobs, "gemini"), "openai").items
    back = render(store(openai_items, "openai", prefix="1"), "gemini")
    assert back.items[1]["parts"][0] == {
        "functionCall": {
            "id": "call_00000000000040008000000000000001_0",
            "name": "get_time",
            "args": {"city": "Paris"},
        }
    }
    assert_valid_request(back, "gemini")


def test_error_results_map_between_anthropic_flag_and_gemini_error_and_warn_for_openai() -> None:
    blobs = gemini_calls_without_ids()
    to_openai = render(store(blobs, "gemini"), "openai")
    assert to_openai.items[-1] == {
        "role": "tool",
        "tool_call_id": "call_00000000000040008000000000000001_1",
        "content": "timeout",
    }
    assert (M2, 2, "error_flag_lost") in warning_codes(to_openai)
    anthropic_items = render(store(blobs, "gemini"), "anthropic").items
    back = render(store(anthropic_items, "anthropic", prefix="1"), "gemini")
    assert back.items[2]["parts"][2] == {
        "functionResponse": {
            "id": "call_00000000000040008000000000000001_1",
            "name": "get_time",
            "response": {"error": "timeout"},
        }
    }


def openai_with_awkward_ids() -> list[Any]:
    return [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Weather in Paris and Rome?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                },
                {
                    "id": "call:b.2",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": "not json"},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "call_a", "content": "18C"},
        {"role": "tool", "tool_call_id": "call:b.2", "content": "24C"},
        {"role": "user", "content": "Which is warmer?"},
        {"role": "system", "content": "Answer in French."},
        {"role": "assistant", "content": "Rome."},
    ]


def test_system_prompt_is_separate_ids_are_mapped_and_bad_arguments_are_wrapped() -> None:
    rendered = render(store(openai_with_awkward_ids(), "openai"), "anthropic")
    mapped = "call_b_2_a32fc01060e5"
    assert rendered.system == "Be brief."
    assert rendered.items == [
        {"role": "user", "content": [{"type": "text", "text": "Weather in Paris and Rome?"}]},
        {
            "role": "assistant",
            "content": [
                {
                    "type": "tool_use",
                    "id": "call_a",
                    "name": "get_weather",
                    "input": {"city": "Paris"},
                },
                {
                    "type": "tool_use",
                    "id": mapped,
                    "name": "get_weather",
                    "input": {"_raw_arguments": "not json"},
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "call_a", "content": "18C"},
                {"type": "tool_result", "tool_use_id": mapped, "content": "24C"},
                {"type": "text", "text": "Which is warmer?"},
                {"type": "text", "text": "Answer in French."},
            ],
        },
        {"role": "assistant", "content": [{"type": "text", "text": "Rome."}]},
    ]
    assert rendered.sources == [[M1], [M2], [M3, M4, M5, M6], [M7]]
    assert warning_codes(rendered) == [
        (M2, 1, "arguments_not_object"),
        (M2, 1, "tool_id_mapped"),
        (M4, 0, "tool_id_mapped"),
        (M6, None, "system_moved"),
    ]
    assert_valid_request(rendered, "anthropic")


def test_wrapped_arguments_come_back_to_openai_unchanged() -> None:
    anthropic_items = render(store(openai_with_awkward_ids(), "openai"), "anthropic").items
    back = render(store(anthropic_items, "anthropic", prefix="1"), "openai")
    assert back.items[1]["tool_calls"][1]["function"] == {
        "name": "get_weather",
        "arguments": "not json",
    }


def test_gemini_system_instruction_is_separate_and_a_middle_system_message_keeps_its_place() -> (
    None
):
    rendered = render(store(openai_with_awkward_ids(), "openai"), "gemini")
    assert rendered.system == {"parts": [{"text": "Be brief."}]}
    assert rendered.items[2]["parts"][2:] == [
        {"text": "Which is warmer?"},
        {"text": "Answer in French."},
    ]
    assert (M6, None, "system_moved") in warning_codes(rendered)
    assert_valid_request(rendered, "gemini")


def thinking_and_images() -> list[Any]:
    return [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Look"},
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": PNG},
                },
                {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "Need a screenshot.", "signature": "EqQBCgIYAhIM"},
                {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3p"},
                {"type": "tool_use", "id": "toolu_9", "name": "screenshot", "input": {}},
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_9",
                    "is_error": True,
                    "content": [
                        {"type": "text", "text": "partial capture"},
                        {
                            "type": "image",
                            "source": {"type": "base64", "media_type": "image/png", "data": PNG},
                        },
                    ],
                }
            ],
        },
    ]


def test_openai_gets_images_as_urls_and_tool_result_images_in_a_following_user_message() -> None:
    rendered = render(store(thinking_and_images(), "anthropic"), "openai")
    assert rendered.items == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Look"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64," + PNG}},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg"}},
            ],
        },
        # Reasoning never becomes visible text: the thinking blocks are left out.
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "toolu_9",
                    "type": "function",
                    "function": {"name": "screenshot", "arguments": "{}"},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "toolu_9", "content": "partial capture"},
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": "data:image/png;base64," + PNG}}
            ],
        },
    ]
    assert rendered.sources == [[M0], [M1], [M2], [M2]]
    assert warning_codes(rendered) == [
        (M1, 0, "thinking_dropped"),
        (M1, 1, "thinking_dropped"),
        (M2, 0, "error_flag_lost"),
        (M2, 0, "media_moved"),
    ]
    assert_valid_request(rendered, "openai")


def test_gemini_gets_inline_data_file_data_and_media_inside_the_function_response() -> None:
    rendered = render(store(thinking_and_images(), "anthropic"), "gemini")
    assert rendered.items == [
        {
            "role": "user",
            "parts": [
                {"text": "Look"},
                {"inlineData": {"mimeType": "image/png", "data": PNG}},
                # Never fetched: the URL stays a URL, its type read off the extension.
                {"fileData": {"fileUri": "https://example.com/cat.jpg", "mimeType": "image/jpeg"}},
            ],
        },
        {
            "role": "model",
            "parts": [{"functionCall": {"id": "toolu_9", "name": "screenshot", "args": {}}}],
        },
        {
            "role": "user",
            "parts": [
                {
                    "functionResponse": {
                        "id": "toolu_9",
                        "name": "screenshot",
                        "response": {"error": "partial capture"},
                        "parts": [{"inlineData": {"mimeType": "image/png", "data": PNG}}],
                    }
                }
            ],
        },
    ]
    assert warning_codes(rendered) == [(M1, 0, "thinking_dropped"), (M1, 1, "thinking_dropped")]
    assert_valid_request(rendered, "gemini")


def test_thinking_is_replayed_to_its_own_provider_only() -> None:
    gemini_thought = [
        {"role": "user", "parts": [{"text": "2+2?"}]},
        {
            "role": "model",
            "parts": [{"text": "Add.", "thought": True, "thoughtSignature": "c2ln"}, {"text": "4"}],
        },
    ]
    stored = store_mixed(
        [("anthropic", blob) for blob in thinking_and_images()[:2]]
        + [("gemini", gemini_thought[1])]
    )
    to_anthropic = render(stored, "anthropic")
    assert to_anthropic.items[1]["content"] == [
        {"type": "thinking", "thinking": "Need a screenshot.", "signature": "EqQBCgIYAhIM"},
        {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3p"},
        {"type": "tool_use", "id": "toolu_9", "name": "screenshot", "input": {}},
        # The Gemini message goes on with the same assistant turn (its thought is dropped).
        {"type": "text", "text": "4"},
    ]
    to_gemini = render(stored, "gemini")
    assert to_gemini.items[-1]["parts"][-2:] == [
        {"text": "Add.", "thought": True, "thoughtSignature": "c2ln"},
        {"text": "4"},
    ]
    assert (M2, 0, "thinking_dropped") in warning_codes(to_anthropic)


def test_documents_and_audio_convert_where_supported_and_warn_where_not() -> None:
    pdf = "JVBERi0xLjQK"
    wav = "UklGRiQAAABXQVZF"
    blobs = [
        {
            "role": "user",
            "content": [
                {
                    "type": "file",
                    "file": {
                        "filename": "a.pdf",
                        "file_data": "data:application/pdf;base64," + pdf,
                    },
                },
                {"type": "input_audio", "input_audio": {"data": wav, "format": "wav"}},
                {"type": "file", "file": {"file_id": "file-123"}},
            ],
        }
    ]
    to_anthropic = render(store(blobs, "openai"), "anthropic")
    assert to_anthropic.items == [
        {
            "role": "user",
            "content": [
                {
                    "type": "document",
                    "source": {"type": "base64", "media_type": "application/pdf", "data": pdf},
                    "title": "a.pdf",
                }
            ],
        }
    ]
    assert [w.as_dict() for w in to_anthropic.warnings] == [
        {
            "message_id": M0,
            "part_index": 1,
            "code": "media_unsupported",
            "detail": "left out: Anthropic messages hold no audio",
        },
        {
            "message_id": M0,
            "part_index": 2,
            "code": "file_reference_dropped",
            "detail": "left out: OpenAI file file-123 can be read by OpenAI only",
        },
    ]
    to_gemini = render(store(blobs, "openai"), "gemini")
    assert to_gemini.items == [
        {
            "role": "user",
            "parts": [
                {"inlineData": {"mimeType": "application/pdf", "data": pdf}},
                {"inlineData": {"mimeType": "audio/wav", "data": wav}},
            ],
        }
    ]
    assert [(w.part_index, w.code, w.detail) for w in to_gemini.warnings] == [
        (0, "provider_data_dropped", "left out: the file name 'a.pdf'"),
        (2, "file_reference_dropped", "left out: OpenAI file file-123 can be read by OpenAI only"),
    ]


def test_openai_extras_map_or_warn() -> None:
    blobs = [
        {"role": "developer", "content": "Use tools.", "name": "policy"},
        {"role": "user", "content": "Run it", "name": "ana"},
        {"role": "assistant", "content": None, "function_call": {"name": "run", "arguments": "{}"}},
        {"role": "function", "name": "run", "content": "done"},
        {"role": "assistant", "content": None, "refusal": "I can't share that."},
        {"role": "assistant", "audio": {"id": "audio_1"}},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "ct_1", "type": "custom", "custom": {"name": "sql", "input": "SELECT 1"}}
            ],
        },
        {"role": "tool", "tool_call_id": "ct_1", "content": "1"},
    ]
    # The same format gives every message back untouched, legacy ones included.
    assert render(store(blobs, "openai"), "openai").items == blobs
    rendered = render(store(blobs, "openai"), "anthropic")
    call = "call_00000000000040008000000000000002_0"
    assert rendered.system == "Use tools."
    assert rendered.items == [
        {"role": "user", "content": [{"type": "text", "text": "Run it"}]},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": call, "name": "run", "input": {}}],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": call, "content": "done"}],
        },
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "I can't share that."},
                {
                    "type": "tool_use",
                    "id": "ct_1",
                    "name": "sql",
                    "input": {"_raw_arguments": "SELECT 1"},
                },
            ],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "ct_1", "content": "1"}],
        },
    ]
    assert warning_codes(rendered) == [
        (M0, None, "provider_data_dropped"),  # name "policy"
        (M1, None, "provider_data_dropped"),  # name "ana"
        (M4, 0, "provider_data_dropped"),  # the refusal flag: given as plain text
        (M5, 0, "unsupported_part"),  # OpenAI's audio reference
        (M6, 0, "arguments_not_object"),
        (M6, 0, "provider_data_dropped"),  # the custom-tool flag
    ]
    assert_valid_request(rendered, "anthropic")


def test_a_call_left_unanswered_gets_a_placeholder_result_and_a_warning() -> None:
    blobs = [
        {"role": "user", "content": "Book it"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "book", "arguments": "{}"}}
            ],
        },
        {"role": "user", "content": "Never mind"},
    ]
    to_openai = render(store(blobs, "openai"), "openai")
    assert to_openai.items == [
        blobs[0],
        blobs[1],
        {
            "role": "tool",
            "tool_call_id": "c1",
            "content": "No result was recorded for this tool call.",
        },
        blobs[2],
    ]
    assert to_openai.sources == [[M0], [M1], [M1], [M2]]
    assert warning_codes(to_openai) == [(M1, 0, "tool_result_missing")]
    to_anthropic = render(store(blobs, "openai"), "anthropic")
    assert to_anthropic.items[2] == {
        "role": "user",
        "content": [
            {
                "type": "tool_result",
                "tool_use_id": "c1",
                "content": "No result was recorded for this tool call.",
                "is_error": True,
            },
            {"type": "text", "text": "Never mind"},
        ],
    }
    for target in ("openai", "anthropic", "gemini"):
        assert_valid_request(render(store(blobs, "openai"), target), target)


def test_a_paused_tool_run_is_left_as_stored() -> None:
    paused = [
        {"role": "user", "content": "Book it"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "book", "arguments": "{}"}}
            ],
        },
    ]
    rendered = render(store(paused, "openai"), "anthropic")
    assert len(rendered.items) == 2
    assert rendered.warnings == []


# A page that starts with results whose calls are on the page before.
ORPHAN_PAGE = [
    {"role": "tool", "tool_call_id": "c1", "content": "booked"},
    {"role": "tool", "tool_call_id": "c2", "content": "no such room"},
    {"role": "assistant", "content": "Done."},
]
ORPHAN_TEXTS = [
    "Result of book (tool call c1):\nbooked",
    "Result of tool call c2:\nno such room",
]


def earlier_calls(call_ids: Any) -> dict[str, str]:
    # As the service answers from the stored session: c1 is known, c2 is not.
    return {call_id: "book" for call_id in call_ids if call_id == "c1"}


def test_a_page_opening_with_results_gives_them_as_user_text_in_every_target() -> None:
    stored = store(ORPHAN_PAGE, "openai")
    expected_items = {
        "openai": [
            {"role": "user", "content": ORPHAN_TEXTS[0]},
            {"role": "user", "content": ORPHAN_TEXTS[1]},
            {"role": "assistant", "content": "Done."},
        ],
        "anthropic": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": ORPHAN_TEXTS[0]},
                    {"type": "text", "text": ORPHAN_TEXTS[1]},
                ],
            },
            {"role": "assistant", "content": [{"type": "text", "text": "Done."}]},
        ],
        "gemini": [
            {"role": "user", "parts": [{"text": ORPHAN_TEXTS[0]}, {"text": ORPHAN_TEXTS[1]}]},
            {"role": "model", "parts": [{"text": "Done."}]},
        ],
    }
    for target, items in expected_items.items():
        rendered = render(stored, target, earlier_calls)
        assert rendered.items == items, target
        assert_valid_request(rendered, target)
        assert [w.as_dict() for w in rendered.warnings] == [
            {
                "message_id": message_id,
                "part_index": 0,
                "code": "orphan_tool_result",
                "detail": f"tool call {call_id} is not in this conversation or page; its "
                "result is given as user text",
            }
            for message_id, call_id in ((M0, "c1"), (M1, "c2"))
        ]


def test_acontext_gives_an_orphan_result_as_stored() -> None:
    rendered = render(store(ORPHAN_PAGE, "openai"), "acontext", earlier_calls)
    assert rendered.items[0]["parts"] == [
        {"type": "tool-result", "text": "booked", "meta": {"tool_call_id": "c1"}}
    ]
    assert rendered.warnings == []


def test_an_orphan_result_keeps_its_error_flag_name_and_media_as_user_content() -> None:
    page = [
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_9",
                    "is_error": True,
                    "content": [
                        {"type": "text", "text": "render failed"},
                        {
                            "type": "image",
                            "source": {"type": "base64", "media_type": "image/png", "data": PNG},
                        },
                    ],
                },
                {"type": "text", "text": "Try again?"},
            ],
        },
    ]
    gemini_page = [
        {
            "role": "user",
            "parts": [{"functionResponse": {"name": "render", "response": {"output": "ok"}}}],
        }
    ]
    rendered = render(
        store(page, "anthropic"), "gemini", earlier_calls=lambda ids: {"toolu_9": "plot"}
    )
    assert rendered.items == [
        {
            "role": "user",
            "parts": [
                {"text": "Error from plot (tool call toolu_9):\nrender failed"},
                {"inlineData": {"mimeType": "image/png", "data": PNG}},
                {"text": "Try again?"},
            ],
        }
    ]
    # Read as Anthropic, the stored message is not replayed: its result would be refused.
    rendered = render(store(page, "anthropic"), "anthropic")
    assert rendered.items == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Error from tool call toolu_9:\nrender failed"},
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": PNG},
                },
                {"type": "text", "text": "Try again?"},
            ],
        }
    ]
    assert_valid_request(rendered, "anthropic")
    # A Gemini response names its function itself: no lookup is needed.
    rendered = render(store(gemini_page, "gemini"), "openai")
    assert rendered.items == [
        {
            "role": "user",
            "content": "Result of render:\nok",
        }
    ]


def test_anthropic_merges_consecutive_same_role_messages_and_drops_blank_text() -> None:
    stored = store_mixed(
        [
            ("openai", {"role": "user", "content": "first"}),
            ("gemini", {"role": "user", "parts": [{"text": "second"}]}),
            ("openai", {"role": "assistant", "content": "   "}),
            ("anthropic", {"role": "assistant", "content": "reply"}),
        ]
    )
    rendered = render(stored, "anthropic")
    assert rendered.items == [
        {
            "role": "user",
            "content": [{"type": "text", "text": "first"}, {"type": "text", "text": "second"}],
        },
        {"role": "assistant", "content": "reply"},
    ]
    assert rendered.sources == [[M0, M1], [M3]]
    assert warning_codes(rendered) == [(M2, 0, "empty_text_dropped")]
    assert_valid_request(rendered, "anthropic")


def test_unicode_and_long_text_pass_through_byte_for_byte() -> None:
    text = "مرحبا שלום 👩🏽‍💻 漢字 e\u0301 " * 2000
    stored = store([{"role": "user", "content": text}], "openai")
    assert render(stored, "anthropic").items[0]["content"][0]["text"] == text
    assert render(stored, "gemini").items[0]["parts"][0]["text"] == text
    assert render(stored, "acontext").items[0]["parts"][0]["text"] == text


def test_a_thousand_message_session_converts_in_order() -> None:
    blobs: list[Any] = []
    for turn in range(250):
        blobs += [
            {"role": "user", "content": f"question {turn}"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": f"c{turn}",
                        "type": "function",
                        "function": {"name": "f", "arguments": "{}"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": f"c{turn}", "content": f"result {turn}"},
            {"role": "assistant", "content": f"answer {turn}"},
        ]
    stored = store(blobs, "openai")
    for target in ("openai", "anthropic", "gemini"):
        rendered = render(stored, target)
        assert_valid_request(rendered, target)
        assert [source[0] for source in rendered.sources] == [m.id for m in stored]
    gemini = render(stored, "gemini")
    assert gemini.items[-1] == {"role": "model", "parts": [{"text": "answer 249"}]}


def test_acontext_output_fills_in_resolved_ids_and_keeps_everything_else() -> None:
    rendered = render(store(gemini_calls_without_ids(), "gemini"), "acontext")
    assert rendered.items[2] == {
        "role": "user",
        "parts": [
            {
                "type": "tool-result",
                "text": '{"temp_c":18}',
                "meta": {
                    "name": "get_weather",
                    "tool_call_id": "call_00000000000040008000000000000001_2",
                },
            },
            {
                "type": "tool-result",
                "text": "14:00",
                "meta": {
                    "name": "get_time",
                    "tool_call_id": "call_00000000000040008000000000000001_0",
                },
            },
            {
                "type": "tool-result",
                "text": "timeout",
                "meta": {
                    "name": "get_time",
                    "is_error": True,
                    "tool_call_id": "call_00000000000040008000000000000001_1",
                },
            },
        ],
        "meta": {},
    }
    assert rendered.items[1]["parts"][0]["meta"] == {
        "name": "get_time",
        "arguments": '{"city":"Paris"}',
        "gemini": {"thoughtSignature": "c2lnMQ=="},
        "id": "call_00000000000040008000000000000001_0",
    }


def test_same_format_replays_the_stored_blob_with_fields_the_converter_does_not_model() -> None:
    blobs = [
        {"role": "user", "content": "Weather?"},
        {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "t1", "name": "w", "input": {}, "future_field": 1}
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": "sun", "future_field": 2},
                {"type": "text", "text": "thanks", "future_field": 3},
            ],
        },
    ]
    rendered = render(store(blobs, "anthropic"), "anthropic")
    assert rendered.items == blobs
    # Rebuilt from the canonical form (here: merged with a Gemini message), the unknown fields
    # are still replayed to their own provider.
    stored = store_mixed(
        [("anthropic", blob) for blob in blobs]
        + [("gemini", {"role": "user", "parts": [{"text": "more"}]})]
    )
    merged = render(stored, "anthropic")
    assert merged.items[2] == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "t1", "content": "sun", "future_field": 2},
            {"type": "text", "text": "thanks", "future_field": 3},
            {"type": "text", "text": "more"},
        ],
    }


def test_openai_fields_the_converter_does_not_model_survive_a_rebuild() -> None:
    # A legacy function_call answered by a Gemini response: the call needs a made-up id its
    # answer shares, so the stored OpenAI message is rebuilt rather than replayed.
    stored = store_mixed(
        [
            ("openai", {"role": "user", "content": "go"}),
            (
                "openai",
                {
                    "role": "assistant",
                    "function_call": {"name": "f", "arguments": "{}"},
                    "x_trace": "abc",
                },
            ),
            (
                "gemini",
                {
                    "role": "user",
                    "parts": [{"functionResponse": {"name": "f", "response": {"output": "ok"}}}],
                },
            ),
        ]
    )
    rendered = render(stored, "openai")
    call = "call_00000000000040008000000000000001_0"
    assert rendered.items[1:] == [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": call, "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ],
            "x_trace": "abc",
        },
        {"role": "tool", "tool_call_id": call, "content": "ok"},
    ]


def test_media_lifted_out_of_a_tool_result_opens_the_next_openai_user_message() -> None:
    blobs = [
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "screenshot", "input": {}}],
        },
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What do you see?"},
                {
                    "type": "tool_result",
                    "tool_use_id": "t1",
                    "content": [
                        {"type": "image", "source": {"type": "url", "url": "https://x.test/a.png"}}
                    ],
                },
            ],
        },
    ]
    rendered = render(store(blobs, "anthropic"), "openai")
    assert rendered.items[1:] == [
        {"role": "tool", "tool_call_id": "t1", "content": ""},
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
                {"type": "text", "text": "What do you see?"},
            ],
        },
    ]
    assert rendered.sources == [[M0], [M1], [M1]]
    assert warning_codes(rendered) == [(M1, 1, "media_moved")]
    assert_valid_request(rendered, "openai")


def test_an_empty_prefill_read_as_gemini_is_left_out_with_a_warning() -> None:
    prefill = [
        {"role": "user", "content": "Write a haiku about rain."},
        {"role": "assistant", "content": ""},
    ]
    stored = store(prefill, "anthropic")

    to_gemini = render(stored, "gemini")
    assert to_gemini.items == [{"role": "user", "parts": [{"text": "Write a haiku about rain."}]}]
    assert [(w.message_id, w.part_index, w.code, w.detail) for w in to_gemini.warnings] == [
        (M1, 0, "empty_text_dropped", "left out: Gemini rejects empty text parts")
    ]
    assert_valid_request(to_gemini, "gemini")

    # OpenAI takes an empty assistant message as it is.
    to_openai = render(stored, "openai")
    assert to_openai.items == [
        {"role": "user", "content": "Write a haiku about rain."},
        {"role": "assistant", "content": ""},
    ]
    assert to_openai.warnings == []


def test_an_empty_gemini_text_part_with_its_signature_is_kept() -> None:
    signed = [
        {"role": "user", "parts": [{"text": "Think, then answer."}]},
        {"role": "model", "parts": [{"text": "Yes."}, {"text": "", "thoughtSignature": PNG}]},
    ]
    # Edited messages are rendered from their canonical form, not replayed.
    stored = [message._replace(edited=True) for message in store(signed, "gemini")]

    rendered = render(stored, "gemini")

    assert rendered.items == signed
    assert rendered.warnings == []


def test_an_openai_refusal_keeps_its_text_and_the_warning_says_only_the_flag_is_lost() -> None:
    refused = [
        {"role": "user", "content": "How do I pick a lock?"},
        {"role": "assistant", "content": None, "refusal": "I can't help with that."},
    ]
    stored = store(refused, "openai")
    expected = {
        "anthropic": {
            "role": "assistant",
            "content": [{"type": "text", "text": "I can't help with that."}],
        },
        "gemini": {"role": "model", "parts": [{"text": "I can't help with that."}]},
    }
    for target, item in expected.items():
        rendered = render(stored, target)
        assert rendered.items[1] == item
        assert [(w.message_id, w.part_index, w.code, w.detail) for w in rendered.warnings] == [
            (
                M1,
                0,
                "provider_data_dropped",
                "left out: the openai refusal flag (the refusal's text is kept, as ordinary text)",
            )
        ]
        assert_valid_request(rendered, target)


def test_a_tool_id_ending_in_a_newline_is_mapped_for_anthropic() -> None:
    # "$" in a pattern matches before a final newline: the id check must take the whole id.
    blobs = openai_single_call("c1\n", "f")
    rendered = render(store(blobs, "openai"), "anthropic")
    assert rendered.items[1]["content"][0]["id"] == "c1__1b35060c33bd"
    assert rendered.items[2]["content"][0]["tool_use_id"] == "c1__1b35060c33bd"
    assert_valid_request(rendered, "anthropic")


def test_an_orphan_result_keeps_its_breakpoint_on_its_text_for_anthropic_only() -> None:
    page = [
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_9",
                    "content": "42",
                    "cache_control": {"type": "ephemeral"},
                }
            ],
        }
    ]
    to_anthropic = render(store(page, "anthropic"), "anthropic")
    assert to_anthropic.items == [
        {
            "role": "user",
            "content": [
                {
                    "type": "text",
                    "text": "Result of tool call toolu_9:\n42",
                    "cache_control": {"type": "ephemeral"},
                }
            ],
        }
    ]
    to_openai = render(store(page, "anthropic"), "openai")
    assert to_openai.items == [{"role": "user", "content": "Result of tool call toolu_9:\n42"}]
    assert [(w.code, w.detail) for w in to_openai.warnings] == [
        (
            "orphan_tool_result",
            "tool call toolu_9 is not in this conversation or page; its result is given as "
            "user text",
        ),
        ("provider_data_dropped", "left out: anthropic fields cache_control"),
    ]


def test_an_empty_system_prompt_is_left_out_for_gemini_with_a_warning() -> None:
    blobs = [{"role": "system", "content": ""}, {"role": "user", "content": "hi"}]
    rendered = render(store(blobs, "openai"), "gemini")
    assert rendered.system is None
    assert rendered.items == [{"role": "user", "parts": [{"text": "hi"}]}]
    assert [w.as_dict() for w in rendered.warnings] == [
        {
            "message_id": M0,
            "part_index": 0,
            "code": "empty_text_dropped",
            "detail": "left out: Gemini rejects empty text parts",
        }
    ]
    assert_valid_request(rendered, "gemini")
