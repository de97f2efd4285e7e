"""Rules the provider APIs enforce that the SDK request types do not express.

The SDK request types (see ``strict_types``) only describe the shape of one
message at a time; the APIs additionally reject requests whose messages do not
fit together (an unanswered tool call, two user turns in a row for Anthropic,
...) and values the types leave as plain strings (tool names outside the
provider's pattern, a non-PDF file for OpenAI, a Gemini Files API URI sent to
another provider, ...). Each ``check_*`` function raises ``RuleViolation``
naming the offending path (rooted at ``items`` like ``strict_types``) or
returns None.

Common exception: the calls of the *last* assistant/model message may stay
unanswered when nothing but tool messages follow it, because a conversation
paused in the middle of a tool run is a normal stored state. (For the OpenAI
Responses items: calls may stay open when only items of the model's turn follow.)
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .strict_types import Loc, format_path, json_kind

__all__ = [
    "RuleViolation",
    "check_anthropic_rules",
    "check_gemini_rules",
    "check_openai_responses_rules",
    "check_openai_rules",
]

ANTHROPIC_TOOL_ID = re.compile(r"^[a-zA-Z0-9_-]+$")
# Tool (function) names as each API validates them. Patterns are used with fullmatch:
# with re.match, "$" would also accept a trailing newline.
OPENAI_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
ANTHROPIC_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")
# The docstring of FunctionDeclaration.name in google-genai 3.6 (google/genai/types.py) reads
# "Must start with a letter or an underscore. Must be a-z, A-Z, 0-9, or contain underscores,
# dots, colons and dashes, with a maximum length of 128." 128 is Vertex AI's limit; the Gemini
# API reference (generativelanguage v1beta FunctionDeclaration.name) still says "with a maximum
# length of 64", so the stricter 64 is checked here: the Gemini API is the target.
GEMINI_FUNCTION_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$")
# Chat Completions reads PDF files only (other documents go as text).
OPENAI_PDF_DATA_URL = "data:application/pdf;base64,"
_ANTHROPIC_ROLES = ("user", "assistant")
_GEMINI_ROLES = ("user", "model")


class RuleViolation(AssertionError):
    """A conversation breaks a rule the provider API enforces, at ``path``."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def _violation(loc: Loc, message: str) -> RuleViolation:
    return RuleViolation(format_path(loc), message)


def _obj(value: object, loc: Loc) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _violation(loc, f"expected an object, got {json_kind(value)}")
    return value


def _list(value: object, loc: Loc) -> list[Any]:
    if not isinstance(value, list):
        raise _violation(loc, f"expected an array, got {json_kind(value)}")
    return value


def _dict_items(values: list[Any], loc: Loc) -> Iterator[tuple[Loc, Mapping[str, Any]]]:
    """Yield ``(loc, element)`` for the elements of a list of objects."""
    for index, value in enumerate(values):
        element_loc = (*loc, index)
        yield element_loc, _obj(value, element_loc)


@dataclass
class _OpenCalls:
    """Tool calls of one assistant message, waiting for their results."""

    kind: str  # "tool call" / "tool_use", for messages
    owner: Loc | None  # the assistant message (None: there is none)
    ids: dict[str, Loc] = field(default_factory=dict)  # call id -> where it is declared
    answered: dict[str, Loc] = field(default_factory=dict)  # call id -> its answer

    def answer(self, call_id: object, loc: Loc) -> None:
        if isinstance(call_id, str) and call_id in self.answered:
            where = format_path(self.answered[call_id])
            raise _violation(loc, f"{self.kind} {call_id!r} is already answered by {where}")
        if self.owner is None:
            raise _violation(
                loc, f"{call_id!r} answers no {self.kind}: no assistant message precedes it"
            )
        if not isinstance(call_id, str) or call_id not in self.ids:
            raise _violation(
                loc, f"{call_id!r} answers no {self.kind} of {format_path(self.owner)}"
            )
        self.answered[call_id] = loc

    def require_all_answered(self, by: Loc) -> None:
        for call_id, loc in self.ids.items():
            if call_id not in self.answered:
                raise _violation(
                    loc, f"{self.kind} {call_id!r} is not answered by {format_path(by)}"
                )


def _is_base64(data: str) -> bool:
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _check_tool_name(name: object, loc: Loc, pattern: re.Pattern[str]) -> None:
    if not isinstance(name, str) or not pattern.fullmatch(name):
        raise _violation(loc, f"tool name {name!r} does not match {pattern.pattern}")


