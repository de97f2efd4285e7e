"""Full-text search over stored messages, within the projects the caller may see.

1. When a message is stored, ``message_search_text`` takes its searchable text (text and
   thinking, the name and arguments of each tool call, tool results:
   ``conversion.searchable_text``) into ``Message.search_text``, once.
2. The database indexes that column (migration 0005). Postgres: a generated column
   ``search_vector``, ``to_tsvector('simple', search_text)``, with a GIN index, and a b-tree
   on the order of the results. SQLite: an FTS5 table that triggers on the message table
   keep in step.
3. ``parse_query`` reads what a person typed: words and "quoted phrases", all of which a
   message must contain. Every term reaches the database as a quoted phrase, so no input is
   operator syntax to either engine, and both find the same messages.
4. ``message_search`` answers the newest matching messages first, a page at a time (a keyset
   on created_at and id), each with an excerpt in which the database marked the matches
   between two control characters; ``highlight_html`` escapes the whole excerpt and only then
   turns those marks into ``<mark>``.

Why 'simple': conversations come in every language, and a language's configuration stems
and drops stop words for that language only ('english' would find "running" for "run" but
mangle French and German, and could not find the phrase "to be or not to be" at all).
'simple' lowercases and nothing else, which is also what SQLite's FTS5 tokenizer does here
(diacritics kept: "cafe" does not find "café" on either database).

The two engines split words alike for text, but not everywhere: Postgres' parser keeps an
e-mail address, a host name, a URL or a file path whole (``alice@example.com`` is one word,
so "example" does not find it there; "alice@example.com" does on both), FTS5 splits them.
"""

import html
import re
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from django.db import connection, models, transaction

import conversion

from .models import Message, Session

# Postgres refuses a tsvector above 1 MiB of lexemes, and a word takes at most 4 bytes a
# character; past 16,383 words positions are no longer counted (phrases there may miss).
SEARCH_TEXT_MAX_CHARS = 200_000
QUERY_MAX_CHARS = 200
SEARCH_PAGE_DEFAULT = 20
SEARCH_PAGE_MAX = 100
# An excerpt: about this many words around the matches.
EXCERPT_WORDS = 32
TEXT_SEARCH_CONFIG = "simple"
SQLITE_SEARCH_TABLE = "sessions_app_message_search"

# The databases mark matches between these in the excerpts; a message's own are blanked
# when it is stored, so every mark in an excerpt is the database's.
_MATCH_START = "\x02"
_MATCH_STOP = "\x03"
# Postgres' parser reads "<...>" as an HTML tag: it leaves tags out of the index and
# ts_headline leaves them out of excerpts, so "<script>" in a message could neither be found
# nor shown. Stored as this control character instead (a separator to both engines, as "<"
# is), and turned back into "<" in the excerpt.
_TAG_OPEN = "\x0e"
_STORED = str.maketrans(
    {_MATCH_START: " ", _MATCH_STOP: " ", _TAG_OPEN: " ", "\x00": " ", "<": _TAG_OPEN}
)
# Matches that only a few non-word characters part ("quick brown", "get_weather") read as one:
# Postgres marks each word of a phrase, FTS5 the phrase, and so both mark alike.
_ADJACENT_MARKS = re.compile(
    f"{_MATCH_STOP}((?:[^\\w{_MATCH_START}{_MATCH_STOP}]|_){{0,3}}){_MATCH_START}"
)
_TERM = re.compile(r'"([^"]*)"?|([^\s"]+)')
# Enough of each end of a text to tell whether an excerpt starts or ends with it.
_ENDS = 40


def message_search_text(canonical: dict[str, Any]) -> str:
    """What ``Message.search_text`` holds for a canonical message."""
    return conversion.searchable_text(canonical).translate(_STORED)[:SEARCH_TEXT_MAX_CHARS]


class InvalidSearchQuery(ValueError):
    pass


def parse_query(text: str) -> list[str]:
    """The terms of a query: each "quoted phrase", and each other word, whitespace collapsed
    and "<" read as in stored text; a term without a letter or digit finds nothing and is
    left out."""
    terms = []
    for match in _TERM.finditer(text):
        phrase, word = match.groups()
        term = " ".join((phrase if phrase is not None else word).split())
        if any(character.isalnum() for character in term):
            terms.append(term.translate(_STORED))
    if not terms:
        raise InvalidSearchQuery("has no words to search for")
    return terms


