"""File uploads through the official npm SDK (@acontext/acontext 0.0.16) against a live server.

``storeMessage(sessionId, blob, {format: 'acontext', fileField, file})`` sends a multipart
form: ``payload`` (the JSON) and the SDK's ``FileUpload`` under ``fileField``, which a part of
the blob names with ``file_field``. The server sniffs the type from the bytes, stores the file
under its content address and gives the part an ``asset`` record and the file's ``filename``.
Read back, format acontext keeps the records and adds ``public_urls`` (signed links served
without a key); the providers' formats get the files as their own media parts, inline.

Every expected asset record is computed here from the bytes (sha256, MD5 etag, size, the
sniffed type, the key ``assets/<project>/<yyyy>/<mm>/<dd>/<sha256><ext>`` of today's UTC
date). Each test runs its SDK calls in one Node process.
"""

import base64
import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings

from sessions_app import assets
from sessions_app.models import Asset, Message, MessageAsset, Project, Session, iso8601
from tests.conversion import rules, strict_types
from tests.sessions_app.asset_samples import PDF, PNG, WAV

from .npm_sdk import JSON, call, file_upload, run_npm_sdk

pytestmark = pytest.mark.django_db(transaction=True)


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode("ascii")


def asset_record(project: Project, content: bytes, mime: str, extension: str, day: date) -> JSON:
    """The SDK's ``Asset`` of a file stored on ``day`` (UTC), computed from its bytes."""
    sha256 = hashlib.sha256(content).hexdigest()
    return {
        "bucket": "filesystem",
        "s3_key": f"assets/{project.id}/{day:%Y/%m/%d}/{sha256}{extension}",
        "etag": hashlib.md5(content, usedforsecurity=False).hexdigest(),
        "sha256": sha256,
        "mime": mime,
        "size_b": len(content),
    }


def message_json(message: Message, parts: list[JSON]) -> JSON:
    """A stored message as the SDK's MessageSchema parses it, with the parts expected."""
    return {
        "id": str(message.id),
        "session_id": str(message.session_id),
        "parent_id": None,
        "role": message.canonical["role"],
        "meta": {},
        "parts": parts,
        "task_id": None,
        "session_task_process_status": "disable_tracking",
        "created_at": iso8601(message.created_at),
        "updated_at": iso8601(message.updated_at),
    }


def stored_files(root: Path) -> list[str]:
    """The files under the asset storage's root, as keys relative to it."""
    if not root.exists():
        return []
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


def text(value: str) -> JSON:
    return {"type": "text", "text": value}


def store(session: Session, blob: JSON, field: str | None = None, upload: Any = None) -> JSON:
    options: JSON = {"format": "acontext"}
    if field is not None:
        options |= {"fileField": field, "file": upload}
    return call("storeMessage", str(session.id), blob, options)


# A conversation with a file in each user turn ----------------------------------------------

PICTURE_QUESTION = "What is in this picture?"
PICTURE_ANSWER = "A single transparent pixel."
DOCUMENT_QUESTION = "What does this document say?"
DOCUMENT_ANSWER = "It says Hello."
AUDIO_QUESTION = "Transcribe this recording."
FORMATS = ("acontext", "openai", "anthropic", "gemini")


def conversation_calls(session: Session) -> list[JSON]:
    """Five stores: the PNG in a generic ``file`` part (the SDK's ``fileFieldPart``), the PDF
    without a content type (the SDK sends application/octet-stream), the WAV in an ``audio``
    part declared as audio/x-wav; the type stored is the sniffed one each time."""
    return [
        store(
            session,
            {
                "role": "user",
                "parts": [text(PICTURE_QUESTION), {"type": "file", "file_field": "pic"}],
            },
            "pic",
            file_upload("dot.png", PNG, "image/png"),
        ),
        store(session, {"role": "assistant", "parts": [text(PICTURE_ANSWER)]}),
        store(
            session,
            {
                "role": "user",
                "parts": [text(DOCUMENT_QUESTION), {"type": "file", "file_field": "doc"}],
            },
            "doc",
            file_upload("hello.pdf", PDF),
        ),
        store(session, {"role": "assistant", "parts": [text(DOCUMENT_ANSWER)]}),
        store(
            session,
            {
                "role": "user",
                "parts": [text(AUDIO_QUESTION), {"type": "audio", "file_field": "rec"}],
            },
            "rec",
            file_upload("silence.wav", WAV, "audio/x-wav"),
        ),
    ]