def _is_gemini_file_uri(value: object) -> bool:
    """A Gemini Files API reference, e.g. https://generativelanguage.googleapis.com/v1beta/files/abc.

    Only the Gemini project that uploaded the file can read it (with its API key), so such
    a URI sent to another provider is a reference the provider cannot follow.
    """
    if not isinstance(value, str):
        return False
    url = urlsplit(value)
    return url.hostname == "generativelanguage.googleapis.com" and "/files/" in url.path


def _check_not_gemini_file(url: object, loc: Loc) -> None:
    if _is_gemini_file_uri(url):
        raise _violation(loc, f"{url!r} is a Gemini Files API URI, readable by Gemini only")


# =========================================================================== OpenAI


def check_openai_rules(items: list[Any]) -> None:
    """Tool pairing, text-only tool messages, tool names and arguments, media parts."""
    open_calls: _OpenCalls | None = None
    for msg_loc, message in _dict_items(_list(items, ("items",)), ("items",)):
        if message.get("role") == "tool":
            _check_openai_tool_message(message, msg_loc, open_calls)
            continue
        if open_calls is not None:
            # Any non-tool message closes the tool run of the assistant before it.
            open_calls.require_all_answered(by=msg_loc)
        open_calls = None
        _check_openai_parts(message, msg_loc)
        if message.get("role") == "assistant":
            _check_openai_calls(message, msg_loc)
            open_calls = _openai_tool_calls(message, msg_loc)
    # open_calls left over: the last assistant's run is paused, which is allowed.


def _openai_tool_calls(message: Mapping[str, Any], loc: Loc) -> _OpenCalls | None:
    if "tool_calls" not in message:
        return None
    calls = _OpenCalls("tool call", loc)
    for call_loc, call in _dict_items(
        _list(message["tool_calls"], (*loc, "tool_calls")), (*loc, "tool_calls")
    ):
        call_id = call.get("id")
        if not isinstance(call_id, str):
            raise _violation((*call_loc, "id"), "tool call has no id")
        if call_id in calls.ids:
            raise _violation((*call_loc, "id"), f"duplicate tool call id {call_id!r}")
        calls.ids[call_id] = (*call_loc, "id")
    return calls if calls.ids else None


def _check_openai_tool_message(
    message: Mapping[str, Any], loc: Loc, open_calls: _OpenCalls | None
) -> None:
    if open_calls is None:
        raise _violation(loc, "tool message does not follow an assistant message with tool_calls")
    open_calls.answer(message.get("tool_call_id"), (*loc, "tool_call_id"))
    content = message.get("content")
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        raise _violation(
            (*loc, "content"), "tool message content must be a string or a list of text parts"
        )
    for part_loc, part in _dict_items(content, (*loc, "content")):
        if part.get("type") != "text":
            raise _violation(
                (*part_loc, "type"),
                f"tool message content must be text only, got {part.get('type')!r}",
            )


def _check_openai_calls(message: Mapping[str, Any], loc: Loc) -> None:
    """Names and arguments of the tool calls and of the legacy function_call."""
    function_call = message.get("function_call")
    if isinstance(function_call, dict):
        _check_openai_function(function_call, (*loc, "function_call"))
    for call_loc, call in _dict_items(message.get("tool_calls") or [], (*loc, "tool_calls")):
        function = call.get("function")
        if isinstance(function, dict):
            _check_openai_function(function, (*call_loc, "function"))
        custom = call.get("custom")
        if isinstance(custom, dict):
            _check_tool_name(custom.get("name"), (*call_loc, "custom", "name"), OPENAI_TOOL_NAME)


def _check_openai_function(function: Mapping[str, Any], loc: Loc) -> None:
    _check_tool_name(function.get("name"), (*loc, "name"), OPENAI_TOOL_NAME)
    arguments = function.get("arguments")
    if not isinstance(arguments, str):
        raise _violation(
            (*loc, "arguments"), f"arguments must be a JSON string, got {json_kind(arguments)}"
        )


def _check_openai_parts(message: Mapping[str, Any], loc: Loc) -> None:
    content = message.get("content")
    if not isinstance(content, list):
        return
    for part_loc, part in _dict_items(content, (*loc, "content")):
        if part.get("type") == "input_audio":
            _check_input_audio(_obj(part.get("input_audio"), (*part_loc, "input_audio")), part_loc)
        elif part.get("type") == "file":
            _check_file_part(_obj(part.get("file"), (*part_loc, "file")), (*part_loc, "file"))
        elif part.get("type") == "image_url":
            image_url = _obj(part.get("image_url"), (*part_loc, "image_url"))
            _check_not_gemini_file(image_url.get("url"), (*part_loc, "image_url", "url"))


