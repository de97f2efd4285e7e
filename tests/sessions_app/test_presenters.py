"""The presenters: each format's item shapes become the same neutral blocks, and only safe URLs
ever become a src or href. No database: presenters read converted items only."""

import pytest
from google.genai import types as genai

from sessions_app.presenters import (
    AudioBlock,
    DocumentBlock,
    ImageBlock,
    JsonBlock,
    Presented,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    ToolResultBlock,
    present_acontext,
    present_anthropic,
    present_gemini,
    present_item,
    present_openai,
    present_openai_responses,
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


def test_a_gemini_content_as_google_genai_dumps_it_shows_what_is_set():
    dumped = genai.Content(
        role="model",
        parts=[
            genai.Part(text="Looking."),
            genai.Part(function_call=genai.FunctionCall(id="c1", name="f", args={"a": 1})),
        ],
    ).model_dump(mode="json")
    assert dumped["parts"][1]["text"] is None  # every unset field is there, null

    assert present_gemini(dumped).blocks == [
        TextBlock(text="Looking."),
        ToolCallBlock(tool_id="c1", name="f", arguments='{\n  "a": 1\n}'),
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


# OpenAI Responses ------------------------------------------------------------------------


def test_a_responses_easy_message_with_string_content():
    presented = present_openai_responses({"role": "developer", "content": "be brief"})

    assert presented == Presented(role="developer", blocks=[TextBlock(text="be brief")])


def test_responses_input_parts_become_blocks():
    presented = present_openai_responses(
        {
            "type": "message",
            "role": "user",
            "content": [
                {"type": "input_text", "text": "look"},
                {"type": "input_image", "image_url": "https://x.test/a.png", "detail": "high"},
                {"type": "input_image", "image_url": f"data:image/png;base64,{PNG_DATA}"},
                {"type": "input_image", "file_id": "file-img", "detail": "auto"},
                {
                    "type": "input_file",
                    "filename": "a.pdf",
                    "file_data": "data:application/pdf;base64,JVBE",
                },
                {"type": "input_file", "file_id": "file-123"},
                {"type": "input_file", "file_url": "https://x.test/b.pdf", "filename": "b.pdf"},
                {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
            ],
        }
    )

    assert presented == Presented(
        role="user",
        blocks=[
            TextBlock(text="look"),
            ImageBlock(src="https://x.test/a.png", url_text="https://x.test/a.png", detail="high"),
            ImageBlock(src=f"data:image/png;base64,{PNG_DATA}", url_text="inline image"),
            ImageBlock(src=None, url_text="file id file-img", detail="auto"),
            DocumentBlock(
                href="data:application/pdf;base64,JVBE",
                filename="a.pdf",
                media_type="application/pdf",
            ),
            DocumentBlock(href=None, url_text="file id file-123"),
            DocumentBlock(
                href="https://x.test/b.pdf", filename="b.pdf", url_text="https://x.test/b.pdf"
            ),
            AudioBlock(
                src="data:audio/wav;base64,UklGRg==",
                url_text="inline audio/wav",
                media_type="audio/wav",
            ),
        ],
    )


def test_a_responses_file_that_is_not_loaded_says_what_it_is():
    presented = present_openai_responses(
        {
            "role": "user",
            "content": [
                {"type": "input_file", "filename": "n.txt", "file_data": "data:text/plain,hi"},
                {"type": "input_file", "filename": "c.pdf", "file_data": "JVBERi0="},
                {"type": "input_image", "image_url": "javascript:alert(1)"},
            ],
        }
    )

    assert presented.blocks == [
        DocumentBlock(
            href=None, filename="n.txt", media_type="text/plain", url_text="inline text/plain"
        ),
        DocumentBlock(href=None, filename="c.pdf", url_text="inline data"),
        ImageBlock(src=None, url_text="javascript:alert(1)"),
    ]


def test_a_responses_output_message_shows_its_citations_refusal_and_phase():
    presented = present_openai_responses(
        {
            "type": "message",
            "id": "msg_1",
            "role": "assistant",
            "status": "completed",
            "phase": "final_answer",
            "content": [
                {
                    "type": "output_text",
                    "text": "See Example.",
                    "annotations": [
                        {
                            "type": "url_citation",
                            "start_index": 4,
                            "end_index": 11,
                            "title": "Example",
                            "url": "https://example.com",
                        },
                        {
                            "type": "file_citation",
                            "index": 11,
                            "file_id": "file-1",
                            "filename": "a.pdf",
                        },
                    ],
                },
                {"type": "output_text", "text": "More.", "annotations": []},
                {"type": "refusal", "refusal": "Not that, though."},
            ],
        }
    )

    assert presented == Presented(
        role="assistant",
        name="final_answer",
        blocks=[
            TextBlock(text="See Example."),
            TextBlock(
                text=(
                    "url_citation [4–11]: Example <https://example.com>\n"
                    "file_citation [11]: a.pdf (file id file-1)"
                ),
                label="annotations",
            ),
            TextBlock(text="More."),
            TextBlock(text="Not that, though.", label="refusal"),
        ],
    )


def test_responses_annotations_of_an_unknown_kind_are_shown_as_json():
    annotations = [{"type": "future_citation", "where": 1}]
    presented = present_openai_responses(
        {
            "role": "assistant",
            "content": [{"type": "output_text", "text": "t", "annotations": annotations}],
        }
    )

    assert presented.blocks == [
        TextBlock(text="t"),
        JsonBlock(label="annotations", json=pretty_json(annotations)),
    ]


def test_a_responses_function_call():
    presented = present_openai_responses(
        {
            "type": "function_call",
            "id": "fc_1",
            "call_id": "call_1",
            "name": "get_weather",
            "arguments": '{"city":"Paris"}',
        }
    )

    assert presented == Presented(
        role="assistant",
        blocks=[
            ToolCallBlock(tool_id="call_1", name="get_weather", arguments='{\n  "city": "Paris"\n}')
        ],
    )


def test_a_responses_function_call_output_as_a_json_string():
    presented = present_openai_responses(
        {"type": "function_call_output", "call_id": "call_1", "output": '{"temp": 21}'}
    )

    assert presented == Presented(
        role="tool",
        blocks=[
            ToolResultBlock(
                tool_id="call_1",
                name="",
                blocks=(JsonBlock(label="", json='{\n  "temp": 21\n}'),),
            )
        ],
    )


def test_a_responses_function_call_output_as_a_list_with_an_image():
    presented = present_openai_responses(
        {
            "type": "function_call_output",
            "call_id": "call_2",
            "name": "screenshot",
            "output": [
                {"type": "input_text", "text": "here it is"},
                {"type": "input_image", "image_url": f"data:image/png;base64,{PNG_DATA}"},
            ],
        }
    )

    assert presented == Presented(
        role="tool",
        blocks=[
            ToolResultBlock(
                tool_id="call_2",
                name="screenshot",
                blocks=(
                    TextBlock(text="here it is"),
                    ImageBlock(src=f"data:image/png;base64,{PNG_DATA}", url_text="inline image"),
                ),
            )
        ],
    )


def test_a_responses_custom_tool_call_and_its_output():
    call = present_openai_responses(
        {"type": "custom_tool_call", "call_id": "call_3", "name": "grep", "input": "a|b"}
    )
    output = present_openai_responses(
        {"type": "custom_tool_call_output", "call_id": "call_3", "output": "3 matches"}
    )

    assert call == Presented(
        role="assistant",
        blocks=[
            ToolCallBlock(
                tool_id="call_3",
                name="grep",
                arguments="a|b",
                arguments_are_json=False,
                label="custom tool",
            )
        ],
    )
    assert output == Presented(
        role="tool",
        blocks=[ToolResultBlock(tool_id="call_3", name="", blocks=(TextBlock(text="3 matches"),))],
    )


def test_a_responses_reasoning_item_shows_its_summary_and_encrypted_content():
    presented = present_openai_responses(
        {
            "type": "reasoning",
            "id": "rs_1",
            "summary": [
                {"type": "summary_text", "text": "First, the units."},
                {"type": "summary_text", "text": "Then the sum."},
            ],
            "content": [{"type": "reasoning_text", "text": "2 + 2 = 4"}],
            "encrypted_content": "gAAAAB",
        }
    )

    assert presented == Presented(
        role="assistant",
        blocks=[
            ThinkingBlock(text="First, the units.", label="Reasoning summary"),
            ThinkingBlock(text="Then the sum.", label="Reasoning summary"),
            ThinkingBlock(text="2 + 2 = 4", label="Reasoning"),
            ThinkingBlock(text="", signature="gAAAAB", label="Encrypted reasoning"),
        ],
    )


def test_a_responses_web_search_call_is_shown_as_json():
    item = {
        "type": "web_search_call",
        "id": "ws_1",
        "status": "completed",
        "action": {"type": "search", "query": "weather paris"},
    }

    assert present_openai_responses(item) == Presented(
        role="assistant", blocks=[JsonBlock(label="web_search_call", json=pretty_json(item))]
    )


def test_a_responses_tool_output_item_is_a_tool_message():
    item = {"type": "shell_call_output", "call_id": "call_4", "output": []}

    assert present_openai_responses(item) == Presented(
        role="tool", blocks=[JsonBlock(label="shell_call_output", json=pretty_json(item))]
    )


def test_a_responses_image_generation_call_shows_its_image():
    presented = present_openai_responses(
        {
            "type": "image_generation_call",
            "id": "ig_1",
            "status": "completed",
            "output_format": "webp",
            "result": PNG_DATA,
        }
    )

    assert presented == Presented(
        role="assistant",
        blocks=[
            ImageBlock(
                src=f"data:image/webp;base64,{PNG_DATA}",
                url_text="inline image/webp",
                media_type="image/webp",
            ),
            JsonBlock(
                label="image_generation_call",
                json=pretty_json(
                    {
                        "type": "image_generation_call",
                        "id": "ig_1",
                        "status": "completed",
                        "output_format": "webp",
                        "result": "<base64 image, 12 characters>",
                    }
                ),
            ),
        ],
    )


def test_a_responses_computer_call_output_shows_its_screenshot():
    item = {
        "type": "computer_call_output",
        "call_id": "call_5",
        "output": {"type": "computer_screenshot", "image_url": "https://x.test/s.png"},
    }

    assert present_openai_responses(item) == Presented(
        role="tool",
        blocks=[
            ImageBlock(src="https://x.test/s.png", url_text="https://x.test/s.png"),
            JsonBlock(label="computer_call_output", json=pretty_json(item)),
        ],
    )


def test_a_responses_item_reference():
    expected = Presented(
        role="", blocks=[TextBlock(text="reference to item msg_1", label="item reference")]
    )

    assert present_openai_responses({"type": "item_reference", "id": "msg_1"}) == expected
    assert present_openai_responses({"id": "msg_1"}) == expected  # the type is optional


def test_an_unknown_responses_shape_is_shown_as_json_not_an_error():
    presented = present_item("openai_responses", ["not", "an", "item"])
    malformed = present_item("openai_responses", {"type": "message", "content": [42]})

    assert presented.blocks == [JsonBlock(label="item", json='[\n  "not",\n  "an",\n  "item"\n]')]
    assert malformed.blocks == [
        JsonBlock(label="item", json=pretty_json({"type": "message", "content": [42]}))
    ]
