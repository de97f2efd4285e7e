"""Uploaded files: the SDKs' multipart store, content-addressed storage, expiring links,
conversion into every format, and the copy/delete lifecycle."""

import base64
import hashlib
import json
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from acontext import AcontextClient, FileUpload
from acontext.errors import APIError
from acontext.messages import MessagePart, build_acontext_message
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from sessions_app import assets, services
from sessions_app.models import Asset, Message, MessageAsset, Project, Session
from tests.conversion import rules, strict_types
from tests.sessions_app.asset_samples import PDF, PNG, TEXT, WAV

JSON = dict[str, Any]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def record(project: Project, data: bytes, mime: str, extension: str) -> JSON:
    """The asset record the server must give these bytes (uploaded today)."""
    sha256 = hashlib.sha256(data).hexdigest()
    day = timezone.now()
    return {
        "bucket": "filesystem",
        "s3_key": f"assets/{project.id}/{day:%Y/%m/%d}/{sha256}{extension}",
        "etag": hashlib.md5(data, usedforsecurity=False).hexdigest(),
        "sha256": sha256,
        "mime": mime,
        "size_b": len(data),
    }


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def post_files(api: Any, session: Session, payload: Any, files: dict[str, Any]) -> Any:
    data = {"payload": payload if isinstance(payload, str) else json.dumps(payload), **files}
    return api.post(f"/api/v1/session/{session.id}/messages", data=data, format="multipart")


def upload_message(parts: list[JSON], role: str = "user") -> JSON:
    return {"format": "acontext", "blob": {"role": role, "parts": parts}}


def store(session: Session, kind: str, name: str, data: bytes) -> Message:
    return services.message_store(
        session=session,
        blob={"role": "user", "parts": [{"type": kind, "file_field": "f"}]},
        format="acontext",
        uploads={"f": SimpleUploadedFile(name, data)},
    )


def assert_nothing_stored(session: Session, root: Path) -> None:
    assert Message.objects.filter(session=session).count() == 0
    assert Asset.objects.count() == 0
    assert stored_files(root) == []


# The official Python SDK -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_python_sdk_stores_files_and_reads_them_in_every_format(
    sdk: AcontextClient, live_server: Any, session: Session, project: Project, asset_storage: Path
) -> None:
    sid = str(session.id)
    uploads = [
        ("image", "dot.png", PNG, "image/png", ".png"),
        ("file", "report.pdf", PDF, "application/pdf", ".pdf"),
        ("audio", "clip.wav", WAV, "audio/wav", ".wav"),
    ]
    stored = []
    for kind, name, data, _, _ in uploads:
        stored.append(
            sdk.sessions.store_message(
                sid,
                blob=build_acontext_message(
                    role="user", parts=[MessagePart(type=kind, file_field="upload")]
                ),
                format="acontext",
                file_field="upload",
                # The SDK's default content type: the server reads the bytes, not the label.
                file=FileUpload(filename=name, content=data),
            )
        )
    records = [record(project, data, mime, extension) for _, _, data, mime, extension in uploads]
    assert [message.model_dump()["parts"] for message in stored] == [
        [{"type": kind, "text": None, "asset": asset, "filename": name, "meta": None}]
        for (kind, name, *_), asset in zip(uploads, records, strict=True)
    ]
    assert [
        path.relative_to(asset_storage).as_posix() for path in stored_files(asset_storage)
    ] == sorted(asset["s3_key"] for asset in records)

    page = sdk.sessions.get_messages(sid, format="acontext")
    assert [item["parts"] for item in page.items] == [
        [{"type": kind, "asset": asset, "filename": name}]
        for (kind, name, *_), asset in zip(uploads, records, strict=True)
    ]
    assert page.public_urls is not None
    assert sorted(page.public_urls) == sorted(asset["sha256"] for asset in records)
    for (_, name, data, mime, _), asset in zip(uploads, records, strict=True):
        link = page.public_urls[asset["sha256"]]
        assert link.url.startswith(f"{live_server.url}/api/v1/material/")
        downloaded = httpx.get(link.url)
        assert downloaded.status_code == 200
        assert downloaded.content == data
        assert downloaded.headers["content-type"] == mime
        assert downloaded.headers["x-content-type-options"] == "nosniff"
        disposition = "attachment" if mime == "application/pdf" else "inline"
        assert downloaded.headers["content-disposition"] == f'{disposition}; filename="{name}"'

    openai = sdk.sessions.get_messages(sid, format="openai").items
    assert openai == [
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{b64(PNG)}"}}
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "file",
                    "file": {
                        "file_data": f"data:application/pdf;base64,{b64(PDF)}",
                        "filename": "report.pdf",
                    },
                }
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "input_audio", "input_audio": {"data": b64(WAV), "format": "wav"}}
            ],
        },
    ]
    strict_types.validate_openai_messages(openai)
    rules.check_openai_rules(openai)

    anthropic = sdk.sessions.get_messages(sid, format="anthropic").items
    assert anthropic == [
        {
            "role": "user",
            "content": [
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": b64(PNG)},
                },
                {
                    "type": "document",
                    "source": {"type": "base64", "media_type": "application/pdf", "data": b64(PDF)},
                    "title": "report.pdf",
                },
            ],
        }
    ]
    strict_types.validate_anthropic_messages(anthropic, None)
    rules.check_anthropic_rules(anthropic, None)

    gemini = sdk.sessions.get_messages(sid, format="gemini").items
    assert gemini == [
        {
            "role": "user",
            "parts": [
                {"inlineData": {"mimeType": "image/png", "data": b64(PNG)}},
                {"inlineData": {"mimeType": "application/pdf", "data": b64(PDF)}},
                {"inlineData": {"mimeType": "audio/wav", "data": b64(WAV)}},
            ],
        }
    ]
    strict_types.validate_gemini_contents(gemini, None)
    rules.check_gemini_rules(gemini, None)