def highlight_html(excerpt: str, *, cut_before: bool = False, cut_after: bool = False) -> str:
    """An excerpt as HTML: everything escaped, the database's marks as ``<mark>``, a phrase
    (or neighbouring matches) as one mark, "…" where the excerpt cuts the text."""
    merged = _ADJACENT_MARKS.sub(r"\1", excerpt.strip()).replace(_TAG_OPEN, "<")
    if merged.count(_MATCH_START) != merged.count(_MATCH_STOP):
        # Never expected; an unbalanced mark must not leave an element open.
        merged = merged.replace(_MATCH_START, "").replace(_MATCH_STOP, "")
    escaped = html.escape(merged, quote=False)
    marked = escaped.replace(_MATCH_START, "<mark>").replace(_MATCH_STOP, "</mark>")
    return f"{'…' if cut_before else ''}{marked}{'…' if cut_after else ''}"


@dataclass(frozen=True, slots=True)
class SearchHit:
    message_id: str
    session_id: str
    project_id: str
    # The session's end-user id ("" when it has none).
    session_user: str
    seq: int
    # The format it was stored in.
    format: str
    # The message's role, or the provider's when canonical keeps it apart (system, tool, ...).
    role: str
    created_at: datetime
    # HTML: the escaped excerpt with the matches in <mark>.
    highlight: str


@dataclass(frozen=True, slots=True)
class SearchPage:
    hits: list[SearchHit]
    # Where the next page starts (created_at and id of this page's last hit), if there is one.
    next_after: tuple[datetime, uuid.UUID] | None


def message_search(
    *,
    query: str,
    project_ids: Collection[uuid.UUID] | None,
    limit: int = SEARCH_PAGE_DEFAULT,
    after: tuple[datetime, uuid.UUID] | None = None,
) -> SearchPage:
    """The newest messages of these projects (all projects when None) that contain every
    term of ``query``, after the position ``after``: one statement on Postgres (in a
    transaction that turns JIT off), two on SQLite, whatever the page size.

    Raises ``InvalidSearchQuery`` when the query has no words.
    """
    terms = parse_query(query)
    if not 1 <= limit <= SEARCH_PAGE_MAX:
        raise ValueError(f"limit must be between 1 and {SEARCH_PAGE_MAX}")
    if project_ids is not None and not project_ids:
        return SearchPage(hits=[], next_after=None)
    search = _postgres_search if connection.vendor == "postgresql" else _sqlite_search
    rows = search(terms, project_ids, limit + 1, after)
    hits = [_hit(*row) for row in rows[:limit]]
    last = hits[-1] if len(rows) > limit else None
    return SearchPage(
        hits=hits,
        next_after=(last.created_at, uuid.UUID(last.message_id)) if last is not None else None,
    )


# A hit's row: message id, session id, project id, session user, seq, format, role,
# created_at (text), excerpt, cut before, cut after.
_Row = tuple[Any, Any, Any, str, int, str, str, str, str, bool, bool]


def _hit(
    message_id: Any,
    session_id: Any,
    project_id: Any,
    session_user: str,
    seq: int,
    format: str,
    role: str,
    created_at: str,
    excerpt: str,
    cut_before: bool,
    cut_after: bool,
) -> SearchHit:
    return SearchHit(
        message_id=str(uuid.UUID(str(message_id))),
        session_id=str(uuid.UUID(str(session_id))),
        project_id=str(uuid.UUID(str(project_id))),
        session_user=session_user,
        seq=seq,
        format=format,
        role=role,
        created_at=_utc_timestamp(created_at),
        highlight=highlight_html(excerpt, cut_before=cut_before, cut_after=cut_after),
    )


def _utc_timestamp(text: str) -> datetime:
    # Postgres writes its offset ("+00"); SQLite stores naive UTC.
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _prepared(model: type[models.Model], field: str, value: Any) -> Any:
    """A value as the ORM would pass it for this field (SQLite: UUIDs as 32 hex digits,
    timestamps as naive UTC text)."""
    model_field = cast("models.Field[Any, Any]", model._meta.get_field(field))
    return model_field.get_db_prep_value(value, connection)


