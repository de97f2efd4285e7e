"""Full-text search over messages (sessions_app/search.py): Message.search_text, filled for the
messages stored before it, and its index, which differs by database and so lives outside the
model state (makemigrations sees only the column):

- Postgres: the text's tsvector in a column of its own, generated from search_text
  (to_tsvector('simple', ...), computed once when a row is written), with a GIN index over
  it for the words of a query that few messages hold; and a b-tree on (created_at, id), the
  order of the results, so that a query that most messages match walks the newest messages
  until it has a page instead of sorting every match. A stored vector rather than an index
  over to_tsvector(search_text): that walk, and the rechecks of phrases, test rows one by
  one, which then costs a comparison instead of parsing the text again (testing a million
  stored vectors took 0.3 to 0.8 s, parsing a million texts 8 to 13 s; benchmarks/search.py).
  Adding the column rewrites the message table under an exclusive lock (27 to 50 s for a
  million messages here), so stores wait while this migration runs on a large table; the
  indexes may be created beforehand with CREATE INDEX CONCURRENTLY under the same names, and
  are then skipped.
- SQLite: an FTS5 table holding each message's text with its id, which triggers on the
  message table keep in step. Keyed by the message id, not by rowid: the message table has no
  INTEGER PRIMARY KEY, so VACUUM and Django's table rebuilds may renumber its rowids. A
  rebuild also drops the triggers: a later migration that rebuilds the message table on
  SQLite must create them again (tests/sessions_app/test_search.py checks they exist).
"""

from django.db import migrations, models

MESSAGE = "sessions_app_message"
POSTGRES_VECTOR = "search_vector"
POSTGRES_INDEX = "message_search_vector"
POSTGRES_ORDER_INDEX = "message_created"
SEARCH = "sessions_app_message_search"

SQLITE_CREATE = [
    # unicode61 folds case only, as Postgres' 'simple' configuration does.
    f"CREATE VIRTUAL TABLE {SEARCH} USING fts5("
    "search_text, message_id, tokenize = 'unicode61 remove_diacritics 0')",
    f"INSERT INTO {SEARCH} (search_text, message_id)"
    f" SELECT search_text, id FROM {MESSAGE} WHERE search_text <> ''",
    f"CREATE TRIGGER {SEARCH}_insert AFTER INSERT ON {MESSAGE} WHEN new.search_text <> ''"
    f" BEGIN INSERT INTO {SEARCH} (search_text, message_id) VALUES (new.search_text, new.id);"
    " END",
    # The id column is full-text too, so that this finds the row through the index.
    f"CREATE TRIGGER {SEARCH}_delete AFTER DELETE ON {MESSAGE}"
    f" BEGIN DELETE FROM {SEARCH} WHERE {SEARCH} MATCH 'message_id : \"' || old.id || '\"';"
    " END",
    f"CREATE TRIGGER {SEARCH}_update AFTER UPDATE OF search_text ON {MESSAGE}"
    f" BEGIN DELETE FROM {SEARCH} WHERE {SEARCH} MATCH 'message_id : \"' || old.id || '\"';"
    f" INSERT INTO {SEARCH} (search_text, message_id) SELECT new.search_text, new.id"
    " WHERE new.search_text <> ''; END",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {SEARCH}_insert",
    f"DROP TRIGGER IF EXISTS {SEARCH}_delete",
    f"DROP TRIGGER IF EXISTS {SEARCH}_update",
    f"DROP TABLE IF EXISTS {SEARCH}",
]


def fill_search_text(apps, schema_editor):
    """Messages stored before the column existed get their searchable text now."""
    from sessions_app.search import message_search_text

    Message = apps.get_model("sessions_app", "Message")
    batch = []
    for message in Message.objects.only("id", "canonical").iterator(chunk_size=1000):
        message.search_text = message_search_text(message.canonical)
        batch.append(message)
        if len(batch) == 1000:
            Message.objects.bulk_update(batch, ["search_text"])
            batch.clear()
    Message.objects.bulk_update(batch, ["search_text"])


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # Not in the model: Django neither writes nor reads it (search.py's SQL does).
        schema_editor.execute(
            f"ALTER TABLE {MESSAGE} ADD COLUMN IF NOT EXISTS {POSTGRES_VECTOR} tsvector"
            " GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {POSTGRES_INDEX} ON {MESSAGE}"
            f" USING gin ({POSTGRES_VECTOR})"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {POSTGRES_ORDER_INDEX} ON {MESSAGE} (created_at, id)"
        )
    elif vendor == "sqlite":
        try:
            schema_editor.execute(SQLITE_CREATE[0])
        except Exception as error:
            if "fts5" not in str(error):
                raise
            raise RuntimeError(
                "this Python's SQLite has no FTS5, which message search needs: use a Python"
                " whose sqlite3 module has it (python.org's, Debian's, Homebrew's do), or"
                " Postgres"
            ) from error
        for statement in SQLITE_CREATE[1:]:
            schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {POSTGRES_ORDER_INDEX}")
        schema_editor.execute(f"ALTER TABLE {MESSAGE} DROP COLUMN IF EXISTS {POSTGRES_VECTOR}")
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0004_assets"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_index, drop_index),
    ]
