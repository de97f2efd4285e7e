"""Hypothesis strategies for the conversion property tests.

Valid input: ``conversations(fmt)`` builds VALID, COMPLETE conversations (every tool call is
answered) as lists of blobs stored in one format, each a request the provider accepts: roles
alternate where the provider requires it, tool results come right after their calls,
Anthropic text is never blank and its tool ids match its pattern. ``mixed_conversations()``
builds conversations whose messages come in different formats, each valid in its own (an
OpenAI tool call answered by an Anthropic tool_result...), as (format, blob) pairs.

A conversation alternates a user side and an assistant side; each side is drawn in a format
by ``USER_TURNS`` / ``ASSISTANT_TURNS``, and the calls an assistant side makes are answered
by the next user side, whatever its format.

Invalid input: ``mutated_conversations(fmt)`` (one message changed at random),
``json_blobs()`` (random JSON), and focused cases: ``MALFORMED_URLS``,
``conversations_with_odd_provider_data()``, ``conversations_with_extra_field(fmt)``,
``gemini_conversations_without_some_roles()``.

Strategy objects are module constants (or cached) and the builders are plain functions
taking ``draw``: building strategies inside ``@composite`` functions makes Hypothesis
validate them on every draw, which made generation several times slower.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import struct
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from hypothesis import strategies as st

from conversion import FORMATS, openai

JSONValue = Any
JSONObject = dict[str, Any]
Blob = Any  # one stored message, as its client sent it
Path = tuple[str | int, ...]
Call = tuple[str | None, str]  # a tool call to answer: (id, or None for Gemini; name)
T = TypeVar("T")

# --- drawing helpers ---------------------------------------------------------------------------


@functools.cache
def _integers(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


@functools.cache
def _sampled(options: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return st.sampled_from(options)


def _count(draw: st.DrawFn, low: int, high: int) -> int:
    return draw(_integers(low, high))


def _choice(draw: st.DrawFn, options: tuple[T, ...]) -> T:
    """One of a constant (hashable) tuple of options."""
    choice: T = draw(_sampled(options))
    return choice


def _element(draw: st.DrawFn, items: Sequence[T]) -> T:
    """One of ``items``, for lists built while drawing (``_choice`` caches its strategies)."""
    return items[_count(draw, 0, len(items) - 1)]


def _maybe(draw: st.DrawFn, one_in: int = 2) -> bool:
    """True about once in ``one_in`` draws: for optional fields and rarer shapes."""
    return _count(draw, 1, one_in) == 1


_randoms = st.randoms(use_true_random=False)


def _shuffled(draw: st.DrawFn, items: Sequence[T]) -> list[T]:
    """Tool results may come in any order."""
    shuffled = list(items)
    if len(shuffled) > 1:
        draw(_randoms).shuffle(shuffled)
    return shuffled


# --- media: tiny but real files ----------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _silent_wav() -> bytes:
    samples = bytes(32)  # 16 silent 16-bit mono samples at 8 kHz
    fmt = struct.pack("<4sIHHIIHH", b"fmt ", 16, 1, 1, 8000, 16000, 2, 16)
    body = b"WAVE" + fmt + b"data" + struct.pack("<I", len(samples)) + samples
    return b"RIFF" + struct.pack("<I", len(body)) + body


# Two silent MPEG-1 Layer III frames (32 kbit/s, 44.1 kHz, mono): 104 bytes each.
SILENT_MP3 = (b"\xff\xfb\x10\xc0" + bytes(100)) * 2
ONE_PAGE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 72 72]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

IMAGES = (  # (media type, base64): 1x1 PNG, JPEG and GIF, 2x2 WebP
    (
        "image/png",
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC",
    ),
    (
        "image/jpeg",
        "/9j/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQ"
        "Ew8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=",
    ),
    ("image/gif", "R0lGODdhAQABAIEAAP///wAAAAAAAAAAACwAAAAAAQABAAAIBAABBAQAOw=="),
    ("image/webp", "UklGRhwAAABXRUJQVlA4TA8AAAAvAUAAAAdQ0Ij+ByKi/wEA"),
)
WAV = _b64(_silent_wav())
MP3 = _b64(SILENT_MP3)
PDF = _b64(ONE_PAGE_PDF)
IMAGE_URLS = (
    "https://example.com/cat.png",
    "https://upload.wikimedia.org/wikipedia/commons/a/a9/Example.jpg",
    "https://example.org/photo",  # no extension: the type is unknown
    "http://example.net/images/pixel.gif?size=1",
)
PDF_URLS = ("https://example.com/report.pdf", "https://arxiv.org/pdf/1706.03762")
GEMINI_FILES = (  # (fileUri, mimeType)
    ("https://generativelanguage.googleapis.com/v1beta/files/abc123", "application/pdf"),
    ("https://example.com/cat.png", "image/png"),
    ("gs://bucket/clip.mp4", "video/mp4"),
    ("https://www.youtube.com/watch?v=9hE5-98ZeCg", "video/mp4"),
)

# --- text, names, ids, JSON --------------------------------------------------------------------

UNICODE_SAMPLES = (
    "مرحبا بالعالم! كيف حالك؟",  # Arabic, RTL
    "\u202bשלום עולם\u202c",  # Hebrew inside bidi embedding marks
    "👩‍👩‍👧‍👦 🇳🇴 🏳️‍🌈 ok",  # ZWJ sequences, flags
    "漢字とかなカナ、한국어",
    "e\u0301 n\u0303 A\u030a",  # NFD combining characters
    "zero\u200bwidth\u200d joiner\ufeff",
    'quotes " \\ backslash \n newline \t tab',
    "x" * 300,
)
texts = st.one_of(st.text(max_size=40), st.sampled_from(UNICODE_SAMPLES))
# Anthropic rejects empty and whitespace-only text blocks; Gemini rejects empty text parts.
visible_texts = texts.filter(lambda text: bool(text.strip()))
nonempty_texts = texts.filter(bool)
optional_texts = st.one_of(st.none(), texts)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    texts,
)
json_values: st.SearchStrategy[JSONValue] = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=8), children, max_size=4),
    ),
    max_leaves=12,
)
json_objects: st.SearchStrategy[JSONObject] = st.dictionaries(
    st.text(max_size=10), json_values, max_size=4
)

tool_names = st.one_of(
    # A few shared names, so that parallel calls to the same function happen often.
    st.sampled_from(("get_weather", "search", "run_code", "lookup")),
    st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,20}", fullmatch=True),
)
participant_names = st.from_regex(r"[a-zA-Z0-9_-]{1,16}", fullmatch=True)
file_ids = st.from_regex(r"file-[a-zA-Z0-9]{8,16}", fullmatch=True)
audio_ids = st.from_regex(r"audio_[a-z0-9]{8,12}", fullmatch=True)
anthropic_tool_ids = st.from_regex(r"[a-zA-Z0-9_-]{1,24}", fullmatch=True)
# OpenAI (and Gemini) ids can be any string; OpenAI-compatible servers use '.' and ':'.
any_tool_ids = st.one_of(
    st.text(min_size=1, max_size=24),
    st.from_regex(r"functions\.[a-z_]{1,10}:[0-9]{1,3}", fullmatch=True),
    st.from_regex(r"call_[a-zA-Z0-9.:]{4,24}", fullmatch=True),
)
signatures = st.binary(min_size=1, max_size=48).map(_b64)
error_details = st.fixed_dictionaries({"code": st.integers(400, 599), "message": texts})


@st.composite
def arguments_strings(draw: st.DrawFn) -> str:
    """OpenAI arguments: a JSON object string, or occasionally not (truncated, not an object)."""
    text = json.dumps(draw(json_objects), ensure_ascii=draw(st.booleans()))
    kind = _choice(draw, ("object",) * 6 + ("truncated", "not_object", "empty"))
    if kind == "truncated":
        return text[: _count(draw, 0, max(0, len(text) - 1))]
    if kind == "not_object":
        return json.dumps(draw(json_values))
    if kind == "empty":
        return ""
    return text


arguments = arguments_strings()


class ToolIds:
    """Draws tool ids that are unique within one conversation (the providers expect that)."""

    def __init__(self, draw: st.DrawFn, ids: st.SearchStrategy[str], *, gemini_may_omit: bool):
        self._draw = draw
        self._ids = ids
        self._used: set[str] = set()
        # Gemini 2.x calls carry no id (pairing is by name): only when Gemini answers them.
        self.gemini_may_omit = gemini_may_omit

    def fresh(self) -> str:
        tool_id = self._draw(self._ids)
        while tool_id in self._used:
            tool_id += "_"  # stays within Anthropic's pattern
        self._used.add(tool_id)
        return tool_id


# --- OpenAI Chat Completions ------------------------------------------------------------------


def _openai_text_content(draw: st.DrawFn) -> str | list[JSONObject]:
    if _maybe(draw):
        return draw(texts)
    return [{"type": "text", "text": draw(texts)} for _ in range(_count(draw, 1, 3))]


def _openai_user_part(draw: st.DrawFn) -> JSONObject:
    kind = _choice(draw, ("text", "text", "image_url", "image_data", "audio", "file", "file_id"))
    if kind == "text":
        return {"type": "text", "text": draw(texts)}
    if kind in ("image_url", "image_data"):
        if kind == "image_url":
            url = _choice(draw, IMAGE_URLS)
        else:
            media_type, data = _choice(draw, IMAGES)
            url = f"data:{media_type};base64,{data}"
        image: JSONObject = {"url": url}
        if _maybe(draw):
            image["detail"] = _choice(draw, openai.IMAGE_DETAILS)
        return {"type": "image_url", "image_url": image}
    if kind == "audio":
        audio_format, data = _choice(draw, (("wav", WAV), ("mp3", MP3)))
        return {"type": "input_audio", "input_audio": {"data": data, "format": audio_format}}
    if kind == "file_id":
        return {"type": "file", "file": {"file_id": draw(file_ids)}}
    filename = _choice(draw, ("report.pdf", "scan 2024.pdf", "документ.pdf"))
    file = {"file_data": f"data:application/pdf;base64,{PDF}", "filename": filename}
    return {"type": "file", "file": file}


def _with_name(draw: st.DrawFn, message: JSONObject) -> JSONObject:
    if _maybe(draw, 4):
        message["name"] = draw(participant_names)
    return message


def _openai_system(draw: st.DrawFn) -> JSONObject:
    role = _choice(draw, ("system", "developer"))
    return _with_name(draw, {"role": role, "content": _openai_text_content(draw)})


def _openai_user(draw: st.DrawFn) -> JSONObject:
    content: str | list[JSONObject]
    if _maybe(draw):
        content = draw(texts)
    else:
        content = [_openai_user_part(draw) for _ in range(_count(draw, 1, 4))]
    return _with_name(draw, {"role": "user", "content": content})


def openai_user_turn(draw: st.DrawFn, answering: Sequence[Call], leading: bool) -> list[Blob]:
    """One ``tool`` message per call, then user (or system/developer) messages."""
    messages: list[Blob] = []
    if leading:
        messages.extend(_openai_system(draw) for _ in range(_count(draw, 0, 2)))
    for call_id, _name in _shuffled(draw, answering):
        messages.append(
            {"role": "tool", "tool_call_id": call_id, "content": _openai_text_content(draw)}
        )
    for _ in range(_count(draw, 0 if answering else 1, 2)):
        # A system message in the middle of the conversation stays in place.
        messages.append(_openai_system(draw) if _maybe(draw, 6) else _openai_user(draw))
    return messages


def _openai_tool_call(draw: st.DrawFn, call_id: str, name: str) -> JSONObject:
    if _maybe(draw, 8):  # a custom (free-form) tool
        return {"id": call_id, "type": "custom", "custom": {"name": name, "input": draw(texts)}}
    function = {"name": name, "arguments": draw(arguments)}
    return {"id": call_id, "type": "function", "function": function}


def openai_assistant_turn(draw: st.DrawFn, ids: ToolIds) -> tuple[list[Blob], list[Call]]:
    kind = _choice(
        draw, ("text", "parts", "refusal", "refusal_part", "audio", "tools", "tools", "legacy")
    )
    message: JSONObject = {"role": "assistant"}
    calls: list[Call] = []
    if kind == "text":
        message["content"] = draw(texts)
    elif kind == "parts":
        message["content"] = [{"type": "text", "text": draw(texts)}]
    elif kind == "refusal":
        message.update(content=None, refusal=draw(texts))
    elif kind == "refusal_part":
        refusal = {"type": "refusal", "refusal": draw(texts)}
        message["content"] = [{"type": "text", "text": draw(texts)}, refusal]
    elif kind == "audio":  # a reference to audio OpenAI generated earlier
        message.update(content=None, audio={"id": draw(audio_ids)})
    elif kind == "tools":
        calls = [(ids.fresh(), draw(tool_names)) for _ in range(_count(draw, 1, 3))]
        message["content"] = _choice(draw, (None, None, "", "Let me check."))
        message["tool_calls"] = [_openai_tool_call(draw, str(i), name) for i, name in calls]
    else:
        # The deprecated function_call, answered right away by a ``function`` message
        # (matched by name: it has no id, so no other format can answer it).
        name = draw(tool_names)
        message.update(content=None, function_call={"name": name, "arguments": draw(arguments)})
        answer = {"role": "function", "name": name, "content": draw(optional_texts)}
        return [_with_name(draw, message), answer], []
    return [_with_name(draw, message)], calls


# --- Anthropic Messages -----------------------------------------------------------------------


def _cache_control(draw: st.DrawFn, block: JSONObject) -> JSONObject:
    if _maybe(draw, 8):
        block["cache_control"] = {"type": "ephemeral"}
    return block


def _anthropic_text(draw: st.DrawFn) -> JSONObject:
    return _cache_control(draw, {"type": "text", "text": draw(visible_texts)})


def _anthropic_image(draw: st.DrawFn) -> JSONObject:
    if _maybe(draw, 3):
        source: JSONObject = {"type": "url", "url": _choice(draw, IMAGE_URLS)}
    else:
        media_type, data = _choice(draw, IMAGES)
        source = {"type": "base64", "media_type": media_type, "data": data}
    return _cache_control(draw, {"type": "image", "source": source})


def _anthropic_document(draw: st.DrawFn) -> JSONObject:
    kind = _choice(draw, ("base64", "url", "text"))
    if kind == "base64":
        source: JSONObject = {"type": "base64", "media_type": "application/pdf", "data": PDF}
    elif kind == "url":
        source = {"type": "url", "url": _choice(draw, PDF_URLS)}
    else:
        source = {"type": "text", "media_type": "text/plain", "data": draw(visible_texts)}
    block: JSONObject = {"type": "document", "source": source}
    if _maybe(draw):
        block["title"] = draw(visible_texts)
    return _cache_control(draw, block)


def _anthropic_content_block(draw: st.DrawFn) -> JSONObject:
    builder = _choice(
        draw, (_anthropic_text, _anthropic_text, _anthropic_image, _anthropic_document)
    )
    return builder(draw)


def _anthropic_tool_result(draw: st.DrawFn, tool_use_id: str) -> JSONObject:
    block: JSONObject = {"type": "tool_result", "tool_use_id": tool_use_id}
    content = _choice(draw, ("absent", "string", "string", "blocks", "empty_list"))
    if content == "string":
        block["content"] = draw(visible_texts)
    elif content == "blocks":  # text, images and documents
        block["content"] = [_anthropic_content_block(draw) for _ in range(_count(draw, 1, 3))]
    elif content == "empty_list":
        block["content"] = []
    if _maybe(draw, 3):
        block["is_error"] = draw(st.booleans())
    return _cache_control(draw, block)


def anthropic_user_turn(draw: st.DrawFn, answering: Sequence[Call], leading: bool) -> list[Blob]:
    """ONE user message: a tool_result per call first (any order), then other content."""
    del leading  # the system prompt is a request parameter, not a message
    if not answering and _maybe(draw, 3):
        return [{"role": "user", "content": draw(visible_texts)}]
    blocks = [_anthropic_tool_result(draw, str(i)) for i, _name in _shuffled(draw, answering)]
    blocks += [_anthropic_content_block(draw) for _ in range(_count(draw, 0 if blocks else 1, 3))]
    return [{"role": "user", "content": blocks}]


def _anthropic_thinking(draw: st.DrawFn) -> JSONObject:
    if _maybe(draw, 3):
        return {"type": "redacted_thinking", "data": draw(signatures)}
    return {"type": "thinking", "thinking": draw(texts), "signature": draw(signatures)}


def anthropic_assistant_turn(draw: st.DrawFn, ids: ToolIds) -> tuple[list[Blob], list[Call]]:
    """Thinking blocks first, then text and tool_use blocks (at least one of those)."""
    if _maybe(draw, 4):
        return [{"role": "assistant", "content": draw(visible_texts)}], []
    blocks = [_anthropic_thinking(draw) for _ in range(_count(draw, 0, 2))]
    calls: list[Call] = []
    for _ in range(_count(draw, 1, 4)):
        if _maybe(draw):
            blocks.append(_anthropic_text(draw))
            continue
        call_id, name = ids.fresh(), draw(tool_names)
        calls.append((call_id, name))
        tool_use = {"type": "tool_use", "id": call_id, "name": name, "input": draw(json_objects)}
        blocks.append(_cache_control(draw, tool_use))
    return [{"role": "assistant", "content": blocks}], calls


# --- Gemini Content ---------------------------------------------------------------------------

# Gemini clients write lowerCamelCase (REST) or snake_case (Python SDK) field names.
GEMINI_NESTED = frozenset(("inlineData", "fileData", "functionCall", "functionResponse"))


def snake(name: str) -> str:
    return re.sub(r"[A-Z]", lambda match: "_" + match.group().lower(), name)


def gemini_spelling(part: JSONObject, snake_case: bool) -> JSONObject:
    """Spell a camelCase part's field names in snake_case, leaving args/response data alone."""
    if not snake_case:
        return part
    spelled: JSONObject = {}
    for key, value in part.items():
        if key in GEMINI_NESTED:
            value = {snake(inner): item for inner, item in value.items()}
            if "parts" in value:
                value["parts"] = [gemini_spelling(item, True) for item in value["parts"]]
        spelled[snake(key)] = value
    return spelled


