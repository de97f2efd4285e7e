"""Hypothesis strategies for the conversion property tests.

Valid input: ``conversations(fmt)`` builds VALID, COMPLETE conversations (every tool call is
answered, but perhaps the last calls of a Responses run) as lists of blobs stored in one
format, each a request the provider accepts: roles alternate where the provider requires it,
tool results come right after their calls, Anthropic text is never blank and its tool ids
match its pattern. ``mixed_conversations()`` builds conversations whose messages come in
different formats, each valid in its own (an OpenAI tool call answered by an Anthropic
tool_result...), as (format, blob) pairs.

A conversation alternates a user side and an assistant side; each side is drawn in a format
by ``USER_TURNS`` / ``ASSISTANT_TURNS``, and the calls an assistant side makes are answered
by the next user side, whatever its format (Gemini only when it allows the calls' names).
OpenAI Responses sides are items as agents keep them, one per stored message: a response is
reasoning, built-in tool items kept whole (web and file search, code interpreter, image
generation, a computer call with its screenshot output), an output message or an assistant
message of string content, and function or custom tool calls in a row; the client answers
each with an output item. A Responses run may end paused: the last calls not all answered.

The hard shapes are drawn too: tool names each provider allows but others do not (dotted and
colon names for Gemini, 65 to 128 characters for Anthropic, pairs such as ``a.b`` and ``a_b``
in one conversation), text documents (Anthropic text and content sources, search results,
Gemini text/plain and text/csv inline data, Responses text/plain and text/csv file data,
acontext file parts with text), and files only their provider can read (Gemini Files API
URIs, OpenAI and Anthropic file ids). Anthropic citations are enabled on all of a
conversation's documents and search results or on none.

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
import string
import struct
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from hypothesis import strategies as st

from conversion import FORMATS, openai, openai_responses

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
GEMINI_FILES_API = "https://generativelanguage.googleapis.com/v1beta/files/"
GEMINI_FILES = (  # (fileUri, mimeType): Files API uploads (Gemini's own), and public files
    (GEMINI_FILES_API + "abc123", "application/pdf"),
    (GEMINI_FILES_API + "img-9x2k4", "image/png"),
    (GEMINI_FILES_API + "notes7q", "text/plain"),
    ("https://example.com/cat.png", "image/png"),
    ("gs://bucket/clip.mp4", "video/mp4"),
    ("https://www.youtube.com/watch?v=9hE5-98ZeCg", "video/mp4"),
)
# Text documents: several lines, CRLF, blank lines, CSV with quoted fields.
MULTILINE_TEXTS = (
    "First line.\nSecond line.\n\nA new paragraph.\n",
    "# Notes\r\n\r\n- one\r\n- two",
    "\n\n  indented, after blank lines\n\t tabbed",
)
CSV_TEXTS = (
    "name,qty\napple,3\npear,5\n",
    'id,comment\n1,"quoted, with a comma"\n2,"a line\nbreak"\n',
    "città;€\nZürich;12,5\n",
)
# Where a search result came from: a URL or any identifier.
SEARCH_SOURCES = (
    "https://docs.example.com/api/rate-limits",
    "https://example.org/wiki/Search?q=a+b#top",
    "kb://handbook/3.1",
    "doc-42",
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
document_texts = st.one_of(visible_texts, st.sampled_from(MULTILINE_TEXTS))
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

LETTERS = string.ascii_letters
WORD = LETTERS + string.digits + "_"


def _word(first: str, rest: str, low: int, high: int) -> st.SearchStrategy[str]:
    """One character of ``first``, then ``low`` to ``high`` of ``rest``: what a regex such as
    ``[a-z][a-z0-9]{0,9}`` matches (drawn several times faster than ``st.from_regex`` does)."""
    head = st.sampled_from(first)
    return st.tuples(head, st.text(rest, min_size=low, max_size=high)).map("".join)


# Tool names. Each provider allows its own set: OpenAI ^[a-zA-Z0-9_-]{1,64}$, Anthropic
# ^[a-zA-Z0-9_-]{1,128}$, Gemini letters, digits and _ . : - starting with a letter or _, at
# most 64. Calls stored in a format use names that format allows; the converter maps the
# others per conversation.
OPENAI_TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
ANTHROPIC_TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,128}")
GEMINI_TOOL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}")
tool_names = st.one_of(  # names every provider allows
    # A few shared names, so that parallel calls to the same function happen often.
    st.sampled_from(("get_weather", "search", "run_code", "lookup")),
    _word(LETTERS + "_", WORD, 0, 20),
)
# Names that collide once '.' and ':' become '_', some at the 64-character limit.
COLLIDING_TOOL_NAMES = (
    "a.b", "a_b", "a:b", "fs.read_file", "fs_read_file", "fs:read_file",
    "n" * 62 + ".x", "n" * 62 + "_x",
)  # fmt: skip
openai_tool_names = st.one_of(
    tool_names,
    st.sampled_from(("a_b", "fs_read_file", "n" * 62 + "_x")),
    st.text(WORD + "-", min_size=1, max_size=64),  # may start with a digit or '-'
)
anthropic_tool_names = st.one_of(
    openai_tool_names,
    st.text(WORD + "-", min_size=65, max_size=128),  # too long for OpenAI and Gemini
)
gemini_tool_names = st.one_of(
    tool_names,
    st.sampled_from(COLLIDING_TOOL_NAMES),
    # Namespaced names, as MCP clients write them: github.create_issue, fs:read_file.
    st.tuples(
        _word(LETTERS + "_", WORD, 0, 12),
        st.lists(_word(".:-", WORD, 1, 12), min_size=1, max_size=3).map("".join),
    ).map("".join),
    _word(LETTERS + "_", WORD + ".:-", 40, 63),
)
acontext_tool_names = st.one_of(gemini_tool_names, anthropic_tool_names)  # any name
# Per format: the names drawn, and the names allowed (for the twins of ``ToolIds.name``).
TOOL_NAMES: dict[str, tuple[st.SearchStrategy[str], re.Pattern[str]]] = {
    "openai": (openai_tool_names, OPENAI_TOOL_NAME),
    "anthropic": (anthropic_tool_names, ANTHROPIC_TOOL_NAME),
    "gemini": (gemini_tool_names, GEMINI_TOOL_NAME),
    "acontext": (acontext_tool_names, re.compile(r".+", re.DOTALL)),
    "openai_responses": (openai_tool_names, OPENAI_TOOL_NAME),
}
NAME_SEPARATORS = re.compile(r"(?<=.)[._:]")
ALNUM = LETTERS + string.digits


def _prefixed(prefix: str, alphabet: str, low: int, high: int) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=low, max_size=high).map(prefix.__add__)


participant_names = st.text(WORD + "-", min_size=1, max_size=16)
file_ids = _prefixed("file-", ALNUM, 8, 16)
anthropic_file_ids = _prefixed("file_011C", ALNUM, 16, 20)
audio_ids = _prefixed("audio_", string.ascii_lowercase + string.digits, 8, 12)
anthropic_tool_ids = st.text(WORD + "-", min_size=1, max_size=24)
# OpenAI (and Gemini) ids can be any string; OpenAI-compatible servers use '.' and ':'.
any_tool_ids = st.one_of(
    st.text(min_size=1, max_size=24),
    st.tuples(
        _prefixed("functions.", string.ascii_lowercase + "_", 1, 10),
        _prefixed(":", string.digits, 1, 3),
    ).map("".join),
    _prefixed("call_", ALNUM + ".:", 4, 24),
)
signatures = st.binary(min_size=1, max_size=48).map(_b64)
# Responses item ids are a prefix naming the item type and hex digits (at most 64 in all).
item_id_digits = st.text("0123456789abcdef", min_size=16, max_size=48)
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
    """Draws tool ids that are unique within one conversation (the providers expect that),
    and tool names, often twins of names the conversation already used. Also the
    conversation's Responses item ids (unique too), and which calls are custom tool calls
    (a Responses custom_tool_call is answered by a custom_tool_call_output)."""

    def __init__(self, draw: st.DrawFn, ids: st.SearchStrategy[str], *, gemini_may_omit: bool):
        self._draw = draw
        self._ids = ids
        self._used: set[str] = set()
        self._names: list[str] = []
        self._item_ids: set[str] = set()
        self.custom: set[str] = set()
        # Gemini 2.x calls carry no id (pairing is by name): only when Gemini answers them.
        self.gemini_may_omit = gemini_may_omit

    def fresh(self) -> str:
        tool_id = self._draw(self._ids)
        while tool_id in self._used:
            tool_id += "_"  # stays within Anthropic's pattern
        self._used.add(tool_id)
        return tool_id

    def item_id(self, prefix: str) -> str:
        """A Responses item id: ``prefix`` (msg_, fc_, rs_...) and hex digits, unique in the
        conversation (the API rejects an input with two items of one id)."""
        item_id = prefix + self._draw(item_id_digits)
        while item_id in self._item_ids:
            item_id += "0"
        self._item_ids.add(item_id)
        return item_id

    def name(self, fmt: str) -> str:
        """A tool name that ``fmt`` allows; one time in four the twin of an earlier name of
        the conversation, the same once '.', ':' and '_' are one separator (a.b, a_b, a:b),
        which a naive mapping to OpenAI's or Anthropic's names merges."""
        names, allowed = TOOL_NAMES[fmt]
        if self._names and _maybe(self._draw, 4):
            separator = _choice(self._draw, (".", "_", ":"))
            twin = NAME_SEPARATORS.sub(separator, _element(self._draw, self._names))
            if allowed.fullmatch(twin):
                return twin
        name: str = self._draw(names)
        self._names.append(name)
        return name


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


def openai_user_turn(
    draw: st.DrawFn, answering: Sequence[Call], leading: bool, ids: ToolIds
) -> list[Blob]:
    """One ``tool`` message per call, then user (or system/developer) messages."""
    del ids  # a custom tool's result is a tool message too
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
        calls = [(ids.fresh(), ids.name("openai")) for _ in range(_count(draw, 1, 3))]
        message["content"] = _choice(draw, (None, None, "", "Let me check."))
        message["tool_calls"] = [_openai_tool_call(draw, str(i), name) for i, name in calls]
        ids.custom.update(call["id"] for call in message["tool_calls"] if call["type"] == "custom")
    else:
        # The deprecated function_call, answered right away by a ``function`` message
        # (matched by name: it has no id, so no other format can answer it).
        name = ids.name("openai")
        message.update(content=None, function_call={"name": name, "arguments": draw(arguments)})
        answer = {"role": "function", "name": name, "content": draw(optional_texts)}
        return [_with_name(draw, message), answer], []
    return [_with_name(draw, message)], calls


# --- OpenAI Responses input items ---------------------------------------------------------------
# One stored message is one input item, as agents keep them: a model response is several
# items (reasoning, built-in tool work, an output message, function calls), and the client
# answers each call with an output item of its own.

TINY_PNG = IMAGES[0][1]
PNG_DATA_URL = f"data:image/png;base64,{TINY_PNG}"
RESPONSES_TEXT_FILES = (  # (file_data media type, file name, texts): read as text documents
    ("text/plain", "notes.txt", MULTILINE_TEXTS),
    ("text/csv", "data.csv", CSV_TEXTS),
)
COMPUTER_ACTIONS: tuple[JSONObject, ...] = (
    {"type": "click", "button": "left", "x": 156, "y": 42},
    {"type": "double_click", "keys": None, "x": 3, "y": 900},
    {"type": "type", "text": "OpenAI"},
    {"type": "keypress", "keys": ["CTRL", "L"]},
    {"type": "scroll", "scroll_x": 0, "scroll_y": 480, "x": 640, "y": 360},
    {"type": "screenshot"},
    {"type": "wait"},
)
SAFETY_CHECK = {
    "id": "cu_sc_6743c2a1b0d48190",
    "code": "malicious_instructions",
    "message": "The page contains text that looks like instructions to the agent.",
}
RESPONSES_PART_KINDS = (
    "text", "text", "text", "image_url", "image_data", "image_id",
    "file_data", "file_url", "file_id", "text_file",
)  # fmt: skip
WEB_SEARCH_URLS = tuple(url for url in SEARCH_SOURCES if url.startswith("https://"))


def _responses_text(draw: st.DrawFn) -> JSONObject:
    part: JSONObject = {"type": "input_text", "text": draw(texts)}
    if _maybe(draw, 12):  # a prompt-cache breakpoint
        part["prompt_cache_breakpoint"] = {"mode": "explicit"}
    return part


def _responses_input_part(draw: st.DrawFn) -> JSONObject:
    """A part of user content or of a tool output: text, an image (URL, data URL or file
    id, always with its detail), a file (PDF data with its name, a URL, a file id) or a
    text document given as file data."""
    kind = _choice(draw, RESPONSES_PART_KINDS)
    if kind == "text":
        return _responses_text(draw)
    if kind.startswith("image"):
        detail = _choice(draw, openai_responses.IMAGE_DETAILS)
        image: JSONObject = {"type": "input_image", "detail": detail}
        if kind == "image_url":
            image["image_url"] = _choice(draw, IMAGE_URLS)
        elif kind == "image_data":
            media_type, data = _choice(draw, IMAGES)
            image["image_url"] = f"data:{media_type};base64,{data}"
        else:
            image["file_id"] = draw(file_ids)
        return image
    block: JSONObject = {"type": "input_file"}
    if kind == "file_data":
        block["file_data"] = f"data:application/pdf;base64,{PDF}"
        block["filename"] = _choice(draw, ("report.pdf", "scan 2024.pdf", "документ.pdf"))
    elif kind == "text_file":
        media_type, filename, options = _choice(draw, RESPONSES_TEXT_FILES)
        text = _element(draw, options)
        block["file_data"] = f"data:{media_type};base64,{_b64(text.encode('utf-8'))}"
        block["filename"] = filename
    elif kind == "file_url":
        block["file_url"] = _choice(draw, PDF_URLS)
    else:
        block["file_id"] = draw(file_ids)
    if _maybe(draw, 6):
        block["detail"] = _choice(draw, openai_responses.FILE_DETAILS)
    return block


def _responses_message(draw: st.DrawFn, role: str, parts: bool) -> JSONObject:
    """An easy message; sometimes typed, or in the Message form (list content and a status,
    as items listed back from the API)."""
    message: JSONObject = {"role": role}
    if parts and _maybe(draw, 2):
        if role == "user":
            content = [_responses_input_part(draw) for _ in range(_count(draw, 1, 4))]
        else:
            content = [_responses_text(draw) for _ in range(_count(draw, 1, 2))]
        message["content"] = content
        if _maybe(draw, 6):
            message.update(type="message", status="completed")
            return message
    else:
        message["content"] = draw(texts)
    if _maybe(draw, 4):
        message["type"] = "message"
    return message


def _responses_system(draw: st.DrawFn) -> JSONObject:
    return _responses_message(draw, _choice(draw, ("system", "developer")), parts=True)


def _responses_output(draw: st.DrawFn, call_id: str, custom: bool) -> JSONObject:
    """What the client's tool gave: a string, or input text, images and files."""
    kind = "custom_tool_call_output" if custom else "function_call_output"
    output: str | list[JSONObject]
    if _maybe(draw, 4):
        output = [_responses_input_part(draw) for _ in range(_count(draw, 1, 3))]
    else:
        output = draw(texts)
    return {"type": kind, "call_id": call_id, "output": output}


