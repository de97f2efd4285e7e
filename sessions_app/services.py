"""Every write, and the converted read, in one place.

The API views, the admin and the management commands call these functions and nothing else to
change sessions, messages and keys, so the rules (validation, locking, numbering) hold whoever
the caller is.
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from django.db import IntegrityError, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

import conversion

from .models import API_KEY_DISPLAY_CHARS, ApiKey, Message, Project, Session, message_json

JSONObject = dict[str, Any]

META_MAX_BYTES = 64 * 1024
# The largest page one read converts (the API's cap too).
MESSAGE_PAGE_MAX = 1000


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
    # Messages go with it (ForeignKey CASCADE).
    session.delete()


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


@transaction.atomic
def message_store(
    *,
    session: Session,
    blob: Any,
    format: str = "openai",
    meta: JSONObject | None = None,
) -> Message:
    """Validate and convert ``blob``, then append it to the session as the next seq.

    Raises ``conversion.UnknownFormat``, ``conversion.InvalidMessage`` or ``MetaTooLarge``
    before anything is written.
    """
    conversion.check_format(format)
    user_meta = meta if meta is not None else {}
    _require_meta_size(user_meta)
    canonical = conversion.normalize(blob, format)

    # The session row lock serialises writers of one session, so seq stays gapless and each
    # writer's messages keep the order it sent them in. Converting before taking the lock
    # keeps the lock short.
    locked = Session.objects.select_for_update().only("id", "last_seq").get(pk=session.pk)
    locked.last_seq += 1
    locked.save(update_fields=["last_seq", "updated_at"])
    return Message.objects.create(
        session_id=locked.pk,
        seq=locked.last_seq,
        format=format,
        raw=blob,
        canonical=canonical,
        meta=user_meta,
    )


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
    """One page of a session in a target format.

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
    this_time_tokens: int
    has_more: bool
    # The cursor_seq of the next page (the seq of this page's last message), when there is one.
    next_cursor_seq: int | None


@dataclass(frozen=True, slots=True)
class _PageRow:
    """What a read needs of a stored message, without building a model instance."""

    message: conversion.StoredMessage
    seq: int
    meta: JSONObject
    created_at: datetime | None
    updated_at: datetime | None


def _page_rows(
    session: Session, *, limit: int, cursor_seq: int | None, newest_first: bool, timestamps: bool
) -> list[_PageRow]:
    """One query for a page (plus one row to tell whether there is more).

    The JSON columns come back as text and are parsed with orjson: Django's JSONField parses
    with the standard library, which made parsing most of a 1,000-message read.
    """
    query = Message.objects.filter(session=session)
    if cursor_seq is not None:
        query = (
            query.filter(seq__lt=cursor_seq) if newest_first else query.filter(seq__gt=cursor_seq)
        )
    query = query.order_by("-seq" if newest_first else "seq").annotate(
        raw_json=Cast("raw", TextField()),
        canonical_json=Cast("canonical", TextField()),
        meta_json=Cast("meta", TextField()),
    )
    columns = ["id", "seq", "format", "raw_json", "canonical_json", "meta_json"]
    if timestamps:
        columns += ["created_at", "updated_at"]
    rows = []
    for values in query.values_list(*columns)[: limit + 1]:
        message_id, seq, format, raw, canonical, meta, *times = values
        stored = conversion.StoredMessage(
            str(message_id), format, orjson.loads(raw), orjson.loads(canonical)
        )
        created_at, updated_at = times if times else (None, None)
        rows.append(_PageRow(stored, seq, orjson.loads(meta), created_at, updated_at))
    return rows


def _acontext_item(row: _PageRow, item: JSONObject, session: Session) -> JSONObject:
    assert row.created_at is not None  # fetched for format=acontext
    assert row.updated_at is not None
    return message_json(
        message_id=row.message.id,
        session_id=str(session.pk),
        role=item["role"],
        parts=item["parts"],
        meta=item.get("meta"),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def session_messages_converted(
    *,
    session: Session,
    target_format: str,
    limit: int,
    cursor_seq: int | None = None,
    newest_first: bool = False,
) -> ConvertedMessages:
    """Read one page of stored messages (one query) and render it in ``target_format``.

    The page is a slice of stored messages by seq: ascending after ``cursor_seq`` (the seq of
    the previous page's last message), or with ``newest_first`` descending before it. Either
    way the page is converted in chronological order (conversion needs the conversation's
    order) and then given back in the page's order.
    """
    conversion.check_format(target_format)
    if not 1 <= limit <= MESSAGE_PAGE_MAX:
        raise ValueError(f"limit must be between 1 and {MESSAGE_PAGE_MAX}")

    rows = _page_rows(
        session,
        limit=limit,
        cursor_seq=cursor_seq,
        newest_first=newest_first,
        timestamps=target_format == "acontext",
    )
    has_more = len(rows) > limit
    page = rows[:limit]
    next_cursor_seq = page[-1].seq if has_more else None

    chronological = list(reversed(page)) if newest_first else page
    rendered = conversion.render([row.message for row in chronological], target_format)
    by_id = {row.message.id: row for row in chronological}
    items = rendered.items
    if target_format == "acontext":
        # One item per stored message; the SDK reads each as its Message model.
        items = [
            _acontext_item(by_id[sources[0]], item, session)
            for item, sources in zip(items, rendered.sources, strict=True)
        ]
    ids = [sources[0] for sources in rendered.sources]
    metas = [by_id[message_id].meta for message_id in ids]
    sources = rendered.sources
    if newest_first:
        items, ids, metas, sources = items[::-1], ids[::-1], metas[::-1], sources[::-1]

    return ConvertedMessages(
        items=items,
        ids=ids,
        metas=metas,
        sources=sources,
        system=rendered.system,
        warnings=rendered.warnings,
        this_time_tokens=conversion.approximate_tokens(
            row.message.canonical for row in chronological
        ),
        has_more=has_more,
        next_cursor_seq=next_cursor_seq,
    )
