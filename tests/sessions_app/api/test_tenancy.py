"""A key of one project cannot tell another project's sessions from missing ones."""

import json

import pytest

from sessions_app import services
from sessions_app.models import Message, Session

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/api/v1/session/{session}", None),
    ("delete", "/api/v1/session/{session}", None),
    ("get", "/api/v1/session/{session}/configs", None),
    ("put", "/api/v1/session/{session}/configs", {"configs": {"stolen": True}}),
    ("patch", "/api/v1/session/{session}/configs", {"configs": {"stolen": True}}),
    ("get", "/api/v1/session/{session}/messages", None),
    ("post", "/api/v1/session/{session}/messages", {"blob": {"role": "user", "content": "x"}}),
    ("patch", "/api/v1/session/{session}/messages/{message}/meta", {"meta": {"stolen": True}}),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_another_projects_session_is_not_found(api, foreign_session, method, path, body):
    message = services.message_store(
        session=foreign_session, blob={"role": "user", "content": "secret"}, meta={"m": 1}
    )
    url = path.format(session=foreign_session.id, message=message.id)

    if body is None:
        response = getattr(api, method)(url)
    else:
        response = getattr(api, method)(url, data=json.dumps(body), content_type="application/json")

    assert response.status_code == 404
    assert response.json() == {"code": 404, "msg": "session not found", "error": "not_found"}
    foreign_session.refresh_from_db()
    assert foreign_session.configs == {"owner": "globex"}
    assert list(Message.objects.values_list("id", "meta")) == [(message.id, {"m": 1})]


def test_listing_shows_only_the_callers_sessions(api, session, foreign_session):
    response = api.get("/api/v1/session")

    assert [item["id"] for item in response.json()["data"]["items"]] == [str(session.id)]


def test_filtering_by_another_projects_configs_finds_nothing(api, foreign_session):
    response = api.get("/api/v1/session", {"filter_by_configs": '{"owner": "globex"}'})

    assert response.json()["data"]["items"] == []
    assert Session.objects.count() == 1
