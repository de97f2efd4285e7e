"""The search page through Django's test client: login, tenancy, escaping, links to the
message, pages, refusals and the security policy."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from sessions_app import services
from sessions_app.models import Message, Project, Session
from sessions_app.views import CONTENT_SECURITY_POLICY
from tests.browser.mixed_conversation import PASSWORD, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_client(project: Project) -> Client:
    client = Client()
    client.force_login(member(project, "alice"))
    return client


def store(session: Session, text: str, role: str = "user") -> Message:
    return services.message_store(session=session, blob={"role": role, "content": text})


def results(html: str) -> list[str]:
    """The highlighted excerpts of the results, as the page writes them."""
    return re.findall(r'<p class="block prose">(.*?)</p>', html, re.DOTALL)


def test_login_required(client, session):
    response = client.get("/search/?q=umbrella")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/search/%3Fq%3Dumbrella"


def test_the_empty_page_has_the_form_and_the_policy(alice_client):
    response = alice_client.get("/search/")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    html = response.content.decode()
    assert '<input type="search" name="q" value=""' in html
    assert 'class="empty"' not in html
    assert 'href="/search/">Search messages</a>' in html  # the top bar's link


def test_results_are_escaped_marked_and_link_to_the_message(alice_client, session):
    session.user = "traveller-42"
    session.save()
    store(session, "first")
    message = store(session, "<script>window.pwned=1</script> take the umbrella", "assistant")

    response = alice_client.get("/search/?q=umbrella")

    assert response.status_code == 200
    html = response.content.decode()
    assert results(html) == [
        "&lt;script&gt;window.pwned=1&lt;/script&gt; take the <mark>umbrella</mark>"
    ]
    assert "<script>window" not in html
    url = f"/sessions/{session.pk}/?format=openai&amp;after=1#m2"
    assert f'<a class="seq" href="{url}">#2</a>' in html
    assert f'<a href="{url}">Open in the conversation</a>' in html
    assert f'data-message-id="{message.pk}"' in html
    assert "traveller-42" in html
    assert '<span class="tag">acme</span>' in html
    assert '<article class="bubble role-assistant"' in html


def test_the_link_opens_the_page_at_the_message(alice_client, session):
    for index in range(3):
        store(session, f"message {index}")

    response = alice_client.get(f"/sessions/{session.pk}/?format=openai&after=1")

    html = response.content.decode()
    assert html.count('id="m2"') == 1
    assert 'id="m3"' in html
    assert 'id="m1"' not in html


def test_one_stored_message_of_several_items_is_one_anchor(alice_client, session):
    """An Anthropic message with two tool results is two OpenAI tool messages: the anchor
    is on the first."""
    services.message_store(
        session=session,
        blob={
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "t1", "name": "a", "input": {}},
                {"type": "tool_use", "id": "t2", "name": "b", "input": {}},
            ],
        },
        format="anthropic",
    )
    services.message_store(
        session=session,
        blob={
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "t1", "content": "one"},
                {"type": "tool_result", "tool_use_id": "t2", "content": "two"},
            ],
        },
        format="anthropic",
    )

    html = alice_client.get(f"/sessions/{session.pk}/?format=openai").content.decode()

    assert html.count('data-message-id="') == 3
    assert html.count('id="m2"') == 1
    assert html.count('id="m1"') == 1


def test_only_the_members_projects_are_searched(alice_client, session, foreign_session):
    store(session, "our umbrella")
    store(foreign_session, "their umbrella")

    html = alice_client.get("/search/?q=umbrella").content.decode()
    assert results(html) == ["our <mark>umbrella</mark>"]

    staff = User.objects.create_user(username="root", password=PASSWORD, is_staff=True)
    client = Client()
    client.force_login(staff)
    html = client.get("/search/?q=umbrella").content.decode()
    assert sorted(results(html)) == ["our <mark>umbrella</mark>", "their <mark>umbrella</mark>"]
    assert '<span class="tag">globex</span>' in html


def test_a_member_of_no_project_finds_nothing(session):
    store(session, "umbrella")
    client = Client()
    client.force_login(User.objects.create_user(username="nobody", password=PASSWORD))

    html = client.get("/search/?q=umbrella").content.decode()

    assert results(html) == []
    assert "No message holds “umbrella”." in html


def test_pages_of_results(alice_client, session, settings):
    for index in range(25):
        store(session, f"umbrella {index}")

    first = alice_client.get("/search/?q=umbrella").content.decode()
    assert len(results(first)) == 20
    next_url = re.search(r'<a href="(\?q=umbrella&amp;cursor=[^"]+)" rel="next">', first)
    assert next_url is not None

    second = alice_client.get("/search/" + next_url.group(1).replace("&amp;", "&"))
    html = second.content.decode()
    assert [re.sub(r"\D", "", result) for result in results(html)] == [
        str(index) for index in range(4, -1, -1)
    ]
    assert 'rel="next"' not in html
    assert '<a href="?q=umbrella">← Newest</a>' in html


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("q=", "This field is required."),
        ("q=%21%21%21", "has no words to search for"),
        ("q=" + "a" * 201, "Ensure this value has at most 200 characters (it has 201)."),
        ("q=rain&cursor=nope", "is not a position this search gave"),
    ],
)
def test_bad_input_is_shown_on_the_page(alice_client, query, error):
    response = alice_client.get(f"/search/?{query}")

    assert response.status_code == 400
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert f"</strong>: {error}</p>" in response.content.decode()


def test_a_nul_in_the_query_is_refused(alice_client):
    response = alice_client.get("/search/?q=rain%00")

    assert response.status_code == 400