def _gemini_media(draw: st.DrawFn) -> JSONObject:
    kind = _choice(draw, ("image", "image", "audio", "pdf", "text_file", "file_uri"))
    if kind == "file_uri":
        uri, media_type = _choice(draw, GEMINI_FILES)
        return {"fileData": {"fileUri": uri, "mimeType": media_type}}
    if kind == "image":
        media_type, data = _choice(draw, IMAGES)
    elif kind == "audio":
        media_type, data = _choice(draw, (("audio/wav", WAV), ("audio/mp3", MP3)))
    elif kind == "pdf":
        media_type, data = "application/pdf", PDF
    else:
        media_type, data = "text/plain", _b64(draw(nonempty_texts).encode("utf-8"))
    return {"inlineData": {"mimeType": media_type, "data": data}}


def _gemini_user_part(draw: st.DrawFn) -> JSONObject:
    return {"text": draw(nonempty_texts)} if _maybe(draw) else _gemini_media(draw)


def _gemini_response_body(draw: st.DrawFn) -> JSONObject:
    kind = _choice(draw, ("output", "error", "error_object", "any"))
    if kind == "output":
        return {"output": draw(texts)}
    if kind == "error":
        return {"error": draw(texts)}
    if kind == "error_object":
        return {"error": draw(error_details)}
    return draw(json_objects)


