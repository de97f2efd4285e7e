"""Conversion throughput for every source -> target pair, against a JSON parse + serialize floor.

    python benchmarks/conversion_speed.py [--messages 10000] [--repeat 5]

A generated agent conversation (user text, assistant text with parallel tool calls, tool
results, screenshots as base64 images) is produced in each source format. For each pair it
times the read path, ``render`` of the stored conversation, and the full path, ``normalize``
of every blob (what storing does) plus ``render``; the floor is ``json.loads`` + ``json.dumps``
of the same source blobs, measured in the same run. Figures are the best of ``--repeat`` runs,
each with the garbage collector paused (as timeit does).

Where LiteLLM is installed (``pip install -e '.[bench]'``), the same conversation is also
converted by LiteLLM's own message transformations, timed in the same run beside this
converter's read path (``render`` of the stored conversation) and full path (``normalize`` +
``render``): OpenAI to Anthropic (its system message split and ``anthropic_messages_pt``) and
to Gemini (``transform_system_message`` and ``gemini_convert_messages_with_history``), OpenAI
to Responses input items (``convert_chat_completion_messages_to_responses_api``) and back
(``transform_responses_api_input_to_messages``). LiteLLM changes the list it is given, so each
of its runs gets a fresh copy, made outside the timing.
"""

from __future__ import annotations

import argparse
import base64
import copy
import gc
import json
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conversion import FORMATS, StoredMessage, normalize, render

# A small but real image, as agents attach screenshots: 1 KiB of base64.
SCREENSHOT = base64.b64encode(bytes(range(256)) * 3).decode("ascii")


def agent_conversation_openai(count: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"role": "system", "content": "You are a coding agent."}]
    step = 0
    while len(messages) < count:
        calls = [
            {
                "id": f"call_{step}_{index}",
                "type": "function",
                "function": {
                    "name": "read_file" if index == 0 else "run_tests",
                    "arguments": json.dumps({"path": f"src/module_{step}.py", "line": index}),
                },
            }
            for index in range(2)
        ]
        messages.append(
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": f"Step {step}: fix the failing test, see screenshot."},
                    {
                        "type": "image_url",
                        "image_url": {"url": "data:image/png;base64," + SCREENSHOT},
                    },
                ],
            }
        )
        messages.append(
            {"role": "assistant", "content": f"Looking at step {step}.", "tool_calls": calls}
        )
        for call in calls:
            messages.append(
                {"role": "tool", "tool_call_id": call["id"], "content": f"ok: {step} " + "x" * 200}
            )
        messages.append({"role": "assistant", "content": f"Step {step} is fixed: " + "y" * 120})
        step += 1
    return messages[:count]


def stored(blobs: list[Any], format: str) -> list[StoredMessage]:
    return [
        StoredMessage(
            f"00000000-0000-4000-8000-{index:012d}", format, blob, normalize(blob, format)
        )
        for index, blob in enumerate(blobs)
    ]


def timed(work: Callable[[], object]) -> float:
    """Seconds one run of ``work`` takes, with the cyclic garbage collector paused as timeit
    pauses it: otherwise a run pays, at random, for walking every object the benchmark keeps
    alive (tens of thousands of messages), and figures moved by a factor of two between runs.
    """
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        work()
        return time.perf_counter() - started
    finally:
        gc.enable()


def best_of(repeat: int, work: Callable[[], object]) -> float:
    return min(timed(work) for _ in range(repeat))


def best_of_on_copies(repeat: int, work: Callable[[Any], object], data: Any) -> float:
    """``best_of`` for work that changes its input: each run gets a deep copy, made untimed."""
    return min(timed(partial(work, copy.deepcopy(data))) for _ in range(repeat))


# (source, target) -> LiteLLM's conversion of a conversation stored in ``source``.
LiteLLMConverters = dict[tuple[str, str], Callable[[list[Any]], object]]


