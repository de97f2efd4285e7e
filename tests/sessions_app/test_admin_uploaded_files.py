"""Uploaded files in the admin: a session's page lists its files; the file list is read-only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions_app import services
from sessions_app.admin import FILES_SHOWN
from sessions_app.models import Asset, Project, Session
from tests.browser.uploaded_conversation import PICTURE, store_uploaded_conversation
from tests.sessions_app.asset_samples import PDF, TEXT, WAV, asset_of, store_file
from tests.sessions_app.test_admin import admin_url

pytestmark = pytest.mark.django_db

# A file name keeps no directory part, so no closing tag: an element with a handler.
MARKUP = "<img src=x onerror=alert(1)>"


@pytest.fixture
def uploaded(project: Project) -> Session:
    session = services.session_create(project=project)
    store_uploaded_conversation(session)
    return session


def file_row(asset: Asset, names: str, size: str) -> str:
    link = admin_url("asset", "change", asset.pk)
    return (
        f"<tr><td>{names}</td><td>{asset.mime}</td><td>{size}</td>"
        f'<td style="overflow-wrap: anywhere"><a href="{link}">{asset.key}</a></td></tr>'
    )


# The session's page -------------------------------------------------------------------------


def test_the_session_page_lists_its_files_with_name_type_size_and_key(admin_client, uploaded):
    page = admin_client.get(admin_url("session", "change", uploaded.pk)).content.decode()

    rows = [
        file_row(asset_of(PICTURE), "chart.png", "31.6\xa0KB"),
        file_row(asset_of(WAV), "greeting.wav", "1.6\xa0KB"),
        file_row(asset_of(PDF), "report.pdf", "382\xa0bytes"),
        file_row(asset_of(TEXT), "scores.csv", "17\xa0bytes"),
    ]
    all_files = admin_url("asset", "changelist") + f"?messages__session={uploaded.pk}"
    # In the order they were stored.
    assert (
        f'<div class="readonly"><p><a href="{all_files}">All 4 files</a></p><table><thead><tr>'
        "<th>File name</th><th>Type</th><th>Size</th><th>Key</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    ) in page


def test_a_file_held_twice_is_listed_once_with_each_of_its_names(admin_client, session):
    store_file(session, "q1.pdf", PDF)
    store_file(session, "q1-again.pdf", PDF)
    store_file(session, "q1.pdf", PDF)

    page = admin_client.get(admin_url("session", "change", session.pk)).content.decode()

    assert file_row(asset_of(PDF), "q1.pdf, q1-again.pdf", "382\xa0bytes") in page
    assert page.count(f">{asset_of(PDF).key}</a>") == 1
    assert "All 1 file<" in page


def test_a_file_name_is_escaped(admin_client, session):
    store_file(session, f"{MARKUP}.txt", TEXT)

    page = admin_client.get(admin_url("session", "change", session.pk)).content.decode()

    assert MARKUP not in page
    assert "<td>&lt;img src=x onerror=alert(1)&gt;.txt</td>" in page


def test_a_session_without_files_says_so(admin_client, session):
    services.message_store(session=session, blob={"role": "user", "content": "no files"})

    page = admin_client.get(admin_url("session", "change", session.pk)).content.decode()

    files_field = page.split("<label>Files:</label>")[1]
    assert files_field.lstrip().startswith('<div class="readonly">—</div>')


def test_the_session_page_shows_at_most_the_first_files(admin_client, session):
    for index in range(FILES_SHOWN + 2):
        store_file(session, f"note-{index}.txt", f"note {index}\n".encode())

    page = admin_client.get(admin_url("session", "change", session.pk)).content.decode()

    assert page.count("<td>text/plain</td>") == FILES_SHOWN
    assert f"All {FILES_SHOWN + 2:,} files" in page


def test_all_files_of_a_session_are_one_link_away(admin_client, project, uploaded):
    elsewhere = services.session_create(project=project)
    store_file(elsewhere, "other.txt", b"another session's file\n")
    store_file(elsewhere, "report-copy.pdf", PDF)  # also in `uploaded`: listed there once

    response = admin_client.get(
        admin_url("asset", "changelist") + f"?messages__session={uploaded.pk}"
    )

    assert response.status_code == 200
    assert sorted(asset.key for asset in response.context["cl"].result_list) == sorted(
        asset_of(data).key for data in (PICTURE, WAV, PDF, TEXT)
    )


# The file list ------------------------------------------------------------------------------


def test_the_file_list_shows_key_project_type_size_date_and_use(admin_client, uploaded):
    services.session_copy(session=uploaded)  # the copy's message holds the same files

    response = admin_client.get(admin_url("asset", "changelist") + "?o=2")  # by type
    page = response.content.decode()

    rows = [
        (asset.key, asset.project.name, asset.mime, asset.size, asset.message_count)
        for asset in response.context["cl"].result_list
    ]
    assert rows == [
        (asset_of(PDF).key, "acme", "application/pdf", 382, 2),
        (asset_of(WAV).key, "acme", "audio/wav", 1644, 2),
        (asset_of(PICTURE).key, "acme", "image/png", len(PICTURE), 2),
        (asset_of(TEXT).key, "acme", "text/csv", 17, 2),
    ]
    headers = [header["text"] for header in response.context["result_headers"]]
    assert headers == ["Key", "project", "Type", "Size", "Created", "Messages"]
    assert '<td class="field-human_size">31.6\xa0KB</td>' in page


def test_the_file_list_sorts_by_size_and_by_use(admin_client, uploaded, project):
    store_file(services.session_create(project=project), "again.csv", TEXT)

    by_size = admin_client.get(admin_url("asset", "changelist") + "?o=3")
    by_use = admin_client.get(admin_url("asset", "changelist") + "?o=-5.3")

    assert [asset.size for asset in by_size.context["cl"].result_list] == [
        17,
        382,
        1644,
        len(PICTURE),
    ]
    assert next(asset.key for asset in by_use.context["cl"].result_list) == asset_of(TEXT).key


def test_a_files_page_is_read_only_and_links_to_its_messages(admin_client, uploaded):
    asset = asset_of(PDF)

    page = admin_client.get(admin_url("asset", "change", asset.pk)).content.decode()

    for shown in (asset.key, asset.sha256, asset.etag, "filesystem", "382\xa0bytes", "acme"):
        assert shown in page
    messages = admin_url("message", "changelist") + f"?assets={asset.pk}"
    assert f'<a href="{messages}">1 message</a>' in page
    assert 'name="key"' not in page  # no form fields
    listed = admin_client.get(messages)
    assert [message.seq for message in listed.context["cl"].result_list] == [1]


def test_files_are_not_added_changed_or_deleted_here(admin_client, uploaded):
    asset = asset_of(PDF)

    assert admin_client.get(admin_url("asset", "add")).status_code == 403
    assert admin_client.post(admin_url("asset", "change", asset.pk), {}).status_code == 403
    assert admin_client.get(admin_url("asset", "delete", asset.pk)).status_code == 403
    assert (
        admin_client.post(admin_url("asset", "delete", asset.pk), {"post": "yes"}).status_code
        == 403
    )
    changelist = admin_client.get(admin_url("asset", "changelist"))
    assert changelist.context["has_add_permission"] is False
    assert changelist.context["action_form"] is None  # no actions, so no bulk delete
    assert Asset.objects.filter(pk=asset.pk).exists()


def test_the_file_list_costs_the_same_queries_however_many_files(admin_client, session):
    url = admin_url("asset", "changelist")
    store_file(session, "first.txt", b"first\n")
    with CaptureQueriesContext(connection) as one_file:
        assert admin_client.get(url).status_code == 200

    for index in range(20):
        store_file(session, f"more-{index}.txt", f"more {index}\n".encode())
    with CaptureQueriesContext(connection) as many_files:
        response = admin_client.get(url)

    assert len(response.context["cl"].result_list) == 21
    assert len(many_files) == len(one_file)


def test_the_session_page_costs_the_same_queries_however_many_files(admin_client, session):
    url = admin_url("session", "change", session.pk)
    store_file(session, "first.txt", b"first\n")
    with CaptureQueriesContext(connection) as one_file:
        assert admin_client.get(url).status_code == 200

    for index in range(20):
        store_file(session, f"more-{index}.txt", f"more {index}\n".encode())
    with CaptureQueriesContext(connection) as many_files:
        assert admin_client.get(url).status_code == 200

    assert len(many_files) == len(one_file)
