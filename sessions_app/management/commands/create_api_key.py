from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from sessions_app import services
from sessions_app.models import Project


class Command(BaseCommand):
    help = (
        "Issue an API key for a project (created if missing). The key alone goes to stdout, "
        "so `KEY=$(python manage.py create_api_key --project NAME)` works."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--project", required=True, help="Project name")
        parser.add_argument("--name", default="default", help="A label for the key")

    def handle(self, *args: Any, **options: Any) -> None:
        project, created = Project.objects.get_or_create(name=options["project"])
        if created:
            self.stderr.write(f"Created project {project.name!r}")
        issued = services.api_key_issue(project=project, name=options["name"])
        self.stdout.write(issued.secret)
