"""A short trip-planning conversation that touches every format and the usual hard parts:
a system prompt, a tool call and its result, an image, Anthropic thinking, a Gemini voice
note, an OpenAI Responses turn with reasoning and a web search, and a file uploaded the way
the SDKs upload one.

Its media are made here and travel inline (base64, or an uploaded file), never as a link, so
a first run shows them offline. And each provider format meets something it cannot take, so
the conversion warnings show on a first run:

- read as OpenAI or Gemini, the Anthropic thinking block (its signature is valid only at
  Anthropic) is left out: ``thinking_dropped``;
- read as Anthropic, the Gemini voice note is left out (Anthropic takes no audio):
  ``media_unsupported``;
- read as OpenAI, Anthropic or Gemini, the uploaded map's file name is left out (their image
  parts have no name): ``provider_data_dropped``;
- read as anything but OpenAI Responses, its reasoning (``thinking_dropped``) and its web
  search call (``unsupported_part``) are left out; read as OpenAI Responses, the Anthropic
  thinking, the voice note (it takes no audio) and the map's file name are.

Format acontext is the stored canonical form itself: nothing is lost, so it warns of nothing.
"""

import base64
import math
import struct
import uuid
import zlib
from collections.abc import Callable
from typing import Any

# Fixed, so that running load_demo again finds the sample instead of adding another.
DEMO_SESSION_ID = uuid.UUID("00000000-0000-4000-8000-00000000de70")

Pixel = tuple[int, int, int]
# (format, blob, user meta); with files, also {form field: (file name, bytes)} for the parts
# that name a file_field.
DemoMessage = tuple[str, dict[str, Any], dict[str, Any]]
DemoMessageWithFiles = tuple[str, dict[str, Any], dict[str, Any], dict[str, tuple[str, bytes]]]


def _png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An 8-bit RGB PNG of ``pixel(x, y)``: a few hundred bytes, no imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


IRON: Pixel = (92, 64, 51)
GRASS: Pixel = (96, 140, 72)
RIVER: Pixel = (120, 170, 220)
PAPER: Pixel = (240, 232, 210)
ROUTE: Pixel = (200, 40, 40)


def _tower(x: int, y: int) -> Pixel:
    """The view from the hotel: a lattice tower on a lawn under a pale sky, 96 x 72."""
    middle = abs(x - 47.5)
    if y >= 60:
        return GRASS
    if y >= 8:
        half_width = 1 + 17 * ((y - 8) / 52) ** 2.2  # the legs curve in towards the top
        under_the_arch = y > 50 and middle < (y - 50) * 0.9 + 1.5
        platform = y in (24, 38) and middle <= half_width + 2
        if (middle <= half_width and not under_the_arch) or platform:
            return IRON
    elif y >= 3 and middle < 1:  # the antenna
        return IRON
    return (int(120 + 100 * y / 60), int(170 + 60 * y / 60), 235)


def _route_map(x: int, y: int) -> Pixel:
    """The walk drawn on a map: the river, and a dotted route between two dots, 96 x 72."""
    if abs(y - (36 + 10 * math.sin(x / 12))) < 3:
        return RIVER
    on_route = abs(y - (20 + x * 0.3)) < 1.2 and (x // 4) % 2 == 0
    at_an_end = (x - 10) ** 2 + (y - 23) ** 2 < 9 or (x - 86) ** 2 + (y - 46) ** 2 < 9
    return ROUTE if on_route or at_an_end else PAPER


def _wav(notes: tuple[float, ...], seconds: float = 0.125, rate: int = 8000) -> bytes:
    """Mono 16-bit PCM: each note a decaying sine, one after another (a short chime)."""
    count = int(seconds * rate)
    samples = [
        int(12000 * math.exp(-6 * n / count) * math.sin(2 * math.pi * note * n / rate))
        for note in notes
        for n in range(count)
    ]
    data = struct.pack(f"<{len(samples)}h", *samples)
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(data))
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


TOWER_PNG = _png(96, 72, _tower)
CHIME_WAV = _wav((660.0, 880.0))
ROUTE_MAP_PNG = _png(96, 72, _route_map)

