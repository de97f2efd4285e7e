"""The HTML pages through Django's test client: login, tenancy, escaping, the security policy,
the download's bytes, and a query count that does not grow with the data."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.test import Client

import conversion
from sessions_app import presenters, services
from sessions_app.api.pagination import MESSAGE_PAGE_SIZE_MAX, encode_cursor
from sessions_app.models import Project, Session
from sessions_app.views import CONTENT_SECURITY_POLICY, PAGE_SIZE
from tests.browser.mixed_conversation import (
    ATTACK_TEXT,
    MIXED_CONVERSATION,
    PASSWORD,
    member,
    store_mixed_conversation,
)

pytestmark = pytest.mark.django_db

# What a page may load or link: itself, and the media URLs the presenters let through.
ALLOWED_URL = re.compile(
    r"^(/|\?|#|https?://|data:image/|data:audio/|data:application/pdf[;,])", re.IGNORECASE
)


class Attributes(HTMLParser):
    """Every tag and its URL-bearing attributes, as a browser would parse them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parsed(html: str) -> Attributes:
    parser = Attributes()
    parser.feed(html)
    return parser


@pytest.fixture
def alice(project: Project) -> User:
    return member(project, "alice")


@pytest.fixture
def staff() -> User:
    return User.objects.create_user(username="root", password=PASSWORD, is_staff=True)


@pytest.fixture
def alice_client(alice: User) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def mixed(project: Project) -> Session:
    return store_mixed_conversation(project)


def conversation_url(session: Session, target_format: str = "openai") -> str:
    return f"/sessions/{session.pk}/?format={target_format}"


def side_by_side_url(session: Session) -> str:
    return f"/sessions/{session.pk}/side-by-side/"


def download_url(session: Session) -> str:
    return f"/sessions/{session.pk}/messages.json"


# Login -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/sessions/",
        "/sessions/{id}/",
        "/sessions/{id}/side-by-side/",
        "/sessions/{id}/messages.json",
    ],
)
def test_every_page_asks_an_anonymous_visitor_to_log_in(client, mixed, path):
    url = path.format(id=mixed.pk)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_the_home_page_leads_to_the_session_list(alice_client):
    response = alice_client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/sessions/"


def test_logging_in_with_the_form_opens_the_session_list(client, alice):
    form = client.get("/accounts/login/")
    assert form.status_code == 200

    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/sessions/"
    assert client.get("/sessions/").status_code == 200


def test_a_wrong_password_shows_the_form_again_with_an_error(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})

    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_logging_out_needs_a_post_and_returns_to_the_login_page(alice_client):
    response = alice_client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert alice_client.get("/sessions/").status_code == 302


# Security policy -------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "conversation", "side_by_side"])
def test_pages_carry_a_content_security_policy_without_inline_script_or_style(
    alice_client, mixed, page
):
    url = {
        "list": "/sessions/",
        "conversation": conversation_url(mixed),
        "side_by_side": side_by_side_url(mixed),
    }[page]

    response = alice_client.get(url)

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    tags = parsed(response.content.decode()).tags
    # Scripts and styles only as files; no style attributes, no event handler attributes.
    assert [attrs.get("src") for tag, attrs in tags if tag == "script"] == [
        "/static/sessions_app/pages.js"
    ]
    assert not [tag for tag, _ in tags if tag == "style"]
    assert not [tag for tag, attrs in tags if "style" in attrs]
    assert not [tag for tag, attrs in tags if any(name.startswith("on") for name in attrs)]


