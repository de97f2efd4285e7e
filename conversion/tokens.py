"""Token counts with o200k_base, counted the way the Acontext server counts them.

Per message, the counted text is every text-bearing part followed by a newline: text and
thinking text, each tool call as the compact JSON ``{"arguments": ..., "name": ...}`` (sorted
keys and HTML-safe escapes, as Go's ``json.Marshal`` writes it), and tool-result text. Media
count 0. A message's count is the o200k_base token count of that text; a conversation's is the
sum over its messages.

tiktoken downloads its vocabularies at run time, which fails without network (here, and in
many deployments), so the o200k_base vocabulary ships in ``data/`` and its sha256 is checked
against the one tiktoken itself expects.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import orjson
import tiktoken

from conversion.canonical import JSONObject

VOCABULARY = Path(__file__).parent / "data" / "o200k_base.tiktoken.gz"
# tiktoken_ext.openai_public.o200k_base's expected_hash of the uncompressed file.
VOCABULARY_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
# tiktoken_ext.openai_public.o200k_base: the pre-tokenizer pattern and the special tokens.
O200K_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
O200K_SPECIAL_TOKENS = {"<|endoftext|>": 199999, "<|endofprompt|>": 200018}

# Go's encoding/json escapes these in strings; the counts must see the same bytes.
_GO_JSON_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


@cache
def encoding() -> tiktoken.Encoding:
    data = gzip.decompress(VOCABULARY.read_bytes())
    if hashlib.sha256(data).hexdigest() != VOCABULARY_SHA256:
        raise RuntimeError(f"{VOCABULARY} is not the o200k_base vocabulary")
    ranks = {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in data.splitlines() if line)
    }
    return tiktoken.Encoding(
        "o200k_base",
        pat_str=O200K_PATTERN,
        mergeable_ranks=ranks,
        special_tokens=O200K_SPECIAL_TOKENS,
    )


def count_text(text: str) -> int:
    # Special-token text in a message is ordinary text, never a control token.
    return len(encoding().encode_ordinary(text))


def _tool_call_json(meta: JSONObject) -> str:
    fields = {key: meta[key] for key in ("arguments", "name") if key in meta}
    return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS).decode().translate(_GO_JSON_ESCAPES)


def counted_text(message: JSONObject) -> str:
    """The text of a canonical message that its token count is taken over."""
    pieces: list[str] = []
    for part in message["parts"]:
        kind = part["type"]
        if kind == "tool-call":
            pieces.append(_tool_call_json(part.get("meta") or {}))
            continue
        text = part_text(part)
        if text:
            pieces.append(text)
    return "".join(piece + "\n" for piece in pieces)


def part_text(part: JSONObject) -> str | None:
    """The text a part other than a tool call carries (None or "" when it has none)."""
    text: str | None = part.get("text")
    if not text and part["type"] == "tool-result":
        # A result of several parts keeps its texts in meta.content (Acontext stores them
        # in the result's own text): count those texts.
        nested = (part.get("meta") or {}).get("content") or []
        text = "\n".join(child["text"] for child in nested if child.get("text"))
    return text


def count_message(message: JSONObject) -> int:
    text = counted_text(message)
    return count_text(text) if text else 0


def count_messages(messages: Iterable[JSONObject]) -> int:
    return sum(count_message(message) for message in messages)
