from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .errors import body_too_large_message, is_api_request, json_error_response


class RequestBodyLimitMiddleware:
    """Refuse a body larger than ACONTEXT_MAX_BODY_BYTES from its Content-Length, unread.

    DRF streams JSON bodies straight to the parser, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE
    check, so this is where the limit holds for the API. (Under WSGI a body without a
    Content-Length reads as empty, so the declared length is the whole story.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared_length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared_length = 0  # Django itself reads a malformed length as an empty body
        if declared_length > settings.ACONTEXT_MAX_BODY_BYTES:
            if is_api_request(request):
                return json_error_response(413, body_too_large_message(), "payload_too_large")
            return HttpResponse(body_too_large_message(), status=413, content_type="text/plain")
        return self.get_response(request)


class QueryNulMiddleware:
    """Refuse a query string holding U+0000, for the API and the pages alike.

    No database can compare a text with NUL in it (Postgres refuses the statement), so a NUL
    in any filter or search would otherwise surface as a server error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                message = f"{key.replace(chr(0), '')}: query parameters must not contain NUL"
                if is_api_request(request):
                    return json_error_response(400, message, "invalid_request")
                return HttpResponse(message, status=400, content_type="text/plain")
        return self.get_response(request)
