"""Reading 1,000 stored messages over HTTP through the production server, per format, against
the raw fetch and parse of the same rows.

    DATABASE_URL=postgres://... python benchmarks/http_read.py

In one run, on the same database: a throwaway session of 1,000 mixed-format messages (the sample
conversation repeated), then

1. **raw**: psycopg fetches the session's rows (raw, canonical and meta as text) and orjson
   parses them: the floor for reading those messages at all; beside it, the same fetch
   parsed with the standard library's ``json.loads``, which is what psycopg's own jsonb
   loading does (here Django replaces that loader with plain text, so the benchmark calls
   ``json.loads`` itself);
2. **HTTP**: GET /api/v1/session/{id}/messages?limit=1000&format=... through gunicorn
   (``gunicorn.conf.py``), one client (the standard library's, kept alive: the lighter the
   client, the more the figure is the server's), for each format.

The two are measured in turns (the floors and each format, again and again, each turn in
another order), so that both see the same machine. Prints the median of the runs, the ratio
to raw, and the queries one read makes (counted in-process, through the same view). Removes
everything it created.
"""

import http.client
import json
import os
import statistics
import sys
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
from sample_conversation import sample_conversation_repeated  # noqa: E402

import conversion  # noqa: E402
from sessions_app import services  # noqa: E402
from sessions_app.models import Message, Project  # noqa: E402

MESSAGE_COUNT = 1000
RUNS = 18  # three turns in each order of the six works
WARM_RUNS = 3


def median_ms_in_turns(works: dict[str, Callable[[], object]]) -> dict[str, float]:
    """The median milliseconds of each work, run in turns RUNS times.

    Each turn starts one work later than the one before, so that every work takes every place
    in the order equally often: the first HTTP read after the in-process floors pays for the
    server's idle thread waking (about 1.5 ms more here, whichever format it was)."""
    for work in works.values():
        for _ in range(WARM_RUNS):
            work()  # warm: the first calls of a worker or a connection pay for set-up
    names = list(works)
    timings: dict[str, list[float]] = {name: [] for name in works}
    for turn in range(RUNS):
        start = turn % len(names)
        for name in names[start:] + names[:start]:
            started = time.perf_counter()
            works[name]()
            timings[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(runs) for name, runs in timings.items()}


def raw_fetch_and_parse(
    session_id: uuid.UUID, parse: Callable[[str], object]
) -> Callable[[], object]:
    """psycopg fetching the rows' JSON columns as text, and ``parse`` reading each one."""
    own = psycopg.connect(**connection.get_connection_params(), autocommit=True)
    sql = (
        f"SELECT raw::text, canonical::text, meta::text FROM {Message._meta.db_table} "
        "WHERE session_id = %s ORDER BY seq"
    )

    def work() -> object:
        rows = own.execute(sql, (session_id,)).fetchall()
        return [[parse(column) for column in row] for row in rows]

    return work


def http_read(client: http.client.HTTPConnection, url: str, key: str) -> Callable[[], object]:
    headers = {"Authorization": f"Bearer {key}"}

    def work() -> object:
        client.request("GET", url, headers=headers)
        response = client.getresponse()
        answer = response.read()
        assert response.status == 200, answer[:200]
        return answer

    return work


def queries_per_read(key: str, url: str) -> int:
    setup_test_environment()  # lets the test client's host name in
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    client.get(url)  # the key's use is now recorded
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def main() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL to a Postgres database")
    project = Project.objects.create(name=f"benchmark-{uuid.uuid4()}")
    try:
        issued = services.api_key_issue(project=project, name="benchmark")
        session = services.session_create(project=project)
        for format, blob in sample_conversation_repeated(MESSAGE_COUNT):
            services.message_store(session=session, blob=blob, format=format)
        url = f"/api/v1/session/{session.pk}/messages"
        with running_server() as base:
            address = urlsplit(base)
            client = http.client.HTTPConnection(address.hostname or "", address.port)
            works = {
                "raw": raw_fetch_and_parse(session.pk, orjson.loads),
                "stdlib": raw_fetch_and_parse(session.pk, json.loads),
            }
            for target in conversion.FORMATS:
                works[target] = http_read(
                    client, f"{url}?format={target}&limit={MESSAGE_COUNT}", issued.secret
                )
            timings = median_ms_in_turns(works)
            client.close()
        raw = timings.pop("raw")
        plain = timings.pop("stdlib")
        queries = queries_per_read(issued.secret, f"{url}?limit={MESSAGE_COUNT}")
    finally:
        project.delete()
    print(f"{MESSAGE_COUNT} messages, median of {RUNS}, gunicorn.conf.py on {os.cpu_count()} cores")
    print(f"{'read':<34} {'ms':>7} {'x raw':>7} {'x stdlib':>10}")
    print(f"{'raw psycopg fetch + orjson parse':<34} {raw:>7.1f} {1:>7.2f} {raw / plain:>10.2f}")
    print(f"{'raw psycopg fetch + json.loads':<34} {plain:>7.1f} {plain / raw:>7.2f} {1:>10.2f}")
    for target, milliseconds in timings.items():
        print(
            f"{'HTTP, format=' + target:<34} {milliseconds:>7.1f} {milliseconds / raw:>7.2f}"
            f" {milliseconds / plain:>10.2f}"
        )
    print(f"queries per read: {queries}")


if __name__ == "__main__":
    main()
