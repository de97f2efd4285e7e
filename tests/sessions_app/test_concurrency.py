"""Concurrent writers of one session, each on its own database connection (Postgres only)."""

import threading

import pytest
from django.db import connection, connections

from sessions_app import services
from sessions_app.models import Message

WRITERS = 8
MESSAGES_PER_WRITER = 100


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises all writers on one database lock; run with DATABASE_URL=postgres",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_get_gapless_seqs_in_their_own_order(session):
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            start.wait()
            for index in range(MESSAGES_PER_WRITER):
                services.message_store(
                    session=session,
                    blob={"role": "user", "content": f"{writer}:{index}"},
                    meta={"writer": writer, "index": index},
                )
        except BaseException as failure:
            failures.append(failure)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    rows = list(Message.objects.filter(session=session).order_by("seq").values("seq", "meta"))
    assert [row["seq"] for row in rows] == list(range(1, WRITERS * MESSAGES_PER_WRITER + 1))
    for writer in range(WRITERS):
        indexes = [row["meta"]["index"] for row in rows if row["meta"]["writer"] == writer]
        assert indexes == list(range(MESSAGES_PER_WRITER))
    session.refresh_from_db()
    assert session.last_seq == WRITERS * MESSAGES_PER_WRITER
