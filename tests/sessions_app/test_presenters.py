"""The presenters: each format's item shapes become the same neutral blocks, and only safe URLs
ever become a src or href. No database: presenters read converted items only."""

import pytest

from sessions_app.presenters import (
    AudioBlock,
    DocumentBlock,
    ImageBlock,
    JsonBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    ToolResultBlock,
    present_acontext,
    present_anthropic,
    present_gemini,
    present_item,
    present_openai,
    present_system,
    pretty_json,
    safe_url,
    seq_range,
)

PNG_DATA = "iVBORw0KGgo="


@pytest.mark.parametrize(
    ("url", "use"),
    [
        ("https://example.com/a.png", "image"),
        ("http://example.com/a.png", "image"),
        ("HTTPS://EXAMPLE.COM/A.PNG", "image"),
        ("data:image/png;base64,iVBORw0KGgo=", "image"),
        ("data:image/svg+xml;base64,PHN2Zz4=", "image"),  # inert inside <img>
        ("data:audio/wav;base64,UklGRg==", "audio"),
        ("data:application/pdf;base64,JVBERi0=", "document"),
        ("https://example.com/invoice.pdf", "document"),
    ],
)
def test_safe_url_lets_http_and_matching_data_urls_through(url, use):
    assert safe_url(url, use) == url


@pytest.mark.parametrize(
    ("url", "use"),
    [
        ("javascript:alert(1)", "image"),
        ("JavaScript:alert(1)", "document"),
        (" javascript:alert(1)", "image"),
        ("\x01javascript:alert(1)", "image"),
        ("java\tscript:alert(1)", "image"),
        ("vbscript:msgbox(1)", "image"),
        ("data:text/html;base64,PHNjcmlwdD4=", "image"),
        ("data:text/html;base64,PHNjcmlwdD4=", "document"),
        ("data:image/png;base64,iVBORw0KGgo=", "document"),  # a document must be a PDF
        ("data:application/pdf;base64,JVBERi0=", "image"),
        ("data:audio/wav;base64,UklGRg==", "image"),
        (" https://example.com/a.png", "image"),
        ("https:example.com", "image"),
        ("//example.com/a.png", "image"),
        ("/relative/a.png", "image"),
        ("gs://bucket/file.pdf", "document"),
        ("file:///etc/passwd", "document"),
        ("", "image"),
        (None, "image"),
        (42, "image"),
    ],
)
def test_safe_url_refuses_everything_else(url, use):
    assert safe_url(url, use) is None


# OpenAI ----------------------------------------------------------------------------------


def test_openai_parts_become_blocks():
    presented = present_openai(
        {
            "role": "user",
            "name": "bob",
            "content": [
                {"type": "text", "text": "look"},
                {"type": "image_url", "image_url": {"url": "javascript:alert(1)", "detail": "low"}},
                {"type": "input_audio", "input_audio": {"data": "SUQz", "format": "mp3"}},
                {"type": "file", "file": {"file_id": "file-123"}},
                {
                    "type": "file",
                    "file": {"filename": "a.pdf", "file_data": "data:application/pdf;base64,JVBE"},
                },
            ],
        }
    )

    assert presented.role == "user"
    assert presented.name == "bob"
    assert presented.blocks == [
        TextBlock(text="look"),
        ImageBlock(src=None, url_text="javascript:alert(1)", detail="low"),
        AudioBlock(
            src="data:audio/mpeg;base64,SUQz", url_text="inline audio/mpeg", media_type="audio/mpeg"
        ),
        DocumentBlock(href=None, url_text="file id file-123"),
        DocumentBlock(
            href="data:application/pdf;base64,JVBE", filename="a.pdf", media_type="application/pdf"
        ),
    ]


