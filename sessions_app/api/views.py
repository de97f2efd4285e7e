"""The /api/v1 endpoints. Each view parses, authenticates, calls one service, serializes."""

import time
import uuid
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sessions_app import assets, search, services
from sessions_app.models import Message, Session, SessionEvent, iso8601

from . import schema
from .authentication import request_project
from .filters import SessionFilter
from .json import OrjsonParser, loads_request_json
from .pagination import (
    EventKeysetPagination,
    PageQuerySerializer,
    SessionKeysetPagination,
    decode_message_cursor,
    decode_time_cursor,
    encode_cursor,
)
from .responses import envelope
from .serializers import (
    ConfigsSerializer,
    MessagePageQuerySerializer,
    MessageStoreSerializer,
    MetaSerializer,
    SearchQuerySerializer,
    SessionCreateSerializer,
    SessionEventCreateSerializer,
    SessionEventSerializer,
    SessionSerializer,
)


def parse_uuid(value: str, *, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationError({field: "Must be a valid UUID."}) from None


def validated(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def message_page_data(
    session: Session, query_params: Any, link: assets.LinkMaker
) -> dict[str, Any]:
    """The ``data`` of GET /session/{id}/messages: validate the query, read and convert.

    The HTML pages' download calls this too, so that a downloaded file is byte for byte what
    the API answers (orjson keeps key order, so the order here is part of those bytes).
    """
    query = validated(MessagePageQuerySerializer, query_params)
    cursor = query.get("cursor")
    pin = query.get("pin_editing_strategies_at_message")
    page = services.session_messages_converted(
        session=session,
        target_format=query["format"],
        limit=query["limit"] or None,
        cursor_seq=decode_message_cursor(cursor) if cursor is not None else None,
        newest_first=query["time_desc"],
        strategies=query.get("edit_strategies", ()),
        pin=str(pin) if pin is not None else None,
        with_events=query["with_events"],
        with_asset_public_url=query["with_asset_public_url"],
        link=link,
    )
    data = {
        "items": page.items,
        "ids": page.ids,
        "metas": page.metas,
        "sources": page.sources,
        "next_cursor": encode_cursor(page.next_cursor_seq)
        if page.next_cursor_seq is not None
        else None,
        "has_more": page.has_more,
        "this_time_tokens": page.this_time_tokens,
        "edit_at_message_id": page.edit_at_message_id,
        "warnings": [warning.as_dict() for warning in page.warnings],
        "system": page.system,
    }
    if page.public_urls is not None:
        data["public_urls"] = page.public_urls
    if page.events is not None:
        data["events"] = SessionEventSerializer(page.events, many=True).data
    return data


def message_store_fields(request: Request) -> tuple[Any, dict[str, "UploadedFile[bytes]"] | None]:
    """The store's JSON fields and, from a multipart form, its files by field name: the SDKs
    send ``payload`` (the JSON as text) and one form field per file."""
    if not request.content_type.startswith("multipart/form-data"):
        return request.data, None
    payload = request.POST.get("payload")
    if payload is None:
        raise ValidationError(
            {"payload": "is required: the message's JSON ({blob, format, meta}) as text"}
        )
    uploads = {}
    for field in request.FILES:
        files = request.FILES.getlist(field)
        if len(files) > 1:
            raise ValidationError({field: "holds more than one file; a part names one file"})
        uploads[field] = files[0]
    return loads_request_json(payload.encode(), "payload"), uploads


class PingView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @schema.ping
    def get(self, request: Request) -> Response:
        return envelope(None, msg="pong")


class MaterialView(APIView):
    """An uploaded file by its signed, expiring link: no key (the token is the permission),
    the type sniffed when it was stored, never sniffed again by the browser."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @schema.material
    def get(self, request: Request, token: str) -> HttpResponseBase:
        material = assets.material_of_token(token)
        if material is None:
            raise NotFound("material not found (the link is wrong or has expired)")
        response = assets.file_response(request, material.asset, material.filename)
        if response is None:
            raise NotFound("material not found (the file is no longer stored)")
        # A browser may keep it while the link lasts, not longer.
        lasts = max(0, material.expires - int(time.time()))
        response["Cache-Control"] = f"private, max-age={lasts}"
        return response


class SearchView(APIView):
    """Full-text search in the key's project (an extension: the SDKs have no search)."""

    permission_classes = [IsAuthenticated]

    @schema.search_messages
    def get(self, request: Request) -> Response:
        query = validated(SearchQuerySerializer, request.query_params)
        cursor = query.get("cursor")
        page = search.message_search(
            query=query["q"],
            project_ids=[request_project(request).pk],
            limit=query["limit"],
            after=decode_time_cursor(cursor) if cursor is not None else None,
        )
        next_after = page.next_after
        return envelope(
            {
                "items": [
                    {
                        "session_id": hit.session_id,
                        "message_id": hit.message_id,
                        "seq": hit.seq,
                        "role": hit.role,
                        "format": hit.format,
                        "created_at": iso8601(hit.created_at),
                        "highlight": hit.highlight,
                    }
                    for hit in page.hits
                ],
                "next_cursor": encode_cursor(iso8601(next_after[0]), str(next_after[1]))
                if next_after is not None
                else None,
                "has_more": next_after is not None,
            }
        )


class SessionViewSet(viewsets.GenericViewSet[Session]):
    queryset = Session.objects.all()
    serializer_class = SessionSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = SessionKeysetPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = SessionFilter
    lookup_url_kwarg = "session_id"
    lookup_value_regex = "[^/]+"  # anything, so a malformed id is a 400, not an unknown URL

    def get_queryset(self) -> QuerySet[Session]:
        # Tenancy: the list is the key's project's sessions, and get_object looks a session up
        # within that project, so another project's session is simply not found.
        return Session.objects.filter(project=request_project(self.request))

    def get_object(self) -> Session:
        session_id = parse_uuid(self.kwargs[self.lookup_url_kwarg], field="session_id")
        session = Session.objects.of_project(request_project(self.request).pk, session_id)
        if session is None:
            raise NotFound("session not found")
        return session

    @schema.list_sessions
    def list(self, request: Request) -> Response:
        sessions = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(SessionSerializer(sessions, many=True).data)

    @schema.create_session
    def create(self, request: Request) -> Response:
        fields = validated(SessionCreateSerializer, request.data)
        session = services.session_create(project=request_project(request), **fields)
        return envelope(SessionSerializer(session).data, status=201)

    @schema.get_session
    def retrieve(self, request: Request, session_id: str) -> Response:
        return envelope(SessionSerializer(self.get_object()).data)

    @schema.delete_session
    def destroy(self, request: Request, session_id: str) -> Response:
        services.session_delete(session=self.get_object())
        return envelope(None)

    # Configs ----------------------------------------------------------------------------

    @schema.get_configs
    @action(detail=True, methods=["get"])
    def configs(self, request: Request, session_id: str) -> Response:
        return envelope(SessionSerializer(self.get_object()).data)

    @schema.replace_configs
    @configs.mapping.put
    def configs_replace(self, request: Request, session_id: str) -> Response:
        session = self.get_object()
        fields = validated(ConfigsSerializer, request.data)
        session = services.session_configs_replace(session=session, configs=fields["configs"])
        return envelope(SessionSerializer(session).data)

    @schema.patch_configs
    @configs.mapping.patch
    def configs_patch(self, request: Request, session_id: str) -> Response:
        session = self.get_object()
        fields = validated(ConfigsSerializer, request.data)
        session = services.session_configs_patch(session=session, changes=fields["configs"])
        return envelope({"configs": session.configs})

    # Messages ---------------------------------------------------------------------------

    @schema.get_messages
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        pagination_class=None,
        # The store takes JSON, or a multipart form with files (the SDKs' file uploads).
        parser_classes=[OrjsonParser, MultiPartParser],
    )
    def messages(self, request: Request, session_id: str) -> Response:
        link = assets.request_link_maker(request)
        return envelope(message_page_data(self.get_object(), request.query_params, link))

    @schema.store_message
    @messages.mapping.post
    def message_store(self, request: Request, session_id: str) -> Response:
        # No session lookup first: the append checks the session and its project itself
        # (SessionNotFound is a 404), so that a store is the key's query and one statement.
        session_pk = parse_uuid(session_id, field="session_id")
        data, uploads = message_store_fields(request)
        fields = validated(MessageStoreSerializer, data)
        message = services.message_append(
            project_id=request_project(request).pk,
            session_id=session_pk,
            uploads=uploads,
            **fields,
        )
        return envelope(
            message.as_acontext(
                role=message.canonical["role"],
                parts=message.canonical["parts"],
                meta=message.meta,
            ),
            status=201,
        )

    # Tokens, copies ---------------------------------------------------------------------

    @schema.token_counts
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def token_counts(self, request: Request, session_id: str) -> Response:
        return envelope({"total_tokens": services.session_token_count(session=self.get_object())})

    @schema.copy_session
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def copy(self, request: Request, session_id: str) -> Response:
        original = self.get_object()
        copy = services.session_copy(session=original)
        return envelope({"old_session_id": str(original.pk), "new_session_id": str(copy.pk)})

    # Events -----------------------------------------------------------------------------

    @schema.list_events
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def events(self, request: Request, session_id: str) -> Response:
        session = self.get_object()
        paginator = EventKeysetPagination()
        events = paginator.paginate_queryset(
            SessionEvent.objects.filter(session=session).select_related("session"), request
        )
        return paginator.get_paginated_response(SessionEventSerializer(events, many=True).data)

    @schema.add_event
    @events.mapping.post
    def event_add(self, request: Request, session_id: str) -> Response:
        session = self.get_object()
        fields = validated(SessionEventCreateSerializer, request.data)
        event = services.session_event_add(session=session, **fields)
        # 200 as in Acontext, whose SDKs read this answer.
        return envelope(SessionEventSerializer(event).data)

    # Task tracking: not part of this server. The answers say so in the SDK's shapes: no
    # tasks, nothing to flush, no message waiting to be observed.

    @schema.list_tasks
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def task(self, request: Request, session_id: str) -> Response:
        self.get_object()
        query = validated(PageQuerySerializer, request.query_params)
        cursor = query.get("cursor")
        if cursor is not None:
            decode_time_cursor(cursor)  # a task cursor has that form; no task ever gave one
        return envelope({"items": [], "next_cursor": None, "has_more": False})

    @schema.flush
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def flush(self, request: Request, session_id: str) -> Response:
        self.get_object()
        return envelope({"status": 0, "errmsg": ""})

    @schema.observing_status
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def observing_status(self, request: Request, session_id: str) -> Response:
        self.get_object()
        return envelope(
            {"observed": 0, "in_process": 0, "pending": 0, "updated_at": iso8601(timezone.now())}
        )

    @schema.patch_message_meta
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"messages/(?P<message_id>[^/]+)/meta",
        filter_backends=[],
        pagination_class=None,
    )
    def message_meta(self, request: Request, session_id: str, message_id: str) -> Response:
        session = self.get_object()
        message_pk = parse_uuid(message_id, field="message_id")
        message = Message.objects.filter(session=session, pk=message_pk).first()
        if message is None:
            raise NotFound("message not found")
        fields = validated(MetaSerializer, request.data)
        message = services.message_meta_patch(message=message, changes=fields["meta"])
        return envelope({"meta": message.meta})
