"""Uploads and deletions of the same file at once, each on its own connection (Postgres only):
one stored copy, and no file deleted that a message still has."""

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from sessions_app import assets, services
from sessions_app.models import Asset, Message, MessageAsset, Project, Session
from tests.sessions_app.asset_samples import PNG

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises all writers on one database lock; run with DATABASE_URL=postgres",
    ),
    pytest.mark.django_db(transaction=True),
]

WRITERS = 6


def store_png(session: Session, name: str = "dot.png") -> Message:
    return services.message_store(
        session=session,
        blob={"role": "user", "parts": [{"type": "image", "file_field": "f"}]},
        format="acontext",
        uploads={"f": SimpleUploadedFile(name, PNG)},
    )


class Worker(threading.Thread):
    """Runs ``work`` on its own database connection and keeps what it raised."""

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self.work = work
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            self.work()
        except BaseException as failure:
            self.failure = failure
        finally:
            connections.close_all()


def wait_until_a_connection_waits_for_a_lock() -> None:
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("no connection came to wait for the asset's row lock")


@pytest.fixture
def paused() -> Iterator[Callable[[Any, str], tuple[threading.Event, threading.Event]]]:
    """Pause a function of a module where it is called: (reached, release) events."""
    undo: list[tuple[Any, str, Any]] = []

    def pause(module: Any, name: str) -> tuple[threading.Event, threading.Event]:
        reached, release = threading.Event(), threading.Event()
        original = getattr(module, name)

        def waiting(*args: Any, **kwargs: Any) -> Any:
            reached.set()
            assert release.wait(10), "never released"
            return original(*args, **kwargs)

        setattr(module, name, waiting)
        undo.append((module, name, original))
        return reached, release

    yield pause
    for module, name, original in undo:
        setattr(module, name, original)


def race(
    paused: Callable[[Any, str], tuple[threading.Event, threading.Event]],
    where: tuple[Any, str],
    first: Callable[[], Any],
    second: Callable[[], Any],
) -> tuple[Worker, Worker]:
    """Run ``first`` until it calls the function ``where`` names (module, name), then
    ``second`` until it waits for a row lock that ``first`` holds; then let both finish."""
    reached, release = paused(*where)
    leader = Worker(first)
    leader.start()
    assert reached.wait(10)
    follower = Worker(second)
    follower.start()
    wait_until_a_connection_waits_for_a_lock()
    release.set()
    leader.join()
    follower.join()
    return leader, follower


def test_the_same_file_uploaded_at_once_is_stored_once(
    project: Project, asset_storage: Path
) -> None:
    sessions = [services.session_create(project=project) for _ in range(WRITERS)]
    start = threading.Barrier(WRITERS)

    def uploader(session: Session) -> Callable[[], None]:
        def upload() -> None:
            start.wait()
            store_png(session)

        return upload

    workers = [Worker(uploader(session)) for session in sessions]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert [worker.failure for worker in workers] == [None] * WRITERS
    asset = Asset.objects.get()
    assert MessageAsset.objects.filter(asset=asset).count() == WRITERS
    assert (asset_storage / asset.key).read_bytes() == PNG


def test_an_upload_waiting_on_a_deletion_stores_the_file_again(
    project: Project, asset_storage: Path, paused: Any
) -> None:
    doomed, survivor = (services.session_create(project=project) for _ in range(2))
    store_png(doomed)
    # The deletion has locked the asset and removed the session's links; it pauses before
    # it deletes the orphaned asset and its file.
    deletion, upload = race(
        paused,
        (assets, "delete_orphans"),
        lambda: services.session_delete(session=doomed),
        lambda: store_png(survivor, "kept.png"),
    )

    assert (deletion.failure, upload.failure) == (None, None)
    asset = Asset.objects.get()
    assert list(asset.messages.values_list("session_id", flat=True)) == [survivor.pk]
    assert (asset_storage / asset.key).read_bytes() == PNG


def test_a_deletion_waiting_on_an_upload_keeps_the_file(
    project: Project, asset_storage: Path, paused: Any
) -> None:
    doomed, survivor = (services.session_create(project=project) for _ in range(2))
    store_png(doomed)
    # The upload holds the asset's row lock and pauses before its message is stored.
    upload, deletion = race(
        paused,
        (services, "_append"),
        lambda: store_png(survivor, "kept.png"),
        lambda: services.session_delete(session=doomed),
    )

    assert (deletion.failure, upload.failure) == (None, None)
    asset = Asset.objects.get()
    assert list(asset.messages.values_list("session_id", flat=True)) == [survivor.pk]
    assert (asset_storage / asset.key).read_bytes() == PNG


def test_a_deletion_and_a_store_into_the_same_session_do_not_deadlock(
    project: Project, asset_storage: Path, paused: Any
) -> None:
    session = services.session_create(project=project)
    store_png(session)
    # The store has locked the session and pauses before it locks the file's asset.
    upload, deletion = race(
        paused,
        (assets, "save_upload"),
        lambda: store_png(session, "again.png"),
        lambda: services.session_delete(session=session),
    )

    assert (deletion.failure, upload.failure) == (None, None)
    assert not Session.objects.filter(pk=session.pk).exists()
    assert Asset.objects.count() == 0
    assert sorted(asset_storage.rglob("*.png")) == []
