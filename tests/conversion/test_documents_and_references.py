"""Documents whose content is text, and files only their issuer can read (issue 10, items 1,
2 and 4): exact outputs in every target."""

from __future__ import annotations

from typing import Any

import pytest

from conversion import render
from tests.conversion.conftest import assert_valid_request, message_id, store, store_mixed

M0, M1, M2 = (message_id(position) for position in range(3))
PDF = "JVBERi0xLjQK"
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5Er"
    "kJggg=="
)
CSV_BASE64 = "aWQsdG90YWwKMSw0Mg=="  # "id,total\n1,42"

NOTES = {
    "type": "document",
    "title": "notes.txt",
    "source": {"type": "text", "media_type": "text/plain", "data": "Ship v2.3 on Friday."},
}
UNTITLED = {
    "type": "document",
    "source": {"type": "text", "media_type": "text/plain", "data": "id,total\n1,42"},
}
HANDBOOK = {
    "type": "document",
    "title": "Handbook",
    "citations": {"enabled": True},
    "source": {
        "type": "content",
        "content": [
            {"type": "text", "text": "Leave: 25 days."},
            {"type": "text", "text": "Remote: 2 days a week."},
        ],
    },
}
LEAVE_RESULT = {
    "type": "search_result",
    "source": "https://example.com/wiki/leave",
    "title": "Leave policy",
    "content": [{"type": "text", "text": "Staff get 25 days."}],
    "citations": {"enabled": True},
}
ALPHA_RESULT = {
    "type": "search_result",
    "source": "https://example.com/a",
    "title": "A",
    "content": [{"type": "text", "text": "Alpha."}],
}


def documents_conversation() -> list[Any]:
    return [
        {
            "role": "user",
            "content": [
                NOTES,
                UNTITLED,
                HANDBOOK,
                LEAVE_RESULT,
                {"type": "text", "text": "Summarise these."},
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "toolu_1", "name": "search", "input": {"q": "leave"}}
            ],
        },
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_1",
                    "content": [{"type": "text", "text": "2 results"}, ALPHA_RESULT],
                }
            ],
        },
    ]


# The documents as text: title (and a search result's source) first, then a blank line.
DOCUMENT_TEXTS = [
    "notes.txt\n\nShip v2.3 on Friday.",
    "id,total\n1,42",
    "Handbook\n\nLeave: 25 days.\n\nRemote: 2 days a week.",
    "Leave policy\nhttps://example.com/wiki/leave\n\nStaff get 25 days.",
]
CITATIONS_DROPPED = [
    {
        "message_id": M0,
        "part_index": index,
        "code": "provider_data_dropped",
        "detail": "left out: anthropic fields citations",
    }
    for index in (2, 3)
]


def test_text_documents_and_search_results_reach_openai_as_text_parts() -> None:
    rendered = render(store(documents_conversation(), "anthropic"), "openai")
    assert rendered.items == [
        {
            "role": "user",
            "content": [
                *({"type": "text", "text": text} for text in DOCUMENT_TEXTS),
                {"type": "text", "text": "Summarise these."},
            ],
        },
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "toolu_1",
                    "type": "function",
                    "function": {"name": "search", "arguments": '{"q":"leave"}'},
                }
            ],
        },
        # A search result in a tool result stays in the tool message: it is text.
        {
            "role": "tool",
            "tool_call_id": "toolu_1",
            "content": [
                {"type": "text", "text": "2 results"},
                {"type": "text", "text": "A\nhttps://example.com/a\n\nAlpha."},
            ],
        },
    ]
    assert [w.as_dict() for w in rendered.warnings] == CITATIONS_DROPPED
    assert_valid_request(rendered, "openai")


