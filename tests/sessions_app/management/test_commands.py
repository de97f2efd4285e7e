import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

import conversion
from sessions_app import services
from sessions_app.assets import storage as asset_storage
from sessions_app.demo import (
    DEMO_CONVERSATION,
    DEMO_FILE_EXCHANGE,
    DEMO_MESSAGE_COUNT,
    DEMO_SESSION_ID,
    ROUTE_MAP_PNG,
)
from sessions_app.models import ApiKey, Asset, Message, Project, Session

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


DEMO_URLS = (
    "Conversation:   http://127.0.0.1:8000/sessions/00000000-0000-4000-8000-00000000de70/\n"
    "Admin login:    .venv/bin/python manage.py createsuperuser, "
    "then http://127.0.0.1:8000/admin/\n"
)
TRY_IT = "Try it:         export ACONTEXT_BASE_URL=http://127.0.0.1:8000/api/v1 ACONTEXT_API_KEY="


def first_run_output(key: str, password: str) -> str:
    return (
        f"API key:        {key}\n"
        f"Demo login:     demo / {password}\n"
        f"Sample session: {DEMO_SESSION_ID} ({DEMO_MESSAGE_COUNT} messages)\n"
        f"{DEMO_URLS}"
        f"{TRY_IT}{key}\n"
    )


def printed_key_and_password(stdout: str) -> tuple[str, str]:
    key = stdout.splitlines()[0].removeprefix("API key:").strip()
    password = stdout.splitlines()[1].removeprefix("Demo login:").strip().split(" / ")[1]
    return key, password


def test_load_demo_creates_everything_through_the_services():
    stdout, stderr = run("load_demo")

    key, password = printed_key_and_password(stdout)
    assert re.fullmatch(r"sk-ac-[A-Za-z0-9_-]{43}", key)
    assert re.fullmatch(r"[A-Za-z0-9_-]{16}", password)
    assert stdout == first_run_output(key, password)
    assert stderr == ""
    project = Project.objects.get(name="demo")
    user = get_user_model().objects.get(username="demo")
    assert not user.is_staff
    assert list(project.members.all()) == [user]
    assert user.check_password(password)
    api_key = ApiKey.objects.get(secret_hash=ApiKey.hash_secret(key))
    assert (api_key.project, api_key.name) == (project, "demo")

    session = Session.objects.get(pk=DEMO_SESSION_ID)
    messages = list(Message.objects.filter(session=session).order_by("seq"))
    split = len(DEMO_CONVERSATION)
    conversation, file_exchange = messages[:split], messages[split:]
    assert [(m.format, m.raw, m.meta) for m in conversation] == DEMO_CONVERSATION
    assert [(m.format, m.raw, m.meta) for m in file_exchange] == [
        (format, blob, meta) for format, blob, meta, _files in DEMO_FILE_EXCHANGE
    ]
    assert {m.format for m in messages} == set(conversion.FORMATS)
    # The uploaded map, stored as the API stores an SDK's upload.
    (asset,) = Asset.objects.filter(project=project)
    assert (asset.mime, asset.size) == ("image/png", len(ROUTE_MAP_PNG))
    assert file_exchange[0].canonical["parts"][1] == {
        "type": "image",
        "asset": asset.as_acontext(),
        "filename": "route-map.png",
    }
    with asset_storage().open(asset.key) as stored:
        assert stored.read() == ROUTE_MAP_PNG


def test_load_demo_again_keeps_the_login_the_key_and_the_sample():
    first, _ = run("load_demo")
    key, password = printed_key_and_password(first)

    second, stderr = run("load_demo")

    prefix = key[:12]
    assert second == (
        f"API key:        {prefix}… kept (shown only when it was issued)\n"
        "Demo login:     demo, password kept\n"
        "New password:   .venv/bin/python manage.py changepassword demo\n"
        f"Sample session: {DEMO_SESSION_ID} (already loaded)\n"
        f"{DEMO_URLS}"
        f"{TRY_IT}<the {prefix}… key>\n"
        "New key:        export ACONTEXT_API_KEY=$(.venv/bin/python manage.py create_api_key "
        "--project demo --name demo)\n"
    )
    assert stderr == ""
    assert get_user_model().objects.get().check_password(password)
    assert ApiKey.objects.get().secret_hash == ApiKey.hash_secret(key)
    assert Project.objects.count() == 1
    assert Session.objects.count() == 1
    assert Message.objects.count() == DEMO_MESSAGE_COUNT
    assert Asset.objects.count() == 1
    # The third run says the same.
    assert run("load_demo")[0] == second


def test_the_new_key_line_issues_a_key_that_the_next_run_keeps():
    run("load_demo")
    issued, _ = run("create_api_key", "--project", "demo", "--name", "demo")

    again, _ = run("load_demo")

    assert (
        again.splitlines()[0]
        == f"API key:        {issued.strip()[:12]}… kept (shown only when it was issued)"
    )
    assert ApiKey.objects.count() == 2


def test_load_demo_issues_a_key_when_the_demo_keys_are_revoked():
    first, _ = run("load_demo")
    services.api_key_revoke(api_key=ApiKey.objects.get())

    second, _ = run("load_demo")

    key = second.splitlines()[0].removeprefix("API key:").strip()
    assert key != printed_key_and_password(first)[0]
    assert ApiKey.objects.get(revoked_at__isnull=True).secret_hash == ApiKey.hash_secret(key)
    assert second.splitlines()[-1] == f"{TRY_IT}{key}"


def test_load_demo_gives_a_password_to_a_demo_user_without_one(django_user_model):
    user = django_user_model.objects.create_user("demo")  # no password: it cannot log in
    assert not user.has_usable_password()

    stdout, _ = run("load_demo")

    _key, password = printed_key_and_password(stdout)
    user.refresh_from_db()
    assert user.check_password(password)
