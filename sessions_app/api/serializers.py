"""Request parsing and response shapes. The wire names are the official SDK's."""

from typing import Any

import orjson
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

import conversion
from sessions_app import search
from sessions_app.models import EVENT_TYPE_MAX_LENGTH, Session, SessionEvent

from .pagination import MESSAGE_PAGE_SIZE_MAX, QuerySerializer


class StrictCharField(serializers.CharField):
    """A JSON string in a body. DRF's CharField turns 0 into "0"; a wrong type is a 400."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A JSON boolean in a body. DRF's BooleanField also reads 0, "yes", "off"..."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class BodyJSONField(serializers.JSONField):
    """Any JSON value of a request body, taken as parsed.

    The body parser has read it as JSON and checked its numbers, depth and strings already;
    DRF's own check writes the value out again with the standard library, work in proportion
    to the message that would only repeat what was done."""

    def to_internal_value(self, data: Any) -> Any:
        return data


@extend_schema_field(OpenApiTypes.OBJECT)
class JSONObjectField(BodyJSONField):
    default_error_messages = {"not_an_object": "Must be a JSON object."}

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        if not isinstance(value, dict):
            self.fail("not_an_object")
        return value


# Documented with its values, but checked by the service (conversion.check_format), whose
# message lists the formats: a ChoiceField would answer a different error.
@extend_schema_field({"type": "string", "enum": list(conversion.FORMATS)})
class MessageFormatField(StrictCharField):
    pass


# Sessions ---------------------------------------------------------------------------------


class SessionSerializer(serializers.ModelSerializer[Session]):
    project_id = serializers.UUIDField(read_only=True)
    user_id = serializers.SerializerMethodField()
    space_id = serializers.SerializerMethodField(
        help_text="Always null: learning spaces are not part of this server (the npm SDK "
        "requires the field)"
    )
    configs = JSONObjectField(read_only=True)

    class Meta:
        model = Session
        fields = [
            "id",
            "project_id",
            "user_id",
            "space_id",
            "disable_task_tracking",
            "configs",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_user_id(self, session: Session) -> str | None:
        return session.user or None

    def get_space_id(self, session: Session) -> str | None:
        return None


@extend_schema_field(OpenApiTypes.UUID)
class UUIDStringField(serializers.UUIDField):
    """A UUID written as a string. DRF's own field also takes integers (so ``5`` and
    ``false`` would become ...0005 and the nil UUID)."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class SessionCreateSerializer(serializers.Serializer[Any]):
    use_uuid = UUIDStringField(
        required=False, help_text="Create the session with this id; 409 if it exists."
    )
    user = StrictCharField(required=False, allow_blank=True, max_length=255, default="")
    configs = JSONObjectField(required=False, default=dict)
    disable_task_tracking = StrictBooleanField(required=False, default=False)


class ConfigsSerializer(serializers.Serializer[Any]):
    configs = JSONObjectField(help_text="PATCH: keys to set; a null value deletes the key.")


# Messages ---------------------------------------------------------------------------------


class MessageStoreSerializer(serializers.Serializer[Any]):
    blob = BodyJSONField(help_text="One message in the given format, stored verbatim.")
    format = MessageFormatField(default="openai", help_text="The format of blob")
    meta = JSONObjectField(required=False, allow_null=True, default=None)


@extend_schema_field({"type": "string", "format": "binary"})
class UploadField(serializers.FileField):
    pass


class MessageStoreFormSerializer(serializers.Serializer[Any]):
    """Documentation of the multipart form of POST /session/{id}/messages (the SDKs' file
    uploads); the view reads the form itself."""

    payload = serializers.CharField(
        help_text='The JSON of the message, {"blob", "format", "meta"}, as text. Each part of '
        'an acontext blob that holds a file names its form field: {"type": "image", '
        '"file_field": "photo"}.'
    )
    file = UploadField(
        required=False,
        help_text="One form field per file, named as its part's file_field (any name)",
    )


class MetaSerializer(serializers.Serializer[Any]):
    meta = JSONObjectField(help_text="PATCH: keys to set; a null value deletes the key.")


