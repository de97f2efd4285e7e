import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse

from sessions_app import services
from sessions_app.demo import (
    DEMO_CONVERSATION,
    DEMO_FILE_EXCHANGE,
    DEMO_MESSAGE_COUNT,
    DEMO_SESSION_ID,
)
from sessions_app.models import ApiKey, Project, Session

DEMO_PROJECT = "demo"
DEMO_USERNAME = "demo"
DEMO_KEY_NAME = "demo"
# Where `make run` serves, and how a newcomer runs manage.py there (outside an activated venv).
SERVER = "http://127.0.0.1:8000"
MANAGE = ".venv/bin/python manage.py"


class Command(BaseCommand):
    help = (
        "Create the demo project, a demo login, an API key and a sample conversation, and print "
        "them. Safe to run again: it keeps the password, the key and the one sample session, "
        "and prints how to get a new key or password."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            project, _ = Project.objects.get_or_create(name=DEMO_PROJECT)
            password = self._demo_login(project)
            secret, kept_key = self._demo_key(project)
            sample = self._sample_session(project)

        write = self.stdout.write
        if kept_key is None:
            write(f"API key:        {secret}")
        else:
            # Only the key's hash is stored: what was printed when it was issued is all there is.
            write(f"API key:        {kept_key.prefix}… kept (shown only when it was issued)")
        if password is None:
            write(f"Demo login:     {DEMO_USERNAME}, password kept")
            write(f"New password:   {MANAGE} changepassword {DEMO_USERNAME}")
        else:
            write(f"Demo login:     {DEMO_USERNAME} / {password}")
        write(f"Sample session: {DEMO_SESSION_ID} ({sample})")
        write(f"Conversation:   {SERVER}{reverse('pages:conversation', args=[DEMO_SESSION_ID])}")
        write(f"Admin login:    {MANAGE} createsuperuser, then {SERVER}/admin/")
        base_url = f"export ACONTEXT_BASE_URL={SERVER}/api/v1"
        if kept_key is None:
            write(f"Try it:         {base_url} ACONTEXT_API_KEY={secret}")
        else:
            write(f"Try it:         {base_url} ACONTEXT_API_KEY=<the {kept_key.prefix}… key>")
            write(
                "New key:        export ACONTEXT_API_KEY=$("
                f"{MANAGE} create_api_key --project {DEMO_PROJECT} --name {DEMO_KEY_NAME})"
            )

    def _demo_login(self, project: Project) -> str | None:
        """The new password, or None when the demo user already has one (kept: a person may
        have changed it, and a run should not lock them out)."""
        user: AbstractBaseUser
        user, created = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        project.members.add(user)
        if not created and user.has_usable_password():
            return None
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save()
        return password

    def _demo_key(self, project: Project) -> tuple[str | None, ApiKey | None]:
        """(the secret of a new key, None), or (None, the newest unrevoked demo key, kept)."""
        kept = (
            ApiKey.objects.filter(project=project, name=DEMO_KEY_NAME, revoked_at__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
        )
        if kept is not None:
            return None, kept
        return services.api_key_issue(project=project, name=DEMO_KEY_NAME).secret, None

    def _sample_session(self, project: Project) -> str:
        if Session.objects.filter(pk=DEMO_SESSION_ID).exists():
            return "already loaded"
        # In the handler's transaction: a sample that failed halfway would otherwise be
        # skipped forever.
        session = services.session_create(
            project=project,
            use_uuid=DEMO_SESSION_ID,
            user="demo-traveller",
            configs={"agent": "travel-assistant"},
        )
        for format, blob, meta in DEMO_CONVERSATION:
            services.message_store(session=session, blob=blob, format=format, meta=meta)
        for format, blob, meta, files in DEMO_FILE_EXCHANGE:
            uploads = {
                field: SimpleUploadedFile(name, content) for field, (name, content) in files.items()
            }
            services.message_store(
                session=session, blob=blob, format=format, meta=meta, uploads=uploads or None
            )
        return f"{DEMO_MESSAGE_COUNT} messages"
