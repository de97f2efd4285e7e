"""Uploaded files: stored content-addressed through Django's storage API, served by signed
expiring links, and turned into ordinary media parts when a conversation is read in a
provider's format.

A file is stored once per project for identical content. Its key is its content address,
``assets/<project>/<yyyy>/<mm>/<dd>/<sha256><ext>``, so a file left behind by a failed request
is harmless (the next upload of the same bytes finds it); a file is deleted only while its
``Asset`` row is locked and no message has it (``delete_orphans``), so nothing shared is lost.
"""

import base64
import hashlib
import logging
import re
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import puremagic
from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header

import conversion
from conversion import media

from .models import Asset, MessageAsset, iso8601

logger = logging.getLogger(__name__)

JSONObject = dict[str, Any]

STORAGE_ALIAS = "assets"
# Enough of a file's start for every signature the sniffer knows.
SNIFF_BYTES = 64 * 1024
TOKEN_SALT = "sessions_app.assets.material"

# The names the sniffer gives, as the providers spell them.
CANONICAL_MEDIA_TYPES = {
    "audio/wave": "audio/wav",
    "audio/x-wav": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/mp3": "audio/mpeg",
    "audio/x-flac": "audio/flac",
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "application/x-pdf": "application/pdf",
}
# Text has no signature: a declared type is believed when the bytes are text and it names a
# kind of text.
TEXT_MEDIA_TYPES = frozenset(
    ("application/json", "application/xml", "application/x-ndjson", "application/yaml")
)
# The first extension of each media type in the converter's table (.jpg before .jpeg).
EXTENSIONS: dict[str, str] = {}
for _extension, _media_type in media.MEDIA_TYPES_BY_EXTENSION.items():
    EXTENSIONS.setdefault(_media_type, _extension)
# Served inline by the material link: media a browser shows without running anything.
INLINE_MEDIA_TYPES = frozenset(("image/png", "image/jpeg", "image/gif", "image/webp"))
INLINE_MEDIA_MAJORS = frozenset(("audio", "video"))


def storage() -> Storage:
    return storages[STORAGE_ALIAS]


def bucket_name() -> str:
    return str(getattr(storage(), "bucket_name", None) or "filesystem")


class AssetTooLarge(Exception):
    def __init__(self, field: str, size: int) -> None:
        limit = settings.ACONTEXT_ASSET_MAX_BYTES
        super().__init__(f"{field}: the file has {size} bytes; the limit is {limit} bytes")
        self.field = field


class FileSourceError(conversion.InvalidMessage):
    """A part's file_field or asset that the request cannot satisfy (a 400)."""


def sniff_media_type(head: bytes, declared: str | None) -> str:
    """The media type the bytes say they are; the client's word is taken only for kinds of
    text, which have no signature."""
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        matches = []
    for match in matches:
        if match.mime_type:
            found = str(match.mime_type).lower()
            return CANONICAL_MEDIA_TYPES.get(found, found)
    if head and _is_text(head):
        claimed = (declared or "").split(";", 1)[0].strip().lower()
        if claimed.startswith("text/") or claimed in TEXT_MEDIA_TYPES:
            return claimed
        return "text/plain"
    return "application/octet-stream"


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # The sample may end inside a character.
        return error.start >= len(head) - 3
    return True


# Storing -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Digest:
    sha256: str
    md5: str
    size: int
    head: bytes


def _digest(upload: "UploadedFile[bytes]") -> _Digest:
    sha256 = hashlib.sha256()
    md5 = hashlib.md5(usedforsecurity=False)
    head = b""
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        sha256.update(chunk)
        md5.update(chunk)
        size += len(chunk)
    return _Digest(sha256.hexdigest(), md5.hexdigest(), size, head)


def check_upload_sizes(uploads: Mapping[str, "UploadedFile[bytes]"]) -> None:
    for field, upload in uploads.items():
        if upload.size is not None and upload.size > settings.ACONTEXT_ASSET_MAX_BYTES:
            raise AssetTooLarge(field, upload.size)


def save_upload(project_id: uuid.UUID, upload: "UploadedFile[bytes]", written: list[str]) -> Asset:
    """The project's asset for this file's content, stored if it is new. Call it inside the
    transaction that links the asset to its message: the row stays locked until then, so a
    concurrent deletion cannot remove the file in between. Keys of files written are appended
    to ``written`` so that the caller can remove them if its transaction fails."""
    digest = _digest(upload)
    asset = _locked(project_id, digest.sha256)
    if asset is None:
        mime = sniff_media_type(digest.head, upload.content_type)
        day = timezone.now()
        key = f"assets/{project_id}/{day:%Y/%m/%d}/{digest.sha256}{EXTENSIONS.get(mime, '')}"
        try:
            with transaction.atomic():  # a savepoint: a concurrent twin leaves us usable
                asset = Asset.objects.create(
                    project_id=project_id,
                    sha256=digest.sha256,
                    key=key,
                    bucket=bucket_name(),
                    mime=mime,
                    size=digest.size,
                    etag=digest.md5,
                )
        except IntegrityError:
            asset = _locked(project_id, digest.sha256)
            if asset is None:
                raise
    files = storage()
    # Also when the row existed: a file lost to a failure is stored again.
    if not files.exists(asset.key):
        upload.seek(0)
        saved = files.save(asset.key, upload)
        written.append(saved)
        if saved != asset.key:
            raise RuntimeError(f"the storage saved {asset.key} as {saved}")
    return asset


