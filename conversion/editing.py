"""Context editing: Acontext's edit strategies, applied to what is read, never to storage.

A read may ask for strategies (``[{"type": ..., "params": {...}}]``). They edit the canonical
messages before conversion, so every format sees the same edit:

1. ``parse_strategies`` checks the request's JSON and fills in Acontext's defaults; anything
   malformed is an ``InvalidEditStrategy`` naming the field path.
2. ``edit`` sorts them as Acontext does (remove_tool_result, then remove_tool_call_params, then
   the others in the order given, token_limit last) and applies each in turn to the messages up
   to and including the pin (all of them without one); later messages stay as they are.
3. Each strategy works as Acontext's does, with one addition: a conversation stays a valid
   request for every target. Where Acontext drops a whole message because it holds the result
   of a dropped call, this drops just the results of dropped calls (and a message left empty),
   wherever they are, so that no result is left without its call and no call without its
   result. Every edit is reported as a ``ConversionWarning``.

Edited messages are marked ``edited``: their stored ``raw`` no longer says what they hold, so
the renderers build them from the canonical form.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from conversion import tokens
from conversion.canonical import ConversionWarning, JSONObject, StoredMessage
from conversion.conversation import ToolIds, resolve_tool_ids

STRATEGY_TYPES = ("remove_tool_result", "remove_tool_call_params", "token_limit", "middle_out")
# Acontext's priorities: lower runs first, equal ones keep the request's order.
_PRIORITY = {"remove_tool_result": 1, "remove_tool_call_params": 2, "token_limit": 100}
_OTHER_PRIORITY = 50
EMPTY_ARGUMENTS = "{}"
DEFAULT_PLACEHOLDER = "Done"


class InvalidEditStrategy(ValueError):
    """``edit_strategies`` is malformed; ``path`` names the offending field."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True, slots=True)
class RemoveToolResult:
    keep_recent_n_tool_results: int = 3
    tool_result_placeholder: str = DEFAULT_PLACEHOLDER
    keep_tools: tuple[str, ...] = ()
    gt_token: int | None = None
    type: str = "remove_tool_result"


@dataclass(frozen=True, slots=True)
class RemoveToolCallParams:
    keep_recent_n_tool_calls: int = 3
    keep_tools: tuple[str, ...] = ()
    gt_token: int | None = None
    type: str = "remove_tool_call_params"


@dataclass(frozen=True, slots=True)
class TokenLimit:
    limit_tokens: int
    type: str = "token_limit"


@dataclass(frozen=True, slots=True)
class MiddleOut:
    token_reduce_to: int
    type: str = "middle_out"


Strategy = RemoveToolResult | RemoveToolCallParams | TokenLimit | MiddleOut


@dataclass(frozen=True, slots=True)
class Edited:
    """The messages to render, what was changed, and the pin Acontext reports."""

    messages: list[StoredMessage]
    warnings: list[ConversionWarning]
    # The pin when it is among the messages, else the last message read (None: nothing read).
    edit_at_message_id: str | None


# --- parsing ---------------------------------------------------------------------------------


def _integer(params: JSONObject, key: str, path: str, *, minimum: int) -> int:
    value = params[key]
    # JSON has one number type; 3.0 is an integer, 2.5 and true are not.
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise InvalidEditStrategy(f"{path}.{key}", "must be an integer")
    number = int(value)
    if number < minimum:
        raise InvalidEditStrategy(f"{path}.{key}", f"must be at least {minimum}")
    return number


def _names(params: JSONObject, key: str, path: str) -> tuple[str, ...]:
    value = params[key]
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise InvalidEditStrategy(f"{path}.{key}", "must be an array of tool names")
    return tuple(value)


def _placeholder(params: JSONObject, key: str, path: str) -> str:
    value = params[key]
    if not isinstance(value, str):
        raise InvalidEditStrategy(f"{path}.{key}", "must be a string")
    # As Acontext: surrounding white space is trimmed, and an empty placeholder is "Done".
    return value.strip() or DEFAULT_PLACEHOLDER


