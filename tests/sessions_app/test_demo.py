"""The demo a first run loads (`make run`: load_demo): it works offline and shows conversion
warnings in every provider format."""

import base64
import re
import struct
import wave
import zlib
from io import BytesIO, StringIO
from typing import Any

import pytest
from django.core.management import call_command

from sessions_app import services
from sessions_app.demo import (
    CHIME_WAV,
    DEMO_CONVERSATION,
    DEMO_FILE_EXCHANGE,
    DEMO_SESSION_ID,
    ROUTE_MAP_PNG,
    TOWER_PNG,
)
from sessions_app.models import Message, Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_session() -> Session:
    call_command("load_demo", stdout=StringIO())
    return Session.objects.get(pk=DEMO_SESSION_ID)


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in strings(item)]
    return []


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        # The Anthropic thinking block (index 0 of the 7th message): its signature is valid
        # only at Anthropic; so is the OpenAI reasoning (11th) at OpenAI, and the web search
        # call (12th) is OpenAI's own. The uploaded map's file name: OpenAI's image part has
        # no name.
        (
            "openai",
            [
                (6, 0, "thinking_dropped"),
                (10, 0, "thinking_dropped"),
                (11, 0, "unsupported_part"),
                (13, 1, "provider_data_dropped"),
            ],
        ),
        # The Gemini voice note: Anthropic takes no audio. Nor has its image part a name.
        (
            "anthropic",
            [
                (7, 1, "media_unsupported"),
                (10, 0, "thinking_dropped"),
                (11, 0, "unsupported_part"),
                (13, 1, "provider_data_dropped"),
            ],
        ),
        (
            "gemini",
            [
                (6, 0, "thinking_dropped"),
                (10, 0, "thinking_dropped"),
                (11, 0, "unsupported_part"),
                (13, 1, "provider_data_dropped"),
            ],
        ),
        # The Responses API takes no audio either.
        (
            "openai_responses",
            [
                (6, 0, "thinking_dropped"),
                (7, 1, "media_unsupported"),
                (13, 1, "provider_data_dropped"),
            ],
        ),
        # The stored canonical form itself: nothing to lose.
        ("acontext", []),
    ],
)
def test_the_demo_shows_warnings_in_every_provider_format(demo_session, target, expected):
    read = services.session_messages_converted(
        session=demo_session, target_format=target, limit=None
    )

    positions = {
        str(message_id): position
        for position, message_id in enumerate(
            Message.objects.filter(session=demo_session)
            .order_by("seq")
            .values_list("id", flat=True)
        )
    }
    assert [
        (positions[warning.message_id], warning.part_index, warning.code)
        for warning in read.warnings
    ] == expected


@pytest.mark.parametrize(
    ("target", "inline"),
    [
        ("openai", [TOWER_PNG, CHIME_WAV, ROUTE_MAP_PNG]),
        ("anthropic", [TOWER_PNG, ROUTE_MAP_PNG]),  # no audio (the warning above)
        ("gemini", [TOWER_PNG, CHIME_WAV, ROUTE_MAP_PNG]),
        ("acontext", [TOWER_PNG, CHIME_WAV]),  # the upload stays an asset part
        ("openai_responses", [TOWER_PNG, ROUTE_MAP_PNG]),  # no audio either
    ],
)
def test_the_demo_reads_offline(demo_session, target, inline):
    """Its media travel inline (base64) in every format, never as a URL to fetch."""
    read = services.session_messages_converted(
        session=demo_session, target_format=target, limit=None
    )

    texts = strings([read.items, read.system])
    assert [text for text in texts if "http:" in text or "https:" in text] == []
    in_base64 = [
        base64.b64encode(media).decode() for media in (TOWER_PNG, CHIME_WAV, ROUTE_MAP_PNG)
    ]
    assert [encoded for encoded in in_base64 if any(encoded in text for text in texts)] == [
        base64.b64encode(media).decode() for media in inline
    ]


def test_the_stored_demo_holds_no_url():
    stored = [blob for _format, blob, _meta in DEMO_CONVERSATION] + [
        blob for _format, blob, _meta, _files in DEMO_FILE_EXCHANGE
    ]
    assert [text for text in strings(stored) if "://" in text] == []


def png_pixels(png: bytes) -> tuple[int, int, bytes]:
    """Width, height and the decompressed rows of a one-IDAT RGB PNG, its CRCs checked."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, {}
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        data = png[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", png[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + data)
        chunks[kind] = data
        position += 12 + length
    assert list(chunks) == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, color = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, color) == (8, 2)
    return width, height, zlib.decompress(chunks[b"IDAT"])


@pytest.mark.parametrize("png", [TOWER_PNG, ROUTE_MAP_PNG])
def test_the_demo_pictures_are_whole_pngs(png):
    width, height, rows = png_pixels(png)

    assert (width, height) == (96, 72)
    assert len(rows) == height * (1 + 3 * width)
    assert len(png) < 1024  # small enough to travel inline anywhere


def test_the_demo_voice_note_is_a_wav_that_plays():
    with wave.open(BytesIO(CHIME_WAV)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 2, 8000)
        assert audio.getnframes() == 2000  # two notes of 1/8 s


@pytest.mark.parametrize(
    ("target", "codes"),
    [
        # The OpenAI reasoning and web search call make no message elsewhere: their warnings
        # open the page, before those of the messages shown.
        (
            "openai",
            ["thinking_dropped", "unsupported_part", "thinking_dropped", "provider_data_dropped"],
        ),
        (
            "anthropic",
            ["thinking_dropped", "unsupported_part", "media_unsupported", "provider_data_dropped"],
        ),
        (
            "gemini",
            ["thinking_dropped", "unsupported_part", "thinking_dropped", "provider_data_dropped"],
        ),
        ("acontext", []),
        ("openai_responses", ["thinking_dropped", "media_unsupported", "provider_data_dropped"]),
    ],
)
def test_the_demo_login_sees_the_warnings_on_the_conversation_page(client, target, codes):
    printed = StringIO()
    call_command("load_demo", stdout=printed)
    password = printed.getvalue().splitlines()[1].removeprefix("Demo login:     demo / ")
    assert client.login(username="demo", password=password)

    response = client.get(f"/sessions/{DEMO_SESSION_ID}/", {"format": target})

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'class="warning" data-code="([a-z_]+)"', html) == codes
    # Media come inline or from this server (the uploaded map), never from elsewhere.
    assert re.findall(r'(?:src|href)="(https?://(?!testserver/)[^"]*)"', html) == []