def _check_input_audio(audio: Mapping[str, Any], part_loc: Loc) -> None:
    data = audio.get("data")
    loc = (*part_loc, "input_audio", "data")
    if isinstance(data, str) and data.startswith("data:"):
        raise _violation(loc, "input_audio.data must be raw base64, not a data: URL")
    if not isinstance(data, str) or not _is_base64(data):
        raise _violation(loc, "input_audio.data is not valid base64")


def _check_file_part(file: Mapping[str, Any], loc: Loc) -> None:
    has_data, has_id = "file_data" in file, "file_id" in file
    if has_data and has_id:
        raise _violation(loc, "file part carries both file_data and file_id")
    if has_data and "filename" not in file:
        raise _violation((*loc, "filename"), "file_data needs a filename")
    if not has_data and not has_id:
        raise _violation(loc, "file part needs file_data+filename or file_id")
    if has_data:
        _check_pdf_data_url(file["file_data"], (*loc, "file_data"))
    else:
        _check_not_gemini_file(file["file_id"], (*loc, "file_id"))


def _check_pdf_data_url(file_data: object, loc: Loc) -> None:
    if not isinstance(file_data, str):
        raise _violation(loc, f"file_data must be a string, got {json_kind(file_data)}")
    if not file_data.startswith(OPENAI_PDF_DATA_URL):
        head = file_data.split(",", 1)[0][:40]  # the media type of a data URL, not its data
        raise _violation(
            loc, f"file_data must be a PDF data URL ({OPENAI_PDF_DATA_URL}...), got {head!r}"
        )
    if not _is_base64(file_data.removeprefix(OPENAI_PDF_DATA_URL)):
        raise _violation(loc, "file_data is not valid base64")


# =========================================================================== Anthropic


def check_anthropic_rules(items: list[Any], system: object = None) -> None:
    """Roles, alternation, non-empty content, tool pairing, ids and names, thinking, media."""
    _check_anthropic_system(system)
    previous: tuple[Loc, str] | None = None  # (loc, role) of the previous message
    open_calls: _OpenCalls | None = None
    last = len(_list(items, ("items",))) - 1
    for msg_loc, message in _dict_items(_list(items, ("items",)), ("items",)):
        role = _anthropic_role(message, msg_loc, previous)
        blocks = _anthropic_blocks(message, msg_loc)
        for block_loc, block in blocks:
            _check_anthropic_block(block, role, block_loc)
        _check_tool_results_first(blocks)
        if role == "user":
            calls = open_calls or _OpenCalls("tool_use", previous[0] if previous else None)
            # The tool run is paused when nothing but some of its results follow.
            paused = msg_loc[1] == last and all(b.get("type") == "tool_result" for _, b in blocks)
            _answer_tool_uses(blocks, calls, msg_loc, paused=paused)
        open_calls = _anthropic_tool_uses(blocks, msg_loc) if role == "assistant" else None
        previous = (msg_loc, role)
    # open_calls left over: the last assistant's tool run is paused, which is allowed.


def _check_anthropic_system(system: object) -> None:
    if isinstance(system, list):
        for block_loc, block in _dict_items(system, ("system",)):
            _check_text_not_blank(block, block_loc)


def _anthropic_role(message: Mapping[str, Any], loc: Loc, previous: tuple[Loc, str] | None) -> str:
    role = message.get("role")
    if role == "system":
        raise _violation(
            (*loc, "role"), "system prompt is not a message; pass it as the system parameter"
        )
    if role not in _ANTHROPIC_ROLES:
        raise _violation((*loc, "role"), f"role must be 'user' or 'assistant', got {role!r}")
    if previous is not None and previous[1] == role:
        raise _violation((*loc, "role"), f"two consecutive {role!r} messages; roles must alternate")
    return str(role)


def _anthropic_blocks(message: Mapping[str, Any], loc: Loc) -> list[tuple[Loc, Mapping[str, Any]]]:
    content = message.get("content")
    if isinstance(content, str):
        if not content.strip():
            raise _violation((*loc, "content"), "content is empty or whitespace-only")
        return []
    blocks = _list(content, (*loc, "content"))
    if not blocks:
        raise _violation((*loc, "content"), "content is empty")
    return list(_dict_items(blocks, (*loc, "content")))


