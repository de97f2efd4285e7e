"""Every write, and the converted read, in one place.

The API views, the admin and the management commands call these functions and nothing else to
change sessions, messages and keys, so the rules (validation, locking, numbering) hold whoever
the caller is.
"""

import functools
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone

import conversion
from conversion import media as conversion_media

from . import assets, search
from .models import (
    API_KEY_DISPLAY_CHARS,
    ApiKey,
    Asset,
    Message,
    MessageAsset,
    Project,
    Session,
    SessionEvent,
    iso8601,
    message_json,
)

JSONObject = dict[str, Any]

META_MAX_BYTES = 64 * 1024
# The largest page one read converts (the API's cap too).
MESSAGE_PAGE_MAX = 1000
# A page opening with tool results whose calls are on an earlier page: the calls' names are
# looked up among this many messages before the page (the call is normally just before).
EARLIER_CALLS_SCAN = 64


class SessionAlreadyExists(Exception):
    def __init__(self, session_id: uuid.UUID) -> None:
        super().__init__(f"session {session_id} already exists")
        self.session_id = session_id


class MetaTooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(f"{size} bytes when serialized; the limit is {META_MAX_BYTES} bytes")
        self.size = size


def _require_meta_size(meta: JSONObject) -> None:
    size = len(orjson.dumps(meta))
    if size > META_MAX_BYTES:
        raise MetaTooLarge(size)


def _merge_patch(current: Mapping[str, Any], changes: Mapping[str, Any]) -> JSONObject:
    """Top-level merge where a None value deletes its key (nested objects are replaced)."""
    merged = dict(current)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


# Keys -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IssuedApiKey:
    api_key: ApiKey
    # The only time the secret exists in clear: show it once, it cannot be recovered.
    secret: str


@transaction.atomic
def api_key_issue(*, project: Project, name: str) -> IssuedApiKey:
    secret = ApiKey.generate_secret()
    api_key = ApiKey.objects.create(
        project=project,
        name=name,
        prefix=secret[:API_KEY_DISPLAY_CHARS],
        secret_hash=ApiKey.hash_secret(secret),
    )
    return IssuedApiKey(api_key=api_key, secret=secret)


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


# Sessions ---------------------------------------------------------------------------------


@transaction.atomic
def session_create(
    *,
    project: Project,
    use_uuid: uuid.UUID | None = None,
    user: str = "",
    configs: JSONObject | None = None,
    disable_task_tracking: bool = False,
) -> Session:
    session = Session(
        project=project,
        user=user,
        configs=configs if configs is not None else {},
        disable_task_tracking=disable_task_tracking,
    )
    if use_uuid is not None:
        session.id = use_uuid
    try:
        # A savepoint, so that a conflict leaves the caller's transaction usable.
        with transaction.atomic():
            session.save(force_insert=True)
    except IntegrityError:
        if use_uuid is not None and Session.objects.filter(pk=use_uuid).exists():
            raise SessionAlreadyExists(use_uuid) from None
        raise
    return session


@transaction.atomic
def session_delete(*, session: Session) -> None:
    """Delete the session with its messages and events, and the uploaded files that no other
    message has (a copy of the session shares them)."""
    # The session's row first, then its files' rows: the order a store takes them in, so a
    # store into this session with one of its files cannot deadlock with this deletion.
    Session.objects.select_for_update().filter(pk=session.pk).exists()
    used = assets.lock_assets(
        MessageAsset.objects.filter(message__session=session).values_list("asset_id", flat=True)
    )
    # Messages and their links go with it (ForeignKey CASCADE).
    session.delete()
    assets.delete_orphans(used)


@transaction.atomic
def session_configs_replace(*, session: Session, configs: JSONObject) -> Session:
    session.configs = configs
    session.save(update_fields=["configs", "updated_at"])
    return session


@transaction.atomic
def session_configs_patch(*, session: Session, changes: JSONObject) -> Session:
    # Locked so that two concurrent patches of different keys both survive.
    locked = Session.objects.select_for_update().get(pk=session.pk)
    locked.configs = _merge_patch(locked.configs, changes)
    locked.save(update_fields=["configs", "updated_at"])
    return locked


# Messages ---------------------------------------------------------------------------------


class SessionNotFound(Exception):
    """No session with this id in this project (another project's looks missing too)."""


