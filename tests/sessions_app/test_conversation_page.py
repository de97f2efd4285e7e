"""The conversation page tells each message's time and tokens, offers a copy of each item's
JSON, and shows the session's configs and token total."""

import re

import pytest
from django.test import Client

from sessions_app import services
from sessions_app.models import Message, Project, Session
from tests.browser.mixed_conversation import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(project: Project) -> Client:
    client = Client()
    client.force_login(member(project, "alice"))
    return client


@pytest.fixture
def chat(project: Project) -> Session:
    # Keys of one length in alphabetical order: Postgres' jsonb keeps them so (it orders keys
    # by length, then bytes), SQLite as given.
    session = services.session_create(project=project, configs={"agent": "bot1", "scale": 0.2})
    services.message_store(session=session, blob={"role": "user", "content": "Hello there"})
    services.message_store(session=session, blob={"role": "assistant", "content": "Hi! <b>"})
    return session


def heads(html: str) -> list[str]:
    return re.findall(r'<header class="bubble-head">(.*?)</header>', html, re.DOTALL)


def test_each_bubble_tells_its_time_and_tokens_and_copies_its_item(
    alice_client: Client, chat: Session
) -> None:
    html = alice_client.get(f"/sessions/{chat.pk}/").content.decode()

    stored = list(Message.objects.filter(session=chat).order_by("seq"))
    found = heads(html)
    assert len(found) == 2
    for head, message in zip(found, stored, strict=True):
        moment = message.created_at
        assert (
            f'<time class="stored-at" datetime="{moment.isoformat()}"'
            f' title="stored {moment:%Y-%m-%d %H:%M:%S} UTC">{moment:%H:%M:%S}</time>'
        ) in head
        plural = "" if message.tokens == 1 else "s"
        assert f">{message.tokens} token{plural}</span>" in head
        assert (
            '<button type="button" class="button small copy" data-copy="pre.item-json"'
            ' title="Copy this item\'s JSON">Copy</button>'
        ) in head
    # What the button copies: the item as the API gives it, escaped on the page.
    assert '<pre class="json item-json">{\n  &quot;role&quot;: &quot;assistant&quot;' in html
    assert "Hi! &lt;b&gt;" in html


def test_a_merged_item_counts_the_tokens_of_every_message_it_covers(
    alice_client: Client, project: Project
) -> None:
    session = services.session_create(project=project)
    for text in ("first part", "second part, a little longer"):
        services.message_store(session=session, blob={"role": "user", "content": text})
    tokens = sum(Message.objects.filter(session=session).values_list("tokens", flat=True))

    html = alice_client.get(f"/sessions/{session.pk}/?format=anthropic").content.decode()

    [head] = heads(html)
    assert "messages #1–#2" in head
    assert f">{tokens} tokens</span>" in head


def test_the_head_shows_the_sessions_tokens_and_configs(
    alice_client: Client, chat: Session
) -> None:
    total = services.session_token_count(session=chat)

    for path in (f"/sessions/{chat.pk}/", f"/sessions/{chat.pk}/side-by-side/"):
        html = alice_client.get(path).content.decode()
        assert f"2 messages · {total} tokens · created" in html
        assert (
            '<details class="configs">\n    <summary>configs</summary>\n'
            '    <pre class="json">{\n  &quot;agent&quot;: &quot;bot1&quot;,\n'
            "  &quot;scale&quot;: 0.2\n}</pre>"
        ) in html


def test_a_session_without_configs_shows_none(alice_client: Client, session: Session) -> None:
    html = alice_client.get(f"/sessions/{session.pk}/").content.decode()

    assert 'class="configs"' not in html
    assert "0 messages · 0 tokens · created" in html
