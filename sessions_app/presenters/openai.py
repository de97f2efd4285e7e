"""OpenAI Chat Completions messages as blocks."""

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


def present_openai(item: JSONObject) -> Presented:
    role = string_of(item.get("role"))
    name = string_of(item.get("name"))
    if role == "tool":
        result = ToolResultBlock(
            tool_id=string_of(item.get("tool_call_id")),
            name="",
            blocks=tuple(_openai_content(item.get("content"), tool_output=True)),
        )
        return Presented(role=role, blocks=[result], name=name)
    if role == "function":  # the legacy form of a tool message
        result = ToolResultBlock(
            tool_id="",
            name=name,
            blocks=tuple(_openai_content(item.get("content"), tool_output=True)),
        )
        return Presented(role=role, blocks=[result])

    blocks = _openai_content(item.get("content"))
    if item.get("refusal"):
        blocks.append(TextBlock(text=string_of(item["refusal"]), label="refusal"))
    if item.get("audio"):
        # A reference to audio the model produced earlier: there is nothing to play.
        blocks.append(JsonBlock(label="audio reference", json=pretty_json(item["audio"])))
    for call in item.get("tool_calls") or []:
        if call.get("type") == "custom":
            custom = call.get("custom") or {}
            blocks.append(
                ToolCallBlock(
                    tool_id=string_of(call.get("id")),
                    name=string_of(custom.get("name")),
                    arguments=string_of(custom.get("input")),
                    arguments_are_json=False,
                    label="custom tool",
                )
            )
        else:
            function = call.get("function") or {}
            blocks.append(
                arguments_block(call.get("id"), function.get("name"), function.get("arguments"))
            )
    if item.get("function_call"):
        call = item["function_call"]
        blocks.append(
            arguments_block(None, call.get("name"), call.get("arguments"), label="function_call")
        )
    return Presented(role=role, blocks=blocks, name=name)


def _openai_content(content: Any, *, tool_output: bool = False) -> list[Block]:
    if content is None:
        return []
    if isinstance(content, str):
        if not content:
            return []
        return [text_or_json(content) if tool_output else TextBlock(text=content)]
    return [_openai_part(part) for part in content]


def _openai_part(part: JSONObject) -> Block:
    kind = part.get("type")
    if kind == "text":
        return TextBlock(text=string_of(part.get("text")))
    if kind == "refusal":
        return TextBlock(text=string_of(part.get("refusal")), label="refusal")
    if kind == "image_url":
        image = part.get("image_url") or {}
        url = string_of(image.get("url"))
        return ImageBlock(
            src=safe_url(url, "image"),
            url_text=url if not url.startswith("data:") else inline_description(url, "image"),
            detail=string_of(image.get("detail")),
        )
    if kind == "input_audio":
        audio = part.get("input_audio") or {}
        audio_format = string_of(audio.get("format"))
        media_type = OPENAI_AUDIO_FORMATS.get(audio_format, f"audio/{audio_format}")
        return media_block("audio", data=audio.get("data"), media_type=media_type)
    if kind == "file":
        file = part.get("file") or {}
        file_data = file.get("file_data")
        if isinstance(file_data, str):
            return DocumentBlock(
                href=safe_url(file_data, "document"),
                filename=string_of(file.get("filename")),
                media_type=file_data[5:].split(";", 1)[0] if file_data.startswith("data:") else "",
                url_text="" if file_data.startswith("data:") else file_data,
            )
        return DocumentBlock(
            href=None,
            filename=string_of(file.get("filename")),
            url_text=f"file id {string_of(file.get('file_id'))}",
        )
    return JsonBlock(label=string_of(kind) or "part", json=pretty_json(part))
