"""o200k_base token counts, counted the way the Acontext server counts them.

The expected token ids were checked against a second, independent o200k_base implementation
(the bpe-openai package, Rust); they pin the shipped vocabulary and the pre-tokenizer pattern.
"""

import gzip
import hashlib

import pytest

from conversion import tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello world", [24912, 2375]),
        ("Bonjour le monde", [45751, 505, 15807]),
        ("日本語のテキスト", [9048, 40909, 3385, 16056, 18368, 38236]),
        (
            "Sunny, 24°C in Paris.\nThe weather tool said so.\n",
            [145166, 11, 220, 1494, 26557, 306, 12650, 558, 976, 11122, 4584, 2059, 813, 558],
        ),
        # Text that looks like a special token is ordinary text.
        ("<|endoftext|>", [27, 91, 419, 1440, 919, 91, 29]),
    ],
)
def test_known_texts_encode_to_known_o200k_tokens(text, expected):
    assert tokens.encoding().encode_ordinary(text) == expected
    assert tokens.count_text(text) == len(expected)


def test_the_shipped_vocabulary_is_o200k_base():
    data = gzip.decompress(tokens.VOCABULARY.read_bytes())

    assert hashlib.sha256(data).hexdigest() == tokens.VOCABULARY_SHA256
    assert tokens.encoding().n_vocab == 200019


def test_a_message_counts_each_text_with_a_newline():
    message = {
        "role": "user",
        "parts": [{"type": "text", "text": "hello " * 500}],
    }

    # "hello" once, " hello" 499 times, then the trailing " \n" joins into one token.
    assert tokens.counted_text(message) == "hello " * 500 + "\n"
    assert tokens.count_message(message) == 501


def test_tool_calls_count_as_go_writes_their_name_and_arguments():
    message = {
        "role": "assistant",
        "parts": [
            {"type": "thinking", "text": "Look it up."},
            {
                "type": "tool-call",
                "meta": {"id": "c1", "name": "get_weather", "arguments": '{"city":"Paris"}'},
            },
            {
                "type": "tool-call",
                "meta": {"id": "c2", "name": "a<b", "arguments": '{"q":"x & y"}'},
            },
        ],
    }

    assert tokens.counted_text(message) == (
        "Look it up.\n"
        '{"arguments":"{\\"city\\":\\"Paris\\"}","name":"get_weather"}\n'
        '{"arguments":"{\\"q\\":\\"x \\u0026 y\\"}","name":"a\\u003cb"}\n'
    )
    assert tokens.count_message(message) == tokens.count_text(tokens.counted_text(message))


def test_results_count_their_text_and_media_count_nothing():
    message = {
        "role": "user",
        "parts": [
            {"type": "tool-result", "text": "hello world", "meta": {"tool_call_id": "c1"}},
            {
                "type": "tool-result",
                "text": "",
                "meta": {
                    "tool_call_id": "c2",
                    "content": [
                        {"type": "text", "text": "first"},
                        {"type": "image", "meta": {"url": "https://example.com/a.png"}},
                        {"type": "text", "text": "second"},
                    ],
                },
            },
            {"type": "image", "meta": {"data": "iVBORw0KGgo=", "media_type": "image/png"}},
        ],
    }

    assert tokens.counted_text(message) == "hello world\nfirst\nsecond\n"
    assert tokens.count_message(message) == tokens.count_text("hello world\nfirst\nsecond\n")


def test_a_message_without_text_counts_zero():
    message = {"role": "user", "parts": [{"type": "image", "meta": {"url": "https://x.test/a"}}]}

    assert tokens.count_message(message) == 0
    assert tokens.count_messages([message, message]) == 0
