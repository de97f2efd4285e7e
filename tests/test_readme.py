"""The README's commands run verbatim on a fresh clone after `make run`.

What is checked: every command goes through the virtualenv `make run` makes (`.venv/bin/...`:
a bare `python` or `pip` fails outside an activated one); every variable a shell block sets is
exported; the shell blocks parse; every `manage.py` command shown exists and takes the options
shown; the benchmark scripts, the pip extras, the pinned SDK and the make targets named exist;
and the Python blocks run in order, as one program, against a live server that holds what
`make run` loads, printing what the README says they print.

What is not: `make run` and `make test` themselves (a server in the foreground, the whole
suite), the Postgres and production commands (`migrate` against a real database,
`collectstatic`, gunicorn; `check --deploy` is tests/acontext_site/test_settings.py), the
benchmarks (minutes each, on Postgres), `pip install` (no network here: the test checks the
installed versions instead) and S3.
"""

import ast
import importlib.metadata
import io
import os
import re
import shlex
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from django.core.management import call_command

from sessions_app import services
from sessions_app.demo import DEMO_SESSION_ID, ROUTE_MAP_PNG
from sessions_app.models import Session

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(
    r"^(?P<indent> *)```(?P<language>\w*)\n(?P<body>.*?)^(?P=indent)```$", re.S | re.M
)
MANAGE = re.compile(r"\.venv/bin/python manage\.py ([a-z_]+)((?: +[^\s`#)]+)*)")
# What `make run` serves and load_demo prints.
SERVER = "http://127.0.0.1:8000"


def blocks(language: str) -> list[str]:
    return [
        textwrap.dedent(match["body"])
        for match in FENCE.finditer(README)
        if match["language"] == language
    ]


def block_after(python: str) -> str:
    """The plain block that shows what ``python`` (a Python block) prints."""
    fences = list(FENCE.finditer(README))
    (position,) = [i for i, match in enumerate(fences) if textwrap.dedent(match["body"]) == python]
    following = fences[position + 1]
    assert following["language"] == ""
    return following["body"]


def shell_commands() -> list[str]:
    """Each command line of the shell blocks, without its comment."""
    lines = [line for block in blocks("sh") for line in block.splitlines()]
    return [re.sub(r"\s+#.*$", "", line).strip() for line in lines if line.strip()]


def inline_code() -> list[str]:
    prose = FENCE.sub("", README)
    return re.findall(r"`([^`\n]+)`", prose)


def test_every_command_goes_through_the_virtualenv():
    commands = shell_commands() + inline_code() + blocks("")
    bare = re.compile(
        r"(?:^|\$\(|&&|\|)\s*(python3?|pip3?|pytest|gunicorn|manage\.py)(?=\s|$)(?! -m venv)"
    )

    assert [command for command in commands if bare.search(command)] == []
    # What they name is in the virtualenv that runs this suite (the one `make` builds).
    named = set(re.findall(r"\.venv/bin/([a-z]+)", README))
    assert named == {"python", "pip", "pytest", "gunicorn"}
    for program in named:
        assert (Path(sys.executable).parent / program).exists(), program


def test_every_variable_a_shell_block_sets_is_exported():
    assignments = [
        command for command in shell_commands() if re.match(r"^(export\s+)?[A-Z_]+=", command)
    ]

    assert assignments
    assert [command for command in assignments if not command.startswith("export ")] == []


@pytest.mark.parametrize("block", blocks("sh"))
def test_the_shell_blocks_parse(block):
    result = subprocess.run(["bash", "-n"], input=block, capture_output=True, text=True)

    assert (result.returncode, result.stderr) == (0, "")


def test_the_make_targets_exist_and_make_run_serves_where_the_readme_says():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    targets = {line.split(":")[0] for line in makefile.splitlines() if re.match(r"^[a-z]+:", line)}

    assert {command.split()[1] for command in shell_commands() if command.startswith("make ")} <= (
        targets
    )
    assert "manage.py runserver 127.0.0.1:8000\n" in makefile
    assert f"export ACONTEXT_BASE_URL={SERVER}/api/v1" in shell_commands()


