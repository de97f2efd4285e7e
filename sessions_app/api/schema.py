"""The OpenAPI description of /api/v1, in one place.

drf-spectacular reads most of the schema from the views and serializers. What it cannot see is
described here: the envelope every answer travels in (``responses.envelope`` and
``errors.api_exception_handler`` build it around the serializers' data), the errors each
operation can answer, and examples that Swagger UI's "Try it out" can send as they are. The
views apply the ``extend_schema`` decorators defined at the end of this module.
"""

from collections.abc import Sequence
from functools import cache
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers

from .pagination import PageQuerySerializer
from .serializers import (
    ConfigsSerializer,
    FlushSerializer,
    MessagePageQuerySerializer,
    MessagePageSerializer,
    MessageSerializer,
    MessageStoreFormSerializer,
    MessageStoreSerializer,
    MetaResponseSerializer,
    MetaSerializer,
    ObservingStatusSerializer,
    SearchPageSerializer,
    SearchQuerySerializer,
    SessionCopySerializer,
    SessionCreateSerializer,
    SessionEventCreateSerializer,
    SessionEventPageSerializer,
    SessionEventSerializer,
    SessionPageSerializer,
    SessionSerializer,
    TaskPageSerializer,
    TokenCountsSerializer,
)

# The envelope -----------------------------------------------------------------------------


@extend_schema_field({"type": "integer", "enum": [0]})
class SuccessCodeField(serializers.IntegerField):
    pass


# OpenAPI 3.0 has no null type, so "always null" is a nullable object with a description
# (drf-spectacular's enum post-processing drops a null-only enum).
@extend_schema_field({"type": "object", "nullable": True})
class NullField(serializers.Field[None, None, None, Any]):
    pass


class NoDataSerializer(serializers.Serializer[Any]):
    """Stands for an answer whose ``data`` is null (ping, DELETE)."""


@cache
def enveloped(data: type[serializers.Serializer[Any]]) -> type[serializers.Serializer[Any]]:
    """``{"code": 0, "data": <data>, "msg": ""}``, as a component named ``<Data>Envelope``.

    Cached so that every operation answering the same data refers to one component (two
    classes with one component name would make drf-spectacular warn).
    """
    name = data.__name__.removesuffix("Serializer")
    no_data = data is NoDataSerializer
    # Created in wire order: DRF orders declared fields by when they were instantiated.
    fields: dict[str, Any] = {
        "__doc__": f"The success envelope around {'null' if no_data else name}.",
        "code": SuccessCodeField(help_text="0 on success"),
        "data": NullField(help_text="Always null") if no_data else data(),
        "msg": serializers.CharField(help_text='Empty on success ("pong" from ping)'),
    }
    envelope = type(f"{name}EnvelopeSerializer", (serializers.Serializer,), fields)
    # many=False: the session list is one envelope around a page, not a list to paginate.
    return extend_schema_serializer(many=False)(envelope)


class ErrorEnvelopeSerializer(serializers.Serializer[Any]):
    """Every failure: the HTTP status again, a message for people, a short code for programs."""

    code = serializers.IntegerField(help_text="The HTTP status")
    msg = serializers.CharField(
        help_text="What went wrong, starting with the offending field path when there is one"
    )
    error = serializers.CharField(
        help_text="invalid_request, invalid_message, unknown_format, not_authenticated, "
        "authentication_failed, not_found, session_exists, payload_too_large, "
        "unsupported_media_type, ..."
    )


def _error(status: int, msg: str, error: str) -> dict[str, Any]:
    return {"code": status, "msg": msg, "error": error}


ERRORS: dict[int, tuple[str, dict[str, Any]]] = {
    400: (
        "Invalid input; msg names the field path",
        _error(400, "session_id: Must be a valid UUID.", "invalid_request"),
    ),
    401: (
        "Missing, unknown or revoked API key",
        _error(401, "Authentication credentials were not provided.", "not_authenticated"),
    ),
    404: (
        "No such session (or message) in this project; another project's looks missing too",
        _error(404, "session not found", "not_found"),
    ),
    409: (
        "A session with this use_uuid already exists; nothing was changed",
        _error(
            409,
            "use_uuid: session 3fa85f64-5717-4562-b3fc-2c963f66afa6 already exists",
            "session_exists",
        ),
    ),
    413: (
        "The body, the meta object, an uploaded file, or a session to copy is larger than the"
        " server accepts",
        _error(
            413,
            "meta: 70000 bytes when serialized; the limit is 65536 bytes",
            "payload_too_large",
        ),
    ),
    415: (
        "The body is not application/json (nor, where files are taken, multipart/form-data)",
        _error(
            415,
            'unsupported media type "text/plain": send the body as application/json'
            " (or, to upload files with a message, as multipart/form-data)",
            "unsupported_media_type",
        ),
    ),
}

