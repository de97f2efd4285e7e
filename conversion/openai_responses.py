"""OpenAI Responses API input items (``ResponseInputItemParam``) <-> canonical.

One stored message is one input item: a message, a function call, its output, a reasoning
item... An assistant turn is therefore several stored messages (reasoning, text, calls), and
the conversation arranges them as one turn (``conversation.py``).

Where the data lives in the canonical form:

- what Chat Completions shares with this format (a file id, an image's detail, the refusal
  and custom-tool flags) sits under ``meta["openai"]``, as the Chat Completions reader puts it,
  so that either OpenAI format carries it;
- what only this format knows sits under ``meta["openai_responses"]``: item fields the
  canonical model has no place for (``id``, ``status``, ``phase``, ``namespace``...) on the
  message; annotations, prompt-cache breakpoints and file detail on the part; a reasoning
  item on its thinking part; and every built-in tool item (web search, file search, computer,
  code interpreter, image generation, shell, MCP...) and item reference whole, as a ``data``
  part, replayed to this format only.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

from conversion import documents, media
from conversion.canonical import (
    InvalidMessage,
    JSONObject,
    make_message,
    make_part,
    provider_meta,
)
from conversion.conversation import Conversation, Entry, Piece
from conversion.fields import (
    dump_json,
    expect_bool,
    expect_list,
    expect_object,
    expect_str,
    extras,
    one_of,
    optional_str,
    require,
    required_str,
    type_name,
)

PROVIDER = "openai_responses"
# Data shared with Chat Completions (see the module docstring).
OPENAI = "openai"
# The enumerations the reader accepts: each one is the openai SDK's own Literal (the test
# tests/conversion/test_sdk_enumerations.py reads them from the installed SDK).
ROLES = ("user", "assistant", "system", "developer")
STATUSES = ("in_progress", "completed", "incomplete")
PHASES = ("commentary", "final_answer")
IMAGE_DETAILS = ("low", "high", "auto", "original")
FILE_DETAILS = ("auto", "low", "high")
# ``input_audio`` is no longer in the SDK's message content list, but the SDK still defines
# the part and earlier SDKs listed it: it is read, and replayed only verbatim.
INPUT_PART_TYPES = ("input_text", "input_image", "input_file", "input_audio")
OUTPUT_PART_TYPES = ("output_text", "refusal")
ASSISTANT_PART_TYPES = ("input_text", "input_image", "input_file", *OUTPUT_PART_TYPES)
TOOL_OUTPUT_PART_TYPES = ("input_text", "input_image", "input_file")
AUDIO_FORMATS = tuple(media.OPENAI_AUDIO_FORMATS)
# Built-in tool items and the rest of the SDK's item union, kept whole: the canonical role
# each one takes (the model's calls are the assistant's; what the client answers, the user's)
# and the keys the SDK requires of it.
KEPT_ITEMS: dict[str, tuple[str, frozenset[str]]] = {
    "file_search_call": ("assistant", frozenset(("id", "queries", "status"))),
    "computer_call": (
        "assistant",
        frozenset(("call_id", "id", "pending_safety_checks", "status")),
    ),
    "computer_call_output": ("user", frozenset(("call_id", "output"))),
    "web_search_call": ("assistant", frozenset(("action", "id", "status"))),
    "tool_search_call": ("assistant", frozenset(("arguments",))),
    "tool_search_output": ("user", frozenset(("tools",))),
    "additional_tools": ("user", frozenset(("role", "tools"))),
    "configuration_update": ("user", frozenset()),
    "compaction": ("assistant", frozenset(("encrypted_content",))),
    "compaction_trigger": ("user", frozenset()),
    "image_generation_call": ("assistant", frozenset(("id", "result", "status"))),
    "code_interpreter_call": (
        "assistant",
        frozenset(("code", "container_id", "id", "outputs", "status")),
    ),
    "local_shell_call": ("assistant", frozenset(("action", "call_id", "id", "status"))),
    "local_shell_call_output": ("user", frozenset(("id", "output"))),
    "shell_call": ("assistant", frozenset(("action", "call_id"))),
    "shell_call_output": ("user", frozenset(("call_id", "output"))),
    "apply_patch_call": ("assistant", frozenset(("call_id", "operation", "status"))),
    "apply_patch_call_output": ("user", frozenset(("call_id", "status"))),
    "mcp_list_tools": ("assistant", frozenset(("id", "server_label", "tools"))),
    "mcp_approval_request": ("assistant", frozenset(("arguments", "id", "name", "server_label"))),
    "mcp_approval_response": ("user", frozenset(("approval_request_id", "approve"))),
    "mcp_call": ("assistant", frozenset(("arguments", "id", "name", "server_label"))),
    "program": ("assistant", frozenset(("call_id", "code", "fingerprint", "id"))),
    "program_output": ("user", frozenset(("call_id", "id", "result", "status"))),
    # A reference to an item OpenAI stored: only OpenAI can resolve it. Its role is unknown;
    # as the user's it never splits an assistant turn from the outputs that answer it.
    "item_reference": ("user", frozenset(("id",))),
}


class FieldType(NamedTuple):
    """What the SDK allows at one top-level field of a kept item, in any of the item's shapes:
    the input TypedDict, or the pydantic model of the input or output item (clients append a
    response's output to the next input, nulls and all, and the API accepts it). Only that
    level is checked (and the strings of a list of strings): what a nested object or list holds
    is left to the API, which alone replays these items."""

    # "any" is the SDK's ``object``: any JSON value.
    kind: Literal["str", "bool", "number", "object", "list", "list_of_str", "literal", "any"]
    values: tuple[str, ...] = ()  # a Literal's values, in the SDK's order
    nullable: bool = False


STR = FieldType("str")
STR_OR_NULL = FieldType("str", nullable=True)
OBJECT = FieldType("object")
OBJECT_OR_NULL = FieldType("object", nullable=True)
LIST = FieldType("list")
LIST_OR_NULL = FieldType("list", nullable=True)
STATUS = FieldType("literal", STATUSES)
STATUS_OR_NULL = FieldType("literal", STATUSES, nullable=True)
CREATED_BY = STR_OR_NULL  # only on output items, but replayed with them
SEARCH_STATUS = FieldType(
    "literal", ("in_progress", "searching", "completed", "incomplete", "failed")
)
EXECUTION_OR_NULL = FieldType("literal", ("server", "client"), nullable=True)
# The input TypedDict allows "developer" only; the output models, any role of the API.
ADDITIONAL_TOOLS_ROLES = (
    *("developer", "unknown", "user", "assistant"),
    *("system", "critic", "discriminator", "tool"),
)
# The top-level fields the SDK defines for each kept item but its type, in any of its shapes
# (the test tests/conversion/test_sdk_enumerations.py derives them from the installed SDK). A
# field the SDK does not define yet passes unchecked: the API may be newer than this table.
KEPT_ITEM_FIELDS: dict[str, dict[str, FieldType]] = {
    "file_search_call": {
        "id": STR,
        "queries": FieldType("list_of_str"),
        "status": SEARCH_STATUS,
        "results": LIST_OR_NULL,
    },
    "computer_call": {
        "id": STR,
        "call_id": STR,
        "pending_safety_checks": LIST,
        "status": STATUS,
        "action": OBJECT_OR_NULL,
        "actions": LIST_OR_NULL,
    },
    "computer_call_output": {
        "call_id": STR,
        "output": OBJECT,
        "id": STR_OR_NULL,
        "acknowledged_safety_checks": LIST_OR_NULL,
        "status": FieldType("literal", (*STATUSES, "failed"), nullable=True),
        "created_by": CREATED_BY,
    },
    "web_search_call": {"id": STR, "action": OBJECT, "status": SEARCH_STATUS},
    "tool_search_call": {
        "arguments": FieldType("any"),
        "id": STR_OR_NULL,
        "call_id": STR_OR_NULL,
        "execution": EXECUTION_OR_NULL,
        "status": STATUS_OR_NULL,
        "created_by": CREATED_BY,
    },
    "tool_search_output": {
        "tools": LIST,
        "id": STR_OR_NULL,
        "call_id": STR_OR_NULL,
        "execution": EXECUTION_OR_NULL,
        "status": STATUS_OR_NULL,
        "created_by": CREATED_BY,
    },
    "additional_tools": {
        "role": FieldType("literal", ADDITIONAL_TOOLS_ROLES),
        "tools": LIST,
        "id": STR_OR_NULL,
    },
    "configuration_update": {
        "id": STR_OR_NULL,
        "reasoning": OBJECT_OR_NULL,
        "text": OBJECT_OR_NULL,
    },
    "compaction": {"encrypted_content": STR, "id": STR_OR_NULL, "created_by": CREATED_BY},
    "compaction_trigger": {"id": STR_OR_NULL},
    "image_generation_call": {
        "id": STR,
        "result": STR_OR_NULL,
        "status": FieldType("literal", ("in_progress", "completed", "generating", "failed")),
        "action": FieldType("literal", ("generate", "edit", "auto"), nullable=True),
        "background": FieldType("literal", ("transparent", "opaque", "auto"), nullable=True),
        "error": OBJECT_OR_NULL,
        "output_format": FieldType("literal", ("png", "webp", "jpeg", "gif", "svg"), nullable=True),
        "quality": FieldType(
            "literal", ("low", "medium", "high", "xhigh", "max", "auto"), nullable=True
        ),
        "revised_prompt": STR_OR_NULL,
        # The SDK lists the usual sizes, but any string is allowed.
        "size": STR_OR_NULL,
        "svg_usage": OBJECT_OR_NULL,
    },
    "code_interpreter_call": {
        "id": STR,
        "code": STR_OR_NULL,
        "container_id": STR,
        "outputs": LIST_OR_NULL,
        "status": FieldType(
            "literal", ("in_progress", "completed", "incomplete", "interpreting", "failed")
        ),
    },
    "local_shell_call": {"id": STR, "action": OBJECT, "call_id": STR, "status": STATUS},
    "local_shell_call_output": {"id": STR, "output": STR, "status": STATUS_OR_NULL},
    "shell_call": {
        "action": OBJECT,
        "call_id": STR,
        "id": STR_OR_NULL,
        "caller": OBJECT_OR_NULL,
        "environment": OBJECT_OR_NULL,
        "status": STATUS_OR_NULL,
        "created_by": CREATED_BY,
    },
    "shell_call_output": {
        "call_id": STR,
        "output": LIST,
        "id": STR_OR_NULL,
        "caller": OBJECT_OR_NULL,
        "max_output_length": FieldType("number", nullable=True),
        "status": STATUS_OR_NULL,
        "created_by": CREATED_BY,
    },
    "apply_patch_call": {
        "call_id": STR,
        "operation": OBJECT,
        "status": FieldType("literal", ("in_progress", "completed")),
        "id": STR_OR_NULL,
        "caller": OBJECT_OR_NULL,
        "created_by": CREATED_BY,
    },
    "apply_patch_call_output": {
        "call_id": STR,
        "status": FieldType("literal", ("completed", "failed")),
        "id": STR_OR_NULL,
        "caller": OBJECT_OR_NULL,
        "output": STR_OR_NULL,
        "created_by": CREATED_BY,
    },
    "mcp_list_tools": {"id": STR, "server_label": STR, "tools": LIST, "error": STR_OR_NULL},
    "mcp_approval_request": {"id": STR, "arguments": STR, "name": STR, "server_label": STR},
    "mcp_approval_response": {
        "approval_request_id": STR,
        "approve": FieldType("bool"),
        "id": STR_OR_NULL,
        "reason": STR_OR_NULL,
    },
    "mcp_call": {
        "id": STR,
        "arguments": STR,
        "name": STR,
        "server_label": STR,
        "approval_request_id": STR_OR_NULL,
        "error": OBJECT_OR_NULL,
        "output": STR_OR_NULL,
        "status": FieldType(
            "literal",
            ("in_progress", "completed", "incomplete", "calling", "failed"),
            nullable=True,
        ),
    },
    "program": {"id": STR, "call_id": STR, "code": STR, "fingerprint": STR},
    "program_output": {
        "id": STR,
        "call_id": STR,
        "result": STR,
        "status": FieldType("literal", ("completed", "incomplete")),
    },
    "item_reference": {"id": STR},
}
# The built-in tools' outputs and how each names its call (output key, call type, call key):
# the API refuses an output whose call is not before it.
KEPT_OUTPUTS = {
    "computer_call_output": ("call_id", "computer_call", "call_id"),
    "shell_call_output": ("call_id", "shell_call", "call_id"),
    "apply_patch_call_output": ("call_id", "apply_patch_call", "call_id"),
    "program_output": ("call_id", "program", "call_id"),
    "mcp_approval_response": ("approval_request_id", "mcp_approval_request", "id"),
}
# The key that names each of those calls.
KEPT_CALL_KEYS = {call_type: call_key for _, call_type, call_key in KEPT_OUTPUTS.values()}
MODELED_ITEMS = (
    "message",
    "function_call",
    "function_call_output",
    "custom_tool_call",
    "custom_tool_call_output",
    "reasoning",
)
ITEM_TYPES = (*MODELED_ITEMS, *KEPT_ITEMS)
# Message-level canonical meta this format expresses (none: its messages have no name).
MESSAGE_FIELDS: frozenset[str] = frozenset()


# --- Responses -> canonical -----------------------------------------------------------------


def to_canonical(blob: Any) -> JSONObject:
    item = expect_object(blob, "blob")
    kind = item.get("type")
    if kind is None:
        # Both a message and an item reference may leave out their type.
        if "role" in item:
            return _message(item)
        if "id" in item:
            return _kept_item(item, "item_reference")
        raise InvalidMessage("blob.type", "is required (a message may give a role instead)")
    kind = one_of(kind, ITEM_TYPES, "blob.type")
    if kind == "message":
        return _message(item)
    if kind in ("function_call", "custom_tool_call"):
        return _call(item, custom=kind == "custom_tool_call")
    if kind in ("function_call_output", "custom_tool_call_output"):
        return _tool_output(item, kind)
    if kind == "reasoning":
        return _reasoning(item)
    return _kept_item(item, kind)


def _own_fields(item: JSONObject, modeled: frozenset[str]) -> JSONObject:
    """The item's fields the canonical model has no place for, checked where the SDK fixes
    their values; kept for this format only."""
    own = extras(item, modeled)
    if own.get("id") is not None:
        expect_str(own["id"], "blob.id")
    if own.get("status") is not None:
        one_of(own["status"], STATUSES, "blob.status")
    if own.get("phase") is not None:
        one_of(own["phase"], PHASES, "blob.phase")
    return own


def _with_own(meta: JSONObject, own: JSONObject) -> JSONObject:
    if own:
        meta[PROVIDER] = own
    return meta


MESSAGE_KEYS = frozenset(("type", "role", "content"))


def _message(item: JSONObject) -> JSONObject:
    role = one_of(require(item, "role", "blob"), ROLES, "blob.role")
    content = require(item, "content", "blob")
    meta = _with_own({}, _own_fields(item, MESSAGE_KEYS))
    if isinstance(content, str):
        parts = [make_part("text", text=content)]
    else:
        allowed = ASSISTANT_PART_TYPES if role == "assistant" else INPUT_PART_TYPES
        parts = [
            _content_part(block, allowed, f"blob.content[{index}]")
            for index, block in enumerate(expect_list(content, "blob.content"))
        ]
        if any(_is_output_part(block) for block in content):
            _check_output_message(item)
    if role in ("system", "developer"):
        meta["role"] = role
        return make_message("user", parts, meta)
    return make_message(role, parts, meta)


def _is_output_part(block: object) -> bool:
    return isinstance(block, dict) and block.get("type") in OUTPUT_PART_TYPES


def _check_output_message(item: JSONObject) -> None:
    # Output text and refusals come in the output message form, which names its item.
    required_str(item, "id", "blob")
    require(item, "status", "blob")
    if item.get("type") != "message":
        raise InvalidMessage("blob.type", "an output message needs type 'message'")


def _content_part(value: object, allowed: tuple[str, ...], path: str) -> JSONObject:
    block = expect_object(value, path)
    kind = one_of(require(block, "type", path), allowed, f"{path}.type")
    if kind in ("input_text", "output_text"):
        part = make_part("text", text=required_str(block, "text", path))
        own = extras(block, frozenset(("type", "text", "annotations")))
        if kind == "output_text":
            annotations = expect_list(require(block, "annotations", path), f"{path}.annotations")
            if annotations:
                own["annotations"] = annotations
        return _with_part_data(part, own, {})
    if kind == "refusal":
        part = make_part("text", text=required_str(block, "refusal", path))
        return _with_part_data(
            part, extras(block, frozenset(("type", "refusal"))), {"refusal": True}
        )
    if kind == "input_image":
        return _image(block, path)
    if kind == "input_file":
        return _file(block, path)
    audio = expect_object(require(block, "input_audio", path), f"{path}.input_audio")
    data = media.check_base64(
        required_str(audio, "data", f"{path}.input_audio"), f"{path}.input_audio.data"
    )
    audio_format = one_of(
        require(audio, "format", f"{path}.input_audio"),
        AUDIO_FORMATS,
        f"{path}.input_audio.format",
    )
    part = make_part(
        "audio", meta={"data": data, "media_type": media.OPENAI_AUDIO_FORMATS[audio_format]}
    )
    return _with_part_data(part, extras(block, frozenset(("type", "input_audio"))), {})


def _with_part_data(part: JSONObject, own: JSONObject, shared: JSONObject) -> JSONObject:
    if own or shared:
        meta = part.setdefault("meta", {})
        if shared:
            meta[OPENAI] = shared
        if own:
            meta[PROVIDER] = own
    return part


def _image(block: JSONObject, path: str) -> JSONObject:
    url = optional_str(block, "image_url", path)
    file_id = optional_str(block, "file_id", path)
    if url is None and file_id is None:
        raise InvalidMessage(path, "needs image_url or file_id")
    meta = {} if url is None else media.url_source(url, f"{path}.image_url")
    shared: JSONObject = {}
    if file_id is not None:
        shared["file_id"] = file_id
    detail = block.get("detail")
    # "auto" is the default, and the SDK has every image in a message say so: read as
    # another format, it would warn of every image for nothing.
    if detail is not None and one_of(detail, IMAGE_DETAILS, f"{path}.detail") != "auto":
        shared["detail"] = detail
    own = extras(block, frozenset(("type", "image_url", "file_id", "detail")))
    return _with_part_data(make_part("image", meta=meta), own, shared)


def _file(block: JSONObject, path: str) -> JSONObject:
    file_data = optional_str(block, "file_data", path)
    file_id = optional_str(block, "file_id", path)
    file_url = optional_str(block, "file_url", path)
    if file_data is None and file_id is None and file_url is None:
        raise InvalidMessage(path, "needs file_data, file_id or file_url")
    meta: JSONObject = {}
    if file_data is not None:
        # Bare base64 without a data: prefix is taken as a PDF, as OpenAI documents it.
        media_type, data = media.split_data_url(file_data) or ("application/pdf", file_data)
        meta = {"data": media.check_base64(data, f"{path}.file_data"), "media_type": media_type}
    elif file_url is not None:
        meta = {"url": file_url}
        guessed = media.media_type_from_url(file_url)
        if guessed is not None:
            meta["media_type"] = guessed
    shared = {"file_id": file_id} if file_id is not None else {}
    own = extras(block, frozenset(("type", "file_data", "file_id", "file_url", "filename")))
    if own.get("detail") is not None:
        one_of(own["detail"], FILE_DETAILS, f"{path}.detail")
    if file_url is not None and file_data is not None:
        own["file_url"] = file_url  # the data is the file; the URL is kept beside it
    part = make_part("file", filename=optional_str(block, "filename", path), meta=meta)
    return _with_part_data(part, own, shared)


FUNCTION_CALL_KEYS = frozenset(("type", "call_id", "name", "arguments"))
CUSTOM_CALL_KEYS = frozenset(("type", "call_id", "name", "input"))


def _call(item: JSONObject, *, custom: bool) -> JSONObject:
    meta: JSONObject = {
        "id": required_str(item, "call_id", "blob"),
        "name": required_str(item, "name", "blob"),
        # A custom tool's free-form text input, not JSON, is kept as the arguments string.
        "arguments": required_str(item, "input" if custom else "arguments", "blob"),
    }
    if custom:
        meta[OPENAI] = {"custom": True}
    modeled = CUSTOM_CALL_KEYS if custom else FUNCTION_CALL_KEYS
    call = make_part("tool-call", meta=meta)
    return make_message("assistant", [call], _with_own({}, _own_fields(item, modeled)))


OUTPUT_KEYS = frozenset(("type", "call_id", "output"))


def _tool_output(item: JSONObject, kind: str) -> JSONObject:
    result: JSONObject = {}
    if kind == "custom_tool_call_output":
        result["tool_call_id"] = required_str(item, "call_id", "blob")
    else:
        call_id = optional_str(item, "call_id", "blob")
        if call_id is not None:
            result["tool_call_id"] = call_id
        # Without a call id, the function's name pairs the output with its call.
        name = optional_str(item, "name", "blob")
        if call_id is None:
            if name is None:
                raise InvalidMessage("blob.call_id", "is required (or the function's name)")
            result["name"] = name
    output = require(item, "output", "blob")
    if isinstance(output, str):
        part = make_part("tool-result", text=output, meta=result)
    else:
        nested = [
            _content_part(block, TOOL_OUTPUT_PART_TYPES, f"blob.output[{index}]")
            for index, block in enumerate(expect_list(output, "blob.output"))
        ]
        result["content"] = nested
        text = "\n".join(part["text"] for part in nested if part["type"] == "text")
        part = make_part("tool-result", text=text, meta=result)
    own = _own_fields(item, OUTPUT_KEYS | ({"name"} if "name" in result else set()))
    return make_message("user", [part], _with_own({}, own))


def _reasoning(item: JSONObject) -> JSONObject:
    required_str(item, "id", "blob")
    summary = expect_list(require(item, "summary", "blob"), "blob.summary")
    texts = [
        _reasoning_text(entry, "summary_text", f"blob.summary[{i}]")
        for i, entry in enumerate(summary)
    ]
    content = item.get("content")
    if content is not None:
        reasoning = [
            _reasoning_text(entry, "reasoning_text", f"blob.content[{i}]")
            for i, entry in enumerate(expect_list(content, "blob.content"))
        ]
        texts = texts or reasoning  # the summary is what people read; else the reasoning
    if item.get("encrypted_content") is not None:
        expect_str(item["encrypted_content"], "blob.encrypted_content")
    # The whole item (but its type) rides on the thinking part: only OpenAI can use it.
    own = _own_fields(item, frozenset(("type",)))
    thinking = make_part("thinking", text="\n\n".join(texts), meta={PROVIDER: own})
    return make_message("assistant", [thinking])


def _reasoning_text(value: object, kind: str, path: str) -> str:
    entry = expect_object(value, path)
    one_of(require(entry, "type", path), (kind,), f"{path}.type")
    return required_str(entry, "text", path)


def _kept_item(item: JSONObject, kind: str) -> JSONObject:
    role, required = KEPT_ITEMS[kind]
    for key in sorted(required):
        require(item, key, "blob")
    for key, field_type in KEPT_ITEM_FIELDS[kind].items():
        if key in item:
            _check_kept_field(item[key], field_type, f"blob.{key}")
    return make_message(role, [make_part("data", meta={PROVIDER: {"item": item}})])


def _check_kept_field(value: object, field_type: FieldType, path: str) -> None:
    if value is None and field_type.nullable:
        return
    match field_type.kind:
        case "str":
            expect_str(value, path)
        case "bool":
            expect_bool(value, path)
        case "number":
            # JSON has one number type for the SDK's int and float; Python counts a boolean
            # as an int, JSON does not.
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InvalidMessage(path, f"expected a number, got {type_name(value)}")
        case "object":
            expect_object(value, path)
        case "list":
            expect_list(value, path)
        case "list_of_str":
            for index, entry in enumerate(expect_list(value, path)):
                expect_str(entry, f"{path}[{index}]")
        case "literal":
            one_of(value, field_type.values, path)
        case "any":
            pass


# --- canonical -> Responses -----------------------------------------------------------------


def render(conversation: Conversation) -> None:
    """Each canonical message becomes one item or several (an assistant turn from another
    format splits into its text, its calls...); system messages stay in place."""
    custom_calls, kept_calls = _call_ids(conversation)
    for entry in conversation.entries:
        message = conversation.verbatim(entry)
        if message is not None and _missing_call(message.raw, kept_calls) is None:
            conversation.emit(message.raw, [message.id])
            continue
        conversation.note_message_data(entry, PROVIDER, MESSAGE_FIELDS)
        if entry.role == "system":
            _render_system(entry, conversation)
        elif entry.role == "assistant":
            _render_assistant(entry, conversation)
        else:
            _render_user(entry, conversation, custom_calls, kept_calls)


def _call_ids(conversation: Conversation) -> tuple[set[str], set[tuple[str, str]]]:
    """In one pass over the conversation: the ids of its custom tool calls (their outputs
    are custom too), and (call type, id) of its built-in tools' calls."""
    custom: set[str] = set()
    kept: set[tuple[str, str]] = set()
    for position, message in enumerate(conversation.messages):
        for index, part in enumerate(message.canonical["parts"]):
            if part["type"] == "tool-call" and provider_meta(part, OPENAI).get("custom"):
                custom.add(conversation.tool_id(Piece(message, position, index, part)))
            elif part["type"] == "data":
                item = provider_meta(part, PROVIDER).get("item") or {}
                call_key = KEPT_CALL_KEYS.get(str(item.get("type")))
                if call_key is not None and isinstance(item.get(call_key), str):
                    kept.add((item["type"], item[call_key]))
    return custom, kept


def _missing_call(item: JSONObject, kept_calls: set[tuple[str, str]]) -> str | None:
    """For a built-in tool's output whose call is not in the conversation: that call."""
    pairing = KEPT_OUTPUTS.get(str(item.get("type")))
    if pairing is None:
        return None
    output_key, call_type, _call_key = pairing
    if (call_type, item.get(output_key)) in kept_calls:
        return None
    return f"{call_type} {item.get(output_key)}"


def _item_fields(entry: Entry, pieces: list[Piece]) -> JSONObject:
    """The fields a stored item of this format kept (id, status, phase...), for the item
    rebuilt from ``pieces``: only when that item is the stored one rebuilt (not a placeholder
    answering its call, nor an output given as text, nor part of another format's message)."""
    own = provider_meta(entry.message.canonical, PROVIDER)
    if not own or not pieces:
        return {}
    parts = entry.message.canonical["parts"]
    if not all(any(piece.part is part for part in parts) for piece in pieces):
        return {}
    rebuilt = {piece.part["type"] for piece in pieces}
    stored = {part["type"] for part in parts}
    # A call or an output is an item of its own; a message holds the rest.
    items = {"tool-call", "tool-result"}
    return own if (rebuilt & items) == (stored & items) else {}


def _render_system(entry: Entry, conversation: Conversation) -> None:
    content = []
    for piece in entry.pieces:
        if piece.part["type"] == "text":
            conversation.note_provider_data(piece, PROVIDER)
            content.append(_text_part(piece.part, "input_text"))
        else:
            conversation.drop(piece, "unsupported_part", "a system prompt can only hold text")
    own = _item_fields(entry, entry.pieces)
    role = entry.message.canonical["meta"]["role"]
    conversation.emit({"role": role, "content": _collapse(content, own), **own}, [entry.message.id])


def _collapse(content: list[JSONObject], own: JSONObject) -> str | list[JSONObject]:
    # One plain text part reads best as a string; the Message form (with a status) takes
    # lists only.
    only = content[0] if len(content) == 1 else {}
    if only.get("type") == "input_text" and len(only) == 2 and "status" not in own:
        return str(content[0]["text"])
    return content


def _text_part(part: JSONObject, kind: str) -> JSONObject:
    block: JSONObject = {"type": kind, "text": part.get("text", "")}
    own = provider_meta(part, PROVIDER)
    if kind == "output_text":
        block["annotations"] = own.get("annotations", [])
    for key, value in own.items():
        if key != "annotations":
            block.setdefault(key, value)
    return block


def _render_user(
    entry: Entry,
    conversation: Conversation,
    custom_calls: set[str],
    kept_calls: set[tuple[str, str]],
) -> None:
    content: list[JSONObject] = []
    content_pieces: list[Piece] = []

    def flush() -> None:
        if content:
            own = _item_fields(entry, content_pieces)
            item = {"role": "user", "content": _collapse(list(content), own), **own}
            conversation.emit(item, [entry.message.id])
            content.clear()
            content_pieces.clear()

    for piece in entry.pieces:
        kind = piece.part["type"]
        if kind == "tool-result":
            flush()
            conversation.emit(
                _output_item(piece, conversation, custom_calls, _item_fields(entry, [piece])),
                [entry.message.id],
            )
        elif kind == "data":
            kept = provider_meta(piece.part, PROVIDER).get("item")
            if kept is None:
                conversation.drop_unsupported(piece, PROVIDER)
                continue
            flush()
            missing = _missing_call(kept, kept_calls)
            if missing is not None:
                conversation.warn(
                    piece,
                    "orphan_tool_result",
                    f"{missing} is not in this conversation or page; its output is given as "
                    "user text",
                )
                kept = _orphan_output_message(kept, missing)
            conversation.emit(kept, [entry.message.id])
        else:
            block = _input_block(piece, conversation)
            if block is not None:
                content.append(block)
                content_pieces.append(piece)
    flush()


def _orphan_output_message(output: JSONObject, call: str) -> JSONObject:
    """A built-in tool's output whose call is not before it (on an earlier page): the API
    refuses it as an output, so it is the user's message, as a function's result would be.
    Its fields go as JSON text; a computer's screenshot as the image it is."""
    call_key = KEPT_OUTPUTS[output["type"]][0]
    fields = {key: value for key, value in output.items() if key not in ("type", "id", call_key)}
    screenshot = fields.get("output") if output["type"] == "computer_call_output" else None
    image: JSONObject | None = None
    if isinstance(screenshot, dict) and (screenshot.get("image_url") or screenshot.get("file_id")):
        del fields["output"]
        image = {"type": "input_image", "detail": "auto"}
        image.update(
            (key, screenshot[key]) for key in ("image_url", "file_id") if screenshot.get(key)
        )
    text = f"Output of {call}" + (f":\n{dump_json(fields)}" if fields else "")
    content: list[JSONObject] = [{"type": "input_text", "text": text}]
    if image is not None:
        content.append(image)
    return {"role": "user", "content": content}


def _input_block(piece: Piece, conversation: Conversation) -> JSONObject | None:
    part = piece.part
    kind = part["type"]
    if kind == "text":
        conversation.note_provider_data(piece, PROVIDER)
        return _text_part(part, "input_text")
    if kind in ("image", "file", "audio", "video") and conversation.drop_foreign_reference(piece):
        return None
    meta = part.get("meta") or {}
    shared = provider_meta(part, OPENAI)
    block: JSONObject
    if kind == "image":
        if "url" in meta:
            block = {"type": "input_image", "image_url": meta["url"]}
        elif "data" in meta:
            block = {
                "type": "input_image",
                "image_url": media.data_url(meta.get("media_type"), meta["data"]),
            }
        elif "file_id" in shared:
            block = {"type": "input_image", "file_id": shared["file_id"]}
        else:
            conversation.drop(piece, "media_unsupported", "image without a URL, data or file id")
            return None
        block["detail"] = shared.get("detail", "auto")
        conversation.note_filename(piece)
    elif kind == "file":
        file_block = _file_block(piece, conversation)
        if file_block is None:
            return None
        block = file_block
    elif kind in ("audio", "video"):
        conversation.drop(piece, "media_unsupported", f"the Responses API takes no {kind} input")
        return None
    else:
        conversation.drop_unsupported(piece, PROVIDER)
        return None
    conversation.note_provider_data(piece, PROVIDER)
    for key, value in provider_meta(part, PROVIDER).items():
        block.setdefault(key, value)
    return block


def _file_block(piece: Piece, conversation: Conversation) -> JSONObject | None:
    """Documents go as files (the Responses API reads PDFs, office and text files), except
    text documents, which go as text, title first, like every text."""
    part = piece.part
    meta = part.get("meta") or {}
    text = documents.text_of(part)
    if text is not None:
        return {"type": "input_text", "text": documents.as_text(part, text)}
    media_type = meta.get("media_type") or "application/pdf"
    block: JSONObject = {"type": "input_file"}
    if "data" in meta:
        block["file_data"] = media.data_url(media_type, meta["data"])
        block["filename"] = part.get("filename") or _default_filename(media_type)
        return block
    if "url" in meta:
        block["file_url"] = meta["url"]
    elif "file_id" in provider_meta(part, OPENAI):
        block["file_id"] = provider_meta(part, OPENAI)["file_id"]
    else:
        conversation.drop(piece, "media_unsupported", "a document without data, URL or file id")
        return None
    if part.get("filename"):
        block["filename"] = part["filename"]
    return block


def _default_filename(media_type: str) -> str:
    extension = next(
        (ext for ext, known in media.MEDIA_TYPES_BY_EXTENSION.items() if known == media_type), ""
    )
    return f"document{extension}"


def _output_item(
    piece: Piece, conversation: Conversation, custom_calls: set[str], own: JSONObject
) -> JSONObject:
    part = piece.part
    meta = part["meta"]
    if meta.get("is_error") and piece.index is not None:  # not for our own placeholders
        conversation.warn(
            piece, "error_flag_lost", "Responses tool outputs have no error flag; the text is kept"
        )
    conversation.note_provider_data(piece, PROVIDER)
    call_id = conversation.tool_id(piece)
    output: str | list[JSONObject]
    nested = meta.get("content")
    if nested is None:
        output = part.get("text", "")
    else:
        output = []
        for index, nested_part in enumerate(nested):
            block = _input_block(piece.nested(index, nested_part), conversation)
            if block is not None:
                output.append(block)
    kind = "custom_tool_call_output" if call_id in custom_calls else "function_call_output"
    return {"type": kind, "call_id": call_id, "output": output, **own}


def _render_assistant(entry: Entry, conversation: Conversation) -> None:
    texts: list[Piece] = []

    def flush() -> None:
        if texts:
            _emit_texts(entry, texts, _item_fields(entry, texts), conversation)
            texts.clear()

    for piece in entry.pieces:
        part = piece.part
        kind = part["type"]
        if kind == "text":
            texts.append(piece)
            continue
        flush()
        if kind == "tool-call":
            conversation.note_provider_data(piece, PROVIDER)
            own = _item_fields(entry, [piece])
            conversation.emit(_call_item(piece, conversation, own), [entry.message.id])
        elif kind == "thinking":
            reasoning = provider_meta(part, PROVIDER)
            if "id" in reasoning:
                conversation.emit({"type": "reasoning", **reasoning}, [entry.message.id])
            else:
                conversation.drop(
                    piece,
                    "thinking_dropped",
                    "reasoning made by another provider cannot be replayed to OpenAI",
                )
        elif kind == "data" and "item" in provider_meta(part, PROVIDER):
            conversation.emit(provider_meta(part, PROVIDER)["item"], [entry.message.id])
        elif kind in ("image", "file"):
            # Only user messages take media here.
            conversation.drop(piece, "media_unsupported", "assistant messages hold text only")
        else:
            conversation.drop_unsupported(piece, PROVIDER)
    flush()


def _emit_texts(
    entry: Entry, pieces: list[Piece], own: JSONObject, conversation: Conversation
) -> None:
    if "id" in own and "status" in own:
        # A message read from this format: its output message form, with its id.
        content = []
        for piece in pieces:
            conversation.note_provider_data(piece, PROVIDER)
            if provider_meta(piece.part, OPENAI).get("refusal"):
                content.append({"type": "refusal", "refusal": piece.part.get("text", "")})
            else:
                content.append(_text_part(piece.part, "output_text"))
        item = {"id": own["id"], "type": "message", "role": "assistant", "status": own["status"]}
        conversation.emit({**item, "content": content, **own}, [entry.message.id])
        return
    # Without an item id, the easy message form: one string per text part (an assistant
    # message's list content takes output parts only, and those need the output form's id).
    for piece in pieces:
        conversation.note_provider_data(piece, PROVIDER)
        if provider_meta(piece.part, OPENAI).get("refusal"):
            conversation.drop(
                piece,
                "provider_data_dropped",
                "the openai refusal flag (the refusal's text is kept, as ordinary text)",
            )
        conversation.emit(
            {"role": "assistant", "content": piece.part.get("text", ""), **own},
            [entry.message.id],
        )


def _call_item(piece: Piece, conversation: Conversation, own: JSONObject) -> JSONObject:
    meta = piece.part["meta"]
    call_id = conversation.tool_id(piece)
    name = conversation.tool_name(piece, meta["name"])
    if provider_meta(piece.part, OPENAI).get("custom"):
        return {
            "type": "custom_tool_call",
            "call_id": call_id,
            "name": name,
            "input": meta["arguments"],
            **own,
        }
    return {
        "type": "function_call",
        "call_id": call_id,
        "name": name,
        "arguments": meta["arguments"],
        **own,
    }