# Storing ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_identical_content_is_stored_once_per_project(
    api: Any, session: Session, project: Project, other_project: Project, asset_storage: Path
) -> None:
    first = post_files(
        api,
        session,
        upload_message([{"type": "image", "file_field": "a"}]),
        {"a": SimpleUploadedFile("a.png", PNG)},
    )
    second = post_files(
        api,
        session,
        upload_message([{"type": "file", "file_field": "b"}]),
        {"b": SimpleUploadedFile("b.png", PNG)},
    )
    elsewhere = services.session_create(project=other_project)
    foreign = store(elsewhere, "image", "c.png", PNG)

    expected = record(project, PNG, "image/png", ".png")
    assert first.json()["data"]["parts"] == [
        {"type": "image", "asset": expected, "filename": "a.png"}
    ]
    assert second.json()["data"]["parts"] == [
        {"type": "file", "asset": expected, "filename": "b.png"}
    ]
    assert foreign.canonical["parts"][0]["asset"] == record(other_project, PNG, "image/png", ".png")
    assert Asset.objects.filter(project=project).count() == 1
    assert MessageAsset.objects.filter(asset__project=project).count() == 2
    assert [
        path.relative_to(asset_storage).as_posix() for path in stored_files(asset_storage)
    ] == sorted([expected["s3_key"], record(other_project, PNG, "image/png", ".png")["s3_key"]])


@pytest.mark.django_db
def test_a_message_holds_several_files_next_to_text(
    api: Any, session: Session, project: Project
) -> None:
    response = post_files(
        api,
        session,
        upload_message(
            [
                {"type": "text", "text": "both attached"},
                {"type": "file", "file_field": "doc", "meta": {"note": "kept"}},
                {"type": "audio", "file_field": "voice"},
            ]
        ),
        {
            "doc": SimpleUploadedFile("notes.csv", TEXT, "text/csv"),
            "voice": SimpleUploadedFile("v.wav", WAV),
        },
    )

    assert response.status_code == 201
    assert response.json()["data"]["parts"] == [
        {"type": "text", "text": "both attached"},
        {
            "type": "file",
            "asset": record(project, TEXT, "text/csv", ".csv"),
            "filename": "notes.csv",
            "meta": {"note": "kept"},
        },
        {"type": "audio", "asset": record(project, WAV, "audio/wav", ".wav"), "filename": "v.wav"},
    ]
    message = Message.objects.get(session=session)
    # The blob as it was sent; the canonical parts carry the assets.
    assert message.raw == {
        "role": "user",
        "parts": [
            {"type": "text", "text": "both attached"},
            {"type": "file", "file_field": "doc", "meta": {"note": "kept"}},
            {"type": "audio", "file_field": "voice"},
        ],
    }
    assert sorted(asset.sha256 for asset in message.assets.all()) == sorted(
        hashlib.sha256(data).hexdigest() for data in (TEXT, WAV)
    )


