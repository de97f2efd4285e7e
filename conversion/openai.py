"""OpenAI Chat Completions messages (``ChatCompletionMessageParam``) <-> canonical."""

from __future__ import annotations

from typing import Any

from conversion import documents, media
from conversion.canonical import (
    MEDIA_PART_TYPES,
    InvalidMessage,
    JSONObject,
    make_message,
    make_part,
    provider_meta,
)
from conversion.conversation import Conversation, Entry, Piece
from conversion.fields import (
    expect_list,
    expect_object,
    extras,
    one_of,
    optional_str,
    require,
    required_str,
)

PROVIDER = "openai"
# The enumerations the reader accepts: each one is the openai SDK's own Literal (the test
# tests/conversion/test_sdk_enumerations.py reads them from the installed SDK).
ROLES = ("system", "developer", "user", "assistant", "tool", "function")
USER_PART_TYPES = ("text", "image_url", "input_audio", "file")
IMAGE_DETAILS = ("auto", "low", "high", "original")
ASSISTANT_PART_TYPES = ("text", "refusal")
TOOL_CALL_TYPES = ("function", "custom")
# The fields of a content part's own object (``{"type": "file", "file": {...}}``) that the
# reader models; others are kept under meta["openai"][kind].
NESTED_KEYS = {
    "image_url": frozenset(("url", "detail")),
    "input_audio": frozenset(("data", "format")),
    "file": frozenset(("file_data", "file_id", "filename")),
}
# Message-level canonical meta that OpenAI messages express.
MESSAGE_FIELDS = frozenset(("name",))
MESSAGE_KEYS = {
    "system": frozenset(("role", "content", "name")),
    "developer": frozenset(("role", "content", "name")),
    "user": frozenset(("role", "content", "name")),
    "assistant": frozenset(
        ("role", "content", "name", "refusal", "tool_calls", "function_call", "audio")
    ),
    "tool": frozenset(("role", "content", "tool_call_id")),
    "function": frozenset(("role", "content", "name")),
}


# --- OpenAI -> canonical --------------------------------------------------------------------


def to_canonical(blob: Any) -> JSONObject:
    message = expect_object(blob, "blob")
    role = one_of(require(message, "role", "blob"), ROLES, "blob.role")
    meta: JSONObject = {}
    if role != "function":  # there the name is the function's, read below
        name = optional_str(message, "name", "blob")
        if name is not None and "name" in MESSAGE_KEYS[role]:
            meta["name"] = name
    unknown = extras(message, MESSAGE_KEYS[role])
    if unknown:
        meta[PROVIDER] = {"extra": unknown}

    if role in ("system", "developer"):
        meta["role"] = role
        parts = _text_content(require(message, "content", "blob"), "blob.content")
        return make_message("user", parts, meta)
    if role == "user":
        return make_message("user", _user_content(require(message, "content", "blob")), meta)
    if role == "assistant":
        return make_message("assistant", _assistant_parts(message), meta)
    if role == "tool":
        result_meta = {"tool_call_id": required_str(message, "tool_call_id", "blob")}
        return make_message("user", [_tool_result(message, result_meta)], meta)
    # Legacy ``function`` role: the answer to a ``function_call``, matched by name (no id).
    function_name = required_str(message, "name", "blob")
    return make_message("user", [_tool_result(message, {"name": function_name})], meta)


def _tool_result(message: JSONObject, result_meta: JSONObject) -> JSONObject:
    content = message.get("content")
    if content is None or isinstance(content, str):
        return make_part("tool-result", text=content or "", meta=result_meta)
    parts = _text_content(content, "blob.content")
    result_meta["content"] = parts
    return make_part(
        "tool-result", text="\n".join(part["text"] for part in parts), meta=result_meta
    )


