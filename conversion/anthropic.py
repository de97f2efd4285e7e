"""Anthropic Messages (``MessageParam``) <-> canonical."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from conversion import documents, media
from conversion.canonical import JSONObject, make_message, make_part, provider_meta
from conversion.conversation import Conversation, Entry, Piece
from conversion.fields import (
    RAW_ARGUMENTS_KEY,
    arguments_from_object,
    expect_bool,
    expect_list,
    expect_object,
    expect_str,
    extras,
    object_from_arguments,
    one_of,
    optional_str,
    require,
    required_str,
)
from conversion.turns import plan_turns

PROVIDER = "anthropic"
# The enumerations the reader accepts, compared with the anthropic SDK's own Literals by
# tests/conversion/test_sdk_enumerations.py.
ROLES = ("user", "assistant", "system")
IMAGE_SOURCE_TYPES = ("base64", "url", "file")
DOCUMENT_SOURCE_TYPES = ("base64", "url", "file", "content", "text")
MESSAGE_KEYS = frozenset(("role", "content"))
TOOL_ID_PATTERN = re.compile(r"[a-zA-Z0-9_-]+")  # fullmatch: "$" would let "\n" through
# Block fields that Anthropic alone understands, kept on the part under meta["anthropic"].
PROVIDER_FIELDS = frozenset(("cache_control", "citations", "context"))
# Keys of meta["anthropic"] that describe the block's shape rather than being block fields.
REPRESENTATION_KEYS = frozenset(("signature", "redacted_data", "source", "block"))


# --- Anthropic -> canonical -----------------------------------------------------------------


def to_canonical(blob: Any) -> JSONObject:
    message = expect_object(blob, "blob")
    role = one_of(require(message, "role", "blob"), ROLES, "blob.role")
    meta: JSONObject = {}
    unknown = extras(message, MESSAGE_KEYS)
    if unknown:
        meta[PROVIDER] = {"extra": unknown}
    content = require(message, "content", "blob")
    is_system = role == "system"
    if is_system:
        # A system message (the SDK's SystemMessageParam): a system prompt, text only.
        meta["role"] = "system"
        role = "user"
    if isinstance(content, str):
        return make_message(role, [make_part("text", text=content)], meta)
    blocks = expect_list(content, "blob.content")
    if is_system:
        for index, block in enumerate(blocks):
            path = f"blob.content[{index}]"
            one_of(require(expect_object(block, path), "type", path), ("text",), f"{path}.type")
    parts = [_block(block, f"blob.content[{index}]") for index, block in enumerate(blocks)]
    return make_message(role, parts, meta)


def _own_fields(block: JSONObject, known: frozenset[str]) -> JSONObject:
    """This provider's extra fields on a block (cache_control, citations, anything new)."""
    own = {key: block[key] for key in PROVIDER_FIELDS if key in block}
    own.update(extras(block, known | PROVIDER_FIELDS))
    return own


def _with_own(meta: JSONObject, own: JSONObject) -> JSONObject:
    if own:
        meta[PROVIDER] = own
    return meta


def _block(value: object, path: str) -> JSONObject:
    block = expect_object(value, path)
    kind = expect_str(require(block, "type", path), f"{path}.type")
    if kind == "text":
        text = required_str(block, "text", path)
        return make_part("text", text=text, meta=_with_own({}, _own_fields(block, TEXT_KEYS)))
    if kind == "image":
        meta = _source(block, path, IMAGE_SOURCE_TYPES)
        return make_part("image", meta=_with_own(meta, _own_fields(block, IMAGE_KEYS)))
    if kind == "document":
        return _document(block, path)
    if kind == "tool_use":
        tool_input = expect_object(require(block, "input", path), f"{path}.input")
        return make_part(
            "tool-call",
            meta=_with_own(
                {
                    "id": required_str(block, "id", path),
                    "name": required_str(block, "name", path),
                    "arguments": arguments_from_object(tool_input),
                },
                _own_fields(block, TOOL_USE_KEYS),
            ),
        )
    if kind == "tool_result":
        return _tool_result(block, path)
    if kind == "thinking":
        own = _own_fields(block, THINKING_KEYS)
        own["signature"] = required_str(block, "signature", path)
        return make_part(
            "thinking", text=required_str(block, "thinking", path), meta={PROVIDER: own}
        )
    if kind == "redacted_thinking":
        own = _own_fields(block, REDACTED_KEYS)
        own["redacted_data"] = required_str(block, "data", path)
        return make_part("thinking", meta={PROVIDER: own})
    if kind == "search_result":
        return _search_result(block, path)
    # Server tools, container uploads...: Anthropic-only, kept whole.
    return make_part("data", meta={PROVIDER: {"block": block}})


