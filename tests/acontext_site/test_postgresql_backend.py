"""The Postgres backend's health check (acontext_site/postgresql): no round trip for a
connection that is fine, Django's own check otherwise."""

import time

import psycopg
import pytest
from django.db import connection

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="Postgres backend only"),
    # Autocommit, as between two requests: a connection inside a transaction gets SELECT 1.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def observer():
    """A second connection, to see and to end the first one's backend."""
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        yield other


def last_statement(observer: psycopg.Connection, pid: int) -> str:
    row = observer.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    assert row is not None
    return str(row[0])


def test_an_idle_connection_is_found_usable_without_a_statement(observer):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last statement'")
    pid = connection.connection.info.backend_pid

    assert connection.is_usable() is True
    assert last_statement(observer, pid) == "SELECT 'the last statement'"


def test_a_connection_the_server_ended_is_not_usable(observer):
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    observer.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while observer.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
        assert time.monotonic() < deadline, "the backend did not end"
        time.sleep(0.05)
    try:
        assert connection.is_usable() is False
    finally:
        connection.close()  # the test database's teardown gets a new one


def test_a_connection_inside_a_transaction_is_asked(observer):
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        try:
            assert connection.is_usable() is True
            assert last_statement(observer, pid) == "SELECT 1"
        finally:
            cursor.execute("ROLLBACK")
