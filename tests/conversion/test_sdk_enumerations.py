"""The readers accept every value the official SDKs' types allow: each enumeration the OpenAI
and Anthropic readers check is compared with the Literal of the installed SDK, so that a new
value (as ``image_url.detail: "original"`` was) fails here instead of being refused with a
400. google-genai's models enumerate fields rather than values: every field they define is
read, or kept and given back to Gemini."""

import collections.abc
import functools
import re
from typing import (
    Annotated,
    Any,
    Literal,
    NotRequired,
    Required,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

import pydantic
import pytest
from anthropic.types import document_block_param, image_block_param, message_param
from google.genai import types as genai_types
from openai.types import responses as responses_params
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
from openai.types.responses import response_output_message_param

# The SDK's TypedDicts are typing_extensions ones, which typing.is_typeddict does not know.
from typing_extensions import is_typeddict

from conversion import (
    InvalidMessage,
    anthropic,
    gemini,
    media,
    normalize,
    openai,
    openai_responses,
    render,
)
from conversion.openai_responses import FieldType
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


def test_the_anthropic_reader_takes_every_role_of_the_sdk() -> None:
    assert set(anthropic.ROLES) == union_field_literal(message_param.MessageParam, "role")


ANTHROPIC_SYSTEM = {
    "role": "system",
    "content": [
        {"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": "Answer in French."},
    ],
}


def test_an_anthropic_system_message_is_the_system_prompt_of_every_format() -> None:
    # anthropic 2.16's SystemMessageParam: role system in the message list, text only.
    stored = store([ANTHROPIC_SYSTEM, {"role": "user", "content": "Hi"}], "anthropic")
    assert stored[0].canonical == {
        "role": "user",
        "parts": [
            {
                "type": "text",
                "text": "You are terse.",
                "meta": {"anthropic": {"cache_control": {"type": "ephemeral"}}},
            },
            {"type": "text", "text": "Answer in French."},
        ],
        "meta": {"role": "system"},
    }
    to_anthropic = render(stored, "anthropic")
    assert to_anthropic.system == ANTHROPIC_SYSTEM["content"]
    assert to_anthropic.items == [{"role": "user", "content": "Hi"}]
    assert to_anthropic.warnings == []
    to_openai = render(stored, "openai")
    assert to_openai.items[0] == {
        "role": "system",
        "content": [
            {"type": "text", "text": "You are terse."},
            {"type": "text", "text": "Answer in French."},
        ],
    }
    to_gemini = render(stored, "gemini")
    assert to_gemini.system == {
        "parts": [{"text": "You are terse."}, {"text": "Answer in French."}]
    }
    for rendered, target in ((to_openai, "openai"), (to_gemini, "gemini")):
        assert [(w.part_index, w.detail) for w in rendered.warnings] == [
            (0, "left out: anthropic fields cache_control")
        ]
        assert_valid_request(rendered, target)
    assert_valid_request(to_anthropic, "anthropic")


def test_an_anthropic_system_message_holds_text_only() -> None:
    blob = {"role": "system", "content": [{"type": "image", "source": {"type": "url", "url": "x"}}]}
    with pytest.raises(InvalidMessage) as raised:
        normalize(blob, "anthropic")
    assert str(raised.value) == "blob.content[0].type: expected one of 'text', got \"image\""


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


# --- Gemini: google-genai's models name their fields rather than enumerate values -------------


def gemini_fields(model: Any) -> set[str]:
    return {gemini.camel(name) for name in model.model_fields}


def test_the_gemini_reader_takes_the_roles_the_sdk_names() -> None:
    # "Must be either 'user' or 'model'": a str field, its values named in its description.
    description = genai_types.Content.model_fields["role"].description or ""
    assert set(re.findall(r"'(\w+)'", description)) == set(gemini.ROLES)


def test_every_part_field_the_gemini_reader_models_is_a_field_of_the_sdk() -> None:
    modelled = set(gemini.CONTENT_KINDS) | gemini.MODIFIERS
    assert modelled <= gemini_fields(genai_types.Part)


def rebuilt_for_gemini(blobs: list[Any]) -> list[Any]:
    edited = [message._replace(edited=True) for message in store(blobs, "gemini")]
    rendered = render(edited, "gemini")
    assert rendered.warnings == []
    return rendered.items


def test_every_other_part_field_of_the_sdk_is_accepted_and_kept() -> None:
    others = sorted(gemini_fields(genai_types.Part) - gemini.MODELLED_PART_FIELDS)
    assert others  # videoMetadata, mediaResolution, executableCode... in google-genai 1.x
    blobs = [{"role": "user", "parts": [{"text": "x", field: {"k": 1}} for field in others]}]
    assert rebuilt_for_gemini(blobs) == blobs


def test_every_field_of_a_function_call_response_and_response_part_is_accepted_and_kept() -> None:
    call_fields = gemini_fields(genai_types.FunctionCall) - {"id", "name", "args"}
    response_fields = gemini_fields(genai_types.FunctionResponse) - {
        "id",
        "name",
        "response",
        "parts",
    }
    media_fields = gemini_fields(genai_types.FunctionResponsePart) - {"inlineData", "fileData"}
    assert call_fields
    assert response_fields
    assert media_fields
    blobs = [
        {"role": "user", "parts": [{"text": "Plot"}]},
        {
            "role": "model",
            "parts": [
                {
                    "functionCall": {"id": "p1", "name": "plot", "args": {}}
                    | {field: True for field in sorted(call_fields)}
                }
            ],
        },
        {
            "role": "user",
            "parts": [
                {
                    "functionResponse": {
                        "id": "p1",
                        "name": "plot",
                        "response": {"output": "ok"},
                        "parts": [
                            {"inlineData": {"mimeType": "image/png", "data": PNG}}
                            | {field: {"k": 1} for field in sorted(media_fields)}
                        ],
                    }
                    | {field: "SILENT" for field in sorted(response_fields)}
                }
            ],
        },
    ]
    assert rebuilt_for_gemini(blobs) == blobs


# --- OpenAI Responses ------------------------------------------------------------------------


def responses_items() -> dict[str, Any]:
    """The TypedDicts of the SDK's input item union, by their ``type`` (the three message
    forms share "message")."""
    from openai.types.responses import ResponseInputItemParam

    items: dict[str, Any] = {}
    for member in get_args(ResponseInputItemParam):
        hint = get_type_hints(member)["type"]
        if get_origin(hint) is Union:  # item_reference's type is Optional
            (hint,) = (arg for arg in get_args(hint) if arg is not type(None))
        for kind in literal_values(hint):
            items.setdefault(kind, []).append(member)
    return items


def required_keys(typed_dict: Any) -> set[str]:
    hints = get_type_hints(typed_dict, include_extras=True)
    return {key for key, hint in hints.items() if get_origin(hint) is Required}


def test_the_responses_reader_knows_every_item_type_of_the_sdk_and_no_other() -> None:
    assert set(openai_responses.ITEM_TYPES) == set(responses_items())


def test_items_kept_whole_require_what_the_sdk_requires() -> None:
    for kind, members in responses_items().items():
        if kind in openai_responses.KEPT_ITEMS:
            (member,) = members
            expected = required_keys(member) - {"type"}
            assert openai_responses.KEPT_ITEMS[kind][1] == expected, kind


# What the SDK's array types are at run time: Iterable, List, Sequence (SequenceNotStr is
# Sequence outside type checking).
SDK_LIST_ORIGINS = (list, collections.abc.Iterable, collections.abc.Sequence)


def kept_item_shapes() -> dict[str, list[Any]]:
    """Every shape the SDK gives each kept item, by its ``type``: the input TypedDict, then the
    pydantic models of the input item, the output item and the listed item. Clients append a
    response's output to the next input, nulls and all, and the API accepts it."""
    from openai.types.responses.response_input_item import ResponseInputItem
    from openai.types.responses.response_item import ResponseItem
    from openai.types.responses.response_output_item import ResponseOutputItem

    shapes = {kind: list(members) for kind, members in responses_items().items()}
    for union in (ResponseInputItem, ResponseOutputItem, ResponseItem):
        if get_origin(union) is Annotated:  # Annotated[Union[...], its discriminator]
            union = get_args(union)[0]
        assert get_origin(union) is Union, union
        for model in get_args(union):
            (kind,) = sdk_field_type(model.model_fields["type"].annotation).values
            if model not in shapes.setdefault(kind, []):
                shapes[kind].append(model)
    return {kind: shapes[kind] for kind in openai_responses.KEPT_ITEMS}


def field_hints(shape: Any) -> dict[str, Any]:
    """A shape's top-level fields and their types (a pydantic Optional field defaults to None
    and dumps as null: its Optional says so)."""
    if isinstance(shape, type) and issubclass(shape, pydantic.BaseModel):
        # As the JSON names them (``async_`` is ``async`` there).
        return {field.alias or name: field.annotation for name, field in shape.model_fields.items()}
    return get_type_hints(shape, include_extras=True)


def looser(first: FieldType, second: FieldType) -> FieldType:
    """What accepts both: null if either does; a Literal's values in the order met; where the
    kinds differ, the looser one: str over a Literal (whose values are then only the usual
    ones), a list over a list of strings, and any JSON value ("any") over the rest."""
    nullable = first.nullable or second.nullable
    if first.kind == second.kind:
        values = first.values + tuple(v for v in second.values if v not in first.values)
        return FieldType(first.kind, values, nullable)
    kinds = {first.kind, second.kind}
    if kinds == {"str", "literal"}:
        return FieldType("str", nullable=nullable)
    if kinds == {"list", "list_of_str"}:
        return FieldType("list", nullable=nullable)
    return FieldType("any", nullable=nullable)


def sdk_field_type(hint: Any) -> FieldType:
    """What the reader checks of a field of this SDK type: its top level only, the members of
    a union merged by ``looser``."""
    if get_origin(hint) in (Required, NotRequired, Annotated):
        hint = get_args(hint)[0]
    members = get_args(hint) if get_origin(hint) is Union else (hint,)
    kinds = [top_level_type(member) for member in members if member is not type(None)]
    field_type = functools.reduce(looser, kinds)
    return field_type._replace(nullable=field_type.nullable or type(None) in members)


def top_level_type(annotation: Any) -> FieldType:
    """One member of a field's union (a TypedDict or a pydantic model is an object)."""
    origin = get_origin(annotation)
    if annotation is str:
        return FieldType("str")
    if annotation is bool:
        return FieldType("bool")
    if annotation in (int, float):
        return FieldType("number")
    if annotation is object:
        return FieldType("any")
    if origin is Literal:
        return FieldType("literal", get_args(annotation))
    if origin in (Annotated, Union):  # a union of models with its discriminator
        return sdk_field_type(annotation)
    if (
        is_typeddict(annotation)
        or origin in (dict, collections.abc.Mapping)
        or (isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel))
    ):
        return FieldType("object")
    if origin in SDK_LIST_ORIGINS:
        return FieldType("list_of_str" if get_args(annotation) == (str,) else "list")
    raise AssertionError(f"no FieldType for {annotation}")


