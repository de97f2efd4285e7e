"""A blob that is not valid for its declared format is rejected with the exact field path."""

from __future__ import annotations

from typing import Any

import pytest

from conversion import InvalidMessage, UnknownFormat, normalize

ROLES = "'system', 'developer', 'user', 'assistant', 'tool', 'function'"
PART_TYPES = (
    "'audio', 'data', 'file', 'image', 'text', 'thinking', 'tool-call', 'tool-result', 'video'"
)

CASES: list[tuple[str, Any, str, str]] = [
    (
        "openai",
        {
            "role": "user",
            "content": [{"type": "text", "text": "a"}, {"type": "image_url", "image_url": {}}],
        },
        "blob.content[1].image_url.url",
        "is required",
    ),
    (
        "openai",
        {"role": "wizard", "content": "x"},
        "blob.role",
        f'expected one of {ROLES}, got "wizard"',
    ),
    (
        "openai",
        {
            "role": "assistant",
            "tool_calls": [
                {"id": "a", "type": "function", "function": {"name": "f", "arguments": {}}}
            ],
        },
        "blob.tool_calls[0].function.arguments",
        "expected a string, got object",
    ),
    (
        "openai",
        {
            "role": "user",
            "content": [
                {"type": "input_audio", "input_audio": {"data": "not base64!", "format": "wav"}}
            ],
        },
        "blob.content[0].input_audio.data",
        "is not valid base64",
    ),
    ("openai", "hello", "blob", "expected an object, got string"),
    ("openai", {"role": "tool", "content": "x"}, "blob.tool_call_id", "is required"),
    (
        "anthropic",
        {
            "role": "user",
            "content": [{"type": "image", "source": {"type": "base64", "media_type": "image/png"}}],
        },
        "blob.content[0].source.data",
        "is required",
    ),
    (
        "anthropic",
        {"role": "developer", "content": "x"},
        "blob.role",
        "expected one of 'user', 'assistant', 'system', got \"developer\"",
    ),
    (
        "anthropic",
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "t", "name": "f", "input": "{}"}],
        },
        "blob.content[0].input",
        "expected an object, got string",
    ),
    (
        "anthropic",
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "t", "is_error": "yes"}],
        },
        "blob.content[0].is_error",
        "expected a boolean, got string",
    ),
    (
        "gemini",
        {"role": "model", "parts": [{"functionCall": {"args": {}}}]},
        "blob.parts[0].functionCall.name",
        "is required",
    ),
    (
        "gemini",
        # snake_case input: the path names the fields as the client spelled them.
        {"role": "user", "parts": [{"inline_data": {"mime_type": "image/png", "data": "@@@"}}]},
        "blob.parts[0].inline_data.data",
        "is not valid base64",
    ),
    (
        "gemini",
        {"role": "assistant", "parts": [{"text": "x"}]},
        "blob.role",
        "expected one of 'user', 'model', got \"assistant\"",
    ),
    (
        "gemini",
        {"role": "user", "parts": [{"text": "x", "functionCall": {"name": "f"}}]},
        "blob.parts[0]",
        "holds more than one of text, functionCall",
    ),
    (
        "gemini",
        {"role": "user", "parts": [{"functionResponse": {"name": "f", "response": "ok"}}]},
        "blob.parts[0].functionResponse.response",
        "expected an object, got string",
    ),
    (
        "acontext",
        {"role": "user", "parts": [{"type": "tool-call", "meta": {"name": "f"}}]},
        "blob.parts[0].meta.arguments",
        "is required",
    ),
    (
        "acontext",
        {"role": "user", "parts": [{"type": "txt", "text": "x"}]},
        "blob.parts[0].type",
        f'expected one of {PART_TYPES}, got "txt"',
    ),
    (
        "acontext",
        {"role": "user", "parts": [{"type": "text"}]},
        "blob.parts[0].text",
        "is required for a text part",
    ),
]


@pytest.mark.parametrize(("format", "blob", "path", "problem"), CASES)
def test_invalid_blob_names_the_field(format: str, blob: Any, path: str, problem: str) -> None:
    with pytest.raises(InvalidMessage) as raised:
        normalize(blob, format)
    assert raised.value.path == path
    assert raised.value.problem == problem
    assert str(raised.value) == f"{path}: {problem}"


def test_unknown_format() -> None:
    with pytest.raises(UnknownFormat) as raised:
        normalize({"role": "user", "content": "x"}, "claude")
    assert (
        str(raised.value)
        == "unknown format 'claude'; expected one of openai, anthropic, gemini, acontext, "
        "openai_responses"
    )


def test_unknown_fields_are_kept_not_rejected() -> None:
    # Providers add fields faster than converters learn them: keep them, replay them to
    # their own provider, and warn when another provider cannot take them.
    canonical = normalize({"role": "user", "content": "x", "reasoning_effort": "low"}, "openai")
    assert canonical == {
        "role": "user",
        "parts": [{"type": "text", "text": "x"}],
        "meta": {"openai": {"extra": {"reasoning_effort": "low"}}},
    }
