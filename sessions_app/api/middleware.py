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
