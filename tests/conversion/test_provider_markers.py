"""Provider markers a target cannot carry are warnings, never silent drops (issue 10, item 6):
OpenAI-compatible prompt-cache breakpoints on parts, Gemini ``displayName`` on media inside a
function response, Anthropic ``cache_control`` on tool results and their texts."""

from __future__ import annotations

from typing import Any

import pytest

from conversion import render
from tests.conversion.conftest import assert_valid_request, message_id, store

M0, M1, M2 = (message_id(position) for position in range(3))
EPHEMERAL = {"type": "ephemeral"}


def openai_with_breakpoints() -> list[Any]:
    return [
        {
            "role": "system",
            "content": [{"type": "text", "text": "Policy.", "cache_control": EPHEMERAL}],
        },
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Hi", "cache_control": EPHEMERAL},
                {
                    "type": "image_url",
                    "image_url": {"url": "https://example.com/a.png", "detail": "low"},
                    "cache_control": EPHEMERAL,
                },
            ],
        },
    ]


def dropped(message: str, index: int, what: str) -> dict[str, Any]:
    return {
        "message_id": message,
        "part_index": index,
        "code": "provider_data_dropped",
        "detail": f"left out: {what}",
    }


@pytest.mark.parametrize("target", ["anthropic", "gemini"])
def test_openai_part_breakpoints_are_warned_where_they_cannot_go(target: str) -> None:
    rendered = render(store(openai_with_breakpoints(), "openai"), target)
    assert [w.as_dict() for w in rendered.warnings] == [
        dropped(M1, 0, "openai fields cache_control"),
        dropped(M1, 1, "openai fields cache_control, detail"),
        dropped(M0, 0, "openai fields cache_control"),
    ]
    assert_valid_request(rendered, target)


def test_openai_part_breakpoints_survive_a_rebuild_for_openai() -> None:
    edited = [m._replace(edited=True) for m in store(openai_with_breakpoints(), "openai")]
    rendered = render(edited, "openai")
    assert rendered.items == openai_with_breakpoints()
    assert rendered.warnings == []


def gemini_chart_response() -> list[Any]:
    return [
        {"role": "user", "parts": [{"text": "Plot it"}]},
        {"role": "model", "parts": [{"functionCall": {"id": "p1", "name": "plot", "args": {}}}]},
        {
            "role": "user",
            "parts": [
                {
                    "functionResponse": {
                        "id": "p1",
                        "name": "plot",
                        "response": {"image": {"$ref": "chart.png"}},
                        "parts": [
                            {
                                "inlineData": {
                                    "mimeType": "image/png",
                                    "data": "iVBORw0KGgo=",
                                    "displayName": "chart.png",
                                }
                            }
                        ],
                    }
                }
            ],
        },
    ]


CHART_NAME = dropped(M2, 0, "the file name 'chart.png'") | {
    "detail": "tool result content[1]: left out: the file name 'chart.png'"
}


def test_a_gemini_display_name_inside_a_function_response_is_warned_for_anthropic() -> None:
    rendered = render(store(gemini_chart_response(), "gemini"), "anthropic")
    assert rendered.items[2] == {
        "role": "user",
        "content": [
            {
                "type": "tool_result",
                "tool_use_id": "p1",
                "content": [
                    {"type": "text", "text": '{"image":{"$ref":"chart.png"}}'},
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
    }
    assert [w.as_dict() for w in rendered.warnings] == [CHART_NAME]


def test_a_gemini_display_name_inside_a_function_response_is_warned_for_openai() -> None:
    rendered = render(store(gemini_chart_response(), "gemini"), "openai")
    assert rendered.items[2:] == [
        {"role": "tool", "tool_call_id": "p1", "content": '{"image":{"$ref":"chart.png"}}'},
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
            ],
        },
    ]
    assert [w.code for w in rendered.warnings] == ["provider_data_dropped", "media_moved"]
    assert rendered.warnings[0].as_dict() == CHART_NAME


def test_a_gemini_display_name_survives_a_rebuild_for_gemini() -> None:
    edited = [m._replace(edited=True) for m in store(gemini_chart_response(), "gemini")]
    rendered = render(edited, "gemini")
    assert rendered.items == gemini_chart_response()
    assert rendered.warnings == []


@pytest.mark.parametrize("target", ["openai", "gemini"])
def test_anthropic_breakpoints_on_a_tool_result_and_its_text_are_warned(target: str) -> None:
    blobs = [
        {"role": "user", "content": "go"},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "t1",
                    "cache_control": EPHEMERAL,
                    "content": [{"type": "text", "text": "ok", "cache_control": EPHEMERAL}],
                }
            ],
        },
    ]
    rendered = render(store(blobs, "anthropic"), target)
    result = dropped(M2, 0, "anthropic fields cache_control")
    text = result | {"detail": "tool result content[0]: left out: anthropic fields cache_control"}
    warnings = [result, text] if target == "openai" else [text, result]
    assert [w.as_dict() for w in rendered.warnings] == warnings
    assert_valid_request(rendered, target)
