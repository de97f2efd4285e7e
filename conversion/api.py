"""The public entry points: one dispatcher over the provider modules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from conversion import acontext, anthropic, gemini, openai
from conversion.canonical import FORMATS, JSONObject, Rendered, StoredMessage, UnknownFormat
from conversion.conversation import Conversation

READERS: dict[str, Callable[[Any], JSONObject]] = {
    "openai": openai.to_canonical,
    "anthropic": anthropic.to_canonical,
    "gemini": gemini.to_canonical,
    "acontext": acontext.to_canonical,
}
RENDERERS: dict[str, Callable[[Conversation], None]] = {
    "openai": openai.render,
    "anthropic": anthropic.render,
    "gemini": gemini.render,
    "acontext": acontext.render,
}


def check_format(name: object) -> str:
    if not isinstance(name, str) or name not in FORMATS:
        raise UnknownFormat(name)
    return name


def normalize(blob: Any, format: str) -> JSONObject:
    """Validate ``blob`` as a message of ``format`` and return its canonical form.

    Raises ``InvalidMessage`` (with a field path starting at ``blob``) or ``UnknownFormat``.
    """
    return READERS[check_format(format)](blob)


def render(messages: Sequence[StoredMessage], target: str) -> Rendered:
    """Render a whole conversation (stored messages, oldest first) into ``target``."""
    conversation = Conversation(messages, check_format(target))
    RENDERERS[target](conversation)
    return conversation.result()