def _item_reference(draw: st.DrawFn, ids: ToolIds) -> JSONObject:
    """A reference to an item OpenAI stored (an earlier output message, reasoning...);
    the type may be left out."""
    reference: JSONObject = {"id": ids.item_id(_choice(draw, ("msg_", "rs_", "fc_")))}
    if _maybe(draw):
        reference["type"] = "item_reference"
    return reference


def openai_responses_user_turn(
    draw: st.DrawFn, answering: Sequence[Call], leading: bool, ids: ToolIds
) -> list[Blob]:
    """An output item per call (any order), then user (or system/developer) messages, and
    now and then an item reference."""
    items: list[Blob] = []
    if leading:
        items.extend(_responses_system(draw) for _ in range(_count(draw, 0, 2)))
    for call_id, _name in _shuffled(draw, answering):
        assert call_id is not None  # only Gemini leaves ids out, and only Gemini answers those
        items.append(_responses_output(draw, call_id, call_id in ids.custom))
    for _ in range(_count(draw, 0 if answering else 1, 2)):
        # A system message in the middle of the conversation stays in place.
        if _maybe(draw, 6):
            items.append(_responses_system(draw))
        else:
            items.append(_responses_message(draw, "user", parts=True))
    if _maybe(draw, 10):
        items.append(_item_reference(draw, ids))
    return items


