"""Full-text search on Postgres over a million messages: the index, the queries, the stores.

    DATABASE_URL=postgres://... python benchmarks/search.py [--messages 1000000]

On a development database (it drops and rebuilds migration 0005's column and indexes while
it runs, holding the message table's lock meanwhile), in one run:

1. **Stores**: ``services.message_append`` of a mix of formats, without and with the search
   column and indexes, in alternating rounds: what search adds to a store. And the Python
   work the searchable text adds to a store, against the token count's.
2. **Messages**: generated in SQL (INSERT ... SELECT over generate_series, not through the
   service) into two throwaway projects: a small tenant with a tenth of the sessions, whose
   member searches, and a large one. Each message is 10 to 39 words drawn from a fixed
   vocabulary with a skew (the first word, "the", is in nearly every message), with a rare
   word in one message of 10,000, a phrase of two middling words in one of 1,000, and a word
   in one of 20 of the large project's messages and in none of the small one's.
3. **Index build**: migration 0005's work on that table, timed step by step: the generated
   ``search_vector`` column (a rewrite of the table), its GIN index, the b-tree on the
   results' order.
4. **Queries**: ``search.message_search``, the page of 20 the API and the page answer, for a
   common word, a middling one, a rare one and a phrase, in the small project and across all
   projects (staff), 12 times each on one connection (past psycopg's prepare threshold, so
   prepared plans are measured too): the median and the slowest time, the statement alone,
   the same with the server's JIT compilation (which message_search turns off), and the
   plan's scans.
   The baselines are the plain query for the newest matches without the indexes (dropped in
   a transaction that rolls back): a sequential scan testing the stored vectors, and one
   parsing every text again (search without migration 0005), once each.

Removes everything it created, and puts the column and the indexes back even when a step
fails.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acontext_site.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

import conversion  # noqa: E402
from sessions_app import search, services  # noqa: E402
from sessions_app.models import Message, Project, Session  # noqa: E402

MESSAGES_PER_SESSION = 1000
SMALL_TENANT_SHARE = 10  # one session in 10 is the small project's
RUNS = 12
STORES = 400
STORE_ROUNDS = 3
MESSAGE = Message._meta.db_table
# Migration 0005's column and indexes, in the order it creates them.
SEARCH_SCHEMA = {
    "search_vector column": f"ALTER TABLE {MESSAGE} ADD COLUMN IF NOT EXISTS search_vector"
    " tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "GIN index": "CREATE INDEX IF NOT EXISTS message_search_vector ON"
    f" {MESSAGE} USING gin (search_vector)",
    "order b-tree": f"CREATE INDEX IF NOT EXISTS message_created ON {MESSAGE} (created_at, id)",
}
# Ranked by how often they are drawn (the table printed says how many messages hold each).
VOCABULARY_TEXT = (
    "the to and of a in is it you that for on was with as have be at this are but not "
    "from by or one had all we can her there were an when your will what about which do "
    "out if up so their said them how other many some would then these two more time like "
    "harbour see could way my than first lantern been call who oil its now find long down day "
    "did get come made may part over new sound take only little work know place year live me "
    "back give most very after thing our just name good sentence man think say great where "
    "help through much before line right too mean old any same tell boy follow came want show "
    "also around form three small set put end does another well large must big even such "
    "because turn here why ask went men read need land different home us move try kind hand "
    "picture again change off play spell air away animal house point page letter mother "
    "answer found study still learn should america world high every near add food between "
    "own below country plant last school father keep tree never start city earth eye light "
    "thought head under story saw left few while along might close something seem next hard "
    "open example begin life always those both paper together got group often run important "
    "until children side feet car mile night walk white sea began grow took river four carry "
    "state once book hear stop without second later miss idea enough eat face watch far "
    "indian really almost let above girl sometimes mountain cut young talk soon list song "
    "being leave family"
)
VOCABULARY = VOCABULARY_TEXT.split()
QUERIES = [
    ("common word", "the"),
    ("middling word", "harbour"),
    ("rare word", "zanzibar"),
    ("phrase", '"harbour lantern"'),
    ("common, 2 words", "the and"),
    # In one message of 20 of the large project, in none of the small one's.
    ("other's word", "kayak"),
]
STORE_MIX: list[tuple[str, Any]] = [
    ("openai", {"role": "user", "content": "What is the weather in Oslo, and do I need a coat?"}),
    (
        "openai",
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                }
            ],
        },
    ),
    ("openai", {"role": "tool", "tool_call_id": "call_1", "content": '{"temp_c": -3}'}),
    (
        "anthropic",
        {
            "role": "assistant",
            "content": [{"type": "text", "text": "It is -3 °C and clear: take a warm coat."}],
        },
    ),
    ("gemini", {"role": "user", "parts": [{"text": "Thanks! Anything to see near the airport?"}]}),
]

GENERATE = """
INSERT INTO {message} (id, session_id, seq, format, raw, canonical, meta, tokens, search_text,
    created_at, updated_at)