READ_ERRORS = (400, 401, 404)
WRITE_ERRORS = (400, 401, 404, 413, 415)


def _responses(
    status: int,
    data: type[serializers.Serializer[Any]],
    errors: Sequence[int],
    *,
    description: str = "",
    bad_request: dict[str, Any] | None = None,
) -> dict[int, OpenApiResponse]:
    responses = {status: OpenApiResponse(enveloped(data), description=description or "Success")}
    for code in errors:
        error_description, example = ERRORS[code]
        if code == 400 and bad_request is not None:
            example = bad_request
        responses[code] = OpenApiResponse(
            ErrorEnvelopeSerializer,
            description=error_description,
            examples=[OpenApiExample(example["error"], value=example)],
        )
    return responses


# Parameters -------------------------------------------------------------------------------

SESSION_ID = OpenApiParameter(
    "session_id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="The session's id (a malformed id is a 400)",
)
MESSAGE_ID = OpenApiParameter(
    "message_id",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="The stored message's id (`ids[i]` of a message page)",
)
# django-filter cannot tell that this filter takes JSON; without this it is an untyped schema.
FILTER_BY_CONFIGS = OpenApiParameter(
    "filter_by_configs",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    description='A JSON object the session configs must contain, e.g. `{"agent": "bot1"}`',
)

# Examples ---------------------------------------------------------------------------------

# No use_uuid: an example that names an id could be executed only once, then answers 409.
SESSION_CREATE_EXAMPLE = OpenApiExample(
    "A session for an end user",
    value={"user": "alice@example.com", "configs": {"agent": "travel-bot"}},
    request_only=True,
)

# One message in each format the API stores; tests store every one of them.
MESSAGE_STORE_EXAMPLES = [
    OpenApiExample(
        "OpenAI",
        value={"format": "openai", "blob": {"role": "user", "content": "Hello!"}},
        request_only=True,
    ),
    OpenApiExample(
        "Anthropic",
        value={
            "format": "anthropic",
            "blob": {"role": "user", "content": [{"type": "text", "text": "Hello!"}]},
        },
        request_only=True,
    ),
    OpenApiExample(
        "Gemini",
        value={"format": "gemini", "blob": {"role": "user", "parts": [{"text": "Hello!"}]}},
        request_only=True,
    ),
    OpenApiExample(
        "Acontext",
        value={
            "format": "acontext",
            "blob": {"role": "user", "parts": [{"type": "text", "text": "Hello!"}]},
            "meta": {"source": "web"},
        },
        request_only=True,
    ),
    OpenApiExample(
        "OpenAI Responses",
        value={
            "format": "openai_responses",
            "blob": {
                "type": "function_call",
                "call_id": "call_1",
                "name": "get_weather",
                "arguments": '{"city": "Paris"}',
            },
        },
        request_only=True,
    ),
]


# What a 400 of each operation typically says (the default is a malformed session_id).
INVALID_LIST_QUERY = _error(
    400, "limit: Ensure this value is less than or equal to 200.", "invalid_request"
)
INVALID_USE_UUID = _error(400, "use_uuid: Must be a valid UUID.", "invalid_request")
INVALID_CONFIGS = _error(400, "configs: Must be a JSON object.", "invalid_request")
UNKNOWN_FORMAT = _error(
    400,
    "format: unknown format 'xml'; expected one of openai, anthropic, gemini, acontext, "
    "openai_responses",
    "unknown_format",
)
INVALID_BLOB = _error(400, "blob.content[1].image_url: is required", "invalid_message")
INVALID_META = _error(400, "meta: Must be a JSON object.", "invalid_request")
INVALID_EDIT_STRATEGY = _error(
    400,
    "edit_strategies[0].params.limit_tokens: is required for token_limit",
    "invalid_edit_strategy",
)
INVALID_EVENT = _error(400, "data: Must be a JSON object.", "invalid_request")

# Operations -------------------------------------------------------------------------------

HEALTH, SESSIONS, CONFIGS, MESSAGES = "health", "sessions", "configs", "messages"
EVENTS, TASKS = "events", "tasks"

ping = extend_schema(
    operation_id="ping",
    summary="Check that the server answers (no key needed)",
    tags=[HEALTH],
    responses={
        200: OpenApiResponse(
            enveloped(NoDataSerializer),
            description="Always pong",
            examples=[OpenApiExample("pong", value={"code": 0, "data": None, "msg": "pong"})],
        )
    },
)

