"""Strict validation of converter output against the official SDK request types.

Why not a pydantic ``TypeAdapter`` over the SDK TypedDicts: it ignores unknown keys
and validates ``Iterable[...]`` fields lazily (i.e. never, unless consumed), so a
broken message sails through. This module walks the SDK annotations itself:

- unknown keys are rejected everywhere;
- every element of every list / ``Iterable`` / ``Sequence`` field is checked;
- required keys must be present, ``Literal`` fields must match exactly;
- a ``Union`` is tried member by member and the most specific error is reported
  (members whose ``Literal`` keys, such as ``type`` or ``role``, contradict the
  value are ruled out first).

Only JSON values are accepted (dict with str keys, list, str, int, float, bool,
None). Errors are ``StrictTypeError`` naming the exact path, e.g.
``items[3].content[1].image_url.url``.

The walker reads the annotations of whatever SDK version is installed, so it
follows SDK upgrades; an annotation it does not understand raises ``TypeError``
(a bug in this module, not in the data), so new constructs surface loudly.
"""

from __future__ import annotations

import collections.abc
import enum
import functools
import json
import math
import os
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any, Literal, Union

import pydantic
import typing_extensions as te
from anthropic.types import MessageParam, TextBlockParam
from google.genai import types as genai_types
from openai.types.chat import ChatCompletionMessageParam
from openai.types.responses import ResponseInputItemParam

__all__ = [
    "StrictTypeError",
    "format_path",
    "validate_anthropic_messages",
    "validate_as",
    "validate_gemini_contents",
    "validate_openai_messages",
    "validate_openai_responses_items",
]

Loc = tuple[str | int, ...]

_NONE_TYPE = type(None)
_UNION_ORIGINS: frozenset[object] = frozenset({Union, types.UnionType})
_ARRAY_ORIGINS: frozenset[object] = frozenset(
    {
        list,
        collections.abc.Iterable,
        collections.abc.Sequence,
        collections.abc.MutableSequence,
        collections.abc.Collection,
    }
)
_MAPPING_ORIGINS: frozenset[object] = frozenset(
    {dict, collections.abc.Mapping, collections.abc.MutableMapping}
)
# Field qualifiers that only say whether a key may be omitted (or mutated).
_QUALIFIERS: frozenset[object] = frozenset(
    {te.Required, te.NotRequired, te.ReadOnly, typing.Required, typing.NotRequired}
)
# Types that exist only as Python objects (file handles, paths, ...): the SDKs
# accept them in unions next to ``str``, but no JSON value can be one of them.
_PYTHON_ONLY: tuple[type, ...] = (IO, os.PathLike)


class StrictTypeError(AssertionError):
    """A value does not match the SDK request type at ``path``."""

    def __init__(self, path: str, message: str, *, depth: int = 0) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message
        # Number of path segments; lets a Union prefer the error that got deepest.
        self.depth = depth


def format_path(loc: Loc) -> str:
    """Render ``("items", 3, "content", 1, "url")`` as ``items[3].content[1].url``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not out:
            out = part
        elif part.isidentifier():
            out += f".{part}"
        else:
            out += f"[{part!r}]"
    return out


def _fail(loc: Loc, message: str) -> StrictTypeError:
    return StrictTypeError(format_path(loc), message, depth=len(loc))


def json_kind(value: object) -> str:
    """Name of the JSON type of ``value`` (or of the offending Python type)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return f"non-JSON {type(value).__name__}"


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, eq=False)
class _Field:
    keys: tuple[str, ...]  # accepted spellings (pydantic models take name and alias)
    annotation: Any
    required: bool


@dataclass(frozen=True, eq=False)
class _Record:
    """The keys of a TypedDict or a pydantic model, as seen in JSON."""

    fields: tuple[_Field, ...]
    extra: Any  # annotation of extra keys (PEP 728 ``extra_items``), or None
    by_key: dict[str, _Field]


def _make_record(fields: list[_Field], extra: Any) -> _Record:
    by_key = {key: field for field in fields for key in field.keys}
    return _Record(tuple(fields), extra, by_key)


def _strip_qualifiers(hint: Any, required: bool) -> tuple[Any, bool]:
    """Remove ``Required``/``NotRequired``/``ReadOnly``/``Annotated`` around a field."""
    while True:
        origin = te.get_origin(hint)
        if origin in (te.Required, typing.Required):
            required = True
        elif origin in (te.NotRequired, typing.NotRequired):
            required = False
        elif origin not in _QUALIFIERS and origin is not te.Annotated:
            return hint, required
        # Annotated metadata (openai/anthropic ``PropertyInfo``) is ignored on
        # purpose: its ``alias`` renames the key on the wire, but callers pass the
        # SDK the Python key, which is what we validate.
        hint = te.get_args(hint)[0]