def _text_content(content: object, path: str) -> list[JSONObject]:
    if isinstance(content, str):
        return [make_part("text", text=content)]
    items = expect_list(content, path)
    parts = []
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        block = expect_object(item, item_path)
        one_of(require(block, "type", item_path), ("text",), f"{item_path}.type")
        text = make_part("text", text=required_str(block, "text", item_path))
        parts.append(_with_part_extras(text, block, "text"))
    return parts


def _with_part_extras(part: JSONObject, block: JSONObject, kind: str) -> JSONObject:
    """Keeps the fields of a content part (and of its ``kind`` object) that this converter
    does not model, such as a prompt-cache breakpoint, under the part's meta["openai"]."""
    extra = extras(block, frozenset(("type", kind)))
    nested = block.get(kind)
    nested_extra = (
        extras(nested, NESTED_KEYS[kind])
        if kind in NESTED_KEYS and isinstance(nested, dict)
        else {}
    )
    if extra or nested_extra:
        own = part.setdefault("meta", {}).setdefault(PROVIDER, {})
        if extra:
            own["extra"] = extra
        if nested_extra:
            own[kind] = nested_extra
    return part


def _user_content(content: object) -> list[JSONObject]:
    if isinstance(content, str):
        return [make_part("text", text=content)]
    items = expect_list(content, "blob.content")
    return [_user_part(item, f"blob.content[{index}]") for index, item in enumerate(items)]


def _user_part(item: object, path: str) -> JSONObject:
    block = expect_object(item, path)
    kind = one_of(require(block, "type", path), USER_PART_TYPES, f"{path}.type")
    return _with_part_extras(_user_part_of(block, kind, path), block, kind)


def _user_part_of(block: JSONObject, kind: str, path: str) -> JSONObject:
    if kind == "text":
        return make_part("text", text=required_str(block, "text", path))
    if kind == "image_url":
        image = expect_object(require(block, "image_url", path), f"{path}.image_url")
        url = required_str(image, "url", f"{path}.image_url")
        meta = media.url_source(url, f"{path}.image_url.url")
        detail = image.get("detail")
        if detail is not None:
            one_of(detail, IMAGE_DETAILS, f"{path}.image_url.detail")
            meta[PROVIDER] = {"detail": detail}
        return make_part("image", meta=meta)
    if kind == "input_audio":
        audio = expect_object(require(block, "input_audio", path), f"{path}.input_audio")
        data = media.check_base64(
            required_str(audio, "data", f"{path}.input_audio"), f"{path}.input_audio.data"
        )
        audio_format = one_of(
            require(audio, "format", f"{path}.input_audio"),
            tuple(media.OPENAI_AUDIO_FORMATS),
            f"{path}.input_audio.format",
        )
        return make_part(
            "audio", meta={"data": data, "media_type": media.OPENAI_AUDIO_FORMATS[audio_format]}
        )
    file = expect_object(require(block, "file", path), f"{path}.file")
    filename = optional_str(file, "filename", f"{path}.file")
    file_id = optional_str(file, "file_id", f"{path}.file")
    file_data = optional_str(file, "file_data", f"{path}.file")
    if file_data is None and file_id is None:
        raise InvalidMessage(f"{path}.file", "needs file_data or file_id")
    meta = {}
    if file_data is not None:
        split = media.split_data_url(file_data)
        if split is None:
            # Bare base64 without a data: prefix; OpenAI documents PDFs as the file input.
            split = ("application/pdf", file_data)
        meta = {
            "data": media.check_base64(split[1], f"{path}.file.file_data"),
            "media_type": split[0],
        }
    if file_id is not None:
        meta[PROVIDER] = {"file_id": file_id}
    return make_part("file", filename=filename, meta=meta)


