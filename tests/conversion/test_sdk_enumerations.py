"""The readers accept every value the official SDKs' types allow: each enumeration the OpenAI
and Anthropic readers check is compared with the Literal of the installed SDK, so that a new
value (as ``image_url.detail: "original"`` was) fails here instead of being refused with a
400."""

from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import pytest
from anthropic.types import document_block_param, image_block_param, message_param
from openai.types.chat import (
    chat_completion_assistant_message_param,
    chat_completion_content_part_image_param,
    chat_completion_content_part_input_audio_param,
)
from openai.types.chat.chat_completion_content_part_param import ChatCompletionContentPartParam
from openai.types.chat.chat_completion_message_param import ChatCompletionMessageParam
from openai.types.chat.chat_completion_message_tool_call_union_param import (
    ChatCompletionMessageToolCallUnionParam,
)

from conversion import anthropic, media, openai, render
from tests.conversion.conftest import assert_valid_request, message_id, store


def literal_values(annotation: Any) -> set[str]:
    """The strings of a Literal annotation (Required[...] already stripped)."""
    assert get_origin(annotation) is Literal, annotation
    return set(get_args(annotation))


def field_literal(typed_dict: Any, field: str) -> set[str]:
    return literal_values(get_type_hints(typed_dict)[field])


def union_field_literal(union: Any, field: str) -> set[str]:
    """The values of ``field`` across every TypedDict of a Union alias."""
    assert get_origin(union) is Union, union
    values: set[str] = set()
    for member in get_args(union):
        values |= field_literal(member, field)
    return values


@pytest.mark.parametrize(
    ("accepted", "sdk"),
    [
        pytest.param(
            openai.ROLES, union_field_literal(ChatCompletionMessageParam, "role"), id="role"
        ),
        pytest.param(
            openai.USER_PART_TYPES,
            union_field_literal(ChatCompletionContentPartParam, "type"),
            id="user content part type",
        ),
        pytest.param(
            openai.IMAGE_DETAILS,
            field_literal(chat_completion_content_part_image_param.ImageURL, "detail"),
            id="image_url.detail",
        ),
        pytest.param(
            tuple(media.OPENAI_AUDIO_FORMATS),
            field_literal(chat_completion_content_part_input_audio_param.InputAudio, "format"),
            id="input_audio.format",
        ),
        pytest.param(
            openai.ASSISTANT_PART_TYPES,
            union_field_literal(
                chat_completion_assistant_message_param.ContentArrayOfContentPart, "type"
            ),
            id="assistant content part type",
        ),
        pytest.param(
            openai.TOOL_CALL_TYPES,
            union_field_literal(ChatCompletionMessageToolCallUnionParam, "type"),
            id="tool call type",
        ),
    ],
)
def test_the_openai_reader_accepts_exactly_what_the_sdk_allows(accepted, sdk) -> None:
    assert set(accepted) == sdk


@pytest.mark.parametrize(
    ("accepted", "sdk"),
    [
        pytest.param(
            anthropic.IMAGE_SOURCE_TYPES,
            union_field_literal(
                get_type_hints(image_block_param.ImageBlockParam)["source"], "type"
            ),
            id="image source type",
        ),
        pytest.param(
            anthropic.DOCUMENT_SOURCE_TYPES,
            union_field_literal(
                get_type_hints(document_block_param.DocumentBlockParam)["source"], "type"
            ),
            id="document source type",
        ),
    ],
)
def test_the_anthropic_reader_accepts_exactly_what_the_sdk_allows(accepted, sdk) -> None:
    assert set(accepted) == sdk


@pytest.mark.xfail(
    strict=True,
    reason="anthropic 2.16 adds SystemMessageParam (role system in messages); the reader and "
    "the Anthropic rendering do not take it yet (issue 10, item 8)",
)
def test_the_anthropic_reader_takes_every_role_of_the_sdk() -> None:
    assert set(anthropic.ROLES) == union_field_literal(message_param.MessageParam, "role")


PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5Er"
    "kJggg=="
)
ORIGINAL_DETAIL = {
    "role": "user",
    "content": [
        {"type": "text", "text": "Read the small print."},
        {
            "type": "image_url",
            "image_url": {"url": f"data:image/png;base64,{PNG}", "detail": "original"},
        },
    ],
}


def test_an_image_at_original_detail_is_stored_and_read_in_every_format() -> None:
    stored = store([ORIGINAL_DETAIL], "openai")

    assert stored[0].canonical["parts"][1]["meta"] == {
        "data": PNG,
        "media_type": "image/png",
        "openai": {"detail": "original"},
    }
    assert render(stored, "openai").items == [ORIGINAL_DETAIL]
    expected = {
        "anthropic": {
            "role": "user",
            "content": [
                {"type": "text", "text": "Read the small print."},
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": PNG},
                },
            ],
        },
        "gemini": {
            "role": "user",
            "parts": [
                {"text": "Read the small print."},
                {"inlineData": {"mimeType": "image/png", "data": PNG}},
            ],
        },
    }
    for target, item in expected.items():
        rendered = render(stored, target)
        assert rendered.items == [item]
        assert [(w.message_id, w.part_index, w.code, w.detail) for w in rendered.warnings] == [
            (message_id(0), 1, "provider_data_dropped", "left out: openai fields detail")
        ]
        assert_valid_request(rendered, target)