def _annotations(draw: st.DrawFn, text: str) -> list[JSONObject]:
    kind = _choice(draw, ("none", "none", "none", "url", "file"))
    if kind == "url":
        citation = {
            "type": "url_citation",
            "url": _choice(draw, WEB_SEARCH_URLS),
            "title": draw(texts),
            "start_index": 0,
            "end_index": len(text),
        }
        return [citation]
    if kind == "file":
        filename = _choice(draw, ("handbook.pdf", "report.pdf"))
        return [
            {"type": "file_citation", "file_id": draw(file_ids), "filename": filename, "index": 0}
        ]
    return []


def _with_phase(draw: st.DrawFn, message: JSONObject) -> JSONObject:
    if _maybe(draw, 4):
        message["phase"] = _choice(draw, openai_responses.PHASES)
    return message


def _responses_assistant_message(draw: st.DrawFn, ids: ToolIds) -> JSONObject:
    """An output message (output text with its annotations, refusals), or an easy message
    of string content (the API takes no input_text in an assistant message)."""
    if _maybe(draw, 3):
        message: JSONObject = {"role": "assistant", "content": draw(texts)}
        if _maybe(draw, 4):
            message["type"] = "message"
        return _with_phase(draw, message)
    content: list[JSONObject] = []
    for _ in range(_count(draw, 1, 2)):
        if _maybe(draw, 6):
            content.append({"type": "refusal", "refusal": draw(texts)})
        else:
            text = draw(texts)
            annotations = _annotations(draw, text)
            content.append({"type": "output_text", "text": text, "annotations": annotations})
    message = {
        "id": ids.item_id("msg_"),
        "type": "message",
        "role": "assistant",
        "status": "completed",
        "content": content,
    }
    return _with_phase(draw, message)