def _assistant_parts(message: JSONObject) -> list[JSONObject]:
    parts: list[JSONObject] = []
    content = message.get("content")
    if isinstance(content, str):
        parts.append(make_part("text", text=content))
    elif content is not None:
        for index, item in enumerate(expect_list(content, "blob.content")):
            path = f"blob.content[{index}]"
            block = expect_object(item, path)
            kind = one_of(require(block, "type", path), ASSISTANT_PART_TYPES, f"{path}.type")
            if kind == "text":
                part = make_part("text", text=required_str(block, "text", path))
            else:
                part = _refusal(required_str(block, "refusal", path))
            parts.append(_with_part_extras(part, block, kind))
    refusal = optional_str(message, "refusal", "blob")
    if refusal is not None:
        parts.append(_refusal(refusal))
    audio = message.get("audio")
    if audio is not None:
        audio_id = required_str(expect_object(audio, "blob.audio"), "id", "blob.audio")
        # A reference to audio OpenAI generated earlier: meaningful to OpenAI only.
        parts.append(make_part("data", meta={PROVIDER: {"audio": {"id": audio_id}}}))
    tool_calls = message.get("tool_calls")
    if tool_calls is not None:
        for index, item in enumerate(expect_list(tool_calls, "blob.tool_calls")):
            parts.append(_tool_call(item, f"blob.tool_calls[{index}]"))
    function_call = message.get("function_call")
    if function_call is not None:
        call = expect_object(function_call, "blob.function_call")
        parts.append(
            make_part(
                "tool-call",
                meta={
                    "name": required_str(call, "name", "blob.function_call"),
                    "arguments": required_str(call, "arguments", "blob.function_call"),
                },
            )
        )
    return parts


def _refusal(text: str) -> JSONObject:
    return make_part("text", text=text, meta={PROVIDER: {"refusal": True}})


def _tool_call(item: object, path: str) -> JSONObject:
    call = expect_object(item, path)
    call_id = required_str(call, "id", path)
    kind = one_of(require(call, "type", path), TOOL_CALL_TYPES, f"{path}.type")
    if kind == "function":
        function = expect_object(require(call, "function", path), f"{path}.function")
        return make_part(
            "tool-call",
            meta={
                "id": call_id,
                "name": required_str(function, "name", f"{path}.function"),
                "arguments": required_str(function, "arguments", f"{path}.function"),
            },
        )
    custom = expect_object(require(call, "custom", path), f"{path}.custom")
    return make_part(
        "tool-call",
        meta={
            "id": call_id,
            "name": required_str(custom, "name", f"{path}.custom"),
            # Free-form text input of a custom tool, not JSON: kept as the arguments string.
            "arguments": required_str(custom, "input", f"{path}.custom"),
            PROVIDER: {"custom": True},
        },
    )


# --- canonical -> OpenAI --------------------------------------------------------------------


def render(conversation: Conversation) -> None:
    """OpenAI keeps system messages in place and gives each tool result its own message."""
    deferred_media: list[JSONObject] = []
    deferred_sources: list[str] = []
    # The index of the assistant item that the current turn is building: Chat Completions
    # wants all of a turn's calls in one message, answered right after it, and a turn stored
    # as several messages (Responses items: text, then each call) is one message here. A
    # stored message replayed as it is opens a turn only when it has calls.
    turn: int | None = None
    for entry in conversation.entries:
        if entry.role != "assistant":
            turn = None
        elif turn is not None:
            conversation.note_message_data(entry, PROVIDER, MESSAGE_FIELDS)
            item = _assistant_item(entry, conversation)
            if item is not None:
                conversation.items[turn] = _merged_turn(conversation.items[turn], item)
                conversation.sources[turn].append(entry.message.id)
            continue
        message = conversation.verbatim(entry)
        if entry.role != "user" or (message is not None and not _only_tool_results(entry)):
            # Media lifted out of tool results follows the last tool message: in the next user
            # message built here (see _render_user), else in a user message of its own.
            conversation.flush_deferred(deferred_media, deferred_sources, _user_item)
        if message is not None:
            conversation.emit(message.raw, [message.id])
            if entry.role == "assistant" and message.raw.get("tool_calls"):
                turn = len(conversation.items) - 1
            continue
        conversation.note_message_data(entry, PROVIDER, MESSAGE_FIELDS)
        if entry.role == "system":
            conversation.emit(_system_item(entry, conversation), [entry.message.id])
        elif entry.role == "assistant":
            item = _assistant_item(entry, conversation)
            if item is not None:
                conversation.emit(item, [entry.message.id])
                turn = len(conversation.items) - 1
        else:
            _render_user(entry, conversation, deferred_media, deferred_sources)
    if deferred_media and _paused_run(conversation.items):
        # A user message would close the run before its other calls are answered: the media
        # follows once they are, and until then is left out.
        for message in conversation.messages:
            if message.id in deferred_sources:
                conversation.warn_message(
                    message,
                    "media_unsupported",
                    "left out: the media of a tool result while its tool run is paused "
                    "(OpenAI tool messages are text only; it follows the run's last result)",
                )
        return
    conversation.flush_deferred(deferred_media, deferred_sources, _user_item)


