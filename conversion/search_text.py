"""The text of a canonical message that full-text search looks through.

The same parts as its token count (``tokens.counted_text``): text and thinking text, text
documents, tool-result text (the nested texts of a result of several parts), one piece per
part, each followed by a newline. Only a tool call reads differently: its name, then its
arguments as the client sent them. The token count takes the call as Go's ``json.Marshal``
writes ``{"arguments", "name"}``, which escapes ``<``, ``>`` and ``&`` as ``\\u003c`` and the
arguments' own quotes and newlines as ``\\"`` and ``\\n``, so that ``print(x)\\nreturn`` would
be found as ``nreturn``, and every call would match the words "arguments" and "name".
"""

from __future__ import annotations

import orjson

from conversion.canonical import JSONObject
from conversion.tokens import part_text


def searchable_text(message: JSONObject) -> str:
    pieces: list[str] = []
    for part in message["parts"]:
        if part["type"] == "tool-call":
            meta = part.get("meta") or {}
            name = meta.get("name")
            arguments = meta.get("arguments")
            if arguments is not None and not isinstance(arguments, str):
                arguments = orjson.dumps(arguments).decode()
            pieces.extend(str(piece) for piece in (name, arguments) if piece)
            continue
        text = part_text(part)
        if text:
            pieces.append(text)
    return "".join(piece + "\n" for piece in pieces)
