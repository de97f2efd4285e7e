"""Full-text search (sessions_app.search) on whichever database the suite runs on: what is
found, how the match is marked and escaped, whose messages are searched, the pages, and the
index the database keeps."""

import importlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.db import connection, transaction

from sessions_app import search, services
from sessions_app.models import Message, Project, Session

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"


def store(session: Session, blob: object, format: str = "openai") -> Message:
    return services.message_store(session=session, blob=blob, format=format)


def user_says(session: Session, text: str) -> Message:
    return store(session, {"role": "user", "content": text})


def found(query: str, *projects: Project, **options) -> list[tuple[int, str, str]]:
    page = search.message_search(query=query, project_ids=[p.pk for p in projects], **options)
    return [(hit.seq, hit.role, hit.highlight) for hit in page.hits]


@pytest.fixture
def weather(session: Session) -> Session:
    """A tool run: a question, a call with JSON arguments, its result, the answer."""
    user_says(session, "What is the weather in Paris? Should I take an umbrella?")
    store(
        session,
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Lyon"}'},
                }
            ],
        },
    )
    store(session, {"role": "tool", "tool_call_id": "call_1", "content": "Drizzle, 12 degrees"})
    store(session, {"role": "assistant", "content": "Take the umbrella: drizzle all day."})
    return session


# What is found ----------------------------------------------------------------------------


def test_finds_text_tool_arguments_and_tool_results_newest_first(weather, project):
    assert found("umbrella", project) == [
        (4, "assistant", "Take the <mark>umbrella</mark>: drizzle all day."),
        (1, "user", "What is the weather in Paris? Should I take an <mark>umbrella</mark>?"),
    ]
    assert found("Lyon", project) == [
        (2, "assistant", 'get_weather\n{"city": "<mark>Lyon</mark>"}'),
    ]
    assert found("get_weather", project) == [
        (2, "assistant", '<mark>get_weather</mark>\n{"city": "Lyon"}'),
    ]
    # A tool result is a user message in the canonical model, as in Acontext.
    assert found("degrees", project) == [(3, "user", "Drizzle, 12 <mark>degrees</mark>")]


def test_every_word_must_appear_and_a_quoted_phrase_in_order(weather, project):
    assert [seq for seq, _, _ in found("drizzle umbrella", project)] == [4]
    assert found('"all day" umbrella', project) == [
        (4, "assistant", "Take the <mark>umbrella</mark>: drizzle <mark>all day</mark>."),
    ]
    assert found('"day all"', project) == []
    assert found("umbrella snow", project) == []


def test_case_does_not_matter_whole_words_do(weather, project):
    assert [seq for seq, _, _ in found("PARIS", project)] == [1]
    assert found("umbrel", project) == []
    assert found("umbrellas", project) == []


def test_words_of_other_scripts(session, project):
    user_says(session, "Der Regenschirm ist nötig. 東京 は 雨 です。Погода: дождь")

    assert found("NÖTIG", project) == [
        (1, "user", "Der Regenschirm ist <mark>nötig</mark>. 東京 は 雨 です。Погода: дождь")
    ]
    assert [seq for seq, _, _ in found("дождь 東京", project)] == [1]
    # Diacritics are kept on both databases.
    assert found("notig", project) == []


def test_tool_results_of_other_formats_are_found(session, project):
    store(
        session,
        {
            "role": "model",
            "parts": [{"functionCall": {"name": "lookup", "args": {"q": "tides"}}}],
        },
        "gemini",
    )
    store(
        session,
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_1",
                    "content": [
                        {"type": "text", "text": "High tide at noon"},
                        {"type": "text", "text": "low tide at six"},
                    ],
                }
            ],
        },
        "anthropic",
    )

    assert found("tides", project) == [(1, "assistant", 'lookup\n{"q":"<mark>tides</mark>"}')]
    assert found("six", project) == [
        (2, "user", "High tide at noon\nlow tide at <mark>six</mark>"),
    ]


# Marks and escaping -----------------------------------------------------------------------


def test_markup_in_a_message_is_escaped_and_only_the_match_is_marked(session, project):
    user_says(session, "<script>alert('pwned')</script> & <b>bold</b> x < y")

    assert found("alert", project) == [
        (
            1,
            "user",
            "&lt;script&gt;<mark>alert</mark>('pwned')&lt;/script&gt; &amp; &lt;b&gt;bold"
            "&lt;/b&gt; x &lt; y",
        )
    ]
    # Markup is text like any other: its words are found too, written as in the message.
    assert [seq for seq, _, _ in found("bold", project)] == [1]
    assert [seq for seq, _, _ in found("<script>", project)] == [1]
    assert [seq for seq, _, _ in found('"<b>bold</b>"', project)] == [1]


def test_control_characters_in_a_message_cannot_forge_a_mark(session, project):
    user_says(session, "plain \x02forged\x03 text \x0ehidden>")

    assert found("text", project) == [(1, "user", "plain  forged  <mark>text</mark>  hidden&gt;")]