def _paused_run(items: list[JSONObject]) -> bool:
    """Whether the conversation ends with an assistant's tool calls not all answered."""
    answered: set[str] = set()
    for item in reversed(items):
        if item.get("role") == "tool":
            answered.add(str(item.get("tool_call_id")))
            continue
        calls = (item.get("tool_calls") if item.get("role") == "assistant" else None) or []
        return any(call.get("id") not in answered for call in calls)
    return False


def _merged_turn(turn: JSONObject, item: JSONObject) -> JSONObject:
    """``turn`` (an assistant item, perhaps a stored one: it is copied, never changed) with
    the text, calls and fields of ``item``, the next message of the turn."""
    merged = dict(turn)
    if item.get("content"):
        content = [*_text_parts(turn.get("content")), *_text_parts(item["content"])]
        merged["content"] = _collapse_text(content)
    calls = [*turn.get("tool_calls", ()), *item.get("tool_calls", ())]
    if calls:
        merged["tool_calls"] = calls
    if "refusal" in item and "refusal" in turn:
        merged["refusal"] = f"{turn['refusal']}\n{item['refusal']}"
    for key in ("refusal", "audio", "function_call", "name"):
        if key in item and key not in merged:
            merged[key] = item[key]
    return merged


def _text_parts(content: str | list[JSONObject] | None) -> list[JSONObject]:
    if isinstance(content, list):
        return content
    return [{"type": "text", "text": content}] if content else []


def _only_tool_results(entry: Entry) -> bool:
    return entry.role == "user" and all(
        piece.part["type"] == "tool-result" for piece in entry.pieces
    )


def _user_item(content: list[JSONObject]) -> JSONObject:
    return {"role": "user", "content": content}


def _system_item(entry: Entry, conversation: Conversation) -> JSONObject:
    meta = entry.message.canonical["meta"]
    content = []
    for piece in entry.pieces:
        if piece.part["type"] == "text":
            conversation.note_provider_data(piece, PROVIDER)
            content.append(_with_extras(piece.part, {"type": "text", "text": piece.part["text"]}))
        else:
            conversation.drop(piece, "unsupported_part", "a system prompt can only hold text")
    return _with_message_fields({"role": meta["role"], "content": _collapse_text(content)}, entry)


def _with_message_fields(item: JSONObject, entry: Entry) -> JSONObject:
    """The message's ``name`` and, for OpenAI messages, the fields this converter does not model."""
    meta = entry.message.canonical.get("meta") or {}
    name = meta.get("name")
    if name is not None:
        item["name"] = name
    for key, value in (meta.get(PROVIDER) or {}).get("extra", {}).items():
        item.setdefault(key, value)
    return item


def _collapse_text(content: list[JSONObject]) -> str | list[JSONObject]:
    # One text part reads best (and round-trips) as a plain string, unless it carries more
    # than its text (a prompt-cache breakpoint...).
    if len(content) == 1 and content[0]["type"] == "text" and len(content[0]) == 2:
        return str(content[0]["text"])
    return content


