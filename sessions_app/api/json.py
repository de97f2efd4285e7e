"""JSON in and out through orjson: several times faster than the standard library on the
large, deeply nested message blobs this API moves, and strict (no NaN, no Infinity)."""

from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from django.utils.functional import Promise
from rest_framework.exceptions import ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

from conversion import json_rules


def _serialize_other(value: Any) -> Any:
    if isinstance(value, Promise):  # lazily translated strings in DRF's error messages
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False


class OrjsonRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        return orjson.dumps(data, default=_serialize_other)


class OrjsonParser(BaseParser):
    media_type = "application/json"

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        return loads_request_json(stream.read(), "JSON body")


def loads_request_json(body: bytes, what: str) -> Any:
    """A request's JSON (the body, or a multipart form's ``payload``), under the API's rules."""
    try:
        # Numbers and depth that a later answer could not write back exactly are refused
        # here, for every field (UnsupportedJSON names the path; the error handler answers
        # 400). First, so that no walk below meets deeper nesting than allowed.
        data = json_rules.loads(body)
    except json_rules.UnsupportedJSON:
        raise
    except ValueError as error:  # orjson's, or the standard library's second reading
        raise ParseError(f"malformed {what}: {error}") from None
    # PostgreSQL's jsonb cannot hold U+0000; refuse it up front, on every database, rather
    # than fail at insert time. The byte search keeps the common case free of a tree walk.
    if b"\\u0000" in body and contains_nul(data):
        raise ParseError(f"unsupported {what}: strings must not contain \\u0000")
    return data


class SingleRendererNegotiation(DefaultContentNegotiation):
    """A view with one renderer (every API view: JSON) answers with it whatever the Accept
    header says, as DRF's documentation suggests for a JSON-only API, instead of reading the
    header to find that out, which cost a small answer more than rendering it. Views with a
    choice (the OpenAPI schema: YAML or JSON) still negotiate."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        choices = list(renderers)
        if len(choices) == 1:
            return choices[0], choices[0].media_type
        renderer, media_type = super().select_renderer(request, choices, format_suffix)
        return renderer, media_type