@extend_schema_field(
    {
        "type": "string",
        "minLength": 1,
        "description": "A JSON array of edit strategies, e.g. "
        '`[{"type": "token_limit", "params": {"limit_tokens": 20000}}]`: '
        + ", ".join(conversion.STRATEGY_TYPES),
    }
)
class EditStrategiesField(serializers.Field[list[conversion.Strategy], str, Any, Any]):
    """JSON in a query parameter, read into ``conversion.Strategy`` objects.

    A malformed strategy raises ``conversion.InvalidEditStrategy``, whose path starts at
    ``edit_strategies`` (the error handler answers 400 with it).
    """

    def to_internal_value(self, data: Any) -> list[conversion.Strategy]:
        try:
            value = orjson.loads(data) if isinstance(data, str) else None
        except orjson.JSONDecodeError:
            value = None
        if value is None:
            raise serializers.ValidationError("must be a JSON array of {type, params} objects")
        return conversion.parse_strategies(value)


class MessagePageQuerySerializer(QuerySerializer):
    format = MessageFormatField(default="openai", help_text="The format to return")
    limit = serializers.IntegerField(
        min_value=0,
        max_value=MESSAGE_PAGE_SIZE_MAX,
        default=0,
        help_text="Omitted or 0: the whole session, converted as one conversation; "
        f"1..{MESSAGE_PAGE_SIZE_MAX}: one page",
    )
    cursor = serializers.CharField(required=False, help_text="next_cursor of the previous page")
    time_desc = serializers.BooleanField(
        default=False,
        help_text="Pick the newest page first (a cursor then walks back); the items of a page "
        "are in conversation order either way",
    )
    edit_strategies = EditStrategiesField(required=False)
    pin_editing_strategies_at_message = serializers.UUIDField(
        required=False,
        help_text="Edit only up to and including this message (a stable prefix for prompt "
        "caches); ignored when it is not among the messages read",
    )
    with_events = serializers.BooleanField(
        default=False,
        help_text="Add the events between the first and the last message read",
    )
    with_asset_public_url = serializers.BooleanField(
        default=True,
        help_text="format=acontext: add public_urls, an expiring link to each uploaded file read",
    )


class AssetSerializer(serializers.Serializer[Any]):
    """The SDK's Asset: an uploaded file, stored once per project for identical content."""

    bucket = serializers.CharField(help_text='The S3 bucket, or "filesystem"')
    s3_key = serializers.CharField(help_text="assets/<project>/<yyyy>/<mm>/<dd>/<sha256><ext>")
    etag = serializers.CharField(help_text="The MD5 of the content, in hex")
    sha256 = serializers.CharField()
    mime = serializers.CharField(help_text="Sniffed from the content when it was uploaded")
    size_b = serializers.IntegerField()


class PartSerializer(serializers.Serializer[Any]):
    type = serializers.CharField()
    text = serializers.CharField(required=False)
    asset = AssetSerializer(required=False, help_text="A part holding an uploaded file")
    filename = serializers.CharField(required=False)
    meta = JSONObjectField(required=False)


class PublicURLSerializer(serializers.Serializer[Any]):
    url = serializers.URLField(help_text="GET it without a key: /api/v1/material/<token>")
    expire_at = serializers.DateTimeField()


class MessageSerializer(serializers.Serializer[Any]):
    """The official SDK's Message (the store answer and each item of format=acontext)."""

    id = serializers.UUIDField()
    session_id = serializers.UUIDField()
    parent_id = serializers.UUIDField(allow_null=True)
    role = serializers.CharField()
    meta = JSONObjectField()
    parts = PartSerializer(many=True)
    task_id = serializers.UUIDField(allow_null=True)
    session_task_process_status = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class SessionEventSerializer(serializers.ModelSerializer[SessionEvent]):
    """The SDK's SessionEvent."""

    session_id = serializers.UUIDField(read_only=True)
    project_id = serializers.UUIDField(source="session.project_id", read_only=True)

    class Meta:
        model = SessionEvent
        fields = ["id", "session_id", "project_id", "type", "data", "created_at", "updated_at"]
        read_only_fields = fields


class SessionEventCreateSerializer(serializers.Serializer[Any]):
    type = StrictCharField(
        max_length=EVENT_TYPE_MAX_LENGTH, help_text="text_event, disk_event or your own"
    )
    # A field named data hides Serializer.data only on the class body DRF's metaclass reads.
    data = JSONObjectField()  # type: ignore[assignment]


class SessionEventPageSerializer(serializers.Serializer[Any]):
    """Documentation of GET /session/{id}/events (EventKeysetPagination builds the dict)."""

    items = SessionEventSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    has_more = serializers.BooleanField()


class TokenCountsSerializer(serializers.Serializer[Any]):
    total_tokens = serializers.IntegerField(
        help_text="o200k_base tokens of every message, counted as Acontext counts them"
    )