def _cut(excerpt: str, head: str, tail: str) -> tuple[bool, bool]:
    """Whether an excerpt of a text leaves out its start and its end, from both ends of the
    text (Postgres' excerpts do not say so themselves)."""
    plain = excerpt.replace(_MATCH_START, "").replace(_MATCH_STOP, "").strip()
    head, tail = head.lstrip(), tail.rstrip()
    start = min(len(plain), len(head), 16)
    end = min(len(plain), len(tail), 16)
    return plain[:start] != head[:start], plain[len(plain) - end :] != tail[len(tail) - end :]


# Postgres ---------------------------------------------------------------------------------

# search_vector is to_tsvector('simple', search_text), stored and indexed (migration 0005).
# A page is the newest matches, found one of two ways, in one statement:
#
# 1. ``newest``: walk the newest NEWEST_WINDOW messages back from the cursor (the b-tree on
#    created_at, id) and test each one's vector. A query that many messages match fills its
#    page here, whatever the number of matches.
# 2. ``matched``: only when the walk found less than a page, every match from the GIN index,
#    sorted. A query that few messages match costs what its matches cost.
#
# The statement says which, rather than the planner: its estimates for a word outside the
# column's statistics (most rare words) and for phrases can be off a hundredfold, and each
# way is slow where the other is fast (on a million messages, a walk for a rare word took
# 150 ms, and 1.3 s for a word that other projects hold and this one does not, where the
# index takes 10 and 200 ms; benchmarks/search.py). The second part runs only when the
# first came up short: its one-time filter skips it, and a CTE that is not read is not
# computed. The excerpts are made for the page's hits only.
_POSTGRES_SQL = """
WITH newest AS (
    SELECT recent.id, recent.created_at
    FROM (
        SELECT m.id, m.session_id, m.created_at, m.search_vector
        FROM {message} m
        WHERE TRUE{after}
        ORDER BY m.created_at DESC, m.id DESC
        LIMIT %(window)s
    ) AS recent{join_recent}
    WHERE recent.search_vector @@ websearch_to_tsquery('{config}', %(query)s){in_projects}
    ORDER BY recent.created_at DESC, recent.id DESC
    LIMIT %(limit)s
),
matched AS MATERIALIZED (
    SELECT m.id, m.session_id, m.created_at
    FROM {message} m
    WHERE m.search_vector @@ websearch_to_tsquery('{config}', %(query)s){after}
),
found AS (
    SELECT id, created_at FROM newest WHERE (SELECT count(*) FROM newest) = %(limit)s
    UNION ALL (
        SELECT matched.id, matched.created_at
        FROM matched{join_matched}
        WHERE (SELECT count(*) FROM newest) < %(limit)s{in_projects}
        ORDER BY matched.created_at DESC, matched.id DESC
        LIMIT %(limit)s
    )
)
SELECT m.id, m.session_id, s.project_id, s."user", m.seq, m.format,
    COALESCE(m.canonical #>> '{{meta,role}}', m.canonical ->> 'role'),
    CAST(m.created_at AS text),
    ts_headline(
        '{config}', m.search_text, websearch_to_tsquery('{config}', %(query)s), %(options)s
    ),
    left(m.search_text, {ends}), right(m.search_text, {ends})
FROM found
JOIN {message} m ON m.id = found.id
JOIN {session} s ON s.id = m.session_id
ORDER BY found.created_at DESC, found.id DESC
"""
# Walking 10,000 messages takes a few milliseconds; a query that matches one message in 500
# of the recent ones (in the caller's projects) fills its page there.
NEWEST_WINDOW = 10_000

_HEADLINE_OPTIONS = (
    f'StartSel="{_MATCH_START}", StopSel="{_MATCH_STOP}", '
    f"MaxWords={EXCERPT_WORDS}, MinWords={EXCERPT_WORDS * 3 // 4}, ShortWord=0"
)