@pytest.mark.parametrize(
    ("head", "declared", "expected"),
    [
        (PNG, "text/plain", "image/png"),
        (PDF, "image/png", "application/pdf"),
        (WAV, None, "audio/wav"),
        (b"GIF89a" + bytes(20), None, "image/gif"),
        (TEXT, "text/csv; charset=utf-8", "text/csv"),
        (b'{"a": 1}', "application/json", "application/json"),
        (TEXT, "image/png", "text/plain"),
        (TEXT, None, "text/plain"),
        ("héllo wörld".encode()[:-1], None, "text/plain"),  # cut inside a character
        (b"\x00\x01\x02binary", "text/plain", "application/octet-stream"),
        (b"", "image/png", "application/octet-stream"),
    ],
)
def test_the_type_is_read_from_the_bytes(head: bytes, declared: str | None, expected: str) -> None:
    assert assets.sniff_media_type(head, declared) == expected


# Refusals: a clear error, nothing stored ------------------------------------------------------


def error(status: int, msg: str, code: str) -> JSON:
    return {"code": status, "msg": msg, "error": code}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "files", "msg", "code"),
    [
        (
            upload_message([{"type": "image", "file_field": "photo"}]),
            {"other": SimpleUploadedFile("x.png", PNG)},
            "blob.parts[0].file_field: no file was uploaded as 'photo'",
            "invalid_message",
        ),
        (
            upload_message([{"type": "image", "file_field": "photo"}]),
            {"photo": SimpleUploadedFile("x.png", PNG), "extra": SimpleUploadedFile("y.png", PDF)},
            "extra: is an uploaded file that no part's file_field names",
            "invalid_message",
        ),
        (
            {"format": "openai", "blob": {"role": "user", "content": "hi"}},
            {"photo": SimpleUploadedFile("x.png", PNG)},
            "photo: is an uploaded file that no part's file_field names",
            "invalid_message",
        ),
        (
            upload_message([{"type": "image", "file_field": "photo"}]),
            {"photo": SimpleUploadedFile("x.pdf", PDF)},
            "blob.parts[0].type: is 'image', but the file is application/pdf",
            "invalid_message",
        ),
        (
            upload_message([{"type": "text", "text": "x", "file_field": "photo"}]),
            {"photo": SimpleUploadedFile("x.png", PNG)},
            "blob.parts[0].file_field: only image, audio, video and file parts carry a file",
            "invalid_message",
        ),
        (
            upload_message(
                [
                    {
                        "type": "tool-result",
                        "meta": {
                            "tool_call_id": "c",
                            "content": [{"type": "image", "file_field": "photo"}],
                        },
                    }
                ]
            ),
            {"photo": SimpleUploadedFile("x.png", PNG)},
            "blob.parts[0].meta.content[0].file_field:"
            " only a top-level part of a message carries a file",
            "invalid_message",
        ),
        (
            upload_message(
                [{"type": "image", "asset": {"sha256": "0" * 64, "s3_key": "assets/x"}}]
            ),
            {},
            "blob.parts[0].asset:"
            " names no file stored in this project (upload it with file_field instead)",
            "invalid_message",
        ),
        (
            "{not json",
            {"photo": SimpleUploadedFile("x.png", PNG)},
            "malformed payload:"
            " unexpected character, expected a string key: line 1 column 2 (char 1)",
            "parse_error",
        ),
    ],
    ids=[
        "missing-file",
        "unnamed-file",
        "file-with-openai",
        "kind-mismatch",
        "text-part",
        "nested",
        "unknown-asset",
        "bad-json",
    ],
)
def test_a_bad_upload_is_refused_and_stores_nothing(
    api: Any,
    session: Session,
    asset_storage: Path,
    payload: Any,
    files: dict[str, Any],
    msg: str,
    code: str,
) -> None:
    response = post_files(api, session, payload, files)

    assert (response.status_code, response.json()) == (400, error(400, msg, code))
    assert_nothing_stored(session, asset_storage)