@functools.cache
def _typeddict_record(td: type) -> _Record:
    hints = typing.get_type_hints(td, include_extras=True)
    # ``__required_keys__`` is unreliable under ``from __future__ import
    # annotations`` (the SDKs use it): the Required[...] strings are not parsed,
    # so it only reflects ``total``. The resolved hints carry the truth.
    total_required: frozenset[str] = getattr(td, "__required_keys__", frozenset())
    fields = []
    for key, hint in hints.items():
        annotation, required = _strip_qualifiers(hint, key in total_required)
        fields.append(_Field((key,), annotation, required))
    extra = getattr(td, "__extra_items__", None)
    if extra is getattr(te, "NoExtraItems", None):
        extra = None
    return _make_record(fields, extra)


@functools.cache
def _model_record(model: type[pydantic.BaseModel]) -> _Record:
    by_name = bool(
        model.model_config.get("populate_by_name") or model.model_config.get("validate_by_name")
    )
    fields = []
    for name, info in model.model_fields.items():
        keys: tuple[str, ...] = (info.alias,) if info.alias else (name,)
        if by_name and name not in keys:
            keys += (name,)
        fields.append(_Field(keys, info.annotation, info.is_required()))
    # Strict mode: unknown keys are rejected even if a model would allow them.
    return _make_record(fields, None)


# _literal_values by id() of the annotation (kept in the value, so that the id stays its):
# asked millions of times for the few hundred annotations of the SDKs, and not every
# annotation is hashable.
_LITERALS: dict[int, tuple[Any, tuple[object, ...] | None]] = {}


def _literal_values(annotation: Any) -> tuple[object, ...] | None:
    """The values of a ``Literal`` field, also of an ``Optional[Literal[...]]`` one.

    openai's ``ItemReference.type`` is ``Optional[Literal["item_reference"]]``: seeing
    through the ``Optional`` lets a wrong ``type`` rule that member out of a union
    (``None`` stays an allowed value).
    """
    cached = _LITERALS.get(id(annotation))
    if cached is not None and cached[0] is annotation:
        return cached[1]
    values = _literal_values_of(annotation)
    _LITERALS[id(annotation)] = (annotation, values)
    return values


def _literal_values_of(annotation: Any) -> tuple[object, ...] | None:
    origin = te.get_origin(annotation)
    if origin in (Literal, te.Literal):
        return te.get_args(annotation)
    if origin in _UNION_ORIGINS:
        values: list[object] = []
        for member in te.get_args(annotation):
            inner = (None,) if member is None or member is _NONE_TYPE else _literal_values(member)
            if inner is None:
                return None
            values.extend(inner)
        return tuple(values)
    return None


def _in_literal(value: object, allowed: tuple[object, ...]) -> bool:
    # Exact type match: ``True == 1`` must not satisfy ``Literal[1]``.
    return any(type(value) is type(option) and value == option for option in allowed)


# --------------------------------------------------------------------------- checker


