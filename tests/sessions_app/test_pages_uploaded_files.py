"""Uploaded files in the pages: the login-checked URL that serves them, and how each format's
view shows them (an image drawn, audio playing, documents linked with their name and size)."""

import base64
import hashlib

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import conversion
from sessions_app import assets, presenters, services
from sessions_app.models import Asset, Project, Session
from sessions_app.views import CONTENT_SECURITY_POLICY
from tests.browser.mixed_conversation import member
from tests.browser.uploaded_conversation import PICTURE, store_uploaded_conversation
from tests.sessions_app.asset_samples import PDF, TEXT, WAV
from tests.sessions_app.test_pages import ALLOWED_URL, parsed

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(project: Project) -> User:
    return member(project, "alice")


@pytest.fixture
def alice_client(alice: User) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def uploaded(project: Project) -> Session:
    session = services.session_create(project=project)
    store_uploaded_conversation(session)
    return session


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_path(session: Session, data: bytes) -> str:
    return f"/sessions/{session.pk}/assets/{sha256(data)}"


def file_url(session: Session, data: bytes) -> str:
    """As the pages write it: absolute, on the host the page was asked from."""
    return f"http://testserver{file_path(session, data)}"


def store_file(session: Session, name: str, data: bytes, content_type: str = "") -> None:
    services.message_store(
        session=session,
        blob={"role": "user", "parts": [{"type": "file", "file_field": "f"}]},
        format="acontext",
        uploads={"f": SimpleUploadedFile(name, data, content_type)},
    )


def body(response) -> bytes:
    # Reading to the end closes the file. Not response.close(): that also signals the end of
    # the request, which closes the test's database connection.
    return b"".join(response.streaming_content)


def page_tags(client: Client, session: Session, target_format: str):
    response = client.get(f"/sessions/{session.pk}/?format={target_format}")
    assert response.status_code == 200
    return response, parsed(response.content.decode()).tags


def sources(tags, tag_name: str) -> list[str | None]:
    return [attrs.get("src") for tag, attrs in tags if tag == tag_name]


# The file URL ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type", "disposition"),
    [
        (PICTURE, "image/png", 'inline; filename="chart.png"'),
        (WAV, "audio/wav", 'inline; filename="greeting.wav"'),
        (PDF, "application/pdf", 'attachment; filename="report.pdf"'),
        (TEXT, "text/csv", 'attachment; filename="scores.csv"'),
    ],
)
def test_a_file_of_the_session_is_served_as_stored(
    alice_client, uploaded, data, content_type, disposition
):
    response = alice_client.get(file_path(uploaded, data))

    assert response.status_code == 200
    assert body(response) == data
    assert response["Content-Type"] == content_type
    assert response["Content-Length"] == str(len(data))
    assert response["Content-Disposition"] == disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Cache-Control"] == "private, max-age=3600"


def test_a_file_answers_head_and_refuses_post(alice_client, uploaded):
    head = alice_client.head(file_path(uploaded, PICTURE))
    post = alice_client.post(file_path(uploaded, PICTURE))

    assert head.status_code == 200
    assert head["Content-Type"] == "image/png"
    assert head["Content-Length"] == str(len(PICTURE))
    assert body(head) == b""
    assert post.status_code == 405


def test_an_html_upload_is_a_sandboxed_download(alice_client, session):
    page = b"<script>parent.pwned = 1</script>"
    store_file(session, "page.html", page, "text/html")

    response = alice_client.get(file_path(session, page))

    assert body(response) == page
    assert response["Content-Type"] == "text/html"
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_png_named_html_is_served_as_the_png_it_is(alice_client, session):
    store_file(session, "trick.html", PICTURE, "text/html")

    response = alice_client.get(file_path(session, PICTURE))

    assert body(response) == PICTURE
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="trick.html"'


def test_the_file_is_served_under_its_name_in_the_sessions_first_message_holding_it(
    alice_client, session
):
    store_file(session, "first.pdf", PDF)
    store_file(session, "second.pdf", PDF)

    response = alice_client.get(file_path(session, PDF))

    assert response["Content-Disposition"] == 'attachment; filename="first.pdf"'
    body(response)


def test_an_anonymous_visitor_is_asked_to_log_in(client, uploaded):
    path = file_path(uploaded, PICTURE)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_staff_may_open_any_projects_file(uploaded):
    staff = User.objects.create_user(username="root", is_staff=True)
    client = Client()
    client.force_login(staff)

    response = client.get(file_path(uploaded, PDF))

    assert response.status_code == 200
    assert body(response) == PDF


def test_an_unknown_file_is_not_found(alice_client, uploaded):
    assert alice_client.get(f"/sessions/{uploaded.pk}/assets/{'0' * 64}").status_code == 404


@pytest.mark.parametrize("sha", ["ABC", "0" * 63, "0" * 65, "G" * 64])
def test_a_malformed_hash_is_not_a_file_url(alice_client, uploaded, sha):
    assert alice_client.get(f"/sessions/{uploaded.pk}/assets/{sha}").status_code == 404