@pytest.mark.django_db
def test_a_file_field_in_a_json_request_is_refused(
    api: Any, session: Session, asset_storage: Path
) -> None:
    response = api.post(
        f"/api/v1/session/{session.id}/messages",
        upload_message([{"type": "image", "file_field": "photo"}]),
        format="json",
    )

    assert (response.status_code, response.json()) == (
        400,
        error(
            400,
            "blob.parts[0].file_field: names an uploaded file, but this request has no files:"
            " send the payload and the file as multipart/form-data",
            "invalid_message",
        ),
    )
    assert_nothing_stored(session, asset_storage)


@pytest.mark.django_db
def test_a_form_without_payload_is_refused(api: Any, session: Session, asset_storage: Path) -> None:
    response = api.post(
        f"/api/v1/session/{session.id}/messages",
        {"photo": SimpleUploadedFile("x.png", PNG)},
        format="multipart",
    )

    assert (response.status_code, response.json()) == (
        400,
        error(
            400,
            "payload: is required: the message's JSON ({blob, format, meta}) as text",
            "invalid_request",
        ),
    )
    assert_nothing_stored(session, asset_storage)


@pytest.mark.django_db
@override_settings(ACONTEXT_ASSET_MAX_BYTES=1000)
def test_a_file_over_the_limit_is_413(api: Any, session: Session, asset_storage: Path) -> None:
    response = post_files(
        api,
        session,
        upload_message(
            [{"type": "image", "file_field": "small"}, {"type": "audio", "file_field": "big"}]
        ),
        {"small": SimpleUploadedFile("x.png", PNG), "big": SimpleUploadedFile("v.wav", WAV)},
    )

    assert (response.status_code, response.json()) == (
        413,
        error(
            413, f"big: the file has {len(WAV)} bytes; the limit is 1000 bytes", "payload_too_large"
        ),
    )
    assert_nothing_stored(session, asset_storage)


@pytest.mark.django_db
def test_an_unknown_session_stores_no_file(api: Any, project: Project, asset_storage: Path) -> None:
    missing = Session(id=uuid.uuid4(), project=project)

    response = post_files(
        api,
        missing,
        upload_message([{"type": "image", "file_field": "f"}]),
        {"f": SimpleUploadedFile("x.png", PNG)},
    )

    assert (response.status_code, response.json()) == (
        404,
        error(404, "session not found", "not_found"),
    )
    assert Asset.objects.count() == 0
    assert stored_files(asset_storage) == []


@pytest.mark.django_db
def test_a_failure_after_the_file_was_written_removes_it(
    session: Session, asset_storage: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_append", fail)

    with pytest.raises(RuntimeError, match="the database went away"):
        store(session, "image", "x.png", PNG)

    assert_nothing_stored(session, asset_storage)


@pytest.mark.django_db
def test_a_file_lost_from_storage_is_stored_again_by_the_next_upload(
    session: Session, asset_storage: Path
) -> None:
    first = store(session, "image", "x.png", PNG)
    key = first.canonical["parts"][0]["asset"]["s3_key"]
    (asset_storage / key).unlink()

    store(session, "image", "again.png", PNG)

    assert (asset_storage / key).read_bytes() == PNG
    assert Asset.objects.count() == 1


# Reading and links ----------------------------------------------------------------------------


def read(api: Any, session: Session, **query: Any) -> JSON:
    response = api.get(f"/api/v1/session/{session.id}/messages", query)
    assert response.status_code == 200, response.json()
    data: JSON = response.json()["data"]
    return data


def token_of(url: str) -> str:
    return url.rsplit("/material/", 1)[1]


def opened(url: str) -> assets.Material:
    """What a link's token opens (it must open something)."""
    material = assets.material_of_token(token_of(url))
    assert material is not None
    return material


@pytest.mark.django_db
def test_public_urls_link_each_file_of_the_page_until_they_expire(
    api: Any, session: Session, settings: Any
) -> None:
    image = store(session, "image", "dot.png", PNG)
    store(session, "image", "same.png", PNG)
    store(session, "file", "report.pdf", PDF)
    before = int(time.time())

    data = read(api, session, format="acontext")

    png, pdf = (hashlib.sha256(content).hexdigest() for content in (PNG, PDF))
    assert sorted(data["public_urls"]) == sorted([png, pdf])
    expire_at = datetime.fromisoformat(data["public_urls"][png]["expire_at"])
    assert (
        before + settings.ACONTEXT_ASSET_LINK_SECONDS
        <= expire_at.timestamp()
        <= time.time() + settings.ACONTEXT_ASSET_LINK_SECONDS
    )
    assert data["public_urls"][pdf]["expire_at"] == data["public_urls"][png]["expire_at"]
    url = data["public_urls"][png]["url"]
    assert url.startswith("http://testserver/api/v1/material/")
    # The first message to hold the file names it.
    material = opened(url)
    assert (material.asset.sha256, material.filename) == (
        png,
        image.canonical["parts"][0]["filename"],
    )

    assert "public_urls" not in read(api, session, format="acontext", with_asset_public_url="false")
    assert "public_urls" not in read(api, session, format="openai")


@pytest.mark.django_db
def test_a_page_without_files_has_no_public_urls(api: Any, session: Session) -> None:
    services.message_store(session=session, blob={"role": "user", "content": "hi"})

    assert "public_urls" not in read(api, session, format="acontext")


@pytest.mark.django_db
def test_a_link_serves_the_file_without_a_key(session: Session, settings: Any) -> None:
    store(session, "file", "report.pdf", PDF)
    asset = Asset.objects.get()
    url = assets.link_maker(assets.material_path)(asset, "quarterly report.pdf").url

    response = Client().get(url)

    assert response.status_code == 200
    assert response.getvalue() == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(PDF))
    assert response["Content-Disposition"] == 'attachment; filename="quarterly report.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    lasts = int(response["Cache-Control"].removeprefix("private, max-age="))
    assert settings.ACONTEXT_ASSET_LINK_SECONDS - 5 <= lasts <= settings.ACONTEXT_ASSET_LINK_SECONDS