def postgres_statement(
    terms: Sequence[str],
    project_ids: Collection[uuid.UUID] | None,
    limit: int,
    after: tuple[datetime, uuid.UUID] | None,
) -> tuple[str, dict[str, Any]]:
    """The statement ``message_search`` runs on Postgres, with its parameters (a test and
    benchmarks/search.py EXPLAIN it)."""
    session = Session._meta.db_table
    sql = _POSTGRES_SQL.format(
        config=TEXT_SEARCH_CONFIG,
        message=Message._meta.db_table,
        session=session,
        join_recent=f" JOIN {session} ms ON ms.id = recent.session_id"
        if project_ids is not None
        else "",
        join_matched=f" JOIN {session} ms ON ms.id = matched.session_id"
        if project_ids is not None
        else "",
        in_projects=" AND ms.project_id = ANY(%(projects)s)" if project_ids is not None else "",
        after=" AND (m.created_at, m.id) < (%(after_time)s, %(after_id)s)" if after else "",
        ends=_ENDS,
    )
    parameters: dict[str, Any] = {
        # websearch_to_tsquery reads a quoted term as a phrase, and never fails.
        "query": " ".join(f'"{term}"' for term in terms),
        "limit": limit,
        "window": NEWEST_WINDOW,
        "options": _HEADLINE_OPTIONS,
    }
    if project_ids is not None:
        parameters["projects"] = list(project_ids)
    if after is not None:
        parameters["after_time"], parameters["after_id"] = after
    return sql, parameters


def _postgres_search(
    terms: Sequence[str],
    project_ids: Collection[uuid.UUID] | None,
    limit: int,
    after: tuple[datetime, uuid.UUID] | None,
) -> list[_Row]:
    # No JIT compilation: the statement's estimated cost (the index's half, which mostly does
    # not run, priced for every match) passes Postgres' threshold on a large table, and
    # compiling took 25 to 350 ms of searches that run in 1 to 30 (benchmarks/search.py).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(*postgres_statement(terms, project_ids, limit, after))
        fetched = cursor.fetchall()
    rows: list[_Row] = []
    for *fields, excerpt, head, tail in fetched:
        rows.append((*fields, excerpt, *_cut(excerpt, head, tail)))
    return rows


# SQLite -----------------------------------------------------------------------------------

# The FTS5 table keeps its own copy of the text with the message's id (migration 0005): an
# external-content table would key on the message table's rowid, which VACUUM and Django's
# table rebuilds may renumber (the table has no INTEGER PRIMARY KEY).
_SQLITE_FIND_SQL = """
SELECT f.rowid, m.id, m.session_id, s.project_id, s."user", m.seq, m.format,
    COALESCE(json_extract(m.canonical, '$.meta.role'), json_extract(m.canonical, '$.role')),
    CAST(m.created_at AS text)
FROM {search} f
JOIN {message} m ON m.id = f.message_id
JOIN {session} s ON s.id = m.session_id
WHERE {search} MATCH %s{in_projects}{after}
ORDER BY m.created_at DESC, m.id DESC
LIMIT %s
"""

_SQLITE_EXCERPT_SQL = """
SELECT rowid, snippet({search}, 0, %s, %s, '…', {words})
FROM {search}
WHERE {search} MATCH %s AND rowid IN ({rowids})
"""


def _sqlite_match(terms: Sequence[str]) -> str:
    # Each term a string (any character but the quote is literal inside one), in the text
    # column only: the id column is there for the triggers.
    return "search_text : (" + " AND ".join(f'"{term}"' for term in terms) + ")"


def _sqlite_search(
    terms: Sequence[str],
    project_ids: Collection[uuid.UUID] | None,
    limit: int,
    after: tuple[datetime, uuid.UUID] | None,
) -> list[_Row]:
    match = _sqlite_match(terms)
    projects = [_prepared(Session, "project", project_id) for project_id in project_ids or ()]
    sql = _SQLITE_FIND_SQL.format(
        search=SQLITE_SEARCH_TABLE,
        message=Message._meta.db_table,
        session=Session._meta.db_table,
        in_projects=f" AND s.project_id IN ({', '.join(['%s'] * len(projects))})"
        if project_ids is not None
        else "",
        after=" AND (m.created_at, m.id) < (%s, %s)" if after else "",
    )
    parameters: list[Any] = [match, *projects]
    if after is not None:
        parameters += [
            _prepared(Message, "created_at", after[0]),
            _prepared(Message, "id", after[1]),
        ]
    parameters.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        found = cursor.fetchall()
        if not found:
            return []
        cursor.execute(
            _SQLITE_EXCERPT_SQL.format(
                search=SQLITE_SEARCH_TABLE,
                words=EXCERPT_WORDS,
                rowids=", ".join(["%s"] * len(found)),
            ),
            [_MATCH_START, _MATCH_STOP, match, *(row[0] for row in found)],
        )
        excerpts = dict(cursor.fetchall())
    # FTS5's snippet marks its own cuts with "…".
    return [(*fields, excerpts[rowid], False, False) for rowid, *fields in found]