def _locked(project_id: uuid.UUID, sha256: str) -> Asset | None:
    return Asset.objects.select_for_update().filter(project_id=project_id, sha256=sha256).first()


def remove_files(keys: Iterable[str]) -> None:
    files = storage()
    for key in keys:
        try:
            files.delete(key)
        except OSError:
            # A file left behind is only space: its key is its content, so nothing can read
            # the wrong bytes from it.
            logger.exception("could not delete the asset file %s", key)


def lock_assets(asset_ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    """Lock these assets' rows (in one order, so two deleters cannot deadlock) before the
    links to them are removed: a store of the same content then waits, and finds afterwards
    either the asset still there or no row (and stores the file again)."""
    return list(
        Asset.objects.select_for_update()
        .filter(pk__in=list(asset_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def delete_orphans(asset_ids: Collection[uuid.UUID]) -> int:
    """Delete those of these (locked) assets that no message has any more, with their files
    (the post_delete receiver below). Returns how many were deleted."""
    if not asset_ids:
        return 0
    orphans = Asset.objects.filter(pk__in=list(asset_ids)).exclude(
        Exists(MessageAsset.objects.filter(asset=OuterRef("pk")))
    )
    deleted, _ = orphans.delete()
    return deleted


@receiver(post_delete, sender=Asset)
def _remove_file_of_deleted_asset(sender: type[Asset], instance: Asset, **kwargs: Any) -> None:
    # Whatever deleted the row (an orphan sweep, a project deleted in the admin): the row was
    # locked by that DELETE, so no store can be linking to it now.
    remove_files([instance.key])


# Links ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    expire_at: str  # iso8601

    def as_dict(self) -> JSONObject:
        return {"url": self.url, "expire_at": self.expire_at}


# How a read makes a link: (asset, filename) -> Link. The view knows the server's address.
LinkMaker = Callable[[Asset, str | None], Link]


def material_token(asset: Asset, filename: str | None, expires: int) -> str:
    """A signed token naming the asset, its project, the file name to serve it under and
    the second it expires (Unix time). Nothing is stored: the signature is the proof."""
    payload = {"a": str(asset.pk), "p": str(asset.project_id), "f": filename, "e": expires}
    return signing.dumps(payload, salt=TOKEN_SALT, compress=False)


def link_maker(url_of_token: Callable[[str], str], now: float | None = None) -> LinkMaker:
    """Links expiring ACONTEXT_ASSET_LINK_SECONDS from ``now`` (every link of one read
    expires at the same second)."""
    expires = int(now if now is not None else time.time()) + settings.ACONTEXT_ASSET_LINK_SECONDS
    expire_at = iso8601(datetime.fromtimestamp(expires, UTC))

    def make(asset: Asset, filename: str | None) -> Link:
        return Link(url_of_token(material_token(asset, filename, expires)), expire_at)

    return make


def material_path(token: str) -> str:
    return reverse("material", args=[token])


def request_link_maker(request: HttpRequest) -> LinkMaker:
    """Links on the server the request came to (its scheme, host and port)."""
    return link_maker(lambda token: request.build_absolute_uri(material_path(token)))


@dataclass(frozen=True, slots=True)
class Material:
    asset: Asset
    filename: str | None
    # When the link stops opening it (Unix time).
    expires: int


def material_of_token(token: str, now: float | None = None) -> Material | None:
    """The asset a token opens, or None: tampered, expired, or its asset is gone. The asset
    is looked up by its id and its project both, as the token names them."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    expires, asset_id, project_id = payload.get("e"), payload.get("a"), payload.get("p")
    filename = payload.get("f")
    if not isinstance(expires, int) or expires <= (now if now is not None else time.time()):
        return None
    try:
        asset = Asset.objects.filter(
            pk=uuid.UUID(str(asset_id)), project_id=uuid.UUID(str(project_id))
        ).first()
    except ValueError:
        return None
    if asset is None:
        return None
    return Material(asset, filename if isinstance(filename, str) else None, expires)


def serves_inline(mime: str) -> bool:
    return mime in INLINE_MEDIA_TYPES or mime.split("/", 1)[0] in INLINE_MEDIA_MAJORS


# Opened on its own, whatever a file holds runs nothing on this site's origin.
FILE_CONTENT_SECURITY_POLICY = "sandbox; default-src 'none'"


def file_response(
    request: HttpRequest, asset: Asset, filename: str | None
) -> HttpResponseBase | None:
    """The file as a download (None when it is no longer stored): the type sniffed when it
    was stored, never sniffed again by the browser, and opened in the browser only if it is
    media that shows without running anything.

    The ETag is the content address, so a browser revalidates with If-None-Match (304). A
    Range request gets its bytes (206): audio and video players seek with one.
    """
    etag = f'"{asset.sha256}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:  # 304 (If-None-Match) or 412 (If-Match)
        not_modified["ETag"] = etag
        return not_modified
    try:
        file = storage().open(asset.key, "rb")
    except OSError:
        return None
    size = file.size
    # If-Range: the bytes asked for only if the file is still the one the client has.
    asked = (
        request.headers.get("Range", "") if request.headers.get("If-Range", etag) == etag else ""
    )
    try:
        wanted = byte_range(asked, size)
    except RangeNotSatisfiable:
        file.close()
        unsatisfiable = HttpResponse(status=416)
        unsatisfiable["Content-Range"] = f"bytes */{size}"
        return _with_file_headers(unsatisfiable, etag)
    inline = serves_inline(asset.mime)
    shown_name = filename or asset.key.rsplit("/", 1)[-1]
    if wanted is None:
        whole = FileResponse(
            file, content_type=asset.mime, as_attachment=not inline, filename=shown_name
        )
        return _with_file_headers(whole, etag)
    first, last = wanted
    part = StreamingHttpResponse(ByteWindow(file, first, last), status=206, content_type=asset.mime)
    part["Content-Length"] = str(last - first + 1)
    part["Content-Range"] = f"bytes {first}-{last}/{size}"
    disposition = content_disposition_header(not inline, shown_name)
    if disposition is not None:  # None only without a name
        part["Content-Disposition"] = disposition
    return _with_file_headers(part, etag)


def _with_file_headers(response: HttpResponseBase, etag: str) -> HttpResponseBase:
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CONTENT_SECURITY_POLICY
    return response


class RangeNotSatisfiable(Exception):
    """A well-formed range that starts past the file's end (answered with 416)."""


# One range of bytes (RFC 9110 14.1.2): first-last, first- or -suffix. Nineteen digits hold
# any file size; a longer number is not parsed at all (Python refuses to parse very long ones).
_BYTE_RANGE = re.compile(r"bytes=([0-9]{0,19})-([0-9]{0,19})")


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The first and last byte that a Range header asks of a file of ``size`` bytes, or None
    when the header is to be ignored and the whole file given: none, malformed, another unit,
    or several ranges (which the RFC lets a server answer with the whole file; browsers ask
    for one). Raises RangeNotSatisfiable for a range that holds no byte of the file."""
    match = _BYTE_RANGE.fullmatch(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first_digits, last_digits = match.groups()
    if not first_digits:  # the last N bytes
        suffix = int(last_digits)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(0, size - suffix), size - 1
    first = int(first_digits)
    if last_digits and int(last_digits) < first:
        return None  # malformed: ignored
    if first >= size:
        raise RangeNotSatisfiable
    last = min(int(last_digits), size - 1) if last_digits else size - 1
    return first, last


class ByteWindow:
    """Bytes ``first``..``last`` of an open file, read in blocks; closed with the response."""

    BLOCK_SIZE = 64 * 1024

    def __init__(self, file: File[bytes], first: int, last: int) -> None:
        self.file, self.first, self.last = file, first, last

    def __iter__(self) -> Iterator[bytes]:
        self.file.seek(self.first)
        remaining = self.last - self.first + 1
        while remaining > 0:
            block = self.file.read(min(self.BLOCK_SIZE, remaining))
            if not block:
                return
            remaining -= len(block)
            yield block

    def close(self) -> None:
        self.file.close()


# Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FilesRead:
    """What a read makes of the uploaded files of the messages it read."""

    # The messages to render: with_media's for a provider format, else those read.
    messages: Sequence[conversion.StoredMessage]
    warnings: list[conversion.ConversionWarning]
    # format=acontext with public URLs asked for, when files were read: links by sha256.
    public_urls: dict[str, JSONObject] | None


def files_for_read(
    project_id: uuid.UUID,
    messages: Sequence[conversion.StoredMessage],
    target: str,
    link: LinkMaker,
    *,
    with_public_urls: bool,
    inline_max_bytes: int,
) -> FilesRead:
    """Format acontext keeps the asset parts (and gets ``public_urls`` when asked for); every
    other format gets them as media parts (``with_media``). A read without files costs one
    pass over the parts and no query."""
    holding = [position for position, message in enumerate(messages) if _holds_asset(message)]
    if not holding:
        return FilesRead(messages, [], None)
    stored = _assets_of(project_id, [messages[position] for position in holding])
    if target == "acontext":
        urls = (
            _public_urls([messages[p] for p in holding], stored, link) if with_public_urls else {}
        )
        return FilesRead(messages, [], urls or None)
    rendered, warnings = with_media(messages, holding, stored, link, target, inline_max_bytes)
    return FilesRead(rendered, warnings, None)


def _holds_asset(message: conversion.StoredMessage) -> bool:
    # Plain loops: this runs over every part of every read (a generator per message cost a
    # thousand-message read about a millisecond).
    for part in message.canonical["parts"]:  # noqa: SIM110 (any() builds a generator)
        if "asset" in part:
            return True
    return False


def asset_parts(canonical: JSONObject) -> list[tuple[int, JSONObject]]:
    """(index, part) of a canonical message's top-level parts that hold an uploaded file."""
    return [(i, part) for i, part in enumerate(canonical["parts"]) if "asset" in part]


def _assets_of(
    project_id: uuid.UUID, messages: Iterable[conversion.StoredMessage]
) -> dict[str, Asset]:
    """The project's assets that these messages' parts name, by sha256 (one query). An asset
    record naming another project's file finds nothing."""
    wanted = {
        part["asset"].get("sha256")
        for message in messages
        for _, part in asset_parts(message.canonical)
    }
    found = Asset.objects.filter(project_id=project_id, sha256__in=wanted - {None})
    return {asset.sha256: asset for asset in found}


def _public_urls(
    messages: Iterable[conversion.StoredMessage], assets: Mapping[str, Asset], link: LinkMaker
) -> dict[str, JSONObject]:
    """The SDK's ``public_urls``: a link to each asset of these messages, by sha256, under
    the file name of the first part that holds it."""
    urls: dict[str, JSONObject] = {}
    for message in messages:
        for _, part in asset_parts(message.canonical):
            asset = assets.get(part["asset"].get("sha256"))
            if asset is not None and asset.sha256 not in urls:
                urls[asset.sha256] = link(asset, part.get("filename")).as_dict()
    return urls


def with_media(
    messages: Sequence[conversion.StoredMessage],
    holding: Iterable[int],
    assets: Mapping[str, Asset],
    link: LinkMaker,
    target: str,
    inline_max_bytes: int,
) -> tuple[list[conversion.StoredMessage], list[conversion.ConversionWarning]]:
    """These messages with each asset part (of the messages at the positions ``holding``)
    turned into an ordinary media part the converter renders for ``target``: its bytes
    inline (base64) up to ``inline_max_bytes``, a link above, except where the
    target takes that kind of file only as data (OpenAI's PDFs and audio, text anywhere),
    which is always inline. A generic ``file`` part takes the kind of its content (an uploaded
    image is an image). An asset no longer stored is left out with a warning."""
    result = list(messages)
    warnings: list[conversion.ConversionWarning] = []
    for position in holding:
        message = messages[position]
        parts = []
        for index, part in enumerate(message.canonical["parts"]):
            if "asset" not in part:
                parts.append(part)
                continue
            asset = assets.get(part["asset"].get("sha256"))
            media_part = _media_part(part, asset, link, target, inline_max_bytes)
            if media_part is None:
                warnings.append(_missing(message.id, index, part))
            else:
                parts.append(media_part)
        result[position] = message._replace(canonical={**message.canonical, "parts": parts})
    return result, warnings


def _media_part(
    part: JSONObject, asset: Asset | None, link: LinkMaker, target: str, inline_max_bytes: int
) -> JSONObject | None:
    if asset is None:
        return None
    meta = {
        key: value for key, value in (part.get("meta") or {}).items() if key not in ("url", "data")
    }
    meta["media_type"] = asset.mime
    if asset.size <= inline_max_bytes or not media.takes_url(target, asset.mime):
        try:
            with storage().open(asset.key, "rb") as file:
                meta["data"] = base64.b64encode(file.read()).decode("ascii")
        except OSError:
            logger.exception("the file of asset %s cannot be read", asset.key)
            return None
    else:
        meta["url"] = link(asset, part.get("filename")).url
    kind = part["type"]
    if kind == "file":
        kind = media.part_type_for_media_type(asset.mime)
    media_part: JSONObject = {"type": kind, "meta": meta}
    if part.get("filename") is not None:
        media_part["filename"] = part["filename"]
    return media_part


def _missing(message_id: str, index: int, part: JSONObject) -> conversion.ConversionWarning:
    name = part.get("filename") or part["asset"].get("sha256") or "an uploaded file"
    return conversion.ConversionWarning(
        message_id,
        index,
        "asset_missing",
        f"left out: the uploaded file {name!r} is no longer stored",
    )
