"""What the HTML pages draw: converted items turned into neutral blocks.

The service converts (``services.session_messages_converted``); a presenter only reads the
item shape of one target format and lists what to draw: text, image, audio, document, tool
call, tool result, thinking, or other JSON. The templates draw blocks without knowing any
provider, and nothing here converts between formats.

Every string is user content. Django's autoescaping covers text and attribute values; the one
rule added here is for URLs: only http(s) and ``data:`` URLs of the expected media type
(image, audio, PDF) ever become a ``src`` or ``href`` (``safe_url``). Anything else, such as
``javascript:``, is shown as text.

Uploaded files are the exception that proves the rule: an acontext part names its file by
an ``asset`` record, never by a URL, and the page gives each file's URL (``asset_urls``, by
sha256: this server's login-checked address for it), so only the server decides what loads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import orjson

import conversion
from conversion import json_rules
from conversion.gemini import camel
from conversion.media import OPENAI_AUDIO_FORMATS
from sessions_app.assets import serves_inline
from sessions_app.services import ConvertedMessages

JSONObject = dict[str, Any]
MediaUse = Literal["image", "audio", "document"]
# Where a page loads each uploaded file from, by sha256.
AssetUrls = Mapping[str, str]

FORMAT_LABELS = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "gemini": "Gemini",
    "acontext": "Acontext",
}
# Bubble styles: the providers' role names, reduced to the four ways a message looks.
ROLE_STYLES = {
    "user": "user",
    "assistant": "assistant",
    "model": "assistant",
    "system": "system",
    "developer": "system",
    "tool": "tool",
    "function": "tool",
}
# A data: URL longer than this is not inlined (it would be repeated in every format of the
# side-by-side view); the page says "not loaded" and the download has it. Texts are clipped
# by the templates (templatetags/clipping.py).
INLINE_MEDIA_MAX_CHARS = 512 * 1024
# The largest uploaded file the pages ask for inline: its data: URL (base64, 4 characters per
# 3 bytes, and a short prefix) stays within INLINE_MEDIA_MAX_CHARS; larger ones are linked.
INLINE_UPLOAD_MAX_BYTES = (INLINE_MEDIA_MAX_CHARS - 256) // 4 * 3
# Browsers only play data: audio here (the Content-Security-Policy keeps remote media out).
_DATA_URL_MEDIA_TYPES: dict[MediaUse, tuple[str, ...]] = {
    "image": ("image/",),
    "audio": ("audio/",),
    "document": ("application/pdf",),
}


def safe_url(url: object, use: MediaUse) -> str | None:
    """``url`` when a browser may load it as ``use``; None when it must stay text (or, for
    a data: URL, when it is too large to inline).

    The scheme must open the string exactly (no leading blanks or control characters, which
    browsers strip before reading a scheme).
    """
    if not isinstance(url, str):
        return None
    scheme, colon, rest = url.partition(":")
    if not colon:
        return None
    scheme = scheme.lower()
    if scheme in ("http", "https"):
        return url if rest.startswith("//") and len(rest) > 2 else None
    if scheme == "data":
        if len(url) > INLINE_MEDIA_MAX_CHARS:
            return None
        media_type = rest.split(",", 1)[0].split(";", 1)[0].strip().lower()
        return url if media_type.startswith(_DATA_URL_MEDIA_TYPES[use]) else None
    return None


def pretty_json(value: Any) -> str:
    # orjson: json.dumps with an indent falls back to pure Python, slow on a long page.
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    except orjson.JSONEncodeError:  # integers beyond 64 bits, which JSON allows
        return json.dumps(value, indent=2, ensure_ascii=False)


# Blocks ----------------------------------------------------------------------------------
# One small frozen class per kind; a template switches on ``kind``.


@dataclass(frozen=True, slots=True)
class TextBlock:
    kind: ClassVar[str] = "text"
    text: str
    label: str = ""  # what kind of text when it is not plain content ("refusal")


@dataclass(frozen=True, slots=True)
class ImageBlock:
    kind: ClassVar[str] = "image"
    src: str | None  # None: the URL is not one we load; ``url_text`` shows it instead
    url_text: str = ""
    media_type: str = ""
    detail: str = ""
    filename: str = ""  # an uploaded file's name; the caption links the file
    size: int | None = None  # an uploaded file's size in bytes


@dataclass(frozen=True, slots=True)
class AudioBlock:
    kind: ClassVar[str] = "audio"
    src: str | None  # a data: URL, or an uploaded file on this server, to play inline
    href: str | None = None  # a remote recording, linked rather than played
    url_text: str = ""
    media_type: str = ""
    filename: str = ""
    size: int | None = None


@dataclass(frozen=True, slots=True)
class DocumentBlock:
    kind: ClassVar[str] = "document"
    href: str | None
    filename: str = ""
    media_type: str = ""
    url_text: str = ""  # a file id, or a URL that is not linked
    text: str = ""  # a document given as plain text
    size: int | None = None


@dataclass(frozen=True, slots=True)
class ToolCallBlock:
    kind: ClassVar[str] = "tool_call"
    tool_id: str
    name: str
    arguments: str  # pretty JSON, or the string as given when it is not JSON
    arguments_are_json: bool = True
    label: str = ""


@dataclass(frozen=True, slots=True)
class ToolResultBlock:
    kind: ClassVar[str] = "tool_result"
    tool_id: str
    name: str
    blocks: tuple[Block, ...]
    is_error: bool = False


@dataclass(frozen=True, slots=True)
class ThinkingBlock:
    kind: ClassVar[str] = "thinking"
    text: str
    signature: str = ""
    redacted: bool = False
    label: str = "Thinking"


@dataclass(frozen=True, slots=True)
class JsonBlock:
    kind: ClassVar[str] = "json"
    label: str
    json: str


Block = (
    TextBlock
    | ImageBlock
    | AudioBlock
    | DocumentBlock
    | ToolCallBlock
    | ToolResultBlock
    | ThinkingBlock
    | JsonBlock
)


@dataclass(frozen=True, slots=True)
class Presented:
    """What one presenter makes of one item (or of a separate system prompt)."""

    role: str
    blocks: list[Block]
    name: str = ""  # a participant name (OpenAI ``name``)


def _text_or_json(text: str) -> Block:
    """Tool output is often JSON in a string; show it pretty when it is."""
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            return JsonBlock(label="", json=pretty_json(json_rules.loads(stripped)))
        except ValueError:  # not JSON, or beyond the number and depth rules: plain text
            pass
    return TextBlock(text=text)


def _arguments_block(tool_id: Any, name: Any, arguments: Any, *, label: str = "") -> ToolCallBlock:
    if isinstance(arguments, str):
        try:
            parsed = json_rules.loads(arguments) if arguments.strip() else {}
        except ValueError:
            # Invalid JSON arguments are legal to store; show them as they are.
            return ToolCallBlock(
                tool_id=_string(tool_id),
                name=_string(name),
                arguments=arguments,
                arguments_are_json=False,
                label=label,
            )
        arguments = parsed
    return ToolCallBlock(
        tool_id=_string(tool_id),
        name=_string(name),
        arguments=pretty_json(arguments if arguments is not None else {}),
        label=label,
    )


def _string(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _inline_description(data_url: str, what: str) -> str:
    if len(data_url) > INLINE_MEDIA_MAX_CHARS:
        return f"inline {what} ({len(data_url):,} characters, too large to show on a page)"
    return f"inline {what}"


def _media_block(
    kind: str, *, url: Any = None, data: Any = None, media_type: Any = None, filename: Any = None
) -> Block:
    """A media part given by URL or by base64 data, drawn according to ``kind``."""
    media_type = _string(media_type)
    if data is not None:
        location = f"data:{media_type or 'application/octet-stream'};base64,{_string(data)}"
        described = _inline_description(location, media_type or "data")
    else:
        location = _string(url)
        described = location
    if kind == "image":
        return ImageBlock(
            src=safe_url(location, "image"), url_text=described, media_type=media_type
        )
    if kind == "audio":
        played = safe_url(location, "audio") if location.startswith("data:") else None
        linked = None if played else safe_url(location, "document")
        return AudioBlock(src=played, href=linked, url_text=described, media_type=media_type)
    return DocumentBlock(
        href=safe_url(location, "document") if location.startswith(("http", "data:")) else None,
        filename=_string(filename),
        media_type=media_type,
        url_text=described,
    )


def _kind_of_media_type(media_type: str) -> str:
    major = media_type.split("/", 1)[0].lower()
    return major if major in ("image", "audio") else "document"


# OpenAI Chat Completions ------------------------------------------------------------------


def present_openai(item: JSONObject) -> Presented:
    role = _string(item.get("role"))
    name = _string(item.get("name"))
    if role == "tool":
        result = ToolResultBlock(
            tool_id=_string(item.get("tool_call_id")),
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
        blocks.append(TextBlock(text=_string(item["refusal"]), label="refusal"))
    if item.get("audio"):
        # A reference to audio the model produced earlier: there is nothing to play.
        blocks.append(JsonBlock(label="audio reference", json=pretty_json(item["audio"])))
    for call in item.get("tool_calls") or []:
        if call.get("type") == "custom":
            custom = call.get("custom") or {}
            blocks.append(
                ToolCallBlock(
                    tool_id=_string(call.get("id")),
                    name=_string(custom.get("name")),
                    arguments=_string(custom.get("input")),
                    arguments_are_json=False,
                    label="custom tool",
                )
            )
        else:
            function = call.get("function") or {}
            blocks.append(
                _arguments_block(call.get("id"), function.get("name"), function.get("arguments"))
            )
    if item.get("function_call"):
        call = item["function_call"]
        blocks.append(
            _arguments_block(None, call.get("name"), call.get("arguments"), label="function_call")
        )
    return Presented(role=role, blocks=blocks, name=name)


def _openai_content(content: Any, *, tool_output: bool = False) -> list[Block]:
    if content is None:
        return []
    if isinstance(content, str):
        if not content:
            return []
        return [_text_or_json(content) if tool_output else TextBlock(text=content)]
    return [_openai_part(part) for part in content]


def _openai_part(part: JSONObject) -> Block:
    kind = part.get("type")
    if kind == "text":
        return TextBlock(text=_string(part.get("text")))
    if kind == "refusal":
        return TextBlock(text=_string(part.get("refusal")), label="refusal")
    if kind == "image_url":
        image = part.get("image_url") or {}
        url = _string(image.get("url"))
        return ImageBlock(
            src=safe_url(url, "image"),
            url_text=url if not url.startswith("data:") else _inline_description(url, "image"),
            detail=_string(image.get("detail")),
        )
    if kind == "input_audio":
        audio = part.get("input_audio") or {}
        audio_format = _string(audio.get("format"))
        media_type = OPENAI_AUDIO_FORMATS.get(audio_format, f"audio/{audio_format}")
        return _media_block("audio", data=audio.get("data"), media_type=media_type)
    if kind == "file":
        file = part.get("file") or {}
        file_data = file.get("file_data")
        if isinstance(file_data, str):
            return DocumentBlock(
                href=safe_url(file_data, "document"),
                filename=_string(file.get("filename")),
                media_type=file_data[5:].split(";", 1)[0] if file_data.startswith("data:") else "",
                url_text="" if file_data.startswith("data:") else file_data,
            )
        return DocumentBlock(
            href=None,
            filename=_string(file.get("filename")),
            url_text=f"file id {_string(file.get('file_id'))}",
        )
    return JsonBlock(label=_string(kind) or "part", json=pretty_json(part))


# Anthropic Messages -----------------------------------------------------------------------


def present_anthropic(item: JSONObject) -> Presented:
    return Presented(role=_string(item.get("role")), blocks=anthropic_blocks(item.get("content")))


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
        return TextBlock(text=_string(block.get("text")))
    if kind in ("image", "document"):
        return _anthropic_source(kind, block)
    if kind in ("tool_use", "server_tool_use"):
        return _arguments_block(
            block.get("id"),
            block.get("name"),
            block.get("input"),
            label="server tool" if kind == "server_tool_use" else "",
        )
    if kind == "tool_result":
        content = block.get("content")
        blocks = [_text_or_json(content)] if isinstance(content, str) else anthropic_blocks(content)
        return ToolResultBlock(
            tool_id=_string(block.get("tool_use_id")),
            name="",
            blocks=tuple(blocks),
            is_error=bool(block.get("is_error")),
        )
    if kind == "thinking":
        return ThinkingBlock(
            text=_string(block.get("thinking")), signature=_string(block.get("signature"))
        )
    if kind == "redacted_thinking":
        return ThinkingBlock(
            text="", signature=_string(block.get("data")), redacted=True, label="Redacted thinking"
        )
    return JsonBlock(label=_string(kind) or "block", json=pretty_json(block))


def _anthropic_source(kind: str, block: JSONObject) -> Block:
    source = block.get("source") or {}
    source_type = source.get("type")
    title = block.get("title")
    if source_type == "base64":
        return _media_block(
            kind, data=source.get("data"), media_type=source.get("media_type"), filename=title
        )
    if source_type == "url":
        return _media_block(kind, url=source.get("url"), filename=title)
    if source_type == "text":
        return DocumentBlock(
            href=None,
            filename=_string(title),
            media_type=_string(source.get("media_type")),
            text=_string(source.get("data")),
        )
    if source_type == "file":
        return DocumentBlock(
            href=None, filename=_string(title), url_text=f"file id {_string(source.get('file_id'))}"
        )
    return JsonBlock(label=kind, json=pretty_json(block))


# Gemini Content ---------------------------------------------------------------------------


def _camel_keys(obj: Mapping[str, Any]) -> JSONObject:
    """Gemini clients write either spelling (REST camelCase, Python SDK snake_case)."""
    return {camel(key): value for key, value in obj.items()}


def present_gemini(item: JSONObject) -> Presented:
    return Presented(role=_string(item.get("role")), blocks=gemini_blocks(item))


def gemini_blocks(content: Any) -> list[Block]:
    """Blocks of a Content (a message, or the separate system instruction)."""
    if isinstance(content, str):
        return [TextBlock(text=content)]
    parts = content.get("parts") or []
    return [block for part in parts for block in _gemini_part(_camel_keys(part))]


def _gemini_part(part: JSONObject) -> list[Block]:
    signature = _string(part.get("thoughtSignature"))
    blocks: list[Block]
    if "text" in part:
        text = _string(part["text"])
        if part.get("thought"):
            return [ThinkingBlock(text=text, signature=signature)]
        blocks = [TextBlock(text=text)]
    elif "inlineData" in part or "fileData" in part:
        # Inline bytes or a file by URI: the same media block, from data or from a URL.
        source = _camel_keys(part["inlineData"] if "inlineData" in part else part["fileData"])
        media_type = _string(source.get("mimeType"))
        blocks = [
            _media_block(
                _kind_of_media_type(media_type),
                data=source.get("data"),
                url=source.get("fileUri"),
                media_type=media_type,
            )
        ]
    elif "functionCall" in part:
        call = _camel_keys(part["functionCall"])
        blocks = [_arguments_block(call.get("id"), call.get("name"), call.get("args"))]
    elif "functionResponse" in part:
        response = _camel_keys(part["functionResponse"])
        nested: list[Block] = [JsonBlock(label="", json=pretty_json(response.get("response")))]
        for nested_part in response.get("parts") or []:
            nested.extend(_gemini_part(_camel_keys(nested_part)))
        outcome = response.get("response")
        blocks = [
            ToolResultBlock(
                tool_id=_string(response.get("id")),
                name=_string(response.get("name")),
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


# Acontext (canonical) ---------------------------------------------------------------------


def present_acontext(item: JSONObject, asset_urls: AssetUrls | None = None) -> Presented:
    # Roles the canonical model lacks (system, developer, tool) are kept in the message meta.
    meta = item.get("meta") or {}
    role = _string(
        meta.get("role") if isinstance(meta, dict) and meta.get("role") else item.get("role")
    )
    return Presented(role=role, blocks=acontext_blocks(item.get("parts") or [], asset_urls))


def acontext_blocks(
    parts: Sequence[JSONObject], asset_urls: AssetUrls | None = None
) -> list[Block]:
    return [_acontext_part(part, asset_urls or {}) for part in parts]


def _acontext_part(part: JSONObject, asset_urls: AssetUrls) -> Block:
    kind = _string(part.get("type"))
    meta = part.get("meta") or {}
    text = _string(part.get("text"))
    if kind == "text":
        return TextBlock(text=text)
    if kind in ("image", "audio", "video", "file") and isinstance(part.get("asset"), dict):
        return _uploaded_file_block(part, asset_urls)
    if kind in ("image", "audio", "video", "file"):
        return _media_block(
            "document" if kind in ("video", "file") else kind,
            url=meta.get("url"),
            data=meta.get("data"),
            media_type=meta.get("media_type"),
            filename=part.get("filename"),
        )
    if kind == "tool-call":
        return _arguments_block(meta.get("id"), meta.get("name"), meta.get("arguments"))
    if kind == "tool-result":
        nested = meta.get("content")
        blocks = (
            acontext_blocks(nested, asset_urls) if nested else [_text_or_json(text)] if text else []
        )
        return ToolResultBlock(
            tool_id=_string(meta.get("tool_call_id")),
            name=_string(meta.get("name")),
            blocks=tuple(blocks),
            is_error=bool(meta.get("is_error")),
        )
    if kind == "thinking":
        return ThinkingBlock(text=text, signature=_provider_signature(meta))
    return JsonBlock(label=kind or "part", json=pretty_json(part))


def _uploaded_file_block(part: JSONObject, asset_urls: AssetUrls) -> Block:
    """An uploaded file by its page URL: an image the browser shows is drawn, audio plays,
    anything else (PDF, text, video) is a link with its name, type and size."""
    record = part["asset"]
    sha256 = record.get("sha256")
    url = asset_urls.get(sha256) if isinstance(sha256, str) else None
    src = safe_url(url, "image") if url is not None else None
    filename = _string(part.get("filename"))
    media_type = _string(record.get("mime"))
    size_b = record.get("size_b")
    size = size_b if isinstance(size_b, int) and not isinstance(size_b, bool) else None
    if src is None:
        # Its asset is no longer stored (or the page has no URL for it).
        return DocumentBlock(
            href=None,
            filename=filename,
            media_type=media_type,
            size=size,
            url_text="file not available",
        )
    major = media_type.split("/", 1)[0]
    if major == "image" and serves_inline(media_type):
        return ImageBlock(src=src, filename=filename, media_type=media_type, size=size)
    if major == "audio":
        return AudioBlock(src=src, filename=filename, media_type=media_type, size=size)
    return DocumentBlock(href=src, filename=filename, media_type=media_type, size=size)


def _provider_signature(meta: JSONObject) -> str:
    for provider_data in meta.values():
        if isinstance(provider_data, dict):
            for key in ("signature", "thoughtSignature", "redacted_data"):
                if provider_data.get(key):
                    return _string(provider_data[key])
    return ""


PRESENTERS: dict[str, Callable[[JSONObject], Presented]] = {
    "openai": present_openai,
    "anthropic": present_anthropic,
    "gemini": present_gemini,
    "acontext": present_acontext,
}
# The separate system prompt of the formats that have one (None in the others).
SYSTEM_PRESENTERS: dict[str, Callable[[Any], list[Block]]] = {
    "anthropic": anthropic_blocks,
    "gemini": gemini_blocks,
}


def present_item(target_format: str, item: Any, asset_urls: AssetUrls | None = None) -> Presented:
    """Never fails: a shape the presenter does not know is shown as JSON.

    ``asset_urls`` serve the acontext items, whose uploaded files are asset records; the other
    formats carry uploaded files as media (inline, or by a link the service made).
    """
    try:
        if target_format == "acontext":
            return present_acontext(item, asset_urls)
        return PRESENTERS[target_format](item)
    except (AttributeError, KeyError, TypeError, ValueError):
        return Presented(role="", blocks=[JsonBlock(label="item", json=pretty_json(item))])


def present_system(target_format: str, system: Any) -> list[Block]:
    if system is None:
        return []
    try:
        return SYSTEM_PRESENTERS[target_format](system)
    except (AttributeError, KeyError, TypeError, ValueError):
        return [JsonBlock(label="system", json=pretty_json(system))]


# Pages ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredPosition:
    """Where a stored message sits: its seq (the conversation order) and the format it came in."""

    message_id: str
    seq: int
    format: str


@dataclass(frozen=True, slots=True)
class ShownWarning:
    """A conversion warning with the seq of the stored message it concerns."""

    seq: int | None
    part_index: int | None
    code: str
    detail: str

    @classmethod
    def of(
        cls, warning: conversion.ConversionWarning, positions: Mapping[str, StoredPosition]
    ) -> ShownWarning:
        position = positions.get(warning.message_id)
        return cls(
            seq=position.seq if position is not None else None,
            part_index=warning.part_index,
            code=warning.code,
            detail=warning.detail,
        )


@dataclass(slots=True)
class Bubble:
    """One converted item, ready to draw, with the stored messages it comes from."""

    role: str
    style: str
    name: str
    blocks: list[Block]
    message_id: str
    seq: int | None
    source_seqs: list[int]
    meta_json: str
    item_json: str
    warnings: list[ShownWarning] = field(default_factory=list)

    @property
    def covered_range(self) -> str:
        """The stored messages this item comes from, when there are several ("#4–#5")."""
        return seq_range(self.source_seqs) if len(self.source_seqs) > 1 else ""

    @property
    def also_covers(self) -> str:
        return seq_range(self.source_seqs[1:])


def seq_range(seqs: Sequence[int]) -> str:
    ordered = sorted(seqs)
    if not ordered:
        return ""
    if len(ordered) == 1:
        return f"#{ordered[0]}"
    if ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"#{ordered[0]}–#{ordered[-1]}"
    return ", ".join(f"#{seq}" for seq in ordered)


@dataclass(slots=True)
class PresentedPage:
    target_format: str
    system: list[Block]
    bubbles: list[Bubble]
    # Warnings about stored messages that no item of this page comes from.
    loose_warnings: list[ShownWarning]


def _bubbles(
    target_format: str, page: ConvertedMessages, positions: Mapping[str, StoredPosition]
) -> list[Bubble]:
    def seq_of(message_id: str) -> int | None:
        position = positions.get(message_id)
        return position.seq if position is not None else None

    # The SDK's public_urls: the links that the page's read made for its uploaded files.
    asset_urls = {sha256: link["url"] for sha256, link in (page.public_urls or {}).items()}
    bubbles = []
    for item, message_id, meta, sources in zip(
        page.items, page.ids, page.metas, page.sources, strict=True
    ):
        presented = present_item(target_format, item, asset_urls)
        bubbles.append(
            Bubble(
                role=presented.role,
                style=ROLE_STYLES.get(presented.role, "other"),
                name=presented.name,
                blocks=presented.blocks,
                message_id=message_id,
                seq=seq_of(message_id),
                source_seqs=[seq for seq in map(seq_of, sources) if seq is not None],
                meta_json=pretty_json(meta),
                item_json=pretty_json(item),
            )
        )
    return bubbles


def present_page(
    target_format: str, page: ConvertedMessages, positions: Mapping[str, StoredPosition]
) -> PresentedPage:
    """A page (oldest first) as bubbles, each warning on the first item of its message."""
    bubbles = _bubbles(target_format, page, positions)
    first_bubble_of: dict[str, Bubble] = {}
    for bubble, sources in zip(bubbles, page.sources, strict=True):
        for message_id in sources:
            first_bubble_of.setdefault(message_id, bubble)
    loose = []
    for warning in page.warnings:
        shown = ShownWarning.of(warning, positions)
        owner = first_bubble_of.get(warning.message_id)
        if owner is None:
            loose.append(shown)
        else:
            owner.warnings.append(shown)
    return PresentedPage(
        target_format=target_format,
        system=present_system(target_format, page.system),
        bubbles=bubbles,
        loose_warnings=loose,
    )


@dataclass(slots=True)
class Cell:
    """One format's items for one stored message (a row of the side-by-side table)."""

    target_format: str
    bubbles: list[Bubble] = field(default_factory=list)
    warnings: list[ShownWarning] = field(default_factory=list)
    rowspan: int = 1
    # Drawn by a cell above whose item also comes from this row's message.
    covered: bool = False
    # The message went into the format's separate system prompt (the first row of the table).
    in_system: bool = False


