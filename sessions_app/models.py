import functools
import hashlib
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import connections, models
from django.db.models.expressions import Col
from django.utils import timezone

import conversion

API_KEY_PREFIX = "sk-ac-"
API_KEY_DISPLAY_CHARS = 12
# Recording every use would turn each authenticated read into a write; a minute is precise
# enough to tell a live key from an abandoned one.
API_KEY_LAST_USED_RESOLUTION = timedelta(minutes=1)
EVENT_TYPE_MAX_LENGTH = 64

ModelT = TypeVar("ModelT", bound=models.Model)


def iso8601(moment: datetime) -> str:
    """The timestamp form of every JSON answer (the one DRF's DateTimeField renders too)."""
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class Project(models.Model):
    """A tenant: API keys, sessions and messages all belong to exactly one project."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="projects", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


# Every API request looks its key up, and most their session: those two statements are written
# out once rather than built by the ORM each time. Building and compiling the equivalent
# querysets took several times the CPU of running them (the key's select_related filter 1.4 ms
# against 0.3 ms here, the session's filter 0.6 ms against 0.2 ms), and the same text each
# time lets Postgres run them as prepared statements.


@functools.cache
def _columns(model: type[models.Model], alias: str) -> tuple[Col, ...]:
    # get_col: a foreign key reads as its target field (a UUID, not text, on SQLite).
    return tuple(field.get_col(alias) for field in model._meta.concrete_fields)


def _select_list(database: str, *aliased: tuple[type[models.Model], str]) -> str:
    quote = connections[database].ops.quote_name
    # A concrete field always has a column (Field.column is None only for the others).
    return ", ".join(
        f"{alias}.{quote(cast(str, column.target.column))}"
        for model, alias in aliased
        for column in _columns(model, alias)
    )


def _from_row(database: str, model: type[ModelT], alias: str, values: Any) -> ModelT:
    """A model instance from its columns' values in a written-out query's row, through the
    backend's and the fields' converters as the ORM applies them (SQLite hands UUIDs and
    timestamps over as text)."""
    connection = connections[database]
    columns = _columns(model, alias)
    converted = []
    for column, value in zip(columns, values, strict=True):
        for convert in (
            *connection.ops.get_db_converters(column),
            *column.get_db_converters(connection),
        ):
            value = convert(value, column, connection)
        converted.append(value)
    return model.from_db(database, [column.target.attname for column in columns], converted)


class ApiKeyManager(models.Manager["ApiKey"]):
    def with_project_by_secret(self, secret: str) -> "ApiKey | None":
        """The key whose secret this is, with its project, or None, in one query."""
        with connections[self.db].cursor() as cursor:
            cursor.execute(_key_by_secret_sql(self.db), [ApiKey.hash_secret(secret)])
            row = cursor.fetchone()
        if row is None:
            return None
        key_width = len(_columns(ApiKey, "k"))
        api_key = _from_row(self.db, ApiKey, "k", row[:key_width])
        api_key.project = _from_row(self.db, Project, "p", row[key_width:])
        return api_key


@functools.cache
def _key_by_secret_sql(database: str) -> str:
    quote = connections[database].ops.quote_name
    return (
        f"SELECT {_select_list(database, (ApiKey, 'k'), (Project, 'p'))}"
        f" FROM {quote(ApiKey._meta.db_table)} k"
        f" JOIN {quote(Project._meta.db_table)} p ON p.id = k.project_id"
        " WHERE k.secret_hash = %s"
    )


class ApiKey(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=200)
    # The first characters of the key, enough to recognise it in a list; not a secret.
    prefix = models.CharField(max_length=API_KEY_DISPLAY_CHARS)
    # sha256 of the whole key. Keys carry 32 random bytes, so they cannot be guessed or brute
    # forced and a fast hash suffices (a slow password hash would only slow every request).
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyManager()

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate_secret() -> str:
        return API_KEY_PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def record_use(self, now: datetime) -> None:
        if self.last_used_at is None or now - self.last_used_at >= API_KEY_LAST_USED_RESOLUTION:
            self.last_used_at = now
            ApiKey.objects.filter(pk=self.pk).update(last_used_at=now)


class SessionManager(models.Manager["Session"]):
    def of_project(self, project_id: uuid.UUID, session_id: uuid.UUID) -> "Session | None":
        """The project's session with this id, or None (another project's is not found)."""
        connection = connections[self.db]
        # As the ORM would pass them (SQLite stores UUIDs as 32 hex digits).
        id_field = cast("models.Field[Any, Any]", Session._meta.get_field("id"))
        project_field = cast("models.Field[Any, Any]", Session._meta.get_field("project"))
        parameters = [
            id_field.get_db_prep_value(session_id, connection),
            project_field.get_db_prep_value(project_id, connection),
        ]
        with connection.cursor() as cursor:
            cursor.execute(_session_of_project_sql(self.db), parameters)
            row = cursor.fetchone()
        return _from_row(self.db, Session, "s", row) if row is not None else None


@functools.cache
def _session_of_project_sql(database: str) -> str:
    quote = connections[database].ops.quote_name
    return (
        f"SELECT {_select_list(database, (Session, 's'))} FROM {quote(Session._meta.db_table)} s"
        " WHERE s.id = %s AND s.project_id = %s"
    )


class Session(models.Model):
    # Client-chosen ids (`use_uuid`) share this one global key space with generated ones, so a
    # taken id conflicts whichever project holds it.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sessions")
    # The client's end-user identifier (JSON `user_id`); "" when the client gave none.
    user = models.CharField(max_length=255, blank=True, default="")
    configs = models.JSONField(default=dict, blank=True)
    disable_task_tracking = models.BooleanField(default=False)
    # The seq of the newest message; message_store increments it under a row lock.
    last_seq = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionManager()

    class Meta:
        indexes = [
            # Keyset pages of GET /session walk (created_at, id) within one project.
            models.Index(fields=["project", "created_at", "id"], name="session_project_created"),
            models.Index(fields=["project", "user"], name="session_project_user"),
            # A GIN index on configs would serve filter_by_configs on Postgres, but GinIndex
            # cannot be created on SQLite and migrations must run on both; add it in a
            # Postgres-only migration when listing by configs becomes hot.
        ]

    def __str__(self) -> str:
        return str(self.id)


class Asset(models.Model):
    """An uploaded file. Stored once per project for identical content (sha256), under a key
    that is its content address; messages refer to it through MessageAsset."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assets")
    sha256 = models.CharField(max_length=64)
    # assets/<project>/<yyyy>/<mm>/<dd>/<sha256><ext>, the day of the first upload.
    key = models.CharField(max_length=255, unique=True)
    # Where the key lives: the S3 bucket, or "filesystem".
    bucket = models.CharField(max_length=255)
    # Sniffed from the content, never taken from the client.
    mime = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    # The MD5 of the content in hex: what S3 answers as the ETag of a single-part upload.
    etag = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "uploaded file"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "sha256"], name="asset_unique_project_sha256"
            )
        ]

    def __str__(self) -> str:
        return self.key

    def as_acontext(self) -> dict[str, Any]:
        """The official SDKs' ``Asset`` of a message part."""
        return {
            "bucket": self.bucket,
            "s3_key": self.key,
            "etag": self.etag,
            "sha256": self.sha256,
            "mime": self.mime,
            "size_b": self.size,
        }


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: message_unique_session_seq starts with session_id and serves every
    # lookup by session, so a second index would only cost each store one more insertion.
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    # 1, 2, 3... within the session, gapless: the conversation order and the pagination key.
    seq = models.PositiveBigIntegerField()
    format = models.CharField(max_length=16, choices=[(name, name) for name in conversion.FORMATS])
    # The blob exactly as the client sent it, returned untouched when read in the same format.
    raw = models.JSONField()
    canonical = models.JSONField()
    # The client's own metadata, never interpreted here.
    meta = models.JSONField(default=dict, blank=True)
    # o200k_base tokens of the canonical message (conversion.tokens), counted once when it is
    # stored: reads and token_counts add these up instead of tokenizing the session again.
    tokens = models.PositiveIntegerField(default=0)
    # What full-text search looks through (sessions_app.search.message_search_text), written
    # once when the message is stored. Indexed outside the ORM, by migration 0005: on Postgres
    # a generated tsvector column (search_vector, unknown to the model) with a GIN index, on
    # SQLite an FTS5 table kept by triggers.
    search_text = models.TextField(default="", blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The uploaded files its parts refer to (a file stays stored while any message has it).
    assets = models.ManyToManyField(
        Asset, through="MessageAsset", related_name="messages", blank=True
    )

    class Meta:
        constraints = [
            # Also the index for keyset pages: WHERE session_id = ? AND seq > ? ORDER BY seq.
            models.UniqueConstraint(fields=["session", "seq"], name="message_unique_session_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} #{self.seq}"

    def as_acontext(
        self, *, role: str, parts: list[Any], meta: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The official SDK's Message JSON for this stored message with the given content."""
        return message_json(
            message_id=str(self.id),
            session_id=str(self.session_id),
            role=role,
            parts=parts,
            meta=meta,
            created_at=iso8601(self.created_at),
            updated_at=iso8601(self.updated_at),
        )


def message_json(
    *,
    message_id: str,
    session_id: str,
    role: str,
    parts: list[Any],
    meta: dict[str, Any] | None,
    created_at: str,
    updated_at: str,
) -> dict[str, Any]:
    """The official SDK's Message JSON (the store response, and each ``format=acontext`` item),
    with its timestamps as ``iso8601`` writes them."""
    return {
        "id": message_id,
        "session_id": session_id,
        "parent_id": None,
        "role": role,
        "meta": meta if meta is not None else {},
        "parts": parts,
        "task_id": None,
        # This server tracks no tasks; the SDK requires the field.
        "session_task_process_status": "disable_tracking",
        "created_at": created_at,
        "updated_at": updated_at,
    }


class MessageAsset(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="asset_links")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="message_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "asset"], name="message_asset_unique")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} -> {self.asset_id}"


class SessionEvent(models.Model):
    """Something that happened in a session besides its messages (the SDK's TextEvent, ...)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=EVENT_TYPE_MAX_LENGTH)
    data = models.JSONField(default=dict, blank=True)
    # Events never change once added; plain defaults (not auto_now) let a copy keep the times.
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # Keyset pages of events, and the events between two messages' times.
            models.Index(fields=["session", "created_at", "id"], name="event_session_created"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.type}"
