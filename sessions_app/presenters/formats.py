"""One presenter per format: a new format is one more module and one more line here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .acontext import present_acontext
from .anthropic import anthropic_blocks, present_anthropic
from .blocks import (
    AssetUrls,
    Block,
    JsonBlock,
    JSONObject,
    Presented,
    pretty_json,
)
from .gemini import gemini_blocks, present_gemini
from .openai import present_openai
from .openai_responses import present_openai_responses

PRESENTERS: dict[str, Callable[[JSONObject], Presented]] = {
    "openai": present_openai,
    "openai_responses": present_openai_responses,
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