@dataclass(slots=True)
class Row:
    position: StoredPosition
    cells: list[Cell]


@dataclass(slots=True)
class SystemCell:
    target_format: str
    blocks: list[Block]
    system_json: str  # the separate system prompt as the API returns it, for the raw view


@dataclass(slots=True)
class SideBySide:
    formats: list[str]
    system: list[SystemCell]  # empty when no format has a separate system prompt
    rows: list[Row]


def present_side_by_side(
    pages: Mapping[str, ConvertedMessages], positions: Mapping[str, StoredPosition]
) -> SideBySide:
    """Every format's items aligned on the stored messages they come from, one row each."""
    ordered = sorted(positions.values(), key=lambda position: position.seq)
    row_index = {position.message_id: index for index, position in enumerate(ordered)}
    rows = [Row(position=position, cells=[]) for position in ordered]
    system: list[SystemCell] = []
    for target_format, page in pages.items():
        cells = _column(target_format, page, positions, row_index)
        for row, cell in zip(rows, cells, strict=True):
            row.cells.append(cell)
        system.append(
            SystemCell(
                target_format=target_format,
                blocks=present_system(target_format, page.system),
                system_json=pretty_json(page.system) if page.system is not None else "",
            )
        )
    if not any(cell.blocks for cell in system):
        system = []
    return SideBySide(formats=list(pages), system=system, rows=rows)


