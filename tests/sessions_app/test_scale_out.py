"""Stateless app servers on one Postgres: real gunicorn processes on the test database.

Scaling out is more processes on more ports against the same database. These tests start
them, write through them over HTTP, and check what the database holds: every acknowledged
message exactly once, seq gapless, each writer's order kept, and nothing partial when a worker
dies in the middle of a write. Postgres only: SQLite is one file for one process.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.db import connection

from sessions_app.models import Message, Session

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="several server processes need a server database; run with DATABASE_URL=postgres",
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def url_of_the_test_database() -> str:
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


@contextmanager
def app_server(workers: int, threads: int = 4) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """gunicorn with the production configuration (gunicorn.conf.py: threaded workers, kept
    database connections) serving this checkout on the test database; (base URL, master)."""
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": url_of_the_test_database(),
        "DEBUG": "true",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
    }
    master = subprocess.Popen(
        [str(GUNICORN), "-c", "gunicorn.conf.py", "acontext_site.wsgi", "--graceful-timeout", "1"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/api/v1/ping", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
        yield base, master
    finally:
        master.terminate()
        master.wait(timeout=30)


def worker_pids(master: subprocess.Popen[bytes]) -> list[int]:
    found = subprocess.run(
        ["pgrep", "-P", str(master.pid)], capture_output=True, text=True, check=False
    )
    return [int(pid) for pid in found.stdout.split()]


def stored_rows(session: Session) -> list[dict[str, Any]]:
    rows = Message.objects.filter(session=session).order_by("seq").values_list("seq", "meta")
    return [{"seq": seq, "meta": meta} for seq, meta in rows]


def test_writers_split_across_two_servers_lose_and_repeat_nothing(session, issued_key):
    writers, per_writer = 8, 25
    headers = {"Authorization": f"Bearer {issued_key.secret}"}
    acknowledged: list[tuple[int, int]] = []
    failures: list[str] = []

    with app_server(workers=2) as (first, _), app_server(workers=2) as (second, _):
        start = threading.Barrier(writers)

        def write(writer: int) -> None:
            with httpx.Client(headers=headers, timeout=30) as client:
                start.wait()
                for index in range(per_writer):
                    base = (first, second)[(writer + index) % 2]  # every writer uses both
                    response = client.post(
                        f"{base}/api/v1/session/{session.pk}/messages",
                        json={
                            "blob": {"role": "user", "content": f"{writer}:{index}"},
                            "meta": {"writer": writer, "index": index},
                        },
                    )
                    if response.status_code == 201:
                        acknowledged.append((writer, index))
                    else:
                        failures.append(f"{response.status_code} {response.text}")

        threads = [threading.Thread(target=write, args=(writer,)) for writer in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert failures == []
    rows = stored_rows(session)
    assert [row["seq"] for row in rows] == list(range(1, writers * per_writer + 1))
    stored = sorted((row["meta"]["writer"], row["meta"]["index"]) for row in rows)
    assert stored == sorted(acknowledged)
    for writer in range(writers):
        indexes = [row["meta"]["index"] for row in rows if row["meta"]["writer"] == writer]
        assert indexes == list(range(per_writer))


def test_a_worker_killed_mid_write_leaves_nothing_partial(session, issued_key):
    writers, per_writer = 4, 10
    headers = {"Authorization": f"Bearer {issued_key.secret}"}
    # Large enough that a write is still running when the worker dies.
    padding = "x" * 500_000
    acknowledged: list[tuple[int, int]] = []
    lost_answers: list[tuple[int, int]] = []

    with app_server(workers=2) as (base, master):

        def write(writer: int) -> None:
            with httpx.Client(headers=headers, timeout=30) as client:
                for index in range(per_writer):
                    body = {
                        "blob": {"role": "user", "content": f"{writer}:{index}:{padding}"},
                        "meta": {"writer": writer, "index": index},
                    }
                    try:
                        response = client.post(
                            f"{base}/api/v1/session/{session.pk}/messages", json=body
                        )
                    except httpx.TransportError:
                        lost_answers.append((writer, index))
                        continue
                    if response.status_code == 201:
                        acknowledged.append((writer, index))
                    else:
                        lost_answers.append((writer, index))

        threads = [threading.Thread(target=write, args=(writer,)) for writer in range(writers)]
        for thread in threads:
            thread.start()
        killed = 0
        while killed < 3 and any(thread.is_alive() for thread in threads):
            time.sleep(0.3)
            for pid in worker_pids(master)[:1]:
                os.kill(pid, signal.SIGKILL)  # gunicorn starts a new worker in its place
                killed += 1
        for thread in threads:
            thread.join()

    assert killed == 3
    assert lost_answers, "no write was interrupted; the test proved nothing"
    rows = stored_rows(session)
    # Every acknowledged message is there once; an interrupted one is there whole or not at all.
    stored = [(row["meta"]["writer"], row["meta"]["index"]) for row in rows]
    assert len(stored) == len(set(stored))
    assert set(acknowledged) <= set(stored) <= set(acknowledged) | set(lost_answers)
    assert [row["seq"] for row in rows] == list(range(1, len(rows) + 1))
    session.refresh_from_db()
    assert session.last_seq == len(rows)
    for message in Message.objects.filter(session=session):
        writer, index, rest = message.raw["content"].split(":", 2)
        assert rest == padding
        assert message.canonical["parts"][0]["text"] == message.raw["content"]
        assert (int(writer), int(index)) == (message.meta["writer"], message.meta["index"])
    # Each writer's stored messages are still in the order it sent them.
    for writer in range(writers):
        indexes = [index for stored_writer, index in stored if stored_writer == writer]
        assert indexes == sorted(indexes)


def test_a_connection_the_database_ended_is_replaced_before_the_next_request(session, issued_key):
    headers = {"Authorization": f"Bearer {issued_key.secret}"}
    url = f"/api/v1/session/{session.pk}/messages"
    with (
        app_server(workers=1, threads=1) as (base, _),
        httpx.Client(base_url=base, headers=headers, timeout=30) as client,
    ):
        first = client.post(url, json={"blob": {"role": "user", "content": "before"}})
        assert first.status_code == 201
        # What a database restart or an idle timeout does to the server's kept connection.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert [ended for (ended,) in cursor.fetchall()] == [True]

        second = client.post(url, json={"blob": {"role": "user", "content": "after"}})
        read = client.get(url, params={"format": "openai"})

    assert second.status_code == 201, second.text
    assert read.status_code == 200, read.text
    assert read.json()["data"]["items"] == [
        {"role": "user", "content": "before"},
        {"role": "user", "content": "after"},
    ]
