"""Acontext (canonical) messages as blocks, uploaded files by the page's URLs."""

from __future__ import annotations

from collections.abc import Sequence

from sessions_app.assets import serves_inline

from .blocks import (
    AssetUrls,
    AudioBlock,
    Block,
    DocumentBlock,
    ImageBlock,
    JsonBlock,
    JSONObject,
    Presented,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    arguments_block,
    media_block,
    pretty_json,
    safe_url,
    string_of,
    text_or_json,
)


def present_acontext(item: JSONObject, asset_urls: AssetUrls | None = None) -> Presented:
    # Roles the canonical model lacks (system, developer, tool) are kept in the message meta.
    meta = item.get("meta") or {}
    role = string_of(
        meta.get("role") if isinstance(meta, dict) and meta.get("role") else item.get("role")
    )
    return Presented(role=role, blocks=acontext_blocks(item.get("parts") or [], asset_urls))


def acontext_blocks(
    parts: Sequence[JSONObject], asset_urls: AssetUrls | None = None
) -> list[Block]:
    return [_acontext_part(part, asset_urls or {}) for part in parts]


def _acontext_part(part: JSONObject, asset_urls: AssetUrls) -> Block:
    kind = string_of(part.get("type"))
    meta = part.get("meta") or {}
    text = string_of(part.get("text"))
    if kind == "text":
        return TextBlock(text=text)
    if kind in ("image", "audio", "video", "file") and isinstance(part.get("asset"), dict):
        return _uploaded_file_block(part, asset_urls)
    if kind in ("image", "audio", "video", "file"):
        return media_block(
            "document" if kind in ("video", "file") else kind,
            url=meta.get("url"),
            data=meta.get("data"),
            media_type=meta.get("media_type"),
            filename=part.get("filename"),
        )
    if kind == "tool-call":
        return arguments_block(meta.get("id"), meta.get("name"), meta.get("arguments"))
    if kind == "tool-result":
        nested = meta.get("content")
        blocks = (
            acontext_blocks(nested, asset_urls) if nested else [text_or_json(text)] if text else []
        )
        return ToolResultBlock(
            tool_id=string_of(meta.get("tool_call_id")),
            name=string_of(meta.get("name")),
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
    filename = string_of(part.get("filename"))
    media_type = string_of(record.get("mime"))
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
                    return string_of(provider_data[key])
    return ""