list_sessions = extend_schema(
    operation_id="list_sessions",
    summary="List the project's sessions",
    description="Oldest first (newest first with `time_desc=true`), one page at a time: pass "
    "the page's `next_cursor` as `cursor` for the next one.",
    tags=[SESSIONS],
    parameters=[FILTER_BY_CONFIGS],
    responses=_responses(200, SessionPageSerializer, (400, 401), bad_request=INVALID_LIST_QUERY),
)

create_session = extend_schema(
    operation_id="create_session",
    summary="Create a session",
    tags=[SESSIONS],
    request=SessionCreateSerializer,
    examples=[SESSION_CREATE_EXAMPLE],
    responses=_responses(
        201, SessionSerializer, (400, 401, 409, 413, 415), bad_request=INVALID_USE_UUID
    ),
)

get_session = extend_schema(
    operation_id="get_session",
    summary="Get a session",
    tags=[SESSIONS],
    parameters=[SESSION_ID],
    responses=_responses(200, SessionSerializer, READ_ERRORS),
)

delete_session = extend_schema(
    operation_id="delete_session",
    summary="Delete a session and all its messages",
    tags=[SESSIONS],
    parameters=[SESSION_ID],
    responses=_responses(
        200, NoDataSerializer, READ_ERRORS, description="The session and its messages are gone"
    ),
)

get_configs = extend_schema(
    operation_id="get_configs",
    summary="Get a session's configs (answers the whole session)",
    tags=[CONFIGS],
    parameters=[SESSION_ID],
    responses=_responses(200, SessionSerializer, READ_ERRORS),
)

replace_configs = extend_schema(
    operation_id="replace_configs",
    summary="Replace a session's configs",
    tags=[CONFIGS],
    parameters=[SESSION_ID],
    request=ConfigsSerializer,
    responses=_responses(200, SessionSerializer, WRITE_ERRORS, bad_request=INVALID_CONFIGS),
)

patch_configs = extend_schema(
    operation_id="patch_configs",
    summary="Merge keys into a session's configs (a null value deletes its key)",
    tags=[CONFIGS],
    parameters=[SESSION_ID],
    request=ConfigsSerializer,
    responses=_responses(200, ConfigsSerializer, WRITE_ERRORS, bad_request=INVALID_CONFIGS),
)

get_messages = extend_schema(
    operation_id="get_messages",
    summary="Read a session's messages in any format",
    description="Messages are converted on read from whatever format they were stored in. "
    "Without `limit` (or with 0) the answer is the whole session; with a limit, a page. "
    "Items are always in conversation order. "
    "`ids[i]`, `metas[i]` and `sources[i]` belong to `items[i]`; `sources` lists the stored "
    "messages an item was built from where conversion merged or split them. Edit strategies "
    "change what is read (never what is stored), the same way for every format; each edit is "
    "listed in `warnings`.",
    tags=[MESSAGES],
    parameters=[SESSION_ID, MessagePageQuerySerializer],
    responses=_responses(
        200, MessagePageSerializer, READ_ERRORS, bad_request=INVALID_EDIT_STRATEGY
    ),
)

store_message = extend_schema(
    operation_id="store_message",
    summary="Store a message (validated against its format, kept verbatim)",
    tags=[MESSAGES],
    parameters=[SESSION_ID],
    description="JSON, or a multipart form (the SDKs' file uploads): the JSON as the "
    "`payload` field and one form field per file, named by its part's `file_field`. A file is "
    "stored once per project for identical content; its part is stored with its `asset` and "
    "`filename`. A part naming a missing file, or a file no part names, is a 400; a file "
    "larger than the server's limit a 413; nothing is stored on any error.",
    request={
        "application/json": MessageStoreSerializer,
        "multipart/form-data": MessageStoreFormSerializer,
    },
    examples=MESSAGE_STORE_EXAMPLES,
    responses=_responses(201, MessageSerializer, WRITE_ERRORS, bad_request=INVALID_BLOB),
)