def _reasoning(draw: st.DrawFn, ids: ToolIds) -> JSONObject:
    """A reasoning item: its summary (perhaps empty) and, as agents keep it to pass it back
    without OpenAI storing it, its encrypted content."""
    summary = [{"type": "summary_text", "text": draw(texts)} for _ in range(_count(draw, 0, 2))]
    item: JSONObject = {"type": "reasoning", "id": ids.item_id("rs_"), "summary": summary}
    if not _maybe(draw, 4):
        item["encrypted_content"] = draw(signatures)
    if _maybe(draw, 8):
        item["content"] = [{"type": "reasoning_text", "text": draw(texts)}]
    if _maybe(draw, 8):
        item["status"] = "completed"
    return item


def _builtin_items(draw: st.DrawFn, ids: ToolIds) -> list[JSONObject]:
    """Work of a built-in tool, kept whole: a web search, a file search, code run, an image
    generated, or a computer action that the client answers at once with a screenshot."""
    kind = _choice(draw, ("web_search", "file_search", "code", "image", "computer"))
    status = "completed"
    if kind == "web_search":
        action: JSONObject
        url = _choice(draw, WEB_SEARCH_URLS)
        shape = _choice(draw, ("search", "open_page", "find_in_page"))
        if shape == "search":
            action = {"type": "search", "query": draw(texts)}
            if _maybe(draw):
                action["sources"] = [{"type": "url", "url": url}]
        elif shape == "open_page":
            action = {"type": "open_page", "url": url}
        else:
            action = {"type": "find_in_page", "pattern": draw(texts), "url": url}
        return [
            {
                "type": "web_search_call",
                "id": ids.item_id("ws_"),
                "status": status,
                "action": action,
            }
        ]
    if kind == "file_search":
        results = None
        if _maybe(draw):
            result = {"file_id": draw(file_ids), "filename": "handbook.pdf", "score": 0.92}
            results = [{**result, "text": draw(texts), "attributes": {"section": "4.1"}}]
        return [
            {
                "type": "file_search_call",
                "id": ids.item_id("fs_"),
                "status": status,
                "queries": [draw(texts)],
                "results": results,
            }
        ]
    if kind == "code":
        outputs = _choice(draw, ("none", "logs", "image"))
        return [
            {
                "type": "code_interpreter_call",
                "id": ids.item_id("ci_"),
                "status": status,
                "container_id": "cntr_6743c1d5e2f88190a1b2c3d4e5f6a7b8",
                "code": draw(optional_texts),
                "outputs": {
                    "none": None,
                    "logs": [{"type": "logs", "logs": "385\n"}],
                    "image": [{"type": "image", "url": PNG_DATA_URL}],
                }[outputs],
            }
        ]
    if kind == "image":
        item: JSONObject = {
            "type": "image_generation_call",
            "id": ids.item_id("ig_"),
            "status": status,
            "result": TINY_PNG,
        }
        if _maybe(draw):
            item.update(output_format="png", revised_prompt=draw(texts))
        return [item]
    call_id = ids.fresh()
    checks = [SAFETY_CHECK] if _maybe(draw, 4) else []
    call = {
        "type": "computer_call",
        "id": ids.item_id("cu_"),
        "call_id": call_id,
        "action": _element(draw, COMPUTER_ACTIONS),
        "pending_safety_checks": checks,
        "status": status,
    }
    screenshot = {"type": "computer_screenshot", "image_url": PNG_DATA_URL}
    output: JSONObject = {"type": "computer_call_output", "call_id": call_id, "output": screenshot}
    if checks:
        output["acknowledged_safety_checks"] = checks
    pair: list[JSONObject] = deep_copy_json([call, output])  # the constants stay unshared
    return pair


