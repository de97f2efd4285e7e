from typing import Any

from rest_framework.response import Response


def envelope(data: Any, *, status: int = 200, msg: str = "") -> Response:
    """A success in the Acontext envelope; errors get theirs from errors.api_exception_handler."""
    return Response({"code": 0, "data": data, "msg": msg}, status=status)
