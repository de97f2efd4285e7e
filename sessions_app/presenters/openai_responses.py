"""OpenAI Responses API input items as blocks: one item (a message, a call, an output, a
reasoning item...) is one stored message."""

from __future__ import annotations

from typing import Any

from conversion.media import OPENAI_AUDIO_FORMATS

from .blocks import (
    Block,
    DocumentBlock,
    ImageBlock,
    JsonBlock,
    JSONObject,
    Presented,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    ToolResultBlock,
    arguments_block,
    inline_description,
    media_block,
    pretty_json,
    safe_url,
    string_of,
    text_or_json,
)

# Items a client sends to set up the next response rather than to say anything.
_SETTING_ITEMS = frozenset(("configuration_update", "compaction_trigger"))
# image_generation_call.output_format -> MIME type.
_IMAGE_FORMATS = {"svg": "image/svg+xml", "jpeg": "image/jpeg", "jpg": "image/jpeg"}


def present_openai_responses(item: JSONObject) -> Presented:
    kind = string_of(item.get("type"))
    if not kind:  # both the easy message and the item reference may leave out their type
        kind = "message" if "role" in item else "item_reference" if "id" in item else ""
    if kind == "message":
        return Presented(
            role=string_of(item.get("role")),
            blocks=_responses_content(item.get("content")),
            name=string_of(item.get("phase")),  # commentary or final_answer
        )
    if kind == "function_call":
        namespace = string_of(item.get("namespace"))
        call = arguments_block(
            item.get("call_id"),
            item.get("name"),
            item.get("arguments"),
            label=f"namespace {namespace}" if namespace else "",
        )
        return Presented(role="assistant", blocks=[call])
    if kind == "custom_tool_call":
        call = ToolCallBlock(
            tool_id=string_of(item.get("call_id")),
            name=string_of(item.get("name")),
            arguments=string_of(item.get("input")),
            arguments_are_json=False,
            label="custom tool",
        )
        return Presented(role="assistant", blocks=[call])
    if kind in ("function_call_output", "custom_tool_call_output"):
        output = item.get("output")
        blocks = (
            ([text_or_json(output)] if output else [])
            if isinstance(output, str)
            else _responses_content(output)
        )
        result = ToolResultBlock(
            tool_id=string_of(item.get("call_id")),
            name=string_of(item.get("name")),
            blocks=tuple(blocks),
        )
        return Presented(role="tool", blocks=[result])
    if kind == "reasoning":
        return Presented(role="assistant", blocks=_reasoning_blocks(item))
    if kind == "item_reference":
        reference = TextBlock(
            text=f"reference to item {string_of(item.get('id'))}", label="item reference"
        )
        return Presented(role="", blocks=[reference])
    return Presented(role=_role_of_other(kind, item), blocks=_other_item_blocks(kind, item))


def _responses_content(content: Any) -> list[Block]:
    """A message's content, or a tool output's list of parts."""
    if content is None:
        return []
    if isinstance(content, str):
        return [TextBlock(text=content)] if content else []
    return [block for part in content for block in _responses_part(part)]


def _responses_part(part: JSONObject) -> list[Block]:
    kind = part.get("type")
    if kind in ("input_text", "output_text"):
        text = TextBlock(text=string_of(part.get("text")))
        annotations = part.get("annotations")
        return [text, _annotations_block(annotations)] if annotations else [text]
    if kind == "refusal":
        return [TextBlock(text=string_of(part.get("refusal")), label="refusal")]
    if kind == "input_image":
        return [_image_block(part.get("image_url"), part.get("file_id"), part.get("detail"))]
    if kind == "input_file":
        return [_file_block(part)]
    if kind == "input_audio":
        audio = part.get("input_audio") or {}
        audio_format = string_of(audio.get("format"))
        media_type = OPENAI_AUDIO_FORMATS.get(audio_format, f"audio/{audio_format}")
        return [media_block("audio", data=audio.get("data"), media_type=media_type)]
    return [JsonBlock(label=string_of(kind) or "part", json=pretty_json(part))]


def _image_block(url: Any, file_id: Any, detail: Any) -> ImageBlock:
    if isinstance(url, str):
        return ImageBlock(
            src=safe_url(url, "image"),
            url_text=url if not url.startswith("data:") else inline_description(url, "image"),
            detail=string_of(detail),
        )
    return ImageBlock(src=None, url_text=f"file id {string_of(file_id)}", detail=string_of(detail))


