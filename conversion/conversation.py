"""Conversation-level work shared by every target.

The providers disagree on message boundaries, so a conversation is converted as a whole:

1. tool ids are resolved once: a call without an id (Gemini, OpenAI's legacy
   ``function_call``) gets a deterministic id from its stored message id and part index, and a
   result without an id answers the oldest unanswered call with the same name;
2. the messages are arranged into entries: after an assistant turn with tool calls, the
   results come first (every API wants them right after the call), then the rest of the user
   content; a call left unanswered before the conversation moves on gets a placeholder result
   (with a warning) so that the output is still a request the target accepts, and a result
   whose call is not right before it (a page opening mid-run) becomes user text naming it;
3. a target module renders the entries into items, through the helpers below that record
   which stored messages each item came from and every lossy step.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from conversion import documents, media
from conversion.canonical import (
    SYSTEM_ROLES,
    ConversionWarning,
    JSONObject,
    Rendered,
    StoredMessage,
    make_part,
)

PROVIDERS = ("openai", "anthropic", "gemini", "openai_responses")
PROVIDER_NAMES = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "gemini": "Gemini",
    "openai_responses": "OpenAI Responses",
}
# Both OpenAI formats read what the OpenAI Files API issued, and the fields of Chat
# Completions data that the Responses format carries too (a file id, an image's detail, the
# refusal and custom-tool flags): by target, then by the provider whose data it is.
FILE_ISSUERS = {"openai_responses": "openai"}
SHARED_FIELDS = {
    "openai_responses": {"openai": frozenset(("file_id", "detail", "refusal", "custom"))},
}
MISSING_RESULT_TEXT = "No result was recorded for this tool call."
# Keys of a provider's part data that record how the part was shaped there rather than
# fields of it: what they hold reaches every target through the part's shared fields (the
# text of a content document or a search result), so leaving them out loses nothing.
REPRESENTATION_KEYS = {
    "openai": frozenset(),
    "anthropic": frozenset(("source", "block")),
    "gemini": frozenset(("role_missing",)),
    # An item's id and status name it on OpenAI's servers: no other provider can use them,
    # and this format's easy message form does without them.
    "openai_responses": frozenset(("id", "status")),
}
# Names of tool calls made before the first message given (a page that starts in the
# middle of a conversation), looked up by call id: the service asks the stored session.
EarlierCalls = Callable[[Collection[str]], Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class ToolNameRule:
    valid: re.Pattern[str]  # fullmatch
    forbidden: re.Pattern[str]  # one character the target does not allow
    max_length: int


OPENAI_TOOL_NAMES = ToolNameRule(
    re.compile(r"[a-zA-Z0-9_-]{1,64}"), re.compile(r"[^a-zA-Z0-9_-]"), 64
)
TOOL_NAME_RULES = {
    "openai": OPENAI_TOOL_NAMES,
    "openai_responses": OPENAI_TOOL_NAMES,
    "anthropic": ToolNameRule(
        re.compile(r"[a-zA-Z0-9_-]{1,128}"), re.compile(r"[^a-zA-Z0-9_-]"), 128
    ),
    # Gemini's FunctionDeclaration.name: a letter or underscore first, then letters, digits,
    # underscores, dots, colons and dashes; at most 64.
    "gemini": ToolNameRule(
        re.compile(r"[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}"), re.compile(r"[^a-zA-Z0-9_.:-]"), 64
    ),
}


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


def _holding_something(fields: JSONObject) -> list[str]:
    """The keys whose values say something: a null or an empty list or object (as the SDKs
    dump fields they did not set: ``"logprobs": []``, ``"namespace": null``) loses nothing
    when it is left out, and a warning for each would bury the ones that matter."""
    return [
        key for key, value in fields.items() if value is not None and value != [] and value != {}
    ]


def _dropped_fields(provider: str, fields: JSONObject, target: str) -> str | None:
    """What a provider_data_dropped warning says was left out of a part or message (None:
    nothing that the target did not get in another form)."""
    shared = SHARED_FIELDS.get(target, {}).get(provider, frozenset())
    kept = set(_holding_something(fields)) - REPRESENTATION_KEYS[provider] - shared - {"extra"}
    extra = fields.get("extra")
    if isinstance(extra, dict):
        kept.update(_holding_something(extra))  # fields the reader did not model
    names = sorted(kept)
    if not names:
        return None
    if provider == "openai" and "refusal" in names:
        # The part is the refusal's text, rendered as text: only the flag is lost.
        names.remove("refusal")
        said = "the openai refusal flag (the refusal's text is kept, as ordinary text)"
        return f"{said}; openai fields {', '.join(names)}" if names else said
    return f"{provider} fields {', '.join(names)}"


def _mapped_tool_name(name: str, rule: ToolNameRule, digest_length: int) -> str:
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:digest_length]
    stem = rule.forbidden.sub("_", name)[: rule.max_length - digest_length - 2]
    mapped = f"{stem}_{digest}"
    # Gemini wants a letter or an underscore first.
    return mapped if rule.valid.fullmatch(mapped) else f"_{mapped}"


def bound_reference(part: JSONObject) -> tuple[str, str] | None:
    """(issuer, reference) when a media part is known only by a provider's own file
    reference (a Gemini Files API URI, an OpenAI file_id, an Anthropic file source)."""
    meta = part.get("meta") or {}
    if "data" in meta or "text" in part:
        return None  # the content itself is here
    url = meta.get("url")
    if url is not None:
        return ("gemini", url) if media.is_gemini_file(url) else None
    file_id = (meta.get("openai") or {}).get("file_id")
    if file_id is not None:
        return "openai", str(file_id)
    source = (meta.get("anthropic") or {}).get("source")
    if isinstance(source, dict) and source.get("type") == "file":
        return "anthropic", str(source.get("file_id"))
    return None


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
    def __init__(
        self,
        messages: Sequence[StoredMessage],
        target: str,
        earlier_calls: EarlierCalls | None = None,
    ) -> None:
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
        self._mapped_names: dict[str, str] = {}
        self._earlier_calls = earlier_calls
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
                dropped = _dropped_fields(provider, meta[provider], target)
                if dropped is not None:
                    self.drop(piece, "provider_data_dropped", dropped)

    def note_filename(self, piece: Piece) -> None:
        """Warn about the file name of media the target has no name field for."""
        filename = piece.part.get("filename")
        if filename:
            self.drop(piece, "provider_data_dropped", f"the file name {filename!r}")

    def drop_foreign_reference(self, piece: Piece) -> bool:
        """Leave out media known only by another provider's file reference: only the
        provider that issued it can read it. True when the piece was left out."""
        reference = bound_reference(piece.part)
        if reference is None or reference[0] == FILE_ISSUERS.get(self.target, self.target):
            return False
        issuer, name = reference
        self.drop(
            piece,
            "file_reference_dropped",
            f"{PROVIDER_NAMES[issuer]} file {name} can be read by {PROVIDER_NAMES[issuer]} only",
        )
        return True

    def tool_name(self, piece: Piece, name: str) -> str:
        """``name`` as the target allows it: names that break its rule are mapped, the same
        way for calls and results, with a digest so that two names never map together."""
        rule = TOOL_NAME_RULES[self.target]
        if rule.valid.fullmatch(name):
            return name
        mapped = self._mapped_names.get(name)
        if mapped is None:
            taken = self._tool_names_kept(rule) | set(self._mapped_names.values())
            # A longer digest only if a name in the conversation already is the short one.
            candidates = [_mapped_tool_name(name, rule, length) for length in (10, 16, 32)]
            mapped = next((c for c in candidates if c not in taken), candidates[-1])
            self._mapped_names[name] = mapped
        self.warn(piece, "tool_name_mapped", f"tool name {name!r} is given as {mapped!r}")
        return mapped

    def _tool_names_kept(self, rule: ToolNameRule) -> set[str]:
        names = set()
        for message in self.messages:
            for part in message.canonical["parts"]:
                if part["type"] in ("tool-call", "tool-result"):
                    name = part["meta"].get("name")
                    if name is not None and rule.valid.fullmatch(name):
                        names.add(name)
        return names

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
                dropped = _dropped_fields(key, value, target)
                if dropped is not None:
                    self.warn_message(
                        entry.message, "provider_data_dropped", f"left out: {dropped}"
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

    def verbatim(self, entry: Entry) -> StoredMessage | None:
        """The stored message ``entry`` is, when it can go out exactly as it was stored: it
        is in the target format, unedited, all of it and in order (a split message is not),
        and none of its tool ids or names had to be made up or mapped."""
        message = entry.message
        if message.format != self.target or message.edited:
            return None  # most of a mixed conversation: decided before looking at the parts
        parts = message.canonical["parts"]
        pieces = entry.pieces
        if not pieces or len(pieces) != len(parts):
            return None
        for expected, piece in enumerate(pieces):
            # A piece standing in for its part (an orphan result given as text) is not it.
            if piece.message is not message or piece.part is not parts[expected]:
                return None
        names = TOOL_NAME_RULES[self.target].valid
        for index, part in enumerate(parts):
            generated = self.resolved_ids.get((entry.position, index))
            if generated is not None and self.generated_id_formats[generated] != {self.target}:
                return None
            if part["type"] in ("tool-call", "tool-result"):
                name = part["meta"].get("name")
                if name is not None and not names.fullmatch(name):
                    return None  # mapped: its partner is given the mapped name too
        return message

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

    def _entry(self, position: int, role: str) -> Entry:
        message = self.messages[position]
        pieces = [
            Piece(message, position, index, part)
            for index, part in enumerate(message.canonical["parts"])
        ]
        return Entry(message, position, role, pieces)

    def _arrange(self) -> list[Entry]:
        roles = [role_of(message) for message in self.messages]
        entries: list[Entry] = []
        orphans: list[Piece] = []
        count = len(roles)
        position = 0
        while position < count:
            entry = self._entry(position, roles[position])
            position += 1
            entries.append(entry)
            if entry.role != "assistant":
                orphans += [piece for piece in entry.pieces if piece.part["type"] == "tool-result"]
                continue
            # One assistant turn may be several stored messages (the Responses API keeps its
            # reasoning, text and each call as items of their own): the results answer the
            # whole turn, after it.
            calls = [piece for piece in entry.pieces if piece.part["type"] == "tool-call"]
            while position < count and roles[position] == "assistant":
                entry = self._entry(position, "assistant")
                position += 1
                entries.append(entry)
                calls += [piece for piece in entry.pieces if piece.part["type"] == "tool-call"]
            if not calls:
                continue
            run: list[Entry] = []
            while position < count and roles[position] == "user":
                run.append(self._entry(position, "user"))
                position += 1
            pending = {self.tool_id(piece): piece for piece in calls}
            results, rest = self._results_first(run, pending, orphans)
            if pending and (rest or position < count):
                results.append(self._placeholders(entry, pending))
            entries.extend(_rejoin(results + rest))
        if orphans:
            self._orphans_as_text(entries, orphans)
        return entries

    def _results_first(
        self, run: list[Entry], pending: dict[str, Piece], orphans: list[Piece]
    ) -> tuple[list[Entry], list[Entry]]:
        """Split a run of user entries into the answers to ``pending``, then everything else
        (results that answer none of them are added to ``orphans``)."""
        results: list[Entry] = []
        rest: list[Entry] = []
        for entry in run:
            answers = Entry(entry.message, entry.position, "user")
            others = Entry(entry.message, entry.position, "user")
            for piece in entry.pieces:
                if piece.part["type"] == "tool-result":
                    if pending.pop(self.tool_id(piece), None) is not None:
                        answers.pieces.append(piece)
                        continue
                    orphans.append(piece)
                others.pieces.append(piece)
            if answers.pieces:
                results.append(answers)
            if others.pieces:
                rest.append(others)
        return results, rest

    def _orphans_as_text(self, entries: list[Entry], orphans: list[Piece]) -> None:
        """Results whose call is not just before them (on an earlier page, or nowhere) are
        refused as results by every API: each is given as user text naming its call, its
        media following it."""
        names: Mapping[str, str] = {}
        unnamed = {self.tool_id(piece) for piece in orphans if not self.call_name(piece)}
        if unnamed and self._earlier_calls is not None:
            names = self._earlier_calls(unnamed)
        replaced: dict[int, list[Piece]] = {}
        for piece in orphans:
            call_id = self.tool_id(piece)
            name = self.call_name(piece) or names.get(call_id, "")
            self.warn(
                piece,
                "orphan_tool_result",
                f"tool call {call_id} is not in this conversation or page; its result is "
                "given as user text",
            )
            given_id = call_id if self.id_was_given(piece) else None
            replaced[id(piece)] = _orphan_pieces(piece, given_id, name)
        for entry in entries:
            if any(id(piece) in replaced for piece in entry.pieces):
                entry.pieces = [
                    new for piece in entry.pieces for new in replaced.get(id(piece), [piece])
                ]

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


def _orphan_pieces(piece: Piece, call_id: str | None, name: str) -> list[Piece]:
    part = piece.part
    meta = part["meta"]
    what = "Error from" if meta.get("is_error") else "Result of"
    if name and call_id:
        called = f"{name} (tool call {call_id})"
    elif name or call_id:
        called = name or f"tool call {call_id}"
    else:
        called = "a tool call"
    text = f"{what} {called}:\n{documents.result_text(part)}"
    # The result's provider fields (a cache_control breakpoint...) go with its text.
    own = {provider: meta[provider] for provider in PROVIDERS if meta.get(provider)}
    pieces = [
        Piece(piece.message, piece.position, piece.index, make_part("text", text=text, meta=own))
    ]
    for index, nested in enumerate(meta.get("content") or ()):
        if nested["type"] != "text" and documents.text_of(nested) is None:
            pieces.append(piece.nested(index, nested))
    return pieces


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