def test_text_documents_and_search_results_reach_gemini_as_text() -> None:
    rendered = render(store(documents_conversation(), "anthropic"), "gemini")
    assert rendered.items == [
        {
            "role": "user",
            "parts": [*({"text": text} for text in DOCUMENT_TEXTS), {"text": "Summarise these."}],
        },
        {
            "role": "model",
            "parts": [
                {"functionCall": {"id": "toolu_1", "name": "search", "args": {"q": "leave"}}}
            ],
        },
        {
            "role": "user",
            "parts": [
                {
                    "functionResponse": {
                        "id": "toolu_1",
                        "name": "search",
                        "response": {"output": "2 results\nA\nhttps://example.com/a\n\nAlpha."},
                    }
                }
            ],
        },
    ]
    assert [w.as_dict() for w in rendered.warnings] == [
        *CITATIONS_DROPPED,
        {
            "message_id": M2,
            "part_index": 0,
            "code": "text_joined",
            "detail": "several result texts are joined into one response",
        },
    ]
    assert_valid_request(rendered, "gemini")


def test_documents_rebuilt_for_anthropic_come_back_as_they_were_given() -> None:
    # Edited messages are rebuilt from their canonical form, never replayed.
    stored = [
        message._replace(edited=True) for message in store(documents_conversation(), "anthropic")
    ]
    rendered = render(stored, "anthropic")
    assert rendered.items == documents_conversation()
    assert rendered.warnings == []


def test_a_gemini_text_file_reaches_openai_as_text_and_anthropic_as_a_text_document() -> None:
    blobs = [
        {
            "role": "user",
            "parts": [
                {"inlineData": {"mimeType": "text/csv", "data": CSV_BASE64}},
                {"text": "Total?"},
            ],
        }
    ]
    to_openai = render(store(blobs, "gemini"), "openai")
    assert to_openai.items == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "id,total\n1,42"},
                {"type": "text", "text": "Total?"},
            ],
        }
    ]
    assert to_openai.warnings == []
    to_anthropic = render(store(blobs, "gemini"), "anthropic")
    assert to_anthropic.items == [
        {
            "role": "user",
            "content": [
                # Anthropic's text source is text/plain only.
                {
                    "type": "document",
                    "source": {
                        "type": "text",
                        "media_type": "text/plain",
                        "data": "id,total\n1,42",
                    },
                },
                {"type": "text", "text": "Total?"},
            ],
        }
    ]
    assert to_anthropic.warnings == []


def test_openai_takes_pdf_files_only_and_leaves_out_other_binary_documents() -> None:
    blobs = [
        {
            "role": "user",
            "parts": [
                {"inlineData": {"mimeType": "application/pdf", "data": PDF}},
                {"inlineData": {"mimeType": "application/zip", "data": PDF}},
                {"text": "Read both."},
            ],
        }
    ]
    rendered = render(store(blobs, "gemini"), "openai")
    assert rendered.items == [
        {
            "role": "user",
            "content": [
                {
                    "type": "file",
                    "file": {
                        "file_data": f"data:application/pdf;base64,{PDF}",
                        "filename": "document.pdf",
                    },
                },
                {"type": "text", "text": "Read both."},
            ],
        }
    ]
    assert [(w.part_index, w.code, w.detail) for w in rendered.warnings] == [
        (
            1,
            "media_unsupported",
            "left out: OpenAI chat messages take PDF files only, not application/zip",
        )
    ]


GEMINI_FILE = "https://generativelanguage.googleapis.com/v1beta/files/v01cem41l5x2"


def provider_files() -> list[tuple[str, Any]]:
    """An image and a PDF known by Gemini Files API URIs, an image by an Anthropic file id
    and a document by an OpenAI file id."""
    return [
        (
            "gemini",
            {
                "role": "user",
                "parts": [
                    {"fileData": {"fileUri": GEMINI_FILE, "mimeType": "image/png"}},
                    {"fileData": {"fileUri": GEMINI_FILE + "pdf", "mimeType": "application/pdf"}},
                    {"text": "Compare."},
                ],
            },
        ),
        ("gemini", {"role": "model", "parts": [{"text": "They match."}]}),
        (
            "anthropic",
            {
                "role": "user",
                "content": [
                    {"type": "image", "source": {"type": "file", "file_id": "file_011CNha"}},
                    {"type": "text", "text": "And this one?"},
                ],
            },
        ),
        ("anthropic", {"role": "assistant", "content": "A cat."}),
        (
            "openai",
            {
                "role": "user",
                "content": [
                    {"type": "file", "file": {"file_id": "file-abc123"}},
                    {"type": "text", "text": "Summarise."},
                ],
            },
        ),
    ]


