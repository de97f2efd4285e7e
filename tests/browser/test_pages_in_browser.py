"""The pages as a person uses them, in real headless Chromium against a live server.

Each test saves full-page screenshots into screenshots/ for a person to look at.
"""

import json
import urllib.request

import pytest
from playwright.sync_api import Page, expect

import conversion
from sessions_app import services
from sessions_app.models import Project, Session
from tests.browser.mixed_conversation import (
    ATTACK_TEXT,
    MIXED_CONVERSATION,
    PASSWORD,
    member,
    store_mixed_conversation,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def project() -> Project:
    return Project.objects.create(name="acme")


@pytest.fixture
def mixed(project: Project) -> Session:
    member(project, "alice")
    return store_mixed_conversation(project)


def log_in(page: Page, username: str = "alice") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/sessions/")


def assert_nothing_ran(page: Page) -> None:
    assert page.evaluate("typeof window.pwned") == "undefined"


def test_log_in_list_and_open_a_conversation(page: Page, mixed: Session, screenshot):
    page.goto("/sessions/")
    page.wait_for_url("**/accounts/login/?next=/sessions/")
    screenshot(page, "login")

    log_in(page)

    rows = page.locator("table.sessions tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("traveller-42")
    expect(rows.first.locator("td.number").first).to_have_text(str(len(MIXED_CONVERSATION)))
    screenshot(page, "session-list")

    page.get_by_role("link", name=str(mixed.pk)).click()
    page.wait_for_url(f"**/sessions/{mixed.pk}/")
    expect(page.locator("nav.tabs a.current")).to_have_text("OpenAI")
    expect(page.locator("article.bubble").first).to_contain_text("You are a careful travel")


def test_search_and_filter_the_list(page: Page, mixed: Session, project: Project):
    services.session_create(project=project, user="someone-else")
    log_in(page)
    expect(page.locator("table.sessions tbody tr")).to_have_count(2)

    page.get_by_placeholder("Session id or end-user id").fill("traveller")
    page.get_by_role("button", name="Filter").click()

    expect(page.locator("table.sessions tbody tr")).to_have_count(1)
    expect(page.locator("a.session-id")).to_have_text(str(mixed.pk))


def test_switch_formats_and_look_at_each(page: Page, mixed: Session, screenshot):
    log_in(page)
    page.goto(f"/sessions/{mixed.pk}/")

    for target_format in conversion.FORMATS:
        page.locator(f'nav.tabs a[data-format="{target_format}"]').click()
        page.wait_for_url(f"**/sessions/{mixed.pk}/?format={target_format}")
        expect(page.locator("nav.tabs a.current")).to_have_attribute("data-format", target_format)
        expect(page.locator("section.conversation")).to_have_attribute("data-format", target_format)
        # The system prompt first, whether a message or the separate field.
        expect(page.locator("article.bubble").first).to_contain_text("You are a careful travel")
        expect(page.get_by_text(ATTACK_TEXT, exact=True)).to_be_visible()
        # Every inline image decoded; the tool cards carry their ids.
        assert page.evaluate(
            "Array.from(document.images).every(image => image.complete && image.naturalWidth > 0)"
        )
        expect(page.locator("code.tool-id", has_text="call_weather_oslo").first).to_be_visible()
        assert_nothing_ran(page)
        screenshot(page, f"conversation-{target_format}")


def test_media_thinking_and_meta_behave(page: Page, mixed: Session):
    log_in(page)
    page.goto(f"/sessions/{mixed.pk}/?format=acontext")

    audio = page.locator("audio")
    expect(audio).to_have_count(1)
    # The data: URL decodes as audio (its metadata loads) without an error.
    ready_state = audio.evaluate(
        """element => new Promise(resolve => {
            if (element.readyState >= 1) resolve(element.readyState);
            element.addEventListener("loadedmetadata", () => resolve(element.readyState));
            element.addEventListener("error", () => resolve(-1));
            element.load();
        })"""
    )
    assert ready_state >= 1
    assert audio.evaluate("element => element.error") is None

    pdf = page.locator("a.doc-chip[download]")
    expect(pdf).to_have_attribute("download", "invoice-2024-117.pdf")
    with page.expect_download() as download_info:
        pdf.click()
    assert download_info.value.path().read_bytes().startswith(b"%PDF-1.4")

    thinking = page.locator("details.thinking").first
    expect(thinking.get_by_text("The board lists SK4035")).to_be_hidden()
    thinking.locator("summary").click()
    expect(thinking.get_by_text("The board lists SK4035")).to_be_visible()

    meta = page.locator("article.bubble", has_text="Is my flight").locator("details.meta")
    meta.locator("summary").click()
    expect(meta).to_contain_text('"client": "mobile"')


def test_a_script_in_a_message_does_not_run(page: Page, mixed: Session):
    log_in(page)

    for path in [
        *(f"/sessions/{mixed.pk}/?format={name}" for name in conversion.FORMATS),
        f"/sessions/{mixed.pk}/side-by-side/",
    ]:
        page.goto(path)
        expect(page.get_by_text(ATTACK_TEXT, exact=True).first).to_be_visible()
        expect(page.locator("img[src='x']")).to_have_count(0)
        expect(page.locator("a[href^='javascript:'], img[src^='javascript:']")).to_have_count(0)
        expect(page.locator("a[href^='data:text/html']")).to_have_count(0)
        assert_nothing_ran(page)
    # The javascript: image stays visible as text.
    page.goto(f"/sessions/{mixed.pk}/?format=openai")
    expect(page.get_by_text("javascript:window.pwned=3", exact=True)).to_be_visible()


def test_side_by_side_raw_json_and_copy(page: Page, mixed: Session, screenshot):
    log_in(page)
    page.goto(f"/sessions/{mixed.pk}/")
    page.get_by_role("link", name="Side by side").click()
    page.wait_for_url(f"**/sessions/{mixed.pk}/side-by-side/")

    rows = page.locator("table.side-by-side tbody tr[id]")
    expect(rows).to_have_count(len(MIXED_CONVERSATION))
    # Anthropic merges the two tool results: one cell spanning rows #4 and #5.
    merged = page.locator("#m4 td[data-format='anthropic']")
    expect(merged).to_have_attribute("rowspan", "2")
    expect(page.locator("#m5 td[data-format='anthropic']")).to_have_count(0)
    expect(page.locator("#m8 td[data-format='openai'] .warning")).to_contain_text(
        "thinking_dropped"
    )
    expect(page.locator("#m8 td[data-format='anthropic'] .warning")).to_have_count(0)
    screenshot(page, "side-by-side")

    raw = page.locator("#m3 td[data-format='gemini'] .raw pre.json")
    expect(raw).to_be_hidden()
    page.get_by_role("button", name="Show raw JSON").click()
    expect(raw).to_be_visible()
    expect(page.locator("#m3 td[data-format='gemini'] .rendered")).to_be_hidden()
    expect(raw.locator("span.j-key").first).to_have_text('"role"')
    screenshot(page, "side-by-side-raw")

    page.locator("#m3 td[data-format='gemini'] button[data-copy]").click()
    expect(page.locator("#m3 td[data-format='gemini'] button[data-copy]")).to_have_text("Copied")
    copied = json.loads(page.evaluate("navigator.clipboard.readText()"))
    converted = services.session_messages_converted(
        session=mixed, target_format="gemini", limit=200
    )
    assert copied == converted.items[1]  # #1 became the system instruction
    assert_nothing_ran(page)

    page.get_by_role("button", name="Show rendered").click()
    expect(raw).to_be_hidden()


@pytest.mark.parametrize("target_format", conversion.FORMATS)
def test_download_has_the_apis_bytes(
    page: Page, mixed: Session, project: Project, live_server, target_format
):
    key = services.api_key_issue(project=project, name="browser test")
    log_in(page)
    page.goto(f"/sessions/{mixed.pk}/side-by-side/")

    with page.expect_download() as download_info:
        page.locator(f"a[data-download='{target_format}']").click()
    download = download_info.value
    downloaded = download.path().read_bytes()

    query = download.url.split("?", 1)[1]
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/session/{mixed.pk}/messages?{query}",
        headers={"Authorization": f"Bearer {key.secret}"},
    )
    with urllib.request.urlopen(request) as response:
        from_api = response.read()
    assert downloaded == from_api
    assert download.suggested_filename == f"session-{mixed.pk}-{target_format}.json"
    assert len(json.loads(downloaded)["data"]["items"]) > 0


def test_a_long_conversation_pages_through_its_messages(page: Page, project: Project, screenshot):
    member(project, "alice")
    session = services.session_create(project=project, user="long-talker")
    for index in range(230):
        role = "user" if index % 2 == 0 else "assistant"
        services.message_store(
            session=session, blob={"role": role, "content": f"message number {index + 1}"}
        )
    log_in(page)

    page.goto(f"/sessions/{session.pk}/")
    expect(page.locator("article.bubble")).to_have_count(200)
    expect(page.locator("nav.pager").first).to_contain_text("messages #1–#200 of 230")

    page.get_by_role("link", name="Next ›").first.click()
    expect(page.locator("article.bubble")).to_have_count(30)
    expect(page.locator("article.bubble").first).to_contain_text("message number 201")
    screenshot(page, "conversation-second-page")

    page.get_by_role("link", name="‹ Previous").first.click()
    expect(page.locator("article.bubble").first).to_contain_text("message number 1")
