"""Faithful conversion between OpenAI, Anthropic, Gemini and the canonical (acontext) format.

Pure Python, no Django: the service calls ``normalize`` when a message is stored and
``render`` when a conversation is read.
"""

from conversion.api import approximate_tokens, check_format, normalize, render
from conversion.canonical import (
    FORMATS,
    ConversionWarning,
    InvalidMessage,
    Rendered,
    StoredMessage,
    UnknownFormat,
)

__all__ = [
    "FORMATS",
    "ConversionWarning",
    "InvalidMessage",
    "Rendered",
    "StoredMessage",
    "UnknownFormat",
    "approximate_tokens",
    "check_format",
    "normalize",
    "render",
]
