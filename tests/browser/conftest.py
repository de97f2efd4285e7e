"""Browser tests: the pages in the system's headless Chromium, driven by Playwright's sync API.

Run them alone with ``pytest -m browser``, or leave them out with ``-m "not browser"``.
No browser is downloaded: they use /usr/bin/chromium and are skipped where it is missing.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Page,
    ViewportSize,
    sync_playwright,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: runs in headless Chromium (/usr/bin/chromium)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API runs an event loop in the test's thread, and Django refuses
        # database access from a thread with a running loop; the tests stay synchronous, so
        # that is safe. Set only while the browser (and its loop) lives: set for the whole
        # run, it would reach subprocesses such as `manage.py check --deploy` (async.E001).
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    """A fresh 1280px-wide tab; the test fails if the page logs an error or throws.

    A Content-Security-Policy violation (an inline style or script that slipped into a
    template) is logged as a console error, so it fails the test too.
    """
    context = browser.new_context(
        viewport=VIEWPORT, accept_downloads=True, base_url=live_server.url
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    tab = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console: {message.text}")

    def on_page_error(error: Error) -> None:
        problems.append(f"page error: {error.message}")

    tab.on("console", on_console)
    tab.on("pageerror", on_page_error)
    yield tab
    context.close()
    assert problems == []


@pytest.fixture
def screenshot() -> "Screenshot":
    SCREENSHOTS.mkdir(exist_ok=True)
    return Screenshot()


class Screenshot:
    """Saves full-page screenshots into screenshots/ (git-ignored) for people to look at."""

    def __call__(self, page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