def message_store(
    *,
    session: Session,
    blob: Any,
    format: str = "openai",
    meta: JSONObject | None = None,
    uploads: Mapping[str, "UploadedFile[bytes]"] | None = None,
) -> Message:
    """``message_append`` into a session the caller has already loaded."""
    return message_append(
        project_id=session.project_id,
        session_id=session.pk,
        blob=blob,
        format=format,
        meta=meta,
        uploads=uploads,
    )


def message_append(
    *,
    project_id: uuid.UUID,
    session_id: uuid.UUID,
    blob: Any,
    format: str = "openai",
    meta: JSONObject | None = None,
    uploads: Mapping[str, "UploadedFile[bytes]"] | None = None,
) -> Message:
    """Validate and convert ``blob``, then append it to the project's session as its next seq.

    ``uploads`` are the files of a multipart request by form field; a part names its file
    with ``file_field`` (format acontext), and is stored with the file's ``asset`` record.

    Raises ``conversion.UnknownFormat``, ``conversion.InvalidMessage``, ``MetaTooLarge`` or
    ``assets.AssetTooLarge`` before anything is written, and ``SessionNotFound`` (writing
    nothing) when the project has no such session.
    """
    conversion.check_format(format)
    user_meta = meta if meta is not None else {}
    _require_meta_size(user_meta)
    canonical = conversion.normalize(blob, format)
    file_parts = _file_parts(canonical, uploads)
    now = timezone.now()
    message = Message(
        id=uuid.uuid4(),
        session_id=session_id,
        format=format,
        raw=blob,
        canonical=canonical,
        meta=user_meta,
        tokens=conversion.count_message_tokens(canonical),
        search_text=search.message_search_text(canonical),
        created_at=now,
        updated_at=now,
    )
    # The session's row lock serialises writers of one session, so seq stays gapless and each
    # writer's messages keep the order it sent them in. Converting before taking the lock
    # keeps the lock short.
    if file_parts:
        seq = _append_with_assets(message, project_id, file_parts, uploads or {})
    else:
        seq = _append(message, project_id)
    if seq is None:
        raise SessionNotFound
    message.seq = seq
    return message


def _append(message: Message, project_id: uuid.UUID) -> int | None:
    if connection.vendor == "postgresql":
        return _append_in_one_statement(message, project_id)
    return _append_in_a_transaction(message, project_id)


def _file_parts(
    canonical: JSONObject, uploads: Mapping[str, "UploadedFile[bytes]"] | None
) -> list[tuple[int, JSONObject]]:
    """The top-level parts with a file (``file_field`` or ``asset``), after checking that the
    request holds every file named and no file that no part names."""
    found = []
    named = set()
    for index, part in enumerate(canonical["parts"]):
        field = part.get("file_field")
        if field is not None:
            path = f"blob.parts[{index}].file_field"
            if uploads is None:
                raise assets.FileSourceError(
                    path,
                    "names an uploaded file, but this request has no files: send the payload"
                    " and the file as multipart/form-data",
                )
            if field not in uploads:
                raise assets.FileSourceError(path, f"no file was uploaded as {field!r}")
            named.add(field)
        elif "asset" not in part:
            continue
        found.append((index, part))
    for field in sorted(set(uploads or ()) - named):
        raise assets.FileSourceError(field, "is an uploaded file that no part's file_field names")
    assets.check_upload_sizes({field: (uploads or {})[field] for field in sorted(named)})
    return found


def _append_with_assets(
    message: Message,
    project_id: uuid.UUID,
    file_parts: Sequence[tuple[int, JSONObject]],
    uploads: Mapping[str, "UploadedFile[bytes]"],
) -> int | None:
    """Store the files, give their parts the assets' records, append and link, in one
    transaction; the files this request wrote are removed again if it fails."""
    written: list[str] = []
    with transaction.atomic():
        try:
            exists = Session.objects.select_for_update().filter(
                pk=message.session_id, project_id=project_id
            )
            if not exists.exists():
                return None
            parts = list(message.canonical["parts"])
            linked: dict[uuid.UUID, Asset] = {}
            for index, part in file_parts:
                if "file_field" in part:
                    upload = uploads[part["file_field"]]
                    asset = assets.save_upload(project_id, upload, written)
                    filename = upload.name
                else:
                    asset = _stored_asset(project_id, part, index)
                    filename = part.get("filename")
                _check_kind(part, asset, index)
                stored = {key: value for key, value in part.items() if key != "file_field"}
                stored["asset"] = asset.as_acontext()
                if filename:
                    stored["filename"] = filename
                parts[index] = stored
                linked[asset.pk] = asset
            message.canonical = {**message.canonical, "parts": parts}
            message.tokens = conversion.count_message_tokens(message.canonical)
            seq = _append(message, project_id)
            MessageAsset.objects.bulk_create(
                MessageAsset(message_id=message.id, asset=asset) for asset in linked.values()
            )
        except BaseException:
            # Before the rollback, while the new assets' rows are still locked.
            assets.remove_files(written)
            raise
    return seq