def test_a_long_text_is_cut_around_the_match(session, project):
    for position in (40, 1, 80):
        words = [f"w{index}" for index in range(1, 81)]
        words[position - 1] = "needle"
        user_says(session, " ".join(words))

    highlights = [highlight for _, _, highlight in found("needle", project)]

    def run(first: int, last: int) -> str:
        return " ".join(f"w{index}" for index in range(first, last + 1))

    if POSTGRES:  # ts_headline: from the match on, at least 24 words
        assert highlights == [
            f"…{run(57, 79)} <mark>needle</mark>",
            f"<mark>needle</mark> {run(2, 24)}…",
            f"…<mark>needle</mark> {run(41, 63)}…",
        ]
    else:  # FTS5's snippet: 32 tokens around the match
        assert highlights == [
            f"…{run(49, 79)} <mark>needle</mark>",
            f"<mark>needle</mark> {run(2, 32)}…",
            f"…{run(25, 39)} <mark>needle</mark> {run(41, 56)}…",
        ]


def test_the_engines_split_addresses_differently(session, project):
    """Postgres keeps an e-mail address whole, FTS5 splits it: the address itself is found
    on both, its parts only on SQLite."""
    user_says(session, "Write to alice@example.com today")

    assert [seq for seq, _, _ in found("alice@example.com", project)] == [1]
    assert [seq for seq, _, _ in found("example", project)] == ([] if POSTGRES else [1])


# Queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("umbrella", ["umbrella"]),
        ("  Paris   umbrella ", ["Paris", "umbrella"]),
        ('"all   day" rain', ["all day", "rain"]),
        ('rain "unclosed phrase', ["rain", "unclosed phrase"]),
        ("a-b c:d", ["a-b", "c:d"]),
        ("<b>", ["\x0eb>"]),
        ('!!! "" rain', ["rain"]),
    ],
)
def test_parse_query(query, terms):
    assert search.parse_query(query) == terms


@pytest.mark.parametrize("query", ["", "   ", "!!!", '""', '" "', "- * :"])
def test_a_query_without_words_is_refused(query):
    with pytest.raises(search.InvalidSearchQuery, match="has no words to search for"):
        search.parse_query(query)


@pytest.mark.parametrize(
    "query",
    [
        "a OR b",
        "-rain",
        "NOT rain",
        "rain AND",
        "NEAR(rain day)",
        "search_text: rain",
        "{message_id}: rain",
        "rain*",
        "^rain",
        "rain:*",
        "a & b | !c <-> (d)",
        "'rain'",
        "back\\slash",
        '"a "b" c"',
        "rain\x02\x03\x0e",
    ],
)
def test_operator_syntax_is_only_text(weather, project, query):
    """No input is syntax to either engine: nothing fails, nothing matches by accident."""
    search.message_search(query=query, project_ids=[project.pk])


# Whose messages ---------------------------------------------------------------------------


def test_another_projects_messages_never_appear(session, project, foreign_session, other_project):
    user_says(session, "the secret plan")
    user_says(foreign_session, "the secret plan of globex")

    assert found("secret", project) == [(1, "user", "the <mark>secret</mark> plan")]
    assert found("globex", project) == []
    assert found("globex", other_project) == [(1, "user", "the secret plan of <mark>globex</mark>")]
    both = search.message_search(query="secret", project_ids=[project.pk, other_project.pk])
    assert {hit.session_id for hit in both.hits} == {str(session.pk), str(foreign_session.pk)}
    # None: every project (staff); an empty list: none.
    assert len(search.message_search(query="secret", project_ids=None).hits) == 2
    assert search.message_search(query="secret", project_ids=[]).hits == []


def test_a_hit_names_its_session_and_message(session, project):
    session.user = "alice@example.com"
    session.save()
    message = store(session, {"role": "user", "parts": [{"text": "hello"}]}, "gemini")

    (hit,) = search.message_search(query="hello", project_ids=[project.pk]).hits

    assert hit == search.SearchHit(
        message_id=str(message.pk),
        session_id=str(session.pk),
        project_id=str(project.pk),
        session_user="alice@example.com",
        seq=1,
        format="gemini",
        role="user",
        created_at=message.created_at,
        highlight="<mark>hello</mark>",
    )


# Pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("window", [search.NEWEST_WINDOW, 3])
def test_pages_walk_back_in_time_without_gaps_or_repeats(session, project, monkeypatch, window):
    """Postgres finds a page among the newest messages, or else through the index: a
    window of 3 makes it use both on the way."""
    monkeypatch.setattr(search, "NEWEST_WINDOW", window)
    messages = [user_says(session, f"rain number {index}") for index in range(1, 6)]
    # Two at the same moment: the id orders them.
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    for index, message in enumerate(messages):
        created = moment + timedelta(minutes=min(index, 3))
        Message.objects.filter(pk=message.pk).update(created_at=created)
    newest_first = sorted(
        Message.objects.filter(session=session), key=lambda m: (m.created_at, m.pk), reverse=True
    )

    seen = []
    after = None
    while True:
        page = search.message_search(query="rain", project_ids=[project.pk], limit=2, after=after)
        seen.append([hit.message_id for hit in page.hits])
        if page.next_after is None:
            break
        last = page.hits[-1]
        assert page.next_after == (last.created_at, uuid.UUID(last.message_id))
        after = page.next_after

    assert seen == [
        [str(newest_first[0].pk), str(newest_first[1].pk)],
        [str(newest_first[2].pk), str(newest_first[3].pk)],
        [str(newest_first[4].pk)],
    ]


def test_a_page_that_ends_exactly_has_no_next(session, project):
    user_says(session, "rain")
    user_says(session, "rain again")

    page = search.message_search(query="rain", project_ids=[project.pk], limit=2)

    assert len(page.hits) == 2
    assert page.next_after is None


def test_limit_is_checked(project):
    with pytest.raises(ValueError, match="limit must be between 1 and 100"):
        search.message_search(query="rain", project_ids=[project.pk], limit=101)


# The stored text and the index ------------------------------------------------------------


def test_the_search_text_is_stored_once_with_the_message(session):
    message = user_says(session, "a <b>bold</b> \x02claim\x03")

    stored = Message.objects.get(pk=message.pk).search_text
    assert stored == message.search_text == "a \x0eb>bold\x0e/b>  claim \n"


def test_a_very_long_text_is_searched_in_its_first_200000_characters(session, project):
    user_says(session, "start " + "filler " * 40_000 + "beyond")

    assert len(Message.objects.get().search_text) == search.SEARCH_TEXT_MAX_CHARS
    assert [seq for seq, _, _ in found("start", project)] == [1]
    assert found("beyond", project) == []


def test_copies_and_deletions_keep_the_index_in_step(weather, project):
    copy = services.session_copy(session=weather)
    assert len(found("umbrella", project)) == 4
    assert Message.objects.get(session=copy, seq=2).search_text.startswith("get_weather\n")

    services.session_delete(session=copy)
    assert len(found("umbrella", project)) == 2
    services.session_delete(session=weather)
    assert found("umbrella", project) == []
    check_index_integrity()


def test_messages_stored_before_search_get_their_text(weather, project):
    """Migration 0005 fills search_text of the messages already stored."""
    Message.objects.update(search_text="")
    assert found("umbrella", project) == []

    migration = importlib.import_module("sessions_app.migrations.0005_message_search_text")
    migration.fill_search_text(apps, None)

    assert len(found("umbrella", project)) == 2
    assert [seq for seq, _, _ in found("Lyon", project)] == [2]
    check_index_integrity()


def check_index_integrity() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # Raises when the index and the FTS5 table's text disagree.
            cursor.execute(
                f"INSERT INTO {search.SQLITE_SEARCH_TABLE} ({search.SQLITE_SEARCH_TABLE})"
                " VALUES ('integrity-check')"
            )
            cursor.execute(
                f"SELECT COUNT(*) FROM {search.SQLITE_SEARCH_TABLE} f"
                f" LEFT JOIN {Message._meta.db_table} m ON m.id = f.message_id"
                " WHERE m.id IS NULL OR m.search_text <> f.search_text"
            )
            assert cursor.fetchone() == (0,)
            cursor.execute(f"SELECT COUNT(*) FROM {search.SQLITE_SEARCH_TABLE}")
            indexed = cursor.fetchone()[0]
        assert indexed == Message.objects.exclude(search_text="").count()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 table")
def test_sqlite_keeps_the_fts5_table_in_step_by_triggers():
    """A later migration that rebuilds the message table on SQLite drops its triggers: this
    fails until that migration creates them again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [Message._meta.db_table],
        )
        triggers = {name for (name,) in cursor.fetchall()}
    assert triggers == {
        f"{search.SQLITE_SEARCH_TABLE}_insert",
        f"{search.SQLITE_SEARCH_TABLE}_delete",
        f"{search.SQLITE_SEARCH_TABLE}_update",
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Postgres' indexes")
@pytest.mark.parametrize("projects", ["one", "all"])
def test_postgres_walks_the_newest_then_asks_the_gin_index(weather, project, projects):
    """The statement's two ways to a page each have their index (on a table this small the
    planner would rather scan, so scans are switched off to ask)."""
    project_ids = [project.pk] if projects == "one" else None
    for terms in (["umbrella"], ["all day", "umbrella"]):
        sql, parameters = search.postgres_statement(terms, project_ids, 21, None)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", parameters)
            plan = "\n".join(row for (row,) in cursor.fetchall())
        assert "using message_created" in plan or "on message_created" in plan, plan
        assert "Bitmap Index Scan on message_search_vector" in plan, plan