TEXT_KEYS = frozenset(("type", "text"))
IMAGE_KEYS = frozenset(("type", "source"))
DOCUMENT_KEYS = frozenset(("type", "source", "title"))
TOOL_USE_KEYS = frozenset(("type", "id", "name", "input"))
TOOL_RESULT_KEYS = frozenset(("type", "tool_use_id", "content", "is_error"))
THINKING_KEYS = frozenset(("type", "thinking", "signature"))
SEARCH_RESULT_KEYS = frozenset(("type", "source", "title", "content"))
REDACTED_KEYS = frozenset(("type", "data"))


def _source(block: JSONObject, path: str, kinds: tuple[str, ...]) -> JSONObject:
    source = expect_object(require(block, "source", path), f"{path}.source")
    source_path = f"{path}.source"
    kind = one_of(require(source, "type", source_path), kinds, f"{source_path}.type")
    if kind == "base64":
        data = media.check_base64(required_str(source, "data", source_path), f"{source_path}.data")
        return {"data": data, "media_type": required_str(source, "media_type", source_path)}
    if kind == "url":
        url = required_str(source, "url", source_path)
        media_type = media.media_type_from_url(url)
        return {"url": url, "media_type": media_type} if media_type else {"url": url}
    # file / text / content sources are Anthropic-only references or shapes.
    return {PROVIDER: {"source": source}}


def _document(block: JSONObject, path: str) -> JSONObject:
    source = expect_object(require(block, "source", path), f"{path}.source")
    title = optional_str(block, "title", path)
    own = _own_fields(block, DOCUMENT_KEYS)
    if source.get("type") == "text":
        text = required_str(source, "data", f"{path}.source")
        media_type = optional_str(source, "media_type", f"{path}.source") or "text/plain"
        return make_part(
            "file", text=text, filename=title, meta=_with_own({"media_type": media_type}, own)
        )
    if source.get("type") == "content":
        # A document given as content blocks: its text is what other formats can take; the
        # source itself is replayed to Anthropic only.
        text = _text_blocks(require(source, "content", f"{path}.source"), f"{path}.source.content")
        return make_part(
            "file",
            text=text,
            filename=title,
            meta={"media_type": "text/plain", PROVIDER: {"source": source, **own}},
        )
    meta = _source(block, path, DOCUMENT_SOURCE_TYPES)
    if "url" in meta and "media_type" not in meta:
        meta["media_type"] = "application/pdf"  # URL documents are PDFs in this API
    return make_part("file", filename=title, meta=_with_own(meta, own))


def _text_blocks(content: object, path: str) -> str:
    """The text of a document's content (a string, or blocks whose text blocks are joined)."""
    if isinstance(content, str):
        return content
    texts = []
    for index, item in enumerate(expect_list(content, path)):
        item_path = f"{path}[{index}]"
        block = expect_object(item, item_path)
        if expect_str(require(block, "type", item_path), f"{item_path}.type") == "text":
            texts.append(required_str(block, "text", item_path))
    return "\n\n".join(texts)


def _search_result(block: JSONObject, path: str) -> JSONObject:
    """A search result reads as a text document whose source names where it came from; the
    block is replayed to Anthropic whole (its citations work there only)."""
    source = required_str(block, "source", path)
    title = required_str(block, "title", path)
    content = expect_list(require(block, "content", path), f"{path}.content")
    text = _text_blocks(content, f"{path}.content")
    own = _own_fields(block, SEARCH_RESULT_KEYS)
    return make_part(
        "file",
        text=text,
        filename=title,
        meta={"media_type": "text/plain", "source": source, PROVIDER: {"block": block, **own}},
    )


def _tool_result(block: JSONObject, path: str) -> JSONObject:
    meta: JSONObject = {"tool_call_id": required_str(block, "tool_use_id", path)}
    if "is_error" in block:
        meta["is_error"] = expect_bool(block["is_error"], f"{path}.is_error")
    _with_own(meta, _own_fields(block, TOOL_RESULT_KEYS))
    content = block.get("content")
    if content is None or isinstance(content, str):
        return make_part("tool-result", text=content or "", meta=meta)
    items = expect_list(content, f"{path}.content")
    nested = [_block(item, f"{path}.content[{index}]") for index, item in enumerate(items)]
    meta["content"] = nested
    text = "\n".join(part["text"] for part in nested if part["type"] == "text")
    return make_part("tool-result", text=text, meta=meta)


# --- canonical -> Anthropic -----------------------------------------------------------------