def _render_user(
    entry: Entry,
    conversation: Conversation,
    deferred_media: list[JSONObject],
    deferred_sources: list[str],
) -> None:
    content: list[JSONObject] = []
    for piece in entry.pieces:
        if piece.part["type"] == "tool-result":
            item, moved = _tool_item(piece, conversation)
            conversation.emit(item, [piece.message.id])
            if moved:
                deferred_media.extend(moved)
                deferred_sources.append(piece.message.id)
            continue
        block = _user_block(piece, conversation)
        if block is not None:
            content.append(block)
    if content:
        # Media lifted out of the tool results just emitted opens this user message.
        sources = list(dict.fromkeys([*deferred_sources, entry.message.id]))
        content = [*deferred_media, *content]
        deferred_media.clear()
        deferred_sources.clear()
        item = _with_message_fields({"role": "user", "content": _collapse_text(content)}, entry)
        conversation.emit(item, sources)


def _user_block(piece: Piece, conversation: Conversation) -> JSONObject | None:
    part = piece.part
    kind = part["type"]
    if kind == "text":
        conversation.note_provider_data(piece, PROVIDER)
        return _with_extras(part, {"type": "text", "text": part.get("text", "")})
    if kind in MEDIA_PART_TYPES and conversation.drop_foreign_reference(piece):
        return None
    if kind == "file":
        return _file_block(piece, conversation)
    meta = part.get("meta") or {}
    block: JSONObject
    if kind == "image":
        url = meta.get("url")
        if url is None and "data" in meta:
            url = media.data_url(meta.get("media_type"), meta["data"])
        if url is None:
            conversation.drop(piece, "media_unsupported", "image without a URL or data")
            return None
        image: JSONObject = {"url": url}
        detail = (meta.get(PROVIDER) or {}).get("detail")
        if detail is not None:
            image["detail"] = detail
        block = {"type": "image_url", "image_url": image}
    elif kind == "audio":
        audio_format = media.OPENAI_AUDIO_FORMAT_BY_MEDIA_TYPE.get(meta.get("media_type", ""))
        if "data" not in meta or audio_format is None:
            conversation.drop(
                piece, "media_unsupported", "OpenAI takes audio only as base64 wav or mp3"
            )
            return None
        block = {
            "type": "input_audio",
            "input_audio": {"data": meta["data"], "format": audio_format},
        }
    else:
        conversation.drop_unsupported(piece, PROVIDER)
        return None
    conversation.note_filename(piece)
    conversation.note_provider_data(piece, PROVIDER)
    return _with_extras(part, block)


def _with_extras(part: JSONObject, block: JSONObject) -> JSONObject:
    """Replays the fields of an OpenAI part that the reader kept without modelling them."""
    own = provider_meta(part, PROVIDER)
    if not own:
        return block
    for key, value in (own.get("extra") or {}).items():
        block.setdefault(key, value)
    kind = block["type"]
    nested = own.get(kind)
    if isinstance(nested, dict) and isinstance(block.get(kind), dict):
        block[kind] = {**nested, **block[kind]}
    return block


def _file_block(piece: Piece, conversation: Conversation) -> JSONObject | None:
    """Chat Completions takes PDF files only: a text document goes as a text part, title
    first; other documents are left out."""
    part = piece.part
    meta = part.get("meta") or {}
    media_type = meta.get("media_type")
    text = documents.text_of(part)
    if text is not None:
        conversation.note_provider_data(piece, PROVIDER)
        return _with_extras(part, {"type": "text", "text": documents.as_text(part, text)})
    file: JSONObject = {}
    if "data" in meta:
        if media_type not in (None, "application/pdf"):
            conversation.drop(
                piece,
                "media_unsupported",
                f"OpenAI chat messages take PDF files only, not {media_type}",
            )
            return None
        file["file_data"] = media.data_url("application/pdf", meta["data"])
        file["filename"] = part.get("filename") or "document.pdf"
    else:
        file_id = (meta.get(PROVIDER) or {}).get("file_id")
        if file_id is None:
            conversation.drop(
                piece, "media_unsupported", "OpenAI takes documents as data, not by URL"
            )
            return None
        file["file_id"] = file_id
    conversation.note_provider_data(piece, PROVIDER)
    return _with_extras(part, {"type": "file", "file": file})


