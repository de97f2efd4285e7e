"""Drops the index of Message.session alone: message_unique_session_seq (session_id, seq) serves
every lookup by session, so that index only cost each store one more insertion.

Only the index is dropped. Django's own AlterField would also drop and re-create the foreign
key on Postgres (checking every message again) and copy the whole table on SQLite.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "sessions_app_message"


def drop_session_index(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    for name, constraint in constraints.items():
        if (
            constraint["columns"] == ["session_id"]
            and constraint["index"]
            and not constraint["unique"]
            and not constraint["primary_key"]
        ):
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create_session_index(apps, schema_editor):
    schema_editor.execute(f"CREATE INDEX sessions_app_message_session_id ON {TABLE} (session_id)")


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0002_message_tokens_session_events"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="session",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="sessions_app.session",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop_session_index, reverse_code=create_session_index),
            ],
        ),
    ]
