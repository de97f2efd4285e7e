"""Small real files for upload tests, each what its extension says byte for byte, and how
the tests store one."""

import hashlib
import struct

from django.core.files.uploadedfile import SimpleUploadedFile

from sessions_app import services
from sessions_app.models import Asset, Session

# A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc0f01f0005000201e2f4a9a30000000049454e44ae426082"
)

# A one-page PDF with "Hello" on it.
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 40>>stream\nBT /F1 24 Tf 20 40 Td (Hello) Tj ET\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def wav(samples: int = 800, rate: int = 8000) -> bytes:
    """Mono 16-bit PCM silence, ``samples`` long (100 ms at the default rate)."""
    data = b"\x00\x00" * samples
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


WAV = wav()

TEXT = b"name,score\nada,3\n"


def store_file(session: Session, name: str, data: bytes) -> None:
    """One user message holding the file, uploaded as the SDKs send it."""
    services.message_store(
        session=session,
        blob={"role": "user", "parts": [{"type": "file", "file_field": "f"}]},
        format="acontext",
        uploads={"f": SimpleUploadedFile(name, data)},
    )


def asset_of(data: bytes) -> Asset:
    return Asset.objects.get(sha256=hashlib.sha256(data).hexdigest())
