"""The session list: a preview of each conversation, its message and token counts, and
filters by creation date and configs, and a choice of order."""

import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sessions_app import services
from sessions_app.models import Message, Project, Session
from tests.browser.mixed_conversation import member
from tests.sessions_app.test_pages import session_ids_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(project: Project) -> Client:
    client = Client()
    client.force_login(member(project, "alice"))
    return client


def created(session: Session, moment: datetime) -> Session:
    Session.objects.filter(pk=session.pk).update(created_at=moment)
    return session


def listed(client: Client, **query: str) -> list[str]:
    response = client.get("/sessions/", query)
    assert response.status_code == 200, response.content.decode()
    return session_ids_in(response.content.decode())


def row_of(html: str, session: Session) -> str:
    start = html.index(f'href="/sessions/{session.pk}/"')
    return html[start : html.index("</tr>", start)]


def test_each_row_previews_the_first_words_of_the_user_and_counts_messages_and_tokens(
    alice_client: Client, session: Session
) -> None:
    services.message_store(session=session, blob={"role": "system", "content": "Be brief."})
    services.message_store(
        session=session,
        blob={
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                {"type": "text", "text": "What is on <this> picture?"},
            ],
        },
    )
    services.message_store(session=session, blob={"role": "assistant", "content": "A cat."})
    tokens = sum(Message.objects.filter(session=session).values_list("tokens", flat=True))

    row = row_of(alice_client.get("/sessions/").content.decode(), session)

    assert '<p class="preview">What is on &lt;this&gt; picture?</p>' in row
    assert re.findall(r'<td class="number"[^>]*>(\d+)</td>', row) == ["3", str(tokens)]
    assert tokens > 0


def test_a_session_without_user_words_has_no_preview(
    alice_client: Client, session: Session
) -> None:
    services.message_store(session=session, blob={"role": "system", "content": "Be brief."})
    services.message_store(session=session, blob={"role": "assistant", "content": "Hello."})

    row = row_of(alice_client.get("/sessions/").content.decode(), session)

    assert 'class="preview"' not in row


def test_the_list_filters_by_creation_date(alice_client: Client, project: Project) -> None:
    day = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    before = created(services.session_create(project=project), day - timedelta(days=3))
    within = created(services.session_create(project=project), day - timedelta(days=1))
    today = created(services.session_create(project=project), day)
    start = (day - timedelta(days=2)).date().isoformat()
    end = (day - timedelta(days=1)).date().isoformat()

    assert listed(alice_client, created_from=start, created_to=end) == [str(within.pk)]
    assert listed(alice_client, created_from=start) == [str(today.pk), str(within.pk)]
    assert listed(alice_client, created_to=end) == [str(within.pk), str(before.pk)]


def test_the_list_filters_by_configs_as_the_api_does(
    alice_client: Client, project: Project
) -> None:
    bot = services.session_create(project=project, configs={"agent": "bot1", "tier": {"a": 1}})
    services.session_create(project=project, configs={"agent": "bot2"})

    assert listed(alice_client, configs='{"agent": "bot1"}') == [str(bot.pk)]
    assert listed(alice_client, configs='{"tier": {"a": 1}}') == [str(bot.pk)]
    assert listed(alice_client, configs='{"agent": "nobody"}') == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"configs": "[1, 2]"}, "<strong>Configs</strong>: Must be a JSON object."),
        ({"configs": "{oops"}, "<strong>Configs</strong>: Must be a JSON object."),
        ({"created_from": "yesterday"}, "<strong>Created from</strong>: Enter a valid date."),
        (
            {"created_from": "2026-12-02", "created_to": "2026-12-01"},
            "<strong>Created to</strong>: Must not be before the start date.",
        ),
        (
            {"sort": "random"},
            "<strong>Sort</strong>: Select a valid choice. random is not one of the available"
            " choices.",
        ),
    ],
)
def test_a_bad_filter_is_a_400_that_names_it(
    alice_client: Client, session: Session, query: dict[str, str], message: str
) -> None:
    response = alice_client.get("/sessions/", query)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert session_ids_in(response.content.decode()) == []


def test_the_list_sorts(alice_client: Client, project: Project) -> None:
    now = timezone.now()
    old = created(services.session_create(project=project), now - timedelta(days=2))
    new = created(services.session_create(project=project), now - timedelta(days=1))
    for text in ("one", "two with more words in it"):
        services.message_store(session=old, blob={"role": "user", "content": text})
    services.message_store(session=new, blob={"role": "user", "content": "a long text " * 50})
    Session.objects.filter(pk=old.pk).update(updated_at=now)
    Session.objects.filter(pk=new.pk).update(updated_at=now - timedelta(hours=1))

    assert listed(alice_client) == [str(new.pk), str(old.pk)]
    assert listed(alice_client, sort="oldest") == [str(old.pk), str(new.pk)]
    assert listed(alice_client, sort="changed") == [str(old.pk), str(new.pk)]
    assert listed(alice_client, sort="messages") == [str(old.pk), str(new.pk)]
    assert listed(alice_client, sort="tokens") == [str(new.pk), str(old.pk)]


def test_the_filters_stay_on_the_next_page(alice_client: Client, project: Project) -> None:
    for _ in range(27):
        services.session_create(project=project, configs={"agent": "bot1"})

    html = alice_client.get(
        "/sessions/", {"configs": '{"agent": "bot1"}', "sort": "oldest"}
    ).content.decode()

    assert (
        'href="?configs=%7B%22agent%22%3A+%22bot1%22%7D&amp;sort=oldest&amp;page=2" rel="next"'
        in html
    )


def test_another_projects_sessions_never_show(
    alice_client: Client, session: Session, foreign_session: Session
) -> None:
    assert listed(alice_client, configs='{"owner": "globex"}') == []
    assert listed(alice_client) == [str(session.pk)]


def test_the_list_costs_the_same_queries_however_many_rows(
    alice_client: Client, project: Project
) -> None:
    def store_sessions(count: int) -> None:
        for _ in range(count):
            session = services.session_create(project=project)
            services.message_store(session=session, blob={"role": "user", "content": "hi"})

    store_sessions(3)
    few = queries_of(alice_client)
    store_sessions(10)

    assert queries_of(alice_client) == few


def queries_of(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/sessions/").status_code == 200
    return len(queries)