SELECT gen_random_uuid(), sessions.ids[1 + (g.i - 1) / %(per_session)s::int],
    1 + (g.i - 1) %% %(per_session)s::int, 'openai',
    jsonb_build_object('role', 'user', 'content', t.text),
    jsonb_build_object('role', 'user', 'parts',
        jsonb_build_array(jsonb_build_object('type', 'text', 'text', t.text))),
    '{{}}'::jsonb, 0, t.text || E'\\n',
    %(start)s::timestamptz + g.i * interval '1 millisecond',
    %(start)s::timestamptz + g.i * interval '1 millisecond'
FROM generate_series(%(first)s::int, %(last)s::int) AS g(i)
CROSS JOIN (SELECT %(sessions)s::uuid[] AS ids) AS sessions
CROSS JOIN LATERAL (
    SELECT string_agg(words.list[1 + floor(%(vocabulary)s::int * power(random(), 3))::int], ' ')
        || CASE WHEN g.i %% 10000 = 0 THEN ' zanzibar' ELSE '' END
        || CASE WHEN g.i %% 1000 = 7 THEN ' harbour lantern' ELSE '' END
        || CASE WHEN (g.i - 1) / %(per_session)s::int %% %(share)s::int <> 0 AND g.i %% 20 = 3
            THEN ' kayak' ELSE '' END AS text
    FROM generate_series(1, 10 + (g.i * 7) %% 30), (SELECT %(words)s::text[] AS list) AS words
) AS t
"""


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def generate(count: int, small: Project, large: Project) -> list[uuid.UUID]:
    """``count`` messages in sessions of MESSAGES_PER_SESSION, in batches (one transaction
    each); the session ids in the order their messages were written."""
    session_count = -(-count // MESSAGES_PER_SESSION)
    sessions = Session.objects.bulk_create(
        Session(
            project=small if index % SMALL_TENANT_SHARE == 0 else large,
            last_seq=MESSAGES_PER_SESSION,
        )
        for index in range(session_count)
    )
    ids = [session.pk for session in sessions]
    sql = GENERATE.format(message=MESSAGE)
    start = "2026-01-01T00:00:00Z"
    batch = 100_000
    with connection.cursor() as cursor:
        for first in range(1, count + 1, batch):
            cursor.execute(
                sql,
                {
                    "per_session": MESSAGES_PER_SESSION,
                    "first": first,
                    "last": min(count, first + batch - 1),
                    "sessions": ids,
                    "words": VOCABULARY,
                    "vocabulary": len(VOCABULARY),
                    "start": start,
                    "share": SMALL_TENANT_SHARE,
                },
            )
    return ids


def scans(plan: list[str]) -> str:
    """The scan nodes of a plan, shortened: enough to see which index (if any) was read."""
    found = []
    for line in plan:
        text = line.strip().removeprefix("->").strip()
        if "Scan" in text:
            found.append(text.split("  (")[0])
    return "; ".join(dict.fromkeys(found))


def explain(terms: list[str], project_ids: list[uuid.UUID] | None) -> str:
    sql, parameters = search.postgres_statement(terms, project_ids, 21, None)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", parameters)
        return scans([row for (row,) in cursor.fetchall()])


def matches(terms: list[str], project_ids: list[uuid.UUID] | None) -> int:
    """How many messages hold the query (what a search walks through before its page)."""
    in_projects = " AND s.project_id = ANY(%(projects)s)" if project_ids is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {MESSAGE} m"
            f" JOIN {Session._meta.db_table} s ON s.id = m.session_id"
            " WHERE m.search_vector @@ websearch_to_tsquery('simple', %(query)s)"
            f"{in_projects}",
            {"query": " ".join(f'"{term}"' for term in terms), "projects": project_ids},
        )
        (count,) = cursor.fetchone()
    return int(count)


def search_times(query: str, project_ids: list[uuid.UUID] | None) -> tuple[list[float], int]:
    hits = 0

    def run() -> None:
        nonlocal hits
        hits = len(search.message_search(query=query, project_ids=project_ids).hits)

    return [timed(run) for _ in range(RUNS)], hits


def create_search_schema() -> dict[str, float]:
    """Seconds each step took."""
    took = {}
    with connection.cursor() as cursor:
        for step, sql in SEARCH_SCHEMA.items():
            started = time.perf_counter()
            cursor.execute(sql)
            took[step] = time.perf_counter() - started
    return took


def drop_search_schema(*, column: bool = True) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS message_search_vector")
        cursor.execute("DROP INDEX IF EXISTS message_created")
        if column:
            cursor.execute(f"ALTER TABLE {MESSAGE} DROP COLUMN IF EXISTS search_vector")


BASELINE = """
SELECT m.id FROM {message} m{join}
WHERE {vector} @@ websearch_to_tsquery('simple', %(query)s){in_projects}
ORDER BY m.created_at DESC, m.id DESC
LIMIT 21
"""


def sequential(terms: list[str], project_ids: list[uuid.UUID] | None, *, parse: bool) -> float:
    """The newest 21 matches without the indexes (dropped in a transaction that rolls back):
    a sequential scan testing the stored vectors, or (``parse``) parsing each text as if
    there were none."""
    sql = BASELINE.format(
        message=MESSAGE,
        join=f" JOIN {Session._meta.db_table} ms ON ms.id = m.session_id" if project_ids else "",
        vector="to_tsvector('simple', m.search_text)" if parse else "m.search_vector",
        in_projects=" AND ms.project_id = ANY(%(projects)s)" if project_ids else "",
    )
    parameters = {"query": " ".join(f'"{term}"' for term in terms), "projects": project_ids}
    with transaction.atomic():
        drop_search_schema(column=False)
        elapsed = run_statement(sql, parameters)
        transaction.set_rollback(True)
    return elapsed


def run_statement(sql: str, parameters: dict[str, Any]) -> float:
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql, parameters)
        cursor.fetchall()
        return (time.perf_counter() - started) * 1000


def statement_time(
    terms: list[str], project_ids: list[uuid.UUID] | None, *, jit: bool = False
) -> float:
    """The median time of the statement alone, as message_search runs it (no JIT), or with
    the server's JIT."""
    sql, parameters = search.postgres_statement(terms, project_ids, 21, None)
    with transaction.atomic():
        if not jit:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        return statistics.median(run_statement(sql, parameters) for _ in range(RUNS))


