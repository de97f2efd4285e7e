"""Settings come from the environment; production refuses to start half-configured."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**inherited, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="sessions.example.com",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n"


def test_production_without_a_secret_key_refuses_to_start():
    result = manage("check", DEBUG="false")

    assert result.returncode == 1
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("DEBUG", "maybe", "DEBUG must be a boolean (true/false), got 'maybe'"),
        ("ACONTEXT_MAX_BODY_BYTES", "20MB", "ACONTEXT_MAX_BODY_BYTES must be an integer"),
    ],
)
def test_malformed_variables_stop_the_start(name, value, problem):
    result = manage("check", **{name: value})

    assert result.returncode == 1
    assert problem in result.stderr


def test_the_body_limit_defaults_to_20_mib():
    from django.conf import settings

    assert settings.ACONTEXT_MAX_BODY_BYTES == 20 * 1024 * 1024
