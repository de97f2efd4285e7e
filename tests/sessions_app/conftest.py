from collections.abc import Iterator

import pytest
from acontext import AcontextClient
from rest_framework.test import APIClient

from sessions_app import services
from sessions_app.models import Project, Session


@pytest.fixture
def project() -> Project:
    return Project.objects.create(name="acme")


@pytest.fixture
def other_project() -> Project:
    return Project.objects.create(name="globex")


@pytest.fixture
def issued_key(project: Project) -> services.IssuedApiKey:
    return services.api_key_issue(project=project, name="tests")


@pytest.fixture
def api(issued_key: services.IssuedApiKey) -> APIClient:
    """DRF's test client, authenticated as ``project`` the way the SDKs do it."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued_key.secret}")
    return client


@pytest.fixture
def session(project: Project) -> Session:
    return services.session_create(project=project)


@pytest.fixture
def foreign_session(other_project: Project) -> Session:
    return services.session_create(project=other_project, configs={"owner": "globex"})


@pytest.fixture
def sdk(live_server, issued_key: services.IssuedApiKey) -> Iterator[AcontextClient]:
    """The official SDK pointed at a live server (tests using it need transaction=True)."""
    with AcontextClient(api_key=issued_key.secret, base_url=f"{live_server.url}/api/v1") as client:
        yield client