def test_openai_assistant_extras_are_shown_not_dropped():
    presented = present_openai(
        {
            "role": "assistant",
            "content": None,
            "refusal": "I can't help with that.",
            "audio": {"id": "audio_1"},
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "f", "arguments": "{not json"},
                },
                {"id": "call_2", "type": "custom", "custom": {"name": "grep", "input": "a|b"}},
            ],
            "function_call": {"name": "legacy", "arguments": '{"x": 1}'},
        }
    )

    assert presented.blocks == [
        TextBlock(text="I can't help with that.", label="refusal"),
        JsonBlock(label="audio reference", json='{\n  "id": "audio_1"\n}'),
        ToolCallBlock(tool_id="call_1", name="f", arguments="{not json", arguments_are_json=False),
        ToolCallBlock(
            tool_id="call_2",
            name="grep",
            arguments="a|b",
            arguments_are_json=False,
            label="custom tool",
        ),
        ToolCallBlock(tool_id="", name="legacy", arguments='{\n  "x": 1\n}', label="function_call"),
    ]


def test_an_openai_tool_message_is_a_tool_result_with_its_json_pretty():
    presented = present_openai({"role": "tool", "tool_call_id": "call_1", "content": '{"a":[1]}'})

    assert presented.blocks == [
        ToolResultBlock(
            tool_id="call_1",
            name="",
            blocks=(JsonBlock(label="", json='{\n  "a": [\n    1\n  ]\n}'),),
        )
    ]


# Anthropic -------------------------------------------------------------------------------


def test_anthropic_blocks():
    presented = present_anthropic(
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_1",
                    "is_error": True,
                    "content": [
                        {"type": "text", "text": "failed"},
                        {"type": "image", "source": {"type": "url", "url": "https://x.test/a.png"}},
                    ],
                },
                {
                    "type": "document",
                    "source": {"type": "text", "media_type": "text/plain", "data": "notes"},
                    "title": "n.txt",
                },
                {"type": "document", "source": {"type": "file", "file_id": "file_9"}},
                {"type": "search_result", "source": "https://x.test", "title": "t", "content": []},
            ],
        }
    )

    assert presented.blocks[0] == ToolResultBlock(
        tool_id="toolu_1",
        name="",
        is_error=True,
        blocks=(
            TextBlock(text="failed"),
            ImageBlock(src="https://x.test/a.png", url_text="https://x.test/a.png"),
        ),
    )
    assert presented.blocks[1] == DocumentBlock(
        href=None, filename="n.txt", media_type="text/plain", text="notes"
    )
    assert presented.blocks[2] == DocumentBlock(href=None, url_text="file id file_9")
    assert isinstance(presented.blocks[3], JsonBlock)
    assert presented.blocks[3].label == "search_result"


def test_anthropic_thinking_keeps_its_signature_and_redacted_thinking_its_data():
    presented = present_anthropic(
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "hmm", "signature": "c2ln"},
                {"type": "redacted_thinking", "data": "ZGF0YQ=="},
                {"type": "tool_use", "id": "toolu_2", "name": "calc", "input": {"n": 2}},
            ],
        }
    )

    assert presented.blocks == [
        ThinkingBlock(text="hmm", signature="c2ln"),
        ThinkingBlock(text="", signature="ZGF0YQ==", redacted=True, label="Redacted thinking"),
        ToolCallBlock(tool_id="toolu_2", name="calc", arguments='{\n  "n": 2\n}'),
    ]


def test_the_anthropic_system_prompt_may_be_a_string_or_blocks():
    assert present_system("anthropic", "be brief") == [TextBlock(text="be brief")]
    assert present_system("anthropic", [{"type": "text", "text": "be brief"}]) == [
        TextBlock(text="be brief")
    ]
    assert present_system("openai", None) == []


# Gemini ----------------------------------------------------------------------------------


