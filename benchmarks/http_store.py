"""Storing messages over HTTP through the production server, against raw Postgres inserts.

    DATABASE_URL=postgres://... python benchmarks/http_store.py

In one run, on the same database and the same machine:

1. **raw**: psycopg, 8 threads with a connection each, single-row inserts of the same JSON
   (as jsonb, one autocommitted statement each) into a scratch table: the floor for one
   message a statement;
2. **HTTP, 8 sessions**: gunicorn started with ``gunicorn.conf.py`` on a free port, 8 client
   threads with keep-alive, each storing into its own session through the API;
3. **HTTP, 1 session**: the same 8 clients all storing into one session (they queue on its
   row lock).

The three are measured in turns, ROUNDS times, so that each ratio compares figures taken
moments apart (the raw rate alone moves by a third from one minute to the next here). Prints
the median messages per second, the median of the rounds' ratios to raw, and the queries one
store makes (counted in-process, through the same view). Removes everything it created.
"""

import http.client
import os
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acontext_site.settings")

import django

django.setup()

import orjson  # noqa: E402
import psycopg  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from gunicorn_server import running_server  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from sessions_app import services  # noqa: E402
from sessions_app.models import Project  # noqa: E402

CLIENTS = 8
SECONDS = 3.0
ROUNDS = 3
MESSAGE = {
    "role": "user",
    "content": "What is the weather like in Paris today, and should I take an umbrella?",
}
BODY = orjson.dumps({"blob": MESSAGE, "format": "openai", "meta": {"source": "benchmark"}})


RAW = "raw psycopg single-row inserts"
SPREAD = "HTTP store, 8 sessions"
ONE = "HTTP store, 1 session"


def run_clients(work: Callable[[int], Callable[[], None]], seconds: float = SECONDS) -> float:
    """Messages per second of CLIENTS threads each calling its own ``work(i)`` in a loop."""
    counts = [0] * CLIENTS
    start = threading.Barrier(CLIENTS + 1)
    stop = threading.Event()

    def client(index: int) -> None:
        step = work(index)
        start.wait()
        while not stop.is_set():
            step()
            counts[index] += 1

    threads = [threading.Thread(target=client, args=(index,)) for index in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - began)


def raw_inserts() -> float:
    dsn = connection.get_connection_params()
    table = f"bench_{uuid.uuid4().hex}"
    with psycopg.connect(**dsn, autocommit=True) as setup:
        setup.execute(
            f"CREATE TABLE {table} (id uuid PRIMARY KEY, session_id uuid, seq bigint, "
            "raw jsonb, meta jsonb, created_at timestamptz)"
        )
    payload = orjson.dumps(MESSAGE).decode()
    try:

        def work(index: int) -> Callable[[], None]:
            own = psycopg.connect(**dsn, autocommit=True)
            session_id = uuid.uuid4()
            seq = iter(range(1, 10**9))

            def step() -> None:
                own.execute(
                    f"INSERT INTO {table} VALUES (%s, %s, %s, %s::jsonb, '{{}}'::jsonb, now())",
                    (uuid.uuid4(), session_id, next(seq), payload),
                )

            return step

        return run_clients(work)
    finally:
        with psycopg.connect(**dsn, autocommit=True) as cleanup:
            cleanup.execute(f"DROP TABLE {table}")


def http_stores(base: str, key: str, session_ids: list[str], seconds: float = SECONDS) -> float:
    # The standard library's client on a kept-alive connection: the clients share the cores
    # with the server, so the lighter they are, the more the figure is the server's.
    address = urlsplit(base)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def work(index: int) -> Callable[[], None]:
        client = http.client.HTTPConnection(address.hostname or "", address.port)
        url = f"/api/v1/session/{session_ids[index % len(session_ids)]}/messages"

        def step() -> None:
            client.request("POST", url, body=BODY, headers=headers)
            response = client.getresponse()
            answer = response.read()
            assert response.status == 201, answer

        return step

    return run_clients(work, seconds)


def queries_per_store(key: str, session_id: str) -> int:
    setup_test_environment()  # lets the test client's host name in
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    url = f"/api/v1/session/{session_id}/messages"
    client.post(url, BODY, content_type="application/json")  # the key's use is now recorded
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, BODY, content_type="application/json")
    assert response.status_code == 201
    return len(queries)


def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL to a Postgres database")
    project = Project.objects.create(name=f"benchmark-{uuid.uuid4()}")
    issued = services.api_key_issue(project=project, name="benchmark")
    sessions = [str(services.session_create(project=project).pk) for _ in range(CLIENTS)]
    try:
        rates: dict[str, list[float]] = {RAW: [], SPREAD: [], ONE: []}
        with running_server() as base:
            http_stores(base, issued.secret, sessions, seconds=1)  # every worker warmed up
            for _ in range(ROUNDS):
                rates[RAW].append(raw_inserts())
                rates[SPREAD].append(http_stores(base, issued.secret, sessions))
                rates[ONE].append(http_stores(base, issued.secret, sessions[:1]))
        queries = queries_per_store(issued.secret, sessions[0])
    finally:
        project.delete()
    print(
        f"{CLIENTS} clients, {ROUNDS} rounds of {SECONDS:.0f} s each, gunicorn.conf.py on "
        f"{os.cpu_count()} cores"
    )
    print(f"{'path':<32} {'messages/s':>11} {'x raw':>7}   rounds (x raw)")
    for path, measured in rates.items():
        ratios = [rate / raw for rate, raw in zip(measured, rates[RAW], strict=True)]
        print(
            f"{path:<32} {statistics.median(measured):>11.0f} {statistics.median(ratios):>7.2f}"
            f"   {' '.join(f'{ratio:.3f}' for ratio in ratios)}"
        )
    print(f"queries per store (after the key's use was recorded, once a minute): {queries}")


if __name__ == "__main__":
    main()