def _check_anthropic_block(block: Mapping[str, Any], role: str, loc: Loc) -> None:
    kind = block.get("type")
    if kind in ("thinking", "redacted_thinking", "tool_use") and role != "assistant":
        raise _violation((*loc, "type"), f"{kind!r} block outside an assistant message")
    if kind == "tool_result" and role != "user":
        raise _violation((*loc, "type"), "'tool_result' block outside a user message")
    if kind == "thinking" and not block.get("signature"):
        raise _violation((*loc, "signature"), "thinking block needs a non-empty signature")
    elif kind == "tool_use":
        _check_tool_id(block.get("id"), (*loc, "id"))
        _check_tool_name(block.get("name"), (*loc, "name"), ANTHROPIC_TOOL_NAME)
    elif kind == "tool_result":
        _check_tool_id(block.get("tool_use_id"), (*loc, "tool_use_id"))
    _check_content_block(block, loc)


def _check_content_block(block: Mapping[str, Any], loc: Loc) -> None:
    """Rules for a block wherever it sits: in a message, or nested in another block."""
    kind = block.get("type")
    if kind == "text":
        _check_text_not_blank(block, loc)
    elif kind in ("image", "document"):
        source = block.get("source")
        if isinstance(source, dict) and source.get("type") == "url":
            _check_not_gemini_file(source.get("url"), (*loc, "source", "url"))
    for inner_loc, inner in _nested_blocks(block, loc):
        _check_content_block(inner, inner_loc)


def _nested_blocks(block: Mapping[str, Any], loc: Loc) -> list[tuple[Loc, Mapping[str, Any]]]:
    """The blocks inside a tool_result, a search_result or a document with a content source."""
    kind, source = block.get("type"), block.get("source")
    if kind in ("tool_result", "search_result"):
        inner, inner_loc = block.get("content"), (*loc, "content")
    elif kind == "document" and isinstance(source, dict) and source.get("type") == "content":
        inner, inner_loc = source.get("content"), (*loc, "source", "content")
    else:
        return []
    # A string content (tool_result, content source) holds no blocks.
    return list(_dict_items(inner, inner_loc)) if isinstance(inner, list) else []


def _check_text_not_blank(block: Mapping[str, Any], loc: Loc) -> None:
    text = block.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _violation((*loc, "text"), "text block is empty or whitespace-only")


def _check_tool_id(tool_id: object, loc: Loc) -> None:
    if not isinstance(tool_id, str) or not ANTHROPIC_TOOL_ID.fullmatch(tool_id):
        raise _violation(loc, f"tool id {tool_id!r} does not match {ANTHROPIC_TOOL_ID.pattern}")


def _check_tool_results_first(blocks: list[tuple[Loc, Mapping[str, Any]]]) -> None:
    other: Loc | None = None  # first block that is not a tool_result
    for loc, block in blocks:
        if block.get("type") != "tool_result":
            other = other or loc
        elif other is not None:
            raise _violation(
                loc, f"tool_result blocks must come first, but {format_path(other)} precedes it"
            )


def _anthropic_tool_uses(
    blocks: list[tuple[Loc, Mapping[str, Any]]], loc: Loc
) -> _OpenCalls | None:
    calls = _OpenCalls("tool_use", loc)
    for block_loc, block in blocks:
        if block.get("type") == "tool_use":
            if block["id"] in calls.ids:
                raise _violation((*block_loc, "id"), f"duplicate tool_use id {block['id']!r}")
            calls.ids[block["id"]] = (*block_loc, "id")
    return calls if calls.ids else None


def _answer_tool_uses(
    blocks: list[tuple[Loc, Mapping[str, Any]]],
    open_calls: _OpenCalls,
    msg_loc: Loc,
    *,
    paused: bool,
) -> None:
    """The user message right after tool_use blocks must answer every one of them (unless
    it ends a paused run)."""
    for loc, block in blocks:
        if block.get("type") == "tool_result":
            open_calls.answer(block.get("tool_use_id"), (*loc, "tool_use_id"))
    if not paused:
        open_calls.require_all_answered(by=msg_loc)


# =========================================================================== Gemini


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(word.capitalize() for word in rest)


def _key(obj: Mapping[str, Any], snake: str) -> str | None:
    """The spelling of field ``snake`` used in ``obj`` (lowerCamelCase or snake_case)."""
    for key in (_camel(snake), snake):
        if key in obj:
            return key
    return None


def _get(obj: Mapping[str, Any], snake: str) -> Any:
    key = _key(obj, snake)
    return obj[key] if key is not None else None


@dataclass
class _GeminiCall:
    loc: Loc  # of the functionCall object
    name: object
    call_id: object
    answered: bool = False


