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

Layout, as ``conversion/`` is laid out: ``blocks`` (what a template draws, ``safe_url``),
one module per format (``openai``, ``openai_responses``, ``anthropic``, ``gemini``,
``acontext``), ``formats`` (which presenter reads which format), ``pages`` (bubbles and
side-by-side rows).
"""

from __future__ import annotations

from .acontext import present_acontext
from .anthropic import anthropic_blocks, present_anthropic
from .blocks import (
    FORMAT_LABELS,
    INLINE_MEDIA_MAX_CHARS,
    INLINE_UPLOAD_MAX_BYTES,
    AudioBlock,
    Block,
    DocumentBlock,
    ImageBlock,
    JsonBlock,
    Presented,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    ToolResultBlock,
    pretty_json,
    safe_url,
)
from .formats import PRESENTERS, SYSTEM_PRESENTERS, present_item, present_system
from .gemini import gemini_blocks, present_gemini
from .openai import present_openai
from .openai_responses import present_openai_responses
from .pages import (
    Bubble,
    PresentedPage,
    ShownWarning,
    SideBySide,
    StoredPosition,
    present_page,
    present_side_by_side,
    seq_range,
)

__all__ = [
    "FORMAT_LABELS",
    "INLINE_MEDIA_MAX_CHARS",
    "INLINE_UPLOAD_MAX_BYTES",
    "PRESENTERS",
    "SYSTEM_PRESENTERS",
    "AudioBlock",
    "Block",
    "Bubble",
    "DocumentBlock",
    "ImageBlock",
    "JsonBlock",
    "Presented",
    "PresentedPage",
    "ShownWarning",
    "SideBySide",
    "StoredPosition",
    "TextBlock",
    "ThinkingBlock",
    "ToolCallBlock",
    "ToolResultBlock",
    "anthropic_blocks",
    "gemini_blocks",
    "present_acontext",
    "present_anthropic",
    "present_gemini",
    "present_item",
    "present_openai",
    "present_openai_responses",
    "present_page",
    "present_side_by_side",
    "present_system",
    "pretty_json",
    "safe_url",
    "seq_range",
]