def _responses_call(draw: st.DrawFn, ids: ToolIds) -> tuple[JSONObject, Call]:
    call_id, name = ids.fresh(), ids.name("openai_responses")
    item: JSONObject
    if _maybe(draw, 6):  # a custom (free-form) tool
        ids.custom.add(call_id)
        item = {"type": "custom_tool_call", "call_id": call_id, "name": name, "input": draw(texts)}
        if _maybe(draw):
            item["id"] = ids.item_id("ctc_")
        return item, (call_id, name)
    item = {"type": "function_call", "call_id": call_id, "name": name, "arguments": draw(arguments)}
    if _maybe(draw, 3):
        item.update(id=ids.item_id("fc_"), status="completed")
    return item, (call_id, name)


def openai_responses_assistant_turn(draw: st.DrawFn, ids: ToolIds) -> tuple[list[Blob], list[Call]]:
    """One model response: built-in tool work first (each perhaps after reasoning), then
    reasoning, then an output message, function calls (parallel calls in a row), or both."""
    items: list[Blob] = []
    for _ in range(_choice(draw, (0, 0, 0, 1, 2))):
        if _maybe(draw):
            items.append(_reasoning(draw, ids))
        items.extend(_builtin_items(draw, ids))
    if _maybe(draw):
        items.append(_reasoning(draw, ids))
    kind = _choice(draw, ("message", "message", "calls", "calls", "message_and_calls"))
    if kind != "calls":
        items.append(_responses_assistant_message(draw, ids))
    calls: list[Call] = []
    if kind != "message":
        for _ in range(_count(draw, 1, 3)):
            item, call = _responses_call(draw, ids)
            items.append(item)
            calls.append(call)
    return items, calls


# --- Anthropic Messages -----------------------------------------------------------------------