class SessionCopySerializer(serializers.Serializer[Any]):
    old_session_id = serializers.UUIDField()
    new_session_id = serializers.UUIDField()


class TaskPageSerializer(serializers.Serializer[Any]):
    """This server tracks no tasks: the page is always empty."""

    items = serializers.ListField(child=JSONObjectField(), max_length=0)
    next_cursor = serializers.CharField(allow_null=True)
    has_more = serializers.BooleanField()


class FlushSerializer(serializers.Serializer[Any]):
    status = serializers.IntegerField(help_text="0: nothing was waiting to be processed")
    errmsg = serializers.CharField(allow_blank=True)


class ObservingStatusSerializer(serializers.Serializer[Any]):
    """Messages by task-tracking state: all zero, since this server tracks no tasks."""

    observed = serializers.IntegerField()
    in_process = serializers.IntegerField()
    pending = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class ConversionWarningSerializer(serializers.Serializer[Any]):
    message_id = serializers.UUIDField()
    part_index = serializers.IntegerField(allow_null=True)
    code = serializers.CharField()
    detail = serializers.CharField()


class MessagePageSerializer(serializers.Serializer[Any]):
    """Documentation of GET /session/{id}/messages (the view builds the dict directly)."""

    items = serializers.ListField(
        child=JSONObjectField(), help_text="Messages in the requested format"
    )
    ids = serializers.ListField(child=serializers.UUIDField())
    metas = serializers.ListField(child=JSONObjectField())
    sources = serializers.ListField(
        child=serializers.ListField(child=serializers.UUIDField()),
        help_text="The stored messages each item was built from",
    )
    next_cursor = serializers.CharField(allow_null=True)
    has_more = serializers.BooleanField()
    this_time_tokens = serializers.IntegerField(
        help_text="o200k_base tokens of what was read, after edits"
    )
    edit_at_message_id = serializers.UUIDField(
        allow_null=True,
        help_text="The pin when it was read, else the last message read (null: none read)",
    )
    events = SessionEventSerializer(
        many=True, required=False, help_text="With with_events=true only"
    )
    public_urls = serializers.DictField(
        child=PublicURLSerializer(),
        required=False,
        help_text="format=acontext with with_asset_public_url (the default), when uploaded "
        "files were read: a link to each, by sha256",
    )
    warnings = ConversionWarningSerializer(many=True)
    system = serializers.JSONField(
        allow_null=True, help_text="The separate system prompt of anthropic and gemini"
    )


class SessionPageSerializer(serializers.Serializer[Any]):
    """Documentation of GET /session (SessionKeysetPagination builds the dict)."""

    items = SessionSerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Pass as cursor for the next page; null on the last page"
    )
    has_more = serializers.BooleanField()


class MetaResponseSerializer(serializers.Serializer[Any]):
    meta = JSONObjectField()


# Search (an extension: the Acontext SDKs have no search) ---------------------------------


class SearchQuerySerializer(QuerySerializer):
    q = serializers.CharField(
        max_length=search.QUERY_MAX_CHARS,
        help_text='Words and "quoted phrases"; a message must contain all of them (case does '
        "not matter)",
    )
    limit = serializers.IntegerField(
        min_value=1, max_value=search.SEARCH_PAGE_MAX, default=search.SEARCH_PAGE_DEFAULT
    )
    cursor = serializers.CharField(required=False, help_text="next_cursor of the previous page")

    def validate_q(self, value: str) -> str:
        try:
            search.parse_query(value)
        except search.InvalidSearchQuery as invalid:
            raise serializers.ValidationError(str(invalid)) from None
        return value


class SearchHitSerializer(serializers.Serializer[Any]):
    """A message that contains the query."""

    session_id = serializers.UUIDField()
    message_id = serializers.UUIDField(help_text="`ids[i]` of a message page")
    seq = serializers.IntegerField(help_text="Its position in the session: 1, 2, 3...")
    role = serializers.CharField(
        help_text="user or assistant, or the role the stored format gave it (system, tool...)"
    )
    format = serializers.CharField(help_text="The format it was stored in")
    created_at = serializers.DateTimeField()
    highlight = serializers.CharField(
        help_text="HTML: an excerpt of its text (text parts, tool calls' names and arguments, "
        "tool results), every character escaped, the matches in <mark> elements"
    )


class SearchPageSerializer(serializers.Serializer[Any]):
    """Newest first."""

    items = SearchHitSerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Pass as cursor for the next page; null on the last page"
    )
    has_more = serializers.BooleanField()