def test_items_kept_whole_check_every_top_level_field_as_the_sdk_types_it() -> None:
    """In any of the item's shapes: a field typed differently by two shapes takes what
    accepts both (``looser``); one only an output model has is checked too."""
    shapes = kept_item_shapes()
    assert set(openai_responses.KEPT_ITEM_FIELDS) == set(shapes)
    for kind, kind_shapes in shapes.items():
        expected: dict[str, FieldType] = {}
        for shape in kind_shapes:
            for key, hint in field_hints(shape).items():
                if key != "type":
                    field_type = sdk_field_type(hint)
                    expected[key] = looser(expected.get(key, field_type), field_type)
        assert openai_responses.KEPT_ITEM_FIELDS[kind] == expected, kind


@pytest.mark.parametrize(
    ("accepted", "sdk"),
    [
        pytest.param(
            openai_responses.ROLES,
            field_literal(responses_params.EasyInputMessageParam, "role"),
            id="role",
        ),
        pytest.param(
            openai_responses.STATUSES,
            field_literal(responses_params.ResponseOutputMessageParam, "status"),
            id="status",
        ),
        pytest.param(
            openai_responses.PHASES,
            literal_values(
                get_args(get_type_hints(responses_params.EasyInputMessageParam)["phase"])[0]
            ),
            id="phase",
        ),
        pytest.param(
            openai_responses.IMAGE_DETAILS,
            literal_values(get_type_hints(responses_params.ResponseInputImageParam)["detail"]),
            id="input_image.detail",
        ),
        pytest.param(
            openai_responses.FILE_DETAILS,
            field_literal(responses_params.ResponseInputFileParam, "detail"),
            id="input_file.detail",
        ),
        pytest.param(
            tuple(
                part
                for part in openai_responses.INPUT_PART_TYPES
                if part != "input_audio"  # no longer in the SDK's list; read for older clients
            ),
            union_field_literal(responses_params.ResponseInputContentParam, "type"),
            id="input content part type",
        ),
        pytest.param(
            openai_responses.OUTPUT_PART_TYPES,
            union_field_literal(response_output_message_param.Content, "type"),
            id="output content part type",
        ),
        pytest.param(
            openai_responses.TOOL_OUTPUT_PART_TYPES,
            union_field_literal(responses_params.ResponseFunctionCallOutputItemParam, "type"),
            id="function call output part type",
        ),
    ],
)
def test_the_responses_reader_accepts_exactly_what_the_sdk_allows(accepted, sdk) -> None:
    assert set(accepted) == sdk