def _file_block(part: JSONObject) -> Block:
    filename = part.get("filename")
    file_data = part.get("file_data")
    if isinstance(file_data, str):
        if not file_data.startswith("data:"):  # bare base64 of a type it does not say
            return media_block("document", data=file_data, filename=filename)
        href = safe_url(file_data, "document")
        media_type = file_data[5:].split(";", 1)[0].split(",", 1)[0]
        return DocumentBlock(
            href=href,
            filename=string_of(filename),
            media_type=media_type,
            url_text="" if href else inline_description(file_data, media_type or "data"),
        )
    if isinstance(part.get("file_url"), str):
        return media_block("document", url=part["file_url"], filename=filename)
    return DocumentBlock(
        href=None,
        filename=string_of(filename),
        url_text=f"file id {string_of(part.get('file_id'))}",
    )


def _annotations_block(annotations: Any) -> Block:
    """Citations as one readable line each; JSON when any is of a shape not known here."""
    lines = []
    for annotation in annotations:
        kind = annotation.get("type")
        if kind == "url_citation":
            where = f"{annotation.get('start_index')}–{annotation.get('end_index')}"
            cited = f"{string_of(annotation.get('title'))} <{string_of(annotation.get('url'))}>"
        elif kind == "file_citation":
            where = string_of(annotation.get("index"))
            cited = (
                f"{string_of(annotation.get('filename'))} "
                f"(file id {string_of(annotation.get('file_id'))})"
            )
        elif kind == "container_file_citation":
            where = f"{annotation.get('start_index')}–{annotation.get('end_index')}"
            cited = (
                f"{string_of(annotation.get('filename'))} "
                f"(file id {string_of(annotation.get('file_id'))}, "
                f"container {string_of(annotation.get('container_id'))})"
            )
        elif kind == "file_path":
            where = string_of(annotation.get("index"))
            cited = f"file id {string_of(annotation.get('file_id'))}"
        else:
            return JsonBlock(label="annotations", json=pretty_json(annotations))
        lines.append(f"{kind} [{where}]: {cited}")
    return TextBlock(text="\n".join(lines), label="annotations")


def _reasoning_blocks(item: JSONObject) -> list[Block]:
    blocks: list[Block] = [
        ThinkingBlock(text=string_of(summary.get("text")), label="Reasoning summary")
        for summary in item.get("summary") or []
    ]
    blocks.extend(
        ThinkingBlock(text=string_of(content.get("text")), label="Reasoning")
        for content in item.get("content") or []
    )
    if item.get("encrypted_content"):
        # The whole reasoning, encrypted: shown as a signature, as Anthropic's is.
        blocks.append(
            ThinkingBlock(
                text="",
                signature=string_of(item["encrypted_content"]),
                label="Encrypted reasoning",
            )
        )
    return blocks


def _role_of_other(kind: str, item: JSONObject) -> str:
    role = item.get("role")  # additional_tools names its role (developer)
    if isinstance(role, str) and role:
        return role
    if kind.endswith("_output") or kind == "mcp_approval_response":
        return "tool"
    if not kind or kind in _SETTING_ITEMS:
        return ""
    return "assistant"  # the built-in tools' calls, compaction, MCP listings and requests


def _other_item_blocks(kind: str, item: JSONObject) -> list[Block]:
    """A built-in tool's item as its JSON, with the image it holds drawn too."""
    blocks: list[Block] = []
    shown = item
    if kind == "image_generation_call" and isinstance(item.get("result"), str) and item["result"]:
        result = item["result"]
        output_format = string_of(item.get("output_format")).lower() or "png"
        media_type = _IMAGE_FORMATS.get(output_format, f"image/{output_format}")
        blocks.append(media_block("image", data=result, media_type=media_type))
        # The base64 is drawn above; repeated in the JSON it would fill the clipped text.
        shown = {**item, "result": f"<base64 image, {len(result):,} characters>"}
    elif kind == "computer_call_output" and isinstance(item.get("output"), dict):
        screenshot = item["output"]
        url = screenshot.get("image_url")
        if isinstance(url, str) or screenshot.get("file_id"):
            blocks.append(_image_block(url, screenshot.get("file_id"), None))
        if isinstance(url, str) and url.startswith("data:"):
            shown = {
                **item,
                "output": {**screenshot, "image_url": f"<data URL, {len(url):,} characters>"},
            }
    blocks.append(JsonBlock(label=kind or "item", json=pretty_json(shown)))
    return blocks