def _stored_asset(project_id: uuid.UUID, part: JSONObject, index: int) -> Asset:
    """The asset a part names by its record (a part read back with format=acontext and
    stored again): it must be one of this project's."""
    sha256 = part["asset"].get("sha256")
    asset = (
        Asset.objects.select_for_update().filter(project_id=project_id, sha256=sha256).first()
        if isinstance(sha256, str)
        else None
    )
    if asset is None:
        raise assets.FileSourceError(
            f"blob.parts[{index}].asset",
            "names no file stored in this project (upload it with file_field instead)",
        )
    return asset


def _check_kind(part: JSONObject, asset: Asset, index: int) -> None:
    # A generic "file" part may hold anything; an image part must hold an image.
    kind = part["type"]
    if kind != "file" and conversion_media.part_type_for_media_type(asset.mime) != kind:
        raise assets.FileSourceError(
            f"blob.parts[{index}].type", f"is {kind!r}, but the file is {asset.mime}"
        )


# Postgres: lock and number (UPDATE ... RETURNING) and insert in one statement, so that a store
# is two round trips in all (the key, then this) and one transaction even in autocommit.
_APPEND_SQL = """
WITH numbered AS (
    UPDATE {session} SET last_seq = last_seq + 1, updated_at = %(now)s
    WHERE id = %(session_id)s AND project_id = %(project_id)s
    RETURNING id, last_seq
)
INSERT INTO {message}
    (id, session_id, seq, format, raw, canonical, meta, tokens, search_text, created_at,
    updated_at)
SELECT %(id)s, numbered.id, numbered.last_seq, %(format)s, %(raw)s::jsonb,
    %(canonical)s::jsonb, %(meta)s::jsonb, %(tokens)s, %(search_text)s, %(now)s, %(now)s
FROM numbered
RETURNING seq
"""