@dataclass
class _GeminiTurn:
    loc: Loc
    role: str
    calls: list[_GeminiCall] = field(default_factory=list)
    responses: list[tuple[Loc, Mapping[str, Any]]] = field(default_factory=list)


def check_gemini_rules(contents: list[Any], system_instruction: object = None) -> None:
    """Roles, function call/response pairing and names, response objects, media, thoughts."""
    previous: _GeminiTurn | None = None
    last = len(_list(contents, ("items",))) - 1
    for content_loc, content in _dict_items(_list(contents, ("items",)), ("items",)):
        turn = _gemini_turn(content, content_loc)
        # The tool run is paused when nothing but some of its responses follow.
        paused = content_loc[1] == last and len(content.get("parts") or ()) == len(turn.responses)
        _answer_function_calls(turn, previous, paused=paused)
        _check_call_position(turn, previous)
        previous = turn
    # calls of the last content may be unanswered: a paused tool run.
    if system_instruction is not None:
        _check_system_instruction(_obj(system_instruction, ("system_instruction",)))


def _gemini_turn(content: Mapping[str, Any], loc: Loc) -> _GeminiTurn:
    role = content.get("role")
    if role not in _GEMINI_ROLES:
        message = (
            "missing role" if role is None else f"role must be 'user' or 'model', got {role!r}"
        )
        raise _violation((*loc, "role"), message)
    turn = _GeminiTurn(loc, str(role))
    for part_loc, part in _dict_items(
        _list(content.get("parts"), (*loc, "parts")), (*loc, "parts")
    ):
        _check_gemini_part(part, turn.role, part_loc)
        call_key = _key(part, "function_call")
        if call_key is not None:
            call = _obj(part[call_key], (*part_loc, call_key))
            turn.calls.append(_GeminiCall((*part_loc, call_key), call.get("name"), call.get("id")))
        response_key = _key(part, "function_response")
        if response_key is not None:
            turn.responses.append(((*part_loc, response_key), part[response_key]))
    return turn


def _check_gemini_part(part: Mapping[str, Any], role: str, loc: Loc) -> None:
    if part.get("text") == "" and set(part) == {"text"}:
        raise _violation((*loc, "text"), "Gemini rejects a part of empty text")
    if part.get("thought") is True and role != "model":
        raise _violation((*loc, "thought"), f"thought part in a {role!r} content")
    call_key = _key(part, "function_call")
    if call_key is not None:
        if role != "model":
            raise _violation((*loc, call_key), f"functionCall in a {role!r} content")
        call = _obj(part[call_key], (*loc, call_key))
        _check_function_name(call, (*loc, call_key), "functionCall")
    response_key = _key(part, "function_response")
    if response_key is not None:
        if role != "user":
            raise _violation((*loc, response_key), f"functionResponse in a {role!r} content")
        response = _obj(part[response_key], (*loc, response_key))
        _check_function_name(response, (*loc, response_key), "functionResponse")
        _check_function_response(response, (*loc, response_key))
    _check_media(part, loc)


def _check_function_name(function: Mapping[str, Any], loc: Loc, kind: str) -> None:
    name = function.get("name")
    if not _nonempty_str(name):
        raise _violation((*loc, "name"), f"{kind} needs a non-empty name")
    if not GEMINI_FUNCTION_NAME.fullmatch(str(name)):
        raise _violation(
            (*loc, "name"), f"function name {name!r} does not match {GEMINI_FUNCTION_NAME.pattern}"
        )


def _check_function_response(response: Mapping[str, Any], loc: Loc) -> None:
    if not isinstance(response.get("response"), dict):
        kind = json_kind(response.get("response"))
        raise _violation(
            (*loc, "response"), f"functionResponse.response must be an object, got {kind}"
        )


def _check_media(part: Mapping[str, Any], loc: Loc) -> None:
    inline_key = _key(part, "inline_data")
    if inline_key is not None:
        blob = _obj(part[inline_key], (*loc, inline_key))
        if not _nonempty_str(_get(blob, "mime_type")) or not _nonempty_str(blob.get("data")):
            raise _violation((*loc, inline_key), "inlineData needs mimeType and data")
    file_key = _key(part, "file_data")
    if file_key is not None:
        file = _obj(part[file_key], (*loc, file_key))
        if not _nonempty_str(_get(file, "file_uri")):
            raise _violation((*loc, file_key), "fileData needs a fileUri")


