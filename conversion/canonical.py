"""The canonical ("acontext") message model shared by every provider module.

A canonical message is plain JSON so that it can be stored as-is (JSONB):

    {"role": "user" | "assistant", "parts": [Part, ...], "meta": {...}}   # meta optional

A part is ``{"type": ..., "text"?: str, "filename"?: str, "meta"?: {...}}`` with ``type`` one
of PART_TYPES. Shared meta keys (every provider understands them):

- media parts (image, audio, video, file): exactly one source, ``url`` or ``data`` (base64),
  plus ``media_type`` when known; ``detail`` for image fidelity hints.
- tool-call: ``id`` (absent when the provider gave none; resolved per conversation),
  ``name``, ``arguments`` (a JSON string, as the Acontext API defines it).
- tool-result: ``tool_call_id`` (may be absent, as for calls), ``name``, ``is_error``,
  ``content`` (nested canonical parts when the result was more than one text).
- thinking: the visible reasoning in ``text``; signatures are provider-only data.

Provider-only data lives under the provider's own key (``meta["anthropic"]``,
``meta["gemini"]``, ``meta["openai"]``, ``meta["openai_responses"]``) so that it is replayed to
that provider only (the two OpenAI formats share a few ``meta["openai"]`` fields: see
``openai_responses.py``).
Message-level ``meta`` keeps roles the canonical model lacks (``role``: system, developer,
tool, function) and provider-only message fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

JSONObject = dict[str, Any]

FORMATS = ("openai", "anthropic", "gemini", "acontext", "openai_responses")
PART_TYPES = frozenset(
    ("text", "image", "audio", "video", "file", "tool-call", "tool-result", "thinking", "data")
)
MEDIA_PART_TYPES = frozenset(("image", "audio", "video", "file"))
SYSTEM_ROLES = frozenset(("system", "developer"))


class InvalidMessage(ValueError):
    """A blob is not valid for its declared format; ``path`` names the offending field."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class UnknownFormat(ValueError):
    def __init__(self, name: object) -> None:
        super().__init__(f"unknown format {name!r}; expected one of {', '.join(FORMATS)}")
        self.name = name


class StoredMessage(NamedTuple):
    """One stored message as the service hands it to ``render`` (a named tuple: immutable,
    and a read builds a thousand of them, at a third of a frozen dataclass's cost)."""

    id: str
    format: str
    # The blob as stored. Only a message stored in the target format is ever given back
    # verbatim, so a reader may leave this None for the others.
    raw: Any
    canonical: JSONObject
    # Its o200k_base count (conversion.tokens), when the caller already has it.
    tokens: int | None = None
    # Changed by an edit strategy: ``raw`` no longer says what it holds, so it is never
    # replayed verbatim.
    edited: bool = False


@dataclass(frozen=True, slots=True)
class ConversionWarning:
    """A lossy step: which stored message, which of its canonical parts, what happened."""

    message_id: str
    part_index: int | None
    code: str
    detail: str

    def as_dict(self) -> JSONObject:
        return {
            "message_id": self.message_id,
            "part_index": self.part_index,
            "code": self.code,
            "detail": self.detail,
        }


@dataclass(slots=True)
class Rendered:
    """A conversation in a target format.

    ``sources[i]`` lists the stored message ids that ``items[i]`` was built from, in order
    (a merge gives several, a split gives the same id to several items). ``system`` is the
    separate system prompt of targets that have one (Anthropic ``system``, Gemini
    ``system_instruction``), else None.
    """

    items: list[Any]
    sources: list[list[str]]
    system: Any = None
    warnings: list[ConversionWarning] = field(default_factory=list)


def part_meta(part: JSONObject) -> JSONObject:
    meta = part.get("meta")
    return meta if meta is not None else {}


def provider_meta(container: JSONObject, provider: str) -> JSONObject:
    """The provider-only data a part or message carries for ``provider`` (may be empty)."""
    meta = container.get("meta")
    if not meta:
        return {}
    data = meta.get(provider)
    return data if data is not None else {}


def make_part(
    part_type: str,
    *,
    text: str | None = None,
    filename: str | None = None,
    meta: JSONObject | None = None,
) -> JSONObject:
    part: JSONObject = {"type": part_type}
    if text is not None:
        part["text"] = text
    if filename is not None:
        part["filename"] = filename
    if meta:
        part["meta"] = meta
    return part


def make_message(
    role: str, parts: Sequence[JSONObject], meta: JSONObject | None = None
) -> JSONObject:
    message: JSONObject = {"role": role, "parts": list(parts)}
    if meta:
        message["meta"] = meta
    return message
