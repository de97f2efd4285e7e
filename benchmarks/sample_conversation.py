"""The conversation the read benchmarks repeat: a short trip plan in three formats, with a
system prompt, a tool call and its result, and an image by URL (never fetched: the server
fetches no URL, and no browser opens these sessions).

It is the demo's conversation as it was when the figures in the README were measured; the
demo (sessions_app/demo.py) has since taken inline media, thinking and an uploaded file,
which would change what the benchmarks measure. Kept here so that their figures stay
comparable from run to run.
"""

import copy
from typing import Any

# (format, blob, user meta) in conversation order.
SAMPLE_CONVERSATION: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "openai",
        {"role": "system", "content": "You are a concise travel assistant."},
        {"source": "demo"},
    ),
    (
        "openai",
        {"role": "user", "content": "What's the weather in Paris right now?"},
        {"source": "web"},
    ),
    (
        "openai",
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_weather_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                }
            ],
        },
        {},
    ),
    (
        "openai",
        {
            "role": "tool",
            "tool_call_id": "call_weather_1",
            "content": '{"temperature_c": 18, "sky": "light rain"}',
        },
        {},
    ),
    (
        "openai",
        {
            "role": "assistant",
            "content": "It is 18 °C with light rain in Paris: bring an umbrella.",
        },
        {},
    ),
    (
        "anthropic",
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "This is the view from my hotel. Which landmark is it?"},
                {
                    "type": "image",
                    "source": {
                        "type": "url",
                        "url": "https://upload.wikimedia.org/wikipedia/commons/8/85/Tour_Eiffel_Wikimedia_Commons_%28cropped%29.jpg",
                    },
                },
            ],
        },
        {"source": "mobile"},
    ),
    (
        "anthropic",
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "That is the Eiffel Tower, seen from the south-east."}
            ],
        },
        {},
    ),
    (
        "gemini",
        {"role": "user", "parts": [{"text": "Thanks! Plan me a two-hour walk starting there."}]},
        {"source": "web"},
    ),
    (
        "gemini",
        {
            "role": "model",
            "parts": [
                {
                    "text": "Start at the Trocadéro, cross the Seine to the Champ de Mars, then "
                    "follow the river east to the Musée d'Orsay (about 4 km)."
                }
            ],
        },
        {},
    ),
]


def sample_conversation_repeated(count: int) -> list[tuple[str, Any]]:
    """(format, blob) pairs: the sample conversation after its system prompt, repeated up to
    ``count`` messages, each round's tool-call id unique."""
    system, *rounds = SAMPLE_CONVERSATION
    messages: list[tuple[str, Any]] = [(system[0], system[1])]
    cycle = 0
    while len(messages) < count:
        for format, blob, _meta in rounds:
            blob = copy.deepcopy(blob)
            for call in blob.get("tool_calls", []):
                call["id"] = f"call_weather_{cycle}"
            if "tool_call_id" in blob:
                blob["tool_call_id"] = f"call_weather_{cycle}"
            messages.append((format, blob))
        cycle += 1
    return messages[:count]
