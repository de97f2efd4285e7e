"""Media sources: data URLs, base64 checks, MIME types.

The converter never fetches a URL (no server-side request forgery, no read-time latency): a URL
stays a URL, and MIME types of URLs are guessed from the file extension only.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
from typing import Any
from urllib.parse import urlsplit

from conversion.canonical import InvalidMessage

# A fixed table rather than the ``mimetypes`` module, whose answers depend on the machine's
# /etc/mime.types: conversion must give the same bytes everywhere.
MEDIA_TYPES_BY_EXTENSION = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".csv": "text/csv",
    ".html": "text/html",
    ".json": "application/json",
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".flac": "audio/flac",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mov": "video/quicktime",
}

FALLBACK_MEDIA_TYPES = {
    "image": "image/jpeg",
    "audio": "audio/mpeg",
    "video": "video/mp4",
    "file": "application/pdf",
}

# OpenAI ``input_audio.format`` <-> MIME type.
OPENAI_AUDIO_FORMATS = {"wav": "audio/wav", "mp3": "audio/mpeg"}
OPENAI_AUDIO_FORMAT_BY_MEDIA_TYPE = {
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/wave": "wav",
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
}

# Gemini clients sometimes send the URL-safe alphabet; it decodes to the same bytes.
URL_SAFE_TO_STANDARD = str.maketrans("-_", "+/")

ANTHROPIC_IMAGE_TYPES = frozenset(("image/jpeg", "image/png", "image/gif", "image/webp"))


def check_base64(data: str, path: str) -> str:
    """Reject data that is not base64; the text itself is kept exactly as given."""
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        try:
            base64.b64decode(data.translate(URL_SAFE_TO_STANDARD), validate=True)
        except (binascii.Error, ValueError):
            raise InvalidMessage(path, "is not valid base64") from None
    return data


def split_data_url(url: str) -> tuple[str, str] | None:
    """``data:<media type>;base64,<data>`` -> (media type, data); None for any other URL."""
    if not url.startswith("data:"):
        return None
    header, separator, data = url.partition(",")
    if not separator or not header.endswith(";base64"):
        return None
    media_type = header[len("data:") : -len(";base64")].split(";", 1)[0]
    return (media_type or "application/octet-stream"), data


def url_source(url: str, path: str) -> dict[str, Any]:
    """The canonical source of a URL that may be a data URL: ``url``, or ``data`` (checked
    base64) and ``media_type``."""
    split = split_data_url(url)
    if split is None:
        return {"url": url}
    return {"data": check_base64(split[1], path), "media_type": split[0]}


def data_url(media_type: str | None, data: str) -> str:
    return f"data:{media_type or 'application/octet-stream'};base64,{data}"


# Files uploaded with the Gemini Files API are readable by Gemini only (with the key that
# uploaded them): https://generativelanguage.googleapis.com/v1beta/files/<id>.
GEMINI_FILES_HOST = "generativelanguage.googleapis.com"


def is_gemini_file(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.hostname == GEMINI_FILES_HOST and "/files/" in parts.path


def media_type_from_url(url: str) -> str | None:
    try:
        path = urlsplit(url).path
    except ValueError:  # e.g. "http://[": not a URL we can read an extension from
        return None
    extension = posixpath.splitext(path)[1].lower()
    return MEDIA_TYPES_BY_EXTENSION.get(extension)


# What each format takes by URL; everything else travels only as base64 data. OpenAI's Chat
# Completions take images by URL but documents (file_data) and audio (input_audio) only as
# data; Anthropic takes images and PDF documents by URL; Gemini takes any file by URI.
URL_MEDIA_TYPES: dict[str, tuple[str, ...]] = {
    "openai": ("image/",),
    # The Responses API takes images and documents by URL (``file_url``), audio not at all.
    "openai_responses": ("image/", "application/"),
    "anthropic": ("image/", "application/pdf"),
    "gemini": ("image/", "audio/", "video/", "application/pdf"),
}
# Text documents become text (OpenAI's text parts, Anthropic's text source): the converter
# needs their bytes.
TEXT_DOCUMENT_TYPES = ("text/", "application/json", "application/xml")


def takes_url(target: str, media_type: str) -> bool:
    """Whether ``target`` can be given a file of ``media_type`` as a URL (else only as data)."""
    if media_type.startswith(TEXT_DOCUMENT_TYPES):
        return False
    return media_type.startswith(URL_MEDIA_TYPES.get(target, ()))


def part_type_for_media_type(media_type: str | None) -> str:
    major = (media_type or "").split("/", 1)[0]
    if major in ("image", "audio", "video"):
        return major
    return "file"


def decode_text(data: str) -> str | None:
    try:
        return base64.b64decode(data, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
