"""Bounded pages: whatever is stored, a page shows at most a prefix of each text.

The API returns everything; a page is for reading. A 10 MiB message shown whole in every
format of the side-by-side view made pages of hundreds of megabytes, so every user string a
template draws goes through ``clipped``, and inline media larger than
``presenters.INLINE_MEDIA_MAX_CHARS`` are not inlined (``presenters.safe_url``).
"""

from django import template

register = template.Library()

PAGE_TEXT_MAX_CHARS = 32_768


@register.filter
def clipped(value: object) -> object:
    """``value``'s first PAGE_TEXT_MAX_CHARS characters, and how much more there is."""
    if not isinstance(value, str) or len(value) <= PAGE_TEXT_MAX_CHARS:
        return value
    return (
        f"{value[:PAGE_TEXT_MAX_CHARS]}\n… clipped here: {len(value):,} characters in all. "
        "The download (⤓ JSON) has the whole message."
    )
