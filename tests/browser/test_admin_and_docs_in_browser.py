"""The admin and the API documentation, used as a person would in real headless Chromium.

Each test saves full-page screenshots into screenshots/ for a person to look at.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from sessions_app import services
from sessions_app.admin import INLINE_MESSAGES
from sessions_app.models import ApiKey, Project, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
SCRIPT = "<script>window.pwned = true</script>"
SECRET = re.compile(r"^sk-ac-[A-Za-z0-9_-]{43}$")


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)


@pytest.fixture
def project() -> Project:
    return Project.objects.create(name="acme")


@pytest.fixture
def long_session(project: Project) -> Session:
    """More messages than the session page shows, in several formats, one with markup."""
    session = services.session_create(
        project=project, user="traveller-42", configs={"agent": "travel-bot"}
    )
    services.message_store(
        session=session, blob={"role": "system", "content": "You are a careful travel agent."}
    )
    for number in range(INLINE_MESSAGES + 5):
        services.message_store(
            session=session,
            blob={"role": "user", "parts": [{"text": f"Question {number}: {SCRIPT}"}]},
            format="gemini",
        )
        services.message_store(
            session=session,
            blob={"role": "assistant", "content": [{"type": "text", "text": f"Answer {number}"}]},
            format="anthropic",
            meta={"turn": number},
        )
    return session


def log_in_to_admin(page: Page) -> None:
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("heading", name="Projects, keys, sessions and messages")
    ).to_be_visible()


def assert_nothing_ran(page: Page) -> None:
    assert page.evaluate("typeof window.pwned") == "undefined"


# Admin --------------------------------------------------------------------------------------


def test_admin_changelists_and_a_session_with_its_messages(
    page: Page, superuser, project: Project, long_session: Session, screenshot
):
    services.api_key_issue(project=project, name="ci")
    log_in_to_admin(page)
    screenshot(page, "admin-index")

    page.get_by_role("link", name="Projects").first.click()
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td.field-session_count")).to_have_text("1")
    expect(row.locator("td.field-api_key_count")).to_have_text("1")
    screenshot(page, "admin-projects")

    page.goto("/admin/sessions_app/apikey/")
    expect(page.locator("#result_list tbody tr td.field-shown_prefix")).to_have_text(
        re.compile(r"^sk-ac-.{6}…$")
    )
    screenshot(page, "admin-api-keys")

    page.goto("/admin/sessions_app/message/")
    expect(page.locator("#result_list tbody tr")).to_have_count(100)  # one page
    expect(page.locator("#changelist-filter")).to_contain_text("anthropic")
    screenshot(page, "admin-messages")

    page.goto("/admin/sessions_app/session/")
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td.field-end_user")).to_have_text("traveller-42")
    total = 1 + 2 * (INLINE_MESSAGES + 5)
    expect(row.locator("td.field-message_count")).to_have_text(str(total))
    screenshot(page, "admin-sessions")

    expect(row.locator("th.field-short_id span")).to_have_attribute("title", str(long_session.pk))
    row.locator("th.field-short_id a").click()
    inline = page.locator(".inline-group tbody tr")
    expect(inline).to_have_count(INLINE_MESSAGES)
    expect(inline.first.locator("td.field-seq_link")).to_have_text(str(total - INLINE_MESSAGES + 1))
    expect(inline.last.locator("td.field-preview")).to_have_text("Answer 54")
    expect(page.locator(".inline-group")).to_contain_text(f"Question 54: {SCRIPT}")
    expect(page.locator(".field-pretty_configs pre")).to_contain_text('"agent": "travel-bot"')
    assert_nothing_ran(page)
    screenshot(page, "admin-session")

    page.get_by_role("link", name=f"All {total} messages").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(100)
    expect(page.locator("p.paginator")).to_contain_text("111 messages")

    page.goto(f"/admin/sessions_app/session/{long_session.pk}/change/")
    page.get_by_role("link", name="Side by side").click()
    page.wait_for_url(f"**/sessions/{long_session.pk}/side-by-side/")


def test_admin_message_page_shows_escaped_pretty_json(
    page: Page, superuser, long_session: Session, screenshot
):
    message = long_session.messages.get(seq=2)
    log_in_to_admin(page)

    page.goto(f"/admin/sessions_app/message/{message.pk}/change/")

    expect(page.locator(".field-pretty_raw pre")).to_contain_text(f'"text": "Question 0: {SCRIPT}"')
    expect(page.locator(".field-pretty_canonical pre")).to_contain_text('"type": "text"')
    assert_nothing_ran(page)
    screenshot(page, "admin-message")


def test_admin_issues_a_key_and_shows_it_once(page: Page, superuser, project: Project, screenshot):
    log_in_to_admin(page)
    page.goto("/admin/sessions_app/apikey/add/")
    page.get_by_label("Project").select_option(label="acme")
    page.get_by_label("Name").fill("deploy bot")
    screenshot(page, "admin-api-key-add")

    page.get_by_role("button", name="Save", exact=True).click()

    secret = page.get_by_label("API key").input_value()
    assert SECRET.match(secret)
    expect(page.locator("#content-main")).to_contain_text("shown only on this page")
    screenshot(page, "admin-api-key-issued")
    api_key = ApiKey.objects.get()
    assert api_key.secret_hash == ApiKey.hash_secret(secret)

    page.get_by_role("link", name="View the key").click()
    expect(page.locator(".field-shown_prefix")).to_contain_text(f"{api_key.prefix}…")
    assert secret not in page.content()


def test_admin_revokes_a_key(page: Page, superuser, project: Project):
    issued = services.api_key_issue(project=project, name="old")
    log_in_to_admin(page)
    page.goto("/admin/sessions_app/apikey/")

    page.locator("input.action-select").check()
    page.get_by_label("Action:").select_option("revoke")
    page.get_by_role("button", name="Go").click()

    expect(page.locator("ul.messagelist")).to_contain_text("Revoked 1 API key(s).")
    expect(page.locator("td.field-status")).to_contain_text("Revoked")
    issued.api_key.refresh_from_db()
    assert issued.api_key.revoked_at is not None


# API documentation --------------------------------------------------------------------------


def open_operation(page: Page, tag: str, operation_id: str):
    operation = page.locator(f"#operations-{tag}-{operation_id}")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    return operation


def test_swagger_ui_authorizes_with_a_key_and_calls_the_api(
    page: Page, project: Project, screenshot
):
    issued = services.api_key_issue(project=project, name="swagger")
    page.goto("/api/docs/")
    expect(page.locator(".information-container .title")).to_contain_text(
        "Acontext-compatible sessions API"
    )
    screenshot(page, "swagger")

    page.locator(".auth-wrapper").get_by_role("button", name="Authorize").click()
    dialog = page.locator(".dialog-ux")
    dialog.locator("input[aria-label='auth-bearer-value']").fill(issued.secret)
    dialog.get_by_role("button", name="Apply credentials").click()
    expect(dialog.get_by_role("button", name="Remove authorization")).to_be_visible()
    screenshot(page, "swagger-authorized")
    dialog.get_by_role("button", name="Close").click()

    create = open_operation(page, "sessions", "create_session")
    create.get_by_role("button", name="Execute").click()
    live = create.locator(".live-responses-table .response")
    expect(live.locator(".response-col_status")).to_have_text("201")
    expect(live.locator(".response-col_description")).to_contain_text(
        '"user_id": "alice@example.com"'
    )
    (session,) = Session.objects.filter(project=project)
    assert session.configs == {"agent": "travel-bot"}
    screenshot(page, "swagger-create-session")

    listing = open_operation(page, "sessions", "list_sessions")
    listing.get_by_role("button", name="Execute").click()
    live = listing.locator(".live-responses-table .response")
    expect(live.locator(".response-col_status")).to_have_text("200")
    expect(live.locator(".response-col_description")).to_contain_text(str(session.pk))
    screenshot(page, "swagger-list-sessions")


def test_redoc_shows_the_api_from_local_assets(page: Page, live_server, screenshot):
    off_site: list[str] = []
    # Redoc's search runs in a worker made from a blob: of this page (same origin).
    here = (live_server.url, f"blob:{live_server.url}/", "data:")
    page.on(
        "request",
        lambda request: None if request.url.startswith(here) else off_site.append(request.url),
    )
    page.goto("/api/redoc/")

    heading = page.get_by_role("heading", name=re.compile("Acontext-compatible sessions API"))
    expect(heading).to_be_visible()
    expect(page.get_by_role("menuitem", name="messages")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Store a message \\("))).to_be_attached()
    screenshot(page, "redoc")
    # Not even the logo Redoc's bundle asks its CDN for (acontext_site/redoc.py).
    assert off_site == []
    expect(page.get_by_role("link", name="API docs by Redocly")).to_be_attached()
    expect(page.get_by_role("img", name="redocly logo")).to_have_count(0)
