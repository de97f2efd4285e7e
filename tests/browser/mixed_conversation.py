"""The mixed conversation the page tests and the browser tests store and look at.

Every hard part of the viewer in one session: an OpenAI system prompt, an inline image, two
parallel tool calls and their results, an Anthropic tool result carrying an image, Anthropic
thinking with its signature, a Gemini model turn, audio and a PDF, and a message written to
attack the page (a script, an onerror handler, a javascript: link).
"""

import base64
import json
import struct
import zlib
from typing import Any

from django.contrib.auth.models import User

from sessions_app import services
from sessions_app.models import Project, Session

# base64 of <script>window.pwned=4</script>
HTML_PAGE = "PHNjcmlwdD53aW5kb3cucHduZWQ9NDwvc2NyaXB0Pg=="
ATTACK_TEXT = (
    '<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> '
    "[click](javascript:alert(1))"
)
PASSWORD = "correct-horse-battery-staple"


def picture_png(width: int = 160, height: int = 96) -> bytes:
    """A real RGB PNG with a colour gradient: big enough to see in a screenshot."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 160)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def gradient_png(size: int = 48) -> str:
    """A small, visibly coloured PNG as base64 (a 1x1 pixel would be invisible in screenshots)."""
    return base64.b64encode(picture_png(size, size)).decode()


PNG = gradient_png()
# 10 ms of silence, 8 kHz mono WAV.
WAV = (
    "UklGRsQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YaAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
)
# A one-page PDF: "Invoice 2024-117: total 42.00 EUR".
PDF = (
    "JVBERi0xLjQKMSAwIG9iago8PCAvVHlwZSAvQ2F0YWxvZyAvUGFnZXMgMiAwIFIgPj4KZW5kb2JqCjIgMCBvYmoKPDwg"
    "L1R5cGUgL1BhZ2VzIC9LaWRzIFszIDAgUl0gL0NvdW50IDEgPj4KZW5kb2JqCjMgMCBvYmoKPDwgL1R5cGUgL1BhZ2Ug"
    "L1BhcmVudCAyIDAgUiAvTWVkaWFCb3ggWzAgMCAyMDAgMTAwXSAvQ29udGVudHMgNCAwIFIgL1Jlc291cmNlcyA8PCAv"
    "Rm9udCA8PCAvRjEgNSAwIFIgPj4gPj4gPj4KZW5kb2JqCjQgMCBvYmoKPDwgL0xlbmd0aCA2MyA+PgpzdHJlYW0KQlQg"
    "L0YxIDEyIFRmIDIwIDUwIFRkIChJbnZvaWNlIDIwMjQtMTE3OiB0b3RhbCA0Mi4wMCBFVVIpIFRqIEVUCmVuZHN0cmVh"
    "bQplbmRvYmoKNSAwIG9iago8PCAvVHlwZSAvRm9udCAvU3VidHlwZSAvVHlwZTEgL0Jhc2VGb250IC9IZWx2ZXRpY2Eg"
    "Pj4KZW5kb2JqCnhyZWYKMCA2CjAwMDAwMDAwMDAgNjU1MzUgZiAKMDAwMDAwMDAwOSAwMDAwMCBuIAowMDAwMDAwMDU4"
    "IDAwMDAwIG4gCjAwMDAwMDAxMTUgMDAwMDAgbiAKMDAwMDAwMDI0MSAwMDAwMCBuIAowMDAwMDAwMzU0IDAwMDAwIG4g"
    "CnRyYWlsZXIKPDwgL1NpemUgNiAvUm9vdCAxIDAgUiA+PgpzdGFydHhyZWYKNDI0CiUlRU9GCg=="
)
SIGNATURE = "EqQBCkYIARgCKkB0aGlua2luZy1zaWduYXR1cmUtZm9yLXRlc3RzLW9ubHk="

# (format, blob, meta) in conversation order.
MIXED_CONVERSATION: list[tuple[str, Any, dict[str, Any]]] = [
    (
        "openai",
        {"role": "system", "content": "You are a careful travel assistant. Answer briefly."},
        {},
    ),
    (
        "openai",
        {
            "role": "user",
            "content": [
                {
                    "type": "text",
                    "text": "Here is my boarding pass colour scheme. Weather and time in Oslo?",
                },
                {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
            ],
        },
        {"client": "web", "trace": "t-1"},
    ),
    (
        "openai",
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_weather_oslo",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                },
                {
                    "id": "call_time_oslo",
                    "type": "function",
                    "function": {"name": "get_time", "arguments": '{"tz": "Europe/Oslo"}'},
                },
            ],
        },
        {},
    ),
    (
        "openai",
        {
            "role": "tool",
            "tool_call_id": "call_weather_oslo",
            "content": '{"temp_c": -3, "sky": "clear"}',
        },
        {},
    ),
    (
        "openai",
        {"role": "tool", "tool_call_id": "call_time_oslo", "content": "14:05"},
        {},
    ),
    (
        "anthropic",
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Clear, -3 °C, 14:05. Let me look at the airport board."},
                {
                    "type": "tool_use",
                    "id": "toolu_board",
                    "name": "screenshot",
                    "input": {"url": "https://avinor.example/osl/departures"},
                },
            ],
        },
        {},
    ),
    (
        "anthropic",
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_board",
                    "content": [
                        {"type": "text", "text": "Captured the departures board."},
                        {
                            "type": "image",
                            "source": {"type": "base64", "media_type": "image/png", "data": PNG},
                        },
                    ],
                },
                {"type": "text", "text": "Is my flight SK4035 on time?"},
            ],
        },
        {"client": "mobile"},
    ),
    (
        "anthropic",
        {
            "role": "assistant",
            "content": [
                {
                    "type": "thinking",
                    "thinking": "The board lists SK4035 at 15:40 with status 'On time'.",
                    "signature": SIGNATURE,
                },
                {"type": "text", "text": "Yes: SK4035 departs 15:40 and is on time."},
            ],
        },
        {},
    ),
    (
        "gemini",
        {"role": "user", "parts": [{"text": "Great. Anything to see near the airport?"}]},
        {},
    ),
    (
        "gemini",
        {
            "role": "model",
            "parts": [{"text": "Gardermoen has a small aviation museum 10 minutes away."}],
        },
        {},
    ),
    (
        "openai",
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Here is a voice note and my invoice."},
                {"type": "input_audio", "input_audio": {"data": WAV, "format": "wav"}},
                {
                    "type": "file",
                    "file": {
                        "filename": "invoice-2024-117.pdf",
                        "file_data": f"data:application/pdf;base64,{PDF}",
                    },
                },
            ],
        },
        {},
    ),
    (
        "openai",
        {"role": "assistant", "content": "The note is silent; the invoice totals 42.00 EUR."},
        {},
    ),
    ("openai", {"role": "user", "content": ATTACK_TEXT}, {"note": "<b>meta is escaped too</b>"}),
    (
        "openai",
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Media that must stay inert:"},
                {"type": "image_url", "image_url": {"url": "javascript:window.pwned=3"}},
                {
                    "type": "file",
                    "file": {
                        "filename": "page.html",
                        "file_data": f"data:text/html;base64,{HTML_PAGE}",
                    },
                },
            ],
        },
        {},
    ),
]


def store_mixed_conversation(project: Project, *, user: str = "traveller-42") -> Session:
    session = services.session_create(project=project, user=user)
    for format, blob, meta in MIXED_CONVERSATION:
        services.message_store(session=session, blob=blob, format=format, meta=meta)
    return session


def member(project: Project, username: str = "alice") -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    project.members.add(user)
    return user


def store_weather_run(session: Session, result_repeats: int = 20) -> None:
    """An agent run for the edit strategies: a question, then three tool calls, each with a
    long result (the city's line ``result_repeats`` times)."""
    services.message_store(
        session=session, blob={"role": "user", "content": "Weather in 3 cities?"}
    )
    for index, city in enumerate(("Paris", "Oslo", "Lima")):
        call = {
            "id": f"call_{index}",
            "type": "function",
            "function": {"name": "weather", "arguments": json.dumps({"city": city})},
        }
        services.message_store(
            session=session, blob={"role": "assistant", "content": None, "tool_calls": [call]}
        )
        services.message_store(
            session=session,
            blob={
                "role": "tool",
                "tool_call_id": f"call_{index}",
                "content": f"{city}: 20C " * result_repeats,
            },
        )
