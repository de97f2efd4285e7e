"""Keyset pagination: opaque cursors, and the session list's paginator.

A cursor is the position of the last item of a page (url-safe base64 of a small JSON array),
so pages stay stable while new rows arrive, and each page is one indexed range query however
deep it is. Cursors are not secret: every query is also filtered by the caller's project.
"""

import base64
import binascii
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from django.db.models import Q, QuerySet
from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .responses import envelope

PAGE_SIZE_MAX = 200
# A page of messages is one query and one conversion whatever its size (a 1,000-message read
# takes tens of milliseconds on Postgres), so a long conversation fits a few pages. Without a
# limit a read is the whole session, as in Acontext.
MESSAGE_PAGE_SIZE_MAX = 1000


def encode_cursor(*position: str | int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(position)).decode().rstrip("=")


def _decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        position = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeEncodeError):
        raise serializers.ValidationError({"cursor": "Invalid cursor."}) from None
    if not isinstance(position, list):
        raise serializers.ValidationError({"cursor": "Invalid cursor."})
    return position


def decode_message_cursor(cursor: str) -> int:
    match _decode_cursor(cursor):
        case [int(seq)] if seq >= 0:
            return seq
    raise serializers.ValidationError({"cursor": "Invalid cursor."})


def decode_time_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    match _decode_cursor(cursor):
        case [str(created_at), str(session_id)]:
            try:
                moment = datetime.fromisoformat(created_at)
                if moment.tzinfo is not None:
                    return moment, uuid.UUID(session_id)
            except ValueError:
                pass
    raise serializers.ValidationError({"cursor": "Invalid cursor."})


class QuerySerializer(serializers.Serializer[Any]):
    """Query parameters. One given empty (``?format=``) is an error: DRF reads an empty form
    value as absent and would quietly use the default."""

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "get"):
            names = [str(name) for name in self.fields]
            empty = {name: "This field may not be blank." for name in names if data.get(name) == ""}
            if empty:
                raise serializers.ValidationError(empty)
        return super().to_internal_value(data)


class PageQuerySerializer(QuerySerializer):
    # The default is the paginator's.
    limit = serializers.IntegerField(min_value=1, max_value=PAGE_SIZE_MAX, required=False)
    cursor = serializers.CharField(required=False)
    time_desc = serializers.BooleanField(
        default=False, help_text="Newest first when true; oldest first by default."
    )


class CreatedAtKeysetPagination(BasePagination):
    """Pages of rows ordered by (created_at, id), ascending or with time_desc descending."""

    default_limit: int

    def paginate_queryset(
        self,
        queryset: QuerySet[Any, Any] | Sequence[Any],
        request: Request,
        view: APIView | None = None,
    ) -> list[Any]:
        if not isinstance(queryset, QuerySet):
            raise TypeError("SessionKeysetPagination pages a QuerySet")
        query = PageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit: int = query.validated_data.get("limit", self.default_limit)
        newest_first: bool = query.validated_data["time_desc"]
        cursor: str | None = query.validated_data.get("cursor")

        if cursor is not None:
            created_at, row_id = decode_time_cursor(cursor)
            if newest_first:
                after = Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=row_id)
            else:
                after = Q(created_at__gt=created_at) | Q(created_at=created_at, id__gt=row_id)
            queryset = queryset.filter(after)
        ordering = ("-created_at", "-id") if newest_first else ("created_at", "id")
        rows = list(queryset.order_by(*ordering)[: limit + 1])

        self.has_more = len(rows) > limit
        page = rows[:limit]
        last = page[-1] if self.has_more else None
        self.next_cursor = (
            encode_cursor(last.created_at.isoformat(), str(last.id)) if last is not None else None
        )
        return page

    def get_paginated_response(self, data: Any) -> Response:
        return envelope({"items": data, "next_cursor": self.next_cursor, "has_more": self.has_more})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["items", "has_more"],
            "properties": {
                "items": schema,
                "next_cursor": {"type": "string", "nullable": True},
                "has_more": {"type": "boolean"},
            },
        }

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        return [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": PAGE_SIZE_MAX,
                    "default": self.default_limit,
                },
            },
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "minLength": 1},
                "description": "next_cursor of the previous page",
            },
            {
                "name": "time_desc",
                "in": "query",
                "required": False,
                "schema": {"type": "boolean", "default": False},
            },
        ]


class SessionKeysetPagination(CreatedAtKeysetPagination):
    default_limit = 20


class EventKeysetPagination(CreatedAtKeysetPagination):
    default_limit = 50
