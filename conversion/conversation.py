"""Conversation-level work shared by every target.

The providers disagree on message boundaries, so a conversation is converted as a whole:

1. tool ids are resolved once: a call without an id (Gemini, OpenAI's legacy
   ``function_call``) gets a deterministic id from its stored message id and part index, and a
   result without an id answers the oldest unanswered call with the same name;
2. the messages are arranged into entries: after an assistant turn with tool calls, the
   results come first (every API wants them right after the call), then the rest of the user
   content; a call left unanswered before the conversation moves on gets a placeholder result
   (with a warning) so that the output is still a request the target accepts;
3. a target module renders the entries into items, through the helpers below that record
   which stored messages each item came from and every lossy step.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from conversion.canonical import (
    SYSTEM_ROLES,
    ConversionWarning,
    JSONObject,
    Rendered,
    StoredMessage,
    make_part,
)

PROVIDERS = ("openai", "anthropic", "gemini")
MISSING_RESULT_TEXT = "No result was recorded for this tool call."


@dataclass(slots=True)
class Piece:
    """One canonical part on its way into the target, with where it came from."""

    message: StoredMessage
    position: int  # index of the message in the conversation
    index: int | None  # index of the part in the stored message; None when synthesized
    part: JSONObject
    nested_index: int | None = None  # inside a tool result's content

    def nested(self, nested_index: int, part: JSONObject) -> Piece:
        return Piece(self.message, self.position, self.index, part, nested_index)


@dataclass(slots=True)
class Entry:
    """Pieces of one stored message that stay together in the target."""

    message: StoredMessage
    position: int
    role: str  # "system", "user" or "assistant"
    pieces: list[Piece] = field(default_factory=list)


def _dropped_fields(provider: str, fields: JSONObject) -> str:
    """What a provider_data_dropped warning says was left out of a part."""
    names = sorted(fields)
    if provider == "openai" and "refusal" in names:
        # The part is the refusal's text, rendered as text: only the flag is lost.
        names.remove("refusal")
        said = "the openai refusal flag (the refusal's text is kept, as ordinary text)"
        return f"{said}; openai fields {', '.join(names)}" if names else said
    return f"{provider} fields {', '.join(names)}"


def role_of(message: StoredMessage) -> str:
    canonical = message.canonical
    meta = canonical.get("meta")
    if meta and meta.get("role") in SYSTEM_ROLES:
        return "system"
    return str(canonical["role"])


@dataclass(slots=True)
class ToolIds:
    """Every tool call's and result's id in a conversation, filled in where none was given."""

    # Ids filled in for parts that came without one, keyed by (message position, part index).
    resolved: dict[tuple[int, int], str] = field(default_factory=dict)
    call_names: dict[str, str] = field(default_factory=dict)
    # For each filled-in id, the formats of the messages holding its call and its result:
    # a stored message may only be replayed verbatim if its partner is in the same format.
    generated_formats: dict[str, set[str]] = field(default_factory=dict)

    def of(self, position: int, index: int, part: JSONObject) -> str:
        """The id of a tool-call or tool-result part at (message position, part index)."""
        key = "id" if part["type"] == "tool-call" else "tool_call_id"
        given = part["meta"].get(key)
        return str(given) if given is not None else self.resolved[(position, index)]


def resolve_tool_ids(messages: Sequence[StoredMessage]) -> ToolIds:
    ids = ToolIds()
    unanswered_by_name: dict[str, deque[str]] = {}
    for position, message in enumerate(messages):
        # An edited message is rebuilt, never replayed: its partner must be rebuilt too.
        origin = f"{message.format} (edited)" if message.edited else message.format
        for index, part in enumerate(message.canonical["parts"]):
            kind = part["type"]
            if kind == "tool-call":
                meta = part["meta"]
                call_id = meta.get("id")
                name = str(meta.get("name", ""))
                if call_id is None:
                    call_id = f"call_{message.id.replace('-', '')}_{index}"
                    ids.resolved[(position, index)] = call_id
                    ids.generated_formats[call_id] = {origin}
                ids.call_names[call_id] = name
                unanswered_by_name.setdefault(name, deque()).append(call_id)
            elif kind == "tool-result":
                meta = part["meta"]
                result_id = meta.get("tool_call_id")
                if result_id is not None:
                    waiting = unanswered_by_name.get(ids.call_names.get(result_id, ""))
                    if waiting and result_id in waiting:
                        waiting.remove(result_id)
                    continue
                waiting = unanswered_by_name.get(str(meta.get("name", "")))
                if waiting:
                    result_id = waiting.popleft()
                    ids.generated_formats.setdefault(result_id, set()).add(origin)
                else:
                    result_id = f"result_{message.id.replace('-', '')}_{index}"
                    ids.generated_formats[result_id] = {origin}
                ids.resolved[(position, index)] = result_id
    return ids


class Conversation:
    def __init__(self, messages: Sequence[StoredMessage], target: str) -> None:
        self.messages = messages
        self.target = target
        self.items: list[Any] = []
        self.sources: list[list[str]] = []
        self.system: Any = None
        self.warnings: list[ConversionWarning] = []
        tool_ids = resolve_tool_ids(messages)
        self.resolved_ids = tool_ids.resolved
        self.call_names = tool_ids.call_names
        self.generated_id_formats = tool_ids.generated_formats
        self._noted_messages: set[int] = set()
        self.entries: list[Entry] = self._arrange() if target != "acontext" else []

    # --- building blocks for target modules ----------------------------------------------

    def result(self) -> Rendered:
        return Rendered(self.items, self.sources, self.system, self.warnings)

    def emit(self, item: Any, sources: list[str]) -> None:
        self.items.append(item)
        self.sources.append(sources)

    def warn(self, piece: Piece, code: str, detail: str) -> None:
        if piece.nested_index is not None:
            detail = f"tool result content[{piece.nested_index}]: {detail}"
        self.warnings.append(ConversionWarning(piece.message.id, piece.index, code, detail))

    def warn_message(self, message: StoredMessage, code: str, detail: str) -> None:
        self.warnings.append(ConversionWarning(message.id, None, code, detail))

    def drop(self, piece: Piece, code: str, detail: str) -> None:
        self.warn(piece, code, f"left out: {detail}")

    def drop_unsupported(self, piece: Piece, target: str) -> None:
        part = piece.part
        origin = next((name for name in PROVIDERS if name in (part.get("meta") or {})), None)
        if part["type"] == "data" and origin == target:
            return  # the caller replays its own provider's data; nothing to report
        what = f"{origin} {part['type']}" if origin else part["type"]
        self.drop(piece, "unsupported_part", f"{target} has no equivalent of this {what} part")

    def note_provider_data(self, piece: Piece, target: str) -> None:
        """Warn about another provider's data on a part that is otherwise rendered."""
        meta = piece.part.get("meta")
        if not meta:
            return
        for provider in PROVIDERS:
            if provider != target and meta.get(provider):
                self.drop(piece, "provider_data_dropped", _dropped_fields(provider, meta[provider]))

    def note_message_data(self, entry: Entry, target: str, understood: frozenset[str]) -> None:
        """Once per stored message: warn about message-level data the target cannot take."""
        if entry.position in self._noted_messages:
            return
        self._noted_messages.add(entry.position)
        meta = entry.message.canonical.get("meta") or {}
        for key, value in meta.items():
            if key == target or key in understood or key == "role":
                continue
            if key in PROVIDERS:
                fields = ", ".join(sorted(value))
                self.warn_message(
                    entry.message, "provider_data_dropped", f"left out: {key} fields {fields}"
                )
            else:
                self.warn_message(
                    entry.message, "provider_data_dropped", f"left out: message {key}"
                )

    def tool_id(self, piece: Piece) -> str:
        part = piece.part
        meta = part["meta"]
        given = meta.get("id") if part["type"] == "tool-call" else meta.get("tool_call_id")
        if given is not None:
            return str(given)
        assert piece.index is not None
        return self.resolved_ids[(piece.position, piece.index)]

    def id_was_given(self, piece: Piece) -> bool:
        meta = piece.part["meta"]
        return ("id" if piece.part["type"] == "tool-call" else "tool_call_id") in meta

    def call_name(self, piece: Piece) -> str:
        name = piece.part["meta"].get("name")
        if name is not None:
            return str(name)
        return self.call_names.get(self.tool_id(piece), "")

    def whole_message(self, pieces: Sequence[Piece]) -> StoredMessage | None:
        """The stored message these pieces are, all of it and in order; else None."""
        if not pieces:
            return None
        message = pieces[0].message
        parts = message.canonical["parts"]
        if len(pieces) != len(parts):
            return None
        for expected, piece in enumerate(pieces):
            if piece.message is not message or piece.index != expected:
                return None
        return message

    def replayable(self, message: StoredMessage, position: int) -> bool:
        """Can ``message`` go out verbatim, as far as its tool ids are concerned?"""
        if message.format != self.target or message.edited:
            return False
        for index, _part in enumerate(message.canonical["parts"]):
            generated = self.resolved_ids.get((position, index))
            if generated is not None and self.generated_id_formats[generated] != {self.target}:
                return False
        return True

    def texts_only(self, pieces: Sequence[Piece], target: str) -> list[str]:
        texts = []
        for piece in pieces:
            if piece.part["type"] == "text":
                self.note_provider_data(piece, target)
                texts.append(str(piece.part.get("text", "")))
            else:
                self.drop(piece, "unsupported_part", "a system prompt can only hold text")
        return texts

    def flush_deferred(
        self,
        deferred: list[JSONObject],
        sources: list[str],
        make_item: Callable[[list[JSONObject]], Any],
    ) -> None:
        if deferred:
            self.emit(make_item(list(deferred)), list(dict.fromkeys(sources)))
            deferred.clear()
            sources.clear()

    # --- arrangement -----------------------------------------------------------------------

    def _entry(self, position: int) -> Entry:
        message = self.messages[position]
        entry = Entry(message, position, role_of(message))
        entry.pieces = [
            Piece(message, position, index, part)
            for index, part in enumerate(message.canonical["parts"])
        ]
        return entry

    def _arrange(self) -> list[Entry]:
        entries: list[Entry] = []
        count = len(self.messages)
        position = 0
        while position < count:
            entry = self._entry(position)
            position += 1
            entries.append(entry)
            calls = [piece for piece in entry.pieces if piece.part["type"] == "tool-call"]
            if entry.role != "assistant" or not calls:
                self._warn_orphans(entry)
                continue
            run: list[Entry] = []
            while position < count and role_of(self.messages[position]) == "user":
                run.append(self._entry(position))
                position += 1
            pending = {self.tool_id(piece): piece for piece in calls}
            results, rest = self._results_first(run, pending)
            if pending and (rest or position < count):
                results.append(self._placeholders(entry, pending))
            entries.extend(_rejoin(results + rest))
        return entries

    def _warn_orphans(self, entry: Entry) -> None:
        for piece in entry.pieces:
            if piece.part["type"] == "tool-result":
                self.warn(
                    piece,
                    "orphan_tool_result",
                    f"tool call {self.tool_id(piece)} is not in this conversation or page",
                )

    def _results_first(
        self, run: list[Entry], pending: dict[str, Piece]
    ) -> tuple[list[Entry], list[Entry]]:
        """Split a run of user entries into the answers to ``pending``, then everything else."""
        results: list[Entry] = []
        rest: list[Entry] = []
        for entry in run:
            answers = Entry(entry.message, entry.position, "user")
            others = Entry(entry.message, entry.position, "user")
            for piece in entry.pieces:
                if piece.part["type"] == "tool-result":
                    result_id = self.tool_id(piece)
                    if pending.pop(result_id, None) is not None:
                        answers.pieces.append(piece)
                        continue
                    self.warn(
                        piece,
                        "orphan_tool_result",
                        f"tool call {result_id} is not in this conversation or page",
                    )
                others.pieces.append(piece)
            if answers.pieces:
                results.append(answers)
            if others.pieces:
                rest.append(others)
        return results, rest

    def _placeholders(self, call_entry: Entry, pending: dict[str, Piece]) -> Entry:
        entry = Entry(call_entry.message, call_entry.position, "user")
        for call_id, call in pending.items():
            self.warn(
                call,
                "tool_result_missing",
                f"tool call {call_id} has no result before the conversation goes on; "
                "a placeholder error result is given",
            )
            part = make_part(
                "tool-result",
                text=MISSING_RESULT_TEXT,
                meta={"tool_call_id": call_id, "name": self.call_name(call), "is_error": True},
            )
            entry.pieces.append(Piece(call.message, call.position, None, part))
        return entry


def _rejoin(entries: list[Entry]) -> list[Entry]:
    """Put back together what splitting did not move, so that whole messages stay whole."""
    joined: list[Entry] = []
    for entry in entries:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous.position == entry.position
            and previous.pieces[-1].index is not None
            and entry.pieces[0].index == previous.pieces[-1].index + 1
        ):
            previous.pieces.extend(entry.pieces)
        else:
            joined.append(entry)
    return joined
