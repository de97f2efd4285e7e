"""What never reaches a DRF view still answers in the envelope under /api/."""

import pytest
from django.core.exceptions import RequestDataTooBig
from django.test import RequestFactory, override_settings

from sessions_app.api import errors
from sessions_app.api.errors import api_exception_handler


def test_request_data_too_big_inside_a_view_is_413():
    response = api_exception_handler(RequestDataTooBig("too big"), {})

    assert response is not None
    assert response.status_code == 413
    assert response.data == {
        "code": 413,
        "msg": "request body is larger than the 20971520-byte limit",
        "error": "payload_too_large",
    }


def test_request_data_too_big_from_django_is_413_under_api():
    request = RequestFactory().post("/api/v1/session")

    response = errors.handler400(request, RequestDataTooBig("too big"))

    assert response.status_code == 413
    assert response.content == (
        b'{"code":413,"msg":"request body is larger than the 20971520-byte limit",'
        b'"error":"payload_too_large"}'
    )


def test_server_errors_under_api_are_enveloped():
    response = errors.handler500(RequestFactory().get("/api/v1/session"))

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert (
        response.content == b'{"code":500,"msg":"internal server error","error":"internal_error"}'
    )


@pytest.mark.django_db
@override_settings(ACONTEXT_MAX_BODY_BYTES=10)
def test_body_limit_outside_the_api_is_plain_text(client):
    response = client.post("/admin/login/", data="x" * 100, content_type="text/plain")

    assert response.status_code == 413
    assert response["Content-Type"] == "text/plain"
