"""Gemini Content (and the system instruction) as blocks."""

from __future__ import annotations

from typing import Any

from conversion.gemini import camel, set_fields

from .blocks import (
    Block,
    JsonBlock,
    JSONObject,
    Presented,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    arguments_block,
    kind_of_media_type,
    media_block,
    pretty_json,
    string_of,
)


def _camel_keys(obj: JSONObject) -> JSONObject:
    """Gemini clients write either spelling (REST camelCase, Python SDK snake_case); a null
    field is absent, as the reader takes it."""
    return {camel(key): value for key, value in set_fields(obj).items()}


def present_gemini(item: JSONObject) -> Presented:
    return Presented(role=string_of(item.get("role")), blocks=gemini_blocks(item))


def gemini_blocks(content: Any) -> list[Block]:
    """Blocks of a Content (a message, or the separate system instruction)."""
    if isinstance(content, str):
        return [TextBlock(text=content)]
    parts = content.get("parts") or []
    return [block for part in parts for block in _gemini_part(_camel_keys(part))]


def _gemini_part(part: JSONObject) -> list[Block]:
    signature = string_of(part.get("thoughtSignature"))
    blocks: list[Block]
    if "text" in part:
        text = string_of(part["text"])
        if part.get("thought"):
            return [ThinkingBlock(text=text, signature=signature)]
        blocks = [TextBlock(text=text)]
    elif "inlineData" in part or "fileData" in part:
        # Inline bytes or a file by URI: the same media block, from data or from a URL.
        source = _camel_keys(part["inlineData"] if "inlineData" in part else part["fileData"])
        media_type = string_of(source.get("mimeType"))
        blocks = [
            media_block(
                kind_of_media_type(media_type),
                data=source.get("data"),
                url=source.get("fileUri"),
                media_type=media_type,
            )
        ]
    elif "functionCall" in part:
        call = _camel_keys(part["functionCall"])
        blocks = [arguments_block(call.get("id"), call.get("name"), call.get("args"))]
    elif "functionResponse" in part:
        response = _camel_keys(part["functionResponse"])
        nested: list[Block] = [JsonBlock(label="", json=pretty_json(response.get("response")))]
        for nested_part in response.get("parts") or []:
            nested.extend(_gemini_part(_camel_keys(nested_part)))
        outcome = response.get("response")
        blocks = [
            ToolResultBlock(
                tool_id=string_of(response.get("id")),
                name=string_of(response.get("name")),
                blocks=tuple(nested),
                # Gemini's convention for a failed call: the response holds an "error" key.
                is_error=isinstance(outcome, dict) and "error" in outcome,
            )
        ]
    else:
        return [JsonBlock(label=next(iter(part), "part"), json=pretty_json(part))]
    if signature:
        # A signature on a visible part belongs to the reasoning that produced it.
        blocks.append(ThinkingBlock(text="", signature=signature, label="Thought signature"))
    return blocks
