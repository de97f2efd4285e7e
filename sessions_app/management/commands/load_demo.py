import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from sessions_app import services
from sessions_app.demo import DEMO_CONVERSATION, DEMO_SESSION_ID
from sessions_app.models import Project, Session

DEMO_PROJECT = "demo"
DEMO_USERNAME = "demo"


class Command(BaseCommand):
    help = (
        "Create the demo project, a demo login, a fresh API key and a sample conversation. "
        "Safe to run again: it prints a new key and password but keeps a single sample session."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        project, _ = Project.objects.get_or_create(name=DEMO_PROJECT)

        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        user.set_password(password)
        user.save()
        project.members.add(user)

        issued = services.api_key_issue(project=project, name="demo")

        if Session.objects.filter(pk=DEMO_SESSION_ID).exists():
            sample = "already loaded"
        else:
            # One transaction: a sample that failed halfway would otherwise be skipped forever.
            with transaction.atomic():
                session = services.session_create(
                    project=project,
                    use_uuid=DEMO_SESSION_ID,
                    user="demo-traveller",
                    configs={"agent": "travel-assistant"},
                )
                for format, blob, meta in DEMO_CONVERSATION:
                    services.message_store(session=session, blob=blob, format=format, meta=meta)
            sample = f"{len(DEMO_CONVERSATION)} messages"

        self.stdout.write(f"API key:        {issued.secret}")
        self.stdout.write(f"Demo login:     {DEMO_USERNAME} / {password}")
        self.stdout.write(f"Sample session: {DEMO_SESSION_ID} ({sample})")
        self.stdout.write(
            "Try it:         ACONTEXT_BASE_URL=http://127.0.0.1:8000/api/v1 "
            f"ACONTEXT_API_KEY={issued.secret}"
        )
