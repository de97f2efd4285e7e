"""How long the server takes to render the conversation pages of a 1,000-message session.

    python benchmarks/conversation_page.py       # SQLite (db.sqlite3) unless DATABASE_URL is set
    DATABASE_URL=postgres://... python benchmarks/conversation_page.py

Stores a throwaway session of 1,000 mixed-format messages through the service
(benchmarks/sample_conversation.py, repeated with fresh tool-call ids), then requests the pages
through Django's test client as a logged-in member, so the figure is the whole server side
(session and login lookup, the query, conversion, presenters, templates) without a network or a
browser:

- the conversation page as served: its first page of 200 stored messages, in each format;
- the whole 1,000 messages on ONE page (the page size raised to 1,000), in each format;
- the side-by-side page (four conversions of 200 messages).

Prints the median of several runs, the queries per request and the HTML size. Removes everything
it created.
"""

import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acontext_site.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from sample_conversation import sample_conversation_repeated  # noqa: E402

import conversion  # noqa: E402
from sessions_app import services, views  # noqa: E402
from sessions_app.models import Project, Session  # noqa: E402

MESSAGE_COUNT = 1000
RUNS = 7


def timed(client: Client, url: str) -> tuple[float, int, int]:
    """(median milliseconds, queries, bytes) of GET url."""
    timings = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
    return statistics.median(timings), len(queries), len(response.content)


def report(label: str, client: Client, url: str) -> None:
    milliseconds, queries, size = timed(client, url)
    print(f"{label:<38} {queries:>7} {milliseconds:>10.1f} {size / 1024:>9.0f}")


def main() -> None:
    # The test client's host. (Not setup_test_environment: it instruments every template
    # render with a signal, which would inflate the figure.)
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    project = Project.objects.create(name=f"benchmark-{uuid.uuid4()}")
    user = User.objects.create_user(username=f"benchmark-{uuid.uuid4()}")
    try:
        project.members.add(user)
        session = services.session_create(project=project)
        for format, blob in sample_conversation_repeated(MESSAGE_COUNT):
            services.message_store(session=session, blob=blob, format=format)
        client = Client()
        client.force_login(user)
        run(client, session)
    finally:
        project.delete()  # the session and its messages go with it
        user.delete()


def run(client: Client, session: Session) -> None:
    conversation = f"/sessions/{session.pk}/"
    print(
        f"{connection.vendor}: a session of {MESSAGE_COUNT} messages, "
        f"median of {RUNS} requests each"
    )
    print(f"{'page':<38} {'queries':>7} {'median ms':>10} {'KiB':>9}")
    for target in conversion.FORMATS:
        report(
            f"conversation {target}, {views.PAGE_SIZE} messages",
            client,
            f"{conversation}?format={target}",
        )
    served_page_size = views.PAGE_SIZE
    views.PAGE_SIZE = MESSAGE_COUNT  # every message on one page
    try:
        for target in conversion.FORMATS:
            report(
                f"conversation {target}, {MESSAGE_COUNT} messages",
                client,
                f"{conversation}?format={target}",
            )
    finally:
        views.PAGE_SIZE = served_page_size
    report(f"side by side, {views.PAGE_SIZE} messages", client, f"{conversation}side-by-side/")


if __name__ == "__main__":
    main()
