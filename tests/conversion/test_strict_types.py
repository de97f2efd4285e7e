"""The strict SDK-type validators accept real requests and reject broken ones by path."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal

import pytest
import typing_extensions as te
from google.genai import types as genai_types
from openai.types.chat import ChatCompletionMessageParam
from openai.types.responses import ResponseInputItemParam
from pydantic import TypeAdapter

from tests.conversion.rules import (
    check_anthropic_rules,
    check_gemini_rules,
    check_openai_responses_rules,
    check_openai_rules,
)
from tests.conversion.strict_types import (
    StrictTypeError,
    format_path,
    validate_anthropic_messages,
    validate_as,
    validate_gemini_contents,
    validate_openai_messages,
    validate_openai_responses_items,
)

PNG_B64 = "iVBORw0KGgo="  # PNG magic, base64
PDF_B64 = "JVBERi0xLjQK"  # "%PDF-1.4\n", base64
WAV_B64 = "UklGRiQAAABXQVZF"  # "RIFF$\0\0\0WAVE", base64


def _errors(check: Callable[[], None]) -> StrictTypeError:
    with pytest.raises(StrictTypeError) as caught:
        check()
    return caught.value


def test_format_path() -> None:
    assert format_path(("items", 3, "content", 1, "image_url", "url")) == (
        "items[3].content[1].image_url.url"
    )
    assert format_path(("items", 0, "a key")) == "items[0]['a key']"


def test_error_is_an_assertion_error_with_path_and_message() -> None:
    error = _errors(lambda: validate_openai_messages([{"role": "user", "content": 1}]))
    assert isinstance(error, AssertionError)
    assert (error.path, error.message) == (
        "items[0].content",
        "expected string or array, got integer",
    )
    assert str(error) == "items[0].content: expected string or array, got integer"


# =========================================================================== OpenAI

OPENAI_CALLS: dict[str, Any] = {
    "role": "assistant",
    "content": None,
    "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}},
        {"id": "call_2", "type": "function", "function": {"name": "g", "arguments": "{}"}},
    ],
}

OPENAI_VALID: dict[str, list[Any]] = {
    "text": [
        {"role": "system", "content": "be brief"},
        {"role": "developer", "content": [{"type": "text", "text": "dev"}]},
        {"role": "user", "content": "hi", "name": "ann"},
        {"role": "assistant", "content": "hello"},
    ],
    "images": [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "look"},
                {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
                {
                    "type": "image_url",
                    "image_url": {"url": f"data:image/png;base64,{PNG_B64}", "detail": "high"},
                },
            ],
        }
    ],
    "audio_and_files": [
        {
            "role": "user",
            "content": [
                {"type": "input_audio", "input_audio": {"data": WAV_B64, "format": "wav"}},
                {
                    "type": "file",
                    "file": {
                        "file_data": f"data:application/pdf;base64,{PDF_B64}",
                        "filename": "a.pdf",
                    },
                },
                {"type": "file", "file": {"file_id": "file-123"}},
            ],
        }
    ],
    "tool_calls_and_results": [
        OPENAI_CALLS,
        {"role": "tool", "tool_call_id": "call_1", "content": "1"},
        {"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": "2"}]},
    ],
    "custom_tool_call": [
        {
            "role": "assistant",
            "tool_calls": [
                {"id": "c1", "type": "custom", "custom": {"name": "sh", "input": "ls"}},
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "a.txt"},
    ],
    "assistant_extras_and_legacy_function": [
        {
            "role": "assistant",
            "content": [{"type": "text", "text": "no"}, {"type": "refusal", "refusal": "no"}],
            "refusal": "no",
            "name": "bot",
            "audio": {"id": "audio_1"},
            "function_call": {"name": "f", "arguments": "{}"},
        },
        {"role": "function", "name": "f", "content": "ok"},
    ],
}


@pytest.mark.parametrize("items", OPENAI_VALID.values(), ids=OPENAI_VALID.keys())
def test_openai_valid(items: list[Any]) -> None:
    validate_openai_messages(items)
    check_openai_rules(items)  # and a consistent conversation


def _user(*parts: Any) -> list[Any]:
    return [{"role": "user", "content": list(parts)}]


TEXT = {"type": "text", "text": "t"}
IMAGE = {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}}

OPENAI_BROKEN: dict[str, tuple[Any, str, str]] = {
    "unknown_top_level_key": (
        [{"role": "user", "content": "hi", "foo": 1}],
        "items[0].foo",
        "unknown key",
    ),
    "unknown_key_nested_in_part": (
        _user(TEXT, {"type": "image_url", "image_url": {"url": "u", "foo": 1}}),
        "items[0].content[1].image_url.foo",
        "unknown key",
    ),
    "unknown_key_in_3rd_part": (
        _user(TEXT, IMAGE, {"type": "text", "text": "x", "cache_control": {"type": "ephemeral"}}),
        "items[0].content[2].cache_control",
        "unknown key",
    ),
    "unknown_key_in_2nd_tool_call": (
        [
            {
                **OPENAI_CALLS,
                "tool_calls": [
                    OPENAI_CALLS["tool_calls"][0],
                    {**OPENAI_CALLS["tool_calls"][1], "index": 1},
                ],
            }
        ],
        "items[0].tool_calls[1].index",
        "unknown key",
    ),
    "wrong_literal_type": (
        _user(TEXT, {"type": "imagee", "image_url": {"url": "u"}}),
        "items[0].content[1].type",
        "expected one of 'text', 'image_url', 'input_audio', 'file', got 'imagee'",
    ),
    "wrong_role": (
        [{"role": "robot", "content": "x"}],
        "items[0].role",
        "expected one of 'developer', 'system', 'user', 'assistant', 'tool', 'function', "
        "got 'robot'",
    ),
    "wrong_nested_literal": (
        _user({"type": "image_url", "image_url": {"url": "u", "detail": "ultra"}}),
        "items[0].content[0].image_url.detail",
        "expected one of 'auto', 'low', 'high', 'original', got 'ultra'",
    ),
    "missing_required_key": (
        [{"role": "tool", "content": "x"}],
        "items[0].tool_call_id",
        "missing required key",
    ),
    "missing_required_nested_key": (
        _user({"type": "image_url", "image_url": {"detail": "low"}}),
        "items[0].content[0].image_url.url",
        "missing required key",
    ),
    "arguments_as_dict": (
        [
            {
                "role": "assistant",
                "tool_calls": [
                    {"id": "c", "type": "function", "function": {"name": "f", "arguments": {}}}
                ],
            }
        ],
        "items[0].tool_calls[0].function.arguments",
        "expected string, got object",
    ),
    "image_in_tool_message": (
        [{"role": "tool", "tool_call_id": "c", "content": [TEXT, IMAGE]}],
        "items[0].content[1].type",
        "expected 'text', got 'image_url'",
    ),
    "content_wrong_type": (
        [{"role": "user", "content": 5}],
        "items[0].content",
        "expected string or array, got integer",
    ),
    "bool_is_not_a_string": (
        [{"role": "user", "content": "x", "name": True}],
        "items[0].name",
        "expected string, got boolean",
    ),
    "tuple_is_not_json": (
        [{"role": "user", "content": ("a", "b")}],
        "items[0].content",
        "expected string or array, got non-JSON tuple",
    ),
    "message_not_an_object": (["hello"], "items[0]", "expected object, got string"),
    "items_not_a_list": ({"role": "user"}, "items", "expected array, got object"),
}


@pytest.mark.parametrize(("items", "path", "message"), OPENAI_BROKEN.values(), ids=OPENAI_BROKEN)
def test_openai_broken(items: Any, path: str, message: str) -> None:
    error = _errors(lambda: validate_openai_messages(items))
    assert (error.path, error.message) == (path, message)


@pytest.mark.parametrize(
    "case", ["unknown_top_level_key", "unknown_key_in_2nd_tool_call", "wrong_literal_type"]
)
def test_pydantic_type_adapter_is_not_strict_but_we_are(case: str) -> None:
    """A plain TypeAdapter ignores unknown keys and never looks inside Iterable fields."""
    items, path, _ = OPENAI_BROKEN[case]
    TypeAdapter(ChatCompletionMessageParam).validate_python(items[0])  # no error!
    assert _errors(lambda: validate_openai_messages(items)).path == path


# =========================================================================== Anthropic

ANTHROPIC_VALID: dict[str, tuple[list[Any], object]] = {
    "text": (
        [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
        "be brief",
    ),
    "images_and_documents": (
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "look", "cache_control": {"type": "ephemeral"}},
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64},
                    },
                    {"type": "image", "source": {"type": "url", "url": "https://x.test/a.png"}},
                    {
                        "type": "document",
                        "source": {
                            "type": "base64",
                            "media_type": "application/pdf",
                            "data": PDF_B64,
                        },
                        "title": "a.pdf",
                    },
                    {"type": "document", "source": {"type": "url", "url": "https://x.test/a.pdf"}},
                    {
                        "type": "document",
                        "source": {"type": "text", "media_type": "text/plain", "data": "hi"},
                    },
                ],
            }
        ],
        [{"type": "text", "text": "system one"}, {"type": "text", "text": "system two"}],
    ),
    "thinking_and_tools": (
        [
            {"role": "user", "content": "weather?"},
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "hmm", "signature": "sig=="},
                    {"type": "redacted_thinking", "data": "opaque"},
                    {"type": "text", "text": "checking"},
                    {"type": "tool_use", "id": "toolu_1", "name": "w", "input": {"c": "Paris"}},
                    {"type": "tool_use", "id": "toolu_2", "name": "w", "input": {}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny"},
                    {
                        "type": "tool_result",
                        "tool_use_id": "toolu_2",
                        "is_error": True,
                        "content": [
                            {"type": "text", "text": "failed"},
                            {
                                "type": "image",
                                "source": {
                                    "type": "base64",
                                    "media_type": "image/png",
                                    "data": PNG_B64,
                                },
                            },
                        ],
                    },
                    {"type": "text", "text": "thanks"},
                ],
            },
        ],
        None,
    ),
}


@pytest.mark.parametrize(("items", "system"), ANTHROPIC_VALID.values(), ids=ANTHROPIC_VALID)
def test_anthropic_valid(items: list[Any], system: object) -> None:
    validate_anthropic_messages(items, system)
    check_anthropic_rules(items, system)  # and a consistent conversation


def test_anthropic_sdk_types_allow_a_system_role_message() -> None:
    """Quirk: this SDK's MessageParam includes SystemMessageParam; rules.py rejects it."""
    validate_anthropic_messages([{"role": "system", "content": "be brief"}])