def _nonempty_str(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def _answer_function_calls(
    turn: _GeminiTurn, previous: _GeminiTurn | None, *, paused: bool
) -> None:
    """``turn`` must answer exactly the calls of ``previous``, one response per call (some
    of them, when it ends a paused run)."""
    calls = previous.calls if previous is not None else []
    if calls and turn.role != "user":
        owner = format_path(calls[0].loc[:2])
        raise _violation(
            (*turn.loc, "role"), f"must be 'user' to answer the functionCalls of {owner}"
        )
    for loc, response in turn.responses:
        _match_response(response, loc, calls, previous)
    for call in calls:
        if not call.answered and not paused:
            label = _call_label(call.name, call.call_id)
            raise _violation(
                call.loc, f"functionCall {label} is not answered by {format_path(turn.loc)}"
            )


def _match_response(
    response: Mapping[str, Any], loc: Loc, calls: list[_GeminiCall], previous: _GeminiTurn | None
) -> None:
    """Pair by id when the response has one, else the oldest id-less call with that name."""
    response_id, name = response.get("id"), response.get("name")
    if response_id is not None:
        candidates = [call for call in calls if call.call_id == response_id]
    else:
        candidates = [call for call in calls if call.call_id is None and call.name == name]
    label = _call_label(name, response_id)
    open_ones = [call for call in candidates if not call.answered]
    if open_ones:
        open_ones[0].answered = True
    elif candidates:
        raise _violation(
            loc, f"functionResponse {label} answers a functionCall that is already answered"
        )
    else:
        owner = format_path(previous.loc) if previous is not None else "a preceding content"
        raise _violation(loc, f"functionResponse {label} answers no functionCall of {owner}")


def _call_label(name: object, call_id: object) -> str:
    return f"{name!r}" if call_id is None else f"{name!r} (id {call_id!r})"


def _check_call_position(turn: _GeminiTurn, previous: _GeminiTurn | None) -> None:
    if turn.calls and previous is not None and previous.role != "user":
        before = f"{format_path(previous.loc)} is {previous.role!r}"
        raise _violation(
            turn.calls[0].loc, f"a function-call turn must follow a user turn; {before}"
        )


def _check_system_instruction(instruction: Mapping[str, Any]) -> None:
    loc: Loc = ("system_instruction", "parts")
    for part_loc, part in _dict_items(_list(instruction.get("parts"), loc), loc):
        # The API takes text only as system instruction, and no empty text part.
        if not isinstance(part.get("text"), str) or part.get("thought") is True:
            raise _violation(part_loc, "system instruction parts must be text parts")
        if part["text"] == "":
            raise _violation((*part_loc, "text"), "Gemini rejects a part of empty text")


# =========================================================================== OpenAI Responses

# Each call item type and the output item type that answers it.
_RESPONSES_CALLS = {
    "function_call": "function_call_output",
    "custom_tool_call": "custom_tool_call_output",
    "computer_call": "computer_call_output",
}
_RESPONSES_OUTPUTS = {output: call for call, output in _RESPONSES_CALLS.items()}
# Messages that go on with the conversation: a tool run must be closed before them.
_RESPONSES_TURN_ROLES = ("user", "system", "developer")
_RESPONSES_ASSISTANT_PARTS = ("output_text", "refusal")
# Item ids: the API rejects other characters and longer ids ("Invalid 'input[2].id': string
# too long. Expected a string with maximum length 64"; "Expected an ID that contains letters,
# numbers, underscores, or dashes"), and ids whose prefix does not fit the item type
# ("Invalid 'input[3].id': 'call_...'. Expected an ID that begins with 'fc'.", error code
# invalid_id_prefix). Only the prefixes seen in such API errors are checked.
RESPONSES_ITEM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
RESPONSES_ID_PREFIXES = {
    "message": "msg",  # an output message (the only message item with an id)
    "function_call": "fc",
    "custom_tool_call": "ctc",
    "reasoning": "rs",
    "web_search_call": "ws",
}
# "Invalid 'input[].call_id': string too long. Expected max length 64."
RESPONSES_CALL_ID_MAX = 64
_IMAGE_DATA_URL = re.compile(r"^data:image/[a-zA-Z0-9.+-]+;base64,")
_ANY_DATA_URL = re.compile(r"^data:[a-zA-Z0-9.+-]+/[a-zA-Z0-9.+-]+;base64,")


@dataclass
class _ResponsesCall:
    kind: str  # function_call / custom_tool_call / computer_call
    loc: Loc  # of its call_id
    answered: Loc | None = None  # the call_id of its output item


def check_openai_responses_rules(items: list[Any]) -> None:
    """Call/output pairing and order, ids, tool names, message parts, media of Responses items.

    Every function_call / custom_tool_call / computer_call is answered by a later output item of
    the matching type with its call_id, before the conversation goes on; calls still open at the
    end are allowed (a paused agent run: only the model's items and outputs follow them).
    """
    calls: dict[str, _ResponsesCall] = {}
    item_ids: dict[object, Loc] = {}  # an id names one item (a reference names another)
    after_output = False  # the previous item is an output item
    for loc, item in _dict_items(_list(items, ("items",)), ("items",)):
        kind = _responses_kind(item)
        _check_responses_item_id(item, kind, loc)
        if kind != "item_reference" and item.get("id") is not None:
            if item["id"] in item_ids:
                raise _violation(
                    (*loc, "id"),
                    f"duplicate item id {item['id']!r} (of {format_path(item_ids[item['id']])})",
                )
            item_ids[item["id"]] = loc
        # A tool run is closed before the conversation goes on: before the next user, system
        # or developer message, and before the model's next response (any item of the model
        # after output items: the model answers only once it has every output).
        turn = kind == "message" and item.get("role") in _RESPONSES_TURN_ROLES
        if turn or (after_output and kind not in _RESPONSES_OUTPUTS):
            _require_responses_answers(calls, by=loc)
        after_output = kind in _RESPONSES_OUTPUTS
        if kind == "message":
            _check_responses_message(item, item.get("role"), loc)
        elif kind in _RESPONSES_CALLS:
            _declare_responses_call(item, str(kind), loc, calls)
        elif kind in _RESPONSES_OUTPUTS:
            _answer_responses_call(item, str(kind), loc, calls)
            _check_responses_output(item, str(kind), loc)
    # Calls still open here: a paused agent run (only the model's items follow), allowed.


def _responses_kind(item: Mapping[str, Any]) -> object:
    """The item type; an item without one is a message (with a role) or an item_reference."""
    kind = item.get("type")
    if kind is None:
        return "message" if "role" in item else "item_reference"
    return kind


def _check_responses_item_id(item: Mapping[str, Any], kind: object, loc: Loc) -> None:
    item_id = item.get("id")
    if item_id is None:
        return
    if not isinstance(item_id, str) or not RESPONSES_ITEM_ID.fullmatch(item_id):
        raise _violation(
            (*loc, "id"), f"item id {item_id!r} does not match {RESPONSES_ITEM_ID.pattern}"
        )
    prefix = RESPONSES_ID_PREFIXES.get(str(kind))
    if prefix is not None and not item_id.startswith(prefix):
        raise _violation(
            (*loc, "id"), f"the id of a {kind} item must begin with {prefix!r}, got {item_id!r}"
        )


def _require_responses_answers(calls: dict[str, _ResponsesCall], by: Loc) -> None:
    for call_id, call in calls.items():
        if call.answered is None:
            raise _violation(
                call.loc, f"{call.kind} {call_id!r} is not answered before {format_path(by)}"
            )


def _declare_responses_call(
    item: Mapping[str, Any], kind: str, loc: Loc, calls: dict[str, _ResponsesCall]
) -> None:
    if kind != "computer_call":
        _check_tool_name(item.get("name"), (*loc, "name"), OPENAI_TOOL_NAME)
    call_id = item.get("call_id")
    id_loc = (*loc, "call_id")
    if not isinstance(call_id, str) or not call_id:
        raise _violation(id_loc, f"{kind} has no call_id")
    if len(call_id) > RESPONSES_CALL_ID_MAX:
        raise _violation(id_loc, f"call_id is longer than {RESPONSES_CALL_ID_MAX} characters")
    if call_id in calls:
        where = format_path(calls[call_id].loc)
        raise _violation(id_loc, f"duplicate call_id {call_id!r} (also at {where})")
    calls[call_id] = _ResponsesCall(kind, id_loc)


def _answer_responses_call(
    item: Mapping[str, Any], kind: str, loc: Loc, calls: dict[str, _ResponsesCall]
) -> None:
    call_id = item.get("call_id")
    id_loc = (*loc, "call_id")
    if not isinstance(call_id, str):
        raise _violation(id_loc, f"{kind} has no call_id")
    wanted = _RESPONSES_OUTPUTS[kind]
    call = calls.get(call_id)
    if call is None:
        raise _violation(id_loc, f"{call_id!r} answers no {wanted} earlier in the items")
    if call.kind != wanted:
        where = format_path(call.loc)
        raise _violation(id_loc, f"{call_id!r} is a {call.kind} ({where}), not a {wanted}")
    if call.answered is not None:
        where = format_path(call.answered)
        raise _violation(id_loc, f"{wanted} {call_id!r} is already answered by {where}")
    call.answered = id_loc


def _check_responses_message(item: Mapping[str, Any], role: object, loc: Loc) -> None:
    content = item.get("content")
    if not isinstance(content, list):
        return
    for part_loc, part in _dict_items(content, (*loc, "content")):
        kind = part.get("type")
        if role == "assistant" and kind not in _RESPONSES_ASSISTANT_PARTS:
            raise _violation(
                (*part_loc, "type"),
                f"assistant message content holds only 'output_text' and 'refusal' parts, "
                f"got {kind!r}",
            )
        if role != "assistant" and kind in _RESPONSES_ASSISTANT_PARTS:
            raise _violation(
                (*part_loc, "type"), f"{role!r} message content cannot hold {kind!r} parts"
            )
        _check_responses_part(part, part_loc)


def _check_responses_output(item: Mapping[str, Any], kind: str, loc: Loc) -> None:
    output = item.get("output")
    if kind == "computer_call_output":
        _check_screenshot(_obj(output, (*loc, "output")), (*loc, "output"))
    elif isinstance(output, list):
        for part_loc, part in _dict_items(output, (*loc, "output")):
            _check_responses_part(part, part_loc)


def _check_responses_part(part: Mapping[str, Any], loc: Loc) -> None:
    """input_image / input_file parts, in a message or in a tool output."""
    kind = part.get("type")
    if kind == "input_image":
        if part.get("image_url") is None and part.get("file_id") is None:
            raise _violation(loc, "input_image needs an image_url or a file_id")
        if part.get("image_url") is not None:
            _check_image_url(part["image_url"], (*loc, "image_url"))
        if part.get("file_id") is not None:
            _check_not_gemini_file(part["file_id"], (*loc, "file_id"))
    elif kind == "input_file":
        _check_input_file(part, loc)


def _check_screenshot(screenshot: Mapping[str, Any], loc: Loc) -> None:
    if screenshot.get("image_url") is None and screenshot.get("file_id") is None:
        raise _violation(loc, "computer_screenshot needs an image_url or a file_id")
    if screenshot.get("image_url") is not None:
        _check_image_url(screenshot["image_url"], (*loc, "image_url"))
    if screenshot.get("file_id") is not None:
        _check_not_gemini_file(screenshot["file_id"], (*loc, "file_id"))


def _check_image_url(url: object, loc: Loc) -> None:
    """An http(s) URL, or a ``data:image/<type>;base64,`` URL with valid base64."""
    if not isinstance(url, str):
        raise _violation(loc, f"image_url must be a string, got {json_kind(url)}")
    if url.startswith("data:"):
        match = _IMAGE_DATA_URL.match(url)
        if match is None:
            head = url.split(",", 1)[0][:40]
            raise _violation(
                loc, f"image data URL must be data:image/<type>;base64,..., got {head!r}"
            )
        if not _is_base64(url[match.end() :]):
            raise _violation(loc, "image data URL is not valid base64")
        return
    _check_not_gemini_file(url, loc)
    if not _is_http_url(url):
        raise _violation(loc, f"{url[:60]!r} is neither an http(s) URL nor a data: URL")


def _check_input_file(part: Mapping[str, Any], loc: Loc) -> None:
    given = [key for key in ("file_data", "file_id", "file_url") if part.get(key) is not None]
    if len(given) != 1:
        got = ", ".join(given) or "none"
        raise _violation(
            loc, f"input_file needs exactly one of file_data, file_id, file_url; got {got}"
        )
    if "file_data" in given:
        data, data_loc = part["file_data"], (*loc, "file_data")
        match = _ANY_DATA_URL.match(data) if isinstance(data, str) else None
        if match is None:
            head = data.split(",", 1)[0][:40] if isinstance(data, str) else json_kind(data)
            raise _violation(data_loc, f"file_data must be data:<mime>;base64,..., got {head!r}")
        if not _is_base64(data[match.end() :]):
            raise _violation(data_loc, "file_data is not valid base64")
        filename = part.get("filename")
        if not isinstance(filename, str) or not filename:
            raise _violation((*loc, "filename"), "file_data needs a filename")
    elif "file_url" in given:
        url, url_loc = part["file_url"], (*loc, "file_url")
        _check_not_gemini_file(url, url_loc)
        if not isinstance(url, str) or not _is_http_url(url):
            raise _violation(url_loc, f"file_url must be an http(s) URL, got {url!r:.60}")
    else:
        _check_not_gemini_file(part["file_id"], (*loc, "file_id"))


def _is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