def readme_manage_commands() -> dict[str, set[str]]:
    """Each manage.py command the README shows, with the options it shows it with."""
    found: dict[str, set[str]] = {}
    for name, arguments in MANAGE.findall(README):
        options = {word for word in arguments.split() if word.startswith("--")}
        found.setdefault(name, set()).update(options)
    return found


def test_the_readme_shows_the_commands_a_newcomer_needs():
    assert set(readme_manage_commands()) == {
        "migrate",
        "collectstatic",
        "check",
        "create_api_key",
        "load_demo",
        "createsuperuser",
        "changepassword",
    }


@pytest.mark.parametrize(("command", "options"), sorted(readme_manage_commands().items()))
def test_every_manage_py_command_shown_exists_and_takes_its_options(command, options):
    result = subprocess.run(
        [sys.executable, "manage.py", command, "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert {option for option in options if option not in result.stdout} == set()


def test_the_benchmarks_extras_and_sdk_named_exist():
    commands = shell_commands() + inline_code()
    scripts = [
        word for command in commands for word in command.split() if word.startswith("benchmarks/")
    ]
    extras = re.findall(r"pip install -e '\.\[([a-z0-9]+)\]'", README)
    pinned = [
        shlex.split(command)[-1]
        for command in commands
        if command.startswith(".venv/bin/pip install ") and "-e" not in command
    ]
    optional = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]

    assert len(scripts) >= 5
    assert [script for script in scripts if not (REPO / script).is_file()] == []
    assert sorted(extras) == ["bench", "s3"]
    assert set(extras) <= set(optional)
    # The SDK the README has a newcomer install is the one this suite runs.
    assert pinned == ["acontext==0.1.22"]
    assert importlib.metadata.version("acontext") == "0.1.22"


@pytest.mark.django_db(transaction=True)
def test_the_python_blocks_run_after_make_run_and_print_what_the_readme_says(live_server, tmp_path):
    # What `make run` leaves: the demo, and its key in the environment as its Try it line says.
    printed = io.StringIO()
    call_command("load_demo", stdout=printed)
    (try_it,) = [line for line in printed.getvalue().splitlines() if line.startswith("Try it:")]
    key = try_it.rsplit("ACONTEXT_API_KEY=", 1)[1]
    assert try_it.startswith(f"Try it:         export ACONTEXT_BASE_URL={SERVER}/api/v1 ")
    environment = {
        **os.environ,
        "ACONTEXT_BASE_URL": f"{live_server.url}/api/v1",
        "ACONTEXT_API_KEY": key,
    }
    # The Files block uploads a chart.png of the reader's.
    (tmp_path / "chart.png").write_bytes(ROUTE_MAP_PNG)
    # As the README runs them: saved as try_sdk.py, one after the other (later blocks use the
    # client and session_id of earlier ones), a line between them to tell their output apart.
    python = blocks("python")
    between = "\nprint('--- next block ---')\n"
    (tmp_path / "try_sdk.py").write_text(between.join(python), encoding="utf-8")

    result = subprocess.run(
        [sys.executable, "try_sdk.py"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    outputs = result.stdout.split("--- next block ---\n")
    sdk, reading, edits, raw_answer, files = outputs
    # Equal as values: read back from Postgres, a blob's keys come in JSONB's order.
    assert ast.literal_eval(sdk) == ast.literal_eval(block_after(python[0]))
    sample = services.session_messages_converted(
        session=Session.objects.get(pk=DEMO_SESSION_ID), target_format="anthropic", limit=None
    )
    assert reading == f"{sample.this_time_tokens} {len(sample.items)}\n"
    assert edits == ""
    assert raw_answer == (
        "You are a concise travel assistant.\n"
        "['media_unsupported', 'thinking_dropped', 'unsupported_part', 'provider_data_dropped']\n"
    )
    for line in raw_answer.splitlines():
        assert f"# {line}" in python[3]
    assert re.fullmatch(
        r"bucket='filesystem' s3_key='assets/[^']+\.png' etag='[0-9a-f]{32}' "
        rf"sha256='[0-9a-f]{{64}}' mime='image/png' size_b={len(ROUTE_MAP_PNG)}\n",
        files,
    )
    assert "# bucket, s3_key, etag, sha256, mime, size_b" in python[4]