def test_the_login_page_carries_the_policy_too(client):
    assert client.get("/accounts/login/")["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_the_stylesheet_and_the_script_are_served_locally(alice_client):
    html = alice_client.get("/sessions/").content.decode()
    tags = parsed(html).tags

    assert [
        attrs["href"] for tag, attrs in tags if tag == "link" and attrs["rel"] == "stylesheet"
    ] == ["/static/sessions_app/pages.css"]


# Escaping --------------------------------------------------------------------------------


@pytest.mark.parametrize("target_format", conversion.FORMATS)
def test_a_hostile_message_is_shown_as_text_in_every_format(alice_client, mixed, target_format):
    html = alice_client.get(conversation_url(mixed, target_format)).content.decode()

    assert "<script>window.pwned" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;&lt;img src=x onerror=" in html
    assert "[click](javascript:alert(1))" in html
    # The meta, shown on demand, is escaped as well.
    assert "<b>meta is escaped too</b>" not in html
    assert "&lt;b&gt;meta is escaped too&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "url", [*(f"conversation:{name}" for name in conversion.FORMATS), "side_by_side"]
)
def test_only_http_and_media_data_urls_become_links_or_sources(alice_client, mixed, url):
    if url == "side_by_side":
        path = side_by_side_url(mixed)
    else:
        path = conversation_url(mixed, url.split(":")[1])

    tags = parsed(alice_client.get(path).content.decode()).tags

    urls = [
        value
        for tag, attrs in tags
        # The template's own empty favicon (it spares the browser a request for one).
        if not (tag == "link" and attrs.get("rel") == "icon" and attrs.get("href") == "data:,")
        for name, value in attrs.items()
        if name in ("href", "src", "action", "formaction", "poster", "srcset") and value is not None
    ]
    assert urls
    assert [value for value in urls if not ALLOWED_URL.match(value)] == []
    # The javascript: image and the data:text/html file are still there, as text.
    html = alice_client.get(path).content.decode()
    assert "javascript:window.pwned=3" in html
    assert "data:text/html" not in " ".join(urls)


def test_the_pdf_is_a_download_and_the_audio_plays_inline(alice_client, mixed):
    tags = parsed(alice_client.get(conversation_url(mixed, "openai")).content.decode()).tags

    downloads = [attrs for tag, attrs in tags if tag == "a" and "download" in attrs]
    assert any(
        attrs["download"] == "invoice-2024-117.pdf"
        and (attrs["href"] or "").startswith("data:application/pdf;base64,JVBERi0")
        for attrs in downloads
    )
    audio = [attrs for tag, attrs in tags if tag == "audio"]
    assert len(audio) == 1
    assert (audio[0]["src"] or "").startswith("data:audio/wav;base64,UklGR")
    assert "controls" in audio[0]
    images = [attrs["src"] for tag, attrs in tags if tag == "img"]
    assert images
    assert all((src or "").startswith("data:image/png;base64,") for src in images)


# Tenancy ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/sessions/{id}/", "/sessions/{id}/side-by-side/", "/sessions/{id}/messages.json"]
)
def test_another_projects_session_is_not_found(alice_client, foreign_session, path):
    response = alice_client.get(path.format(id=foreign_session.pk))

    assert response.status_code == 404


def test_the_list_shows_only_the_members_projects(alice_client, mixed, foreign_session):
    html = alice_client.get("/sessions/").content.decode()

    assert str(mixed.pk) in html
    assert str(foreign_session.pk) not in html
    assert "globex" not in html  # not even in the project filter


def test_staff_see_every_project(staff, mixed, foreign_session):
    client = Client()
    client.force_login(staff)

    html = client.get("/sessions/").content.decode()

    assert str(mixed.pk) in html
    assert str(foreign_session.pk) in html
    assert client.get(conversation_url(foreign_session)).status_code == 200
    assert client.get(side_by_side_url(foreign_session)).status_code == 200


def test_a_user_without_projects_sees_no_sessions(mixed):
    client = Client()
    client.force_login(User.objects.create_user(username="nobody", password=PASSWORD))

    response = client.get("/sessions/")

    assert response.status_code == 200
    assert str(mixed.pk) not in response.content.decode()
    assert client.get(conversation_url(mixed)).status_code == 404


# Session list ----------------------------------------------------------------------------


def session_ids_in(html: str) -> list[str]:
    return re.findall(r'class="session-id" href="/sessions/([0-9a-f-]{36})/"', html)


def test_the_list_is_newest_first_with_message_counts(alice_client, project):
    older = services.session_create(project=project, user="first")
    newer = services.session_create(project=project, user="second")
    for index in range(3):
        services.message_store(session=newer, blob={"role": "user", "content": f"m{index}"})

    response = alice_client.get("/sessions/")

    assert session_ids_in(response.content.decode()) == [str(newer.pk), str(older.pk)]
    counts = [session.message_count for session in response.context["page"].object_list]
    assert counts == [3, 0]


