"""Gemini ``Content`` (role user/model, parts) <-> canonical.

Gemini clients send lowerCamelCase (REST) or snake_case (Python SDK) field names; both are
read, the canonical form keeps lowerCamelCase, and a stored blob is replayed as it came.
"""

from __future__ import annotations

import functools
from typing import Any

from conversion import documents, media
from conversion.canonical import InvalidMessage, JSONObject, make_message, make_part
from conversion.conversation import Conversation, Entry, Piece
from conversion.fields import (
    RAW_ARGUMENTS_KEY,
    arguments_from_object,
    dump_json,
    expect_bool,
    expect_list,
    expect_object,
    expect_str,
    object_from_arguments,
    one_of,
)
from conversion.turns import plan_turns

PROVIDER = "gemini"
ROLES = {"user": "user", "model": "assistant"}
CONTENT_KINDS = ("text", "inlineData", "fileData", "functionCall", "functionResponse")
# Part fields that qualify the content rather than being content.
MODIFIERS = frozenset(("thought", "thoughtSignature"))
# Everything else on a part is Gemini's own (videoMetadata, mediaResolution, new fields...).
MODELLED_PART_FIELDS = frozenset(CONTENT_KINDS) | MODIFIERS


@functools.cache
def camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def set_fields(obj: JSONObject) -> JSONObject:
    """The fields a client set. Protobuf's JSON mapping reads a null as the field's default,
    and google-genai's model_dump() writes one for every field it did not set: a null field
    is absent (``obj`` itself when it holds none)."""
    if None in obj.values():
        return {key: value for key, value in obj.items() if value is not None}
    return obj


