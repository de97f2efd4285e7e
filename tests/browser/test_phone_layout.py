"""Every page at a phone's width (390 px) and at a desktop's, in real headless Chromium; the
side-by-side view, which changes its layout twice, at a small window's width too.

Pages: the login, the session list, the conversation in each format, the search results,
the side-by-side view and Django's admin. At each width: the document never scrolls sideways,
text is never squeezed into a column a few letters wide, and the controls a person needs
(format tabs, pagers, downloads, the search and filter forms) are on screen. The
conversation carries what usually overflows a narrow page: long unbroken URLs, ids and
tokens, long tool JSON and images. Each test saves full-page screenshots
(screenshots/layout-<page>-<width>.png) for a person to look at.
"""

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Locator, Page, ViewportSize, expect

import conversion
from sessions_app import services
from sessions_app.models import Project, Session
from sessions_app.views import PAGE_SIZE, SESSIONS_PER_PAGE
from tests.browser.mixed_conversation import PASSWORD, PNG, member, store_mixed_conversation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "window": {"width": 820, "height": 900},  # a small desktop window or a tablet
    "desktop": {"width": 1280, "height": 900},
}
# Narrower than this, a line of prose holds a handful of words: "one letter per line" starts.
READABLE = 250
# The side-by-side view's columns: five formats and the stored one share a 1,280 px desktop
# (about 230 px each); narrower windows stack the formats in twos or one under another.
COLUMN_READABLE = 220

END_USER = "auth0|6650f3c2a9b8e7d6c5b4a3921f0e8d7c6b5a4938271605f4e3d2c1b0a9f8e7d6c5"
LONG_URL = "https://images.example/boarding-passes/2024/05/" + "a1b2c3d4e5f6" * 14 + ".png"
TOKEN = base64.b64encode(bytes(range(256)) * 2).decode()  # 684 characters, no break
CALL_ID = "call_" + "Zx8Qm2Lp4Rt6Vw9Yb1Nc3Df5Gh7Jk0" * 2
TOOL_NAME = "fetch_booking_page_with_retries_and_session_token"
LONG_CONVERSATION: list[tuple[str, Any]] = [
    (
        "openai",
        {
            "role": "user",
            "content": [
                {"type": "text", "text": f"The booking page {LONG_URL}?session={TOKEN} fails."},
                {"type": "image_url", "image_url": {"url": LONG_URL}},
            ],
        },
    ),
    (
        "openai",
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": CALL_ID,
                    "type": "function",
                    "function": {
                        "name": TOOL_NAME,
                        "arguments": (
                            '{"url": "' + LONG_URL + '", "token": "' + TOKEN + '", '
                            '"retries": {"count": 3, "backoff_ms": [250, 500, 1000]}}'
                        ),
                    },
                }
            ],
        },
    ),
    (
        "openai",
        {
            "role": "tool",
            "tool_call_id": CALL_ID,
            "content": '{"status": 502, "body": "' + TOKEN + '", "trace": "' + LONG_URL + '"}',
        },
    ),
    ("openai", {"role": "assistant", "content": f"The page answers 502; see {LONG_URL}."}),
]


def store_long_strings(session: Session) -> None:
    for format, blob in LONG_CONVERSATION:
        services.message_store(session=session, blob=blob, format=format)


@pytest.fixture
def project() -> Project:
    return Project.objects.create(name="acme-travel-assistant-production-eu-west-1")


@pytest.fixture
def session(project: Project) -> Session:
    member(project, "alice")
    session = store_mixed_conversation(project, user=END_USER)
    store_long_strings(session)
    return session