def store_times(session: Session, count: int) -> list[float]:
    times = []
    for index in range(count):
        format, blob = STORE_MIX[index % len(STORE_MIX)]
        started = time.perf_counter()
        services.message_append(
            project_id=session.project_id, session_id=session.pk, blob=blob, format=format
        )
        times.append((time.perf_counter() - started) * 1000)
    return times


def python_costs() -> tuple[float, float]:
    """Microseconds per message of the searchable text and of the token count."""
    canonicals = [conversion.normalize(blob, format) for format, blob in STORE_MIX] * 2000
    started = time.perf_counter()
    for canonical in canonicals:
        search.message_search_text(canonical)
    text = (time.perf_counter() - started) / len(canonicals) * 1e6
    started = time.perf_counter()
    for canonical in canonicals:
        conversion.count_message_tokens(canonical)
    tokens = (time.perf_counter() - started) / len(canonicals) * 1e6
    return text, tokens


def remove(projects: list[Project]) -> None:
    # In SQL: the ORM's cascade would load a million messages to delete them.
    ids = [project.pk for project in projects]
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Message._meta.db_table} WHERE session_id IN"
            f" (SELECT id FROM {Session._meta.db_table} WHERE project_id = ANY(%s))",
            [ids],
        )
        cursor.execute(f"DELETE FROM {Session._meta.db_table} WHERE project_id = ANY(%s)", [ids])
    Project.objects.filter(pk__in=ids).delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1_000_000)
    count = parser.parse_args().messages
    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL to a Postgres database")
    call_command("migrate", verbosity=0)
    small = Project.objects.create(name=f"benchmark-small-{uuid.uuid4()}")
    large = Project.objects.create(name=f"benchmark-large-{uuid.uuid4()}")
    try:
        measure_stores(small)
        drop_search_schema()
        started = time.perf_counter()
        generate(count, small, large)
        generated = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {MESSAGE}")
            (table_rows,) = cursor.fetchone()
        print(f"\ngenerated {count:,} messages in {generated:.0f} s ({table_rows:,} in the table)")

        took = create_search_schema()
        with connection.cursor() as cursor:
            # As autovacuum would have by now (the session table's statistics too).
            cursor.execute(f"ANALYZE {MESSAGE}")
            cursor.execute(f"ANALYZE {Session._meta.db_table}")
            cursor.execute(
                "SELECT pg_relation_size('message_search_vector'),"
                " pg_relation_size('message_created'), pg_table_size(%s)",
                [MESSAGE],
            )
            gin_bytes, order_bytes, table_bytes = cursor.fetchone()
        print(
            f"migration 0005 on {table_rows:,} messages: {sum(took.values()):.1f} s ("
            + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in took.items())
            + f"); GIN {gin_bytes / 2**20:.0f} MiB, b-tree {order_bytes / 2**20:.0f} MiB,"
            f" table {table_bytes / 2**20:.0f} MiB"
        )

        print(
            f"\nsearch.message_search, a page of 20, {RUNS} runs each on one connection; its"
            " statement alone (stmt), the same with the server's JIT compilation (which"
            " message_search turns off), and without the indexes (x: how much longer than"
            " stmt)"
        )
        print(
            f"{'query':<16} {'where':<13} {'matches':>7} {'median':>7} {'max':>7}"
            f" {'stmt':>6} {'JIT':>7} {'seq scan':>14} {'parse all':>14}   plan's scans"
        )
        for label, query in QUERIES:
            terms = search.parse_query(query)
            for where, project_ids in (("small project", [small.pk]), ("all (staff)", None)):
                times, hits = search_times(query, project_ids)
                found = matches(terms, project_ids)
                assert hits == min(20, found)
                statement = statement_time(terms, project_ids)
                with_jit = statement_time(terms, project_ids, jit=True)
                stored = sequential(terms, project_ids, parse=False)
                parsed = sequential(terms, project_ids, parse=True)
                print(
                    f"{label:<16} {where:<13} {found:>7,} {statistics.median(times):>5.1f}ms"
                    f" {max(times):>5.1f}ms {statement:>4.1f}ms {with_jit:>5.1f}ms"
                    f" {stored:>6.0f}ms x{stored / statement:<5.0f}"
                    f" {parsed:>6.0f}ms x{parsed / statement:<5.0f}"
                    f"   {explain(terms, project_ids)}"
                )

        session = services.session_create(project=small)
        store_times(session, 50)
        large_table = store_times(session, STORES)
        print(
            f"\nmessage_append on the {table_rows:,}-message table: median"
            f" {statistics.median(large_table):.2f} ms, 99th percentile"
            f" {percentile(large_table, 99):.2f} ms"
        )
    finally:
        create_search_schema()
        remove([small, large])


def percentile(values: list[float], rank: int) -> float:
    return sorted(values)[len(values) * rank // 100]


def measure_stores(project: Project) -> None:
    """Stores with and without the search column and indexes, in alternating rounds, on the
    table as it is (small: the column's rewrite is quick)."""
    session = services.session_create(project=project)
    store_times(session, 50)  # the connection, the caches
    without: list[float] = []
    with_search: list[float] = []
    for _ in range(STORE_ROUNDS):
        drop_search_schema()
        without += store_times(session, STORES)
        create_search_schema()
        with_search += store_times(session, STORES)
    print(
        f"message_append, {STORE_ROUNDS} x {STORES} stores of a mix of formats each way:"
        f" median {statistics.median(without):.2f} ms without search's column and indexes,"
        f" {statistics.median(with_search):.2f} ms with them"
        f" (x{statistics.median(with_search) / statistics.median(without):.2f});"
        f" 99th percentile {percentile(without, 99):.2f} ms and"
        f" {percentile(with_search, 99):.2f} ms"
    )
    text_us, tokens_us = python_costs()
    print(
        f"in Python, per message of that mix: the searchable text {text_us:.1f} us,"
        f" the token count {tokens_us:.1f} us"
    )


if __name__ == "__main__":
    main()