@dataclass(frozen=True)
class Uploaded:
    """The conversation stored through the SDK and read back in every format."""

    stored: list[JSON]  # storeMessage's results
    reads: dict[str, JSON]  # getMessages's result by format
    messages: list[Message]
    records: dict[str, JSON]  # the expected asset record of each file, by its name
    read_from: float  # Unix time, before and after the Node run
    read_until: float


@pytest.fixture
def uploaded(npm, project, session) -> Uploaded:
    day = datetime.now(UTC).date()
    read_from = time.time()
    outcomes = npm(
        [
            *conversation_calls(session),
            # Without timeDesc the SDK sends time_desc=true: the items stay in conversation order.
            *(call("getMessages", str(session.id), {"format": name}) for name in FORMATS),
        ]
    )
    read_until = time.time()
    return Uploaded(
        stored=outcomes[:5],
        reads=dict(zip(FORMATS, outcomes[5:], strict=True)),
        messages=list(Message.objects.order_by("seq")),
        records={
            "dot.png": asset_record(project, PNG, "image/png", ".png", day),
            "hello.pdf": asset_record(project, PDF, "application/pdf", ".pdf", day),
            "silence.wav": asset_record(project, WAV, "audio/wav", ".wav", day),
        },
        read_from=read_from,
        read_until=read_until,
    )


def expected_parts(uploaded: Uploaded) -> list[list[JSON]]:
    """Each stored message's parts: a file part keeps its type and gets the asset record and
    the uploaded file's name in place of its file_field."""
    records = uploaded.records
    return [
        [
            text(PICTURE_QUESTION),
            {"type": "file", "asset": records["dot.png"], "filename": "dot.png"},
        ],
        [text(PICTURE_ANSWER)],
        [
            text(DOCUMENT_QUESTION),
            {"type": "file", "asset": records["hello.pdf"], "filename": "hello.pdf"},
        ],
        [text(DOCUMENT_ANSWER)],
        [
            text(AUDIO_QUESTION),
            {"type": "audio", "asset": records["silence.wav"], "filename": "silence.wav"},
        ],
    ]


def test_files_stored_through_the_sdk_read_back_as_acontext_and_downloaded(
    uploaded, asset_storage, live_server
):
    parts = expected_parts(uploaded)
    records = uploaded.records
    ids = [str(message.id) for message in uploaded.messages]

    assert uploaded.stored == [
        message_json(message, message_parts)
        for message, message_parts in zip(uploaded.messages, parts, strict=True)
    ]
    assert [message.canonical["parts"] for message in uploaded.messages] == parts
    # The SDK sends its AcontextMessage.toJSON(): every optional field, as null.
    assert uploaded.messages[0].raw == {
        "role": "user",
        "parts": [
            {"type": "text", "text": PICTURE_QUESTION, "meta": None, "file_field": None},
            {"type": "file", "text": None, "meta": None, "file_field": "pic"},
        ],
        "meta": None,
    }
    # Each file is stored once, at its key, byte for byte, and linked to its message.
    assert stored_files(asset_storage) == sorted(record["s3_key"] for record in records.values())
    for content, name in ((PNG, "dot.png"), (PDF, "hello.pdf"), (WAV, "silence.wav")):
        assert (asset_storage / records[name]["s3_key"]).read_bytes() == content
    assert sorted(MessageAsset.objects.values_list("message__seq", "asset__sha256")) == sorted(
        (uploaded.messages[index].seq, records[name]["sha256"])
        for index, name in ((0, "dot.png"), (2, "hello.pdf"), (4, "silence.wav"))
    )

    # Read back: items are z.unknown() in GetMessagesOutputSchema, the server's JSON as it is.
    read = uploaded.reads["acontext"]
    assert {key: value for key, value in read.items() if key != "public_urls"} == {
        "items": uploaded.stored,
        "ids": ids,
        "next_cursor": None,
        "has_more": False,
    }
    urls = read["public_urls"]
    assert list(urls) == [
        records[name]["sha256"] for name in ("dot.png", "hello.pdf", "silence.wav")
    ]
    # Every link of one read expires at the same second, ACONTEXT_ASSET_LINK_SECONDS after
    # the read.
    (expire_at,) = {link["expire_at"] for link in urls.values()}
    expires = datetime.fromisoformat(expire_at)
    assert expire_at == iso8601(expires)
    lifetime = settings.ACONTEXT_ASSET_LINK_SECONDS
    assert int(uploaded.read_from) + lifetime <= expires.timestamp()
    assert expires.timestamp() <= int(uploaded.read_until) + lifetime
    # A link opens its asset, under the name it was uploaded as.
    prefix = f"{live_server.url}/api/v1/material/"
    for name, record in records.items():
        url = urls[record["sha256"]]["url"]
        assert url.startswith(prefix)
        material = assets.material_of_token(url.removeprefix(prefix))
        assert material is not None
        assert (material.asset.sha256, material.filename) == (record["sha256"], name)

    # Downloaded over plain HTTP, without a key (the signed token is the permission): the
    # bytes, the sniffed type, never sniffed again by the browser, and the file's name.
    # Images and audio show in the browser; anything else downloads.
    downloads = {}
    for name, record in records.items():
        response = httpx.get(urls[record["sha256"]]["url"])
        assert response.status_code == 200, response.text
        downloads[name] = (
            response.content,
            response.headers["Content-Type"],
            response.headers["X-Content-Type-Options"],
            response.headers["Content-Disposition"],
        )
    assert downloads == {
        "dot.png": (PNG, "image/png", "nosniff", 'inline; filename="dot.png"'),
        "hello.pdf": (PDF, "application/pdf", "nosniff", 'attachment; filename="hello.pdf"'),
        "silence.wav": (WAV, "audio/wav", "nosniff", 'inline; filename="silence.wav"'),
    }