@dataclass(frozen=True)
class _Checker:
    """Recursive structural validator of JSON values against SDK annotations.

    ``walk_models``: treat pydantic models as records (google-genai request types
    are pydantic models). When False, pydantic models only stand for Python
    objects (anthropic lists its response models in ``MessageParam`` so they can
    be passed back as objects; their JSON form is the ``*Param`` TypedDicts).
    """

    walk_models: bool

    def check(self, value: object, tp: Any, loc: Loc) -> None:
        origin = te.get_origin(tp)
        if origin is not None:
            self._check_generic(value, tp, origin, loc)
        elif tp is Any or tp is object:
            _check_json(value, loc)
        elif tp is None or tp is _NONE_TYPE:
            _expect(value is None, value, "null", loc)
        elif isinstance(tp, type):
            self._check_class(value, tp, loc)
        else:
            raise TypeError(f"strict_types: unsupported annotation {tp!r} at {format_path(loc)}")

    def _check_generic(self, value: object, tp: Any, origin: object, loc: Loc) -> None:
        args = te.get_args(tp)
        if origin in (Literal, te.Literal):
            if not _in_literal(value, args):
                raise _fail(loc, f"expected {_describe_literal(args)}, got {value!r}")
        elif origin in _UNION_ORIGINS:
            self._check_union(value, args, loc)
        elif origin is te.Annotated or origin in _QUALIFIERS:
            self.check(value, args[0], loc)
        elif origin in _ARRAY_ORIGINS:
            self._check_array(value, args[0] if args else Any, loc)
        elif origin in _MAPPING_ORIGINS:
            self._check_mapping(value, args[1] if len(args) == 2 else Any, loc)
        elif isinstance(origin, type) and issubclass(origin, _PYTHON_ONLY):
            raise _fail(loc, f"{origin.__name__} cannot be given as JSON")
        else:
            raise TypeError(f"strict_types: unsupported annotation {tp!r} at {format_path(loc)}")

    def _check_class(self, value: object, tp: type, loc: Loc) -> None:
        record = self._record(tp)
        if record is not None:
            self._check_record(value, record, loc)
        elif tp is str or tp is bytes:
            # bytes travel as base64 strings; genai's pydantic pass checks the encoding.
            _expect(isinstance(value, str), value, "string", loc)
        elif tp is bool:
            _expect(isinstance(value, bool), value, "boolean", loc)
        elif tp is int:
            _expect(isinstance(value, int) and not isinstance(value, bool), value, "integer", loc)
        elif tp is float:
            _check_number(value, loc)
        elif issubclass(tp, enum.Enum):
            _check_enum(value, tp, loc)
        elif tp is list:
            self._check_array(value, Any, loc)
        elif tp is dict:
            self._check_mapping(value, Any, loc)
        else:
            raise _fail(loc, f"{tp.__name__} cannot be given as JSON")

    def _record(self, tp: Any) -> _Record | None:
        if te.is_typeddict(tp):
            return _typeddict_record(tp)
        if self.walk_models and isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
            return _model_record(tp)
        return None

    def _check_array(self, value: object, item_tp: Any, loc: Loc) -> None:
        if not isinstance(value, list):
            raise _fail(loc, f"expected array, got {json_kind(value)}")
        for index, item in enumerate(value):
            self.check(item, item_tp, (*loc, index))

    def _check_mapping(self, value: object, value_tp: Any, loc: Loc) -> None:
        if not isinstance(value, dict):
            raise _fail(loc, f"expected object, got {json_kind(value)}")
        for key, item in value.items():
            if not isinstance(key, str):
                raise _fail(loc, f"object key {key!r} is not a string")
            self.check(item, value_tp, (*loc, key))

    def _check_record(self, value: object, record: _Record, loc: Loc) -> None:
        if not isinstance(value, dict):
            raise _fail(loc, f"expected object, got {json_kind(value)}")
        by_key = record.by_key
        # Literal keys (``type``, ``role``) first: they say what the value means.
        for key, field in by_key.items():
            if key in value and _literal_values(field.annotation) is not None:
                self.check(value[key], field.annotation, (*loc, key))
        self._check_keys(value, record, loc)
        for key, item in value.items():
            known = by_key.get(key)
            self.check(item, known.annotation if known else record.extra, (*loc, key))

    def _check_keys(self, value: dict[Any, Any], record: _Record, loc: Loc) -> None:
        seen: dict[int, str] = {}
        for key in value:
            if not isinstance(key, str):
                raise _fail(loc, f"object key {key!r} is not a string")
            field = record.by_key.get(key)
            if field is None and record.extra is None:
                raise _fail((*loc, key), "unknown key")
            if field is not None and id(field) in seen:
                raise _fail((*loc, key), f"duplicate of key {seen[id(field)]!r}")
            if field is not None:
                seen[id(field)] = key
        for field in record.fields:
            if field.required and not any(key in value for key in field.keys):
                raise _fail((*loc, field.keys[0]), "missing required key")

    # ------------------------------------------------------------------ unions

    def _check_union(self, value: object, members: tuple[Any, ...], loc: Loc) -> None:
        usable = [member for member in members if self._json_expressible(member)]
        if isinstance(value, dict):
            usable = self._discriminate(value, usable, loc)
        errors: list[StrictTypeError] = []
        for member in usable:
            try:
                self.check(value, member, loc)
            except StrictTypeError as error:
                errors.append(error)
            else:
                return
        if value is not None:
            # ``Optional[X]`` given a non-null value: only X's error is useful.
            kept = [
                (m, e) for m, e in zip(usable, errors, strict=True) if m not in (None, _NONE_TYPE)
            ]
            usable, errors = [m for m, _ in kept], [e for _, e in kept]
        # The deepest error wins; among equally deep ones, the member that knows the
        # most keys of the value (so an output message without ``id`` reports the
        # missing ``id``, not the ``status`` an easy message does not know).
        best = max(
            zip(usable, errors, strict=True),
            key=lambda pair: (pair[1].depth, self._known_keys(value, pair[0])),
        )[1]  # first of the best
        if best.depth <= len(loc) and len(errors) > 1:
            # No member got past the value itself: say what would have fit.
            wanted = " or ".join(dict.fromkeys(self._describe(member) for member in usable))
            raise _fail(loc, f"expected {wanted}, got {json_kind(value)}")
        raise best

    def _discriminate(self, value: dict[Any, Any], members: list[Any], loc: Loc) -> list[Any]:
        """Keep the members whose ``Literal`` keys agree with ``value``.

        Members that positively match a Literal key win over members that merely
        do not contradict it; if every record contradicts, report that key: the
        clash of the member that matched the most single-valued Literals (``type``:
        a function_call whose ``status`` is wrong reports its ``status``), else the
        values all members allow for the first clashing key. A record that does not
        declare a clashing key (and takes no extra keys) cannot hold the value either.
        """
        matched: list[Any] = []
        neutral: list[Any] = []
        clashes: dict[str, list[object]] = {}
        best: tuple[int, tuple[str, tuple[object, ...]]] | None = None  # (strength, clash)
        for member in members:
            record = self._record(member)
            if record is None:
                neutral.append(member)
                continue
            hits, strong, clash = _literal_agreement(value, record)
            if clash is not None:
                clashes.setdefault(clash[0], []).extend(clash[1])
                if strong and (best is None or strong > best[0]):
                    best = (strong, clash)
            elif hits:
                matched.append(member)
            else:
                neutral.append(member)
        if matched:
            return matched
        if clashes:
            neutral = [member for member in neutral if not self._lacks_any(member, clashes)]
            if not any(self._accepts_object(member) for member in neutral):
                if best is not None:
                    key, allowed = best[1]
                else:
                    key, options = next(iter(clashes.items()))
                    allowed = tuple(dict.fromkeys(options))
                raise _fail(
                    (*loc, key), f"expected {_describe_literal(allowed)}, got {value[key]!r}"
                )
        return neutral

    def _lacks_any(self, tp: Any, keys: Iterable[str]) -> bool:
        """``tp`` is a record without extra keys that does not declare one of ``keys``."""
        record = self._record(tp)
        return (
            record is not None
            and record.extra is None
            and any(key not in record.by_key for key in keys)
        )

    def _known_keys(self, value: object, tp: Any) -> int:
        """How many keys of ``value`` the record ``tp`` declares (0 for non-records)."""
        record = self._record(tp)
        if record is None or not isinstance(value, dict):
            return 0
        return sum(key in record.by_key for key in value)

    def _accepts_object(self, tp: Any) -> bool:
        origin = te.get_origin(tp)
        return (
            tp is Any
            or tp is object
            or tp is dict
            or origin in _MAPPING_ORIGINS
            or self._record(tp) is not None
        )

    def _json_expressible(self, tp: Any) -> bool:
        origin = te.get_origin(tp)
        if origin is te.Annotated:
            return self._json_expressible(te.get_args(tp)[0])
        if origin in _UNION_ORIGINS:
            return any(self._json_expressible(arg) for arg in te.get_args(tp))
        if isinstance(origin, type) and issubclass(origin, _PYTHON_ONLY):
            return False
        if origin is None and isinstance(tp, type):
            if issubclass(tp, pydantic.BaseModel):
                return self.walk_models
            return not issubclass(tp, _PYTHON_ONLY)
        return True

    def _describe(self, tp: Any) -> str:
        origin = te.get_origin(tp)
        if origin in (Literal, te.Literal):
            return _describe_literal(te.get_args(tp))
        if origin is te.Annotated:
            return self._describe(te.get_args(tp)[0])
        if origin in _ARRAY_ORIGINS or tp is list:
            return "array"
        if self._accepts_object(tp):
            return "object"
        return _SCALAR_NAMES.get(tp, getattr(tp, "__name__", repr(tp)))


