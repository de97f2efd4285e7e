"""The edit preview: edit strategies chosen on a page, read as the API reads them, with the
tokens before and after."""

import json
import re

import pytest
from django.test import Client

from sessions_app import services
from sessions_app.models import Project, Session
from tests.browser.mixed_conversation import member, store_weather_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(project: Project) -> Client:
    client = Client()
    client.force_login(member(project, "alice"))
    return client


@pytest.fixture
def agent_run(project: Project) -> Session:
    """Three tool calls and their results, then an answer."""
    session = services.session_create(project=project)
    store_weather_run(session)
    services.message_store(session=session, blob={"role": "assistant", "content": "All sunny."})
    return session


def summary(html: str) -> tuple[int, int]:
    before = re.search(r'<strong class="tokens-before">(\d+)</strong>', html)
    after = re.search(r'<strong class="tokens-after">(\d+)</strong>', html)
    assert before is not None
    assert after is not None
    return int(before[1]), int(after[1])


def test_the_preview_is_what_the_api_gives_with_the_same_strategies(
    alice_client: Client, api: object, agent_run: Session
) -> None:
    query = {
        "format": "anthropic",
        "remove_tool_result": "on",
        "keep_recent_n_tool_results": "1",
        "remove_tool_call_params": "on",
        "keep_recent_n_tool_calls": "1",
    }
    strategies = [
        {"type": "remove_tool_result", "params": {"keep_recent_n_tool_results": 1}},
        {"type": "remove_tool_call_params", "params": {"keep_recent_n_tool_calls": 1}},
    ]

    response = alice_client.get(f"/sessions/{agent_run.pk}/edit-preview/", query)
    api_page = api.get(  # type: ignore[attr-defined]
        f"/api/v1/session/{agent_run.pk}/messages",
        {"format": "anthropic", "edit_strategies": json.dumps(strategies)},
    ).json()["data"]
    whole = services.session_token_count(session=agent_run)

    assert response.status_code == 200
    html = response.content.decode()
    assert summary(html) == (whole, api_page["this_time_tokens"])
    assert api_page["this_time_tokens"] < whole
    assert (
        '<code class="strategies">' + json.dumps(strategies).replace('"', "&quot;") + "</code>"
    ) in html
    # The removed results read as the placeholder, as the API gives them.
    assert html.count("&quot;content&quot;: &quot;Done&quot;") == 2
    # And every edit is said on the message it changed.
    assert html.count('data-code="tool_result_removed"') == 2
    assert html.count('data-code="tool_call_params_removed"') == 2
    assert [warning["code"] for warning in api_page["warnings"]] == [
        "tool_result_removed",
        "tool_result_removed",
        "tool_call_params_removed",
        "tool_call_params_removed",
    ]


def test_a_token_limit_drops_the_oldest_messages(alice_client: Client, agent_run: Session) -> None:
    html = alice_client.get(
        f"/sessions/{agent_run.pk}/edit-preview/", {"format": "openai", "token_limit": "60"}
    ).content.decode()

    before, after = summary(html)
    assert after <= 60 < before
    assert "All sunny." in html
    assert "Weather in 3 cities?" not in html


def test_without_strategies_the_preview_is_the_conversation_as_read(
    alice_client: Client, agent_run: Session
) -> None:
    html = alice_client.get(f"/sessions/{agent_run.pk}/edit-preview/").content.decode()

    before, after = summary(html)
    assert before == after == services.session_token_count(session=agent_run)
    assert "No strategy chosen: this is the conversation as read." in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"format": "klingon"}, "<strong>Format</strong>: Select a valid choice."),
        ({"format": "openai", "token_limit": "0"}, "<strong>Token limit</strong>: Ensure this"),
        ({"format": "openai", "middle_out": "many"}, "<strong>Middle out to</strong>: Enter a"),
    ],
)
def test_bad_choices_are_a_400_that_names_them(
    alice_client: Client, agent_run: Session, query: dict[str, str], message: str
) -> None:
    response = alice_client.get(f"/sessions/{agent_run.pk}/edit-preview/", query)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'class="tokens-before"' not in response.content.decode()


def test_another_projects_session_has_no_preview(
    alice_client: Client, foreign_session: Session
) -> None:
    assert alice_client.get(f"/sessions/{foreign_session.pk}/edit-preview/").status_code == 404


def test_the_conversation_page_links_its_preview(alice_client: Client, agent_run: Session) -> None:
    html = alice_client.get(f"/sessions/{agent_run.pk}/?format=gemini").content.decode()

    assert (
        f'<a class="button" href="/sessions/{agent_run.pk}/edit-preview/?format=gemini">'
        "Edit preview</a>"
    ) in html