# The providers' formats --------------------------------------------------------------------
# Every file is given inline: each is far below ACONTEXT_ASSET_INLINE_MAX_BYTES.

# https://platform.openai.com/docs/guides/images-vision (a base64 data URL),
# .../pdf-files (file_data with filename) and .../audio (input_audio: raw base64, its format).
OPENAI_ITEMS: list[JSON] = [
    {
        "role": "user",
        "content": [
            text(PICTURE_QUESTION),
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{b64(PNG)}"}},
        ],
    },
    {"role": "assistant", "content": PICTURE_ANSWER},
    {
        "role": "user",
        "content": [
            text(DOCUMENT_QUESTION),
            {
                "type": "file",
                "file": {
                    "file_data": f"data:application/pdf;base64,{b64(PDF)}",
                    "filename": "hello.pdf",
                },
            },
        ],
    },
    {"role": "assistant", "content": DOCUMENT_ANSWER},
    {
        "role": "user",
        "content": [
            text(AUDIO_QUESTION),
            {"type": "input_audio", "input_audio": {"data": b64(WAV), "format": "wav"}},
        ],
    },
]

# https://docs.anthropic.com/en/docs/build-with-claude/vision (a base64 image source) and
# .../pdf-support (a base64 document; its title names it). The Messages API takes no audio:
# the recording is left out and its question stays.
ANTHROPIC_ITEMS: list[JSON] = [
    {
        "role": "user",
        "content": [
            text(PICTURE_QUESTION),
            {
                "type": "image",
                "source": {"type": "base64", "media_type": "image/png", "data": b64(PNG)},
            },
        ],
    },
    {"role": "assistant", "content": [text(PICTURE_ANSWER)]},
    {
        "role": "user",
        "content": [
            text(DOCUMENT_QUESTION),
            {
                "type": "document",
                "source": {"type": "base64", "media_type": "application/pdf", "data": b64(PDF)},
                "title": "hello.pdf",
            },
        ],
    },
    {"role": "assistant", "content": [text(DOCUMENT_ANSWER)]},
    {"role": "user", "content": [text(AUDIO_QUESTION)]},
]


def inline(mime: str, content: bytes) -> JSON:
    return {"inlineData": {"mimeType": mime, "data": b64(content)}}


# https://ai.google.dev/gemini-api/docs/image-understanding, .../document-processing and
# .../audio: inlineData with the file's mimeType and its base64 data.
GEMINI_ITEMS: list[JSON] = [
    {"role": "user", "parts": [{"text": PICTURE_QUESTION}, inline("image/png", PNG)]},
    {"role": "model", "parts": [{"text": PICTURE_ANSWER}]},
    {"role": "user", "parts": [{"text": DOCUMENT_QUESTION}, inline("application/pdf", PDF)]},
    {"role": "model", "parts": [{"text": DOCUMENT_ANSWER}]},
    {"role": "user", "parts": [{"text": AUDIO_QUESTION}, inline("audio/wav", WAV)]},
]


