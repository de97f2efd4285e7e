"""The search page as a person uses it, in headless Chromium: from the top bar to a result,
and from the result to the message in its conversation."""

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from sessions_app.models import Project, Session
from tests.browser.mixed_conversation import member, store_mixed_conversation
from tests.browser.test_pages_in_browser import assert_nothing_ran, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mixed() -> Session:
    project = Project.objects.create(name="acme")
    member(project, "alice")
    # Another project's conversation: never among alice's results.
    store_mixed_conversation(Project.objects.create(name="globex"), user="someone-else")
    return store_mixed_conversation(project)


def search_for(page: Page, query: str) -> None:
    page.get_by_label("Search").fill(query)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=*")


def test_search_from_the_top_bar_to_the_message(page: Page, mixed: Session, screenshot):
    log_in(page)
    page.get_by_role("link", name="Search messages").click()
    page.wait_for_url("**/search/")
    screenshot(page, "search-empty")

    # Tool-call arguments: one call's {"city": "Oslo"}, the other's {"tz": "Europe/Oslo"}
    # (one word to FTS5, a file path to Postgres' parser); and the user's question.
    search_for(page, "oslo")
    results = page.locator("section.conversation article.bubble")
    expect(results).to_have_count(2)
    expect(results.nth(0).locator("a.seq")).to_have_text("#3")
    expect(results.nth(0).locator("p.prose")).to_have_text(
        'get_weather\n{"city": "Oslo"}\nget_time\n{"tz": "Europe/Oslo"}'
    )
    in_the_path = [] if connection.vendor == "postgresql" else ["Oslo"]
    expect(results.nth(0).locator("mark")).to_have_text(["Oslo", *in_the_path])
    expect(results.nth(1).locator("a.seq")).to_have_text("#2")
    expect(results.nth(1).locator("mark")).to_have_text(["Oslo"])
    expect(results.nth(0).locator("span.end-user")).to_have_text("traveller-42")
    screenshot(page, "search-results")
    # On a phone: nothing scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.get_by_role("button", name="Search")).to_be_in_viewport()
    screenshot(page, "search-results-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    search_for(page, '"SK4035 on time"')
    expect(results).to_have_count(1)
    expect(results.first.locator("mark")).to_have_text(["SK4035 on time"])
    results.first.get_by_role("link", name="Open in the conversation").click()
    page.wait_for_url(f"**/sessions/{mixed.pk}/?format=anthropic&after=6#m7")
    target = page.locator("#m7")
    expect(target).to_contain_text("Is my flight SK4035 on time?")
    expect(target).to_be_in_viewport()
    screenshot(page, "search-opened-message")


def test_markup_in_results_is_text(page: Page, mixed: Session, screenshot):
    log_in(page)
    page.goto("/search/")

    search_for(page, "onerror")

    results = page.locator("section.conversation article.bubble")
    expect(results).to_have_count(1)
    expect(results.first.locator("p.prose")).to_contain_text(
        '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
    )
    expect(results.first.locator("mark")).to_have_text(["onerror"])
    expect(page.locator("img[src='x']")).to_have_count(0)
    assert_nothing_ran(page)
    screenshot(page, "search-escaped")
