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


def test_uploaded_files_go_to_s3_when_a_bucket_is_named():
    shown = (
        "from sessions_app.assets import bucket_name, storage; s = storage(); "
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.region_name, "
        "s.addressing_style, s.default_acl, s.file_overwrite, bucket_name())"
    )
    result = manage(
        "shell",
        "--verbosity=0",
        "-c",
        shown,
        ACONTEXT_ASSET_S3_BUCKET="conversations",
        ACONTEXT_ASSET_S3_ENDPOINT_URL="http://minio.internal:9000",
        ACONTEXT_ASSET_S3_REGION="eu-central-1",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "S3Storage conversations http://minio.internal:9000 eu-central-1 path private True"
        " conversations\n"
    )


def test_uploaded_files_go_to_a_directory_by_default(tmp_path):
    shown = (
        "from sessions_app.assets import bucket_name, storage; s = storage(); "
        "print(type(s).__name__, s.location, bucket_name())"
    )
    result = manage("shell", "--verbosity=0", "-c", shown, ACONTEXT_ASSET_ROOT=str(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"FileSystemStorage {tmp_path} filesystem\n"


def test_a_file_limit_above_the_body_limit_refuses_to_start():
    result = manage(
        "check", ACONTEXT_ASSET_MAX_BYTES="30000000", ACONTEXT_MAX_BODY_BYTES="20000000"
    )

    assert result.returncode == 1
    assert "ACONTEXT_ASSET_MAX_BYTES must be below ACONTEXT_MAX_BODY_BYTES" in result.stderr
