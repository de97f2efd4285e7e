"""The native canonical ("acontext") format: ``{role, parts, meta?}`` as the Acontext SDK sends it.

Reading a blob validates it and drops the ``null`` fields the SDK serialises (``text: None``,
``file_field: None``...); rendering fills in the tool ids resolved for the conversation.

A media part may name an uploaded file (``file_field``, in a multipart request) or an asset
already stored (``asset``); both are kept here for the service, which stores the file and
gives the part its ``asset`` record. Only top-level parts carry files, as in Acontext.
"""

from __future__ import annotations

from typing import Any

from conversion import media
from conversion.canonical import (
    MEDIA_PART_TYPES,
    PART_TYPES,
    SYSTEM_ROLES,
    InvalidMessage,
    JSONObject,
)
from conversion.conversation import PROVIDERS, Conversation
from conversion.fields import (
    dump_json,
    expect_bool,
    expect_list,
    expect_object,
    expect_str,
    one_of,
    require,
    required_str,
)

PART_KEYS = frozenset(("type", "text", "asset", "filename", "meta", "file_field"))


def to_canonical(blob: Any) -> JSONObject:
    message = expect_object(blob, "blob")
    role = one_of(require(message, "role", "blob"), ("user", "assistant"), "blob.role")
    parts = [
        _part(part, f"blob.parts[{index}]", top_level=True)
        for index, part in enumerate(expect_list(require(message, "parts", "blob"), "blob.parts"))
    ]
    unknown = sorted(set(message) - {"role", "parts", "meta"})
    if unknown:
        raise InvalidMessage(f"blob.{unknown[0]}", "is not a field of an acontext message")
    canonical: JSONObject = {"role": role, "parts": parts}
    meta = message.get("meta")
    if meta:
        canonical["meta"] = _message_meta(expect_object(meta, "blob.meta"))
    return canonical


def _message_meta(meta: JSONObject) -> JSONObject:
    if "role" in meta:
        one_of(meta["role"], tuple(sorted(SYSTEM_ROLES)), "blob.meta.role")
    if "name" in meta:
        expect_str(meta["name"], "blob.meta.name")
    _check_provider_data(meta, "blob.meta")
    return meta


def _check_provider_data(meta: JSONObject, path: str) -> None:
    # Provider-only data is replayed field by field to its provider: it must be an object.
    for provider in PROVIDERS:
        if provider in meta:
            expect_object(meta[provider], f"{path}.{provider}")


def _part(value: object, path: str, *, top_level: bool = False) -> JSONObject:
    given = expect_object(value, path)
    unknown = sorted(set(given) - PART_KEYS)
    if unknown:
        raise InvalidMessage(f"{path}.{unknown[0]}", "is not a field of a message part")
    kind = one_of(require(given, "type", path), tuple(sorted(PART_TYPES)), f"{path}.type")
    part: JSONObject = {"type": kind}
    for key in ("text", "filename"):
        if given.get(key) is not None:
            part[key] = expect_str(given[key], f"{path}.{key}")
    for key in ("file_field", "asset"):
        if given.get(key) is not None:
            _check_file_source(given, kind, key, path, top_level)
            part[key] = (expect_str if key == "file_field" else expect_object)(
                given[key], f"{path}.{key}"
            )
    meta = dict(expect_object(given["meta"], f"{path}.meta")) if given.get("meta") else {}
    meta_path = f"{path}.meta"
    _check_provider_data(meta, meta_path)
    if kind == "text" and "text" not in part:
        raise InvalidMessage(f"{path}.text", "is required for a text part")
    if kind == "tool-call":
        required_str(meta, "name", meta_path)
        arguments = require(meta, "arguments", meta_path)
        if isinstance(arguments, dict):
            meta["arguments"] = dump_json(arguments)
        else:
            expect_str(arguments, f"{meta_path}.arguments")
        if meta.get("id") is not None:
            expect_str(meta["id"], f"{meta_path}.id")
    if kind == "tool-result":
        required_str(meta, "tool_call_id", meta_path)
        if "is_error" in meta:
            expect_bool(meta["is_error"], f"{meta_path}.is_error")
        if "content" in meta:
            nested = expect_list(meta["content"], f"{meta_path}.content")
            meta["content"] = [
                _part(item, f"{meta_path}.content[{index}]") for index, item in enumerate(nested)
            ]
    if kind in MEDIA_PART_TYPES:
        for key in ("url", "media_type"):
            if key in meta:
                expect_str(meta[key], f"{meta_path}.{key}")
        if "data" in meta:
            media.check_base64(expect_str(meta["data"], f"{meta_path}.data"), f"{meta_path}.data")
    if meta:
        part["meta"] = meta
    return part


def _check_file_source(given: JSONObject, kind: str, key: str, path: str, top_level: bool) -> None:
    if not top_level:
        raise InvalidMessage(f"{path}.{key}", "only a top-level part of a message carries a file")
    if kind not in MEDIA_PART_TYPES:
        raise InvalidMessage(
            f"{path}.{key}", "only image, audio, video and file parts carry a file"
        )
    meta = given.get("meta") or {}
    others = [
        other for other in ("file_field", "asset") if other != key and given.get(other) is not None
    ] + [
        f"meta.{source}" for source in ("url", "data") if isinstance(meta, dict) and source in meta
    ]
    if others:
        raise InvalidMessage(
            f"{path}.{key}", f"a part has one source; this one also has {others[0]}"
        )
    if key == "file_field" and given[key] == "":
        raise InvalidMessage(f"{path}.file_field", "must name the form field of the file")


def render(conversation: Conversation) -> None:
    """One item per stored message; only ids the conversation had to resolve are added."""
    for position, message in enumerate(conversation.messages):
        canonical = message.canonical
        parts = canonical["parts"]
        for index, part in enumerate(parts):
            resolved = conversation.resolved_ids.get((position, index))
            if resolved is not None:
                if parts is canonical["parts"]:
                    parts = list(parts)
                key = "id" if part["type"] == "tool-call" else "tool_call_id"
                parts[index] = {**part, "meta": {**part["meta"], key: resolved}}
        item = {"role": canonical["role"], "parts": parts, "meta": canonical.get("meta") or {}}
        conversation.emit(item, [message.id])
