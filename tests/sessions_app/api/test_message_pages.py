"""GET /session/{id}/messages: keyset pages over seq, converted page by page."""

from typing import Any

import pytest

import conversion
from sessions_app import services
from sessions_app.demo import DEMO_CONVERSATION
from sessions_app.models import Message

pytestmark = pytest.mark.django_db

MESSAGE_COUNT = 23


@pytest.fixture
def message_ids(session) -> list[str]:
    for index in range(MESSAGE_COUNT):
        role = "user" if index % 2 == 0 else "assistant"
        services.message_store(
            session=session, blob={"role": role, "content": f"message {index}"}, meta={"n": index}
        )
    return [str(i) for i in Message.objects.order_by("seq").values_list("id", flat=True)]


def read_all_pages(api, session, *, limit: int, time_desc: bool) -> list[dict[str, Any]]:
    pages = []
    query = {"format": "acontext", "limit": limit, "time_desc": str(time_desc).lower()}
    while True:
        response = api.get(f"/api/v1/session/{session.id}/messages", query)
        assert response.status_code == 200
        page = response.json()["data"]
        pages.append(page)
        if not page["has_more"]:
            assert page["next_cursor"] is None
            return pages
        query["cursor"] = page["next_cursor"]


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 200])
@pytest.mark.parametrize("time_desc", [False, True])
def test_pages_visit_every_message_exactly_once(api, session, message_ids, limit, time_desc):
    pages = read_all_pages(api, session, limit=limit, time_desc=time_desc)

    # Newest first picks the pages from the end, but each page is in conversation order.
    in_order = pages[::-1] if time_desc else pages
    assert [message_id for page in in_order for message_id in page["ids"]] == message_ids
    assert [len(page["ids"]) for page in pages[:-1]] == [limit] * (len(pages) - 1)
    assert len(pages) == -(-MESSAGE_COUNT // limit)
    for page in pages:
        assert [item["id"] for item in page["items"]] == page["ids"]
        assert page["sources"] == [[message_id] for message_id in page["ids"]]


def test_newest_first_is_the_newest_page_in_conversation_order(api, session, message_ids):
    response = api.get(f"/api/v1/session/{session.id}/messages", {"limit": 3, "time_desc": "true"})

    page = response.json()["data"]
    assert page["items"] == [
        {"role": "user", "content": "message 20"},
        {"role": "assistant", "content": "message 21"},
        {"role": "user", "content": "message 22"},
    ]
    assert page["ids"] == message_ids[-3:]
    assert page["metas"] == [{"n": 20}, {"n": 21}, {"n": 22}]
    assert page["has_more"] is True
    assert page["edit_at_message_id"] == message_ids[-1]

    older = api.get(
        f"/api/v1/session/{session.id}/messages",
        {"limit": 3, "time_desc": "true", "cursor": page["next_cursor"]},
    ).json()["data"]
    assert older["ids"] == message_ids[-6:-3]


@pytest.mark.parametrize("query", [{}, {"limit": 0}, {"limit": 0, "time_desc": "true"}])
def test_without_a_limit_the_whole_session_is_read(api, session, message_ids, query):
    # Acontext's SDKs call without a limit to get the conversation to send to a model.
    for index in range(MESSAGE_COUNT, 250):
        services.message_store(session=session, blob={"role": "user", "content": f"m {index}"})
    every_id = [str(i) for i in Message.objects.order_by("seq").values_list("id", flat=True)]

    response = api.get(f"/api/v1/session/{session.id}/messages", query)

    data = response.json()["data"]
    assert data["ids"] == every_id  # 250: more than any page size the SDKs would guess
    assert data["items"][0] == {"role": "user", "content": "message 0"}
    assert data["items"][-1] == {"role": "user", "content": "m 249"}
    assert data["has_more"] is False
    assert data["next_cursor"] is None
    assert data["edit_at_message_id"] == every_id[-1]


def test_the_whole_answer_for_one_page(api, session, message_ids):
    response = api.get(f"/api/v1/session/{session.id}/messages", {"limit": 2})

    assert response.status_code == 200
    data = response.json()["data"]
    assert data == {
        "items": [
            {"role": "user", "content": "message 0"},
            {"role": "assistant", "content": "message 1"},
        ],
        "ids": message_ids[:2],
        "metas": [{"n": 0}, {"n": 1}],
        "sources": [[message_ids[0]], [message_ids[1]]],
        "next_cursor": data["next_cursor"],
        "has_more": True,
        # o200k_base: "message 0\n" is [3938, 220, 15, 198], and so is "message 1\n" but 16.
        "this_time_tokens": 8,
        "edit_at_message_id": message_ids[1],
        "warnings": [],
        "system": None,
    }
    assert isinstance(data["next_cursor"], str)


def test_system_prompt_is_separate_for_anthropic(api, session):
    services.message_store(session=session, blob={"role": "system", "content": "Be brief."})
    services.message_store(session=session, blob={"role": "user", "content": "Hi"})

    response = api.get(f"/api/v1/session/{session.id}/messages", {"format": "anthropic"})

    data = response.json()["data"]
    assert data["system"] is not None
    assert len(data["items"]) == 1
    assert data["items"][0]["role"] == "user"


def test_an_empty_session_reads_as_an_empty_page(api, session):
    response = api.get(f"/api/v1/session/{session.id}/messages")

    assert response.json() == {
        "code": 0,
        "data": {
            "items": [],
            "ids": [],
            "metas": [],
            "sources": [],
            "next_cursor": None,
            "has_more": False,
            "this_time_tokens": 0,
            "edit_at_message_id": None,
            "warnings": [],
            "system": None,
        },
        "msg": "",
    }


@pytest.mark.parametrize("target", ["openai", "anthropic", "gemini"])
def test_the_api_answers_exactly_what_the_converter_renders(api, project, target):
    """No conversion happens outside `conversion`: the API relays render()'s result."""
    session = services.session_create(project=project)
    for format, blob, meta in DEMO_CONVERSATION:
        services.message_store(session=session, blob=blob, format=format, meta=meta)
    services.message_store(
        session=session,
        blob={
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "Short walk.", "signature": "c2lnbmF0dXJl"},
                {"type": "text", "text": "Enjoy!"},
            ],
        },
        format="anthropic",
    )
    messages = list(Message.objects.filter(session=session).order_by("seq"))
    rendered = conversion.render(
        [conversion.StoredMessage(str(m.id), m.format, m.raw, m.canonical) for m in messages],
        target,
    )

    response = api.get(f"/api/v1/session/{session.id}/messages", {"format": target})

    data = response.json()["data"]
    metas = {str(m.id): m.meta for m in messages}
    assert data["items"] == rendered.items
    assert data["sources"] == rendered.sources
    assert data["ids"] == [sources[0] for sources in rendered.sources]
    assert data["metas"] == [metas[sources[0]] for sources in rendered.sources]
    assert data["system"] == rendered.system
    assert data["warnings"] == [warning.as_dict() for warning in rendered.warnings]
    assert data["this_time_tokens"] == sum(m.tokens for m in messages)
    assert data["this_time_tokens"] == sum(
        conversion.count_message_tokens(m.canonical) for m in messages
    )


def test_a_page_opening_with_a_result_names_its_call_from_the_page_before(
    api, session, django_assert_num_queries
):
    blobs = [
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "18C"},
        {"role": "assistant", "content": "It is 18C in Paris."},
    ]
    for blob in blobs:
        services.message_store(session=session, blob=blob, format="openai")
    text = "Result of get_weather (tool call call_1):\n18C"
    expected = {
        "openai": [
            {"role": "user", "content": text},
            {"role": "assistant", "content": "It is 18C in Paris."},
        ],
        "gemini": [
            {"role": "user", "parts": [{"text": text}]},
            {"role": "model", "parts": [{"text": "It is 18C in Paris."}]},
        ],
    }
    api.get(f"/api/v1/session/{session.id}/messages")  # records the key's use, once
    for target, items in expected.items():
        # The key, the session, the page, then the one lookup of the call before the page.
        with django_assert_num_queries(4):
            response = api.get(
                f"/api/v1/session/{session.id}/messages",
                {"format": target, "limit": 2, "time_desc": "true"},
            )
        page = response.json()["data"]
        assert page["items"] == items
        assert [(w["part_index"], w["code"]) for w in page["warnings"]] == [
            (0, "orphan_tool_result")
        ]
