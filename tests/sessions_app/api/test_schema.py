import pytest
from openapi_spec_validator import validate
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi_and_lists_every_endpoint():
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert sorted(schema["paths"]) == [
        "/api/v1/ping",
        "/api/v1/session",
        "/api/v1/session/{session_id}",
        "/api/v1/session/{session_id}/configs",
        "/api/v1/session/{session_id}/messages",
        "/api/v1/session/{session_id}/messages/{message_id}/meta",
    ]


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_documentation_pages_answer_with_local_assets(path):
    response = APIClient().get(path)

    assert response.status_code == 200
    assert b"/static/drf_spectacular_sidecar/" in response.content