def _append_in_one_statement(message: Message, project_id: uuid.UUID) -> int | None:
    sql = _APPEND_SQL.format(session=Session._meta.db_table, message=Message._meta.db_table)
    parameters: dict[str, Any] = {
        "id": message.id,
        "session_id": message.session_id,
        "project_id": project_id,
        "format": message.format,
        "raw": orjson.dumps(message.raw).decode(),
        "canonical": orjson.dumps(message.canonical).decode(),
        "meta": orjson.dumps(message.meta).decode(),
        "tokens": message.tokens,
        "search_text": message.search_text,
        "now": message.created_at,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        row = cursor.fetchone()
    return int(row[0]) if row is not None else None


@transaction.atomic
def _append_in_a_transaction(message: Message, project_id: uuid.UUID) -> int | None:
    """The same for databases without UPDATE in a WITH clause (SQLite)."""
    locked = (
        Session.objects.select_for_update()
        .filter(pk=message.session_id, project_id=project_id)
        .only("id", "last_seq")
        .first()
    )
    if locked is None:
        return None
    locked.last_seq += 1
    locked.save(update_fields=["last_seq", "updated_at"])
    message.seq = locked.last_seq
    message.save(force_insert=True)
    return message.seq


@transaction.atomic
def message_meta_patch(*, message: Message, changes: JSONObject) -> Message:
    locked = Message.objects.select_for_update().get(pk=message.pk)
    merged = _merge_patch(locked.meta, changes)
    _require_meta_size(merged)
    locked.meta = merged
    locked.save(update_fields=["meta", "updated_at"])
    return locked


@dataclass(frozen=True, slots=True)
class ConvertedMessages:
    """Messages of a session (a page, or all of them) in a target format, in conversation order.

    ``ids[i]`` (the first stored message ``items[i]`` comes from), ``metas[i]`` (that
    message's user meta) and ``sources[i]`` (every stored message it covers) belong to
    ``items[i]``.
    """

    items: list[Any]
    ids: list[str]
    metas: list[JSONObject]
    sources: list[list[str]]
    system: Any
    warnings: list[conversion.ConversionWarning]
    # o200k_base tokens of what was read, after edits (conversion.tokens).
    this_time_tokens: int
    has_more: bool
    # The cursor_seq of the next page (the seq of this page's last message in reading
    # direction), when there is one.
    next_cursor_seq: int | None
    # The pin of the edit strategies when it was read, else the last message read.
    edit_at_message_id: str | None
    # With with_events: the events from the first message's time to the last's.
    events: list[SessionEvent] | None
    # format=acontext with with_asset_public_url: a link to each uploaded file read, by sha256
    # (None when no file was read, as Acontext leaves the field out).
    public_urls: dict[str, JSONObject] | None = None
    # o200k_base tokens of what was read, before edits (this_time_tokens is after them).
    tokens_before_edits: int = 0


class _MessageRow(NamedTuple):
    """What a read needs of a stored message, without building a model instance (a tuple:
    a page makes a thousand of these, and a frozen dataclass takes four times as long)."""

    message: conversion.StoredMessage
    seq: int
    meta: JSONObject
    # As the database writes them (see _wire_timestamp); None unless asked for.
    created_text: str | None
    updated_text: str | None


# A read's one query, written out rather than built by the ORM: building and compiling the
# equivalent queryset, then iterating its values_list, took as much CPU as Postgres took to
# run it (profiled on a 1,000-message page). Standard SQL, so SQLite runs it as it is. JSON
# columns come back as text for orjson (Django's JSONField parses with the standard library),
# timestamps as text for _wire_timestamp, and the stored blob only for messages stored in the
# target format: the only ones that can be given back verbatim.
_PAGE_SQL = """
SELECT CAST(id AS text), seq, format, tokens,
    CASE WHEN format = %s THEN CAST(raw AS text) END,
    CAST(canonical AS text), CAST(meta AS text), {timestamps}
FROM {message}
WHERE session_id = %s{after}
ORDER BY seq{direction}{limit}
"""


@functools.cache
def _page_sql(*, after_cursor: bool, newest_first: bool, limited: bool, timestamps: bool) -> str:
    return _PAGE_SQL.format(
        message=connection.ops.quote_name(Message._meta.db_table),
        # NULLs otherwise: every row then unpacks the same way, cheaper than a starred target.
        timestamps="CAST(created_at AS text), CAST(updated_at AS text)"
        if timestamps
        else "NULL, NULL",
        after=(" AND seq < %s" if newest_first else " AND seq > %s") if after_cursor else "",
        direction=" DESC" if newest_first else "",
        limit=" LIMIT %s" if limited else "",
    )


def _message_rows(
    session: Session,
    *,
    target_format: str,
    limit: int | None,
    cursor_seq: int | None,
    newest_first: bool,
    timestamps: bool,
) -> list[_MessageRow]:
    """One query for a page (plus one row to tell whether there is more), or for all messages
    when ``limit`` is None."""
    sql = _page_sql(
        after_cursor=cursor_seq is not None,
        newest_first=newest_first,
        limited=limit is not None,
        timestamps=timestamps,
    )
    session_id = Message._meta.get_field("session").get_db_prep_value(session.pk, connection)
    parameters: list[Any] = [target_format, session_id]
    if cursor_seq is not None:
        parameters.append(cursor_seq)
    if limit is not None:
        parameters.append(limit + 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        fetched = cursor.fetchall()
    loads = orjson.loads
    StoredMessage = conversion.StoredMessage
    rows = []
    for message_id, seq, format, tokens, raw, canonical, meta, created, updated in fetched:
        stored = StoredMessage(
            _uuid_text(message_id),
            format,
            loads(raw) if raw is not None else None,
            loads(canonical),
            tokens,
        )
        rows.append(_MessageRow(stored, seq, loads(meta), created, updated))
    return rows


def _uuid_text(text: str) -> str:
    """A UUID column read as text (Postgres writes it with dashes, SQLite stores 32 hex
    digits), in the usual form: cheaper than loading a uuid.UUID to write it out again."""
    return text if len(text) == 36 else str(uuid.UUID(text))


def _wire_timestamp(text: str) -> str:
    """``iso8601()`` of a timestamp column read as text, without building a datetime (a
    thousand of them are a millisecond of a format=acontext page).

    Both databases hold UTC (Django keeps Postgres sessions in UTC, and SQLite's column in
    naive UTC): Postgres writes "2026-12-03 07:26:21.12+00", with trailing zeros of the
    fraction cut, SQLite "2026-12-03 07:26:21.120000"; neither writes a zero fraction.
    Anything else is read the slow way."""
    utc = text.removesuffix("+00")
    date_time, dot, fraction = utc.partition(".")
    if len(date_time) != 19 or date_time[10] != " " or (dot and not fraction.isdigit()):
        return iso8601(_utc_timestamp(text))
    wire = f"{date_time[:10]}T{date_time[11:]}"
    return f"{wire}.{fraction:0<6}Z" if dot else f"{wire}Z"


def _utc_timestamp(text: str) -> datetime:
    """A timestamp column read as text: Postgres writes its offset ("+00"), SQLite stores
    UTC without one."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _acontext_item(row: _MessageRow, item: JSONObject, session_id: str) -> JSONObject:
    assert row.created_text is not None  # fetched for format=acontext
    assert row.updated_text is not None
    return message_json(
        message_id=row.message.id,
        session_id=session_id,
        role=item["role"],
        parts=item["parts"],
        meta=item.get("meta"),
        created_at=_wire_timestamp(row.created_text),
        updated_at=_wire_timestamp(row.updated_text),
    )


def session_messages_converted(
    *,
    session: Session,
    target_format: str,
    limit: int | None,
    cursor_seq: int | None = None,
    newest_first: bool = False,
    strategies: Sequence[conversion.Strategy] = (),
    pin: str | None = None,
    with_events: bool = False,
    with_asset_public_url: bool = True,
    link: assets.LinkMaker | None = None,
    inline_max_bytes: int | None = None,
) -> ConvertedMessages:
    """Read a session's messages (one query), edit them and render them in ``target_format``.

    ``limit`` None reads the whole session as one conversation. Otherwise a page is a slice
    of stored messages by seq: ascending after ``cursor_seq`` (the seq of the previous page's
    last message), or with ``newest_first`` the newest ones before it. Either way the items
    are in conversation order, as Acontext gives them. Edit strategies (``strategies``, up to
    ``pin``) work on the canonical messages read, before conversion; storage never changes.

    Uploaded files stay ``asset`` parts in format acontext (with ``public_urls`` when asked
    for); every other format gets them as media, inline up to ``inline_max_bytes``
    (ACONTEXT_ASSET_INLINE_MAX_BYTES when None) or by a link that ``link`` makes (a path on
    this server when None).
    """
    conversion.check_format(target_format)
    if limit is not None and not 1 <= limit <= MESSAGE_PAGE_MAX:
        raise ValueError(f"limit must be between 1 and {MESSAGE_PAGE_MAX}")

    if limit is None:  # the whole session: no cursor, no direction (as Acontext)
        cursor_seq, newest_first = None, False
    rows = _message_rows(
        session,
        target_format=target_format,
        limit=limit,
        cursor_seq=cursor_seq,
        newest_first=newest_first,
        timestamps=target_format == "acontext" or with_events,
    )
    has_more = limit is not None and len(rows) > limit
    if limit is not None:
        rows = rows[:limit]
    next_cursor_seq = rows[-1].seq if has_more else None
    if newest_first:
        rows.reverse()  # conversation order

    edited = conversion.edit([row.message for row in rows], strategies, pin=pin)
    files = assets.files_for_read(
        session.project_id,
        edited.messages,
        target_format,
        link or assets.link_maker(assets.material_path),
        with_public_urls=with_asset_public_url,
        inline_max_bytes=inline_max_bytes
        if inline_max_bytes is not None
        else settings.ACONTEXT_ASSET_INLINE_MAX_BYTES,
    )
    rendered = conversion.render(
        files.messages,
        target_format,
        earlier_calls=_earlier_call_names(session, rows[0].seq) if rows else None,
    )
    by_id = {row.message.id: row for row in rows}
    items = rendered.items
    if target_format == "acontext":
        session_id = str(session.pk)
        # One item per stored message; the SDK reads each as its Message model.
        items = [
            _acontext_item(by_id[sources[0]], item, session_id)
            for item, sources in zip(items, rendered.sources, strict=True)
        ]
    ids = [sources[0] for sources in rendered.sources]
    events = None
    if with_events:
        events = _events_between(session, rows[0], rows[-1]) if rows else []
    return ConvertedMessages(
        items=items,
        ids=ids,
        metas=[by_id[message_id].meta for message_id in ids],
        sources=rendered.sources,
        system=rendered.system,
        warnings=[*edited.warnings, *files.warnings, *rendered.warnings],
        this_time_tokens=sum(conversion.message_tokens(message) for message in edited.messages),
        tokens_before_edits=sum(conversion.message_tokens(row.message) for row in rows),
        has_more=has_more,
        next_cursor_seq=next_cursor_seq,
        edit_at_message_id=edited.edit_at_message_id,
        events=events,
        public_urls=files.public_urls,
    )


def _earlier_call_names(session: Session, before_seq: int) -> conversion.EarlierCalls:
    """The names of tool calls stored before ``before_seq``, by call id: asked by the
    converter (one query) only when a page opens with results whose calls it does not hold."""

    def names(call_ids: Collection[str]) -> dict[str, str]:
        wanted = set(call_ids)
        found: dict[str, str] = {}
        earlier = (
            Message.objects.filter(session=session, seq__lt=before_seq)
            .order_by("-seq")
            .values_list("canonical", flat=True)[:EARLIER_CALLS_SCAN]
        )
        for canonical in earlier:
            for part in canonical["parts"]:
                call_id = part["meta"].get("id") if part["type"] == "tool-call" else None
                if call_id in wanted and call_id not in found:
                    found[call_id] = part["meta"]["name"]
            if len(found) == len(wanted):
                break
        return found

    return names


def session_token_count(*, session: Session) -> int:
    """o200k_base tokens of the whole session, unedited (counted when each was stored)."""
    total = Message.objects.filter(session=session).aggregate(total=Sum("tokens"))["total"]
    return int(total or 0)


# Copies -----------------------------------------------------------------------------------


class SessionTooLargeToCopy(Exception):
    def __init__(self, count: int, limit: int) -> None:
        super().__init__(f"the session has {count} messages; at most {limit} can be copied")
        self.count = count
        self.limit = limit


@transaction.atomic
def session_copy(*, session: Session) -> Session:
    """A new session of the same project with the same user, configs, messages and events.

    The copy's messages and events get new ids and keep their order, meta and timestamps;
    nothing is shared but the uploaded files (stored once, kept while either session has
    them), so later writes to either session leave the other as it is.
    """
    # Locked, so that no message is stored into the original while it is being copied.
    original = Session.objects.select_for_update().get(pk=session.pk)
    limit = settings.ACONTEXT_COPY_MAX_MESSAGES
    count = Message.objects.filter(session=original).count()
    if count > limit:
        raise SessionTooLargeToCopy(count, limit)
    copy = Session.objects.create(
        project_id=original.project_id,
        user=original.user,
        configs=original.configs,
        disable_task_tracking=original.disable_task_tracking,
        last_seq=original.last_seq,
    )
    Message.objects.bulk_create(
        Message(
            session=copy,
            seq=message.seq,
            format=message.format,
            raw=message.raw,
            canonical=message.canonical,
            meta=message.meta,
            tokens=message.tokens,
            search_text=message.search_text,
        )
        for message in Message.objects.filter(session=original).order_by("seq").iterator()
    )
    SessionEvent.objects.bulk_create(
        SessionEvent(
            session=copy,
            type=event.type,
            data=event.data,
            created_at=event.created_at,
            updated_at=event.updated_at,
        )
        for event in SessionEvent.objects.filter(session=original).order_by("created_at", "id")
    )
    copied_ids = dict(Message.objects.filter(session=copy).values_list("seq", "id"))
    MessageAsset.objects.bulk_create(
        MessageAsset(message_id=copied_ids[seq], asset_id=asset_id)
        for seq, asset_id in MessageAsset.objects.filter(message__session=original).values_list(
            "message__seq", "asset_id"
        )
    )
    # auto_now(_add) stamps every new row with this moment; the copies keep the originals'.
    original_message = Message.objects.filter(session=original, seq=OuterRef("seq"))
    Message.objects.filter(session=copy).update(
        created_at=Subquery(original_message.values("created_at")[:1]),
        updated_at=Subquery(original_message.values("updated_at")[:1]),
    )
    return copy


# Events -----------------------------------------------------------------------------------


@transaction.atomic
def session_event_add(*, session: Session, type: str, data: JSONObject) -> SessionEvent:
    return SessionEvent.objects.create(session=session, type=type, data=data)


def _events_between(session: Session, first: _MessageRow, last: _MessageRow) -> list[SessionEvent]:
    assert first.created_text is not None  # fetched with_events
    assert last.created_text is not None
    return list(
        SessionEvent.objects.filter(
            session=session,
            created_at__gte=_utc_timestamp(first.created_text),
            created_at__lte=_utc_timestamp(last.created_text),
        )
        .select_related("session")  # the answer names each event's project
        .order_by("created_at", "id")
    )