def test_another_projects_file_is_not_found(alice_client, uploaded, foreign_session):
    secret = b"globex secret numbers\n"
    store_file(foreign_session, "secret.txt", secret)

    # Neither through the foreign session (alice is no member) nor through her own.
    assert alice_client.get(file_path(foreign_session, secret)).status_code == 404
    assert alice_client.get(file_path(uploaded, secret)).status_code == 404


def test_the_same_bytes_in_another_project_are_that_projects_own_file(
    alice_client, uploaded, foreign_session
):
    # Stored per project: globex's copy of the PDF is its own asset, alice's stays hers.
    store_file(foreign_session, "globex.pdf", PDF)

    assert alice_client.get(file_path(foreign_session, PDF)).status_code == 404
    response = alice_client.get(file_path(uploaded, PDF))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'
    body(response)


def test_a_file_is_only_served_through_a_session_holding_it(alice_client, project, uploaded):
    other = services.session_create(project=project)
    store_file(other, "notes.txt", b"only in the other session\n")

    assert alice_client.get(file_path(uploaded, b"only in the other session\n")).status_code == 404
    assert alice_client.get(file_path(other, PICTURE)).status_code == 404
    response = alice_client.get(file_path(other, b"only in the other session\n"))
    assert response.status_code == 200
    body(response)


def test_a_file_lost_from_storage_is_not_found(alice_client, uploaded):
    asset = Asset.objects.get(sha256=sha256(PDF))
    assets.storage().delete(asset.key)

    assert alice_client.get(file_path(uploaded, PDF)).status_code == 404


# The acontext view -------------------------------------------------------------------------


def test_the_acontext_view_shows_the_image_plays_the_audio_and_links_the_documents(
    alice_client, uploaded
):
    response, tags = page_tags(alice_client, uploaded, "acontext")
    html = response.content.decode()

    assert [attrs for tag, attrs in tags if tag == "img"] == [
        {
            "src": file_url(uploaded, PICTURE),
            "alt": "chart.png",
            "loading": "lazy",
            "referrerpolicy": "no-referrer",
        }
    ]
    assert [attrs for tag, attrs in tags if tag == "audio"] == [
        {"controls": None, "preload": "metadata", "src": file_url(uploaded, WAV)}
    ]
    assert (
        f'<figcaption><a href="{file_url(uploaded, PICTURE)}" target="_blank"'
        ' rel="noopener noreferrer">chart.png</a>'
        " <small>image/png · 31.6\xa0KB</small></figcaption>"
    ) in html
    assert (
        f'<span class="muted small"><a href="{file_url(uploaded, WAV)}" download="greeting.wav"'
        ' rel="noopener noreferrer">greeting.wav</a> audio/wav · 1.6\xa0KB</span>'
    ) in html
    assert (
        f'<a class="chip doc-chip" href="{file_url(uploaded, PDF)}" download="report.pdf"'
        ' rel="noopener noreferrer">report.pdf <small>application/pdf · 382\xa0bytes</small></a>'
    ) in html
    assert (
        f'<a class="chip doc-chip" href="{file_url(uploaded, TEXT)}" download="scores.csv"'
        ' rel="noopener noreferrer">scores.csv <small>text/csv · 17\xa0bytes</small></a>'
    ) in html


def test_every_url_of_the_acontext_view_answers_the_viewer(alice_client, uploaded):
    _, tags = page_tags(alice_client, uploaded, "acontext")
    urls = {
        attrs[name]
        for tag, attrs in tags
        for name in ("src", "href")
        if (attrs.get(name) or "").startswith("http://testserver/sessions/")
    }

    served = {}
    for url in urls:
        response = alice_client.get(url.removeprefix("http://testserver"))
        served[url] = body(response)
    assert served == {
        file_url(uploaded, PICTURE): PICTURE,
        file_url(uploaded, WAV): WAV,
        file_url(uploaded, PDF): PDF,
        file_url(uploaded, TEXT): TEXT,
    }


def test_a_file_that_is_no_longer_stored_is_named_but_not_linked(alice_client, uploaded):
    # Not something the service does (a file goes with the last message holding it), but a
    # row deleted by hand must not break the page.
    Asset.objects.filter(sha256=sha256(PDF)).delete()

    response, tags = page_tags(alice_client, uploaded, "acontext")

    assert (
        '<span class="chip doc-chip inert" title="the uploaded file is no longer stored">'
        "report.pdf <small>application/pdf · 382\xa0bytes</small>"
        ' <small class="url">file not available</small></span>'
    ) in response.content.decode()
    hrefs = [attrs.get("href") for tag, attrs in tags if tag == "a"]
    assert file_url(uploaded, PDF) not in hrefs
    assert alice_client.get(file_path(uploaded, PDF)).status_code == 404


# The provider formats ---------------------------------------------------------------------


def data_url(media_type: str, data: bytes) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