def test_the_list_searches_by_session_id_and_by_end_user(alice_client, project):
    alpha = services.session_create(project=project, user="alpha@example.com")
    beta = services.session_create(project=project, user="beta@example.com")

    by_user = alice_client.get("/sessions/", {"q": "ALPHA@"}).content.decode()
    by_id = alice_client.get("/sessions/", {"q": str(beta.pk)[:13]}).content.decode()
    by_full_id = alice_client.get("/sessions/", {"q": str(alpha.pk)}).content.decode()

    assert session_ids_in(by_user) == [str(alpha.pk)]
    assert session_ids_in(by_id) == [str(beta.pk)]
    assert session_ids_in(by_full_id) == [str(alpha.pk)]


def test_the_list_filters_by_project(alice, project):
    second = Project.objects.create(name="second-project")
    second.members.add(alice)
    mine = services.session_create(project=project)
    theirs = services.session_create(project=second)
    client = Client()
    client.force_login(alice)

    html = client.get("/sessions/", {"project": str(second.pk)}).content.decode()
    everything = client.get("/sessions/").content.decode()
    refused = client.get("/sessions/", {"project": "not-a-uuid"})

    assert session_ids_in(html) == [str(theirs.pk)]
    assert set(session_ids_in(everything)) == {str(mine.pk), str(theirs.pk)}
    # Not half-understood: the form names what to mend and nothing is listed.
    assert refused.status_code == 400
    assert session_ids_in(refused.content.decode()) == []
    assert "<strong>Project</strong>: Enter a valid UUID." in refused.content.decode()


def test_the_list_is_paginated(alice_client, project):
    sessions = [services.session_create(project=project) for _ in range(27)]

    first = alice_client.get("/sessions/").content.decode()
    second = alice_client.get("/sessions/", {"page": 2}).content.decode()

    assert session_ids_in(first) == [str(s.pk) for s in reversed(sessions)][:25]
    assert session_ids_in(second) == [str(s.pk) for s in reversed(sessions)][25:]
    assert 'href="?page=2" rel="next"' in first


@pytest.mark.parametrize("count", [2, 40])
def test_the_list_costs_the_same_queries_however_many_sessions(
    alice_client, project, count, django_assert_num_queries
):
    for index in range(count):
        session = services.session_create(project=project, user=f"user-{index}")
        services.message_store(session=session, blob={"role": "user", "content": "hi"})

    # The login session, the user, the projects, the count, the page with its message counts.
    with django_assert_num_queries(5):
        response = alice_client.get("/sessions/")

    assert response.status_code == 200


# Conversation ----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 120])
@pytest.mark.parametrize("target_format", conversion.FORMATS)
def test_the_conversation_costs_the_same_queries_however_many_messages(
    alice_client, session, count, target_format, django_assert_num_queries
):
    for index in range(count):
        role = "user" if index % 2 == 0 else "assistant"
        services.message_store(session=session, blob={"role": role, "content": f"m{index}"})

    # The login session, the user, the session, the page of messages, their seqs.
    with django_assert_num_queries(5):
        response = alice_client.get(conversation_url(session, target_format))

    assert response.status_code == 200


@pytest.mark.parametrize("target_format", conversion.FORMATS)
def test_the_conversation_page_draws_the_converted_items(alice_client, mixed, target_format):
    response = alice_client.get(conversation_url(mixed, target_format))

    assert response.status_code == 200
    presented = response.context["presented"]
    page = services.session_messages_converted(
        session=mixed, target_format=target_format, limit=PAGE_SIZE
    )
    assert [bubble.message_id for bubble in presented.bubbles] == page.ids
    html = response.content.decode()
    # The system prompt comes first, as a message or as the separate field.
    first_bubble = html.index('<article class="bubble')
    assert html.index("You are a careful travel assistant.") > first_bubble
    assert html.index("You are a careful travel assistant.") < html.index("boarding pass")
    # Tool calls with their ids, thinking collapsed, each tab a plain link.
    assert "call_weather_oslo" in html
    assert "call_time_oslo" in html
    assert '<details class="block card tool-call" open>' in html
    for name in conversion.FORMATS:
        assert f'href="/sessions/{mixed.pk}/?format={name}"' in html