def litellm_converters() -> LiteLLMConverters | None:
    """LiteLLM's own message transformations, or None when LiteLLM is not installed: OpenAI
    Chat Completions to Anthropic and to Gemini, and both ways between Chat Completions and
    the Responses API's input items."""
    # Its price list is in the package; without this it tries to download one at import.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    try:
        from litellm.completion_extras.litellm_responses_transformation.transformation import (
            LiteLLMResponsesTransformationHandler,
        )
        from litellm.litellm_core_utils.prompt_templates.factory import anthropic_messages_pt
        from litellm.llms.anthropic.chat.transformation import AnthropicConfig
        from litellm.llms.vertex_ai.gemini.transformation import (
            _gemini_convert_messages_with_history,
            _transform_system_message,
        )
        from litellm.responses.litellm_completion_transformation.transformation import (
            LiteLLMCompletionResponsesConfig,
        )
    except ImportError:
        return None

    def to_anthropic(messages: list[Any]) -> object:
        system = AnthropicConfig().translate_system_message(messages=messages)
        return system, anthropic_messages_pt(
            messages=messages, model="claude-sonnet-4-5", llm_provider="anthropic"
        )

    def to_gemini(messages: list[Any]) -> object:
        system, rest = _transform_system_message(supports_system_message=True, messages=messages)
        return system, _gemini_convert_messages_with_history(messages=rest)

    # Untyped where LiteLLM is installed, unknown where it is not: Any either way.
    handler: Any = LiteLLMResponsesTransformationHandler

    def to_responses(messages: list[Any]) -> object:
        return handler().convert_chat_completion_messages_to_responses_api(messages)

    def from_responses(items: list[Any]) -> object:
        return LiteLLMCompletionResponsesConfig.transform_responses_api_input_to_messages(items, {})

    return {
        ("openai", "anthropic"): to_anthropic,
        ("openai", "gemini"): to_gemini,
        ("openai", "openai_responses"): to_responses,
        ("openai_responses", "openai"): from_responses,
    }


def compare_with_litellm(openai_blobs: list[Any], repeat: int) -> None:
    converters = litellm_converters()
    if converters is None:
        print("\nLiteLLM is not installed (pip install -e '.[bench]'): no comparison")
        return
    from importlib.metadata import version

    print(f"\nagainst LiteLLM {version('litellm')}, the same conversation in the source format:")
    print_header(
        f"{'source -> target':28} {'msgs':>6} {'LiteLLM ms':>11} {'render ms':>10}"
        f" {'x LiteLLM':>10} {'store+render ms':>16} {'x LiteLLM':>10}"
    )
    for (source, target), convert in converters.items():
        blobs = source_blobs(source, openai_blobs)
        messages = stored(blobs, source)
        theirs = best_of_on_copies(repeat, convert, blobs)
        read = best_of(repeat, partial(render, messages, target))
        full = best_of(repeat, partial(store_and_render, blobs, source, target))
        print(
            f"{source + ' -> ' + target:28} {len(blobs):>6} {theirs * 1000:>11.1f}"
            f" {read * 1000:>10.1f} {read / theirs:>10.2f} {full * 1000:>16.1f}"
            f" {full / theirs:>10.2f}"
        )


def print_header(header: str) -> None:
    print(header)
    print("-" * len(header))


def json_round_trip(text: str) -> str:
    return json.dumps(json.loads(text))


def store_and_render(blobs: list[Any], source: str, target: str) -> object:
    return render(stored(blobs, source), target)


def source_blobs(format: str, openai_blobs: list[Any]) -> list[Any]:
    if format == "openai":
        return openai_blobs
    # Each item of the rendered conversation is one message stored in that format.
    items = render(stored(openai_blobs, "openai"), format).items
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()

    openai_blobs = agent_conversation_openai(arguments.messages)
    print(f"{arguments.messages} generated OpenAI messages; best of {arguments.repeat} runs\n")
    print_header(
        f"{'source -> target':36} {'msgs':>6} {'render msg/s':>13} {'x floor':>8}"
        f" {'store+render msg/s':>19} {'x floor':>8} {'floor msg/s':>12}"
    )
    worst = 0.0
    for source in FORMATS:
        blobs = source_blobs(source, openai_blobs)
        floor = best_of(arguments.repeat, partial(json_round_trip, json.dumps(blobs)))
        messages = stored(blobs, source)
        for target in FORMATS:
            read = best_of(arguments.repeat, partial(render, messages, target))
            full = best_of(arguments.repeat, partial(store_and_render, blobs, source, target))
            worst = max(worst, read / floor)
            count = len(blobs)
            print(
                f"{source + ' -> ' + target:36} {count:>6} {count / read:>13,.0f}"
                f" {read / floor:>8.2f} {count / full:>19,.0f} {full / floor:>8.2f}"
                f" {count / floor:>12,.0f}"
            )
    print(f"\nworst render / floor ratio: {worst:.2f}x (aim: at most 3x)")
    compare_with_litellm(openai_blobs, arguments.repeat)


if __name__ == "__main__":
    main()