_Reader = Callable[[JSONObject, str, str], Any]
_PARAMETERS: dict[str, dict[str, _Reader]] = {
    "remove_tool_result": {
        "keep_recent_n_tool_results": lambda p, k, path: _integer(p, k, path, minimum=0),
        "tool_result_placeholder": _placeholder,
        "keep_tools": _names,
        "gt_token": lambda p, k, path: _integer(p, k, path, minimum=1),
    },
    "remove_tool_call_params": {
        "keep_recent_n_tool_calls": lambda p, k, path: _integer(p, k, path, minimum=0),
        "keep_tools": _names,
        "gt_token": lambda p, k, path: _integer(p, k, path, minimum=1),
    },
    "token_limit": {"limit_tokens": lambda p, k, path: _integer(p, k, path, minimum=1)},
    "middle_out": {"token_reduce_to": lambda p, k, path: _integer(p, k, path, minimum=1)},
}
_CLASSES: dict[str, type[Strategy]] = {
    "remove_tool_result": RemoveToolResult,
    "remove_tool_call_params": RemoveToolCallParams,
    "token_limit": TokenLimit,
    "middle_out": MiddleOut,
}
_REQUIRED = {"token_limit": "limit_tokens", "middle_out": "token_reduce_to"}


def parse_strategies(value: Any, path: str = "edit_strategies") -> list[Strategy]:
    """Read ``[{"type": ..., "params": {...}}, ...]`` (already parsed JSON; None: none)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidEditStrategy(path, "must be a JSON array of {type, params} objects")
    return [_strategy(item, f"{path}[{index}]") for index, item in enumerate(value)]


def _strategy(item: Any, path: str) -> Strategy:
    if not isinstance(item, dict):
        raise InvalidEditStrategy(path, "must be an object with type and params")
    unknown = sorted(set(item) - {"type", "params"})
    if unknown:
        raise InvalidEditStrategy(f"{path}.{unknown[0]}", "is not a field of an edit strategy")
    kind = item.get("type")
    if kind not in _CLASSES:
        expected = ", ".join(STRATEGY_TYPES)
        raise InvalidEditStrategy(
            f"{path}.type", f"unknown strategy {kind!r}; expected one of {expected}"
        )
    params = item.get("params")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise InvalidEditStrategy(f"{path}.params", "must be an object")
    readers = _PARAMETERS[kind]
    for key in params:
        if key not in readers:
            raise InvalidEditStrategy(
                f"{path}.params.{key}",
                f"is not a parameter of {kind}; expected one of {', '.join(readers)}",
            )
    required = _REQUIRED.get(kind)
    if required is not None and required not in params:
        raise InvalidEditStrategy(f"{path}.params.{required}", f"is required for {kind}")
    values = {key: readers[key](params, key, f"{path}.params") for key in params}
    return _CLASSES[kind](**values)


# --- applying --------------------------------------------------------------------------------


def message_tokens(message: StoredMessage) -> int:
    return message.tokens if message.tokens is not None else tokens.count_message(message.canonical)


def edit(
    messages: Sequence[StoredMessage], strategies: Sequence[Strategy], *, pin: str | None = None
) -> Edited:
    """Apply ``strategies`` to ``messages`` (oldest first), up to and including ``pin``."""
    last_id = messages[-1].id if messages else None
    if not strategies:
        return Edited(list(messages), [], last_id)
    pin_position = next(
        (position for position, message in enumerate(messages) if message.id == pin), None
    )
    editor = _Editor(messages, pin_position)
    ordered = sorted(strategies, key=lambda strategy: _PRIORITY.get(strategy.type, _OTHER_PRIORITY))
    for strategy in ordered:
        match strategy:
            case RemoveToolResult():
                editor.remove_tool_results(strategy)
            case RemoveToolCallParams():
                editor.remove_tool_call_params(strategy)
            case TokenLimit():
                editor.limit_tokens(strategy)
            case MiddleOut():
                editor.middle_out(strategy)
    edit_at = pin if pin_position is not None else last_id
    return Edited(editor.messages, editor.warnings, edit_at)


class _Editor:
    def __init__(self, messages: Sequence[StoredMessage], pin_position: int | None) -> None:
        self.messages = list(messages)
        # Messages at and after this position are beyond the pin: strategies leave them be,
        # but for the results of calls that an edit drops.
        self.editable_end = len(messages) if pin_position is None else pin_position + 1
        self.warnings: list[ConversionWarning] = []

    def _tool_parts(self, kind: str) -> list[tuple[int, int, JSONObject]]:
        return [
            (position, index, part)
            for position, message in enumerate(self.messages[: self.editable_end])
            for index, part in enumerate(message.canonical["parts"])
            if part["type"] == kind
        ]

    def _replace_part(self, position: int, index: int, part: JSONObject) -> None:
        message = self.messages[position]
        parts = list(message.canonical["parts"])
        parts[index] = part
        self.messages[position] = _with_parts(message, parts)

    def _warn(self, message: StoredMessage, index: int | None, code: str, detail: str) -> None:
        self.warnings.append(ConversionWarning(message.id, index, code, detail))

    # remove_tool_result, remove_tool_call_params -----------------------------------------

    def remove_tool_results(self, strategy: RemoveToolResult) -> None:
        ids = resolve_tool_ids(self.messages)
        keep = frozenset(strategy.keep_tools)
        candidates = [
            (position, index, part)
            for position, index, part in self._tool_parts("tool-result")
            if _result_tool_name(ids, position, index, part) not in keep
        ]
        old = candidates[: max(len(candidates) - strategy.keep_recent_n_tool_results, 0)]
        placeholder = strategy.tool_result_placeholder
        for position, index, part in old:
            text = _result_text(part)
            if strategy.gt_token is not None and (
                not text or tokens.count_text(text) <= strategy.gt_token
            ):
                continue
            # The placeholder stands for the whole result: nested texts and media go too.
            meta = {key: value for key, value in part["meta"].items() if key != "content"}
            self._replace_part(position, index, {**part, "text": placeholder, "meta": meta})
            self._warn(
                self.messages[position],
                index,
                "tool_result_removed",
                f"edit remove_tool_result: the result of tool call {ids.of(position, index, part)} "
                f"reads {placeholder!r}",
            )

    def remove_tool_call_params(self, strategy: RemoveToolCallParams) -> None:
        ids = resolve_tool_ids(self.messages)
        keep = frozenset(strategy.keep_tools)
        candidates = [
            (position, index, part)
            for position, index, part in self._tool_parts("tool-call")
            if str(part["meta"].get("name", "")) not in keep
        ]
        old = candidates[: max(len(candidates) - strategy.keep_recent_n_tool_calls, 0)]
        for position, index, part in old:
            arguments = str(part["meta"].get("arguments", ""))
            if strategy.gt_token is not None and tokens.count_text(arguments) <= strategy.gt_token:
                continue
            self._replace_part(
                position, index, {**part, "meta": {**part["meta"], "arguments": EMPTY_ARGUMENTS}}
            )
            self._warn(
                self.messages[position],
                index,
                "tool_call_params_removed",
                f"edit remove_tool_call_params: the arguments of tool call "
                f"{ids.of(position, index, part)} read {EMPTY_ARGUMENTS}",
            )

    # token_limit, middle_out --------------------------------------------------------------

    def limit_tokens(self, strategy: TokenLimit) -> None:
        """Drop the oldest messages, with the results of their calls, until the total fits."""
        dropper = _Dropper(self.messages, self.editable_end)
        for position in range(self.editable_end):
            if dropper.total <= strategy.limit_tokens:
                break
            dropper.drop(position)
        self._apply(dropper, f"edit token_limit: dropped to fit {strategy.limit_tokens} tokens")

    def middle_out(self, strategy: MiddleOut) -> None:
        """Remove the middle message, with every message tied to it by tool calls and results,
        until the total fits."""
        target = strategy.token_reduce_to
        dropper = _Dropper(self.messages, self.editable_end)
        links = _tool_links(self.messages[: self.editable_end], dropper.ids)
        remaining = list(range(self.editable_end))  # sorted: the middle is an index away
        while dropper.total > target and remaining:
            middle = remaining[len(remaining) // 2 if len(remaining) > 2 else 0]
            for position in _linked_group(middle, links):
                dropper.drop(position)
                found = bisect.bisect_left(remaining, position)
                if found < len(remaining) and remaining[found] == position:
                    del remaining[found]
        self._apply(dropper, f"edit middle_out: dropped to bring the total to {target} tokens")

    def _apply(self, dropper: _Dropper, detail: str) -> None:
        kept: list[StoredMessage] = []
        editable_end = 0
        for position, message in enumerate(self.messages):
            removed = dropper.removed_parts.get(position, ())
            if position in dropper.dropped:
                self._warn(message, None, "message_dropped", detail)
            else:
                for index in sorted(removed):
                    self._warn(
                        message, index, "tool_result_dropped", f"{detail}, with its tool call"
                    )
                kept.append(_without_parts(message, removed) if removed else message)
            if position < self.editable_end:
                editable_end = len(kept)
        self.messages = kept
        self.editable_end = editable_end


class _Dropper:
    """Drops whole messages, and with each the results of its tool calls, keeping count of the
    tokens left before the pin.

    A result is dropped as a part: a message that holds it keeps its other parts (Acontext
    drops the whole message), and goes only when nothing is left of it.
    """

    def __init__(self, messages: list[StoredMessage], editable_end: int) -> None:
        self.messages = messages
        self.editable_end = editable_end
        self.ids = resolve_tool_ids(messages)
        self.tokens = [message_tokens(message) for message in messages[:editable_end]]
        self.total = sum(self.tokens)
        self.dropped: set[int] = set()
        self.removed_parts: dict[int, set[int]] = {}
        self.results_of: dict[str, list[tuple[int, int]]] = {}
        for position, message in enumerate(messages):
            for index, part in enumerate(message.canonical["parts"]):
                if part["type"] == "tool-result":
                    call_id = self.ids.of(position, index, part)
                    self.results_of.setdefault(call_id, []).append((position, index))

    def drop(self, position: int) -> None:
        if position in self.dropped:
            return
        self._forget(position)
        parts = self.messages[position].canonical["parts"]
        for index, part in enumerate(parts):
            if part["type"] != "tool-call":
                continue
            for holder, result_index in self.results_of.get(self.ids.of(position, index, part), ()):
                if holder not in self.dropped:
                    self._remove_part(holder, result_index)

    def _forget(self, position: int) -> None:
        self.dropped.add(position)
        if position < self.editable_end:
            self.total -= self.tokens[position]
            self.tokens[position] = 0

    def _remove_part(self, position: int, index: int) -> None:
        removed = self.removed_parts.setdefault(position, set())
        removed.add(index)
        message = self.messages[position]
        if len(removed) == len(message.canonical["parts"]):
            self._forget(position)
        elif position < self.editable_end:
            remaining = _without_parts(message, removed)
            assert remaining.tokens is not None
            self.total += remaining.tokens - self.tokens[position]
            self.tokens[position] = remaining.tokens


def _result_text(part: JSONObject) -> str:
    text = part.get("text")
    if text:
        return str(text)
    nested = part["meta"].get("content") or []
    return "\n".join(child["text"] for child in nested if child.get("text"))


def _result_tool_name(ids: ToolIds, position: int, index: int, part: JSONObject) -> str:
    """The name of the call a result answers (Acontext matches keep_tools by the call)."""
    name = ids.call_names.get(ids.of(position, index, part))
    return name if name is not None else str(part["meta"].get("name", ""))


def _with_parts(message: StoredMessage, parts: list[JSONObject]) -> StoredMessage:
    """``message`` edited to hold ``parts``, counted again."""
    canonical = {**message.canonical, "parts": parts}
    return message._replace(
        canonical=canonical, tokens=tokens.count_message(canonical), edited=True
    )


def _without_parts(message: StoredMessage, indexes: Collection[int]) -> StoredMessage:
    parts = message.canonical["parts"]
    return _with_parts(message, [part for index, part in enumerate(parts) if index not in indexes])


def _tool_links(messages: Sequence[StoredMessage], ids: ToolIds) -> dict[int, set[int]]:
    """For each message position, the positions tied to it by a tool call and its result."""
    holders: dict[str, set[int]] = {}
    for position, message in enumerate(messages):
        for index, part in enumerate(message.canonical["parts"]):
            if part["type"] in ("tool-call", "tool-result"):
                holders.setdefault(ids.of(position, index, part), set()).add(position)
    links: dict[int, set[int]] = {}
    for positions in holders.values():
        for position in positions:
            links.setdefault(position, set()).update(positions)
    return links


def _linked_group(start: int, links: dict[int, set[int]]) -> set[int]:
    group = {start}
    frontier = [start]
    while frontier:
        for linked in links.get(frontier.pop(), ()):
            if linked not in group:
                group.add(linked)
                frontier.append(linked)
    return group