def _gemini_function_response(draw: st.DrawFn, call: Call) -> JSONObject:
    call_id, name = call
    response: JSONObject = {"name": name, "response": _gemini_response_body(draw)}
    if call_id is not None:
        response = {"id": call_id, **response}
    if _maybe(draw, 6):  # a multimodal function response (Gemini 3)
        response["parts"] = [_gemini_media(draw) for _ in range(_count(draw, 1, 2))]
    return {"functionResponse": response}


def gemini_user_turn(draw: st.DrawFn, answering: Sequence[Call], leading: bool) -> list[Blob]:
    """ONE user turn: a functionResponse per call (any order), then other parts."""
    del leading  # the system instruction is a request parameter, not a content
    parts = [_gemini_function_response(draw, call) for call in _shuffled(draw, answering)]
    parts += [_gemini_user_part(draw) for _ in range(_count(draw, 0 if parts else 1, 3))]
    snake_case = draw(st.booleans())
    return [{"role": "user", "parts": [gemini_spelling(part, snake_case) for part in parts]}]


def _with_signature(draw: st.DrawFn, part: JSONObject) -> JSONObject:
    if _maybe(draw, 3):
        part["thoughtSignature"] = draw(signatures)
    return part


def gemini_assistant_turn(draw: st.DrawFn, ids: ToolIds) -> tuple[list[Blob], list[Call]]:
    """A model turn: thoughts first, then text and function calls (at least one of those)."""
    parts = [
        _with_signature(draw, {"text": draw(texts), "thought": True})
        for _ in range(_count(draw, 0, 2))
    ]
    with_ids = not ids.gemini_may_omit or draw(st.booleans())
    calls: list[Call] = []
    for _ in range(_count(draw, 1, 4)):
        if _maybe(draw):
            parts.append(_with_signature(draw, {"text": draw(nonempty_texts)}))
            continue
        call_id, name = (ids.fresh() if with_ids else None), draw(tool_names)
        calls.append((call_id, name))
        function_call: JSONObject = {"name": name}
        if call_id is not None:
            function_call = {"id": call_id, **function_call}
        if not _maybe(draw, 3):  # args are optional: left out one time in three
            function_call["args"] = draw(json_objects)
        parts.append(_with_signature(draw, {"functionCall": function_call}))
    snake_case = draw(st.booleans())
    model = {"role": "model", "parts": [gemini_spelling(part, snake_case) for part in parts]}
    return [model], calls


