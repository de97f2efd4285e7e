"""What every format's presenter shares: the neutral blocks a template draws, the one URL
rule (``safe_url``), and the small readers they use."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import orjson

from conversion import json_rules

JSONObject = dict[str, Any]
MediaUse = Literal["image", "audio", "document"]
# Where a page loads each uploaded file from, by sha256.
AssetUrls = Mapping[str, str]

FORMAT_LABELS = {
    "openai": "OpenAI",
    "openai_responses": "OpenAI Responses",
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


def text_or_json(text: str) -> Block:
    """Tool output is often JSON in a string; show it pretty when it is."""
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            return JsonBlock(label="", json=pretty_json(json_rules.loads(stripped)))
        except ValueError:  # not JSON, or beyond the number and depth rules: plain text
            pass
    return TextBlock(text=text)


def arguments_block(tool_id: Any, name: Any, arguments: Any, *, label: str = "") -> ToolCallBlock:
    if isinstance(arguments, str):
        try:
            parsed = json_rules.loads(arguments) if arguments.strip() else {}
        except ValueError:
            # Invalid JSON arguments are legal to store; show them as they are.
            return ToolCallBlock(
                tool_id=string_of(tool_id),
                name=string_of(name),
                arguments=arguments,
                arguments_are_json=False,
                label=label,
            )
        arguments = parsed
    return ToolCallBlock(
        tool_id=string_of(tool_id),
        name=string_of(name),
        arguments=pretty_json(arguments if arguments is not None else {}),
        label=label,
    )


def string_of(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def inline_description(data_url: str, what: str) -> str:
    if len(data_url) > INLINE_MEDIA_MAX_CHARS:
        return f"inline {what} ({len(data_url):,} characters, too large to show on a page)"
    return f"inline {what}"


def media_block(
    kind: str, *, url: Any = None, data: Any = None, media_type: Any = None, filename: Any = None
) -> Block:
    """A media part given by URL or by base64 data, drawn according to ``kind``."""
    media_type = string_of(media_type)
    if data is not None:
        location = f"data:{media_type or 'application/octet-stream'};base64,{string_of(data)}"
        described = inline_description(location, media_type or "data")
    else:
        location = string_of(url)
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
        filename=string_of(filename),
        media_type=media_type,
        url_text=described,
    )


def kind_of_media_type(media_type: str) -> str:
    major = media_type.split("/", 1)[0].lower()
    return major if major in ("image", "audio") else "document"