_SCALAR_NAMES: dict[object, str] = {
    str: "string",
    bytes: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    _NONE_TYPE: "null",
    None: "null",
}


def _literal_agreement(
    value: dict[Any, Any], record: _Record
) -> tuple[int, int, tuple[str, tuple[object, ...]] | None]:
    """Count the Literal keys of ``record`` that ``value`` matches; report the first clash.

    Returns (hits, strong hits, clash): a strong hit matches a Literal of a single value
    (besides ``None``), such as ``type: Literal["function_call"]``.
    """
    hits = strong = 0
    clash: tuple[str, tuple[object, ...]] | None = None
    for key, field in record.by_key.items():
        allowed = _literal_values(field.annotation)
        if allowed is None or key not in value:
            continue
        if not _in_literal(value[key], allowed):
            clash = clash or (key, allowed)
            continue
        hits += 1
        if sum(option is not None for option in allowed) == 1:
            strong += 1
    return hits, strong, clash


def _describe_literal(options: tuple[object, ...]) -> str:
    if len(options) == 1:
        return repr(options[0])
    return "one of " + ", ".join(repr(option) for option in options)


def _expect(ok: bool, value: object, wanted: str, loc: Loc) -> None:
    if not ok:
        raise _fail(loc, f"expected {wanted}, got {json_kind(value)}")