# --- acontext (canonical) ---------------------------------------------------------------------
# Besides plain parts, these carry the provider-only data the converter itself keeps under
# meta["openai" | "anthropic" | "gemini"] (see conversion/canonical.py), as a conversation
# stored from a provider and read back as acontext does.


def _acontext_text(draw: st.DrawFn) -> JSONObject:
    part: JSONObject = {"type": "text", "text": draw(texts)}
    if _maybe(draw, 6):
        part["meta"] = {"anthropic": {"cache_control": {"type": "ephemeral"}}}
    return part


def _acontext_user_part(draw: st.DrawFn) -> JSONObject:
    kind = _choice(draw, ("text", "text", "image_url", "image_data", "file"))
    if kind == "text":
        return _acontext_text(draw)
    if kind == "image_url":
        meta: JSONObject = {"url": _choice(draw, IMAGE_URLS)}
        if _maybe(draw, 3):
            meta["openai"] = {"detail": _choice(draw, openai.IMAGE_DETAILS)}
        return {"type": "image", "meta": meta}
    if kind == "image_data":
        media_type, data = _choice(draw, IMAGES)
        return {"type": "image", "meta": {"data": data, "media_type": media_type}}
    meta = {"data": PDF, "media_type": "application/pdf"}
    return {"type": "file", "filename": "report.pdf", "meta": meta}


