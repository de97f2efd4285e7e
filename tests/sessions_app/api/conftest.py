from typing import Any

import pytest

from sessions_app import services

from .npm_sdk import JSON, NpmRunner, run_npm_sdk


@pytest.fixture
def npm(live_server: Any, issued_key: services.IssuedApiKey) -> NpmRunner:
    """Run calls of the npm SDK; their results, every call having succeeded."""

    def run(calls: list[JSON]) -> list[Any]:
        outcomes = run_npm_sdk(f"{live_server.url}/api/v1", issued_key.secret, calls)
        assert [outcome for outcome in outcomes if "error" in outcome] == []
        return [outcome["result"] for outcome in outcomes]

    return run
