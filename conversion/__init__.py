"""Faithful conversion between OpenAI, Anthropic, Gemini and the canonical (acontext) format.

Pure Python, no Django: the service calls ``normalize`` (and ``count_message_tokens`` and
``searchable_text``) when a message is stored, and ``edit`` then ``render`` when a conversation
is read.
"""

from conversion.api import check_format, normalize, render
from conversion.canonical import (
    FORMATS,
    ConversionWarning,
    InvalidMessage,
    Rendered,
    StoredMessage,
    UnknownFormat,
)
from conversion.conversation import EarlierCalls
from conversion.editing import (
    STRATEGY_TYPES,
    Edited,
    InvalidEditStrategy,
    Strategy,
    edit,
    message_tokens,
    parse_strategies,
)
from conversion.search_text import searchable_text
from conversion.tokens import count_message as count_message_tokens

__all__ = [
    "FORMATS",
    "STRATEGY_TYPES",
    "ConversionWarning",
    "EarlierCalls",
    "Edited",
    "InvalidEditStrategy",
    "InvalidMessage",
    "Rendered",
    "StoredMessage",
    "Strategy",
    "UnknownFormat",
    "check_format",
    "count_message_tokens",
    "edit",
    "message_tokens",
    "normalize",
    "parse_strategies",
    "render",
    "searchable_text",
]
