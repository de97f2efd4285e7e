"""Anthropic Messages (and the separate system prompt) as blocks."""

from __future__ import annotations

from typing import Any

from .blocks import (
    Block,
    DocumentBlock,
    JsonBlock,
    JSONObject,
    Presented,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    arguments_block,
    media_block,
    pretty_json,
    string_of,
    text_or_json,
)


def present_anthropic(item: JSONObject) -> Presented:
    return Presented(role=string_of(item.get("role")), blocks=anthropic_blocks(item.get("content")))


def anthropic_blocks(content: Any) -> list[Block]:
    """Blocks of a message's content, of a tool result's content, or of the system prompt."""
    if content is None:
        return []
    if isinstance(content, str):
        return [TextBlock(text=content)] if content else []
    return [_anthropic_block(block) for block in content]


def _anthropic_block(block: JSONObject) -> Block:
    kind = block.get("type")
    if kind == "text":
        return TextBlock(text=string_of(block.get("text")))
    if kind in ("image", "document"):
        return _anthropic_source(kind, block)
    if kind in ("tool_use", "server_tool_use"):
        return arguments_block(
            block.get("id"),
            block.get("name"),
            block.get("input"),
            label="server tool" if kind == "server_tool_use" else "",
        )
    if kind == "tool_result":
        content = block.get("content")
        blocks = [text_or_json(content)] if isinstance(content, str) else anthropic_blocks(content)
        return ToolResultBlock(
            tool_id=string_of(block.get("tool_use_id")),
            name="",
            blocks=tuple(blocks),
            is_error=bool(block.get("is_error")),
        )
    if kind == "thinking":
        return ThinkingBlock(
            text=string_of(block.get("thinking")), signature=string_of(block.get("signature"))
        )
    if kind == "redacted_thinking":
        return ThinkingBlock(
            text="",
            signature=string_of(block.get("data")),
            redacted=True,
            label="Redacted thinking",
        )
    return JsonBlock(label=string_of(kind) or "block", json=pretty_json(block))


def _anthropic_source(kind: str, block: JSONObject) -> Block:
    source = block.get("source") or {}
    source_type = source.get("type")
    title = block.get("title")
    if source_type == "base64":
        return media_block(
            kind, data=source.get("data"), media_type=source.get("media_type"), filename=title
        )
    if source_type == "url":
        return media_block(kind, url=source.get("url"), filename=title)
    if source_type == "text":
        return DocumentBlock(
            href=None,
            filename=string_of(title),
            media_type=string_of(source.get("media_type")),
            text=string_of(source.get("data")),
        )
    if source_type == "file":
        return DocumentBlock(
            href=None,
            filename=string_of(title),
            url_text=f"file id {string_of(source.get('file_id'))}",
        )
    return JsonBlock(label=kind, json=pretty_json(block))