class Reader:
    """Reads one object's fields under either spelling, naming paths as the client spelled them."""

    __slots__ = ("path", "spelled", "values")

    def __init__(self, obj: JSONObject, path: str) -> None:
        self.path = path
        self.spelled: dict[str, str] | None
        obj = set_fields(obj)
        if any("_" in key for key in obj):
            self.values = {camel(key): value for key, value in obj.items()}
            self.spelled = {camel(key): key for key in obj}
        else:
            # Already lowerCamelCase, the REST spelling: read the object as it is.
            self.values = obj
            self.spelled = None

    def has(self, name: str) -> bool:
        return name in self.values

    def path_of(self, name: str) -> str:
        spelled = self.spelled.get(name, name) if self.spelled else name
        return f"{self.path}.{spelled}"

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def text(self, name: str) -> str:
        value = self.values.get(name)
        if isinstance(value, str):
            return value
        if name not in self.values:
            raise InvalidMessage(self.path_of(name), "is required")
        return expect_str(value, self.path_of(name))

    def optional_text(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        return expect_str(value, self.path_of(name))

    def child(self, name: str) -> Reader:
        path = self.path_of(name)
        return Reader(expect_object(self.values.get(name), path), path)

    def rest(self, known: frozenset[str]) -> JSONObject:
        return {name: value for name, value in self.values.items() if name not in known}


# --- Gemini -> canonical --------------------------------------------------------------------


def to_canonical(blob: Any) -> JSONObject:
    content = Reader(expect_object(blob, "blob"), "blob")
    meta: JSONObject = {}
    role = content.get("role")
    if role is None:
        # The API treats a content without a role as the user's.
        role = "user"
        meta[PROVIDER] = {"role_missing": True}
    one_of(role, tuple(ROLES), content.path_of("role"))
    if not content.has("parts"):
        raise InvalidMessage("blob.parts", "is required")
    parts_path = content.path_of("parts")
    items = expect_list(content.get("parts"), parts_path)
    parts = [_part(item, f"{parts_path}[{index}]") for index, item in enumerate(items)]
    unknown = content.rest(frozenset(("role", "parts")))
    if unknown:
        meta.setdefault(PROVIDER, {})["extra"] = unknown
    return make_message(ROLES[role], parts, meta)


def _part(value: object, path: str) -> JSONObject:
    part = Reader(expect_object(value, path), path)
    kinds = [kind for kind in CONTENT_KINDS if part.has(kind)]
    own = part.rest(MODELLED_PART_FIELDS)
    if part.has("thoughtSignature"):
        own["thoughtSignature"] = media.check_base64(
            part.text("thoughtSignature"), part.path_of("thoughtSignature")
        )
    thought = part.get("thought")
    if thought is not None:
        expect_bool(thought, part.path_of("thought"))
    if len(kinds) > 1:
        raise InvalidMessage(path, f"holds more than one of {', '.join(kinds)}")
    if not kinds:
        if thought:
            return make_part("thinking", meta={PROVIDER: own})
        # Executable code, code execution results, server tool calls...: Gemini-only.
        return make_part("data", meta={PROVIDER: {"part": _camel_part(value)}})
    kind = kinds[0]
    if kind == "text":
        text = part.text("text")
        if thought:
            return make_part("thinking", text=text, meta={PROVIDER: own})
        return make_part("text", text=text, meta={PROVIDER: own} if own else None)
    if kind in ("inlineData", "fileData"):
        return _media(part, kind, own)
    if kind == "functionCall":
        return _function_call(part.child("functionCall"), own)
    return _function_response(part.child("functionResponse"), own)


def _camel_part(value: Any) -> JSONObject:
    return {camel(key): item for key, item in value.items()}


def _media(part: Reader, kind: str, own: JSONObject) -> JSONObject:
    source = part.child(kind)
    media_type = source.optional_text("mimeType")
    meta: JSONObject
    if kind == "inlineData":
        if media_type is None:
            source.text("mimeType")  # raises: inline data needs its type
        meta = {"data": media.check_base64(source.text("data"), source.path_of("data"))}
    else:
        meta = {"url": source.text("fileUri")}
    if media_type is not None:
        meta["media_type"] = media_type
    filename = source.optional_text("displayName")
    extra = source.rest(frozenset(("mimeType", "data", "fileUri", "displayName")))
    if extra:
        own = {**own, kind: extra}
    if own:
        meta[PROVIDER] = own
    return make_part(media.part_type_for_media_type(media_type), filename=filename, meta=meta)


def _function_call(call: Reader, own: JSONObject) -> JSONObject:
    args = call.get("args")
    arguments = (
        "{}" if args is None else arguments_from_object(expect_object(args, call.path_of("args")))
    )
    meta: JSONObject = {"name": call.text("name"), "arguments": arguments}
    call_id = call.optional_text("id")
    if call_id is not None:
        meta = {"id": call_id, **meta}
    extra = call.rest(frozenset(("id", "name", "args")))
    if extra:
        own = {**own, "functionCall": extra}
    if own:
        meta[PROVIDER] = own
    return make_part("tool-call", meta=meta)


def _function_response(response: Reader, own: JSONObject) -> JSONObject:
    body = expect_object(response.get("response"), response.path_of("response"))
    meta: JSONObject = {"name": response.text("name")}
    response_id = response.optional_text("id")
    if response_id is not None:
        meta = {"tool_call_id": response_id, **meta}
    text, is_error = _result_text(body)
    if is_error:
        meta["is_error"] = True
    if response.has("parts"):
        parts_path = response.path_of("parts")
        nested = [make_part("text", text=text)]
        for index, item in enumerate(expect_list(response.get("parts"), parts_path)):
            nested_part = Reader(
                expect_object(item, f"{parts_path}[{index}]"), f"{parts_path}[{index}]"
            )
            kind = next((k for k in ("inlineData", "fileData") if nested_part.has(k)), None)
            if kind is None:
                raise InvalidMessage(f"{parts_path}[{index}]", "expected inlineData or fileData")
            nested_own = nested_part.rest(frozenset(("inlineData", "fileData")))
            nested.append(_media(nested_part, kind, nested_own))
        meta["content"] = nested
    extra = response.rest(frozenset(("id", "name", "response", "parts")))
    if extra:
        own = {**own, "functionResponse": extra}
    if own:
        meta[PROVIDER] = own
    return make_part("tool-result", text=text, meta=meta)


def _result_text(body: JSONObject) -> tuple[str, bool]:
    """Gemini's documented shapes ``{"output": ...}`` / ``{"error": ...}`` read as plain text."""
    if len(body) == 1:
        ((key, value),) = body.items()
        if key in ("output", "error") and isinstance(value, str):
            return value, key == "error"
    return dump_json(body), "error" in body and "output" not in body


# --- canonical -> Gemini --------------------------------------------------------------------


def render(conversation: Conversation) -> None:
    plan = plan_turns(
        conversation,
        render_blocks=_blocks,
        raw_blocks=lambda raw: list(raw.get("parts", [])),
        can_replay=lambda entry: True,
        is_result=_is_result,
        understood_message_fields=frozenset(),
    )
    if plan.system_pieces:
        conversation.system = _system_instruction(plan.system_pieces, conversation)
    for turn in plan.turns:
        if turn.raw is not None:
            # A content stored without a role is the user's; the API wants it said.
            raw = turn.raw if "role" in turn.raw else {"role": "user", **turn.raw}
            conversation.emit(raw, turn.sources)
        else:
            role = "model" if turn.role == "assistant" else "user"
            conversation.emit({"role": role, "parts": turn.blocks}, turn.sources)


def _system_instruction(pieces: list[Piece], conversation: Conversation) -> JSONObject | None:
    parts = []
    for piece in pieces:
        if piece.part["type"] != "text":
            conversation.drop(piece, "unsupported_part", "a system prompt can only hold text")
        elif not piece.part.get("text"):
            conversation.drop(piece, "empty_text_dropped", "Gemini rejects empty text parts")
        else:
            conversation.note_provider_data(piece, PROVIDER)
            parts.append({"text": piece.part["text"]})
    return {"parts": parts} if parts else None


def _is_result(block: Any) -> bool:
    return "functionResponse" in block or "function_response" in block


def _blocks(entry: Entry, conversation: Conversation) -> list[JSONObject]:
    blocks = []
    for piece in entry.pieces:
        block = _block(piece, conversation)
        if block is not None:
            blocks.append(block)
    return blocks


def _with_own(
    piece: Piece, block: JSONObject, conversation: Conversation, nested: str | None = None
) -> JSONObject:
    """Replays Gemini's own fields: the part's (thoughtSignature, videoMetadata...) and the
    extras of its nested object (``nested``: functionCall, inlineData...)."""
    own = (piece.part.get("meta") or {}).get(PROVIDER)
    if own:
        block.update((key, value) for key, value in own.items() if key not in OWN_NESTED)
        if nested is not None and isinstance(own.get(nested), dict):
            block[nested] = {**block[nested], **own[nested]}
    conversation.note_provider_data(piece, PROVIDER)
    return block


# meta["gemini"] keys holding extra fields of the nested object rather than of the part.
OWN_NESTED = frozenset(
    ("inlineData", "fileData", "functionCall", "functionResponse", "part", "role_missing", "extra")
)


def _block(piece: Piece, conversation: Conversation) -> JSONObject | None:
    part = piece.part
    kind = part["type"]
    meta = part.get("meta") or {}
    if kind == "text":
        text = part.get("text", "")
        if not text and not meta.get(PROVIDER):
            # Gemini refuses a part of empty text (an Anthropic prefill left empty, say). One
            # of its own, carrying a thoughtSignature, is what Gemini itself sent: kept.
            conversation.drop(piece, "empty_text_dropped", "Gemini rejects empty text parts")
            return None
        return _with_own(piece, {"text": text}, conversation)
    if kind == "tool-call":
        return _with_own(
            piece, _function_call_block(piece, conversation), conversation, "functionCall"
        )
    if kind == "tool-result":
        return _with_own(
            piece, _function_response_block(piece, conversation), conversation, "functionResponse"
        )
    if kind == "thinking":
        if PROVIDER not in meta:
            conversation.drop(
                piece,
                "thinking_dropped",
                "reasoning made by another provider cannot be replayed to Gemini",
            )
            return None
        block: JSONObject = {"text": part.get("text", ""), "thought": True}
        return _with_own(piece, block, conversation)
    if kind == "data":
        own_part = (meta.get(PROVIDER) or {}).get("part")
        if own_part is not None:
            return dict(own_part)
        conversation.drop_unsupported(piece, PROVIDER)
        return None
    return _media_block(piece, conversation)


def _media_block(piece: Piece, conversation: Conversation) -> JSONObject | None:
    part = piece.part
    if conversation.drop_foreign_reference(piece):
        return None
    meta = part.get("meta") or {}
    media_type = meta.get("media_type")
    if "data" in meta:
        block: JSONObject = {
            "inlineData": {
                "mimeType": media_type or "application/octet-stream",
                "data": meta["data"],
            }
        }
        field = "inlineData"
    elif "url" in meta:
        guessed = media_type or media.media_type_from_url(meta["url"])
        if guessed is None:
            # Gemini wants the type of a file it is pointed at, and the converter never
            # fetches a URL to find out: assume the commonest type of the part's kind.
            guessed = media.FALLBACK_MEDIA_TYPES[part["type"]]
            conversation.warn(
                piece, "media_type_assumed", f"the type of {meta['url']!r} is assumed {guessed}"
            )
        block = {"fileData": {"fileUri": meta["url"], "mimeType": guessed}}
        field = "fileData"
    else:
        text = documents.text_of(part)
        if text is None:
            conversation.drop(piece, "media_unsupported", f"a {part['type']} without a URL or data")
            return None
        # A document given as text (Anthropic's text and content sources, search results):
        # a text part, its title and source first.
        return _with_own(piece, {"text": documents.as_text(part, text)}, conversation)
    if part.get("filename") and piece.message.format == PROVIDER:
        block[field]["displayName"] = part["filename"]  # Gemini's own displayName
    else:
        conversation.note_filename(piece)
    return _with_own(piece, block, conversation, field)


def _wire_id(piece: Piece, conversation: Conversation) -> str | None:
    """The id to send: Gemini pairs by name when the call came without one."""
    tool_id = conversation.tool_id(piece)
    return None if tool_id in conversation.generated_id_formats else tool_id


def _function_call_block(piece: Piece, conversation: Conversation) -> JSONObject:
    meta = piece.part["meta"]
    args = object_from_arguments(meta["arguments"])
    if args is None:
        conversation.warn(
            piece,
            "arguments_not_object",
            "arguments are not a JSON object within the number and depth rules; given as "
            f"args.{RAW_ARGUMENTS_KEY}",
        )
        args = {RAW_ARGUMENTS_KEY: meta["arguments"]}
    call: JSONObject = {"name": conversation.tool_name(piece, meta["name"]), "args": args}
    call_id = _wire_id(piece, conversation)
    if call_id is not None:
        call = {"id": call_id, **call}
    return {"functionCall": call}


def _function_response_block(piece: Piece, conversation: Conversation) -> JSONObject:
    part = piece.part
    meta = part["meta"]
    text = documents.result_text(part)
    body = object_from_arguments(text) if text.startswith("{") else None
    if body is None:
        body = {"error": text} if meta.get("is_error") else {"output": text}
    name = conversation.tool_name(piece, conversation.call_name(piece))
    response: JSONObject = {"name": name, "response": body}
    response_id = _wire_id(piece, conversation)
    if response_id is not None:
        response = {"id": response_id, **response}
    nested = meta.get("content")
    if nested is not None:
        media_parts = []
        texts = 0
        for index, nested_part in enumerate(nested):
            nested_piece = piece.nested(index, nested_part)
            if nested_part["type"] == "text" or documents.text_of(nested_part) is not None:
                # In ``response`` already, with the other texts.
                conversation.note_provider_data(nested_piece, PROVIDER)
                texts += 1
                continue
            block = _media_block(nested_piece, conversation)
            if block is not None:
                media_parts.append(block)
        if media_parts:
            response["parts"] = media_parts
        if texts > 1:
            conversation.warn(
                piece, "text_joined", "several result texts are joined into one response"
            )
    return {"functionResponse": response}
