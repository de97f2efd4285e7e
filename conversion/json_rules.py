"""The JSON this service accepts: one rule for numbers, one for depth.

Whatever is accepted must be readable back, exactly, in every format. Two things can break
that, so both are refused at the door (request bodies, query JSON, and JSON text inside tool
arguments before it becomes an object):

- **Numbers** must lie between -2**63 and 2**64 - 1, the 64-bit integer ranges. orjson, which
  writes every answer, cannot write a larger integer, and Postgres' jsonb turns a float such
  as 1e20 into the integer 100000000000000000000 (orjson also reads a larger integer as a
  float, silently losing its digits). Non-finite numbers are not JSON at all.
- **Depth**: at most ``MAX_DEPTH`` nested arrays and objects. orjson reads 1,024 levels but
  writes fewer than 255, and an answer wraps what was stored in a few more levels (the
  envelope, the target format's message, part and tool-input objects). 100 levels leaves room
  for every format.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

MAX_DEPTH = 100
INTEGER_MIN = -(2**63)
INTEGER_MAX = 2**64 - 1
NUMBER_RULE = f"numbers must lie between {INTEGER_MIN} and {INTEGER_MAX}"


class UnsupportedJSON(ValueError):
    """A JSON value breaks the number or depth rule; ``path`` names where."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.path = path
        self.problem = problem


TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep (arrays and objects)"
# Beyond this a float no longer holds every integer exactly.
_EXACT_FLOAT_LIMIT = 2.0**53

# Where a value sits: its parent's trail and its key, None at the root. The path text is built
# only for the value an error names, not for every value of every request.
_Trail = tuple["_Trail", str | int] | None


class _ImpreciseFloat(Exception):
    """A float too large to hold every integer: the text may have said another number."""


def _path(root: str, trail: _Trail) -> str:
    keys: list[str | int] = []
    while trail is not None:
        trail, key = trail
        keys.append(key)
    path = root
    for key in reversed(keys):
        path = _child_path(path, key)
    return path


def _child_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def check(value: Any, path: str = "") -> None:
    """Raise ``UnsupportedJSON`` naming the first value that breaks a rule."""
    _walk(value, path, stop_at_imprecise_floats=False)


def _walk(value: Any, root: str, *, stop_at_imprecise_floats: bool) -> None:
    """Check ``value`` in document order; with ``stop_at_imprecise_floats``, raise
    ``_ImpreciseFloat`` at the first float that may stand for a larger integer.

    Iterative, so that input nested as deep as a parser allows cannot exhaust the stack.
    """
    stack: list[tuple[Any, _Trail, int]] = [(value, None, 0)]
    while stack:
        item, trail, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise UnsupportedJSON(_path(root, trail), TOO_DEEP)
            children = item.items() if isinstance(item, dict) else enumerate(item)
            # Reversed, so that the first offending value in document order is reported.
            for key, child in reversed(list(children)):
                stack.append((child, (trail, key), depth + 1))
        elif isinstance(item, int | float):
            if (
                stop_at_imprecise_floats
                and isinstance(item, float)
                and abs(item) >= _EXACT_FLOAT_LIMIT
            ):
                raise _ImpreciseFloat
            if not _in_range(item):
                raise UnsupportedJSON(
                    _path(root, trail), f"{item!r} is out of range: {NUMBER_RULE}"
                )


def _in_range(number: float) -> bool:
    # bool is an int: True and False are in range. NaN and infinities are not.
    return math.isfinite(number) and INTEGER_MIN <= number <= INTEGER_MAX


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads(text: str | bytes) -> Any:
    """Parse JSON and hold it to the rules: raises ``ValueError`` for text that is not JSON
    (NaN, lone surrogates, more than 1,024 levels included) and ``UnsupportedJSON`` for JSON
    that breaks a rule.

    orjson parses fast but reads an integer beyond 64 bits as a float, silently dropping
    digits (-2**63 - 1 would pass as -2**63). Where a large float appears, the text is read
    again with the standard library, which keeps every digit, so that such a number is
    refused as written.
    """
    value = orjson.loads(text)
    try:
        _walk(value, "", stop_at_imprecise_floats=True)
    except _ImpreciseFloat:
        try:
            value = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:  # deeper than the rule allows anyway
            raise UnsupportedJSON("", TOO_DEEP) from None
        check(value)
    return value
