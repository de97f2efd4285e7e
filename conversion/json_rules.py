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


def _child_path(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def check(value: Any, path: str = "") -> None:
    """Raise ``UnsupportedJSON`` naming the first value that breaks a rule.

    Iterative, so that input nested as deep as a parser allows cannot exhaust the stack.
    """
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise UnsupportedJSON(
                    where, f"nested more than {MAX_DEPTH} levels deep (arrays and objects)"
                )
            children = item.items() if isinstance(item, dict) else enumerate(item)
            # Reversed, so that the first offending value in document order is reported.
            for key, child in reversed(list(children)):
                stack.append((child, _child_path(where, key), depth + 1))
        elif isinstance(item, int | float) and not _in_range(item):
            raise UnsupportedJSON(where, f"{item!r} is out of range: {NUMBER_RULE}")


def _in_range(number: float) -> bool:
    # bool is an int: True and False are in range. NaN and infinities are not.
    return math.isfinite(number) and INTEGER_MIN <= number <= INTEGER_MAX


# Beyond this a float no longer holds every integer exactly.
_EXACT_FLOAT_LIMIT = 2.0**53


def _has_large_float(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and abs(item) >= _EXACT_FLOAT_LIMIT:
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


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
    if _has_large_float(value):
        try:
            value = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError:  # deeper than the rule allows anyway
            raise UnsupportedJSON(
                "", f"nested more than {MAX_DEPTH} levels deep (arrays and objects)"
            ) from None
    check(value)
    return value