def test_the_openai_view_shows_the_inlined_image_audio_and_pdf(alice_client, uploaded):
    _, tags = page_tags(alice_client, uploaded, "openai")

    assert sources(tags, "img") == [data_url("image/png", PICTURE)]
    assert sources(tags, "audio") == [data_url("audio/wav", WAV)]
    downloads = [
        (attrs["download"], attrs["href"])
        for tag, attrs in tags
        if tag == "a" and "download" in attrs
    ]
    assert ("report.pdf", data_url("application/pdf", PDF)) in downloads


@pytest.mark.parametrize("target_format", ["anthropic", "gemini"])
def test_inlined_images_show_in_every_provider_format(alice_client, uploaded, target_format):
    _, tags = page_tags(alice_client, uploaded, target_format)

    assert sources(tags, "img") == [data_url("image/png", PICTURE)]


def test_the_gemini_view_plays_the_inlined_audio(alice_client, uploaded):
    _, tags = page_tags(alice_client, uploaded, "gemini")

    assert sources(tags, "audio") == [data_url("audio/wav", WAV)]


def test_files_above_the_pages_inline_size_load_from_the_login_checked_url(
    alice_client, uploaded, monkeypatch
):
    # The pages inline less than the API (whose 2 MiB default stays): a data: URL longer
    # than the presenters draw would show as "not loaded".
    monkeypatch.setattr(presenters, "INLINE_UPLOAD_MAX_BYTES", 100)
    download = alice_client.get(f"/sessions/{uploaded.pk}/messages.json?format=anthropic")
    assert '"data":"' + base64.b64encode(PICTURE).decode() in download.content.decode()

    anthropic, anthropic_tags = page_tags(alice_client, uploaded, "anthropic")
    gemini, gemini_tags = page_tags(alice_client, uploaded, "gemini")

    # Not the API's expiring /api/v1/material/ links: the page's own, which check the login.
    for response in (anthropic, gemini):
        assert "/api/v1/material/" not in response.content.decode()
    assert sources(anthropic_tags, "img") == [file_url(uploaded, PICTURE)]
    assert (
        f'<a class="chip doc-chip" href="{file_url(uploaded, PDF)}" download="report.pdf"'
        ' rel="noopener noreferrer">report.pdf <small>'
    ) in anthropic.content.decode()
    assert sources(gemini_tags, "img") == [file_url(uploaded, PICTURE)]
    # Gemini names audio by a URL: linked (this server's audio could play, but a remote
    # recording must not, and the presenter cannot tell them apart).
    assert (
        f'<a class="chip audio-chip" href="{file_url(uploaded, WAV)}" target="_blank"'
        f' rel="noopener noreferrer">audio <small class="url">{file_url(uploaded, WAV)}</small></a>'
    ) in gemini.content.decode()


def test_the_download_keeps_the_apis_material_links(alice_client, uploaded, settings):
    settings.ACONTEXT_ASSET_INLINE_MAX_BYTES = 100

    response = alice_client.get(f"/sessions/{uploaded.pk}/messages.json?format=anthropic")

    assert "http://testserver/api/v1/material/" in response.content.decode()
    assert f"/sessions/{uploaded.pk}/assets/" not in response.content.decode()


# Policy, side by side, cost ----------------------------------------------------------------


@pytest.mark.parametrize("target_format", conversion.FORMATS)
def test_the_policy_allows_the_files_and_nothing_new(alice_client, uploaded, target_format):
    response, tags = page_tags(alice_client, uploaded, target_format)

    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "img-src 'self' data: https: http:;" in CONTENT_SECURITY_POLICY
    assert "media-src 'self' data:;" in CONTENT_SECURITY_POLICY
    urls = [
        value
        for tag, attrs in tags
        if not (tag == "link" and attrs.get("rel") == "icon")
        for name, value in attrs.items()
        if name in ("href", "src") and value is not None
    ]
    assert [value for value in urls if not ALLOWED_URL.match(value)] == []
    media = [
        attrs["src"] or "" for tag, attrs in tags if tag in ("img", "audio", "video", "source")
    ]
    assert media
    own = f"http://testserver/sessions/{uploaded.pk}/assets/"
    assert [src for src in media if not src.startswith(("data:", own))] == []


def test_side_by_side_shows_the_uploaded_image_in_every_column(alice_client, uploaded):
    response = alice_client.get(f"/sessions/{uploaded.pk}/side-by-side/")
    tags = parsed(response.content.decode()).tags

    # The columns: OpenAI, Anthropic, Gemini (inline), Acontext (the file URL), OpenAI
    # Responses (inline).
    assert sources(tags, "img") == [data_url("image/png", PICTURE)] * 3 + [
        file_url(uploaded, PICTURE),
        data_url("image/png", PICTURE),
    ]


@pytest.mark.parametrize("count", [1, 12])
@pytest.mark.parametrize("target_format", conversion.FORMATS)
def test_the_files_cost_one_query_however_many(
    alice_client, session, count, target_format, django_assert_num_queries
):
    for index in range(count):
        store_file(session, f"page-{index}.txt", f"page {index}\n".encode())

    # The login session, the user, the session, the page of messages, their seqs, the assets.
    with django_assert_num_queries(6):
        response = alice_client.get(f"/sessions/{session.pk}/?format={target_format}")

    assert response.status_code == 200