def render(conversation: Conversation) -> None:
    ids = ToolIds()
    plan = plan_turns(
        conversation,
        render_blocks=lambda entry, conv: _blocks(entry, conv, ids),
        raw_blocks=_raw_blocks,
        can_replay=_ids_valid,
        is_result=_is_result,
        understood_message_fields=frozenset(),
    )
    if plan.system_pieces:
        conversation.system = _system(plan.system_pieces, conversation)
    for turn in plan.turns:
        item = turn.raw if turn.raw is not None else {"role": turn.role, "content": turn.blocks}
        conversation.emit(item, turn.sources)


def _system(pieces: list[Piece], conversation: Conversation) -> str | list[JSONObject] | None:
    """The ``system`` parameter: one text, or text blocks when there are several or when they
    carry Anthropic's own fields (a cache_control breakpoint)."""
    blocks = []
    for piece in pieces:
        if piece.part["type"] != "text":
            conversation.drop(piece, "unsupported_part", "a system prompt can only hold text")
        elif not piece.part.get("text", "").strip():
            conversation.drop(piece, "empty_text_dropped", "Anthropic rejects empty text blocks")
        else:
            blocks.append(_own(piece, {"type": "text", "text": piece.part["text"]}, conversation))
    if len(blocks) == 1 and len(blocks[0]) == 2:
        return str(blocks[0]["text"])
    return blocks or None


def _raw_blocks(raw: JSONObject) -> list[Any]:
    content = raw["content"]
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return list(content)


def _is_result(block: Any) -> bool:
    return bool(block.get("type") == "tool_result")


def _ids_valid(entry: Entry) -> bool:
    for piece in entry.pieces:
        meta = piece.part.get("meta") or {}
        for key in ("id", "tool_call_id"):
            value = meta.get(key)
            if value is not None and not TOOL_ID_PATTERN.fullmatch(value):
                return False
    return True


class ToolIds:
    """Maps ids that break Anthropic's pattern, the same way for calls and their results."""

    def __init__(self) -> None:
        self._mapped: dict[str, str] = {}

    def __call__(self, piece: Piece, conversation: Conversation) -> str:
        original = conversation.tool_id(piece)
        if TOOL_ID_PATTERN.fullmatch(original):
            return original
        mapped = self._mapped.get(original)
        if mapped is None:
            # Replace what the pattern forbids and add a digest of the original, so that two
            # ids that differ only in forbidden characters still map apart.
            digest = hashlib.sha256(original.encode("utf-8")).hexdigest()[:12]
            mapped = re.sub(r"[^a-zA-Z0-9_-]", "_", original) + "_" + digest
            self._mapped[original] = mapped
        conversation.warn(piece, "tool_id_mapped", f"tool id {original!r} is given as {mapped!r}")
        return mapped


def _blocks(entry: Entry, conversation: Conversation, ids: ToolIds) -> list[JSONObject]:
    blocks = []
    for piece in entry.pieces:
        block = _block_for(piece, entry.role, conversation, ids)
        if block is not None:
            blocks.append(block)
    return blocks


def _own(piece: Piece, block: JSONObject, conversation: Conversation) -> JSONObject:
    """Replays this provider's block fields and reports other providers' data."""
    meta = piece.part.get("meta") or {}
    own = meta.get(PROVIDER)
    if own:
        block.update((key, value) for key, value in own.items() if key not in REPRESENTATION_KEYS)
    conversation.note_provider_data(piece, PROVIDER)
    return block


def _block_for(
    piece: Piece, role: str, conversation: Conversation, ids: ToolIds
) -> JSONObject | None:
    part = piece.part
    kind = part["type"]
    if kind == "text":
        text = part.get("text", "")
        if not text.strip():
            conversation.drop(piece, "empty_text_dropped", "Anthropic rejects empty text blocks")
            return None
        return _own(piece, {"type": "text", "text": text}, conversation)
    if kind == "tool-call":
        return _own(piece, _tool_use(piece, conversation, ids), conversation)
    if kind == "tool-result":
        return _own(piece, _tool_result_block(piece, conversation, ids), conversation)
    if kind == "thinking":
        return _thinking(piece, conversation)
    if kind == "data":
        return _data_block(piece, conversation)
    if role == "assistant":
        conversation.drop(piece, "media_unsupported", f"Anthropic assistant turns hold no {kind}")
        return None
    return _media_block(piece, conversation)


def _data_block(piece: Piece, conversation: Conversation) -> JSONObject | None:
    block = provider_meta(piece.part, PROVIDER).get("block")
    if block is not None:
        return dict(block)
    conversation.drop_unsupported(piece, PROVIDER)
    return None


