"""GET /api/v1/search: the key's project only, exact answers, pages, and every refusal."""

from urllib.parse import quote, urlencode

import pytest
from rest_framework.test import APIClient

from sessions_app import services
from sessions_app.models import Message, Session, iso8601

pytestmark = pytest.mark.django_db


def search_url(**query: object) -> str:
    return f"/api/v1/search?{urlencode(query)}"


def store(session: Session, text: str) -> Message:
    return services.message_store(session=session, blob={"role": "user", "content": text})


def test_answers_the_matching_messages_in_the_envelope(api, session):
    store(session, "Pack an umbrella")
    call = services.message_store(
        session=session,
        blob={
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "toolu_1", "name": "forecast", "input": {"city": "Oslo"}}
            ],
        },
        format="anthropic",
    )

    response = api.get(search_url(q="oslo"))

    assert response.status_code == 200
    assert response.json() == {
        "code": 0,
        "data": {
            "items": [
                {
                    "session_id": str(session.pk),
                    "message_id": str(call.pk),
                    "seq": 2,
                    "role": "assistant",
                    "format": "anthropic",
                    "created_at": iso8601(call.created_at),
                    "highlight": 'forecast\n{"city":"<mark>Oslo</mark>"}',
                }
            ],
            "next_cursor": None,
            "has_more": False,
        },
        "msg": "",
    }


def test_highlights_are_escaped_html(api, session):
    store(session, '<img src=x onerror="alert(1)"> umbrella')

    response = api.get(search_url(q="umbrella"))

    assert [item["highlight"] for item in response.json()["data"]["items"]] == [
        '&lt;img src=x onerror="alert(1)"&gt; <mark>umbrella</mark>'
    ]


def test_only_the_keys_project_is_searched(api, session, foreign_session, other_project):
    store(session, "ours: the umbrella")
    store(foreign_session, "theirs: the umbrella")
    other = APIClient()
    key = services.api_key_issue(project=other_project, name="other")
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {key.secret}")

    ours = api.get(search_url(q="umbrella")).json()["data"]["items"]
    theirs = other.get(search_url(q="umbrella")).json()["data"]["items"]

    assert [item["session_id"] for item in ours] == [str(session.pk)]
    assert [item["session_id"] for item in theirs] == [str(foreign_session.pk)]
    assert api.get(search_url(q="theirs")).json()["data"]["items"] == []


def test_pages_follow_next_cursor(api, session):
    messages = [store(session, f"umbrella {index}") for index in range(5)]

    seen = []
    query = {"q": "umbrella", "limit": 2}
    while True:
        data = api.get(search_url(**query)).json()["data"]
        seen.append([item["seq"] for item in data["items"]])
        assert data["has_more"] is (data["next_cursor"] is not None)
        if not data["has_more"]:
            break
        query["cursor"] = data["next_cursor"]

    assert seen == [[5, 4], [3, 2], [1]]
    assert len(messages) == 5


def test_without_a_key(session):
    response = APIClient().get(search_url(q="umbrella"))

    assert response.status_code == 401
    assert response.json()["code"] == 401


@pytest.mark.parametrize(
    ("query", "msg"),
    [
        ("", "q: This field is required."),
        ("q=", "q: This field may not be blank."),
        ("q=%20%20", "q: This field may not be blank."),
        ("q=" + "a" * 201, "q: Ensure this field has no more than 200 characters."),
        ("q=rain%00", "q: query parameters must not contain NUL"),
        ("q=" + quote("!!! ??"), "q: has no words to search for"),
        ("q=rain&limit=0", "limit: Ensure this value is greater than or equal to 1."),
        ("q=rain&limit=101", "limit: Ensure this value is less than or equal to 100."),
        ("q=rain&limit=", "limit: This field may not be blank."),
        ("q=rain&cursor=nope", "cursor: Invalid cursor."),
        ("q=rain&cursor=", "cursor: This field may not be blank."),
    ],
)
def test_bad_input_names_the_field(api, query, msg):
    response = api.get(f"/api/v1/search?{query}")

    assert response.status_code == 400
    assert response.json() == {"code": 400, "msg": msg, "error": "invalid_request"}


def test_a_query_of_200_characters_is_taken(api, session):
    store(session, "umbrella")

    response = api.get(search_url(q="umbrella " + "x" * 191))

    assert response.status_code == 200
    assert response.json()["data"]["items"] == []