def _check_number(value: object, loc: Loc) -> None:
    _expect(isinstance(value, (int, float)) and not isinstance(value, bool), value, "number", loc)
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(loc, f"{value!r} is not a JSON number")


def _check_enum(value: object, tp: type[enum.Enum], loc: Loc) -> None:
    # Mirrors genai's CaseInSensitiveEnum lookup (value, or name in upper/lower
    # case) but not its fallback, which warns and accepts any string.
    if isinstance(value, str):
        names = tp.__members__
        if any(member.value == value for member in tp) or {value.upper(), value.lower()} & set(
            names
        ):
            return
    options = tuple(member.value for member in tp)
    raise _fail(loc, f"expected {_describe_literal(options)}, got {value!r}")


def _check_json(value: object, loc: Loc) -> None:
    """Any JSON value (for ``object`` / ``Any`` annotations)."""
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        _check_number(value, loc)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, (*loc, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise _fail(loc, f"object key {key!r} is not a string")
            _check_json(item, (*loc, key))
    else:
        raise _fail(loc, f"expected a JSON value, got {json_kind(value)}")


# --------------------------------------------------------------------------- public API

_TYPED_DICTS = _Checker(walk_models=False)
_GENAI_MODELS = _Checker(walk_models=True)


def validate_as(value: object, annotation: Any, root: str = "value") -> None:
    """Validate ``value`` strictly against any SDK-style annotation (TypedDict, Union, ...)."""
    _TYPED_DICTS.check(value, annotation, (root,))


def _check_items(items: object, item_type: Any, checker: _Checker) -> None:
    if not isinstance(items, list):
        raise _fail(("items",), f"expected array, got {json_kind(items)}")
    for index, item in enumerate(items):
        checker.check(item, item_type, ("items", index))


def validate_openai_messages(items: list[Any]) -> None:
    """Each item must be an ``openai.types.chat.ChatCompletionMessageParam``."""
    _check_items(items, ChatCompletionMessageParam, _TYPED_DICTS)


def validate_openai_responses_items(items: list[Any]) -> None:
    """Each item must be an ``openai.types.responses.ResponseInputItemParam``.

    That is one Responses API input item: an easy message, a ``message`` item, an
    output message, a tool call or tool output, a reasoning item, an item reference, ...
    """
    _check_items(items, ResponseInputItemParam, _TYPED_DICTS)


def validate_anthropic_messages(items: list[Any], system: object = None) -> None:
    """Each item must be an ``anthropic.types.MessageParam``; ``system`` a str or text blocks."""
    _check_items(items, MessageParam, _TYPED_DICTS)
    if system is not None:
        _TYPED_DICTS.check(system, str | Iterable[TextBlockParam], ("system",))


def validate_gemini_contents(items: list[Any], system_instruction: object = None) -> None:
    """Each item (and ``system_instruction``) must be a ``google.genai.types.Content``."""
    if not isinstance(items, list):
        raise _fail(("items",), f"expected array, got {json_kind(items)}")
    for index, item in enumerate(items):
        _validate_gemini_content(item, ("items", index))
    if system_instruction is not None:
        _validate_gemini_content(system_instruction, ("system_instruction",))


def _validate_gemini_content(value: object, loc: Loc) -> None:
    # Our walker first: genai's ``Part`` has a custom ``__init__``, which makes
    # pydantic validate parts in lax mode even with ``strict=True`` (so
    # ``"thought": "true"`` or ``1`` would pass), and unknown enum strings are
    # accepted with a mere warning. The walker rejects both.
    _GENAI_MODELS.check(value, genai_types.Content, loc)
    # Then the SDK itself, in JSON mode, as the authority on what it accepts:
    # bytes fields (``inlineData.data``, ``thoughtSignature``) must be base64
    # (``val_json_bytes="base64"``; standard or URL-safe alphabet, padding optional).
    try:
        genai_types.Content.model_validate_json(json.dumps(value, allow_nan=False))
    except pydantic.ValidationError as error:
        first = error.errors()[0]
        raise _fail((*loc, *first["loc"]), first["msg"]) from None
