"""Every corpus conversation, converted to every format, is a valid request and loses nothing.

Equivalence tested for A -> B -> A (B's output stored again as B messages, then read as A):
the two A conversations have, in order,
- the same visible texts (non-blank text parts outside the system prompt; the system prompt
  is checked to be in B's separate system field instead);
- the same tool calls: name, and arguments equal as parsed JSON;
- the same tool results: the result text, equal as parsed JSON where it is a JSON object;
- the same error flags, except through OpenAI, which has none (that loss is a warning);
- the same images (base64 data or URL);
- the same pairing of calls and results, with ids equal up to a consistent renaming (Anthropic
  requires ids to match ^[a-zA-Z0-9_-]+$, so others are mapped, calls and results alike).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from conversion import FORMATS, render
from tests.conversion.conftest import (
    PROVIDERS,
    assert_valid_request,
    corpus_files,
    load_corpus,
    store,
)

CASES = [(provider, path) for provider in PROVIDERS for path in corpus_files(provider)]
IDS = [f"{provider}/{path.stem}" for provider, path in CASES]


def test_corpus_is_large_enough() -> None:
    for provider in PROVIDERS:
        assert len(corpus_files(provider)) >= 15, provider


@pytest.mark.parametrize(("provider", "path"), CASES, ids=IDS)
@pytest.mark.parametrize("target", FORMATS)
def test_every_conversion_is_a_valid_request(provider: str, path: Path, target: str) -> None:
    rendered = render(store(load_corpus(path), provider), target)
    assert_valid_request(rendered, target)
    assert len(rendered.items) == len(rendered.sources)
    assert all(sources for sources in rendered.sources)


@pytest.mark.parametrize(("provider", "path"), CASES, ids=IDS)
def test_same_format_comes_back_json_equal(provider: str, path: Path) -> None:
    blobs = load_corpus(path)
    rendered = render(store(blobs, provider), provider)
    assert json.dumps(rendered.items, sort_keys=True) == json.dumps(blobs, sort_keys=True)
    assert rendered.warnings == []


@pytest.mark.parametrize(("provider", "path"), CASES, ids=IDS)
@pytest.mark.parametrize("target", FORMATS)
def test_conversion_is_deterministic(provider: str, path: Path, target: str) -> None:
    first = render(store(load_corpus(path), provider), target)
    second = render(store(load_corpus(path), provider), target)
    assert json.dumps([first.items, first.sources, first.system]) == json.dumps(
        [second.items, second.sources, second.system]
    )
    assert first.warnings == second.warnings


@pytest.mark.parametrize(("provider", "path"), CASES, ids=IDS)
@pytest.mark.parametrize("via", FORMATS)
def test_round_trip_keeps_every_fact(provider: str, path: Path, via: str) -> None:
    original = store(load_corpus(path), provider)
    there = render(original, via)
    back = render(store(there.items, via, prefix="1"), provider)

    before = facts(render(original, "acontext").items)
    after = facts(render(store(back.items, provider, prefix="2"), "acontext").items)
    if via == "openai":
        # OpenAI has no error flag, and takes documents only as data: both losses are warned.
        before["results"] = [result[:2] for result in before["results"]]
        after["results"] = [result[:2] for result in after["results"]]
        url_files = [file for file in before["files"] if file.startswith(("https:", "gs:"))]
        before["files"] = [file for file in before["files"] if file not in url_files]
        unsupported = [w for w in there.warnings if w.code == "media_unsupported"]
        assert len(unsupported) == len(url_files)
    if via not in (provider, "acontext"):
        # A file known only by a provider's own reference cannot go to another provider.
        own = [file for file in before["files"] if file.startswith("provider-only:")]
        before["files"] = [file for file in before["files"] if file not in own]
        assert len([w for w in there.warnings if w.code == "media_unsupported"]) >= len(own)
    if via in ("anthropic", "gemini"):
        # The leading system prompt is not a message there: it is the separate system field.
        assert system_texts(there.system) == before.pop("system")
        assert after.pop("system") == []
    assert after == before


def system_texts(system: Any) -> list[str]:
    if system is None:
        return []
    if isinstance(system, str):
        return [system]
    if isinstance(system, dict):
        return [part["text"] for part in system["parts"]]
    return [block["text"] for block in system]


def facts(messages: list[dict[str, Any]]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {
        "system": [],
        "texts": [],
        "calls": [],
        "results": [],
        "images": [],
        "files": [],
    }
    renamed: dict[str, str] = {}

    def rename(tool_id: str | None) -> str:
        # Ids equal up to a consistent renaming: number them in order of first appearance.
        key = str(tool_id)
        return renamed.setdefault(key, f"id{len(renamed)}")

    leading = True
    for message in messages:
        is_system = (message.get("meta") or {}).get("role") in ("system", "developer")
        leading = leading and is_system
        for part in message["parts"]:
            kind = part["type"]
            meta = part.get("meta") or {}
            if kind == "text" and part.get("text", "").strip():
                found["system" if leading else "texts"].append(part["text"])
            elif kind == "tool-call":
                found["calls"].append(
                    (rename(meta.get("id")), meta["name"], parsed(meta["arguments"]))
                )
            elif kind == "tool-result":
                found["results"].append(
                    (
                        rename(meta.get("tool_call_id")),
                        parsed(part.get("text", "")),
                        bool(meta.get("is_error")),
                    )
                )
                for nested in meta.get("content") or []:
                    if nested["type"] == "image":
                        found["images"].append(image_source(nested))
                    elif nested["type"] == "file":
                        found["files"].append(file_content(nested))
            elif kind == "image":
                found["images"].append(image_source(part))
            elif kind == "file":
                found["files"].append(file_content(part))
    # Media may move (OpenAI lifts it out of tool results), so it is compared as a multiset.
    found["images"].sort()
    found["files"].sort()
    return found


def image_source(part: dict[str, Any]) -> str:
    meta = part.get("meta") or {}
    return str(meta.get("data") or meta.get("url"))


def file_content(part: dict[str, Any]) -> str:
    meta = part.get("meta") or {}
    if "text" in part:
        return str(part["text"])
    if meta.get("media_type") == "text/plain" and "data" in meta:
        return base64.b64decode(meta["data"]).decode("utf-8")
    if "data" in meta or "url" in meta:
        return str(meta.get("data") or meta.get("url"))
    # A provider's own file reference (an OpenAI file_id, an Anthropic file source).
    return "provider-only:" + json.dumps(meta, sort_keys=True)


def parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text