def _anthropic_user(*blocks: Any) -> list[Any]:
    return [{"role": "user", "content": list(blocks)}]


A_TEXT = {"type": "text", "text": "t"}
A_TOOL_USE = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}

ANTHROPIC_BROKEN: dict[str, tuple[Any, object, str, str]] = {
    "unknown_top_level_key": (
        [{"role": "user", "content": "hi", "name": "ann"}],
        None,
        "items[0].name",
        "unknown key",
    ),
    "unknown_key_nested_in_block": (
        _anthropic_user({"type": "image", "source": {"type": "url", "url": "u", "detail": "high"}}),
        None,
        "items[0].content[0].source.detail",
        "unknown key",
    ),
    "unknown_key_in_3rd_block": (
        _anthropic_user(A_TEXT, A_TEXT, {"type": "text", "text": "x", "foo": 1}),
        None,
        "items[0].content[2].foo",
        "unknown key",
    ),
    "unknown_key_in_2nd_tool_result_block": (
        _anthropic_user(
            {
                "type": "tool_result",
                "tool_use_id": "toolu_1",
                "content": [A_TEXT, {"type": "text", "text": "x", "is_error": True}],
            }
        ),
        None,
        "items[0].content[0].content[1].is_error",
        "unknown key",
    ),
    "wrong_literal_in_tool_result_content": (
        _anthropic_user(
            {"type": "tool_result", "tool_use_id": "t", "content": [A_TEXT, {"type": "imagee"}]}
        ),
        None,
        "items[0].content[0].content[1].type",
        "expected one of 'text', 'image', 'search_result', 'document', 'tool_reference', "
        "'browser_state', got 'imagee'",
    ),
    "wrong_media_type": (
        _anthropic_user(
            {"type": "image", "source": {"type": "base64", "media_type": "image/bmp", "data": "x"}}
        ),
        None,
        "items[0].content[0].source.media_type",
        "expected one of 'image/jpeg', 'image/png', 'image/gif', 'image/webp', got 'image/bmp'",
    ),
    "missing_required_key": (
        [{"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "f"}]}],
        None,
        "items[0].content[0].input",
        "missing required key",
    ),
    "thinking_without_signature": (
        [{"role": "assistant", "content": [{"type": "thinking", "thinking": "hmm"}]}],
        None,
        "items[0].content[0].signature",
        "missing required key",
    ),
    "tool_input_not_an_object": (
        [{"role": "assistant", "content": [{**A_TOOL_USE, "input": '{"a": 1}'}]}],
        None,
        "items[0].content[0].input",
        "expected object, got string",
    ),
    "is_error_as_string": (
        _anthropic_user({"type": "tool_result", "tool_use_id": "t", "is_error": "true"}),
        None,
        "items[0].content[0].is_error",
        "expected boolean, got string",
    ),
    "bytes_are_not_json": (
        _anthropic_user(
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": b"x"}}
        ),
        None,
        "items[0].content[0].source.data",
        "expected string, got non-JSON bytes",
    ),
    "system_unknown_key_in_2nd_block": (
        [],
        [A_TEXT, {"type": "text", "text": "s", "role": "system"}],
        "system[1].role",
        "unknown key",
    ),
    "system_wrong_type": ([], 5, "system", "expected string or array, got integer"),
    "system_image_block": (
        [],
        [{"type": "image", "source": {"type": "url", "url": "u"}}],
        "system[0].type",
        "expected 'text', got 'image'",
    ),
}


@pytest.mark.parametrize(
    ("items", "system", "path", "message"), ANTHROPIC_BROKEN.values(), ids=ANTHROPIC_BROKEN
)
def test_anthropic_broken(items: Any, system: object, path: str, message: str) -> None:
    error = _errors(lambda: validate_anthropic_messages(items, system))
    assert (error.path, error.message) == (path, message)


def test_anthropic_wrong_block_type_lists_every_block_type() -> None:
    error = _errors(lambda: validate_anthropic_messages(_anthropic_user({"type": "imagee"})))
    assert error.path == "items[0].content[0].type"
    assert error.message.startswith("expected one of 'text', 'image', 'document', ")
    assert error.message.endswith(", got 'imagee'")


# =========================================================================== Gemini

GEMINI_VALID: dict[str, tuple[list[Any], object]] = {
    "text_and_media_camel_case": (
        [
            {
                "role": "user",
                "parts": [
                    {"text": "look"},
                    {"inlineData": {"mimeType": "image/png", "data": PNG_B64}},
                    {
                        "fileData": {
                            "fileUri": "https://x.test/a.pdf",
                            "mimeType": "application/pdf",
                        }
                    },
                ],
            },
            {"role": "model", "parts": [{"text": "nice"}]},
        ],
        {"parts": [{"text": "be brief"}]},
    ),
    "media_snake_case": (
        [
            {
                "role": "user",
                "parts": [
                    {"inline_data": {"mime_type": "audio/wav", "data": WAV_B64}},
                    {"file_data": {"file_uri": "gs://b/a.png"}},
                ],
            }
        ],
        None,
    ),
    "url_safe_and_unpadded_base64": (
        [{"role": "user", "parts": [{"inlineData": {"mimeType": "image/png", "data": "-_8"}}]}],
        None,
    ),
    "function_calls_and_thoughts": (
        [
            {"role": "user", "parts": [{"text": "weather?"}]},
            {
                "role": "model",
                "parts": [
                    {"text": "thinking...", "thought": True, "thoughtSignature": "c2ln"},
                    {"functionCall": {"id": "a", "name": "w", "args": {"c": "Paris"}}},
                    {"function_call": {"name": "w", "args": {}}, "thought_signature": "c2ln"},
                ],
            },
            {
                "role": "user",
                "parts": [
                    {"functionResponse": {"id": "a", "name": "w", "response": {"t": 20}}},
                    {
                        "function_response": {
                            "name": "w",
                            "response": {"error": "down"},
                            "parts": [{"inline_data": {"mime_type": "image/png", "data": PNG_B64}}],
                        }
                    },
                ],
            },
        ],
        None,
    ),
}


@pytest.mark.parametrize(("items", "system"), GEMINI_VALID.values(), ids=GEMINI_VALID)
def test_gemini_valid(items: list[Any], system: object) -> None:
    validate_gemini_contents(items, system)
    check_gemini_rules(items, system)  # and a consistent conversation


def _gemini_user(*parts: Any) -> list[Any]:
    return [{"role": "user", "parts": list(parts)}]


GEMINI_BROKEN: dict[str, tuple[Any, object, str, str]] = {
    "unknown_top_level_key": (
        [{"role": "user", "parts": [{"text": "x"}], "content": "x"}],
        None,
        "items[0].content",
        "unknown key",
    ),
    "unknown_key_nested_in_part": (
        _gemini_user({"inlineData": {"mimeType": "image/png", "data": PNG_B64, "url": "u"}}),
        None,
        "items[0].parts[0].inlineData.url",
        "unknown key",
    ),
    "unknown_key_in_3rd_part": (
        _gemini_user({"text": "a"}, {"text": "b"}, {"image_url": {"url": "u"}}),
        None,
        "items[0].parts[2].image_url",
        "unknown key",
    ),
    "bool_given_as_string": (
        [{"role": "model", "parts": [{"text": "t", "thought": "true"}]}],
        None,
        "items[0].parts[0].thought",
        "expected boolean, got string",
    ),
    "role_not_a_string": (
        [{"role": 1, "parts": []}],
        None,
        "items[0].role",
        "expected string, got integer",
    ),
    "parts_not_a_list": (
        [{"role": "user", "parts": {"text": "x"}}],
        None,
        "items[0].parts",
        "expected array, got object",
    ),
    "args_not_an_object": (
        [{"role": "model", "parts": [{"functionCall": {"name": "f", "args": "{}"}}]}],
        None,
        "items[0].parts[0].functionCall.args",
        "expected object, got string",
    ),
    "response_not_an_object": (
        _gemini_user({"functionResponse": {"name": "f", "response": ["x"]}}),
        None,
        "items[0].parts[0].functionResponse.response",
        "expected object, got array",
    ),
    "unknown_enum_value": (
        _gemini_user({"functionResponse": {"name": "f", "response": {}, "scheduling": "NOPE"}}),
        None,
        "items[0].parts[0].functionResponse.scheduling",
        "expected one of 'SCHEDULING_UNSPECIFIED', 'SILENT', 'WHEN_IDLE', 'INTERRUPT', got 'NOPE'",
    ),
    "data_not_base64": (
        _gemini_user({"inlineData": {"mimeType": "image/png", "data": "not base64!"}}),
        None,
        "items[0].parts[0].inlineData.data",
        "Data should be valid base64: Invalid symbol 32, offset 3.",
    ),
    "snake_case_data_not_base64": (
        _gemini_user({"inline_data": {"mime_type": "image/png", "data": "%%%%"}}),
        None,
        "items[0].parts[0].inline_data.data",
        "Data should be valid base64: Invalid symbol 37, offset 0.",
    ),
    "both_spellings_of_a_field": (
        [
            {
                "role": "model",
                "parts": [{"text": "t", "thought_signature": "c2ln", "thoughtSignature": "c2ln"}],
            }
        ],
        None,
        "items[0].parts[0].thoughtSignature",
        "duplicate of key 'thought_signature'",
    ),
    "system_instruction_unknown_key": (
        [],
        {"parts": [{"text": "s", "role": "system"}]},
        "system_instruction.parts[0].role",
        "unknown key",
    ),
}


@pytest.mark.parametrize(
    ("items", "system", "path", "message"), GEMINI_BROKEN.values(), ids=GEMINI_BROKEN
)
def test_gemini_broken(items: Any, system: object, path: str, message: str) -> None:
    error = _errors(lambda: validate_gemini_contents(items, system))
    assert (error.path, error.message) == (path, message)


def test_genai_pydantic_is_lax_inside_parts_but_we_are_not() -> None:
    """Quirk: ``Part`` has a custom ``__init__``, so pydantic drops strict mode below it,
    and genai enums accept unknown strings with a warning."""
    items, _, path, _ = GEMINI_BROKEN["bool_given_as_string"]
    content = genai_types.Content.model_validate_json(json.dumps(items[0]), strict=True)
    assert content.parts is not None
    assert content.parts[0].thought is True
    assert _errors(lambda: validate_gemini_contents(items)).path == path

    items, _, path, _ = GEMINI_BROKEN["unknown_enum_value"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        genai_types.Content.model_validate(items[0])  # accepted, only warns
    assert [str(w.message) for w in caught] == ["NOPE is not a valid FunctionResponseScheduling"]
    assert _errors(lambda: validate_gemini_contents(items)).path == path


def test_genai_decodes_base64_strings_for_bytes_fields() -> None:
    """Quirk: ``val_json_bytes='base64'`` decodes str input in both python and JSON mode."""
    part = {"inlineData": {"mimeType": "image/png", "data": "aGk"}}  # unpadded "hi"
    content = genai_types.Content.model_validate({"role": "user", "parts": [part]})
    assert content.parts is not None
    assert content.parts[0].inline_data is not None
    assert content.parts[0].inline_data.data == b"hi"
    validate_gemini_contents([{"role": "user", "parts": [part]}])


# =========================================================================== the walker itself
# A TypedDict written like the SDKs write theirs (string annotations, total=False
# with Required, or total=True with NotRequired), exercising each construct.


class _Inner(te.TypedDict, total=False):
    kind: te.Required[Literal["inner"]]
    score: float


class _Shape(te.TypedDict):
    name: str
    count: int | None
    tags: te.NotRequired[Sequence[str]]
    meta: te.NotRequired[dict[str, object]]
    inner: te.NotRequired[_Inner | None]
    flag: te.NotRequired[te.Annotated[bool, "metadata is ignored"]]


class _Open(te.TypedDict, extra_items=int):  # type: ignore[call-arg]  # PEP 728, not in mypy yet
    name: str


SHAPE = {"name": "n", "count": None, "tags": ["a"], "meta": {"k": [1, {"x": None}]}}

WALKER_BROKEN: dict[str, tuple[Any, Any, str, str]] = {
    "total_true_key_missing": (_Shape, {"count": 1}, "value.name", "missing required key"),
    "int_is_not_bool": (
        _Shape,
        {**SHAPE, "count": True},
        "value.count",
        "expected integer, got boolean",
    ),
    "pipe_union_message": (
        _Shape,
        {**SHAPE, "count": "1"},
        "value.count",
        "expected integer, got string",
    ),
    "sequence_element": (
        _Shape,
        {**SHAPE, "tags": ["a", 2]},
        "value.tags[1]",
        "expected string, got integer",
    ),
    "object_value_not_json": (
        _Shape,
        {**SHAPE, "meta": {"k": {1, 2}}},
        "value.meta.k",
        "expected a JSON value, got non-JSON set",
    ),
    "nan_is_not_json": (
        _Shape,
        {**SHAPE, "inner": {"kind": "inner", "score": float("nan")}},
        "value.inner.score",
        "nan is not a JSON number",
    ),
    "optional_record_literal": (
        _Shape,
        {**SHAPE, "inner": {"kind": "outer"}},
        "value.inner.kind",
        "expected 'inner', got 'outer'",
    ),
    "annotated_field": (
        _Shape,
        {**SHAPE, "flag": 1},
        "value.flag",
        "expected boolean, got integer",
    ),
    "extra_items_type": (_Open, {"name": "n", "x": "1"}, "value.x", "expected integer, got string"),
    "non_string_key": (_Open, {"name": "n", 1: 1}, "value", "object key 1 is not a string"),
}


def test_walker_accepts_well_formed_values() -> None:
    validate_as({**SHAPE, "inner": {"kind": "inner", "score": 1}, "flag": False}, _Shape)
    validate_as({"name": "n", "count": 3}, _Shape)  # NotRequired keys may be omitted
    validate_as({"name": "n", "x": 1, "y": 2}, _Open)


@pytest.mark.parametrize(
    ("tp", "value", "path", "message"), WALKER_BROKEN.values(), ids=WALKER_BROKEN
)
def test_walker_rejects(tp: Any, value: Any, path: str, message: str) -> None:
    error = _errors(lambda: validate_as(value, tp))
    assert (error.path, error.message) == (path, message)


def test_walker_refuses_annotations_it_does_not_know() -> None:
    with pytest.raises(TypeError, match="unsupported annotation"):
        validate_as(1, te.TypeVar("T"))


# =========================================================================== OpenAI Responses

R_CALL: dict[str, Any] = {
    "type": "function_call",
    "id": "fc_1",
    "call_id": "call_1",
    "name": "get_weather",
    "arguments": '{"city": "Paris"}',
    "status": "completed",
}
R_OUTPUT_MESSAGE: dict[str, Any] = {
    "type": "message",
    "id": "msg_1",
    "status": "completed",
    "role": "assistant",
    "content": [{"type": "output_text", "text": "It rains.", "annotations": []}],
}
R_IMAGE = {"type": "input_image", "image_url": "https://x.test/a.png", "detail": "low"}
R_REASONING: dict[str, Any] = {
    "type": "reasoning",
    "id": "rs_1",
    "summary": [{"type": "summary_text", "text": "**Weather**\n\nCall get_weather."}],
    "encrypted_content": "gAAAAABopaque",
}


def _without(item: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != key}


RESPONSES_VALID: dict[str, list[Any]] = {
    "easy_messages": [
        {"role": "system", "content": "be brief"},
        {"role": "developer", "content": "answer in English"},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "hello", "phase": "final_answer"},
    ],
    "input_parts_and_message_item": [
        {
            "type": "message",
            "role": "user",
            "status": "completed",
            "content": [
                {"type": "input_text", "text": "look"},
                R_IMAGE,
                {"type": "input_image", "file_id": "file-1", "detail": "original"},
                {
                    "type": "input_file",
                    "filename": "a.pdf",
                    "file_data": f"data:application/pdf;base64,{PDF_B64}",
                },
                {"type": "input_file", "file_url": "https://x.test/a.pdf", "detail": "high"},
            ],
        }
    ],
    "output_message_with_annotations_and_refusal": [
        {
            **R_OUTPUT_MESSAGE,
            "phase": "commentary",
            "content": [
                {
                    "type": "output_text",
                    "text": "See x.test.",
                    "annotations": [
                        {
                            "type": "url_citation",
                            "url": "https://x.test",
                            "title": "X",
                            "start_index": 4,
                            "end_index": 10,
                        },
                        {"type": "file_citation", "file_id": "file-1", "filename": "a", "index": 3},
                    ],
                },
                {"type": "refusal", "refusal": "no"},
            ],
        }
    ],
    "reasoning_function_call_and_outputs": [
        {"role": "user", "content": "weather?"},
        R_REASONING,
        R_CALL,
        {"type": "function_call_output", "call_id": "call_1", "output": '{"rain": true}'},
        {**R_REASONING, "id": "rs_2", "summary": [], "content": []},
        R_OUTPUT_MESSAGE,
    ],
    "output_list_custom_and_computer_calls": [
        {"role": "user", "content": "go"},
        {**R_CALL, "id": "fc_2", "call_id": "call_2", "arguments": "{}"},
        {
            "type": "function_call_output",
            "call_id": "call_2",
            "output": [{"type": "input_text", "text": "shot"}, R_IMAGE],
        },
        {
            "type": "custom_tool_call",
            "id": "ctc_1",
            "call_id": "call_3",
            "name": "apply_patch",
            "input": "*** Begin Patch",
        },
        {"type": "custom_tool_call_output", "call_id": "call_3", "output": "Done!"},
        {
            "type": "computer_call",
            "id": "cu_1",
            "call_id": "call_4",
            "action": {"type": "click", "button": "left", "x": 1, "y": 2},
            "pending_safety_checks": [],
            "status": "completed",
        },
        {
            "type": "computer_call_output",
            "call_id": "call_4",
            "output": {
                "type": "computer_screenshot",
                "image_url": f"data:image/png;base64,{PNG_B64}",
            },
        },
    ],
    "hosted_tools_and_item_references": [
        {"role": "user", "content": "search"},
        {
            "type": "web_search_call",
            "id": "ws_1",
            "status": "completed",
            "action": {
                "type": "search",
                "query": "q",
                "sources": [{"type": "url", "url": "https://x.test"}],
            },
        },
        {
            "type": "file_search_call",
            "id": "fs_1",
            "status": "completed",
            "queries": ["q"],
            "results": None,
        },
        {
            "type": "code_interpreter_call",
            "id": "ci_1",
            "status": "completed",
            "container_id": "cntr_1",
            "code": "print(1)",
            "outputs": [{"type": "logs", "logs": "1"}],
        },
        {"type": "image_generation_call", "id": "ig_1", "status": "completed", "result": PNG_B64},
        {"type": "item_reference", "id": "msg_0"},
        {"id": "rs_0"},
    ],
}


@pytest.mark.parametrize("items", RESPONSES_VALID.values(), ids=RESPONSES_VALID.keys())
def test_openai_responses_valid(items: list[Any]) -> None:
    validate_openai_responses_items(items)
    check_openai_responses_rules(items)  # and a consistent conversation


def _r_user(*parts: Any) -> list[Any]:
    return [{"role": "user", "content": list(parts)}]


RESPONSES_BROKEN: dict[str, tuple[Any, str, str]] = {
    "unknown_key_in_easy_message": (
        [{"role": "user", "content": "hi", "name": "ann"}],
        "items[0].name",
        "unknown key",
    ),
    "unknown_key_in_function_call": (
        [{**R_CALL, "index": 0}],
        "items[0].index",
        "unknown key",
    ),
    "unknown_key_in_an_annotation": (
        [
            {
                **R_OUTPUT_MESSAGE,
                "content": [
                    {
                        "type": "output_text",
                        "text": "t",
                        "annotations": [
                            {"type": "file_citation", "file_id": "f", "filename": "a", "index": 0},
                            {"type": "file_path", "file_id": "f", "index": 0, "url": "u"},
                        ],
                    }
                ],
            }
        ],
        "items[0].content[0].annotations[1].url",
        "unknown key",
    ),
    "output_message_without_id": (
        [_without(R_OUTPUT_MESSAGE, "id")],
        "items[0].id",
        "missing required key",
    ),
    "output_message_without_status": (
        [_without(R_OUTPUT_MESSAGE, "status")],
        "items[0].status",
        "missing required key",
    ),
    "output_text_without_annotations": (
        [{**R_OUTPUT_MESSAGE, "content": [{"type": "output_text", "text": "t"}]}],
        "items[0].content[0].annotations",
        "missing required key",
    ),
    "input_image_without_detail": (
        _r_user({"type": "input_image", "image_url": "https://x.test/a.png"}),
        "items[0].content[0].detail",
        "missing required key",
    ),
    "function_call_without_call_id": (
        [_without(R_CALL, "call_id")],
        "items[0].call_id",
        "missing required key",
    ),
    "reasoning_without_summary": (
        [_without(R_REASONING, "summary")],
        "items[0].summary",
        "missing required key",
    ),
    "wrong_summary_part_type": (
        [{**R_REASONING, "summary": [{"type": "reasoning_text", "text": "x"}]}],
        "items[0].summary[0].type",
        "expected 'summary_text', got 'reasoning_text'",
    ),
    "wrong_role": (
        [{"role": "tool", "content": "x"}],
        "items[0].role",
        "expected one of 'user', 'assistant', 'system', 'developer', got 'tool'",
    ),
    "wrong_status_of_a_known_type": (
        [{**R_CALL, "status": "done"}],
        "items[0].status",
        "expected one of 'in_progress', 'completed', 'incomplete', got 'done'",
    ),
    "wrong_phase": (
        [{"role": "assistant", "content": "x", "phase": "draft"}],
        "items[0].phase",
        "expected one of 'commentary', 'final_answer', None, got 'draft'",
    ),
    "output_text_in_a_user_message": (
        _r_user({"type": "output_text", "text": "t", "annotations": []}),
        "items[0].content[0].type",
        "expected one of 'input_text', 'input_image', 'input_file', got 'output_text'",
    ),
    "input_audio_in_a_message": (
        _r_user({"type": "input_audio", "input_audio": {"data": WAV_B64, "format": "wav"}}),
        "items[0].content[0].type",
        "expected one of 'input_text', 'input_image', 'input_file', got 'input_audio'",
    ),
    "output_text_in_a_function_output_list": (
        [
            {
                "type": "function_call_output",
                "call_id": "call_1",
                "output": [{"type": "output_text", "text": "t", "annotations": []}],
            }
        ],
        "items[0].output[0].type",
        "expected one of 'input_text', 'input_image', 'input_file', got 'output_text'",
    ),
    "arguments_as_object": (
        [{**R_CALL, "arguments": {"city": "Paris"}}],
        "items[0].arguments",
        "expected string, got object",
    ),
    "screenshot_of_wrong_type": (
        [
            {
                "type": "computer_call_output",
                "call_id": "call_1",
                "output": {"type": "image", "image_url": "https://x.test/a.png"},
            }
        ],
        "items[0].output.type",
        "expected 'computer_screenshot', got 'image'",
    ),
    "queries_as_a_string": (
        [{"type": "file_search_call", "id": "fs_1", "status": "completed", "queries": "q"}],
        "items[0].queries",
        "expected array, got string",
    ),
    "items_not_a_list": ({"role": "user", "content": "hi"}, "items", "expected array, got object"),
}


@pytest.mark.parametrize(
    ("items", "path", "message"), RESPONSES_BROKEN.values(), ids=RESPONSES_BROKEN
)
def test_openai_responses_broken(items: Any, path: str, message: str) -> None:
    error = _errors(lambda: validate_openai_responses_items(items))
    assert (error.path, error.message) == (path, message)


@pytest.mark.parametrize("kind", ["function_cal", "item_ref"])
def test_openai_responses_unknown_item_type_lists_the_known_ones(kind: str) -> None:
    error = _errors(lambda: validate_openai_responses_items([{**R_CALL, "type": kind}]))
    assert error.path == "items[0].type"
    assert error.message.startswith("expected one of 'message', ")
    assert "'function_call', " in error.message
    assert "'item_reference', None, " in error.message  # item_reference's type may be null
    assert error.message.endswith(f", got {kind!r}")


@pytest.mark.parametrize("case", ["unknown_key_in_easy_message", "unknown_key_in_function_call"])
def test_pydantic_type_adapter_ignores_unknown_responses_keys_but_we_do_not(case: str) -> None:
    items, path, _ = RESPONSES_BROKEN[case]
    TypeAdapter(ResponseInputItemParam).validate_python(items[0])  # no error!
    assert _errors(lambda: validate_openai_responses_items(items)).path == path


# Unions of records, as in the Responses item union: which error is reported.


class _Cat(te.TypedDict):
    kind: Literal["cat"]
    lives: int
    mood: te.NotRequired[Literal["calm", "grumpy"]]


class _Ref(te.TypedDict, total=False):
    id: te.Required[str]
    kind: Literal["ref"] | None  # an Optional Literal, like ItemReference.type


class _Said(te.TypedDict):
    role: Literal["user", "assistant"]
    text: str


class _Stored(te.TypedDict):
    role: Literal["assistant"]
    text: str
    id: str
    status: str


UNION_ERRORS: dict[str, tuple[Any, Any, str, str]] = {
    "optional_literal_rules_a_member_out": (
        _Cat | _Ref,
        {"kind": "dog", "id": "x"},
        "value.kind",
        "expected one of 'cat', 'ref', None, got 'dog'",
    ),
    "the_member_matching_a_single_valued_literal_reports_its_clash": (
        _Ref | _Cat,
        {"kind": "cat", "lives": 9, "mood": "happy"},
        "value.mood",
        "expected one of 'calm', 'grumpy', got 'happy'",
    ),
    "a_clashing_key_no_other_member_declares": (
        _Ref | _Said,
        {"role": "tool", "text": "x"},
        "value.role",
        "expected one of 'user', 'assistant', got 'tool'",
    ),
    "equal_depth_errors_prefer_the_member_knowing_more_keys": (
        _Said | _Stored,
        {"role": "assistant", "text": "x", "status": "done"},
        "value.id",
        "missing required key",
    ),
}


@pytest.mark.parametrize(
    ("tp", "value", "path", "message"), UNION_ERRORS.values(), ids=UNION_ERRORS
)
def test_union_reports_the_most_telling_error(tp: Any, value: Any, path: str, message: str) -> None:
    error = _errors(lambda: validate_as(value, tp))
    assert (error.path, error.message) == (path, message)


def test_optional_literal_accepts_null_and_its_value() -> None:
    validate_as({"id": "x", "kind": None}, _Cat | _Ref)
    validate_as({"id": "x", "kind": "ref"}, _Cat | _Ref)
    validate_as({"id": "x"}, _Cat | _Ref)