def _cache_control(draw: st.DrawFn, block: JSONObject) -> JSONObject:
    if _maybe(draw, 8):
        block["cache_control"] = {"type": "ephemeral"}
    return block


def _anthropic_text(draw: st.DrawFn) -> JSONObject:
    return _cache_control(draw, {"type": "text", "text": draw(visible_texts)})


def _anthropic_file(draw: st.DrawFn) -> JSONObject:
    """A file uploaded to Anthropic's Files API: usable in Anthropic requests only."""
    return {"type": "file", "file_id": draw(anthropic_file_ids)}


def _anthropic_image(draw: st.DrawFn) -> JSONObject:
    kind = _choice(draw, ("base64", "base64", "url", "file"))
    if kind == "url":
        source: JSONObject = {"type": "url", "url": _choice(draw, IMAGE_URLS)}
    elif kind == "file":
        source = _anthropic_file(draw)
    else:
        media_type, data = _choice(draw, IMAGES)
        source = {"type": "base64", "media_type": media_type, "data": data}
    return _cache_control(draw, {"type": "image", "source": source})


def _plain_text_blocks(draw: st.DrawFn) -> list[JSONObject]:
    return [{"type": "text", "text": draw(document_texts)} for _ in range(_count(draw, 1, 3))]


def _anthropic_document(draw: st.DrawFn) -> JSONObject:
    """PDF (base64, URL, Files API) and text documents: a plain text source, or a content
    source (text blocks, or one string). Citations are set per conversation (see
    ``_align_citations``)."""
    kind = _choice(draw, ("base64", "url", "file", "text", "text", "content"))
    if kind == "base64":
        source: JSONObject = {"type": "base64", "media_type": "application/pdf", "data": PDF}
    elif kind == "url":
        source = {"type": "url", "url": _choice(draw, PDF_URLS)}
    elif kind == "file":
        source = _anthropic_file(draw)
    elif kind == "text":
        source = {"type": "text", "media_type": "text/plain", "data": draw(document_texts)}
    else:
        content = draw(document_texts) if _maybe(draw, 4) else _plain_text_blocks(draw)
        source = {"type": "content", "content": content}
    block: JSONObject = {"type": "document", "source": source}
    if _maybe(draw):
        block["title"] = draw(visible_texts)
    if _maybe(draw, 6):
        block["context"] = draw(visible_texts)
    return _cache_control(draw, block)


def _anthropic_search_result(draw: st.DrawFn) -> JSONObject:
    block = {
        "type": "search_result",
        "source": _choice(draw, SEARCH_SOURCES),
        "title": draw(visible_texts),
        "content": _plain_text_blocks(draw),
    }
    return _cache_control(draw, block)