def _tool_use(piece: Piece, conversation: Conversation, ids: ToolIds) -> JSONObject:
    meta = piece.part["meta"]
    arguments = meta["arguments"]
    tool_input = object_from_arguments(arguments)
    if tool_input is None:
        conversation.warn(
            piece,
            "arguments_not_object",
            "arguments are not a JSON object within the number and depth rules; given as "
            f"input.{RAW_ARGUMENTS_KEY}",
        )
        tool_input = {RAW_ARGUMENTS_KEY: arguments}
    return {
        "type": "tool_use",
        "id": ids(piece, conversation),
        "name": conversation.tool_name(piece, meta["name"]),
        "input": tool_input,
    }


def _tool_result_block(piece: Piece, conversation: Conversation, ids: ToolIds) -> JSONObject:
    meta = piece.part["meta"]
    block: JSONObject = {"type": "tool_result", "tool_use_id": ids(piece, conversation)}
    nested = meta.get("content")
    if nested is None:
        text = piece.part.get("text", "")
        if text.strip():
            block["content"] = text
    else:
        content = []
        for index, nested_part in enumerate(nested):
            rendered = _nested_block(piece.nested(index, nested_part), conversation)
            if rendered is not None:
                content.append(rendered)
        if content:
            block["content"] = content
    if meta.get("is_error") is not None:
        block["is_error"] = meta["is_error"]
    return block


def _nested_block(piece: Piece, conversation: Conversation) -> JSONObject | None:
    """A block of a tool result's content: text, media, or an Anthropic block kept whole."""
    part = piece.part
    if part["type"] == "text":
        if not part.get("text", "").strip():
            return None  # an empty text block is refused; an empty result has no content
        return _own(piece, {"type": "text", "text": part["text"]}, conversation)
    if part["type"] == "data":
        return _data_block(piece, conversation)
    return _media_block(piece, conversation)


def _thinking(piece: Piece, conversation: Conversation) -> JSONObject | None:
    own = (piece.part.get("meta") or {}).get(PROVIDER) or {}
    if "signature" in own:
        return {
            "type": "thinking",
            "thinking": piece.part.get("text", ""),
            "signature": own["signature"],
        }
    if "redacted_data" in own:
        return {"type": "redacted_thinking", "data": own["redacted_data"]}
    conversation.drop(
        piece,
        "thinking_dropped",
        "reasoning made by another provider cannot be replayed to Anthropic",
    )
    return None


def _media_block(piece: Piece, conversation: Conversation) -> JSONObject | None:
    part = piece.part
    kind = part["type"]
    if conversation.drop_foreign_reference(piece):
        return None
    meta = part.get("meta") or {}
    own_source = (meta.get(PROVIDER) or {}).get("source")
    media_type = meta.get("media_type")
    if kind == "image":
        block: JSONObject
        if own_source is not None:
            block = {"type": "image", "source": own_source}
        elif "url" in meta:
            block = {"type": "image", "source": {"type": "url", "url": meta["url"]}}
        elif "data" in meta and media_type in media.ANTHROPIC_IMAGE_TYPES:
            block = {
                "type": "image",
                "source": {"type": "base64", "media_type": media_type, "data": meta["data"]},
            }
        else:
            conversation.drop(piece, "media_unsupported", f"Anthropic takes no {media_type} image")
            return None
        conversation.note_filename(piece)
        return _own(piece, block, conversation)
    if kind == "file":
        return _document_block(piece, conversation)
    conversation.drop(piece, "media_unsupported", f"Anthropic messages hold no {kind}")
    return None


def _document_block(piece: Piece, conversation: Conversation) -> JSONObject | None:
    part = piece.part
    meta = part.get("meta") or {}
    own = meta.get(PROVIDER) or {}
    if "block" in own:
        return dict(own["block"])  # a search result, kept whole
    media_type = meta.get("media_type")
    text = documents.text_of(part)
    source: JSONObject | None = None
    if own.get("source") is not None:
        source = own["source"]
    elif text is not None:
        # Anthropic's text source is text/plain only: CSV, Markdown... are sent as plain text.
        source = {"type": "text", "media_type": "text/plain", "data": text}
    elif "url" in meta and media_type in (None, "application/pdf"):
        source = {"type": "url", "url": meta["url"]}
    elif "data" in meta and media_type == "application/pdf":
        source = {"type": "base64", "media_type": media_type, "data": meta["data"]}
    if source is None:
        conversation.drop(piece, "media_unsupported", f"Anthropic takes no {media_type} document")
        return None
    block: JSONObject = {"type": "document", "source": source}
    if part.get("filename"):
        block["title"] = part["filename"]
    return _own(piece, block, conversation)
