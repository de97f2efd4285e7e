"""The public entry points: one dispatcher over the provider modules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from conversion import acontext, anthropic, gemini, openai, openai_responses
from conversion.canonical import FORMATS, JSONObject, Rendered, StoredMessage, UnknownFormat
from conversion.conversation import Conversation, EarlierCalls

READERS: dict[str, Callable[[Any], JSONObject]] = {
    "openai": openai.to_canonical,
    "anthropic": anthropic.to_canonical,
    "gemini": gemini.to_canonical,
    "acontext": acontext.to_canonical,
    "openai_responses": openai_responses.to_canonical,
}
RENDERERS: dict[str, Callable[[Conversation], None]] = {
    "openai": openai.render,
    "anthropic": anthropic.render,
    "gemini": gemini.render,
    "acontext": acontext.render,
    "openai_responses": openai_responses.render,
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


def render(
    messages: Sequence[StoredMessage], target: str, earlier_calls: EarlierCalls | None = None
) -> Rendered:
    """Render a whole conversation (stored messages, oldest first) into ``target``.

    A page may open with tool results whose calls are on the page before: such a result is
    given as user text naming its call, and ``earlier_calls(call_ids)`` (when given) tells the
    names of those calls, ``{call_id: name}``, from the stored session.
    """
    conversation = Conversation(messages, check_format(target), earlier_calls)
    RENDERERS[target](conversation)
    return conversation.result()
