"""Conversion tests need no database: they build StoredMessages in memory."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from conversion import Rendered, StoredMessage, normalize, render
from tests.conversion import rules, strict_types

CORPUS = Path(__file__).parent / "corpus"
PROVIDERS = ("openai", "anthropic", "gemini", "openai_responses")


def message_id(position: int, prefix: str = "0") -> str:
    return f"{prefix * 8}-0000-4000-8000-{position:012d}"


def openai_single_call(call_id: str, name: str) -> list[Any]:
    """A user asks, the assistant makes one tool call, the tool answers."""
    return [
        {"role": "user", "content": "Go"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": call_id, "type": "function", "function": {"name": name, "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": call_id, "content": "done"},
    ]


def store(blobs: Sequence[Any], format: str, prefix: str = "0") -> list[StoredMessage]:
    """What the service does on store: validate, keep the blob, compute the canonical form."""
    return [
        StoredMessage(message_id(position, prefix), format, blob, normalize(blob, format))
        for position, blob in enumerate(blobs)
    ]


def store_mixed(pairs: Sequence[tuple[str, Any]]) -> list[StoredMessage]:
    return [
        StoredMessage(message_id(position), format, blob, normalize(blob, format))
        for position, (format, blob) in enumerate(pairs)
    ]


def assert_valid_request(rendered: Rendered, target: str) -> None:
    """Strict SDK types plus the cross-message rules of the target API."""
    if target == "openai":
        assert rendered.system is None
        strict_types.validate_openai_messages(rendered.items)
        rules.check_openai_rules(rendered.items)
    elif target == "anthropic":
        strict_types.validate_anthropic_messages(rendered.items, rendered.system)
        rules.check_anthropic_rules(rendered.items, rendered.system)
    elif target == "gemini":
        strict_types.validate_gemini_contents(rendered.items, rendered.system)
        rules.check_gemini_rules(rendered.items, rendered.system)
    elif target == "openai_responses":
        assert rendered.system is None
        strict_types.validate_openai_responses_items(rendered.items)
        rules.check_openai_responses_rules(rendered.items)


def corpus_files(provider: str) -> list[Path]:
    return sorted((CORPUS / provider).glob("*.json"))


def load_corpus(path: Path) -> list[Any]:
    return list(json.loads(path.read_text(encoding="utf-8"))["messages"])


def warning_codes(rendered: Rendered) -> list[tuple[str, int | None, str]]:
    return [(w.message_id, w.part_index, w.code) for w in rendered.warnings]


def render_blobs(blobs: Sequence[Any], format: str, target: str) -> Rendered:
    return render(store(blobs, format), target)