@pytest.mark.django_db
def test_an_expired_or_altered_link_is_404(session: Session, settings: Any) -> None:
    store(session, "image", "dot.png", PNG)
    asset = Asset.objects.get()
    expired = assets.link_maker(
        assets.material_path, now=time.time() - settings.ACONTEXT_ASSET_LINK_SECONDS - 1
    )(asset, "dot.png").url
    valid = assets.link_maker(assets.material_path)(asset, "dot.png").url
    payload, signature = valid.rsplit(":", 1)
    altered = f"{payload}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"

    for url in (expired, altered, "/api/v1/material/nonsense", "/api/v1/material/" + "a" * 64):
        response = Client().get(url)
        assert (response.status_code, response.json()) == (
            404,
            error(404, "material not found (the link is wrong or has expired)", "not_found"),
        ), url
    assert Client().get(valid).status_code == 200


@pytest.mark.django_db
def test_a_token_never_opens_another_projects_file(
    session: Session, foreign_session: Session
) -> None:
    store(session, "image", "mine.png", PNG)
    store(foreign_session, "file", "theirs.pdf", PDF)
    theirs = Asset.objects.get(project=foreign_session.project)
    # A validly signed token that names this project with the other project's file: only a
    # token minted for that very project and file opens it.
    forged = signing.dumps(
        {"a": str(theirs.pk), "p": str(session.project_id), "f": "x", "e": int(time.time()) + 60},
        salt=assets.TOKEN_SALT,
        compress=False,
    )

    response = Client().get(f"/api/v1/material/{forged}")

    assert response.status_code == 404


@pytest.mark.django_db
def test_a_read_of_another_projects_asset_record_finds_nothing(
    api: Any, session: Session, foreign_session: Session
) -> None:
    store(foreign_session, "image", "theirs.png", PNG)
    theirs = Asset.objects.get().as_acontext()
    # Stored before assets were checked (or by hand): a record naming another project's file.
    Message.objects.create(
        session=session,
        seq=1,
        format="acontext",
        raw={},
        canonical={
            "role": "user",
            "parts": [{"type": "image", "asset": theirs, "filename": "x.png"}],
        },
    )

    acontext = read(api, session, format="acontext")
    openai = read(api, session, format="openai")

    assert "public_urls" not in acontext
    assert openai["items"] == []
    assert openai["warnings"] == [
        {
            "message_id": str(Message.objects.get(session=session).id),
            "part_index": 0,
            "code": "asset_missing",
            "detail": "left out: the uploaded file 'x.png' is no longer stored",
        }
    ]


