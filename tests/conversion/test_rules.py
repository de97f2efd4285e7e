"""Each cross-message rule: one conversation that passes, one (or more) that fail by path."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conversion.rules import (
    RuleViolation,
    check_anthropic_rules,
    check_gemini_rules,
    check_openai_responses_rules,
    check_openai_rules,
)
from tests.conversion.strict_types import (
    validate_anthropic_messages,
    validate_gemini_contents,
    validate_openai_messages,
    validate_openai_responses_items,
)

WAV_B64 = "UklGRiQAAABXQVZF"
PDF_DATA_URL = "data:application/pdf;base64,JVBERi0="
GEMINI_FILE = "https://generativelanguage.googleapis.com/v1beta/files/abc123"
# Exactly 64 characters, the MCP-client naming style (mcp__<server>__<tool>).
NAME_64 = "mcp__salesforce-crm__lookup_account_by_email_domain_and_contacts"


def _violation(check: Any, *args: Any) -> tuple[str, str]:
    with pytest.raises(RuleViolation) as caught:
        check(*args)
    assert isinstance(caught.value, AssertionError)
    assert str(caught.value) == f"{caught.value.path}: {caught.value.message}"
    return caught.value.path, caught.value.message


# =========================================================================== OpenAI


def _call(call_id: str, arguments: object = "{}", name: str = "f") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def _calls(*ids: str) -> dict[str, Any]:
    return {"role": "assistant", "content": None, "tool_calls": [_call(i) for i in ids]}


def _named_calls(*names: str) -> dict[str, Any]:
    calls = [_call(f"call_{index}", name=name) for index, name in enumerate(names)]
    return {"role": "assistant", "content": None, "tool_calls": calls}


def _custom_call(call_id: str, name: str) -> dict[str, Any]:
    return {"id": call_id, "type": "custom", "custom": {"name": name, "input": "ls"}}


def _image_url(url: str) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url}}


def _tool(call_id: str, content: object = "ok") -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "content": content}


USER = {"role": "user", "content": "hi"}
ASSISTANT = {"role": "assistant", "content": "hello"}

OPENAI_VALID: dict[str, list[Any]] = {
    "parallel_calls_answered_in_any_order": [USER, _calls("a", "b"), _tool("b"), _tool("a"), USER],
    "custom_tool_call_answered": [
        {
            "role": "assistant",
            "tool_calls": [{"id": "c", "type": "custom", "custom": {"name": "sh", "input": "ls"}}],
        },
        _tool("c"),
        ASSISTANT,
    ],
    "last_assistant_paused_mid_run": [USER, _calls("a", "b"), _tool("a")],
    "last_assistant_no_results_yet": [USER, _calls("a")],
    "tool_content_text_parts": [_calls("a"), _tool("a", [{"type": "text", "text": "1"}])],
    "legacy_function_call": [
        {"role": "assistant", "function_call": {"name": "f", "arguments": "{}"}},
        {"role": "function", "name": "f", "content": "ok"},
    ],
    "raw_base64_audio": [
        {
            "role": "user",
            "content": [{"type": "input_audio", "input_audio": {"data": WAV_B64, "format": "wav"}}],
        }
    ],
    "file_parts": [
        {
            "role": "user",
            "content": [
                {"type": "file", "file": {"file_data": PDF_DATA_URL, "filename": "a.pdf"}},
                {"type": "file", "file": {"file_id": "file-1"}},
            ],
        }
    ],
    "tool_names_at_the_limits": [
        USER,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                _call("a", name=NAME_64),
                _call("b", name="x"),
                _call("c", name="get-invoice_V2"),
                _custom_call("d", "apply-patch"),
            ],
        },
        _tool("a"),
        _tool("b"),
        _tool("c"),
        _tool("d"),
        {"role": "assistant", "function_call": {"name": "crm-lookup_2", "arguments": "{}"}},
        {"role": "function", "name": "crm-lookup_2", "content": "ok"},
    ],
    "image_urls_that_are_not_gemini_files": [
        {
            "role": "user",
            "content": [
                _image_url("https://example.com/v1beta/files/abc123.png"),
                _image_url("https://generativelanguage.googleapis.com/static/logo.png"),
                _image_url("data:image/png;base64,iVBORw0KGgo="),
            ],
        }
    ],
}


@pytest.mark.parametrize("items", OPENAI_VALID.values(), ids=OPENAI_VALID)
def test_openai_rules_pass(items: list[Any]) -> None:
    check_openai_rules(items)
    validate_openai_messages(items)  # the fixtures are real requests, not just rule-shaped


def _audio(data: str) -> list[Any]:
    part = {"type": "input_audio", "input_audio": {"data": data, "format": "wav"}}
    return [{"role": "user", "content": [{"type": "text", "text": "hear"}, part]}]


def _file(file: dict[str, Any]) -> list[Any]:
    return [{"role": "user", "content": [{"type": "file", "file": file}]}]


def _openai_name_error(name: str) -> str:
    return f"tool name {name!r} does not match ^[a-zA-Z0-9_-]{{1,64}}$"


GEMINI_FILE_ERROR = f"{GEMINI_FILE!r} is a Gemini Files API URI, readable by Gemini only"
PDF_ONLY = "file_data must be a PDF data URL (data:application/pdf;base64,...), got"


OPENAI_BROKEN: dict[str, tuple[list[Any], str, str]] = {
    "tool_message_without_calls_before": (
        [USER, _tool("a")],
        "items[1]",
        "tool message does not follow an assistant message with tool_calls",
    ),
    "tool_message_after_user_breaks_the_run": (
        [_calls("a"), _tool("a"), USER, _tool("a")],
        "items[3]",
        "tool message does not follow an assistant message with tool_calls",
    ),
    "tool_message_answers_unknown_id": (
        [_calls("a"), _tool("zzz")],
        "items[1].tool_call_id",
        "'zzz' answers no tool call of items[0]",
    ),
    "id_answered_twice": (
        [_calls("a", "b"), _tool("a"), _tool("a"), _tool("b")],
        "items[2].tool_call_id",
        "tool call 'a' is already answered by items[1].tool_call_id",
    ),
    "call_unanswered_before_next_message": (
        [_calls("a", "b"), _tool("a"), USER],
        "items[0].tool_calls[1].id",
        "tool call 'b' is not answered by items[2]",
    ),
    "call_unanswered_before_next_assistant": (
        [_calls("a"), ASSISTANT],
        "items[0].tool_calls[0].id",
        "tool call 'a' is not answered by items[1]",
    ),
    "duplicate_call_id": (
        [_calls("a", "a")],
        "items[0].tool_calls[1].id",
        "duplicate tool call id 'a'",
    ),
    "tool_call_arguments_not_a_string": (
        [{"role": "assistant", "tool_calls": [_call("a"), _call("b", {"x": 1})]}],
        "items[0].tool_calls[1].function.arguments",
        "arguments must be a JSON string, got object",
    ),
    "function_call_arguments_not_a_string": (
        [{"role": "assistant", "function_call": {"name": "f", "arguments": None}}],
        "items[0].function_call.arguments",
        "arguments must be a JSON string, got null",
    ),
    "tool_content_with_image": (
        [
            _calls("a"),
            _tool("a", [{"type": "text", "text": "x"}, {"type": "image_url", "image_url": {}}]),
        ],
        "items[1].content[1].type",
        "tool message content must be text only, got 'image_url'",
    ),
    "tool_content_not_text": (
        [_calls("a"), _tool("a", {"result": 1})],
        "items[1].content",
        "tool message content must be a string or a list of text parts",
    ),
    "audio_as_data_url": (
        _audio(f"data:audio/wav;base64,{WAV_B64}"),
        "items[0].content[1].input_audio.data",
        "input_audio.data must be raw base64, not a data: URL",
    ),
    "audio_not_base64": (
        _audio("not base64"),
        "items[0].content[1].input_audio.data",
        "input_audio.data is not valid base64",
    ),
    "file_data_without_filename": (
        _file({"file_data": "JVBERi0="}),
        "items[0].content[0].file.filename",
        "file_data needs a filename",
    ),
    "file_without_source": (
        _file({"filename": "a.pdf"}),
        "items[0].content[0].file",
        "file part needs file_data+filename or file_id",
    ),
    "file_with_both_sources": (
        _file({"file_data": "JVBERi0=", "filename": "a.pdf", "file_id": "file-1"}),
        "items[0].content[0].file",
        "file part carries both file_data and file_id",
    ),
    "function_name_with_dot": (
        [USER, _named_calls("get_weather", "github.create_issue")],
        "items[1].tool_calls[1].function.name",
        _openai_name_error("github.create_issue"),
    ),
    "function_name_with_colon": (
        [_named_calls("fs:read_file")],
        "items[0].tool_calls[0].function.name",
        _openai_name_error("fs:read_file"),
    ),
    "function_name_of_65_characters": (
        [_named_calls(NAME_64 + "s")],
        "items[0].tool_calls[0].function.name",
        _openai_name_error(NAME_64 + "s"),
    ),
    "function_name_empty": (
        [_named_calls("")],
        "items[0].tool_calls[0].function.name",
        _openai_name_error(""),
    ),
    "function_name_with_trailing_newline": (
        [_named_calls("get_weather\n")],
        "items[0].tool_calls[0].function.name",
        _openai_name_error("get_weather\n"),
    ),
    "custom_tool_name": (
        [{"role": "assistant", "tool_calls": [_custom_call("c", "shell.exec")]}],
        "items[0].tool_calls[0].custom.name",
        _openai_name_error("shell.exec"),
    ),
    "legacy_function_call_name": (
        [
            {
                "role": "assistant",
                "function_call": {"name": "calendar.events:list", "arguments": "{}"},
            }
        ],
        "items[0].function_call.name",
        _openai_name_error("calendar.events:list"),
    ),
    "file_data_text_plain": (
        _file({"file_data": "data:text/plain;base64,aGk=", "filename": "a.txt"}),
        "items[0].content[0].file.file_data",
        f"{PDF_ONLY} 'data:text/plain;base64'",
    ),
    "file_data_raw_base64": (
        _file({"file_data": "JVBERi0=", "filename": "a.pdf"}),
        "items[0].content[0].file.file_data",
        f"{PDF_ONLY} 'JVBERi0='",
    ),
    "file_data_pdf_not_base64": (
        _file({"file_data": "data:application/pdf;base64,%PDF-1.4", "filename": "a.pdf"}),
        "items[0].content[0].file.file_data",
        "file_data is not valid base64",
    ),
    "file_id_is_a_gemini_file": (
        _file({"file_id": GEMINI_FILE}),
        "items[0].content[0].file.file_id",
        GEMINI_FILE_ERROR,
    ),
    "image_url_is_a_gemini_file": (
        [{"role": "user", "content": [{"type": "text", "text": "see"}, _image_url(GEMINI_FILE)]}],
        "items[0].content[1].image_url.url",
        GEMINI_FILE_ERROR,
    ),
    "image_url_is_a_gemini_file_with_an_upper_case_host": (
        [
            {
                "role": "user",
                "content": [_image_url(GEMINI_FILE.replace("generative", "Generative"))],
            }
        ],
        "items[0].content[0].image_url.url",
        f"{GEMINI_FILE.replace('generative', 'Generative')!r} is a Gemini Files API URI, "
        "readable by Gemini only",
    ),
}


@pytest.mark.parametrize(("items", "path", "message"), OPENAI_BROKEN.values(), ids=OPENAI_BROKEN)
def test_openai_rules_fail(items: list[Any], path: str, message: str) -> None:
    assert _violation(check_openai_rules, items) == (path, message)


# =========================================================================== Anthropic


def _user(*blocks: Any) -> dict[str, Any]:
    return {"role": "user", "content": list(blocks)}


def _assistant(*blocks: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": list(blocks)}


def _text(text: str = "t") -> dict[str, Any]:
    return {"type": "text", "text": text}


def _use(tool_id: str, name: str = "f") -> dict[str, Any]:
    return {"type": "tool_use", "id": tool_id, "name": name, "input": {}}


def _result(tool_id: str, content: object = "ok") -> dict[str, Any]:
    return {"type": "tool_result", "tool_use_id": tool_id, "content": content}


def _url_source(kind: str, url: str) -> dict[str, Any]:
    return {"type": kind, "source": {"type": "url", "url": url}}


def _search_result(*content: Any) -> dict[str, Any]:
    return {
        "type": "search_result",
        "source": "https://docs.example.com/a",
        "title": "A",
        "content": list(content),
    }


def _content_document(*content: Any) -> dict[str, Any]:
    return {"type": "document", "source": {"type": "content", "content": list(content)}}


THINKING = {"type": "thinking", "thinking": "hmm", "signature": "sig"}
NAME_128 = "a" * 128

ANTHROPIC_VALID: dict[str, tuple[list[Any], object]] = {
    # A tool run paused with some results in: nothing but results follow the calls.
    "paused_with_some_results": (
        [USER, _assistant(_use("a"), _use("b")), _user(_result("a"))],
        None,
    ),
    "alternating_text": ([USER, ASSISTANT, USER], "system prompt"),
    "first_message_may_be_assistant": ([ASSISTANT, USER], None),
    "parallel_tool_uses_answered_first_then_text": (
        [
            USER,
            _assistant(THINKING, _text(), _use("toolu_a"), _use("call-B_2")),
            _user(_result("call-B_2"), _result("toolu_a", [_text("1")]), _text("thanks")),
            ASSISTANT,
        ],
        [_text("system one"), _text("system two")],
    ),
    "last_assistant_paused_mid_run": ([USER, _assistant(_use("toolu_a"))], None),
    "redacted_thinking_in_assistant": (
        [USER, _assistant({"type": "redacted_thinking", "data": "x"}, _text())],
        None,
    ),
    "tool_names_at_the_limits": (
        [USER, _assistant(_use("a", NAME_128), _use("b", "x"), _use("c", "github-create_issue"))],
        None,
    ),
    "documents_search_results_and_url_sources": (
        [
            _user(
                _content_document(_text("chapter 1"), _url_source("image", "https://x.test/a.png")),
                _search_result(_text("result")),
                _url_source("document", "https://x.test/a.pdf"),
                _text("compare"),
            ),
            _assistant(_use("a")),
            _user(_result("a", [_search_result(_text("r")), _url_source("image", "gs://b/a.png")])),
        ],
        None,
    ),
}


@pytest.mark.parametrize(("items", "system"), ANTHROPIC_VALID.values(), ids=ANTHROPIC_VALID)
def test_anthropic_rules_pass(items: list[Any], system: object) -> None:
    check_anthropic_rules(items, system)
    validate_anthropic_messages(items, system)


ANTHROPIC_BROKEN: dict[str, tuple[list[Any], object, str, str]] = {
    "system_as_message": (
        [{"role": "system", "content": "be brief"}, USER],
        None,
        "items[0].role",
        "system prompt is not a message; pass it as the system parameter",
    ),
    "unknown_role": (
        [USER, {"role": "tool", "content": "x"}],
        None,
        "items[1].role",
        "role must be 'user' or 'assistant', got 'tool'",
    ),
    "two_user_messages_in_a_row": (
        [USER, USER],
        None,
        "items[1].role",
        "two consecutive 'user' messages; roles must alternate",
    ),
    "two_assistant_messages_in_a_row": (
        [USER, ASSISTANT, ASSISTANT],
        None,
        "items[2].role",
        "two consecutive 'assistant' messages; roles must alternate",
    ),
    "empty_string_content": (
        [{"role": "user", "content": ""}],
        None,
        "items[0].content",
        "content is empty or whitespace-only",
    ),
    "empty_list_content": (
        [USER, {"role": "assistant", "content": []}],
        None,
        "items[1].content",
        "content is empty",
    ),
    "tool_use_unanswered_in_next_user": (
        [_assistant(_use("a"), _use("b")), _user(_result("a")), ASSISTANT],
        None,
        "items[0].content[1].id",
        "tool_use 'b' is not answered by items[1]",
    ),
    "tool_use_followed_by_plain_text": (
        [_assistant(_use("a")), USER, ASSISTANT],
        None,
        "items[0].content[0].id",
        "tool_use 'a' is not answered by items[1]",
    ),
    "tool_result_after_text": (
        [_assistant(_use("a")), _user(_text(), _result("a"))],
        None,
        "items[1].content[1]",
        "tool_result blocks must come first, but items[1].content[0] precedes it",
    ),
    "tool_result_for_unknown_id": (
        [_assistant(_use("a")), _user(_result("a"), _result("zzz"))],
        None,
        "items[1].content[1].tool_use_id",
        "'zzz' answers no tool_use of items[0]",
    ),
    "tool_result_for_an_older_assistant": (
        [_assistant(_use("a")), _user(_result("a")), ASSISTANT, _user(_result("a"))],
        None,
        "items[3].content[0].tool_use_id",
        "'a' answers no tool_use of items[2]",
    ),
    "tool_result_in_first_message": (
        [_user(_result("a"))],
        None,
        "items[0].content[0].tool_use_id",
        "'a' answers no tool_use: no assistant message precedes it",
    ),
    "tool_result_twice": (
        [_assistant(_use("a")), _user(_result("a"), _result("a"))],
        None,
        "items[1].content[1].tool_use_id",
        "tool_use 'a' is already answered by items[1].content[0].tool_use_id",
    ),
    "duplicate_tool_use_id": (
        [_assistant(_use("a"), _use("a"))],
        None,
        "items[0].content[1].id",
        "duplicate tool_use id 'a'",
    ),
    "tool_use_id_pattern": (
        [_assistant(_text(), _use("call.1"))],
        None,
        "items[0].content[1].id",
        "tool id 'call.1' does not match ^[a-zA-Z0-9_-]+$",
    ),
    "tool_result_id_pattern": (
        [_user(_result("call:1"))],
        None,
        "items[0].content[0].tool_use_id",
        "tool id 'call:1' does not match ^[a-zA-Z0-9_-]+$",
    ),
    "whitespace_text_block": (
        [_user(_text(), _text(" \n"))],
        None,
        "items[0].content[1].text",
        "text block is empty or whitespace-only",
    ),
    "empty_text_in_tool_result": (
        [_assistant(_use("a")), _user(_result("a", [_text(""), _text()]))],
        None,
        "items[1].content[0].content[0].text",
        "text block is empty or whitespace-only",
    ),
    "empty_text_in_system": (
        [USER],
        [_text("s"), _text("  ")],
        "system[1].text",
        "text block is empty or whitespace-only",
    ),
    "thinking_without_signature": (
        [USER, _assistant({"type": "thinking", "thinking": "hmm", "signature": ""}, _text())],
        None,
        "items[1].content[0].signature",
        "thinking block needs a non-empty signature",
    ),
    "thinking_in_user_message": (
        [_user(THINKING, _text())],
        None,
        "items[0].content[0].type",
        "'thinking' block outside an assistant message",
    ),
    "redacted_thinking_in_user_message": (
        [_user(_text(), {"type": "redacted_thinking", "data": "x"})],
        None,
        "items[0].content[1].type",
        "'redacted_thinking' block outside an assistant message",
    ),
    "tool_use_in_user_message": (
        [_user(_use("a"))],
        None,
        "items[0].content[0].type",
        "'tool_use' block outside an assistant message",
    ),
    "tool_result_in_assistant_message": (
        [USER, _assistant(_result("a"))],
        None,
        "items[1].content[0].type",
        "'tool_result' block outside a user message",
    ),
    "tool_id_with_trailing_newline": (
        [_assistant(_use("toolu_1\n"))],
        None,
        "items[0].content[0].id",
        "tool id 'toolu_1\\n' does not match ^[a-zA-Z0-9_-]+$",
    ),
    "tool_name_with_dot": (
        [USER, _assistant(_text(), _use("a", "github.create_issue"))],
        None,
        "items[1].content[1].name",
        "tool name 'github.create_issue' does not match ^[a-zA-Z0-9_-]{1,128}$",
    ),
    "tool_name_with_colon": (
        [_assistant(_use("a", "fs:read_file"))],
        None,
        "items[0].content[0].name",
        "tool name 'fs:read_file' does not match ^[a-zA-Z0-9_-]{1,128}$",
    ),
    "tool_name_of_129_characters": (
        [_assistant(_use("a", NAME_128 + "a"))],
        None,
        "items[0].content[0].name",
        f"tool name {NAME_128 + 'a'!r} does not match ^[a-zA-Z0-9_-]{{1,128}}$",
    ),
    "image_url_is_a_gemini_file": (
        [_user(_text(), _url_source("image", GEMINI_FILE))],
        None,
        "items[0].content[1].source.url",
        GEMINI_FILE_ERROR,
    ),
    "document_url_in_tool_result_is_a_gemini_file": (
        [
            _assistant(_use("a")),
            _user(_result("a", [_text(), _url_source("document", GEMINI_FILE)])),
        ],
        None,
        "items[1].content[0].content[1].source.url",
        GEMINI_FILE_ERROR,
    ),
    "image_in_a_content_document_is_a_gemini_file": (
        [_user(_content_document(_text(), _url_source("image", GEMINI_FILE)))],
        None,
        "items[0].content[0].source.content[1].source.url",
        GEMINI_FILE_ERROR,
    ),
    "empty_text_in_a_content_document": (
        [_user(_content_document(_text(" ")), _text())],
        None,
        "items[0].content[0].source.content[0].text",
        "text block is empty or whitespace-only",
    ),
    "empty_text_in_a_search_result_in_a_tool_result": (
        [_assistant(_use("a")), _user(_result("a", [_search_result(_text(), _text(""))]))],
        None,
        "items[1].content[0].content[0].content[1].text",
        "text block is empty or whitespace-only",
    ),
}


@pytest.mark.parametrize(
    ("items", "system", "path", "message"), ANTHROPIC_BROKEN.values(), ids=ANTHROPIC_BROKEN
)
def test_anthropic_rules_fail(items: list[Any], system: object, path: str, message: str) -> None:
    assert _violation(check_anthropic_rules, items, system) == (path, message)


# =========================================================================== Gemini


def _content(role: str, *parts: Any) -> dict[str, Any]:
    return {"role": role, "parts": list(parts)}


def _fcall(name: str, call_id: str | None = None, key: str = "functionCall") -> dict[str, Any]:
    call: dict[str, Any] = {"name": name, "args": {}}
    if call_id is not None:
        call["id"] = call_id
    return {key: call}


def _fresp(
    name: str, call_id: str | None = None, response: object = None, key: str = "functionResponse"
) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "response": {"ok": 1} if response is None else response}
    if call_id is not None:
        body["id"] = call_id
    return {key: body}


G_USER = _content("user", {"text": "hi"})
G_MODEL = _content("model", {"text": "hello"})
G_NAME_64 = "mcp.salesforce-crm:lookup_account_by_email_domain_and_contacts.2"
G_NAME_PATTERN = "^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$"

GEMINI_VALID: dict[str, tuple[list[Any], object]] = {
    # A tool run paused with some responses in: nothing but responses follow the calls.
    "paused_with_some_responses": (
        [G_USER, _content("model", _fcall("f"), _fcall("g")), _content("user", _fresp("f"))],
        None,
    ),
    "text_turns": ([G_USER, G_MODEL, G_USER], {"parts": [{"text": "be brief"}]}),
    "parallel_calls_matched_by_id_in_any_order": (
        [
            G_USER,
            _content("model", _fcall("w", "a"), _fcall("w", "b")),
            _content("user", _fresp("w", "b"), _fresp("w", "a")),
            G_MODEL,
        ],
        None,
    ),
    "calls_without_id_matched_by_name": (
        [
            G_USER,
            _content("model", _fcall("f"), _fcall("g"), _fcall("f")),
            _content("user", _fresp("g"), _fresp("f"), _fresp("f")),
        ],
        None,
    ),
    "first_content_may_call": (
        [_content("model", _fcall("f")), _content("user", _fresp("f"))],
        None,
    ),
    "snake_case_fields": (
        [
            {
                "role": "user",
                "parts": [{"inline_data": {"mime_type": "image/png", "data": "aGk="}}],
            },
            _content("model", _fcall("f", key="function_call"), {"text": "t", "thought": True}),
            _content("user", _fresp("f", key="function_response")),
            {"role": "model", "parts": [{"file_data": {"file_uri": "gs://b/a.png"}}]},
        ],
        None,
    ),
    "camel_case_media": (
        [
            _content(
                "user",
                {"inlineData": {"mimeType": "image/png", "data": "aGk="}},
                {"fileData": {"fileUri": "https://x.test/a.pdf", "mimeType": "application/pdf"}},
            )
        ],
        None,
    ),
    "last_model_paused_mid_run": ([G_USER, _content("model", _fcall("f"), _fcall("g"))], None),
    "dotted_colon_and_dashed_names": (
        [
            G_USER,
            _content(
                "model",
                _fcall("github.create_issue", "a"),
                _fcall("github_create_issue", "b"),
                _fcall("fs:read_file", "c"),
                _fcall("_calendar.events:list-v2", "d"),
                _fcall(G_NAME_64, "e"),
            ),
            _content(
                "user",
                _fresp("github_create_issue", "b"),
                _fresp("github.create_issue", "a"),
                _fresp("fs:read_file", "c"),
                _fresp("_calendar.events:list-v2", "d"),
                _fresp(G_NAME_64, "e"),
            ),
        ],
        None,
    ),
}


@pytest.mark.parametrize(("items", "system"), GEMINI_VALID.values(), ids=GEMINI_VALID)
def test_gemini_rules_pass(items: list[Any], system: object) -> None:
    check_gemini_rules(items, system)
    validate_gemini_contents(items, system)


GEMINI_BROKEN: dict[str, tuple[list[Any], object, str, str]] = {
    "missing_role": (
        [G_USER, {"parts": [{"text": "x"}]}],
        None,
        "items[1].role",
        "missing role",
    ),
    "wrong_role": (
        [_content("assistant", {"text": "x"})],
        None,
        "items[0].role",
        "role must be 'user' or 'model', got 'assistant'",
    ),
    "call_turn_after_model_turn": (
        [G_USER, G_MODEL, _content("model", {"text": "x"}, _fcall("f"))],
        None,
        "items[2].parts[1].functionCall",
        "a function-call turn must follow a user turn; items[1] is 'model'",
    ),
    "calls_answered_by_a_model_turn": (
        [G_USER, _content("model", _fcall("f")), G_MODEL],
        None,
        "items[2].role",
        "must be 'user' to answer the functionCalls of items[1]",
    ),
    "call_unanswered": (
        [
            G_USER,
            _content("model", _fcall("f"), _fcall("g")),
            _content("user", _fresp("f")),
            G_MODEL,
        ],
        None,
        "items[1].parts[1].functionCall",
        "functionCall 'g' is not answered by items[2]",
    ),
    "call_with_id_unanswered_by_text": (
        [G_USER, _content("model", _fcall("f", "a")), G_USER],
        None,
        "items[1].parts[0].functionCall",
        "functionCall 'f' (id 'a') is not answered by items[2]",
    ),
    "response_with_unknown_id": (
        [G_USER, _content("model", _fcall("f", "a")), _content("user", _fresp("f", "b"))],
        None,
        "items[2].parts[0].functionResponse",
        "functionResponse 'f' (id 'b') answers no functionCall of items[1]",
    ),
    "response_without_id_for_call_with_id": (
        [G_USER, _content("model", _fcall("f", "a")), _content("user", _fresp("f"))],
        None,
        "items[2].parts[0].functionResponse",
        "functionResponse 'f' answers no functionCall of items[1]",
    ),
    "extra_response_by_name": (
        [G_USER, _content("model", _fcall("f")), _content("user", _fresp("f"), _fresp("f"))],
        None,
        "items[2].parts[1].functionResponse",
        "functionResponse 'f' answers a functionCall that is already answered",
    ),
    "response_id_twice": (
        [
            G_USER,
            _content("model", _fcall("f", "a")),
            _content("user", _fresp("f", "a"), _fresp("f", "a")),
        ],
        None,
        "items[2].parts[1].functionResponse",
        "functionResponse 'f' (id 'a') answers a functionCall that is already answered",
    ),
    "response_without_preceding_calls": (
        [G_USER, G_MODEL, _content("user", _fresp("f"))],
        None,
        "items[2].parts[0].functionResponse",
        "functionResponse 'f' answers no functionCall of items[1]",
    ),
    "response_in_first_content": (
        [_content("user", _fresp("f", key="function_response"))],
        None,
        "items[0].parts[0].function_response",
        "functionResponse 'f' answers no functionCall of a preceding content",
    ),
    "response_in_model_content": (
        [G_USER, _content("model", _fresp("f"))],
        None,
        "items[1].parts[0].functionResponse",
        "functionResponse in a 'model' content",
    ),
    "call_in_user_content": (
        [_content("user", _fcall("f", key="function_call"))],
        None,
        "items[0].parts[0].function_call",
        "functionCall in a 'user' content",
    ),
    "response_not_an_object": (
        [_content("model", _fcall("f")), _content("user", _fresp("f", response=["x"]))],
        None,
        "items[1].parts[0].functionResponse.response",
        "functionResponse.response must be an object, got array",
    ),
    "response_missing": (
        [
            _content("model", _fcall("f")),
            _content("user", {"function_response": {"name": "f"}}),
        ],
        None,
        "items[1].parts[0].function_response.response",
        "functionResponse.response must be an object, got null",
    ),
    "inline_data_without_mime_type": (
        [_content("user", {"text": "x"}, {"inlineData": {"data": "aGk="}})],
        None,
        "items[0].parts[1].inlineData",
        "inlineData needs mimeType and data",
    ),
    "inline_data_snake_case_without_data": (
        [_content("user", {"inline_data": {"mime_type": "image/png"}})],
        None,
        "items[0].parts[0].inline_data",
        "inlineData needs mimeType and data",
    ),
    "file_data_without_uri": (
        [_content("user", {"fileData": {"mimeType": "image/png"}})],
        None,
        "items[0].parts[0].fileData",
        "fileData needs a fileUri",
    ),
    "thought_in_user_content": (
        [_content("user", {"text": "x", "thought": True})],
        None,
        "items[0].parts[0].thought",
        "thought part in a 'user' content",
    ),
    "call_name_starts_with_a_digit": (
        [G_USER, _content("model", _fcall("1password.lookup"))],
        None,
        "items[1].parts[0].functionCall.name",
        f"function name '1password.lookup' does not match {G_NAME_PATTERN}",
    ),
    "call_name_with_a_slash": (
        [
            G_USER,
            _content("model", {"text": "reading"}, _fcall("fs/read_file", key="function_call")),
        ],
        None,
        "items[1].parts[1].function_call.name",
        f"function name 'fs/read_file' does not match {G_NAME_PATTERN}",
    ),
    "call_name_of_65_characters": (
        [G_USER, _content("model", _fcall(G_NAME_64 + "x"))],
        None,
        "items[1].parts[0].functionCall.name",
        f"function name {G_NAME_64 + 'x'!r} does not match {G_NAME_PATTERN}",
    ),
    "call_without_name": (
        [G_USER, _content("model", {"functionCall": {"args": {}}})],
        None,
        "items[1].parts[0].functionCall.name",
        "functionCall needs a non-empty name",
    ),
    "response_with_empty_name": (
        [_content("model", _fcall("f")), _content("user", _fresp(""))],
        None,
        "items[1].parts[0].functionResponse.name",
        "functionResponse needs a non-empty name",
    ),
    "response_name_with_a_space": (
        [_content("model", _fcall("f")), _content("user", _fresp("read file"))],
        None,
        "items[1].parts[0].functionResponse.name",
        f"function name 'read file' does not match {G_NAME_PATTERN}",
    ),
    "system_instruction_not_text": (
        [G_USER],
        {"parts": [{"inlineData": {"mimeType": "image/png", "data": "aGk="}}]},
        "system_instruction.parts[0]",
        "system instruction parts must be text parts",
    ),
    "system_instruction_empty_text": (
        [G_USER],
        {"parts": [{"text": ""}]},
        "system_instruction.parts[0].text",
        "Gemini rejects a part of empty text",
    ),
}


@pytest.mark.parametrize(
    ("items", "system", "path", "message"), GEMINI_BROKEN.values(), ids=GEMINI_BROKEN
)
def test_gemini_rules_fail(items: list[Any], system: object, path: str, message: str) -> None:
    assert _violation(check_gemini_rules, items, system) == (path, message)


# =========================================================================== OpenAI Responses

R_PNG_URL = "data:image/png;base64,iVBORw0KGgo="
R_USER: dict[str, Any] = {"role": "user", "content": "hi"}
R_ANSWER: dict[str, Any] = {
    "type": "message",
    "id": "msg_1",
    "status": "completed",
    "role": "assistant",
    "content": [{"type": "output_text", "text": "done", "annotations": []}],
}
R_REASONING: dict[str, Any] = {"type": "reasoning", "id": "rs_1", "summary": []}


def _fc(call_id: str, name: str = "f", **extra: Any) -> dict[str, Any]:
    return {
        "type": "function_call",
        "id": f"fc_{call_id}",
        "call_id": call_id,
        "name": name,
        "arguments": "{}",
        **extra,
    }


def _fco(call_id: str, output: object = "ok") -> dict[str, Any]:
    return {"type": "function_call_output", "call_id": call_id, "output": output}


def _ctc(call_id: str, name: str = "apply_patch") -> dict[str, Any]:
    return {
        "type": "custom_tool_call",
        "id": f"ctc_{call_id}",
        "call_id": call_id,
        "name": name,
        "input": "*** Begin Patch",
    }


def _ctco(call_id: str, output: object = "Done!") -> dict[str, Any]:
    return {"type": "custom_tool_call_output", "call_id": call_id, "output": output}


def _cu(call_id: str) -> dict[str, Any]:
    return {
        "type": "computer_call",
        "id": f"cu_{call_id}",
        "call_id": call_id,
        "action": {"type": "screenshot"},
        "pending_safety_checks": [],
        "status": "completed",
    }


def _cuo(call_id: str, **screenshot: Any) -> dict[str, Any]:
    output = {"type": "computer_screenshot", **(screenshot or {"image_url": R_PNG_URL})}
    return {"type": "computer_call_output", "call_id": call_id, "output": output}


def _parts(*parts: Any, role: str = "user") -> list[Any]:
    return [{"role": role, "content": list(parts)}]


def _img(**fields: Any) -> dict[str, Any]:
    return {"type": "input_image", "detail": "auto", **fields}


def _infile(**fields: Any) -> dict[str, Any]:
    return {"type": "input_file", **fields}


RESPONSES_VALID: dict[str, list[Any]] = {
    "parallel_calls_answered_in_any_order": [
        R_USER,
        R_REASONING,
        _fc("a"),
        _fc("b"),
        _fco("b"),
        _fco("a"),
        R_ANSWER,
        R_USER,
    ],
    "custom_and_computer_calls_in_sequence": [
        R_USER,
        _ctc("a"),
        _ctco("a", [{"type": "input_text", "text": "M a.py"}]),
        _cu("b"),
        _cuo("b"),
        R_REASONING,
        _cu("c"),
        _cuo("c", file_id="file-1"),
        R_ANSWER,
    ],
    "paused_at_the_end_with_one_of_two_answered": [R_USER, _fc("a"), _fc("b"), _fco("a")],
    "paused_with_the_models_text_after_the_call": [
        R_USER,
        _fc("a"),
        {"role": "assistant", "content": "Waiting for the tool.", "phase": "commentary"},
    ],
    "assistant_text_between_a_call_and_its_output": [
        R_USER,
        _fc("a"),
        {"role": "assistant", "content": "Let me check."},
        _fco("a"),
        R_USER,
    ],
    "tool_names_and_ids_at_the_limits": [
        R_USER,
        _fc("a" * 64, name=NAME_64, id="fc_" + "0" * 61),
        _fco("a" * 64),
        _fc("b", name="get-invoice_V2"),
        {**_fco("b"), "id": None},
        {k: v for k, v in _fc("functions.lookup:0", name="x").items() if k != "id"},
        _fco("functions.lookup:0"),
        _ctc("c", name="apply-patch"),
        _ctco("c"),
        {"type": "item_reference", "id": "msg_0"},
        {"id": "any_prefix-goes_here"},
        R_ANSWER,
    ],
    "media_parts": [
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "look"},
                _img(image_url="https://example.com/v1beta/files/abc123.png"),
                _img(image_url="http://x.test/a.png"),
                _img(image_url=R_PNG_URL),
                _img(image_url="data:image/svg+xml;base64,PHN2Zz4="),
                _img(file_id="file-1"),
                _infile(filename="a.pdf", file_data=PDF_DATA_URL),
                _infile(filename="b.csv", file_data="data:text/csv;base64,YSxiCjEsMgo="),
                _infile(file_url="https://x.test/a.pdf"),
                _infile(file_id="file-2"),
            ],
        },
        {"type": "message", "role": "user", "content": [_img(image_url=R_PNG_URL)]},
        _fc("a"),
        _fco("a", [_img(image_url="https://generativelanguage.googleapis.com/static/logo.png")]),
        R_ANSWER,
    ],
    "assistant_output_parts": [
        R_USER,
        {
            **R_ANSWER,
            "content": [
                {"type": "output_text", "text": "partly", "annotations": []},
                {"type": "refusal", "refusal": "not the rest"},
            ],
        },
    ],
}


@pytest.mark.parametrize("items", RESPONSES_VALID.values(), ids=RESPONSES_VALID)
def test_openai_responses_rules_pass(items: list[Any]) -> None:
    check_openai_responses_rules(items)
    validate_openai_responses_items(items)  # the fixtures are real requests, not just rule-shaped


R_ID = "^[a-zA-Z0-9_-]{1,64}$"

RESPONSES_BROKEN: dict[str, tuple[list[Any], str, str]] = {
    "duplicate_item_id": (
        [
            R_USER,
            {"type": "reasoning", "id": "rs_1", "summary": []},
            {"type": "reasoning", "id": "rs_1", "summary": []},
        ],
        "items[2].id",
        "duplicate item id 'rs_1' (of items[1])",
    ),
    # --------------------------------------------------------------- pairing and order
    "output_without_a_call": (
        [R_USER, _fco("a")],
        "items[1].call_id",
        "'a' answers no function_call earlier in the items",
    ),
    "output_before_its_call": (
        [R_USER, _fco("a"), _fc("a")],
        "items[1].call_id",
        "'a' answers no function_call earlier in the items",
    ),
    "output_of_the_wrong_kind": (
        [_fc("a"), _ctco("a")],
        "items[1].call_id",
        "'a' is a function_call (items[0].call_id), not a custom_tool_call",
    ),
    "computer_output_for_a_function_call": (
        [_fc("a"), _cuo("a")],
        "items[1].call_id",
        "'a' is a function_call (items[0].call_id), not a computer_call",
    ),
    "call_answered_twice": (
        [_fc("a"), _fco("a"), _fco("a")],
        "items[2].call_id",
        "function_call 'a' is already answered by items[1].call_id",
    ),
    "output_without_call_id": (
        [_fc("a"), {"type": "function_call_output", "output": "ok"}],
        "items[1].call_id",
        "function_call_output has no call_id",
    ),
    "call_open_before_the_next_user_message": (
        [R_USER, _fc("a"), _fc("b"), _fco("a"), R_USER],
        "items[2].call_id",
        "function_call 'b' is not answered before items[4]",
    ),
    "call_open_before_a_developer_message_item": (
        [
            _ctc("a"),
            {
                "type": "message",
                "role": "developer",
                "content": [{"type": "input_text", "text": "x"}],
            },
        ],
        "items[0].call_id",
        "custom_tool_call 'a' is not answered before items[1]",
    ),
    "call_open_before_the_models_next_response": (
        [R_USER, _fc("a"), _fc("b"), _fco("b"), R_ANSWER],
        "items[1].call_id",
        "function_call 'a' is not answered before items[4]",
    ),
    "computer_call_open_when_the_next_step_starts": (
        [R_USER, _cu("a"), _cu("b"), _cuo("b"), R_REASONING, _cu("c")],
        "items[1].call_id",
        "computer_call 'a' is not answered before items[4]",
    ),
    "duplicate_call_id": (
        [_fc("a"), _fco("a"), _ctc("a")],
        "items[2].call_id",
        "duplicate call_id 'a' (also at items[0].call_id)",
    ),
    "call_id_of_65_characters": (
        [_fc("a" * 65, id="fc_1")],
        "items[0].call_id",
        "call_id is longer than 64 characters",
    ),
    # --------------------------------------------------------------- names and ids
    "function_name_with_a_dot": (
        [_fc("a", name="fs.read")],
        "items[0].name",
        f"tool name 'fs.read' does not match {R_ID}",
    ),
    "function_name_of_65_characters": (
        [_fc("a", name=NAME_64 + "x")],
        "items[0].name",
        f"tool name {NAME_64 + 'x'!r} does not match {R_ID}",
    ),
    "custom_tool_name_with_a_space": (
        [_ctc("a", name="apply patch")],
        "items[0].name",
        f"tool name 'apply patch' does not match {R_ID}",
    ),
    "item_id_with_a_space": (
        [R_USER, {**R_REASONING, "id": "rs 1"}],
        "items[1].id",
        f"item id 'rs 1' does not match {R_ID}",
    ),
    "item_id_of_65_characters": (
        [R_USER, {**R_REASONING, "id": "rs_" + "0" * 62}],
        "items[1].id",
        f"item id {'rs_' + '0' * 62!r} does not match {R_ID}",
    ),
    "function_call_id_is_the_call_id": (
        [R_USER, {**_fc("call_1"), "id": "call_1"}],
        "items[1].id",
        "the id of a function_call item must begin with 'fc', got 'call_1'",
    ),
    "custom_tool_call_with_a_function_call_id": (
        [R_USER, {**_ctc("a"), "id": "fc_1"}],
        "items[1].id",
        "the id of a custom_tool_call item must begin with 'ctc', got 'fc_1'",
    ),
    "output_message_with_a_uuid": (
        [R_USER, {**R_ANSWER, "id": "019f629b-43ee-7a82-acb1-3071dbffbdad"}],
        "items[1].id",
        "the id of a message item must begin with 'msg', "
        "got '019f629b-43ee-7a82-acb1-3071dbffbdad'",
    ),
    "reasoning_with_a_foreign_id": (
        [R_USER, {**R_REASONING, "id": "reasoning_content"}],
        "items[1].id",
        "the id of a reasoning item must begin with 'rs', got 'reasoning_content'",
    ),
    "web_search_call_with_a_call_id": (
        [
            R_USER,
            {
                "type": "web_search_call",
                "id": "call_00_A89z",
                "status": "completed",
                "action": {"type": "search", "query": "q"},
            },
        ],
        "items[1].id",
        "the id of a web_search_call item must begin with 'ws', got 'call_00_A89z'",
    ),
    # --------------------------------------------------------------- message parts
    "input_text_in_an_assistant_message": (
        _parts({"type": "input_text", "text": "hello"}, role="assistant"),
        "items[0].content[0].type",
        "assistant message content holds only 'output_text' and 'refusal' parts, got 'input_text'",
    ),
    "image_in_an_assistant_message": (
        _parts(_img(image_url=R_PNG_URL), role="assistant"),
        "items[0].content[0].type",
        "assistant message content holds only 'output_text' and 'refusal' parts, got 'input_image'",
    ),
    "output_text_in_a_user_message": (
        _parts(
            {"type": "input_text", "text": "a"},
            {"type": "output_text", "text": "b", "annotations": []},
        ),
        "items[0].content[1].type",
        "'user' message content cannot hold 'output_text' parts",
    ),
    "refusal_in_a_system_message": (
        _parts({"type": "refusal", "refusal": "no"}, role="system"),
        "items[0].content[0].type",
        "'system' message content cannot hold 'refusal' parts",
    ),
    # --------------------------------------------------------------- images
    "image_without_url_or_file_id": (
        _parts(_img(image_url=None)),
        "items[0].content[0]",
        "input_image needs an image_url or a file_id",
    ),
    "image_url_ftp": (
        _parts(_img(image_url="ftp://x.test/a.png")),
        "items[0].content[0].image_url",
        "'ftp://x.test/a.png' is neither an http(s) URL nor a data: URL",
    ),
    "image_url_relative": (
        _parts({"type": "input_text", "text": "x"}, _img(image_url="images/a.png")),
        "items[0].content[1].image_url",
        "'images/a.png' is neither an http(s) URL nor a data: URL",
    ),
    "image_data_url_not_an_image": (
        _parts(_img(image_url=PDF_DATA_URL)),
        "items[0].content[0].image_url",
        "image data URL must be data:image/<type>;base64,..., got 'data:application/pdf;base64'",
    ),
    "image_data_url_not_base64": (
        _parts(_img(image_url="data:image/png;base64,not base64!")),
        "items[0].content[0].image_url",
        "image data URL is not valid base64",
    ),
    "image_url_gemini_file": (
        _parts(_img(image_url=GEMINI_FILE)),
        "items[0].content[0].image_url",
        GEMINI_FILE_ERROR,
    ),
    "image_file_id_gemini_file": (
        _parts(_img(file_id=GEMINI_FILE)),
        "items[0].content[0].file_id",
        GEMINI_FILE_ERROR,
    ),
    # --------------------------------------------------------------- files
    "file_with_nothing": (
        _parts(_infile(filename="a.pdf")),
        "items[0].content[0]",
        "input_file needs exactly one of file_data, file_id, file_url; got none",
    ),
    "file_with_data_and_url": (
        _parts(_infile(filename="a.pdf", file_data=PDF_DATA_URL, file_url="https://x.test/a.pdf")),
        "items[0].content[0]",
        "input_file needs exactly one of file_data, file_id, file_url; got file_data, file_url",
    ),
    "file_data_without_filename": (
        _parts(_infile(file_data=PDF_DATA_URL)),
        "items[0].content[0].filename",
        "file_data needs a filename",
    ),
    "file_data_raw_base64": (
        _parts(_infile(filename="a.pdf", file_data="JVBERi0=")),
        "items[0].content[0].file_data",
        "file_data must be data:<mime>;base64,..., got 'JVBERi0='",
    ),
    "file_data_not_base64": (
        _parts(_infile(filename="a.txt", file_data="data:text/plain;base64,héllo")),
        "items[0].content[0].file_data",
        "file_data is not valid base64",
    ),
    "file_url_gemini_file": (
        _parts(_infile(file_url=GEMINI_FILE)),
        "items[0].content[0].file_url",
        GEMINI_FILE_ERROR,
    ),
    "file_url_local_path": (
        _parts(_infile(file_url="file:///tmp/a.pdf")),
        "items[0].content[0].file_url",
        "file_url must be an http(s) URL, got 'file:///tmp/a.pdf'",
    ),
    "file_id_gemini_file": (
        _parts(_infile(file_id=GEMINI_FILE)),
        "items[0].content[0].file_id",
        GEMINI_FILE_ERROR,
    ),
    # --------------------------------------------------------------- tool outputs
    "bad_image_in_a_function_output_list": (
        [
            _fc("a"),
            _fco(
                "a",
                [{"type": "input_text", "text": "x"}, _img(image_url="data:image/png;base64,!!")],
            ),
        ],
        "items[1].output[1].image_url",
        "image data URL is not valid base64",
    ),
    "file_without_source_in_a_custom_tool_output_list": (
        [_ctc("a"), _ctco("a", [_infile(filename="a.pdf")])],
        "items[1].output[0]",
        "input_file needs exactly one of file_data, file_id, file_url; got none",
    ),
    "screenshot_from_gemini_files": (
        [_cu("a"), _cuo("a", image_url=GEMINI_FILE)],
        "items[1].output.image_url",
        GEMINI_FILE_ERROR,
    ),
    "screenshot_without_image": (
        [
            _cu("a"),
            {
                "type": "computer_call_output",
                "call_id": "a",
                "output": {"type": "computer_screenshot"},
            },
        ],
        "items[1].output",
        "computer_screenshot needs an image_url or a file_id",
    ),
}


@pytest.mark.parametrize(
    ("items", "path", "message"), RESPONSES_BROKEN.values(), ids=RESPONSES_BROKEN
)
def test_openai_responses_rules_fail(items: list[Any], path: str, message: str) -> None:
    assert _violation(check_openai_responses_rules, items) == (path, message)


def test_openai_responses_rules_need_a_list() -> None:
    expected = ("items", "expected an array, got object")
    assert _violation(check_openai_responses_rules, {"role": "user"}) == expected
