import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

import conversion
from sessions_app.demo import DEMO_CONVERSATION, DEMO_SESSION_ID
from sessions_app.models import ApiKey, Message, Project, Session

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(*args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_create_api_key_prints_only_the_key_and_creates_the_project():
    stdout, stderr = run("create_api_key", "--project", "acme", "--name", "ci")

    key = stdout.strip()
    assert stdout == key + "\n"
    api_key = ApiKey.objects.get(secret_hash=ApiKey.hash_secret(key))
    assert (api_key.project.name, api_key.name) == ("acme", "ci")
    assert stderr == "Created project 'acme'\n"


def test_create_api_key_reuses_an_existing_project():
    project = Project.objects.create(name="acme")

    _, stderr = run("create_api_key", "--project", "acme")

    assert Project.objects.get() == project
    assert ApiKey.objects.get().name == "default"
    assert stderr == ""


def test_load_demo_creates_everything_through_the_services():
    stdout, _ = run("load_demo")

    project = Project.objects.get(name="demo")
    user = get_user_model().objects.get(username="demo")
    assert not user.is_staff
    assert list(project.members.all()) == [user]
    key = stdout.splitlines()[0].removeprefix("API key:").strip()
    assert ApiKey.objects.get(secret_hash=ApiKey.hash_secret(key)).project == project
    password = stdout.splitlines()[1].removeprefix("Demo login:").strip().split(" / ")[1]
    assert user.check_password(password)

    session = Session.objects.get(pk=DEMO_SESSION_ID)
    messages = list(Message.objects.filter(session=session).order_by("seq"))
    assert [(m.format, m.raw, m.meta) for m in messages] == DEMO_CONVERSATION
    assert {m.format for m in messages} == {"openai", "anthropic", "gemini"}
    for target in conversion.FORMATS:
        conversion.render(
            [conversion.StoredMessage(str(m.id), m.format, m.raw, m.canonical) for m in messages],
            target,
        )


def test_load_demo_twice_gives_a_fresh_key_but_one_sample():
    first, _ = run("load_demo")
    second, _ = run("load_demo")

    assert first.splitlines()[0] != second.splitlines()[0]
    assert ApiKey.objects.count() == 2
    assert Session.objects.count() == 1
    assert Message.objects.count() == len(DEMO_CONVERSATION)
    assert "already loaded" in second