def reference_warnings(*dropped: tuple[str, int, str]) -> list[dict[str, Any]]:
    return [
        {
            "message_id": message,
            "part_index": index,
            "code": "file_reference_dropped",
            "detail": f"left out: {what}",
        }
        for message, index, what in dropped
    ]


GEMINI_IMAGE = (M0, 0, f"Gemini file {GEMINI_FILE} can be read by Gemini only")
GEMINI_PDF = (M0, 1, f"Gemini file {GEMINI_FILE}pdf can be read by Gemini only")
ANTHROPIC_IMAGE = (message_id(2), 0, "Anthropic file file_011CNha can be read by Anthropic only")
OPENAI_FILE = (message_id(4), 0, "OpenAI file file-abc123 can be read by OpenAI only")


@pytest.mark.parametrize(
    ("target", "kept", "dropped"),
    [
        (
            "openai",
            {4: {"type": "file", "file": {"file_id": "file-abc123"}}},
            [GEMINI_IMAGE, GEMINI_PDF, ANTHROPIC_IMAGE],
        ),
        (
            "anthropic",
            {2: {"type": "image", "source": {"type": "file", "file_id": "file_011CNha"}}},
            [GEMINI_IMAGE, GEMINI_PDF, OPENAI_FILE],
        ),
        (
            "gemini",
            {
                0: {"fileData": {"fileUri": GEMINI_FILE, "mimeType": "image/png"}},
                1: {"fileData": {"fileUri": GEMINI_FILE + "pdf", "mimeType": "application/pdf"}},
            },
            [ANTHROPIC_IMAGE, OPENAI_FILE],
        ),
    ],
)
def test_a_provider_bound_file_goes_to_its_issuer_only(
    target: str, kept: dict[int, Any], dropped: list[tuple[str, int, str]]
) -> None:
    rendered = render(store_mixed(provider_files()), target)
    assert_valid_request(rendered, target)
    assert [w.as_dict() for w in rendered.warnings] == reference_warnings(*dropped)
    # Every reference the target can read is there, exactly as given; no other media is.
    found = [block for item in rendered.items for block in _blocks(item) if _is_media(block)]
    assert found == list(kept.values())


def _blocks(item: Any) -> list[Any]:
    content = item.get("content", item.get("parts"))
    return content if isinstance(content, list) else []


def _is_media(block: Any) -> bool:
    return block.get("type") in ("file", "image", "image_url", "document") or (
        "fileData" in block or "inlineData" in block
    )


def test_acontext_keeps_a_search_result_whole_with_its_text_title_and_source() -> None:
    rendered = render(store(documents_conversation(), "anthropic"), "acontext")
    assert rendered.items[0]["parts"][3] == {
        "type": "file",
        "text": "Staff get 25 days.",
        "filename": "Leave policy",
        "meta": {
            "media_type": "text/plain",
            "source": "https://example.com/wiki/leave",
            "anthropic": {"block": LEAVE_RESULT, "citations": {"enabled": True}},
        },
    }
    assert rendered.items[0]["parts"][2] == {
        "type": "file",
        "text": "Leave: 25 days.\n\nRemote: 2 days a week.",
        "filename": "Handbook",
        "meta": {
            "media_type": "text/plain",
            "anthropic": {"source": HANDBOOK["source"], "citations": {"enabled": True}},
        },
    }
    assert rendered.warnings == []


def test_acontext_keeps_provider_bound_files_as_they_are() -> None:
    rendered = render(store_mixed(provider_files()), "acontext")
    assert rendered.warnings == []
    assert rendered.items[0]["parts"][0] == {
        "type": "image",
        "meta": {"url": GEMINI_FILE, "media_type": "image/png"},
    }
    assert rendered.items[4]["parts"][0] == {
        "type": "file",
        "meta": {"openai": {"file_id": "file-abc123"}},
    }
