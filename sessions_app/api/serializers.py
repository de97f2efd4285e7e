"""Request parsing and response shapes. The wire names are the official SDK's."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

import conversion
from sessions_app.models import Session

from .pagination import (
    MESSAGE_PAGE_SIZE_DEFAULT,
    MESSAGE_PAGE_SIZE_MAX,
    PageQuerySerializer,
)


@extend_schema_field(OpenApiTypes.OBJECT)
class JSONObjectField(serializers.JSONField):
    default_error_messages = {"not_an_object": "Must be a JSON object."}

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        if not isinstance(value, dict):
            self.fail("not_an_object")
        return value


# Documented with its values, but checked by the service (conversion.check_format), whose
# message lists the formats: a ChoiceField would answer a different error.
@extend_schema_field({"type": "string", "enum": list(conversion.FORMATS)})
class MessageFormatField(serializers.CharField):
    pass


# Sessions ---------------------------------------------------------------------------------


class SessionSerializer(serializers.ModelSerializer[Session]):
    project_id = serializers.UUIDField(read_only=True)
    user_id = serializers.SerializerMethodField()
    configs = JSONObjectField(read_only=True)

    class Meta:
        model = Session
        fields = [
            "id",
            "project_id",
            "user_id",
            "disable_task_tracking",
            "configs",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_user_id(self, session: Session) -> str | None:
        return session.user or None


class SessionCreateSerializer(serializers.Serializer[Any]):
    use_uuid = serializers.UUIDField(
        required=False, help_text="Create the session with this id; 409 if it exists."
    )
    user = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")
    configs = JSONObjectField(required=False, default=dict)
    disable_task_tracking = serializers.BooleanField(required=False, default=False)


class ConfigsSerializer(serializers.Serializer[Any]):
    configs = JSONObjectField(help_text="PATCH: keys to set; a null value deletes the key.")


# Messages ---------------------------------------------------------------------------------


class MessageStoreSerializer(serializers.Serializer[Any]):
    blob = serializers.JSONField(help_text="One message in the given format, stored verbatim.")
    format = MessageFormatField(default="openai", help_text="The format of blob")
    meta = JSONObjectField(required=False, allow_null=True, default=None)


class MetaSerializer(serializers.Serializer[Any]):
    meta = JSONObjectField(help_text="PATCH: keys to set; a null value deletes the key.")


class MessagePageQuerySerializer(PageQuerySerializer):
    limit = serializers.IntegerField(
        min_value=1, max_value=MESSAGE_PAGE_SIZE_MAX, default=MESSAGE_PAGE_SIZE_DEFAULT
    )
    format = MessageFormatField(default="openai", help_text="The format to return")


class PartSerializer(serializers.Serializer[Any]):
    type = serializers.CharField()
    text = serializers.CharField(required=False)
    filename = serializers.CharField(required=False)
    meta = JSONObjectField(required=False)


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
    this_time_tokens = serializers.IntegerField()
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