@pytest.mark.django_db
@override_settings(ACONTEXT_ASSET_INLINE_MAX_BYTES=100)
def test_files_above_the_inline_size_travel_as_links_where_the_target_takes_links(
    api: Any, session: Session
) -> None:
    store(session, "image", "dot.png", PNG)  # 71 bytes: inline
    store(session, "file", "big.png", PNG + bytes(100))  # a link
    store(session, "file", "report.pdf", PDF)  # 382 bytes: a link, but OpenAI takes data only
    store(session, "audio", "clip.wav", WAV)  # 1644 bytes: likewise
    store(session, "file", "notes.txt", TEXT * 10)  # text is always inline: it becomes text

    openai = read(api, session, format="openai")
    anthropic = read(api, session, format="anthropic")
    gemini = read(api, session, format="gemini")

    links = {
        part["source"]["url"]
        for item in anthropic["items"]
        for part in item["content"]
        if part["source"]["type"] == "url"
    }
    big_image, pdf = sorted(links, key=lambda url: opened(url).asset.size)
    assert all(link.startswith("http://testserver/api/v1/material/") for link in links)
    assert [item["content"] for item in openai["items"]] == [
        [{"type": "image_url", "image_url": {"url": f"data:image/png;base64,{b64(PNG)}"}}],
        [{"type": "image_url", "image_url": {"url": big_image}}],
        [
            {
                "type": "file",
                "file": {
                    "file_data": f"data:application/pdf;base64,{b64(PDF)}",
                    "filename": "report.pdf",
                },
            }
        ],
        [{"type": "input_audio", "input_audio": {"data": b64(WAV), "format": "wav"}}],
        "notes.txt\n\n" + (TEXT * 10).decode(),
    ]
    assert anthropic["items"] == [
        {
            "role": "user",
            "content": [
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": b64(PNG)},
                },
                {"type": "image", "source": {"type": "url", "url": big_image}},
                {"type": "document", "source": {"type": "url", "url": pdf}, "title": "report.pdf"},
                {
                    "type": "document",
                    "source": {
                        "type": "text",
                        "media_type": "text/plain",
                        "data": (TEXT * 10).decode(),
                    },
                    "title": "notes.txt",
                },
            ],
        }
    ]
    wav_link = gemini["items"][0]["parts"][3]["fileData"]["fileUri"]
    assert gemini["items"][0]["parts"] == [
        {"inlineData": {"mimeType": "image/png", "data": b64(PNG)}},
        {"fileData": {"mimeType": "image/png", "fileUri": big_image}},
        {"fileData": {"mimeType": "application/pdf", "fileUri": pdf}},
        {"fileData": {"mimeType": "audio/wav", "fileUri": wav_link}},
        {"inlineData": {"mimeType": "text/plain", "data": b64(TEXT * 10)}},
    ]
    for link in (big_image, pdf, wav_link):
        assert Client().get(link).status_code == 200
    strict_types.validate_openai_messages(openai["items"])
    rules.check_openai_rules(openai["items"])
    strict_types.validate_anthropic_messages(anthropic["items"], None)
    rules.check_anthropic_rules(anthropic["items"], None)
    strict_types.validate_gemini_contents(gemini["items"], None)
    rules.check_gemini_rules(gemini["items"], None)


@pytest.mark.django_db
def test_a_file_gone_from_storage_is_a_warning_not_an_error(
    api: Any, session: Session, asset_storage: Path
) -> None:
    message = store(session, "image", "dot.png", PNG)
    services.message_store(session=session, blob={"role": "user", "content": "still here"})
    (asset_storage / message.canonical["parts"][0]["asset"]["s3_key"]).unlink()

    openai = read(api, session, format="openai")

    assert openai["items"] == [{"role": "user", "content": "still here"}]
    assert openai["warnings"] == [
        {
            "message_id": str(message.id),
            "part_index": 0,
            "code": "asset_missing",
            "detail": "left out: the uploaded file 'dot.png' is no longer stored",
        }
    ]