def _acontext_tool_result(draw: st.DrawFn, call: Call) -> JSONObject:
    call_id, name = call
    meta: JSONObject = {"tool_call_id": call_id}
    if _maybe(draw):
        meta["name"] = name
    if _maybe(draw, 3):
        meta["is_error"] = draw(st.booleans())
    text = draw(texts)
    if _maybe(draw, 4):  # a result of several parts: its texts joined, and an image
        meta["content"] = [{"type": "text", "text": text}, _acontext_user_part(draw)]
    return {"type": "tool-result", "text": text, "meta": meta}


def acontext_user_turn(draw: st.DrawFn, answering: Sequence[Call], leading: bool) -> list[Blob]:
    messages: list[Blob] = []
    if leading and _maybe(draw, 4):  # a system prompt, stored the way OpenAI's is
        system = {"type": "text", "text": draw(texts)}
        messages.append({"role": "user", "parts": [system], "meta": {"role": "system"}})
    parts = [_acontext_tool_result(draw, call) for call in _shuffled(draw, answering)]
    parts += [_acontext_user_part(draw) for _ in range(_count(draw, 0 if parts else 1, 3))]
    message: JSONObject = {"role": "user", "parts": parts}
    if _maybe(draw, 6):
        message["meta"] = {"name": draw(participant_names)}
    return [*messages, message]


