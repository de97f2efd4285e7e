"""Messages as the official SDKs dump their own response objects (``model_dump()``: every field
a response did not set is there, null) are read, given back as they came, and read in another
format warn only of what is really left out. (The Responses API's output items: in
test_openai_responses.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from anthropic.types import TextBlock, ThinkingBlock, ToolUseBlock
from google.genai import types as genai
from openai.types.chat import ChatCompletionMessage
from openai.types.chat.chat_completion_message_function_tool_call import (
    ChatCompletionMessageFunctionToolCall,
    Function,
)

from conversion import FORMATS, normalize, render
from tests.conversion.conftest import assert_valid_request, message_id, store

M1 = message_id(1)


def gemini_turn(**dump: Any) -> list[Any]:
    model = genai.Content(
        role="model",
        parts=[
            genai.Part(text="Let me look.", thought=True, thought_signature=b"sig"),
            genai.Part(function_call=genai.FunctionCall(id="c1", name="look", args={"q": 1})),
        ],
    )
    answer = genai.Content(
        role="user",
        parts=[
            genai.Part(function_response=genai.FunctionResponse(id="c1", name="look", response={})),
            genai.Part(inline_data=genai.Blob(mime_type="image/png", data=b"\x89PNG")),
        ],
    )
    return [
        {"role": "user", "parts": [{"text": "Look it up."}]},
        model.model_dump(mode="json", **dump),
        answer.model_dump(mode="json", **dump),
    ]


def anthropic_turn(**dump: Any) -> list[Any]:
    blocks = [
        ThinkingBlock(type="thinking", thinking="Let me look.", signature="c2ln"),
        TextBlock(type="text", text="Looking.", citations=None),
        ToolUseBlock(type="tool_use", id="toolu_1", name="look", input={"q": 1}),
    ]
    return [
        {"role": "user", "content": "Look it up."},
        {
            "role": "assistant",
            "content": [block.model_dump(mode="json", **dump) for block in blocks],
        },
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1"}]},
    ]


def openai_turn(**dump: Any) -> list[Any]:
    call = ChatCompletionMessageFunctionToolCall(
        id="call_1", type="function", function=Function(name="look", arguments='{"q":1}')
    )
    message = ChatCompletionMessage(role="assistant", content="Looking.", tool_calls=[call])
    return [
        {"role": "user", "content": "Look it up."},
        message.model_dump(mode="json", **dump),
        {"role": "tool", "tool_call_id": "call_1", "content": "found"},
    ]


TURNS = {"gemini": gemini_turn, "anthropic": anthropic_turn, "openai": openai_turn}


def test_the_dumps_hold_nulls() -> None:
    assert gemini_turn()[1]["parts"][0]["inline_data"] is None
    assert anthropic_turn()[1]["content"][2]["caller"] is None
    assert openai_turn()[1]["audio"] is None


def test_a_gemini_dump_reads_as_if_its_nulls_were_not_there() -> None:
    # Protobuf's JSON mapping, which the Gemini API reads, takes a null as the default.
    assert [normalize(blob, "gemini") for blob in gemini_turn()] == [
        normalize(blob, "gemini") for blob in gemini_turn(exclude_none=True)
    ]


@pytest.mark.parametrize("source", TURNS)
def test_a_dump_is_given_back_as_it_came_and_elsewhere_loses_only_reasoning(source: str) -> None:
    dumped = TURNS[source]()
    stored = store(dumped, source)
    assert render(stored, source).items == dumped
    for target in FORMATS:
        if target in (source, "acontext"):
            continue
        rendered = render(stored, target)
        assert_valid_request(rendered, target)
        # Another provider's reasoning is never replayed; nothing else is left out (the
        # nulls say nothing).
        assert [(w.message_id, w.part_index, w.code) for w in rendered.warnings] == (
            [] if source == "openai" else [(M1, 0, "thinking_dropped")]
        ), target
