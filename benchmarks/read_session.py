"""How long reading a session takes in each format: a page of 1,000, and 10,000 read whole.

    python benchmarks/read_session.py            # SQLite (db.sqlite3) unless DATABASE_URL is set
    DATABASE_URL=postgres://... python benchmarks/read_session.py

1. Stores a throwaway session of 1,000 mixed-format messages through the service
   (benchmarks/sample_conversation.py, repeated with fresh tool-call ids), then times
   ``session_messages_converted`` reading all of it as ONE page of 1,000 (the largest page),
   and prints the queries per read, the median time and its multiple of a fetch-only
   baseline.
2. Extends it to 10,000 messages and reads the session whole (no limit, what the SDKs' plain
   ``get_messages`` asks for), printing the time and the peak memory the read allocates
   (tracemalloc), in all and per message: the memory grows with the session, nothing more.

Removes everything it created.
"""

import os
import statistics
import sys
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acontext_site.settings")

import django
import orjson

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from sample_conversation import sample_conversation_repeated  # noqa: E402

import conversion  # noqa: E402
from sessions_app import services  # noqa: E402
from sessions_app.models import Message, Project, Session  # noqa: E402

MESSAGE_COUNT = 1000
WHOLE_SESSION_COUNT = 10_000
RUNS = 7
WHOLE_SESSION_RUNS = 3


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    call_command("migrate", verbosity=0)
    project = Project.objects.create(name=f"benchmark-{uuid.uuid4()}")
    try:
        session = services.session_create(project=project)
        started = time.perf_counter()
        for format, blob in sample_conversation_repeated(MESSAGE_COUNT):
            services.message_store(session=session, blob=blob, format=format)
        store_seconds = time.perf_counter() - started
        print(
            f"{connection.vendor}: stored {MESSAGE_COUNT} messages in {store_seconds:.1f} s "
            f"({store_seconds / MESSAGE_COUNT * 1000:.2f} ms each)"
        )
        # Baseline: what a store that only handed back its blobs would do in the same query.
        baseline = statistics.median(
            timed(
                lambda: orjson.dumps(
                    list(
                        Message.objects.filter(session=session)
                        .order_by("seq")
                        .values_list("raw", flat=True)
                    )
                )
            )
            for _ in range(RUNS)
        )
        print(f"baseline (fetch the raw blobs, serialize): {baseline:.1f} ms")
        print(
            f"{'format':<10} {'queries':>7} {'median ms':>10} {'x baseline':>10}"
            f" {'items':>6} {'warnings':>8}"
        )
        for target in conversion.FORMATS:
            timings = []
            for _ in range(RUNS):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    page = services.session_messages_converted(
                        session=session, target_format=target, limit=MESSAGE_COUNT
                    )
                    timings.append((time.perf_counter() - started) * 1000)
            median = statistics.median(timings)
            print(
                f"{target:<10} {len(queries):>7} {median:>10.1f} {median / baseline:>10.2f}"
                f" {len(page.items):>6} {len(page.warnings):>8}"
            )
        read_whole_session(session)
    finally:
        project.delete()  # the session and its messages go with it


def store_quickly(session: Session, pairs: list[tuple[str, object]], first_seq: int) -> None:
    """What message_store writes, in bulk (the benchmark is about reading)."""
    rows = []
    for seq, (format, blob) in enumerate(pairs, start=first_seq):
        canonical = conversion.normalize(blob, format)
        rows.append(
            Message(
                session=session,
                seq=seq,
                format=format,
                raw=blob,
                canonical=canonical,
                tokens=conversion.count_message_tokens(canonical),
            )
        )
    Message.objects.bulk_create(rows, batch_size=1000)
    Session.objects.filter(pk=session.pk).update(last_seq=first_seq + len(pairs) - 1)


def read_whole_session(session: Session) -> None:
    pairs = sample_conversation_repeated(WHOLE_SESSION_COUNT)[MESSAGE_COUNT:]
    store_quickly(session, pairs, first_seq=MESSAGE_COUNT + 1)
    print(f"\nthe whole session ({WHOLE_SESSION_COUNT} messages) in one read, no limit")
    print(f"{'format':<10} {'queries':>7} {'median ms':>10} {'peak MiB':>9} {'KiB/message':>11}")
    for target in conversion.FORMATS:
        timings = []
        for _ in range(WHOLE_SESSION_RUNS):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                page = services.session_messages_converted(
                    session=session, target_format=target, limit=None
                )
                timings.append((time.perf_counter() - started) * 1000)
        covered = {message_id for sources in page.sources for message_id in sources}
        # Anthropic and Gemini hold the system prompt (message 1) apart from the items.
        assert len(covered) + (page.system is not None) == WHOLE_SESSION_COUNT
        del page
        tracemalloc.start()
        services.session_messages_converted(session=session, target_format=target, limit=None)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{target:<10} {len(queries):>7} {statistics.median(timings):>10.1f}"
            f" {peak / 2**20:>9.1f} {peak / 1024 / WHOLE_SESSION_COUNT:>11.2f}"
        )


if __name__ == "__main__":
    main()