def test_thinking_is_collapsed_and_keeps_its_signature(alice_client, mixed):
    html = alice_client.get(conversation_url(mixed, "anthropic")).content.decode()

    assert '<details class="block thinking">' in html  # no "open"
    assert "The board lists SK4035" in html
    assert "EqQBCkYIARgCKkB0aGlua2luZy1zaWduYXR1cmUtZm9yLXRlc3RzLW9ubHk=" in html


def test_conversion_warnings_are_shown_on_their_message(alice_client, mixed):
    response = alice_client.get(conversation_url(mixed, "openai"))

    bubbles = response.context["presented"].bubbles
    warned = {(bubble.seq, warning.code) for bubble in bubbles for warning in bubble.warnings}
    assert warned == {(7, "media_moved"), (8, "thinking_dropped")}
    assert 'class="warning" data-code="thinking_dropped"' in response.content.decode()


BAD_AFTER = ["after=-1", "after=abc", "after=%C2%B2", "after=" + "9" * 19]  # %C2%B2: "²"


@pytest.mark.parametrize(
    ("page", "query"),
    [
        *[("", query) for query in ["format=klingon", "format=", *BAD_AFTER]],
        # The side-by-side page shows every format: it reads no format parameter.
        *[("side-by-side/", query) for query in BAD_AFTER],
    ],
)
def test_a_bad_query_is_a_bad_request(alice_client, mixed, query, page):
    response = alice_client.get(f"/sessions/{mixed.pk}/{page}?{query}")

    assert response.status_code == 400


@pytest.mark.parametrize(
    "url", ["/sessions/?q=%00", "/sessions/?project=%00", "/sessions/?q=a&x%00=1"]
)
def test_nul_in_a_page_query_is_a_bad_request(alice_client, mixed, url):
    response = alice_client.get(url)

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain"
    assert response.content.endswith(b": query parameters must not contain NUL")


def test_long_conversations_are_paged_by_seq(alice_client, session):
    for index in range(PAGE_SIZE + 5):
        role = "user" if index % 2 == 0 else "assistant"
        services.message_store(session=session, blob={"role": role, "content": f"m{index + 1}"})

    first = alice_client.get(conversation_url(session))
    second = alice_client.get(f"/sessions/{session.pk}/?format=openai&after={PAGE_SIZE}")

    first_seqs = [bubble.seq for bubble in first.context["presented"].bubbles]
    second_seqs = [bubble.seq for bubble in second.context["presented"].bubbles]
    assert first_seqs == list(range(1, PAGE_SIZE + 1))
    assert second_seqs == list(range(PAGE_SIZE + 1, PAGE_SIZE + 6))
    assert first.context["pager"].next == f"/sessions/{session.pk}/?after={PAGE_SIZE}&format=openai"
    assert first.context["pager"].previous is None
    assert second.context["pager"].previous == f"/sessions/{session.pk}/?format=openai"
    assert second.context["pager"].next is None
    assert "messages #201–#205 of 205" in second.content.decode()


# Side by side ----------------------------------------------------------------------------


def test_side_by_side_has_one_row_per_stored_message(alice_client, mixed):
    response = alice_client.get(side_by_side_url(mixed))

    table = response.context["table"]
    assert [row.position.seq for row in table.rows] == list(range(1, len(MIXED_CONVERSATION) + 1))
    assert [row.position.format for row in table.rows] == [f for f, _, _ in MIXED_CONVERSATION]
    assert table.formats == list(conversion.FORMATS)


def test_side_by_side_spans_a_merged_item_over_its_messages(alice_client, mixed):
    table = alice_client.get(side_by_side_url(mixed)).context["table"]
    row_4, row_5 = table.rows[3], table.rows[4]  # the two OpenAI tool results
    column = {name: index for index, name in enumerate(table.formats)}

    anthropic_4 = row_4.cells[column["anthropic"]]
    assert anthropic_4.rowspan == 2
    assert anthropic_4.bubbles[0].source_seqs == [4, 5]
    assert row_5.cells[column["anthropic"]].covered
    assert row_4.cells[column["openai"]].rowspan == 1
    assert len(row_5.cells[column["openai"]].bubbles) == 1


