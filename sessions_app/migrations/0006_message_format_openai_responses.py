"""The OpenAI Responses input items become a fifth message format (only the choices change)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0005_message_search_text"),
    ]

    operations = [
        migrations.AlterField(
            model_name="message",
            name="format",
            field=models.CharField(
                choices=[
                    ("openai", "openai"),
                    ("anthropic", "anthropic"),
                    ("gemini", "gemini"),
                    ("acontext", "acontext"),
                    ("openai_responses", "openai_responses"),
                ],
                max_length=16,
            ),
        ),
    ]