def _acontext_thinking(draw: st.DrawFn) -> JSONObject:
    kind = _choice(draw, ("plain", "anthropic", "anthropic_redacted", "gemini"))
    if kind == "anthropic_redacted":
        return {"type": "thinking", "meta": {"anthropic": {"redacted_data": draw(signatures)}}}
    part: JSONObject = {"type": "thinking", "text": draw(texts)}
    if kind == "anthropic":
        part["meta"] = {"anthropic": {"signature": draw(signatures)}}
    elif kind == "gemini":
        part["meta"] = {"gemini": {"thoughtSignature": draw(signatures)}}
    return part


def acontext_assistant_turn(draw: st.DrawFn, ids: ToolIds) -> tuple[list[Blob], list[Call]]:
    parts = [_acontext_thinking(draw) for _ in range(_count(draw, 0, 2))]
    calls: list[Call] = []
    for _ in range(_count(draw, 1, 3)):
        if _maybe(draw):
            part = _acontext_text(draw)
            if _maybe(draw, 8):
                part["meta"] = {"openai": {"refusal": True}}
            parts.append(part)
            continue
        call_id, name = ids.fresh(), draw(tool_names)
        calls.append((call_id, name))
        meta: JSONObject = {"id": call_id, "name": name, "arguments": draw(arguments)}
        if _maybe(draw, 6):
            meta["gemini"] = {"thoughtSignature": draw(signatures)}
        parts.append({"type": "tool-call", "meta": meta})
    return [{"role": "assistant", "parts": parts}], calls


# --- conversations ----------------------------------------------------------------------------

UserTurn = Callable[[st.DrawFn, Sequence[Call], bool], list[Blob]]
AssistantTurn = Callable[[st.DrawFn, ToolIds], tuple[list[Blob], list[Call]]]
USER_TURNS: dict[str, UserTurn] = {
    "openai": openai_user_turn,
    "anthropic": anthropic_user_turn,
    "gemini": gemini_user_turn,
    "acontext": acontext_user_turn,
}
ASSISTANT_TURNS: dict[str, AssistantTurn] = {
    "openai": openai_assistant_turn,
    "anthropic": anthropic_assistant_turn,
    "gemini": gemini_assistant_turn,
    "acontext": acontext_assistant_turn,
}


@st.composite
def _conversation(
    draw: st.DrawFn, formats: tuple[str, ...], max_turns: int
) -> list[tuple[str, Blob]]:
    """User and assistant sides alternate, each in a format drawn from ``formats``; the calls
    of an assistant side are answered by the next user side, also at the very end."""
    mixed = len(formats) > 1
    # Ids must suit every format that may hold them: Anthropic's pattern when mixed.
    id_strategy = anthropic_tool_ids if mixed or formats == ("anthropic",) else any_tool_ids
    ids = ToolIds(draw, id_strategy, gemini_may_omit=formats == ("gemini",))
    pairs: list[tuple[str, Blob]] = []
    pending: list[Call] = []
    turns = _count(draw, 1, max_turns)
    turn = 0
    while turn < turns or pending:
        fmt = _choice(draw, formats)
        if turn % 2 == 0:
            blobs = USER_TURNS[fmt](draw, pending, turn == 0)
            pending = []
        else:
            blobs, pending = ASSISTANT_TURNS[fmt](draw, ids)
        pairs.extend((fmt, blob) for blob in blobs)
        turn += 1
    return pairs


@functools.cache
def conversations(fmt: str, max_turns: int = 6) -> st.SearchStrategy[list[Blob]]:
    """Valid, complete conversations stored in ``fmt``."""
    return _conversation((fmt,), max_turns).map(lambda pairs: [blob for _fmt, blob in pairs])