def _column(
    target_format: str,
    page: ConvertedMessages,
    positions: Mapping[str, StoredPosition],
    row_index: Mapping[str, int],
) -> list[Cell]:
    """One format's cells, one per row.

    An item sits in the row of its first source. When it comes from several consecutive
    messages (Anthropic and Gemini merge tool results) and no other item of its format starts
    in those rows, its cell spans them; otherwise its note says which messages it also covers.
    """
    cells = [Cell(target_format=target_format) for _ in row_index]
    spans: list[tuple[int, list[int]]] = []
    for bubble, sources in zip(_bubbles(target_format, page, positions), page.sources, strict=True):
        anchor = row_index[bubble.message_id]
        cells[anchor].bubbles.append(bubble)
        spans.append((anchor, sorted(row_index[source] for source in sources)))
    for anchor, source_rows in spans:
        later = source_rows[1:]
        contiguous = source_rows == list(range(anchor, anchor + len(source_rows)))
        if later and contiguous and not any(cells[row].bubbles for row in later):
            cells[anchor].rowspan = max(cells[anchor].rowspan, len(source_rows))
            for row in later:
                cells[row].covered = True

    for warning in page.warnings:
        if warning.message_id not in row_index:
            continue
        drawn_in = row_index[warning.message_id]
        # A covered row's warnings go to the spanning cell that draws that row.
        while cells[drawn_in].covered:
            drawn_in -= 1
        cells[drawn_in].warnings.append(ShownWarning.of(warning, positions))

    if page.system is not None:
        # Leading messages without an item are the ones that became the system prompt.
        for cell in cells:
            if cell.bubbles or cell.covered:
                break
            cell.in_system = True
    return cells
