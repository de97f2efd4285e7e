"""Uploaded files in real headless Chromium: the picture draws, the recording plays, the PDF
downloads, each from the login-checked file URL; and the admin lists them.

Each test saves full-page screenshots into screenshots/ for a person to look at.
"""

import pytest
from playwright.sync_api import Locator, Page, expect

import conversion
from sessions_app import presenters, services
from sessions_app.models import Project, Session
from tests.browser.mixed_conversation import member
from tests.browser.test_admin_and_docs_in_browser import PASSWORD as ADMIN_PASSWORD
from tests.browser.test_admin_and_docs_in_browser import log_in_to_admin
from tests.browser.test_pages_in_browser import log_in
from tests.browser.uploaded_conversation import store_uploaded_conversation
from tests.sessions_app.asset_samples import PDF, WAV

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Resolves with the image's natural width once it has loaded (-1 if it fails to).
NATURAL_WIDTH = """image => new Promise(resolve => {
    if (image.complete) resolve(image.naturalWidth);
    image.addEventListener("load", () => resolve(image.naturalWidth));
    image.addEventListener("error", () => resolve(-1));
})"""
# Resolves with the recording's duration once its metadata has loaded (-1 on an error).
DURATION = """audio => new Promise(resolve => {
    if (audio.readyState >= 1) resolve(audio.duration);
    audio.addEventListener("loadedmetadata", () => resolve(audio.duration));
    audio.addEventListener("error", () => resolve(-1));
    audio.load();
})"""


@pytest.fixture
def project() -> Project:
    return Project.objects.create(name="acme")


@pytest.fixture
def uploaded(project: Project) -> Session:
    member(project, "alice")
    session = services.session_create(project=project, user="uploader-7")
    store_uploaded_conversation(session)
    return session


def loaded_width(image: Locator) -> int:
    image.scroll_into_view_if_needed()  # loading="lazy"
    width: int = image.evaluate(NATURAL_WIDTH)
    return width


def file_url(live_server, session: Session, sha256: str) -> str:
    return f"{live_server.url}/sessions/{session.pk}/assets/{sha256}"


def test_the_viewer_shows_plays_and_links_the_uploaded_files(
    page: Page, uploaded: Session, live_server, screenshot
):
    log_in(page)
    page.goto(f"/sessions/{uploaded.pk}/?format=acontext")

    image = page.locator("figure.image img")
    expect(image).to_have_count(1)
    assert loaded_width(image) == 160
    assert image.evaluate("image => image.naturalHeight") == 96
    expect(page.locator("figure.image figcaption")).to_have_text("chart.png image/png · 31.6 KB")

    audio = page.locator("audio")
    expect(audio).to_have_count(1)
    # 800 samples at 8 kHz.
    assert audio.evaluate(DURATION) == pytest.approx(0.1)
    assert audio.evaluate("audio => audio.error") is None

    pdf = page.locator("a.doc-chip", has_text="report.pdf")
    expect(pdf).to_have_text("report.pdf application/pdf · 382 bytes")
    href = pdf.get_attribute("href")
    assert href is not None
    assert href.startswith(file_url(live_server, uploaded, ""))
    answer = page.request.get(href)
    assert answer.status == 200
    assert answer.body() == PDF
    assert answer.headers["content-type"] == "application/pdf"
    with page.expect_download() as download_info:
        pdf.click()
    assert download_info.value.suggested_filename == "report.pdf"
    assert download_info.value.path().read_bytes() == PDF
    expect(page.locator("a.doc-chip", has_text="scores.csv")).to_have_text(
        "scores.csv text/csv · 17 bytes"
    )
    screenshot(page, "uploaded-files-acontext")


def test_the_recording_is_fetched_in_ranges_so_the_player_can_seek(
    page: Page, uploaded: Session, live_server
):
    log_in(page)
    answers = []
    page.on(
        "response",
        lambda response: (
            answers.append((response.status, response.headers.get("content-range")))
            if "/assets/" in response.url and response.request.resource_type == "media"
            else None
        ),
    )
    page.goto(f"/sessions/{uploaded.pk}/?format=acontext")
    audio = page.locator("audio")
    assert audio.evaluate(DURATION) == pytest.approx(0.1)
    assert audio.evaluate(
        """audio => new Promise(resolve => {
            audio.addEventListener("seeked", () => resolve(audio.currentTime), {once: true});
            audio.currentTime = 0.05;
        })"""
    ) == pytest.approx(0.05)

    # Chromium asks for the recording from its first byte on, and gets it as a range.
    assert answers[0] == (206, f"bytes 0-{len(WAV) - 1}/{len(WAV)}")
    assert audio.evaluate("audio => [audio.seekable.start(0), audio.seekable.end(0)]") == [
        0,
        pytest.approx(0.1),
    ]