@functools.cache
def mixed_conversations(max_turns: int = 6) -> st.SearchStrategy[list[tuple[str, Blob]]]:
    """Valid, complete conversations whose messages come in any format: (format, blob)."""
    return _conversation(FORMATS, max_turns)


# --- invalid input ----------------------------------------------------------------------------

# Field names the readers look for, so that random objects reach deep into the validators.
FIELD_NAMES = (
    "role", "content", "parts", "type", "text", "meta", "id", "name", "arguments", "input",
    "tool_calls", "tool_call_id", "tool_use_id", "function", "function_call", "refusal", "audio",
    "image_url", "url", "detail", "input_audio", "data", "format", "file", "file_data",
    "file_id", "filename", "source", "media_type", "is_error", "thinking", "signature",
    "title", "cache_control", "custom", "inlineData", "inline_data", "fileData", "mimeType",
    "fileUri", "functionCall", "functionResponse", "function_response", "response", "args",
    "thought", "thoughtSignature", "thought_signature", "displayName", "openai", "anthropic",
    "gemini", "asset", "file_field", "output", "error", "content",
)  # fmt: skip
LITERALS = (
    "user", "assistant", "model", "system", "developer", "tool", "function", "text", "image",
    "image_url", "input_audio", "file", "refusal", "tool_use", "tool_result", "thinking",
    "redacted_thinking", "document", "base64", "url", "content", "custom", "tool-call",
    "tool-result", "audio", "video", "data", "wav", "mp3", "auto", "high", "USER", "", " ",
)  # fmt: skip
# Strings that trip parsers: broken URLs (urlsplit raises on an unclosed IPv6 bracket), bare
# and broken data URLs, invalid base64.
TRICKY_STRINGS = (
    "http://[", "https://[::1/x.png", "data:", "data:image/png;base64,", "data:;base64,@@",
    "data:image/png;base64,!!!", "not base64!", "abc", "====", "\x00", "-_-_", "//", "{",
)  # fmt: skip
# Fields holding URLs, base64 or signatures: where garbage strings matter most.
SOURCE_FIELDS = frozenset(
    ("url", "data", "file_data", "fileUri", "file_uri", "thoughtSignature", "thought_signature")
)
LITERAL_FIELDS = frozenset(("type", "role", "format", "detail", "media_type", "mimeType"))
WRONG_TYPES: tuple[JSONValue, ...] = (None, True, 0, -1, 1.5, "", "x", [], [{}], {}, {"type": 1})

field_names = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8))
wild_strings = st.one_of(texts, st.sampled_from(LITERALS), st.sampled_from(TRICKY_STRINGS))
wild_json: st.SearchStrategy[JSONValue] = st.recursive(
    st.one_of(json_scalars, wild_strings),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(field_names, children, max_size=5),
    ),
    max_leaves=16,
)


@st.composite
def json_blobs(draw: st.DrawFn) -> JSONValue:
    """Random JSON for any format: usually an object with a plausible role, often not."""
    value = draw(wild_json)
    if isinstance(value, dict) and _maybe(draw):
        value["role"] = _choice(draw, LITERALS)
    return value


