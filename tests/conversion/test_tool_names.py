"""Tool names a target does not allow (issue 10, item 3): mapped per conversation, the same
way for calls and results, deterministically, without collisions, with a warning."""

from __future__ import annotations

from typing import Any

from conversion import render
from tests.conversion.conftest import assert_valid_request, message_id, openai_single_call, store

M1, M2 = message_id(1), message_id(2)
CALL_0 = "call_00000000000040008000000000000001_0"
CALL_2 = "call_00000000000040008000000000000001_2"
# sha256 of the original name, first 10 hex digits, after the name with its forbidden
# characters replaced.
GITHUB = "github_create_issue_e877a64743"
READ_FILE = "fs_read_file_e95ead0863"


def gemini_dotted_names() -> list[Any]:
    """Calls with and without ids, one of them named as another is named after the dot is
    replaced (``github_create_issue``): a mapping that only replaced would merge them."""
    return [
        {"role": "user", "parts": [{"text": "File the crash and read the log."}]},
        {
            "role": "model",
            "parts": [
                {"functionCall": {"name": "github.create_issue", "args": {"title": "Crash"}}},
                {"functionCall": {"id": "c2", "name": "github_create_issue", "args": {"t": 2}}},
                {"functionCall": {"name": "fs:read_file", "args": {"path": "/log"}}},
            ],
        },
        {
            "role": "user",
            "parts": [
                {"functionResponse": {"name": "github.create_issue", "response": {"output": "#1"}}},
                {
                    "functionResponse": {
                        "id": "c2",
                        "name": "github_create_issue",
                        "response": {"output": "#2"},
                    }
                },
                {"functionResponse": {"name": "fs:read_file", "response": {"output": "boom"}}},
            ],
        },
    ]


def mapped(message: str, index: int, name: str, given: str) -> dict[str, Any]:
    return {
        "message_id": message,
        "part_index": index,
        "code": "tool_name_mapped",
        "detail": f"tool name {name!r} is given as {given!r}",
    }


CALL_WARNINGS = [
    mapped(M1, 0, "github.create_issue", GITHUB),
    mapped(M1, 2, "fs:read_file", READ_FILE),
]


def test_dotted_gemini_names_are_mapped_for_openai() -> None:
    rendered = render(store(gemini_dotted_names(), "gemini"), "openai")
    assert rendered.items[1:] == [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": CALL_0,
                    "type": "function",
                    "function": {"name": GITHUB, "arguments": '{"title":"Crash"}'},
                },
                {
                    "id": "c2",
                    "type": "function",
                    "function": {"name": "github_create_issue", "arguments": '{"t":2}'},
                },
                {
                    "id": CALL_2,
                    "type": "function",
                    "function": {"name": READ_FILE, "arguments": '{"path":"/log"}'},
                },
            ],
        },
        # OpenAI results are paired by id and carry no name.
        {"role": "tool", "tool_call_id": CALL_0, "content": "#1"},
        {"role": "tool", "tool_call_id": "c2", "content": "#2"},
        {"role": "tool", "tool_call_id": CALL_2, "content": "boom"},
    ]
    assert [w.as_dict() for w in rendered.warnings] == CALL_WARNINGS
    assert_valid_request(rendered, "openai")


def test_dotted_gemini_names_are_mapped_for_anthropic_and_kept_for_gemini() -> None:
    rendered = render(store(gemini_dotted_names(), "gemini"), "anthropic")
    assert [block["name"] for block in rendered.items[1]["content"]] == [
        GITHUB,
        "github_create_issue",
        READ_FILE,
    ]
    assert [w.as_dict() for w in rendered.warnings] == CALL_WARNINGS
    assert_valid_request(rendered, "anthropic")
    same = render(store(gemini_dotted_names(), "gemini"), "gemini")
    assert same.items == gemini_dotted_names()
    assert same.warnings == []


def long_and_digit_names() -> list[Any]:
    """Anthropic allows 128 characters and a digit first; OpenAI 64, Gemini neither."""
    return [
        {"role": "user", "content": "go"},
        {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "t1", "name": "x" * 100, "input": {}},
                {"type": "tool_use", "id": "t2", "name": "1st-tool", "input": {}},
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": "ok"},
                {"type": "tool_result", "tool_use_id": "t2", "content": "ok"},
            ],
        },
    ]


LONG = "x" * 52 + "_09ecb6ebc8"  # 63 characters
DIGIT_FIRST = "_1st-tool_88569c61fd"


def test_names_too_long_or_starting_with_a_digit_are_mapped_for_gemini_calls_and_responses() -> (
    None
):
    rendered = render(store(long_and_digit_names(), "anthropic"), "gemini")
    assert rendered.items[1:] == [
        {
            "role": "model",
            "parts": [
                {"functionCall": {"id": "t1", "name": LONG, "args": {}}},
                {"functionCall": {"id": "t2", "name": DIGIT_FIRST, "args": {}}},
            ],
        },
        {
            "role": "user",
            "parts": [
                {"functionResponse": {"id": "t1", "name": LONG, "response": {"output": "ok"}}},
                {
                    "functionResponse": {
                        "id": "t2",
                        "name": DIGIT_FIRST,
                        "response": {"output": "ok"},
                    }
                },
            ],
        },
    ]
    assert [w.as_dict() for w in rendered.warnings] == [
        mapped(M1, 0, "x" * 100, LONG),
        mapped(M1, 1, "1st-tool", DIGIT_FIRST),
        mapped(M2, 0, "x" * 100, LONG),
        mapped(M2, 1, "1st-tool", DIGIT_FIRST),
    ]
    assert_valid_request(rendered, "gemini")
    to_openai = render(store(long_and_digit_names(), "anthropic"), "openai")
    names = [call["function"]["name"] for call in to_openai.items[1]["tool_calls"]]
    assert names == [LONG, "1st-tool"]  # OpenAI allows a digit first


def test_a_mapped_name_never_takes_a_name_the_conversation_already_uses() -> None:
    # A tool really named as github.create_issue would map: the mapping takes a longer digest.
    blobs = gemini_dotted_names()
    blobs[1]["parts"][1]["functionCall"]["name"] = GITHUB
    blobs[2]["parts"][1]["functionResponse"]["name"] = GITHUB
    rendered = render(store(blobs, "gemini"), "openai")
    names = [call["function"]["name"] for call in rendered.items[1]["tool_calls"]]
    assert names == ["github_create_issue_e877a64743d03e44", GITHUB, READ_FILE]
    assert_valid_request(rendered, "openai")


def test_a_stored_message_whose_names_the_target_refuses_is_rebuilt_with_its_partner() -> None:
    # An OpenAI call named with a dot (its SDK types take any string) and its result, read as
    # OpenAI: both are rebuilt so that call and result keep one name.
    blobs = openai_single_call("c1", "a.b")
    rendered = render(store(blobs, "openai"), "openai")
    assert rendered.items[1]["tool_calls"][0]["function"]["name"] == "a_b_2e7336dc8e"
    assert rendered.items[2] == blobs[2]
    assert_valid_request(rendered, "openai")


def test_acontext_keeps_every_tool_name_as_given() -> None:
    rendered = render(store(gemini_dotted_names(), "gemini"), "acontext")
    names = [part["meta"]["name"] for item in rendered.items[1:] for part in item["parts"]]
    assert names == ["github.create_issue", "github_create_issue", "fs:read_file"] * 2
    assert rendered.warnings == []