def test_the_file_urls_need_the_login(page: Page, uploaded: Session, live_server):
    log_in(page)
    page.goto(f"/sessions/{uploaded.pk}/?format=acontext")
    urls = [
        page.locator("figure.image img").get_attribute("src"),
        page.locator("audio").get_attribute("src"),
        page.locator("a.doc-chip", has_text="report.pdf").get_attribute("href"),
    ]
    assert all(url and url.startswith(file_url(live_server, uploaded, "")) for url in urls)

    stranger = page.context.browser.new_context()  # type: ignore[union-attr]
    try:
        for url in urls:
            answer = stranger.request.get(str(url), max_redirects=0)
            assert answer.status == 302
            assert answer.headers["location"].startswith("/accounts/login/?next=/sessions/")
    finally:
        stranger.close()


@pytest.mark.parametrize("target_format", ["openai", "gemini"])
def test_the_provider_formats_show_the_inlined_picture_and_play_the_recording(
    page: Page, uploaded: Session, target_format: str, screenshot
):
    log_in(page)
    page.goto(f"/sessions/{uploaded.pk}/?format={target_format}")

    image = page.locator("figure.image img")
    expect(image).to_have_count(1)
    assert (image.get_attribute("src") or "").startswith("data:image/png;base64,")
    assert loaded_width(image) == 160
    audio = page.locator("audio")
    assert (audio.get_attribute("src") or "").startswith("data:audio/wav;base64,")
    assert audio.evaluate(DURATION) == pytest.approx(0.1)
    screenshot(page, f"uploaded-files-{target_format}")


def test_files_above_the_inline_size_load_from_the_file_url(
    page: Page, uploaded: Session, live_server, monkeypatch, screenshot
):
    # The live server's thread reads the same module.
    monkeypatch.setattr(presenters, "INLINE_UPLOAD_MAX_BYTES", 100)
    log_in(page)
    page.goto(f"/sessions/{uploaded.pk}/?format=anthropic")

    image = page.locator("figure.image img")
    assert (image.get_attribute("src") or "").startswith(file_url(live_server, uploaded, ""))
    assert loaded_width(image) == 160
    pdf = page.locator("a.doc-chip", has_text="report.pdf")
    answer = page.request.get(pdf.get_attribute("href") or "")
    assert answer.status == 200
    assert answer.body() == PDF
    screenshot(page, "uploaded-files-anthropic-linked")

    page.goto(f"/sessions/{uploaded.pk}/?format=gemini")
    recording = page.locator("a.audio-chip")
    answer = page.request.get(recording.get_attribute("href") or "")
    assert answer.body() == WAV
    assert answer.headers["content-type"] == "audio/wav"


def test_side_by_side_shows_the_picture_in_every_column(page: Page, uploaded: Session, screenshot):
    log_in(page)
    page.goto(f"/sessions/{uploaded.pk}/side-by-side/")

    images = page.locator("figure.image img")
    expect(images).to_have_count(len(conversion.FORMATS))
    widths = [loaded_width(images.nth(index)) for index in range(len(conversion.FORMATS))]
    assert widths == [160] * len(conversion.FORMATS)
    screenshot(page, "uploaded-files-side-by-side")


def test_the_admin_lists_the_sessions_files(
    page: Page, uploaded: Session, django_user_model, screenshot
):
    django_user_model.objects.create_superuser("root", "root@example.com", ADMIN_PASSWORD)
    log_in_to_admin(page)
    page.goto(f"/admin/sessions_app/session/{uploaded.pk}/change/")

    rows = page.locator(".field-files tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("chart.png")
    expect(rows.first).to_contain_text("31.6 KB")
    screenshot(page, "uploaded-files-admin-session")

    page.get_by_role("link", name="All 4 files").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(4)
    screenshot(page, "uploaded-files-admin-list")
