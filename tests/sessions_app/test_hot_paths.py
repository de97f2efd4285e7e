"""The hand-written parts of the paths every request takes: they must give exactly what the
ORM would, on SQLite and on Postgres."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from sessions_app import services
from sessions_app.models import ApiKey, Message, Project, Session, iso8601

pytestmark = pytest.mark.django_db


def model_fields(instance: object) -> dict[str, object]:
    return {name: value for name, value in vars(instance).items() if not name.startswith("_")}


def test_the_key_lookup_loads_what_the_orm_loads(project: Project) -> None:
    issued = services.api_key_issue(project=project, name="ci")
    used = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    ApiKey.objects.filter(pk=issued.api_key.pk).update(last_used_at=used)

    loaded = ApiKey.objects.with_project_by_secret(issued.secret)

    expected = ApiKey.objects.select_related("project").get(pk=issued.api_key.pk)
    assert loaded is not None
    assert model_fields(loaded) == model_fields(expected)
    assert model_fields(loaded.project) == model_fields(expected.project)
    assert loaded.last_used_at == used
    assert loaded.revoked_at is None
    assert loaded.project.name == "acme"
    # The instance behaves as a loaded one: saving it updates, it does not insert.
    assert loaded._state.adding is False


def test_the_key_lookup_of_an_unknown_secret_is_none(project: Project) -> None:
    services.api_key_issue(project=project, name="ci")
    assert ApiKey.objects.with_project_by_secret("sk-ac-not-a-key") is None


def test_a_revoked_key_is_loaded_with_its_revocation(project: Project) -> None:
    issued = services.api_key_issue(project=project, name="ci")
    services.api_key_revoke(api_key=issued.api_key)
    loaded = ApiKey.objects.with_project_by_secret(issued.secret)
    assert loaded is not None
    assert loaded.is_revoked
    assert loaded.revoked_at == ApiKey.objects.get().revoked_at


def test_messages_have_no_index_on_the_session_alone() -> None:
    """message_unique_session_seq (session_id, seq) serves every lookup by session."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Message._meta.db_table)
    # Backends report a unique constraint as an index, a unique entry, or both.
    indexed_columns = {
        tuple(constraint["columns"])
        for constraint in constraints.values()
        if (constraint["index"] or constraint["unique"]) and not constraint["primary_key"]
    }
    # Besides it, on Postgres, search's (migration 0005): the words, and the results' order.
    search = (
        {("search_vector",), ("created_at", "id")} if connection.vendor == "postgresql" else set()
    )
    assert indexed_columns == {("session_id", "seq"), *search}


def test_acontext_items_carry_the_stored_timestamps_exactly(session: Session, api: APIClient):
    services.message_store(session=session, blob={"role": "user", "content": "hi"})
    services.message_store(session=session, blob={"role": "assistant", "content": "hello"})
    # One on a whole second: the answer then has no fraction, as Python writes it.
    whole_second = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    Message.objects.filter(session=session, seq=2).update(
        created_at=whole_second, updated_at=whole_second + timedelta(microseconds=5)
    )

    response = api.get(f"/api/v1/session/{session.pk}/messages", {"format": "acontext"})

    stored = Message.objects.filter(session=session).order_by("seq")
    items = response.json()["data"]["items"]
    assert [(item["created_at"], item["updated_at"]) for item in items] == [
        (iso8601(message.created_at), iso8601(message.updated_at)) for message in stored
    ]
    assert (items[1]["created_at"], items[1]["updated_at"]) == (
        "2026-03-04T05:06:07Z",
        "2026-03-04T05:06:07.000005Z",
    )


def test_the_api_answers_json_whatever_the_client_accepts(session: Session, api: APIClient):
    response = api.get(f"/api/v1/session/{session.pk}", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["data"]["id"] == str(session.pk)


def test_the_schema_still_answers_in_the_format_asked_for(api: APIClient) -> None:
    as_json = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    as_yaml = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert as_yaml.content.startswith(b"openapi: ")