def test_gemini_parts_in_either_spelling():
    presented = present_gemini(
        {
            "role": "model",
            "parts": [
                {"text": "plan", "thought": True, "thought_signature": "c2ln"},
                {"function_call": {"name": "f", "args": {"a": 1}}, "thoughtSignature": "c2lnMg=="},
                {"inline_data": {"mime_type": "image/png", "data": PNG_DATA}},
                {"fileData": {"fileUri": "gs://bucket/doc.pdf", "mimeType": "application/pdf"}},
                {"executableCode": {"language": "PYTHON", "code": "print(1)"}},
            ],
        }
    )

    assert presented.role == "model"
    assert presented.blocks == [
        ThinkingBlock(text="plan", signature="c2ln"),
        ToolCallBlock(tool_id="", name="f", arguments='{\n  "a": 1\n}'),
        ThinkingBlock(text="", signature="c2lnMg==", label="Thought signature"),
        ImageBlock(
            src=f"data:image/png;base64,{PNG_DATA}",
            url_text="inline image/png",
            media_type="image/png",
        ),
        DocumentBlock(href=None, media_type="application/pdf", url_text="gs://bucket/doc.pdf"),
        JsonBlock(
            label="executableCode",
            json=pretty_json({"executableCode": {"language": "PYTHON", "code": "print(1)"}}),
        ),
    ]


def test_a_gemini_function_response_with_an_error_is_an_error_result():
    presented = present_gemini(
        {
            "role": "user",
            "parts": [
                {"functionResponse": {"id": "c1", "name": "f", "response": {"error": "boom"}}}
            ],
        }
    )

    (result,) = presented.blocks
    assert isinstance(result, ToolResultBlock)
    assert result.is_error
    assert result.blocks == (JsonBlock(label="", json='{\n  "error": "boom"\n}'),)


def test_the_gemini_system_instruction():
    assert present_system("gemini", {"parts": [{"text": "be brief"}]}) == [
        TextBlock(text="be brief")
    ]


# Acontext --------------------------------------------------------------------------------


def test_acontext_parts_and_the_role_kept_in_meta():
    presented = present_acontext(
        {
            "role": "user",
            "meta": {"role": "developer"},
            "parts": [
                {"type": "text", "text": "rules"},
                {
                    "type": "video",
                    "meta": {"url": "https://x.test/v.mp4", "media_type": "video/mp4"},
                },
                {"type": "tool-call", "meta": {"id": "c1", "name": "f", "arguments": "{}"}},
                {
                    "type": "tool-result",
                    "text": "42",
                    "meta": {"tool_call_id": "c1", "is_error": False},
                },
                {"type": "thinking", "text": "t", "meta": {"gemini": {"thoughtSignature": "c2ln"}}},
                {"type": "data", "meta": {"anything": [1]}},
            ],
        }
    )

    assert presented.role == "developer"
    assert presented.blocks == [
        TextBlock(text="rules"),
        DocumentBlock(
            href="https://x.test/v.mp4", media_type="video/mp4", url_text="https://x.test/v.mp4"
        ),
        ToolCallBlock(tool_id="c1", name="f", arguments="{}"),
        ToolResultBlock(tool_id="c1", name="", blocks=(TextBlock(text="42"),)),
        ThinkingBlock(text="t", signature="c2ln"),
        JsonBlock(
            label="data",
            json='{\n  "type": "data",\n  "meta": {\n    "anything": [\n      1\n    ]\n  }\n}',
        ),
    ]


# Robustness ------------------------------------------------------------------------------


@pytest.mark.parametrize("target_format", ["openai", "anthropic", "gemini", "acontext"])
def test_an_unknown_shape_is_shown_as_json_not_an_error(target_format):
    presented = present_item(target_format, ["not", "a", "message"])

    assert presented.blocks == [JsonBlock(label="item", json='[\n  "not",\n  "a",\n  "message"\n]')]


def test_numbers_too_large_for_orjson_still_print():
    presented = present_item(
        "gemini", {"role": "user", "parts": [{"functionCall": {"name": "f", "args": {"n": 2**70}}}]}
    )

    assert presented.blocks == [
        ToolCallBlock(tool_id="", name="f", arguments='{\n  "n": 1180591620717411303424\n}')
    ]


@pytest.mark.parametrize(
    ("seqs", "text"),
    [([], ""), ([4], "#4"), ([4, 5], "#4–#5"), ([5, 4, 6], "#4–#6"), ([4, 6], "#4, #6")],
)
def test_seq_ranges_read_naturally(seqs, text):
    assert seq_range(seqs) == text
