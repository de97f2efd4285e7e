"""Drive the official npm SDK (`@acontext/acontext`, pinned in tests/sdk_npm) from a test."""

import base64
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

DRIVER = Path(__file__).resolve().parents[2] / "sdk_npm" / "drive.cjs"


def result(index: int, *keys: str) -> dict[str, Any]:
    """An argument that stands for ``calls[index]``'s result (or one of its fields)."""
    return {"$result": [index, *keys]}


def file_upload(filename: str, content: bytes, content_type: str | None = None) -> dict[str, Any]:
    """An argument that stands for the SDK's ``FileUpload`` of ``content`` (a Node Buffer).

    Without ``content_type`` the SDK sends the file as application/octet-stream.
    """
    upload = {"filename": filename, "base64": base64.b64encode(content).decode("ascii")}
    if content_type is not None:
        upload["contentType"] = content_type
    return {"$file": upload}


def run_npm_sdk(base_url: str, api_key: str, calls: list[dict[str, Any]]) -> list[Any]:
    """Run ``calls`` (``{"call": "sessions.create", "args": [...]}``) in one Node process.

    Each outcome is ``{"result": ...}`` or ``{"error": {"name", "message", "status"}}``.
    """
    completed = subprocess.run(
        ["node", str(DRIVER)],
        input=json.dumps({"baseUrl": base_url, "apiKey": api_key, "calls": calls}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    outcomes: list[Any] = json.loads(completed.stdout)
    return outcomes


JSON = dict[str, Any]
NpmRunner = Callable[[list[JSON]], list[Any]]


def call(name: str, *args: Any) -> JSON:
    """One call of the SDK's sessions resource."""
    return {"call": f"sessions.{name}", "args": list(args)}
