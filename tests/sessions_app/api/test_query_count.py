import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

import conversion
from sessions_app import services
from sessions_app.models import Message

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("target", conversion.FORMATS)
@pytest.mark.parametrize("stored", [2, 60])
def test_reading_messages_costs_the_same_few_queries_however_many(
    api, session, target, stored, django_assert_num_queries
):
    for index in range(stored):
        role = "user" if index % 2 == 0 else "assistant"
        services.message_store(session=session, blob={"role": role, "content": f"m{index}"})
    api.get("/api/v1/ping")
    api.get(f"/api/v1/session/{session.id}")  # records the key's use, a write once a minute

    # The key, the session, one page of messages.
    with django_assert_num_queries(3):
        response = api.get(f"/api/v1/session/{session.id}/messages", {"format": target})

    assert response.status_code == 200
    assert response.json()["data"]["has_more"] is False


@pytest.mark.parametrize("target", conversion.FORMATS)
@pytest.mark.parametrize("files", [1, 20])
def test_uploaded_files_cost_one_query_more_however_many(
    api, session, target, files, django_assert_num_queries
):
    for index in range(files):
        services.message_store(
            session=session,
            blob={"role": "user", "parts": [{"type": "file", "file_field": "f"}]},
            format="acontext",
            uploads={"f": SimpleUploadedFile(f"{index}.txt", f"file {index}".encode())},
        )
    api.get(f"/api/v1/session/{session.id}")  # records the key's use, a write once a minute

    # The key, the session, the messages, the files' assets.
    with django_assert_num_queries(4):
        response = api.get(f"/api/v1/session/{session.id}/messages", {"format": target})

    assert response.status_code == 200
    # Gemini's inline data has no field for a file name (the others take it as text).
    codes = [warning["code"] for warning in response.json()["data"]["warnings"]]
    assert codes == (["provider_data_dropped"] * files if target == "gemini" else [])


@pytest.mark.parametrize("events", [1, 30])
def test_events_with_messages_cost_one_query_more(api, session, events, django_assert_num_queries):
    services.message_store(session=session, blob={"role": "user", "content": "first"})
    for index in range(events):
        services.session_event_add(session=session, type="text_event", data={"n": index})
    services.message_store(session=session, blob={"role": "user", "content": "last"})
    api.get(f"/api/v1/session/{session.id}")  # records the key's use, a write once a minute

    # The key, the session, the messages, their events.
    with django_assert_num_queries(4):
        response = api.get(f"/api/v1/session/{session.id}/messages", {"with_events": "true"})

    assert len(response.json()["data"]["events"]) == events


@pytest.mark.parametrize("path", ["events", "token_counts"])
def test_events_and_token_counts_cost_one_query(api, session, path, django_assert_num_queries):
    for index in range(20):
        services.session_event_add(session=session, type="text_event", data={"n": index})
        services.message_store(session=session, blob={"role": "user", "content": f"m{index}"})
    api.get(f"/api/v1/session/{session.id}")

    # The key, the session, one page of events or one sum of the stored counts.
    with django_assert_num_queries(3):
        response = api.get(f"/api/v1/session/{session.id}/{path}")

    assert response.status_code == 200


def test_a_store_is_the_key_and_one_statement_on_postgres(api, session, django_assert_num_queries):
    api.get(f"/api/v1/session/{session.id}")  # records the key's use, a write once a minute
    body = {"blob": {"role": "user", "content": "Hi"}}

    # Postgres: the key, then one statement that checks the session's project, numbers the
    # message and inserts it. SQLite (no UPDATE in WITH): the key, then the session locked,
    # its last_seq raised and the message inserted, in a transaction (a savepoint and its
    # release inside the test's own transaction).
    expected = 2 if connection.vendor == "postgresql" else 6
    with django_assert_num_queries(expected):
        response = api.post(f"/api/v1/session/{session.id}/messages", body, format="json")

    assert response.status_code == 201
    assert response.json()["data"]["id"] == str(Message.objects.get(session=session).pk)
