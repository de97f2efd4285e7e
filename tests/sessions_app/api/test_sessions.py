"""POST/GET/DELETE /session and /session/{id}/configs through DRF's test client."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from sessions_app import services
from sessions_app.models import Message, Session, iso8601

pytestmark = pytest.mark.django_db


def session_json(session: Session) -> dict[str, Any]:
    session.refresh_from_db()
    return {
        "id": str(session.id),
        "project_id": str(session.project_id),
        "user_id": session.user or None,
        "space_id": None,
        "disable_task_tracking": session.disable_task_tracking,
        "configs": session.configs,
        "created_at": iso8601(session.created_at),
        "updated_at": iso8601(session.updated_at),
    }


def ok(data, msg: str = "") -> dict[str, Any]:
    return {"code": 0, "data": data, "msg": msg}


def send(api, method: str, path: str, body: object):
    return getattr(api, method)(path, data=json.dumps(body), content_type="application/json")


def test_create_with_defaults(api, project):
    response = send(api, "post", "/api/v1/session", {})

    assert response.status_code == 201
    session = Session.objects.get()
    assert response.json() == ok(session_json(session))
    assert session.project == project
    assert (session.user, session.configs, session.disable_task_tracking) == ("", {}, False)


def test_create_with_a_chosen_uuid(api):
    chosen = "123e4567-e89b-12d3-a456-426614174000"

    response = send(api, "post", "/api/v1/session", {"use_uuid": chosen, "user": "u1"})

    assert response.status_code == 201
    assert response.json()["data"]["id"] == chosen
    assert response.json()["data"]["user_id"] == "u1"


def test_retrieve(api, session):
    response = api.get(f"/api/v1/session/{session.id}")

    assert response.status_code == 200
    assert response.json() == ok(session_json(session))


def test_delete_removes_the_session_and_its_messages(api, project, session):
    services.message_store(session=session, blob={"role": "user", "content": "Hi"})
    kept = services.session_create(project=project)
    services.message_store(session=kept, blob={"role": "user", "content": "Keep me"})

    response = api.delete(f"/api/v1/session/{session.id}")

    assert response.status_code == 200
    assert response.json() == ok(None)
    assert list(Session.objects.all()) == [kept]
    assert list(Message.objects.values_list("session_id", flat=True)) == [kept.id]


def test_configs_get_put_patch(api, session):
    put = send(api, "put", f"/api/v1/session/{session.id}/configs", {"configs": {"a": 1, "b": 2}})
    patch = send(
        api,
        "patch",
        f"/api/v1/session/{session.id}/configs",
        {"configs": {"a": None, "c": {"nested": True}}},
    )
    get = api.get(f"/api/v1/session/{session.id}/configs")

    assert put.status_code == 200
    assert patch.json() == ok({"configs": {"b": 2, "c": {"nested": True}}})
    assert get.json() == ok(session_json(session))
    assert session.configs == {"b": 2, "c": {"nested": True}}


# Listing ----------------------------------------------------------------------------------


@pytest.fixture
def five_sessions(project) -> list[Session]:
    """Five sessions, two of them created in the same microsecond (ties break on id)."""
    sessions = [services.session_create(project=project, user=f"u{i % 2}") for i in range(5)]
    moment = timezone.now() - timedelta(hours=1)
    created = [moment, moment + timedelta(seconds=1), moment + timedelta(seconds=1)]
    created += [moment + timedelta(seconds=2), moment + timedelta(seconds=3)]
    for session, created_at in zip(sessions, created, strict=True):
        Session.objects.filter(pk=session.pk).update(created_at=created_at)
    return sorted(Session.objects.all(), key=lambda session: (session.created_at, str(session.id)))


def list_ids(api, **query) -> tuple[list[str], dict[str, Any]]:
    response = api.get("/api/v1/session", query)
    assert response.status_code == 200
    data = response.json()["data"]
    return [item["id"] for item in data["items"]], data


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 200])
@pytest.mark.parametrize("time_desc", [False, True])
def test_list_pages_visit_every_session_once(api, five_sessions, limit, time_desc):
    visited: list[str] = []
    query = {"limit": limit, "time_desc": str(time_desc).lower()}
    while True:
        ids, data = list_ids(api, **query)
        visited += ids
        if not data["has_more"]:
            break
        query["cursor"] = data["next_cursor"]

    expected = [str(session.id) for session in five_sessions]
    assert visited == (expected[::-1] if time_desc else expected)


def test_list_default_page_is_20_oldest_first(api, project):
    for _ in range(21):
        services.session_create(project=project)

    ids, data = list_ids(api)

    oldest = Session.objects.order_by("created_at", "id").values_list("id", flat=True)[:20]
    assert ids == [str(session_id) for session_id in oldest]
    assert data["has_more"] is True


def test_list_items_are_session_json(api, session):
    response = api.get("/api/v1/session")

    assert response.json() == ok(
        {"items": [session_json(session)], "next_cursor": None, "has_more": False}
    )


def test_list_by_user(api, five_sessions):
    ids, _ = list_ids(api, user="u1")

    assert ids == [str(s.id) for s in five_sessions if s.user == "u1"]


@pytest.mark.parametrize(
    ("stored", "wanted", "found"),
    [
        ({"agent": "bot1", "x": 1}, {"agent": "bot1"}, True),
        ({"agent": "bot1"}, {"agent": "bot2"}, False),
        ({"agent": "bot1"}, {"agent": "bot1", "x": 1}, False),
        ({"a": {"b": {"c": 1, "d": 2}}}, {"a": {"b": {"c": 1}}}, True),
        ({"a": {"b": 1}}, {"a": {"b": 2}}, False),
        ({"contains": "x", "a__b": 1}, {"contains": "x", "a__b": 1}, True),
        ({"flag": True}, {"flag": True}, True),
        ({"flag": False}, {"flag": True}, False),
        ({"n": 5}, {"n": 5}, True),
        ({"n": 5}, {"n": "5"}, False),
        ({"gone": None}, {"gone": None}, True),
        ({"tags": ["a", "b"]}, {"tags": ["a", "b"]}, True),
        ({"name": "Zoë 🚀"}, {"name": "Zoë 🚀"}, True),
        ({}, {"agent": "bot1"}, False),
    ],
)
def test_list_by_configs_containment(api, project, stored, wanted, found):
    session = services.session_create(project=project, configs=stored)

    ids, _ = list_ids(api, filter_by_configs=json.dumps(wanted))

    assert ids == ([str(session.id)] if found else [])


def test_an_empty_configs_filter_filters_nothing(api, five_sessions):
    ids, _ = list_ids(api, filter_by_configs="{}")

    assert len(ids) == 5
