import uuid
from datetime import UTC, datetime, timedelta

import pytest

import conversion
from sessions_app import services
from sessions_app.models import ApiKey, Message, Session, iso8601

pytestmark = pytest.mark.django_db


def test_message_store_numbers_messages_and_keeps_the_blob(session):
    blobs = [
        ("openai", {"role": "user", "content": "Hi"}),
        ("anthropic", {"role": "assistant", "content": [{"type": "text", "text": "Hello"}]}),
        ("gemini", {"role": "user", "parts": [{"text": "Bye"}]}),
    ]

    stored = [
        services.message_store(session=session, blob=blob, format=format) for format, blob in blobs
    ]

    assert [message.seq for message in stored] == [1, 2, 3]
    assert [(m.format, m.raw) for m in Message.objects.order_by("seq")] == blobs
    assert [m.canonical for m in stored] == [
        conversion.normalize(blob, format) for format, blob in blobs
    ]
    session.refresh_from_db()
    assert session.last_seq == 3


def test_message_store_stores_nothing_when_the_blob_is_invalid(session):
    with pytest.raises(conversion.InvalidMessage):
        services.message_store(session=session, blob={"role": "user"}, format="openai")

    session.refresh_from_db()
    assert (session.last_seq, Message.objects.count()) == (0, 0)


def test_message_store_refuses_an_unknown_format_before_converting(session):
    with pytest.raises(conversion.UnknownFormat):
        services.message_store(session=session, blob={}, format="OpenAI")


def test_message_store_refuses_meta_over_64_kb(session):
    with pytest.raises(services.MetaTooLarge):
        services.message_store(
            session=session, blob={"role": "user", "content": "Hi"}, meta={"x": "y" * 65536}
        )
    assert Message.objects.count() == 0


def test_session_create_conflict_leaves_the_transaction_usable(project):
    taken = uuid.uuid4()
    services.session_create(project=project, use_uuid=taken)

    with pytest.raises(services.SessionAlreadyExists):
        services.session_create(project=project, use_uuid=taken, user="other")

    # The savepoint rolled back only the failed insert.
    assert Session.objects.get().user == ""


def test_configs_patch_merges_top_level_keys_and_null_deletes(session):
    services.session_configs_replace(session=session, configs={"a": {"x": 1}, "b": 2})

    patched = services.session_configs_patch(
        session=session, changes={"a": {"y": 2}, "b": None, "missing": None}
    )

    assert patched.configs == {"a": {"y": 2}}


def test_message_meta_patch(session):
    message = services.message_store(
        session=session, blob={"role": "user", "content": "Hi"}, meta={"a": 1, "b": 2}
    )

    patched = services.message_meta_patch(message=message, changes={"a": None, "c": [1]})

    assert patched.meta == {"b": 2, "c": [1]}
    message.refresh_from_db()
    assert message.meta == {"b": 2, "c": [1]}


def test_api_key_issue_and_revoke(project):
    issued = services.api_key_issue(project=project, name="ci")

    assert ApiKey.objects.get(secret_hash=ApiKey.hash_secret(issued.secret)) == issued.api_key
    revoked = services.api_key_revoke(api_key=issued.api_key)
    first_revocation = revoked.revoked_at
    assert first_revocation is not None
    # Revoking twice keeps the first time.
    assert services.api_key_revoke(api_key=issued.api_key).revoked_at == first_revocation


def test_converted_read_is_one_query(session, django_assert_num_queries):
    for index in range(10):
        services.message_store(session=session, blob={"role": "user", "content": str(index)})

    with django_assert_num_queries(1):
        page = services.session_messages_converted(
            session=session, target_format="gemini", limit=1000
        )

    assert page.has_more is False
    assert {message_id for sources in page.sources for message_id in sources} == {
        str(message_id) for message_id in Message.objects.values_list("id", flat=True)
    }


def test_converted_read_accepts_pages_up_to_1000_only(session):
    with pytest.raises(ValueError, match="limit must be between 1 and 1000"):
        services.session_messages_converted(session=session, target_format="openai", limit=1001)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 3, 7, 26, 21, 123456, tzinfo=UTC),
        # Postgres writes "21.12": the fraction's trailing zeros are cut.
        datetime(2026, 12, 3, 7, 26, 21, 120000, tzinfo=UTC),
        datetime(2026, 12, 3, 7, 26, 21, 1, tzinfo=UTC),
        # No fraction at all, in either database and in iso8601().
        datetime(2026, 12, 3, 7, 26, 21, tzinfo=UTC),
    ],
)
def test_acontext_items_write_the_stored_timestamps_as_every_answer_does(session, moment):
    """format=acontext writes created_at and updated_at from the columns' text (no datetime in
    between): what it writes is exactly what iso8601() makes of the stored values."""
    message = services.message_store(
        session=session, blob={"role": "user", "content": "Hi"}, format="openai"
    )
    Message.objects.filter(pk=message.pk).update(
        created_at=moment, updated_at=moment + timedelta(microseconds=500_000)
    )

    page = services.session_messages_converted(
        session=session, target_format="acontext", limit=None
    )

    stored = Message.objects.get(pk=message.pk)
    assert [(item["created_at"], item["updated_at"]) for item in page.items] == [
        (iso8601(stored.created_at), iso8601(stored.updated_at))
    ]
    assert page.items[0]["created_at"] == iso8601(moment)


@pytest.mark.parametrize(
    ("text", "wire"),
    [
        ("2026-12-03 07:26:21.12+00", "2026-12-03T07:26:21.120000Z"),  # Postgres
        ("2026-12-03 07:26:21+00", "2026-12-03T07:26:21Z"),
        ("2026-12-03 07:26:21.123456", "2026-12-03T07:26:21.123456Z"),  # SQLite
        ("2026-12-03 07:26:21", "2026-12-03T07:26:21Z"),
        # Another zone (a session not in UTC) is read the slow way, into UTC.
        ("2026-12-03 09:26:21.5+02", "2026-12-03T07:26:21.500000Z"),
        ("2026-12-03 02:56:21+05:30", "2026-12-02T21:26:21Z"),
    ],
)
def test_a_timestamp_read_as_text_is_written_as_iso8601_in_utc(text, wire):
    assert services._wire_timestamp(text) == wire
