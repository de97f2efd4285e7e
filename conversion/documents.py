"""Text documents: the documents whose content is text, and how they read as plain text.

A canonical ``file`` part is a text document when it carries its text (an Anthropic text or
content source, a search result) or base64 data of a text type (Gemini ``inlineData`` of
text/plain or text/csv). Targets without text documents take them as text parts (OpenAI
Chat Completions ``file`` parts take PDF only; a Gemini function response holds its text in
``response``); the title, and a search result's source, open the text so nothing is lost.
"""

from __future__ import annotations

from conversion import media
from conversion.canonical import JSONObject

# Besides text/*: the common text formats registered under application/.
TEXT_APPLICATION_TYPES = frozenset(("application/json", "application/xml"))


def is_text_type(media_type: str | None) -> bool:
    if media_type is None:
        return False
    return media_type.startswith("text/") or media_type in TEXT_APPLICATION_TYPES


def text_of(part: JSONObject) -> str | None:
    """The text of a text document, or None when the part is not one (or its data is not
    UTF-8)."""
    if part["type"] != "file":
        return None
    if "text" in part:
        return str(part["text"])
    meta = part.get("meta") or {}
    if "data" in meta and is_text_type(meta.get("media_type")):
        return media.decode_text(meta["data"])
    return None


def as_text(part: JSONObject, text: str) -> str:
    """A text document as one text: its title and source (when it has them) open it."""
    header = [
        line for line in (part.get("filename"), (part.get("meta") or {}).get("source")) if line
    ]
    if not header:
        return text
    return "\n".join(header) + "\n\n" + text


def result_text(part: JSONObject) -> str:
    """A tool result's text, with the text of the documents it holds (search results, text
    files) in their places: for targets whose results are text only."""
    nested = (part.get("meta") or {}).get("content")
    if nested is None:
        return str(part.get("text", ""))
    texts = []
    has_documents = False
    for nested_part in nested:
        if nested_part["type"] == "text":
            texts.append(str(nested_part.get("text", "")))
            continue
        text = text_of(nested_part)
        if text is not None:
            texts.append(as_text(nested_part, text))
            has_documents = True
    # The reader's joined text, unless documents add to it.
    return "\n".join(texts) if has_documents else str(part.get("text", ""))