def assert_valid_request(target: str, items: list[Any]) -> None:
    """``items`` pass the provider SDK's request types in strict mode and the cross-message
    rules of its API (no system prompt here)."""
    if target == "openai":
        strict_types.validate_openai_messages(items)
        rules.check_openai_rules(items)
    elif target == "anthropic":
        strict_types.validate_anthropic_messages(items, None)
        rules.check_anthropic_rules(items, None)
    else:
        strict_types.validate_gemini_contents(items, None)
        rules.check_gemini_rules(items, None)


def test_the_providers_formats_give_the_files_as_media_parts(
    uploaded, live_server, issued_key, session
):
    ids = [str(message.id) for message in uploaded.messages]
    expected: dict[str, list[JSON]] = {
        "openai": OPENAI_ITEMS,
        "anthropic": ANTHROPIC_ITEMS,
        "gemini": GEMINI_ITEMS,
    }

    for target, items in expected.items():
        assert uploaded.reads[target] == {
            "items": items,
            "ids": ids,
            "next_cursor": None,
            "has_more": False,
        }, target
        assert_valid_request(target, items)

    # The SDK drops the warnings; the raw answer says what Anthropic's format left out.
    response = httpx.get(
        f"{live_server.url}/api/v1/session/{session.id}/messages",
        params={"format": "anthropic"},
        headers={"Authorization": f"Bearer {issued_key.secret}"},
    )
    assert response.json()["data"]["warnings"] == [
        {
            "message_id": ids[0],
            "part_index": 1,
            "code": "provider_data_dropped",
            "detail": "left out: the file name 'dot.png'",
        },
        {
            "message_id": ids[4],
            "part_index": 1,
            "code": "media_unsupported",
            "detail": "left out: Anthropic messages hold no audio",
        },
    ]


# Storing -----------------------------------------------------------------------------------


def test_the_same_bytes_twice_are_one_stored_file(npm, project, session, asset_storage):
    day = datetime.now(UTC).date()
    question = {"role": "user", "parts": [text("Again:"), {"type": "file", "file_field": "pic"}]}

    first, second, read = npm(
        [
            store(session, question, "pic", file_upload("dot.png", PNG, "image/png")),
            store(session, question, "pic", file_upload("copy of dot.png", PNG, "image/png")),
            call("getMessages", str(session.id), {"format": "acontext"}),
        ]
    )

    record = asset_record(project, PNG, "image/png", ".png", day)
    # Each part keeps the name its file was uploaded as; both name the one stored file.
    assert [first["parts"][1], second["parts"][1]] == [
        {"type": "file", "asset": record, "filename": "dot.png"},
        {"type": "file", "asset": record, "filename": "copy of dot.png"},
    ]
    assert stored_files(asset_storage) == [record["s3_key"]]
    assert (asset_storage / record["s3_key"]).read_bytes() == PNG
    assert list(Asset.objects.values_list("sha256", "key")) == [
        (record["sha256"], record["s3_key"])
    ]
    assert MessageAsset.objects.count() == 2
    assert list(read["public_urls"]) == [record["sha256"]]


def test_a_file_field_that_names_no_uploaded_file_is_a_400_and_stores_nothing(
    live_server, issued_key, session, asset_storage
):
    photo = file_upload("dot.png", PNG, "image/png")
    calls = [
        # The part names "photo"; the file is sent as "pic".
        store(
            session,
            {"role": "user", "parts": [{"type": "file", "file_field": "photo"}]},
            "pic",
            photo,
        ),
        # No file at all: the SDK sends JSON.
        store(session, {"role": "user", "parts": [{"type": "file", "file_field": "photo"}]}),
        # A file that no part names.
        store(session, {"role": "user", "parts": [text("Hi")]}, "pic", photo),
    ]

    outcomes = run_npm_sdk(f"{live_server.url}/api/v1", issued_key.secret, calls)

    def bad_request(message: str) -> JSON:
        return {"error": {"name": "APIError", "message": message, "status": 400}}

    assert outcomes == [
        bad_request("blob.parts[0].file_field: no file was uploaded as 'photo'"),
        bad_request(
            "blob.parts[0].file_field: names an uploaded file, but this request has no files:"
            " send the payload and the file as multipart/form-data"
        ),
        bad_request("pic: is an uploaded file that no part's file_field names"),
    ]
    assert (Message.objects.count(), Asset.objects.count()) == (0, 0)
    assert stored_files(asset_storage) == []