def _anthropic_content_block(draw: st.DrawFn) -> JSONObject:
    """A block of user content or of a tool result's content (both take all of these)."""
    builder = _choice(
        draw,
        (
            _anthropic_text,
            _anthropic_text,
            _anthropic_image,
            _anthropic_document,
            _anthropic_search_result,
        ),
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


def anthropic_user_turn(
    draw: st.DrawFn, answering: Sequence[Call], leading: bool, ids: ToolIds
) -> list[Blob]:
    """ONE user message: a tool_result per call first (any order), then other content."""
    del leading, ids  # the system prompt is a request parameter, not a message
    if not answering and _maybe(draw, 3):
        return [{"role": "user", "content": draw(visible_texts)}]
    blocks = [_anthropic_tool_result(draw, str(i)) for i, _name in _shuffled(draw, answering)]
    blocks += [_anthropic_content_block(draw) for _ in range(_count(draw, 0 if blocks else 1, 3))]
    return [{"role": "user", "content": blocks}]


CITABLE_BLOCKS = frozenset(("document", "search_result"))


def _citable_blocks(blob: Blob) -> list[JSONObject]:
    """The documents and search results of an Anthropic message, in tool results too."""
    content = blob["content"]
    if isinstance(content, str):
        return []
    found = []
    for block in content:
        if block["type"] in CITABLE_BLOCKS:
            found.append(block)
        elif block["type"] == "tool_result" and isinstance(block.get("content"), list):
            found.extend(inner for inner in block["content"] if inner["type"] in CITABLE_BLOCKS)
    return found


def _align_citations(draw: st.DrawFn, pairs: Sequence[tuple[str, Blob]]) -> None:
    """Anthropic takes citations enabled on all of a request's documents or on none: enable
    them on every document and search result of the conversation, or on none (some then
    say ``enabled: false``)."""
    blocks = [block for fmt, blob in pairs if fmt == "anthropic" for block in _citable_blocks(blob)]
    if not blocks:
        return
    enabled = _maybe(draw, 3)
    for block in blocks:
        if enabled or _maybe(draw, 4):
            block["citations"] = {"enabled": enabled}


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
        call_id, name = ids.fresh(), ids.name("anthropic")
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
    """Inline images, audio, PDF and text (text/plain, text/csv), or a file by URI: a Files
    API upload (Gemini's own) or a public one."""
    kind = _choice(draw, ("image", "image", "audio", "pdf", "text", "csv", "file_uri"))
    if kind == "file_uri":
        uri, media_type = _choice(draw, GEMINI_FILES)
        return {"fileData": {"fileUri": uri, "mimeType": media_type}}
    if kind == "image":
        media_type, data = _choice(draw, IMAGES)
    elif kind == "audio":
        media_type, data = _choice(draw, (("audio/wav", WAV), ("audio/mp3", MP3)))
    elif kind == "pdf":
        media_type, data = "application/pdf", PDF
    elif kind == "text":
        media_type, data = "text/plain", _b64(draw(document_texts).encode("utf-8"))
    else:
        media_type, data = "text/csv", _b64(_choice(draw, CSV_TEXTS).encode("utf-8"))
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
        response["parts"] = [_gemini_response_media(draw, i) for i in range(_count(draw, 1, 2))]
    return {"functionResponse": response}


def _gemini_response_media(draw: st.DrawFn, index: int) -> JSONObject:
    """Media of a function response, often named (``displayName``, unique in the response)
    so that the response can point at it."""
    part = _gemini_media(draw)
    if _maybe(draw):
        ((_kind, source),) = part.items()
        source["displayName"] = f"{_choice(draw, ('result', 'chart', 'page'))}_{index}"
    return part


def gemini_user_turn(
    draw: st.DrawFn, answering: Sequence[Call], leading: bool, ids: ToolIds
) -> list[Blob]:
    """ONE user turn: a functionResponse per call (any order), then other parts."""
    del leading, ids  # the system instruction is a request parameter, not a content
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
        call_id, name = (ids.fresh() if with_ids else None), ids.name("gemini")
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
    kind = _choice(draw, ("text", "text", "image_url", "image_data", "file", "text_file"))
    if kind == "text":
        return _acontext_text(draw)
    if kind == "text_file":  # a text document, as an Anthropic text document reads
        part: JSONObject = {"type": "file", "text": draw(document_texts)}
        if _maybe(draw):
            part["filename"] = _choice(draw, ("notes.txt", "README", "données.txt"))
        part["meta"] = {"media_type": "text/plain"}
        return part
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


def acontext_user_turn(
    draw: st.DrawFn, answering: Sequence[Call], leading: bool, ids: ToolIds
) -> list[Blob]:
    del ids
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


def _acontext_thinking(draw: st.DrawFn, ids: ToolIds) -> JSONObject:
    kind = _choice(draw, ("plain", "anthropic", "anthropic_redacted", "gemini", "openai_responses"))
    if kind == "anthropic_redacted":
        return {"type": "thinking", "meta": {"anthropic": {"redacted_data": draw(signatures)}}}
    if kind == "openai_responses":  # a Responses reasoning item, as its reader keeps it
        reasoning = _reasoning(draw, ids)
        del reasoning["type"]
        shown = reasoning["summary"] or reasoning.get("content", [])
        text = "\n\n".join(entry["text"] for entry in shown)
        return {"type": "thinking", "text": text, "meta": {"openai_responses": reasoning}}
    part: JSONObject = {"type": "thinking", "text": draw(texts)}
    if kind == "anthropic":
        part["meta"] = {"anthropic": {"signature": draw(signatures)}}
    elif kind == "gemini":
        part["meta"] = {"gemini": {"thoughtSignature": draw(signatures)}}
    return part


def acontext_assistant_turn(draw: st.DrawFn, ids: ToolIds) -> tuple[list[Blob], list[Call]]:
    parts = [_acontext_thinking(draw, ids) for _ in range(_count(draw, 0, 2))]
    if _maybe(draw, 8):  # built-in tool work of the Responses API, kept whole
        item = _builtin_items(draw, ids)[0]
        if item["type"] != "computer_call":  # its output would have to come right after it
            parts.append({"type": "data", "meta": {"openai_responses": {"item": item}}})
    calls: list[Call] = []
    for _ in range(_count(draw, 1, 3)):
        if _maybe(draw):
            part = _acontext_text(draw)
            if _maybe(draw, 8):
                part["meta"] = {"openai": {"refusal": True}}
            parts.append(part)
            continue
        call_id, name = ids.fresh(), ids.name("acontext")
        calls.append((call_id, name))
        meta: JSONObject = {"id": call_id, "name": name, "arguments": draw(arguments)}
        if _maybe(draw, 6):
            meta["gemini"] = {"thoughtSignature": draw(signatures)}
        parts.append({"type": "tool-call", "meta": meta})
    return [{"role": "assistant", "parts": parts}], calls


# --- conversations ----------------------------------------------------------------------------

UserTurn = Callable[[st.DrawFn, Sequence[Call], bool, ToolIds], list[Blob]]
AssistantTurn = Callable[[st.DrawFn, ToolIds], tuple[list[Blob], list[Call]]]
USER_TURNS: dict[str, UserTurn] = {
    "openai": openai_user_turn,
    "anthropic": anthropic_user_turn,
    "gemini": gemini_user_turn,
    "acontext": acontext_user_turn,
    "openai_responses": openai_responses_user_turn,
}
ASSISTANT_TURNS: dict[str, AssistantTurn] = {
    "openai": openai_assistant_turn,
    "anthropic": anthropic_assistant_turn,
    "gemini": gemini_assistant_turn,
    "acontext": acontext_assistant_turn,
    "openai_responses": openai_responses_assistant_turn,
}


@st.composite
def _conversation(
    draw: st.DrawFn, formats: tuple[str, ...], max_turns: int
) -> list[tuple[str, Blob]]:
    """User and assistant sides alternate, each in a format drawn from ``formats``; the calls
    of an assistant side are answered by the next user side, also at the very end, but for
    a Responses side: an agent run may be paused there (its calls not answered yet)."""
    mixed = len(formats) > 1
    # Ids must suit every format that may hold them: Anthropic's pattern when mixed.
    id_strategy = anthropic_tool_ids if mixed or formats == ("anthropic",) else any_tool_ids
    ids = ToolIds(draw, id_strategy, gemini_may_omit=formats == ("gemini",))
    pairs: list[tuple[str, Blob]] = []
    pending: list[Call] = []
    turns = _count(draw, 1, max_turns)
    turn = 0
    fmt = formats[0]
    while turn < turns or pending:
        if turn >= turns and fmt == "openai_responses" and _maybe(draw, 3):
            # A paused run: the last response's calls wait for their outputs (some are in).
            done = _shuffled(draw, pending)[: _count(draw, 0, len(pending) - 1)]
            for call_id, _name in done:
                assert call_id is not None
                pairs.append((fmt, _responses_output(draw, call_id, call_id in ids.custom)))
            break
        if turn % 2 == 0:
            fmt = _choice(draw, _answering_formats(formats, pending))
            blobs = USER_TURNS[fmt](draw, pending, turn == 0, ids)
            pending = []
        else:
            fmt = _choice(draw, formats)
            blobs, pending = ASSISTANT_TURNS[fmt](draw, ids)
        pairs.extend((fmt, blob) for blob in blobs)
        turn += 1
    _align_citations(draw, pairs)
    return pairs


def _answering_formats(formats: tuple[str, ...], calls: Sequence[Call]) -> tuple[str, ...]:
    """The formats that can answer ``calls``: a Gemini functionResponse names its call, so
    Gemini answers only the calls whose names it allows (the others never reach it)."""
    if "gemini" not in formats or all(GEMINI_TOOL_NAME.fullmatch(name) for _id, name in calls):
        return formats
    return tuple(fmt for fmt in formats if fmt != "gemini")


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
    "gemini", "asset", "file_field", "output", "error", "content", "call_id", "status", "phase",
    "summary", "encrypted_content", "annotations", "file_url", "action", "openai_responses",
)  # fmt: skip
LITERALS = (
    "user", "assistant", "model", "system", "developer", "tool", "function", "text", "image",
    "image_url", "input_audio", "file", "refusal", "tool_use", "tool_result", "thinking",
    "redacted_thinking", "document", "base64", "url", "content", "custom", "tool-call",
    "tool-result", "audio", "video", "data", "wav", "mp3", "auto", "high", "USER", "", " ",
    "message", "input_text", "input_image", "input_file", "output_text", "function_call",
    "function_call_output", "custom_tool_call", "custom_tool_call_output", "reasoning",
    "summary_text", "item_reference", "computer_call", "computer_call_output", "completed",
)  # fmt: skip
# Strings that trip parsers: broken URLs (urlsplit raises on an unclosed IPv6 bracket), bare
# and broken data URLs, invalid base64.
TRICKY_STRINGS = (
    "http://[", "https://[::1/x.png", "data:", "data:image/png;base64,", "data:;base64,@@",
    "data:image/png;base64,!!!", "not base64!", "abc", "====", "\x00", "-_-_", "//", "{",
)  # fmt: skip
# Fields holding URLs, base64 or signatures: where garbage strings matter most.
SOURCE_FIELDS = frozenset(
    ("url", "data", "file_data", "fileUri", "file_uri", "thoughtSignature", "thought_signature",
     "image_url", "file_url", "encrypted_content")
)  # fmt: skip
LITERAL_FIELDS = frozenset(
    ("type", "role", "format", "detail", "media_type", "mimeType", "status", "phase")
)
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
    if fmt == "openai_responses":
        return {
            "role": "user",
            "content": [{"type": "input_image", "image_url": url, "detail": "auto"}],
        }
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
    keys: tuple[str, ...] = ("openai", "anthropic", "gemini", "openai_responses")
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
