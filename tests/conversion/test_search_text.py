"""The text of a message that search looks through: what its token count covers, with tool
calls as a person wrote them rather than as Go's JSON escapes them."""

import conversion
from conversion import tokens


def test_texts_thinking_documents_and_results_are_one_piece_each():
    message = {
        "role": "assistant",
        "parts": [
            {"type": "thinking", "text": "The user wants the weather."},
            {"type": "text", "text": "Looking it up."},
            {"type": "image", "meta": {"url": "https://example.com/a.png"}},
            {"type": "file", "filename": "notes.txt", "text": "Umbrella: yes"},
            {"type": "tool-result", "text": "Rain, 12 degrees", "meta": {"tool_call_id": "c1"}},
            {
                "type": "tool-result",
                "meta": {
                    "tool_call_id": "c2",
                    "content": [
                        {"type": "text", "text": "first"},
                        {"type": "image", "meta": {"url": "https://example.com/b.png"}},
                        {"type": "text", "text": "second"},
                    ],
                },
            },
        ],
    }

    assert conversion.searchable_text(message) == (
        "The user wants the weather.\nLooking it up.\nUmbrella: yes\nRain, 12 degrees\n"
        "first\nsecond\n"
    )
    # The same parts as the token count, which differs only for tool calls.
    assert conversion.searchable_text(message) == tokens.counted_text(message)


def test_a_tool_call_is_its_name_then_its_arguments_as_sent():
    arguments = '{"html": "<b>AT&T</b>", "code": "print(x)\\nreturn"}'
    message = {
        "role": "assistant",
        "parts": [
            {
                "type": "tool-call",
                "meta": {"id": "c1", "name": "render_page", "arguments": arguments},
            }
        ],
    }

    assert conversion.searchable_text(message) == f"render_page\n{arguments}\n"
    # What the token count takes instead: Go's escapes would hide "<b>", "AT&T" and "return".
    assert tokens.counted_text(message) == (
        '{"arguments":"{\\"html\\": \\"\\u003cb\\u003eAT\\u0026T\\u003c/b\\u003e\\", '
        '\\"code\\": \\"print(x)\\\\nreturn\\"}","name":"render_page"}\n'
    )


def test_arguments_that_are_not_a_string_read_as_json():
    message = {
        "role": "assistant",
        "parts": [{"type": "tool-call", "meta": {"name": "f", "arguments": {"city": "Paris"}}}],
    }

    assert conversion.searchable_text(message) == 'f\n{"city":"Paris"}\n'


def test_a_message_of_media_only_has_no_text():
    message = {"role": "user", "parts": [{"type": "image", "meta": {"url": "https://x/a.png"}}]}

    assert conversion.searchable_text(message) == ""