def test_side_by_side_keeps_a_split_message_in_its_row(alice_client, mixed):
    table = alice_client.get(side_by_side_url(mixed)).context["table"]
    # An Anthropic tool result with an image, then text: a tool message and a user message
    # (the image first) in OpenAI.
    row_7 = table.rows[6]
    column = {name: index for index, name in enumerate(table.formats)}

    assert [bubble.role for bubble in row_7.cells[column["openai"]].bubbles] == ["tool", "user"]
    assert len(row_7.cells[column["anthropic"]].bubbles) == 1
    assert [w.code for w in row_7.cells[column["openai"]].warnings] == ["media_moved"]
    assert row_7.cells[column["anthropic"]].warnings == []


def converted_pages(session: Session) -> dict[str, services.ConvertedMessages]:
    return {
        name: services.session_messages_converted(
            session=session, target_format=name, limit=PAGE_SIZE
        )
        for name in conversion.FORMATS
    }


def test_side_by_side_puts_each_warning_on_its_row_and_format(alice_client, mixed):
    table = alice_client.get(side_by_side_url(mixed)).context["table"]

    placed = set()
    for row in table.rows:
        for cell in row.cells:
            for warning in cell.warnings:
                # On its own row, or in the cell spanning down over that row.
                assert row.position.seq <= warning.seq < row.position.seq + cell.rowspan
                placed.add((warning.seq, cell.target_format, warning.code))
    seq_of = {str(message.pk): message.seq for message in mixed.messages.all()}
    expected = {
        (seq_of[warning.message_id], name, warning.code)
        for name, page in converted_pages(mixed).items()
        for warning in page.warnings
    }
    assert placed == expected
    assert (8, "openai", "thinking_dropped") in placed
    assert (11, "anthropic", "media_unsupported") in placed


def test_side_by_side_shows_the_separate_system_prompts_first(alice_client, mixed):
    response = alice_client.get(side_by_side_url(mixed))

    system = {cell.target_format: cell for cell in response.context["table"].system}
    assert [name for name, cell in system.items() if cell.blocks] == ["anthropic", "gemini"]
    first_row = response.context["table"].rows[0]
    assert [cell.in_system for cell in first_row.cells] == [False, True, True, False, False]


def test_side_by_side_names_the_stored_format_as_its_column_does(alice_client, mixed):
    services.message_store(
        session=mixed,
        blob={"type": "reasoning", "id": "rs_1", "summary": []},
        format="openai_responses",
    )

    html = alice_client.get(side_by_side_url(mixed)).content.decode()

    stored_as = re.findall(r'<span class="stored-as">([^<]*)</span>', html)
    assert stored_as[0] == "OpenAI"
    assert stored_as[-1] == "OpenAI Responses"
    assert set(stored_as) <= set(presenters.FORMAT_LABELS.values())


def test_side_by_side_has_raw_json_and_copy_buttons(alice_client, mixed):
    html = alice_client.get(side_by_side_url(mixed)).content.decode()

    raw_views = sum(len(page.items) for page in converted_pages(mixed).values()) + 2
    assert 'id="raw-toggle"' in html
    assert html.count("data-copy") == raw_views  # every item and both system prompts


# Download --------------------------------------------------------------------------------


@pytest.mark.parametrize("target_format", conversion.FORMATS)
def test_the_download_has_the_apis_bytes(alice_client, api, mixed, target_format):
    query = {"format": target_format, "limit": PAGE_SIZE}

    download = alice_client.get(download_url(mixed), query)
    from_api = api.get(f"/api/v1/session/{mixed.pk}/messages", query)

    assert from_api.status_code == 200
    assert download.status_code == 200
    assert download["Content-Type"] == "application/json"
    assert download["Content-Disposition"] == (
        f'attachment; filename="session-{mixed.pk}-{target_format}.json"'
    )
    assert download.content == from_api.content


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"format": "gemini", "limit": 3},
        {"format": "anthropic", "limit": 4, "cursor": encode_cursor(5)},
        {"format": "openai", "time_desc": "true", "limit": 5},
    ],
)
def test_the_download_follows_the_apis_query(alice_client, api, mixed, query):
    download = alice_client.get(download_url(mixed), query)
    from_api = api.get(f"/api/v1/session/{mixed.pk}/messages", query)

    assert download.content == from_api.content