# In conversation order, plain JSON as any client can store it.
DEMO_CONVERSATION: list[DemoMessage] = [
    (
        "openai",
        {"role": "system", "content": "You are a concise travel assistant."},
        {"source": "demo"},
    ),
    (
        "openai",
        {"role": "user", "content": "What's the weather in Paris right now?"},
        {"source": "web"},
    ),
    (
        "openai",
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_weather_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {},
    ),
    (
        "openai",
        {
            "role": "tool",
            "tool_call_id": "call_weather_1",
            "content": '{"temperature_c": 18, "sky": "light rain"}',
        },
        {},
    ),
    (
        "openai",
        {
            "role": "assistant",
            "content": "It is 18 °C with light rain in Paris: bring an umbrella.",
        },
        {},
    ),
    (
        "anthropic",
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "This is the view from my hotel. Which landmark is it?"},
                {
                    "type": "image",
                    "source": {
                        "type": "base64",
                        "media_type": "image/png",
                        "data": _base64(TOWER_PNG),
                    },
                },
            ],
        },
        {"source": "mobile"},
    ),
    (
        "anthropic",
        {
            "role": "assistant",
            "content": [
                {
                    "type": "thinking",
                    "thinking": "A lattice tower on four curved legs with two platforms, a lawn "
                    "in front: the Eiffel Tower from the Champ de Mars.",
                    # Made up: only Anthropic could check it, and the demo never calls Anthropic.
                    "signature": "ZGVtby1zaWduYXR1cmUtbm90LWZyb20tYW50aHJvcGlj",
                },
                {"type": "text", "text": "That is the Eiffel Tower, seen from the Champ de Mars."},
            ],
        },
        {},
    ),
    (
        "gemini",
        {
            "role": "user",
            "parts": [
                {"text": "Thanks! Here is the chime I heard at the top. Plan me a two-hour walk."},
                {"inlineData": {"mimeType": "audio/wav", "data": _base64(CHIME_WAV)}},
            ],
        },
        {"source": "web"},
    ),
    (
        "gemini",
        {
            "role": "model",
            "parts": [
                {
                    "text": "Start at the Trocadéro, cross the Seine to the Champ de Mars, then "
                    "follow the river east to the Musée d'Orsay (about 4 km)."
                }
            ],
        },
        {},
    ),
    (
        "openai_responses",
        {"role": "user", "content": "Is the Musée d'Orsay open late on Thursdays?"},
        {"source": "web"},
    ),
    (
        "openai_responses",
        {
            "type": "reasoning",
            "id": "rs_demo_1",
            "summary": [
                {"type": "summary_text", "text": "Opening hours change: check the museum's site."}
            ],
            # Made up: only OpenAI could decrypt it, and the demo never calls OpenAI.
            "encrypted_content": "ZGVtby1yZWFzb25pbmctbm90LWZyb20tb3BlbmFp",
        },
        {},
    ),
    (
        "openai_responses",
        {
            "type": "web_search_call",
            "id": "ws_demo_1",
            "status": "completed",
            "action": {"type": "search", "query": "Musée d'Orsay opening hours Thursday"},
        },
        {},
    ),
    (
        "openai_responses",
        {
            "type": "message",
            "id": "msg_demo_1",
            "role": "assistant",
            "status": "completed",
            "content": [
                {
                    "type": "output_text",
                    "text": "Yes: on Thursdays it stays open until 21:45.",
                    "annotations": [],
                }
            ],
        },
        {},
    ),
]

# Stored after DEMO_CONVERSATION. The first is what the SDKs send as a multipart upload
# (store_message with file_field and a FileUpload).
DEMO_FILE_EXCHANGE: list[DemoMessageWithFiles] = [
    (
        "acontext",
        {
            "role": "user",
            "parts": [
                {"type": "text", "text": "I drew the route on a map. Is this right?"},
                {"type": "image", "file_field": "map"},
            ],
        },
        {"source": "mobile"},
        {"map": ("route-map.png", ROUTE_MAP_PNG)},
    ),
    (
        "acontext",
        {
            "role": "assistant",
            "parts": [
                {
                    "type": "text",
                    "text": "Yes: from the tower along the river to the museum. Enjoy the walk!",
                }
            ],
        },
        {},
        {},
    ),
]

DEMO_MESSAGE_COUNT = len(DEMO_CONVERSATION) + len(DEMO_FILE_EXCHANGE)