material = extend_schema(
    operation_id="get_material",
    summary="Download an uploaded file by its expiring link (no key needed)",
    description="The links of `public_urls` (and of files too large to inline in a provider "
    "format) point here. The token is signed and names one file of one project; it opens "
    "nothing else, and nothing at all once expired or altered.",
    tags=[MESSAGES],
    parameters=[
        OpenApiParameter(
            "token",
            OpenApiTypes.STR,
            OpenApiParameter.PATH,
            description="The token of a link in public_urls",
        ),
        OpenApiParameter(
            "Range",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            description="One range of bytes, `bytes=first-last`, `bytes=first-` or "
            "`bytes=-count` (as media players seek); anything else, several ranges "
            "included, is ignored and the whole file given",
        ),
        OpenApiParameter(
            "If-Range",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            description="The range only if this is still the file's ETag; else the whole file",
        ),
        OpenApiParameter(
            "If-None-Match",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            description="304 if it holds the file's ETag (its SHA-256 in quotes)",
        ),
    ],
    responses={
        (200, "*/*"): OpenApiResponse(
            OpenApiTypes.BINARY,
            description="The file, with the type sniffed when stored; its ETag is its "
            "SHA-256 in quotes",
        ),
        (206, "*/*"): OpenApiResponse(
            OpenApiTypes.BINARY,
            description="The bytes a Range asked for, named by Content-Range",
        ),
        304: OpenApiResponse(description="Not modified: If-None-Match held the ETag"),
        416: OpenApiResponse(
            description="The range starts past the file's end; Content-Range: bytes */size"
        ),
        404: OpenApiResponse(
            ErrorEnvelopeSerializer,
            description="A wrong, altered or expired link, or a file no longer stored",
            examples=[
                OpenApiExample(
                    "not_found",
                    value=_error(
                        404,
                        "material not found (the link is wrong or has expired)",
                        "not_found",
                    ),
                )
            ],
        ),
    },
)

patch_message_meta = extend_schema(
    operation_id="patch_message_meta",
    summary="Merge keys into a message's meta (a null value deletes its key)",
    tags=[MESSAGES],
    parameters=[SESSION_ID, MESSAGE_ID],
    request=MetaSerializer,
    responses=_responses(200, MetaResponseSerializer, WRITE_ERRORS, bad_request=INVALID_META),
)

token_counts = extend_schema(
    operation_id="get_token_counts",
    summary="Count a session's tokens (o200k_base, as Acontext counts them)",
    tags=[MESSAGES],
    parameters=[SESSION_ID],
    responses=_responses(200, TokenCountsSerializer, READ_ERRORS),
)

copy_session = extend_schema(
    operation_id="copy_session",
    summary="Copy a session: same user and configs, its messages and events with new ids",
    tags=[SESSIONS],
    parameters=[SESSION_ID],
    request=None,
    responses=_responses(200, SessionCopySerializer, (400, 401, 404, 413)),
)

list_events = extend_schema(
    operation_id="get_events",
    summary="List a session's events",
    tags=[EVENTS],
    parameters=[SESSION_ID, PageQuerySerializer],
    responses=_responses(200, SessionEventPageSerializer, READ_ERRORS),
)

add_event = extend_schema(
    operation_id="add_event",
    summary="Add an event to a session",
    tags=[EVENTS],
    parameters=[SESSION_ID],
    request=SessionEventCreateSerializer,
    examples=[
        OpenApiExample(
            "A text event",
            value={"type": "text_event", "data": {"text": "the user switched to French"}},
            request_only=True,
        )
    ],
    responses=_responses(200, SessionEventSerializer, WRITE_ERRORS, bad_request=INVALID_EVENT),
)

list_tasks = extend_schema(
    operation_id="get_tasks",
    summary="List a session's tasks (always empty: this server tracks no tasks)",
    tags=[TASKS],
    parameters=[SESSION_ID, PageQuerySerializer],
    responses=_responses(200, TaskPageSerializer, READ_ERRORS),
)

flush = extend_schema(
    operation_id="flush",
    summary="Flush a session's task tracking (nothing to do here: always status 0)",
    tags=[TASKS],
    parameters=[SESSION_ID],
    request=None,
    responses=_responses(200, FlushSerializer, READ_ERRORS),
)

observing_status = extend_schema(
    operation_id="messages_observing_status",
    summary="Messages by task-tracking state (all zero: this server tracks no tasks)",
    tags=[TASKS],
    parameters=[SESSION_ID],
    responses=_responses(200, ObservingStatusSerializer, READ_ERRORS),
)

INVALID_SEARCH_QUERY = _error(400, "q: has no words to search for", "invalid_request")

search_messages = extend_schema(
    operation_id="search_messages",
    summary="Search the text of the project's messages (an extension; not in the SDKs)",
    description="Full-text search over every message of the key's project: text, tool calls' "
    'names and arguments, tool results. Words and "quoted phrases" must all appear, case '
    "aside; whole words only (no stemming, no prefixes). Newest messages first, one page at "
    "a time: pass the page's `next_cursor` as `cursor` for the next one. Each item names the "
    "session and the message, with an excerpt as HTML: escaped, the matches in `<mark>`.",
    tags=["search"],
    parameters=[SearchQuerySerializer],
    responses=_responses(200, SearchPageSerializer, (400, 401), bad_request=INVALID_SEARCH_QUERY),
)