def test_the_download_is_the_whole_conversation_when_one_api_answer_holds_it(alice_client, session):
    for index in range(PAGE_SIZE + 2):
        role = "user" if index % 2 == 0 else "assistant"
        services.message_store(session=session, blob={"role": role, "content": f"m{index}"})

    second = alice_client.get(f"/sessions/{session.pk}/?format=gemini&after={PAGE_SIZE}")

    assert second.context["download_url"] == (
        f"/sessions/{session.pk}/messages.json?format=gemini&limit={MESSAGE_PAGE_SIZE_MAX}"
    )
    body = alice_client.get(second.context["download_url"]).json()
    assert len(body["data"]["items"]) == PAGE_SIZE + 2
    assert body["data"]["has_more"] is False


def test_a_longer_conversation_downloads_the_page_on_screen(alice_client, session):
    for index in range(MESSAGE_PAGE_SIZE_MAX + 1):
        services.message_store(session=session, blob={"role": "user", "content": f"m{index}"})
    session.refresh_from_db()

    second = alice_client.get(f"/sessions/{session.pk}/?format=gemini&after={PAGE_SIZE}")

    assert second.context["download_url"] == (
        f"/sessions/{session.pk}/messages.json"
        f"?format=gemini&limit={PAGE_SIZE}&cursor={encode_cursor(PAGE_SIZE)}"
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "format=klingon",
            "format: unknown format 'klingon'; expected one of openai, anthropic, gemini, "
            "acontext, openai_responses",
        ),
        ("limit=-1", "limit: Ensure this value is greater than or equal to 0."),
        ("cursor=%%%", "cursor: Invalid cursor."),
        ("format=", "format: This field may not be blank."),
        (
            'edit_strategies=[{"type":"x"}]',
            "edit_strategies[0].type: unknown strategy 'x'; expected one of remove_tool_result, "
            "remove_tool_call_params, token_limit, middle_out",
        ),
    ],
)
def test_a_bad_download_query_says_what_the_api_says(alice_client, mixed, query, message):
    response = alice_client.get(f"{download_url(mixed)}?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain"
    assert response.content.decode() == message


def test_the_hostile_text_survives_the_download_unchanged(alice_client, mixed):
    body = alice_client.get(download_url(mixed), {"format": "openai"}).json()

    assert ATTACK_TEXT in [item["content"] for item in body["data"]["items"]]


# Bounded pages ----------------------------------------------------------------------------

HUGE_TEXT = "All work and no play. " * (8 * 1024 * 1024 // 22)  # 8 MiB


@pytest.fixture
def huge(session: Session) -> Session:
    services.message_store(session=session, blob={"role": "user", "content": HUGE_TEXT})
    services.message_store(
        session=session,
        blob={
            "role": "user",
            "content": [
                {
                    "type": "image",
                    "source": {
                        "type": "base64",
                        "media_type": "image/png",
                        "data": "iVBORw0KGgoA" * (600 * 1024 // 12),
                    },
                }
            ],
        },
        format="anthropic",
    )
    return session


@pytest.mark.parametrize("page", ["", "side-by-side/"])
def test_a_page_with_an_8_mib_message_stays_small(alice_client, huge, page):
    response = alice_client.get(f"/sessions/{huge.pk}/{page}")

    assert response.status_code == 200
    html = response.content.decode()
    assert len(response.content) < 4 * 1024 * 1024
    assert f"clipped here: {len(HUGE_TEXT):,} characters in all" in html
    assert 'src="data:image/png' not in html  # 600 KiB of base64: not inlined
    assert "too large to show on a page" in html


def test_the_download_still_has_the_whole_message(alice_client, huge):
    body = alice_client.get(download_url(huge), {"format": "openai"}).json()

    assert body["data"]["items"][0]["content"] == HUGE_TEXT
