"""The admin, through Django's test client as a superuser (pytest-django's ``admin_client``)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from sessions_app import services
from sessions_app.admin import INLINE_MESSAGES
from sessions_app.models import ApiKey, Message, Project, Session

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('pwned')</script>"
SECRET_PATTERN = re.compile(r"sk-ac-[A-Za-z0-9_-]{43}")


def admin_url(model: str, view: str, *args: object) -> str:
    return reverse(f"admin:sessions_app_{model}_{view}", args=args)


def store(session: Session, text: str, **fields) -> Message:
    return services.message_store(session=session, blob={"role": "user", "content": text}, **fields)


@pytest.fixture
def session(project: Project) -> Session:
    session = services.session_create(project=project, user="alice", configs={"agent": SCRIPT})
    store(session, "Hello there")
    services.message_store(
        session=session,
        blob={"role": "assistant", "content": [{"type": "text", "text": SCRIPT}]},
        format="anthropic",
        meta={"note": SCRIPT},
    )
    return session


# Every page answers -------------------------------------------------------------------------


def test_every_changelist_change_and_add_page_answers(admin_client, project, issued_key, session):
    message = session.messages.get(seq=1)
    urls = [
        reverse("admin:index"),
        *(admin_url(model, "changelist") for model in ("project", "apikey", "session", "message")),
        admin_url("project", "change", project.pk),
        admin_url("apikey", "change", issued_key.api_key.pk),
        admin_url("session", "change", session.pk),
        admin_url("message", "change", message.pk),
        admin_url("project", "add"),
        admin_url("apikey", "add"),
        admin_url("session", "delete", session.pk),
    ]

    for url in urls:
        assert admin_client.get(url).status_code == 200, url


def test_sessions_and_messages_cannot_be_added_or_edited(admin_client, session):
    message = session.messages.get(seq=1)

    assert admin_client.get(admin_url("session", "add")).status_code == 403
    assert admin_client.get(admin_url("message", "add")).status_code == 403
    assert admin_client.post(admin_url("message", "change", message.pk), {}).status_code == 403
    assert admin_client.post(admin_url("session", "change", session.pk), {}).status_code == 403


# Projects -----------------------------------------------------------------------------------


def test_project_list_counts_sessions_and_keys(admin_client, project, issued_key, session):
    services.session_create(project=project)
    services.api_key_issue(project=project, name="second")
    Project.objects.create(name="empty")

    response = admin_client.get(admin_url("project", "changelist") + "?o=2")  # by sessions

    rows = [
        (row.name, row.session_count, row.api_key_count)
        for row in response.context["cl"].result_list
    ]
    assert rows == [("empty", 0, 0), ("acme", 2, 2)]


def test_project_members_are_edited_with_filter_horizontal(
    admin_client, project, django_user_model
):
    alice = django_user_model.objects.create_user("alice", password="x")

    page = admin_client.get(admin_url("project", "change", project.pk))
    response = admin_client.post(
        admin_url("project", "change", project.pk), {"name": "acme", "members": [alice.pk]}
    )

    assert b'class="selectfilter"' in page.content
    assert response.status_code == 302
    assert list(project.members.all()) == [alice]


def test_projects_are_not_deleted_from_the_admin(admin_client, project):
    assert admin_client.get(admin_url("project", "delete", project.pk)).status_code == 403


# API keys -----------------------------------------------------------------------------------


def test_issuing_a_key_shows_the_secret_once_and_stores_only_its_hash(admin_client, project):
    add_page = admin_client.get(admin_url("apikey", "add"))
    response = admin_client.post(admin_url("apikey", "add"), {"project": project.pk, "name": "ci"})

    assert b'name="_addanother"' not in add_page.content
    assert response.status_code == 200
    secrets = set(SECRET_PATTERN.findall(response.content.decode()))
    assert len(secrets) == 1
    secret = secrets.pop()
    assert "no-store" in response["Cache-Control"]

    api_key = ApiKey.objects.get()
    assert (api_key.project, api_key.name) == (project, "ci")
    assert api_key.secret_hash == ApiKey.hash_secret(secret)
    assert api_key.prefix == secret[: len(api_key.prefix)]
    assert secret not in repr(list(ApiKey.objects.values()))

    # It works, and no page shows it again.
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/session").status_code == 200
    for url in (
        admin_url("apikey", "changelist"),
        admin_url("apikey", "change", api_key.pk),
        admin_url("apikey", "add"),
        reverse("admin:index"),  # the recent-actions list
    ):
        page = admin_client.get(url).content.decode()
        assert secret not in page
        assert secret[len(api_key.prefix) :][:8] not in page
    assert admin_client.cookies.get("messages") is None


def test_issuing_a_key_goes_through_the_service(admin_client, project, monkeypatch):
    calls = []
    issue = services.api_key_issue

    def recording_issue(**kwargs):
        calls.append(kwargs)
        return issue(**kwargs)

    monkeypatch.setattr(services, "api_key_issue", recording_issue)

    admin_client.post(admin_url("apikey", "add"), {"project": project.pk, "name": "ci"})

    assert calls == [{"project": project, "name": "ci"}]


def test_an_invalid_key_form_shows_its_errors_and_issues_nothing(admin_client, project):
    response = admin_client.post(admin_url("apikey", "add"), {"project": project.pk, "name": ""})

    assert response.status_code == 200
    assert response.context["errors"]
    assert not ApiKey.objects.exists()


def test_key_list_shows_only_the_prefix(admin_client, issued_key):
    page = admin_client.get(admin_url("apikey", "changelist")).content.decode()

    assert f"{issued_key.api_key.prefix}…" in page
    assert issued_key.secret not in page
    assert issued_key.api_key.secret_hash not in page


def test_keys_are_never_edited_or_deleted(admin_client, issued_key):
    pk = issued_key.api_key.pk

    response = admin_client.post(admin_url("apikey", "change", pk), {"name": "renamed"})

    assert response.status_code == 403
    assert admin_client.get(admin_url("apikey", "delete", pk)).status_code == 403
    actions = admin_client.get(admin_url("apikey", "changelist")).context["action_form"]
    assert [name for name, _ in actions.fields["action"].choices if name] == ["revoke"]


def test_revoke_action_revokes_through_the_service(admin_client, project, issued_key, monkeypatch):
    already = services.api_key_issue(project=project, name="old")
    services.api_key_revoke(api_key=already.api_key)
    first_revoked_at = ApiKey.objects.get(pk=already.api_key.pk).revoked_at
    revoked = []
    revoke = services.api_key_revoke

    def recording_revoke(*, api_key):
        revoked.append(api_key.pk)
        return revoke(api_key=api_key)

    monkeypatch.setattr(services, "api_key_revoke", recording_revoke)

    response = admin_client.post(
        admin_url("apikey", "changelist"),
        {"action": "revoke", "_selected_action": [issued_key.api_key.pk, already.api_key.pk]},
        follow=True,
    )

    assert revoked == [issued_key.api_key.pk]
    assert "Revoked 1 API key(s)." in response.content.decode()
    assert ApiKey.objects.get(pk=issued_key.api_key.pk).revoked_at is not None
    assert ApiKey.objects.get(pk=already.api_key.pk).revoked_at == first_revoked_at
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issued_key.secret}")
    assert api.get("/api/v1/session").status_code == 401


# Sessions -----------------------------------------------------------------------------------


def test_session_list_counts_messages_and_sorts_by_the_count(admin_client, project, session):
    services.session_create(project=project, user="bob")

    response = admin_client.get(admin_url("session", "changelist") + "?o=4")  # message count

    rows = [(row.user, row.message_count) for row in response.context["cl"].result_list]
    assert rows == [("bob", 0), ("alice", 2)]


@pytest.mark.parametrize("term", ["alic", "SESSION_ID_PART"])
def test_session_search_by_user_or_id(admin_client, project, session, term):
    services.session_create(project=project, user="bob")
    if term == "SESSION_ID_PART":
        term = str(session.pk)[:13]  # with a hyphen, as people paste it

    response = admin_client.get(admin_url("session", "changelist"), {"q": term})

    assert [row.pk for row in response.context["cl"].result_list] == [session.pk]


def test_session_filters_by_project_and_date(admin_client, project, other_project, session):
    services.session_create(project=other_project)
    changelist = admin_url("session", "changelist")

    day = session.created_at.replace(hour=0, minute=0, second=0, microsecond=0)
    by_project = admin_client.get(changelist, {"project__id__exact": project.pk})
    today = admin_client.get(  # the filter's "Today" link
        changelist,
        {
            "created_at__gte": day.isoformat(),
            "created_at__lt": (day + timedelta(days=1)).isoformat(),
        },
    )
    tomorrow = admin_client.get(
        changelist, {"created_at__gte": (day + timedelta(days=1)).isoformat()}
    )

    assert [row.pk for row in by_project.context["cl"].result_list] == [session.pk]
    assert today.context["cl"].result_count == 2
    assert tomorrow.context["cl"].result_count == 0


def test_session_changelist_query_count_does_not_grow_with_sessions(
    admin_client, project, django_assert_num_queries
):
    def seed(count: int) -> None:
        for _ in range(count):
            store(services.session_create(project=project), "Hi")

    url = admin_url("session", "changelist")
    seed(1)
    with CaptureQueriesContext(connection) as one_session:
        assert admin_client.get(url).status_code == 200

    seed(19)
    with django_assert_num_queries(len(one_session)):
        response = admin_client.get(url)
    assert len(response.context["cl"].result_list) == 20


def test_session_page_shows_the_newest_messages_and_links_to_all(admin_client, project):
    session = services.session_create(project=project)
    for number in range(1, INLINE_MESSAGES + 11):
        store(session, f"message {number}")

    response = admin_client.get(admin_url("session", "change", session.pk))
    page = response.content.decode()

    (inline,) = response.context["inline_admin_formsets"]
    shown = [form.original.seq for form in inline]
    assert shown == list(range(11, INLINE_MESSAGES + 11))
    assert "message 60" in page
    assert "message 10<" not in page
    all_messages = admin_url("message", "changelist") + f"?session={session.pk}"
    assert f'href="{all_messages}"' in page
    assert "All 60 messages" in page

    listed = admin_client.get(all_messages)
    assert listed.context["cl"].result_count == INLINE_MESSAGES + 10


def test_session_page_links_to_the_viewer_pages(admin_client, session):
    page = admin_client.get(admin_url("session", "change", session.pk)).content.decode()

    assert f'href="/sessions/{session.pk}/"' in page
    assert f'href="/sessions/{session.pk}/side-by-side/"' in page


@pytest.fixture
def deleted(monkeypatch):
    """The ids of the sessions deleted through services.session_delete, which still deletes."""
    ids = []
    delete = services.session_delete

    def recording_delete(*, session):
        ids.append(session.pk)
        delete(session=session)

    monkeypatch.setattr(services, "session_delete", recording_delete)
    return ids


def test_session_delete_goes_through_the_service_and_removes_messages(
    admin_client, project, session, deleted
):
    other = services.session_create(project=project)
    store(other, "stays")
    url = admin_url("session", "delete", session.pk)

    confirmation = admin_client.get(url).content.decode()
    response = admin_client.post(url, {"post": "yes"})

    assert "2 messages" in confirmation
    assert response.status_code == 302
    assert deleted == [session.pk]
    assert not Session.objects.filter(pk=session.pk).exists()
    assert list(Message.objects.values_list("session", flat=True)) == [other.pk]


def test_bulk_session_delete_goes_through_the_service(admin_client, project, session, deleted):
    other = services.session_create(project=project)
    store(other, "goes too")
    selected = {"action": "delete_selected", "_selected_action": [session.pk, other.pk]}

    confirmation = admin_client.post(admin_url("session", "changelist"), selected)
    response = admin_client.post(admin_url("session", "changelist"), {**selected, "post": "yes"})

    summary = confirmation.content.decode()
    assert "<li>Messages: 3</li>" in summary
    assert "<li>2 messages</li>" in summary
    assert "<li>1 message</li>" in summary
    assert response.status_code == 302
    assert sorted(deleted) == sorted([session.pk, other.pk])
    assert not Session.objects.exists()
    assert not Message.objects.exists()


# Messages -----------------------------------------------------------------------------------


def test_message_json_is_pretty_and_escaped(admin_client, session):
    message = session.messages.get(seq=2)

    page = admin_client.get(admin_url("message", "change", message.pk)).content.decode()

    assert SCRIPT not in page
    escaped = "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;"
    assert page.count(escaped) == 3  # raw, canonical, meta
    assert "{\n  &quot;role&quot;: &quot;assistant&quot;,\n  &quot;content&quot;: [" in page


@pytest.mark.parametrize("page", ["session_change", "message_changelist", "session_configs"])
def test_previews_and_configs_are_escaped(admin_client, session, page):
    url = {
        "session_change": admin_url("session", "change", session.pk),
        "message_changelist": admin_url("message", "changelist"),
        "session_configs": admin_url("session", "change", session.pk),
    }[page]

    content = admin_client.get(url).content.decode()

    assert SCRIPT not in content
    assert "&lt;script&gt;" in content


def test_message_list_filters_by_format_and_previews_text(admin_client, session):
    response = admin_client.get(admin_url("message", "changelist"), {"format__exact": "openai"})

    (row,) = response.context["cl"].result_list
    assert (row.seq, row.format, row.shown_role, row.first_text) == (
        1,
        "openai",
        "user",
        "Hello there",
    )


def test_message_list_does_not_load_blobs(admin_client, session):
    response = admin_client.get(admin_url("message", "changelist"))

    rows = response.context["cl"].result_list
    assert {frozenset(row.get_deferred_fields()) for row in rows} == {
        frozenset({"raw", "canonical", "meta"})
    }
