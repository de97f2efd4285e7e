"""Small, path-aware readers for validating provider blobs.

Every failure raises ``InvalidMessage`` naming the exact field, e.g. ``blob.content[2].source``.
"""

from __future__ import annotations

import json
from typing import Any

from conversion import json_rules
from conversion.canonical import InvalidMessage, JSONObject


def type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def expect_object(value: object, path: str) -> JSONObject:
    if not isinstance(value, dict):
        raise InvalidMessage(path, f"expected an object, got {type_name(value)}")
    return value


def expect_list(value: object, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidMessage(path, f"expected an array, got {type_name(value)}")
    return value


def expect_str(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise InvalidMessage(path, f"expected a string, got {type_name(value)}")
    return value


def expect_bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidMessage(path, f"expected a boolean, got {type_name(value)}")
    return value


def require(obj: JSONObject, key: str, path: str) -> Any:
    if key not in obj:
        raise InvalidMessage(f"{path}.{key}", "is required")
    return obj[key]


def required_str(obj: JSONObject, key: str, path: str) -> str:
    return expect_str(require(obj, key, path), f"{path}.{key}")


def optional_str(obj: JSONObject, key: str, path: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    return expect_str(value, f"{path}.{key}")


def one_of(value: object, choices: tuple[str, ...], path: str) -> str:
    if value not in choices:
        expected = ", ".join(repr(choice) for choice in choices)
        raise InvalidMessage(path, f"expected one of {expected}, got {json.dumps(value)}")
    return str(value)


def extras(obj: JSONObject, known: frozenset[str]) -> JSONObject:
    """Fields this converter does not model: kept verbatim so that nothing is lost."""
    return {key: value for key, value in obj.items() if key not in known}


def dump_json(value: object) -> str:
    # Compact and without ASCII escaping: the canonical JSON text of tool arguments and
    # structured tool results. Key order is preserved, so the output is deterministic.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# Tool inputs must be objects for Anthropic and Gemini. Arguments that are not a JSON object
# (OpenAI allows any string) travel under this key and come back out of it unchanged.
RAW_ARGUMENTS_KEY = "_raw_arguments"


def arguments_from_object(tool_input: JSONObject) -> str:
    raw = tool_input.get(RAW_ARGUMENTS_KEY)
    if len(tool_input) == 1 and isinstance(raw, str):
        return raw
    return dump_json(tool_input)


def object_from_arguments(arguments: str) -> JSONObject | None:
    """The arguments as a JSON object, or None when they are not one (or hold JSON that the
    answer could not carry exactly: see json_rules)."""
    try:
        value = json_rules.loads(arguments)
    except ValueError:  # UnsupportedJSON too
        return None
    return value if isinstance(value, dict) else None