def _tool_item(piece: Piece, conversation: Conversation) -> tuple[JSONObject, list[JSONObject]]:
    part = piece.part
    meta = part.get("meta") or {}
    if meta.get("is_error") and piece.index is not None:  # not for our own placeholders
        conversation.warn(
            piece, "error_flag_lost", "OpenAI tool messages have no error flag; the text is kept"
        )
    conversation.note_provider_data(piece, PROVIDER)
    nested = meta.get("content")
    moved: list[JSONObject] = []
    content: str | list[JSONObject]
    if nested is None:
        content = part.get("text", "")
    else:
        texts: list[JSONObject] = []
        for index, nested_part in enumerate(nested):
            nested_piece = piece.nested(index, nested_part)
            if nested_part["type"] == "text":
                conversation.note_provider_data(nested_piece, PROVIDER)
                texts.append(
                    _with_extras(nested_part, {"type": "text", "text": nested_part.get("text", "")})
                )
                continue
            block = _user_block(nested_piece, conversation)
            if block is None:
                continue
            if block["type"] == "text":  # a text document: tool messages take text
                texts.append(block)
                continue
            conversation.warn(
                nested_piece,
                "media_moved",
                "OpenAI tool messages are text only; the media follows in a user message",
            )
            moved.append(block)
        content = _collapse_text(texts) if texts else ""
    item = {"role": "tool", "tool_call_id": conversation.tool_id(piece), "content": content}
    return item, moved


def _assistant_item(entry: Entry, conversation: Conversation) -> JSONObject | None:
    content: list[JSONObject] = []
    tool_calls: list[JSONObject] = []
    refusal: str | None = None
    audio: JSONObject | None = None
    for piece in entry.pieces:
        part = piece.part
        kind = part["type"]
        meta = part.get("meta") or {}
        own = meta.get(PROVIDER) or {}
        if kind == "text" and own.get("refusal"):
            refusal = part.get("text", "")
        elif kind == "text":
            conversation.note_provider_data(piece, PROVIDER)
            content.append(_with_extras(part, {"type": "text", "text": part.get("text", "")}))
        elif kind == "tool-call":
            conversation.note_provider_data(piece, PROVIDER)
            tool_calls.append(_tool_call_item(piece, conversation))
        elif kind == "thinking":
            conversation.drop(piece, "thinking_dropped", "OpenAI chat messages carry no reasoning")
        elif kind == "data" and "audio" in own:
            audio = {"id": own["audio"]["id"]}
        else:
            conversation.drop_unsupported(piece, PROVIDER)
    if not content and not tool_calls and refusal is None and audio is None:
        return None
    item: JSONObject = {"role": "assistant"}
    if content:
        item["content"] = _collapse_text(content)
    elif tool_calls:
        item["content"] = None
    if refusal is not None:
        item["refusal"] = refusal
    if audio is not None:
        item["audio"] = audio
    if tool_calls:
        item["tool_calls"] = tool_calls
    return _with_message_fields(item, entry)


def _tool_call_item(piece: Piece, conversation: Conversation) -> JSONObject:
    meta = piece.part["meta"]
    call_id = conversation.tool_id(piece)
    name = conversation.tool_name(piece, meta["name"])
    if (meta.get(PROVIDER) or {}).get("custom"):
        return {
            "id": call_id,
            "type": "custom",
            "custom": {"name": name, "input": meta["arguments"]},
        }
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": meta["arguments"]},
    }
