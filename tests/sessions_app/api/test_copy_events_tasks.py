"""Copies, events, token counts and the honest task-tracking answers, through the API."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from sessions_app import services
from sessions_app.models import Message, Session, SessionEvent, iso8601

pytestmark = pytest.mark.django_db


def error(status: int, msg: str, code: str) -> dict[str, Any]:
    return {"code": status, "msg": msg, "error": code}


def ok(data: Any) -> dict[str, Any]:
    return {"code": 0, "data": data, "msg": ""}


@pytest.fixture
def conversation(session: Session) -> Session:
    services.message_store(session=session, blob={"role": "user", "content": "hello world"})
    services.message_store(
        session=session,
        blob={"role": "assistant", "content": [{"type": "text", "text": "Bonjour le monde"}]},
        format="anthropic",
        meta={"model": "claude"},
    )
    services.session_event_add(session=session, type="text_event", data={"text": "note"})
    return session


# Copy -------------------------------------------------------------------------------------


def test_copy_keeps_everything_but_the_ids(api, project, conversation):
    Session.objects.filter(pk=conversation.pk).update(user="alice", configs={"agent": "bot1"})
    # Times in the past, so that a copy stamped "now" would show.
    Message.objects.filter(session=conversation).update(
        created_at=timezone.now() - timedelta(days=3), updated_at=timezone.now() - timedelta(days=2)
    )

    response = api.post(f"/api/v1/session/{conversation.pk}/copy")

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["old_session_id"] == str(conversation.pk)
    copy = Session.objects.get(pk=data["new_session_id"])
    assert (copy.project_id, copy.user, copy.configs, copy.last_seq) == (
        project.pk,
        "alice",
        {"agent": "bot1"},
        2,
    )
    fields = ["seq", "format", "raw", "canonical", "meta", "tokens", "created_at", "updated_at"]
    originals = list(conversation.messages.order_by("seq").values(*fields))
    copies = list(copy.messages.order_by("seq").values(*fields))
    assert copies == originals
    assert not set(copy.messages.values_list("id", flat=True)) & set(
        conversation.messages.values_list("id", flat=True)
    )
    (event,) = copy.events.all()
    (original_event,) = conversation.events.all()
    assert (event.type, event.data, event.created_at) == (
        "text_event",
        {"text": "note"},
        original_event.created_at,
    )
    assert event.pk != original_event.pk


def test_later_writes_touch_one_session_only(api, conversation):
    copy_id = api.post(f"/api/v1/session/{conversation.pk}/copy").json()["data"]["new_session_id"]
    copy = Session.objects.get(pk=copy_id)

    services.message_store(session=copy, blob={"role": "user", "content": "only in the copy"})
    services.message_store(session=conversation, blob={"role": "user", "content": "original"})
    first_copy = copy.messages.get(seq=1)
    services.message_meta_patch(message=first_copy, changes={"edited": True})
    services.session_configs_patch(session=copy, changes={"copy": True})

    original_texts = [m.raw["content"] for m in conversation.messages.order_by("seq")][::2]
    assert original_texts == ["hello world", "original"]
    assert [m.seq for m in copy.messages.order_by("seq")] == [1, 2, 3]
    assert copy.messages.get(seq=3).raw == {"role": "user", "content": "only in the copy"}
    assert conversation.messages.get(seq=1).meta == {}
    assert Session.objects.get(pk=conversation.pk).configs == {}

    services.session_delete(session=conversation)
    assert copy.messages.count() == 3
    assert copy.events.count() == 1


def test_copying_more_than_the_limit_is_413_and_creates_nothing(api, conversation, settings):
    settings.ACONTEXT_COPY_MAX_MESSAGES = 1

    response = api.post(f"/api/v1/session/{conversation.pk}/copy")

    assert response.status_code == 413
    assert response.json() == error(
        413, "the session has 2 messages; at most 1 can be copied", "session_too_large"
    )
    assert Session.objects.count() == 1


def test_a_session_at_the_limit_is_copied(api, conversation, settings):
    settings.ACONTEXT_COPY_MAX_MESSAGES = 2

    response = api.post(f"/api/v1/session/{conversation.pk}/copy")

    assert response.status_code == 200
    assert Session.objects.count() == 2


def test_another_projects_session_cannot_be_copied(api, foreign_session):
    response = api.post(f"/api/v1/session/{foreign_session.pk}/copy")

    assert response.status_code == 404
    assert response.json() == error(404, "session not found", "not_found")
    assert Session.objects.count() == 1


# Token counts -----------------------------------------------------------------------------


def test_token_counts_add_up_every_message(api, conversation):
    response = api.get(f"/api/v1/session/{conversation.pk}/token_counts")

    # "hello world\n": [24912, 2375, 198]; "Bonjour le monde\n": [45751, 505, 15807, 198].
    assert response.json() == ok({"total_tokens": 7})


def test_an_empty_session_has_no_tokens(api, session):
    response = api.get(f"/api/v1/session/{session.pk}/token_counts")

    assert response.json() == ok({"total_tokens": 0})


# Events -----------------------------------------------------------------------------------


def event_json(event: SessionEvent) -> dict[str, Any]:
    return {
        "id": str(event.pk),
        "session_id": str(event.session_id),
        "project_id": str(event.session.project_id),
        "type": event.type,
        "data": event.data,
        "created_at": iso8601(event.created_at),
        "updated_at": iso8601(event.updated_at),
    }


def test_an_added_event_is_answered_as_stored(api, session):
    body = {"type": "disk_event", "data": {"disk_id": "d1", "path": "/notes.md"}}

    response = api.post(f"/api/v1/session/{session.pk}/events", body, format="json")

    assert response.status_code == 200
    (event,) = SessionEvent.objects.all()
    assert response.json() == ok(event_json(event))
    assert event.data == {"disk_id": "d1", "path": "/notes.md"}


@pytest.mark.parametrize(
    ("body", "msg"),
    [
        ({"data": {}}, "type: This field is required."),
        ({"type": "", "data": {}}, "type: This field may not be blank."),
        ({"type": "x" * 65, "data": {}}, "type: Ensure this field has no more than 64 characters."),
        ({"type": "text_event"}, "data: This field is required."),
        ({"type": "text_event", "data": ["a"]}, "data: Must be a JSON object."),
        ({"type": "text_event", "data": None}, "data: This field may not be null."),
    ],
)
def test_a_malformed_event_is_400_and_stores_nothing(api, session, body, msg):
    response = api.post(f"/api/v1/session/{session.pk}/events", body, format="json")

    assert response.status_code == 400
    assert response.json() == error(400, msg, "invalid_request")
    assert SessionEvent.objects.count() == 0


def test_events_page_both_ways(api, session):
    start = timezone.now()
    for index in range(5):
        event = services.session_event_add(session=session, type="text_event", data={"n": index})
        SessionEvent.objects.filter(pk=event.pk).update(created_at=start + timedelta(seconds=index))
    url = f"/api/v1/session/{session.pk}/events"

    for time_desc, expected in (("false", [0, 1, 2, 3, 4]), ("true", [4, 3, 2, 1, 0])):
        seen, query = [], {"limit": 2, "time_desc": time_desc}
        while True:
            page = api.get(url, query).json()["data"]
            seen += [item["data"]["n"] for item in page["items"]]
            if not page["has_more"]:
                assert page["next_cursor"] is None
                break
            query["cursor"] = page["next_cursor"]
        assert seen == expected


def test_events_default_to_pages_of_50(api, session):
    SessionEvent.objects.bulk_create(
        SessionEvent(session=session, type="text_event", data={"n": n}) for n in range(51)
    )

    page = api.get(f"/api/v1/session/{session.pk}/events").json()["data"]

    assert (len(page["items"]), page["has_more"]) == (50, True)


@pytest.mark.parametrize(
    ("query", "msg"),
    [
        ("limit=0", "limit: Ensure this value is greater than or equal to 1."),
        ("limit=201", "limit: Ensure this value is less than or equal to 200."),
        ("cursor=nope", "cursor: Invalid cursor."),
    ],
)
def test_bad_event_queries_are_400(api, session, query, msg):
    response = api.get(f"/api/v1/session/{session.pk}/events?{query}")

    assert response.status_code == 400
    assert response.json() == error(400, msg, "invalid_request")


def test_another_projects_events_are_not_found(api, foreign_session):
    services.session_event_add(session=foreign_session, type="text_event", data={})

    listed = api.get(f"/api/v1/session/{foreign_session.pk}/events")
    added = api.post(
        f"/api/v1/session/{foreign_session.pk}/events", {"type": "x", "data": {}}, format="json"
    )

    assert (listed.status_code, added.status_code) == (404, 404)
    assert SessionEvent.objects.count() == 1


def test_with_events_adds_those_between_the_first_and_last_message(api, session):
    start = timezone.now() - timedelta(hours=1)
    for index in range(4):
        message = services.message_store(session=session, blob={"role": "user", "content": "m"})
        Message.objects.filter(pk=message.pk).update(created_at=start + timedelta(minutes=index))
    events = {}
    for minute in (-1, 0, 2, 3, 4):
        event = services.session_event_add(session=session, type="t", data={"minute": minute})
        moment = start + timedelta(minutes=minute)
        SessionEvent.objects.filter(pk=event.pk).update(created_at=moment)
        events[minute] = event
    url = f"/api/v1/session/{session.pk}/messages"

    whole = api.get(url, {"with_events": "true"}).json()["data"]
    first_page = api.get(url, {"with_events": "true", "limit": 2}).json()["data"]
    without = api.get(url).json()["data"]

    assert [e["data"]["minute"] for e in whole["events"]] == [0, 2, 3]
    assert [e["data"]["minute"] for e in first_page["events"]] == [0]
    assert "events" not in without


def test_with_events_on_an_empty_session_is_an_empty_list(api, session):
    data = api.get(f"/api/v1/session/{session.pk}/messages", {"with_events": "true"}).json()

    assert data["data"]["events"] == []


# Task tracking ----------------------------------------------------------------------------


def test_tasks_are_an_empty_page(api, session):
    response = api.get(f"/api/v1/session/{session.pk}/task", {"limit": 5, "time_desc": "true"})

    assert response.json() == ok({"items": [], "next_cursor": None, "has_more": False})


@pytest.mark.parametrize(
    ("query", "msg"),
    [
        ("limit=0", "limit: Ensure this value is greater than or equal to 1."),
        ("time_desc=sometimes", "time_desc: Must be a valid boolean."),
        ("cursor=%21", "cursor: Invalid cursor."),
    ],
)
def test_bad_task_queries_are_400(api, session, query, msg):
    response = api.get(f"/api/v1/session/{session.pk}/task?{query}")

    assert response.status_code == 400
    assert response.json() == error(400, msg, "invalid_request")


def test_flush_has_nothing_to_do(api, session):
    response = api.post(f"/api/v1/session/{session.pk}/flush")

    assert response.json() == ok({"status": 0, "errmsg": ""})


def test_observing_status_counts_nothing(api, conversation):
    before = timezone.now()

    data = api.get(f"/api/v1/session/{conversation.pk}/observing_status").json()["data"]

    assert {key: data[key] for key in ("observed", "in_process", "pending")} == {
        "observed": 0,
        "in_process": 0,
        "pending": 0,
    }
    assert datetime.fromisoformat(data["updated_at"]) >= before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "task"),
        ("post", "flush"),
        ("get", "observing_status"),
        ("get", "token_counts"),
    ],
)
def test_task_answers_need_a_session_of_the_project(api, foreign_session, method, path):
    response = getattr(api, method)(f"/api/v1/session/{foreign_session.pk}/{path}")

    assert response.status_code == 404
    assert response.json() == error(404, "session not found", "not_found")
