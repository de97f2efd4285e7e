"""Every API failure as the envelope the SDKs parse: {"code": status, "msg": ..., "error": ...}.

``code`` repeats the HTTP status, ``msg`` is for people and names the offending field path
(``use_uuid: ...``, ``blob.content[1].image_url: ...``), ``error`` is a short string for
programs.
"""

from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

import conversion
from conversion.json_rules import UnsupportedJSON
from sessions_app.assets import AssetTooLarge
from sessions_app.services import (
    MetaTooLarge,
    SessionAlreadyExists,
    SessionNotFound,
    SessionTooLargeToCopy,
)

API_PATH_PREFIX = "/api/"


def error_body(status: int, msg: str, error: str) -> dict[str, Any]:
    return {"code": status, "msg": msg, "error": error}


def is_api_request(request: HttpRequest) -> bool:
    return request.path.startswith(API_PATH_PREFIX)


def json_error_response(status: int, msg: str, error: str) -> HttpResponse:
    """For the layers below DRF (middleware, Django's error handlers)."""
    return HttpResponse(
        orjson.dumps(error_body(status, msg, error)),
        status=status,
        content_type="application/json",
    )


def body_too_large_message() -> str:
    return f"request body is larger than the {settings.ACONTEXT_MAX_BODY_BYTES}-byte limit"


def _first_validation_error(detail: Any, path: str = "") -> tuple[str, str]:
    """The path and text of the first error in DRF's nested error structure."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == api_settings.NON_FIELD_ERRORS_KEY:
                return _first_validation_error(value, path)
            # ListField and DictField report items by index/key in a dict.
            child = f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}" if path else key
            return _first_validation_error(value, child)
    if isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, str):
                return path, item
            if item:  # many=True reports an empty dict for each valid item
                return _first_validation_error(item, f"{path}[{index}]")
    return path, str(detail)


def _with_path(path: str, message: str) -> str:
    return f"{path}: {message}" if path else message


def _describe(exc: Exception, context: dict[str, Any]) -> tuple[int, str, str] | None:
    """(status, msg, error) for the exceptions the API answers, None for a 500."""
    if isinstance(exc, conversion.InvalidMessage):
        return 400, str(exc), "invalid_message"
    if isinstance(exc, UnsupportedJSON):
        return 400, str(exc), "unsupported_json"
    if isinstance(exc, conversion.InvalidEditStrategy):
        return 400, str(exc), "invalid_edit_strategy"
    if isinstance(exc, SessionTooLargeToCopy):
        return 413, str(exc), "session_too_large"
    if isinstance(exc, conversion.UnknownFormat):
        return 400, _with_path("format", str(exc)), "unknown_format"
    if isinstance(exc, SessionNotFound):
        return 404, "session not found", "not_found"
    if isinstance(exc, SessionAlreadyExists):
        return 409, _with_path("use_uuid", str(exc)), "session_exists"
    if isinstance(exc, AssetTooLarge):
        return 413, str(exc), "payload_too_large"
    if isinstance(exc, MetaTooLarge):
        return 413, _with_path("meta", str(exc)), "payload_too_large"
    if isinstance(exc, RequestDataTooBig):
        return 413, body_too_large_message(), "payload_too_large"
    if isinstance(exc, Http404):
        return 404, "not found", "not_found"
    if isinstance(exc, exceptions.ValidationError):
        path, message = _first_validation_error(exc.detail)
        return 400, _with_path(path, message), "invalid_request"
    if isinstance(exc, exceptions.UnsupportedMediaType):
        request = context.get("request")
        content_type = (request.content_type if request else "").split(";")[0].strip()
        msg = (
            f'unsupported media type "{content_type}": send the body as application/json'
            " (or, to upload files with a message, as multipart/form-data)"
        )
        return exc.status_code, msg, "unsupported_media_type"
    if isinstance(exc, exceptions.APIException):
        return exc.status_code, str(exc.detail), str(exc.default_code)
    return None


def error_message(exc: Exception) -> str:
    """The ``msg`` the API answers for ``exc`` (a 400's message, for the pages' download)."""
    described = _describe(exc, {})
    return described[1] if described is not None else str(exc)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    described = _describe(exc, context)
    if described is None:
        return None  # DRF re-raises; Django answers with handler500
    status, msg, error = described
    headers: dict[str, str] = {}
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)
    if wait is not None:
        headers["Retry-After"] = str(int(wait))
    set_rollback()
    return Response(error_body(status, msg, error), status=status, headers=headers)


# Django's own handlers, for what never reaches a DRF view (unknown URLs, crashes). Pages
# outside /api/ keep Django's HTML answers.


def handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api_request(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return json_error_response(413, body_too_large_message(), "payload_too_large")
    return json_error_response(400, "bad request", "bad_request")


# Exempt: a POST to an unknown path must be a 404, not the CSRF middleware's HTML 403 (API
# clients authenticate with keys, not cookies).
@csrf_exempt
def unknown_api_path(request: HttpRequest) -> HttpResponse:
    return json_error_response(404, f"no API endpoint at {request.path}", "not_found")


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api_request(request):
        return defaults.page_not_found(request, exception)
    return unknown_api_path(request)


def handler500(request: HttpRequest) -> HttpResponse:
    if not is_api_request(request):
        return defaults.server_error(request)
    return json_error_response(500, "internal server error", "internal_error")