@pytest.fixture(params=["phone", "desktop"])
def width(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def tab(browser: Browser, live_server: Any, width: str) -> Iterator[Page]:
    """A tab as wide as a phone (a mobile, touch viewport) or a desktop window."""
    phone = width == "phone"
    context = browser.new_context(
        viewport=WIDTHS[width],
        is_mobile=phone,
        has_touch=phone,
        base_url=live_server.url,
        accept_downloads=True,
    )
    page = context.new_page()
    # The long image URL, answered here: this machine has no internet.
    page.route(
        "https://images.example/**",
        lambda route: route.fulfill(content_type="image/png", body=base64.b64decode(PNG)),
    )
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    def on_page_error(error: Error) -> None:
        problems.append(f"page error: {error.message}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    yield page
    context.close()
    assert problems == []


# What sticks out of the viewport, outside any element that scrolls sideways itself.
OVERFLOWING = """
limit => {
  const scrolls = element => {
    for (let node = element.parentElement; node; node = node.parentElement) {
      const overflow = getComputedStyle(node).overflowX;
      if (overflow === "auto" || overflow === "scroll" || overflow === "hidden") return true;
    }
    return false;
  };
  const out = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= limit + 1 || scrolls(element)) continue;
    const name = element.tagName.toLowerCase()
      + (element.className && typeof element.className === "string"
         ? "." + element.className.trim().split(/\\s+/).join(".") : "");
    out.push(`${name} right=${Math.round(box.right)} width=${Math.round(box.width)}`);
  }
  return out.slice(0, 15);
}
"""


def assert_no_sideways_scroll(page: Page, width: str) -> None:
    limit = WIDTHS[width]["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= limit, (scroll_width, page.evaluate(OVERFLOWING, limit))


def assert_on_screen(page: Page, locator: Locator, width: str) -> None:
    """Visible, and wholly inside the viewport once scrolled to: nothing off either side."""
    expect(locator).to_be_visible()
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None
    viewport = WIDTHS[width]
    assert box["x"] >= 0, box
    assert box["x"] + box["width"] <= viewport["width"], box
    assert box["y"] >= 0, box
    assert box["y"] + box["height"] <= viewport["height"], box


def narrowest(page: Page, selector: str) -> float:
    """The width of the narrowest visible element the selector matches."""
    widths: list[float] = page.locator(selector).evaluate_all(
        """elements => elements
            .map(element => element.getBoundingClientRect().width)
            .filter(width => width > 0)"""
    )
    assert widths, f"nothing visible matches {selector}"
    return min(widths)


def follow(page: Page, locator: Locator) -> None:
    """Click and wait for the next page's load event: its stylesheet applied, not just the DOM."""
    with page.expect_navigation():
        locator.click()


def log_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/sessions/")


def shoot(page: Page, screenshot: Any, name: str, width: str) -> None:
    screenshot(page, f"layout-{name}-{width}")


def test_login_page(tab: Page, width: str, session: Session, screenshot: Any) -> None:
    tab.goto("/accounts/login/")

    assert_no_sideways_scroll(tab, width)
    for control in [
        tab.get_by_label("Username"),
        tab.get_by_label("Password"),
        tab.get_by_role("button", name="Log in"),
    ]:
        assert_on_screen(tab, control, width)
    assert narrowest(tab, "section.login") >= min(340, WIDTHS[width]["width"] - 48)
    shoot(tab, screenshot, "login", width)

    log_in(tab)


def test_session_list(
    tab: Page, width: str, session: Session, project: Project, screenshot: Any
) -> None:
    # Enough sessions for a second page, so that the pager shows.
    for number in range(SESSIONS_PER_PAGE):
        services.session_create(project=project, user=f"{END_USER}-{number}")
    log_in(tab)

    assert_no_sideways_scroll(tab, width)
    form = tab.locator("form.filters")
    for control in [
        form.get_by_placeholder("Session id or end-user id"),
        form.locator("select[name='project']"),
        form.get_by_role("button", name="Filter"),
    ]:
        assert_on_screen(tab, control, width)
    rows = tab.locator("table.sessions tbody tr")
    expect(rows).to_have_count(SESSIONS_PER_PAGE)
    assert_on_screen(tab, rows.first.locator("a.session-id"), width)
    assert narrowest(tab, "table.sessions tbody tr") >= READABLE
    assert_on_screen(tab, tab.locator("nav.pager").get_by_role("link", name="Older"), width)
    tab.evaluate("window.scrollTo(0, 0)")
    shoot(tab, screenshot, "session-list", width)

    # The oldest session, on the second page: the mixed conversation.
    follow(tab, tab.locator("nav.pager").get_by_role("link", name="Older"))
    expect(rows).to_have_count(1)
    assert_no_sideways_scroll(tab, width)
    assert_on_screen(tab, tab.locator("nav.pager").get_by_role("link", name="Newer"), width)
    assert_on_screen(tab, rows.first.get_by_role("link", name="side by side"), width)


def test_conversation_in_each_format(
    tab: Page, width: str, session: Session, screenshot: Any
) -> None:
    log_in(tab)

    for target_format in conversion.FORMATS:
        tab.goto(f"/sessions/{session.pk}/?format={target_format}")
        expect(tab.locator("section.conversation")).to_have_attribute("data-format", target_format)

        assert_no_sideways_scroll(tab, width)
        tabs = tab.locator("nav.tabs a")
        expect(tabs).to_have_count(len(conversion.FORMATS))
        for index in range(len(conversion.FORMATS)):
            assert_on_screen(tab, tabs.nth(index), width)
        assert_on_screen(tab, tab.get_by_role("link", name="Side by side"), width)
        assert_on_screen(tab, tab.get_by_role("link", name="Download"), width)
        # No bubble, tool card or block of JSON squeezed down to a few letters a line.
        assert narrowest(tab, "article.bubble") >= READABLE
        assert narrowest(tab, "details.card") >= READABLE - 50
        # The longest tool call's name and id are wrapped onto the screen.
        assert_on_screen(tab, tab.locator("code.tool-name", has_text=TOOL_NAME).first, width)
        assert_on_screen(tab, tab.locator("code.tool-id", has_text=CALL_ID).first, width)
        expect(tab.locator("img[src^='https://images.example/']").first).to_be_visible()
        shoot(tab, screenshot, f"conversation-{target_format}", width)


def test_conversation_pager(tab: Page, width: str, project: Project, screenshot: Any) -> None:
    member(project, "alice")
    session = services.session_create(project=project, user=END_USER)
    for number in range(PAGE_SIZE + 1):
        blob = {"role": "user" if number % 2 == 0 else "assistant", "content": f"No. {number}"}
        services.message_store(session=session, blob=blob)
    log_in(tab)
    tab.goto(f"/sessions/{session.pk}/?after={PAGE_SIZE}")

    expect(tab.locator("article.bubble")).to_have_count(1)
    assert_no_sideways_scroll(tab, width)
    pager = tab.locator("nav.pager").first
    for name in ["« First", "‹ Previous"]:
        assert_on_screen(tab, pager.get_by_role("link", name=name), width)
    shoot(tab, screenshot, "conversation-last-page", width)

    follow(tab, pager.get_by_role("link", name="« First"))
    expect(tab.locator("article.bubble")).to_have_count(PAGE_SIZE)
    assert_no_sideways_scroll(tab, width)
    for name in ["Next ›", "Last »"]:
        assert_on_screen(tab, tab.locator("nav.pager").first.get_by_role("link", name=name), width)


def test_search_results(tab: Page, width: str, session: Session, screenshot: Any) -> None:
    log_in(tab)
    tab.goto("/search/?q=booking")

    results = tab.locator("section.conversation article.bubble")
    expect(results.first).to_be_visible()
    assert_no_sideways_scroll(tab, width)
    form = tab.locator("form.filters")
    assert_on_screen(tab, form.get_by_label("Search"), width)
    assert_on_screen(tab, form.get_by_role("button", name="Search"), width)
    # The match inside the long URL and token, wrapped within a readable bubble.
    assert narrowest(tab, "section.conversation article.bubble") >= READABLE
    assert_on_screen(tab, results.first.locator("mark").first, width)
    assert_on_screen(tab, results.first.locator("a.session-id"), width)
    tab.evaluate("window.scrollTo(0, 0)")
    shoot(tab, screenshot, "search", width)


@pytest.mark.parametrize("width", ["phone", "window", "desktop"])
def test_side_by_side(tab: Page, width: str, session: Session, screenshot: Any) -> None:
    log_in(tab)
    tab.goto(f"/sessions/{session.pk}/side-by-side/")

    assert_no_sideways_scroll(tab, width)
    for target_format in conversion.FORMATS:
        header = tab.locator(f"thead th[data-format='{target_format}']")
        assert_on_screen(tab, header.get_by_role("link", name="Download JSON"), width)
        assert_on_screen(tab, header.locator("a").first, width)
    toggle = tab.get_by_role("button", name="Show raw JSON")
    assert_on_screen(tab, toggle, width)
    # Each format's cell keeps a readable width: on a desktop five columns, narrower the
    # formats of a message side by side in twos, on a phone one under the other, each named.
    assert narrowest(tab, "table.side-by-side td") >= COLUMN_READABLE
    if width != "desktop":
        label = tab.locator("#m3 td[data-format='gemini']").evaluate(
            "cell => getComputedStyle(cell, '::before').content"
        )
        assert label == '"gemini"'
    shoot(tab, screenshot, "side-by-side", width)

    toggle.click()
    expect(tab.locator("#m3 td[data-format='gemini'] .raw pre.json")).to_be_visible()
    assert_no_sideways_scroll(tab, width)
    assert narrowest(tab, "table.side-by-side .raw pre.json") >= COLUMN_READABLE - 30
    shoot(tab, screenshot, "side-by-side-raw", width)


def test_admin_is_usable(
    tab: Page, width: str, session: Session, django_user_model: Any, screenshot: Any
) -> None:
    """Django's own admin, unstyled by this project: it fits a phone by itself."""
    django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    tab.goto("/admin/login/")
    assert_no_sideways_scroll(tab, width)
    tab.get_by_label("Username").fill("root")
    tab.get_by_label("Password").fill(PASSWORD)
    assert_on_screen(tab, tab.get_by_role("button", name="Log in"), width)
    follow(tab, tab.get_by_role("button", name="Log in"))
    expect(tab.get_by_role("link", name="Sessions", exact=True).first).to_be_visible()
    assert_no_sideways_scroll(tab, width)
    shoot(tab, screenshot, "admin-index", width)

    tab.goto("/admin/sessions_app/session/")
    assert_no_sideways_scroll(tab, width)
    assert_on_screen(tab, tab.locator("#changelist-search input[type='text']"), width)
    shoot(tab, screenshot, "admin-sessions", width)

    tab.goto(f"/admin/sessions_app/session/{session.pk}/change/")
    assert_no_sideways_scroll(tab, width)
    assert_on_screen(tab, tab.get_by_role("link", name="Side by side"), width)
    shoot(tab, screenshot, "admin-session", width)