@pytest.mark.django_db
def test_a_part_read_with_its_asset_can_be_stored_again_in_the_same_project(
    api: Any, session: Session, foreign_session: Session, asset_storage: Path
) -> None:
    store(session, "image", "dot.png", PNG)
    item = read(api, session, format="acontext")["items"][0]
    blob = {"role": item["role"], "parts": item["parts"]}

    again = api.post(
        f"/api/v1/session/{session.id}/messages",
        {"format": "acontext", "blob": blob},
        format="json",
    )

    assert again.status_code == 201
    assert again.json()["data"]["parts"] == item["parts"]
    assert MessageAsset.objects.filter(asset__project=session.project).count() == 2
    # Another project cannot borrow it by naming its record.
    foreign = APIClient()
    key = services.api_key_issue(project=foreign_session.project, name="globex")
    foreign.credentials(HTTP_AUTHORIZATION=f"Bearer {key.secret}")
    response = foreign.post(
        f"/api/v1/session/{foreign_session.id}/messages",
        {"format": "acontext", "blob": blob},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["msg"] == (
        "blob.parts[0].asset:"
        " names no file stored in this project (upload it with file_field instead)"
    )
    assert len(stored_files(asset_storage)) == 1


# Lifecycle: copies share files, deletions leave nothing behind and lose nothing shared ----------


@pytest.mark.django_db
def test_a_copy_shares_the_files_and_each_deletion_keeps_what_the_other_uses(
    api: Any, session: Session, asset_storage: Path
) -> None:
    store(session, "image", "dot.png", PNG)
    store(session, "file", "report.pdf", PDF)
    copy = services.session_copy(session=session)
    assert MessageAsset.objects.filter(message__session=copy).count() == 2
    assert len(stored_files(asset_storage)) == 2

    services.session_delete(session=session)

    assert Asset.objects.count() == 2
    assert len(stored_files(asset_storage)) == 2
    data = read(api, copy, format="acontext")
    for link in data["public_urls"].values():
        assert Client().get(link["url"]).status_code == 200

    services.session_delete(session=copy)

    assert Asset.objects.count() == 0
    assert MessageAsset.objects.count() == 0
    assert stored_files(asset_storage) == []


@pytest.mark.django_db
def test_deleting_a_session_keeps_a_file_another_session_uploaded_too(
    api: Any, session: Session, project: Project, asset_storage: Path
) -> None:
    other = services.session_create(project=project)
    store(session, "image", "dot.png", PNG)
    store(session, "file", "report.pdf", PDF)
    store(other, "image", "same-dot.png", PNG)

    response = api.delete(f"/api/v1/session/{session.id}")

    assert response.status_code == 200
    assert [asset.sha256 for asset in Asset.objects.all()] == [hashlib.sha256(PNG).hexdigest()]
    assert [path.name for path in stored_files(asset_storage)] == [
        f"{hashlib.sha256(PNG).hexdigest()}.png"
    ]
    assert read(api, other, format="openai")["items"][0]["content"][0]["image_url"]["url"] == (
        f"data:image/png;base64,{b64(PNG)}"
    )


@pytest.mark.django_db
def test_deleting_a_project_deletes_its_files_only(
    session: Session, foreign_session: Session, asset_storage: Path
) -> None:
    store(session, "image", "dot.png", PNG)
    store(foreign_session, "image", "dot.png", PNG)

    session.project.delete()

    assert [asset.project_id for asset in Asset.objects.all()] == [foreign_session.project_id]
    assert [path.relative_to(asset_storage).parts[1] for path in stored_files(asset_storage)] == [
        str(foreign_session.project_id)
    ]


# The same cases through the Python SDK -------------------------------------------------------


def sdk_upload(client: AcontextClient, session_id: str, name: str, data: bytes, kind: str) -> Any:
    return client.sessions.store_message(
        session_id,
        blob=build_acontext_message(role="user", parts=[MessagePart(type=kind, file_field="f")]),
        format="acontext",
        file_field="f",
        file=FileUpload(filename=name, content=data),
    )


def links_of(client: AcontextClient, session_id: str) -> dict[str, str]:
    page = client.sessions.get_messages(session_id, format="acontext")
    assert page.public_urls is not None
    return {sha256: link.url for sha256, link in page.public_urls.items()}


@pytest.mark.django_db(transaction=True)
def test_through_the_python_sdk_copies_share_files_and_deletions_keep_only_what_is_used(
    sdk: AcontextClient, session: Session, asset_storage: Path
) -> None:
    sid = str(session.id)
    first = sdk_upload(sdk, sid, "dot.png", PNG, "image")
    again = sdk_upload(sdk, sid, "same-dot.png", PNG, "image")
    sdk_upload(sdk, sid, "report.pdf", PDF, "file")
    assert first.parts[0].asset == again.parts[0].asset  # deduplicated
    assert len(stored_files(asset_storage)) == 2

    copy_id = sdk.sessions.copy(sid).new_session_id
    sdk.sessions.delete(sid)

    links = links_of(sdk, copy_id)
    assert sorted(links) == sorted(hashlib.sha256(data).hexdigest() for data in (PNG, PDF))
    assert [httpx.get(url).content for url in links.values()] == [PNG, PDF]
    assert len(stored_files(asset_storage)) == 2

    sdk.sessions.delete(copy_id)

    assert stored_files(asset_storage) == []
    assert Asset.objects.count() == 0
    assert [httpx.get(url).status_code for url in links.values()] == [404, 404]


@pytest.mark.django_db(transaction=True)
def test_through_the_python_sdk_bad_uploads_are_refused(
    sdk: AcontextClient, session: Session, asset_storage: Path, settings: Any
) -> None:
    sid = str(session.id)
    settings.ACONTEXT_ASSET_MAX_BYTES = 1000

    with pytest.raises(APIError) as too_large:
        sdk_upload(sdk, sid, "clip.wav", WAV, "audio")
    with pytest.raises(APIError) as unnamed:
        sdk.sessions.store_message(
            sid,
            blob=build_acontext_message(
                role="user", parts=[MessagePart(type="image", file_field="photo")]
            ),
            format="acontext",
            file_field="picture",
            file=FileUpload(filename="dot.png", content=PNG),
        )
    with pytest.raises(APIError) as mismatch:
        sdk_upload(sdk, sid, "report.pdf", PDF, "audio")

    assert (too_large.value.status_code, too_large.value.message) == (
        413,
        f"f: the file has {len(WAV)} bytes; the limit is 1000 bytes",
    )
    assert (unnamed.value.status_code, unnamed.value.message) == (
        400,
        "blob.parts[0].file_field: no file was uploaded as 'photo'",
    )
    assert (mismatch.value.status_code, mismatch.value.message) == (
        400,
        "blob.parts[0].type: is 'audio', but the file is application/pdf",
    )
    assert_nothing_stored(session, asset_storage)


@pytest.mark.django_db(transaction=True)
def test_through_the_python_sdk_links_expire_and_stay_in_their_project(
    sdk: AcontextClient,
    live_server: Any,
    session: Session,
    foreign_session: Session,
    settings: Any,
) -> None:
    # Long enough for the first download on a loaded machine: a link issued at second
    # X.99 expires at X + lifetime, so it may last almost a second less than its lifetime.
    settings.ACONTEXT_ASSET_LINK_SECONDS = 3
    sid = str(session.id)
    stored = sdk_upload(sdk, sid, "dot.png", PNG, "image")
    page = sdk.sessions.get_messages(sid, format="acontext")
    assert page.public_urls is not None
    [link] = page.public_urls.values()
    url = link.url
    assert httpx.get(url).content == PNG
    foreign_key = services.api_key_issue(project=foreign_session.project, name="globex")
    with AcontextClient(
        api_key=foreign_key.secret, base_url=f"{live_server.url}/api/v1"
    ) as foreign:
        # The other project can neither read the session nor store its asset record.
        with pytest.raises(APIError) as not_found:
            foreign.sessions.get_messages(sid, format="acontext")
        # A mapping (the SDK's MessagePart has no asset field).
        blob: Any = {"role": "user", "parts": [stored.parts[0].model_dump(exclude_none=True)]}
        with pytest.raises(APIError) as borrowed:
            foreign.sessions.store_message(str(foreign_session.id), blob=blob, format="acontext")
    assert (not_found.value.status_code, borrowed.value.status_code) == (404, 400)

    time.sleep(max(0.0, datetime.fromisoformat(link.expire_at).timestamp() - time.time()) + 0.1)

    expired = httpx.get(url)
    assert (expired.status_code, expired.json()["msg"]) == (
        404,
        "material not found (the link is wrong or has expired)",
    )