def paths(value: JSONValue, prefix: Path = ()) -> list[Path]:
    """Every node of a JSON value, the root first."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(paths(item, (*prefix, index)))
    return found


def _get(value: JSONValue, path: Path) -> JSONValue:
    for step in path:
        value = value[step]
    return value


def _set(root: JSONValue, path: Path, new: JSONValue) -> JSONValue:
    if not path:
        return new
    _get(root, path[:-1])[path[-1]] = new
    return root


def _mutate(draw: st.DrawFn, value: JSONValue) -> JSONValue:
    """One random change: delete a key, retype or replace a value, insert a garbage source,
    a wrong literal or an unknown key, or wrap the whole blob."""
    nodes = paths(value)
    kind = _choice(draw, ("delete", "retype", "garbage", "literal", "random", "add_key", "top"))
    if kind == "delete":
        keyed = [path for path in nodes if path and isinstance(_get(value, path[:-1]), dict)]
        if keyed:
            path = _element(draw, keyed)
            del _get(value, path[:-1])[path[-1]]
            return value
    elif kind == "garbage":
        sources = [path for path in nodes if path and path[-1] in SOURCE_FIELDS]
        strings = sources or [path for path in nodes if isinstance(_get(value, path), str)]
        if strings:
            return _set(value, _element(draw, strings), _choice(draw, TRICKY_STRINGS))
    elif kind == "literal":
        literals = [path for path in nodes if path and path[-1] in LITERAL_FIELDS]
        if literals:
            return _set(value, _element(draw, literals), draw(wild_strings))
    elif kind == "add_key":
        objects = [path for path in nodes if isinstance(_get(value, path), dict)]
        if objects:
            _get(value, _element(draw, objects))[draw(field_names)] = draw(wild_json)
            return value
    elif kind == "top":
        return deep_copy_json(_element(draw, (*WRONG_TYPES, [value], json.dumps(value))))
    path = _element(draw, nodes)
    # A copy: the constants must not change when a later mutation edits the blob.
    replacement = (
        deep_copy_json(_element(draw, WRONG_TYPES)) if kind == "retype" else draw(wild_json)
    )
    return _set(value, path, replacement)


@functools.cache
def mutated_conversations(fmt: str) -> st.SearchStrategy[tuple[list[Blob], int]]:
    """A short valid conversation in ``fmt`` with one message changed one to three times
    at random; gives the blobs and the position of the changed one."""
    return _mutated_conversation(fmt)


@st.composite
def _mutated_conversation(draw: st.DrawFn, fmt: str) -> tuple[list[Blob], int]:
    blobs = deep_copy_json(draw(conversations(fmt, max_turns=3)))
    position = _count(draw, 0, len(blobs) - 1)
    for _ in range(_count(draw, 1, 3)):
        blobs[position] = _mutate(draw, blobs[position])
    return blobs, position


def deep_copy_json(value: JSONValue) -> JSONValue:
    """A fresh copy, so that one render cannot leak changes into the next."""
    return json.loads(json.dumps(value))


# --- focused invalid (or unusual) input ---------------------------------------------------------

# URLs that no provider accepts, but that a client may send: the converter must reject them
# cleanly or pass them on, never crash while guessing a media type from them.
MALFORMED_URLS = st.one_of(
    st.sampled_from(
        (
            "http://[",
            "https://[::1/x.png",
            "http://]/",
            "https://exa mple.com/a.png",
            "",
            "data:",
            "data:image/png;base64,",
            "//no-scheme.png",
            "http://[::1]:99999/x.jpg",
        )
    ),
    st.text(max_size=20),
)


def image_by_url(fmt: str, url: str) -> Blob:
    """One user message holding an image by URL, in ``fmt``."""
    if fmt == "openai":
        return {"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}]}
    if fmt == "anthropic":
        image = {"type": "image", "source": {"type": "url", "url": url}}
        return {"role": "user", "content": [image]}
    if fmt == "gemini":
        return {"role": "user", "parts": [{"fileData": {"fileUri": url}}]}
    return {"role": "user", "parts": [{"type": "image", "meta": {"url": url}}]}


@functools.cache
def conversations_with_odd_provider_data() -> st.SearchStrategy[list[Blob]]:
    """acontext conversations where one message or part holds provider-only data (or a
    system role) of any JSON shape, not only the objects the converter writes there."""
    return _with_odd_provider_data()


@st.composite
def _with_odd_provider_data(draw: st.DrawFn) -> list[Blob]:
    blobs: list[Blob] = deep_copy_json(draw(conversations("acontext", max_turns=3)))
    message = _element(draw, blobs)
    keys: tuple[str, ...] = ("openai", "anthropic", "gemini")
    if _maybe(draw, 3):
        target, keys = message, (*keys, "role")
    else:
        target = _element(draw, message["parts"])
    target.setdefault("meta", {})[_choice(draw, keys)] = draw(wild_json)
    return blobs


short_field_names = st.text(max_size=4)  # shrinks to "", a name no reader expects


@functools.cache
def conversations_with_extra_field(fmt: str) -> st.SearchStrategy[list[Blob]]:
    """Conversations in ``fmt`` where one object of one message got a field of any name
    (often an unknown one) with any value. Some Gemini contents also leave out their role,
    which the API allows (it reads them as the user's), so that they are not replayed as is."""
    return _with_extra_field(fmt)


@st.composite
def _with_extra_field(draw: st.DrawFn, fmt: str) -> list[Blob]:
    blobs: list[Blob] = deep_copy_json(draw(conversations(fmt, max_turns=3)))
    if fmt == "gemini":
        _drop_some_user_roles(draw, blobs)
    message = _element(draw, blobs)
    objects = [path for path in paths(message) if isinstance(_get(message, path), dict)]
    _get(message, _element(draw, objects))[draw(short_field_names)] = draw(wild_json)
    return blobs


@functools.cache
def gemini_conversations_without_some_roles() -> st.SearchStrategy[list[Blob]]:
    """Valid Gemini conversations where some user contents leave out ``role``."""
    return _without_some_roles()


@st.composite
def _without_some_roles(draw: st.DrawFn) -> list[Blob]:
    blobs: list[Blob] = deep_copy_json(draw(conversations("gemini")))
    _drop_some_user_roles(draw, blobs)
    return blobs


def _drop_some_user_roles(draw: st.DrawFn, blobs: list[Blob]) -> None:
    for blob in blobs:
        if blob["role"] == "user" and _maybe(draw):
            del blob["role"]
