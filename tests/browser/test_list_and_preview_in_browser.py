"""The session list's filters and the edit preview, as a person uses them, in headless
Chromium against a live server (screenshots in screenshots/)."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sessions_app import services
from sessions_app.models import Project, Session
from tests.browser.mixed_conversation import member, store_mixed_conversation, store_weather_run
from tests.browser.test_pages_in_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def project() -> Project:
    project = Project.objects.create(name="acme")
    member(project, "alice")
    return project


def test_filter_the_list_by_dates_and_configs_and_sort_it(
    page: Page, project: Project, screenshot
) -> None:
    mixed = store_mixed_conversation(project)
    Session.objects.filter(pk=mixed.pk).update(created_at=timezone.now() - timedelta(days=10))
    bot = services.session_create(project=project, user="bot-user", configs={"agent": "bot1"})
    services.message_store(session=bot, blob={"role": "user", "content": "Book a table for two"})
    log_in(page)

    rows = page.locator("table.sessions tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first.locator("p.preview")).to_have_text("Book a table for two")
    screenshot(page, "session-list-previews")

    page.get_by_label("Configs contain").fill('{"agent": "bot1"}')
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(page.locator("a.session-id")).to_have_text(str(bot.pk))

    page.get_by_label("Configs contain").fill("")
    page.get_by_label("Created to").fill((timezone.now() - timedelta(days=5)).date().isoformat())
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(page.locator("a.session-id")).to_have_text(str(mixed.pk))

    page.get_by_label("Created to").fill("")
    page.get_by_label("Sort").select_option("messages")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("a.session-id")).to_have_text([str(mixed.pk), str(bot.pk)])
    screenshot(page, "session-list-sorted")


def test_preview_edits_and_see_the_tokens_drop(page: Page, project: Project, screenshot) -> None:
    session = services.session_create(project=project)
    store_weather_run(session, result_repeats=30)
    log_in(page)
    page.goto(f"/sessions/{session.pk}/?format=anthropic")
    page.get_by_role("link", name="Edit preview").click()
    page.wait_for_url(f"**/sessions/{session.pk}/edit-preview/?format=anthropic")
    before = int(page.locator("strong.tokens-before").inner_text())
    expect(page.locator("strong.tokens-after")).to_have_text(str(before))

    page.get_by_label("Remove tool results").check()
    page.get_by_label("keeping the newest").first.fill("1")
    page.get_by_role("button", name="Preview").click()

    after = int(page.locator("strong.tokens-after").inner_text())
    assert int(page.locator("strong.tokens-before").inner_text()) == before
    assert after < before
    expect(page.locator('p.warning[data-code="tool_result_removed"]')).to_have_count(2)
    expect(page.locator("code.strategies")).to_have_text(
        '[{"type": "remove_tool_result", "params": {"keep_recent_n_tool_results": 1}}]'
    )
    screenshot(page, "edit-preview")


def test_copy_an_item_and_see_its_time_and_tokens(page: Page, project: Project) -> None:
    session = services.session_create(project=project, configs={"agent": "bot1"})
    services.message_store(session=session, blob={"role": "user", "content": "Copy me"})
    log_in(page)
    page.goto(f"/sessions/{session.pk}/")

    bubble = page.locator("article.bubble").first
    expect(bubble.locator("span.tokens")).to_have_text(re.compile(r"^\d+ tokens?$"))
    expect(bubble.locator("time.stored-at")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d$"))
    bubble.get_by_role("button", name="Copy").click()
    expect(bubble.get_by_role("button", name="Copied")).to_be_visible()

    copied = page.evaluate("navigator.clipboard.readText()")
    assert json.loads(copied) == {"role": "user", "content": "Copy me"}
    page.locator("details.configs summary").click()
    expect(page.locator("details.configs pre")).to_have_text('{\n  "agent": "bot1"\n}')
