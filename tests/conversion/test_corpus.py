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

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conversion import FORMATS, documents, render
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
@pytest.mark.parametrize("target", PROVIDERS)
def test_every_page_is_a_valid_request(provider: str, path: Path, target: str) -> None:
    """A page may start at any message: with results whose calls are on the page before, in
    the middle of a tool run, or with an assistant turn."""
    stored = store(load_corpus(path), provider)
    for start in range(1, len(stored)):
        page = stored[start:]
        rendered = render(page, target)
        assert_valid_request(rendered, target)
        assert {w.message_id for w in rendered.warnings} <= {m.id for m in page}


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
    if via not in (provider, "acontext"):
        # Media known only by a provider's own file reference cannot go to another provider.
        readers = {via, *FILE_READERS.get(via, ())}
        bound = [
            (kind, source)
            for kind in ("images", "files", "sounds")
            for source in before[kind]
            if source.startswith("provider-only:") and source.split(":")[1] not in readers
        ]
        for kind, source in bound:
            before[kind].remove(source)
        assert len([w for w in there.warnings if w.code == "file_reference_dropped"]) == len(bound)
    # Audio and video are counted above only: Anthropic takes neither, OpenAI no video (warned).
    before.pop("sounds")
    after.pop("sounds")
    if via in ("openai", "openai_responses"):
        # Neither OpenAI format has an error flag (the loss is warned).
        before["results"] = [result[:2] for result in before["results"]]
        after["results"] = [result[:2] for result in after["results"]]
    if via == "openai":
        # Chat Completions takes documents only as data, images only by URL or as data: the
        # losses are warned.
        url_files = [file for file in before["files"] if file.startswith(("https:", "gs:"))]
        before["files"] = [file for file in before["files"] if file not in url_files]
        id_images = [image for image in before["images"] if image.startswith("provider-only:")]
        before["images"] = [image for image in before["images"] if image not in id_images]
        unsupported = [w for w in there.warnings if w.code == "media_unsupported"]
        assert len(unsupported) == len(url_files) + len(id_images)
    # A text file kept as a file where files have no name (Gemini inlineData) loses the name
    # that opened its text elsewhere, and says so.
    unnamed = [
        found[1]
        for w in there.warnings
        if (found := re.fullmatch(r"left out: the file name '(.+)'", w.detail))
    ]
    for name in unnamed:
        before["texts"] = [text.removeprefix(f"{name}\n\n") for text in before["texts"]]
    # Tool names the target does not allow are mapped, calls and results alike, and said so.
    mapped = dict(mapped_name(w.detail) for w in there.warnings if w.code == "tool_name_mapped")
    before["calls"] = [(i, mapped.get(name, name), args) for i, name, args in before["calls"]]
    if via in ("anthropic", "gemini"):
        # The leading system prompt is not a message there: it is the separate system field.
        assert system_texts(there.system) == before.pop("system")
        assert after.pop("system") == []
    assert after == before


# Which issuers' file references a format reads besides its own: both OpenAI formats read
# the OpenAI Files API's ids.
FILE_READERS = {"openai_responses": ("openai",)}
# Provider data that says how a part was shaped rather than what it holds (a document's
# content source, a search result's block: their text reaches every target), or that names
# an item on OpenAI's servers (its id and status).
SHAPE_KEYS = {
    "openai": set(),
    "anthropic": {"source", "block"},
    "gemini": {"role_missing"},
    "openai_responses": {"id", "status"},
}
# Chat Completions data the Responses format carries too.
CARRIED = {("openai_responses", "openai"): {"file_id", "detail", "refusal", "custom"}}


CROSS_CASES = [
    (provider, path, target)
    for provider, path in CASES
    for target in PROVIDERS
    if target != provider
]


@pytest.mark.parametrize(
    ("provider", "path", "target"),
    CROSS_CASES,
    ids=[f"{provider}/{path.stem}-to-{target}" for provider, path, target in CROSS_CASES],
)
def test_provider_data_is_never_dropped_silently(provider: str, path: Path, target: str) -> None:
    """Every part (or nested part) and message carrying another provider's fields is named
    by a warning of its message and part (a read in the same format replays it as stored)."""
    stored = store(load_corpus(path), provider)
    rendered = render(stored, target)
    warned = {(w.message_id, w.part_index) for w in rendered.warnings}

    def foreign(container: dict[str, Any]) -> bool:
        meta = container.get("meta") or {}
        return any(
            set(meta.get(other) or {}) - SHAPE_KEYS[other] - CARRIED.get((target, other), set())
            for other in PROVIDERS
            if other != target
        )

    for message in stored:
        if foreign(message.canonical):
            assert (message.id, None) in warned, message.canonical
        for index, part in enumerate(message.canonical["parts"]):
            nested = (part.get("meta") or {}).get("content") or []
            if foreign(part) or any(foreign(inner) for inner in nested):
                assert (message.id, index) in warned, part


def mapped_name(detail: str) -> tuple[str, str]:
    found = re.fullmatch(r"tool name '(.+)' is given as '(.+)'", detail)
    assert found is not None, detail
    return found[1], found[2]


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
        "sounds": [],  # audio and video, for the count of provider-bound files
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
            document = documents.text_of(part)
            if document is not None:
                # A text document reads as a text, title first, in targets without them.
                found["texts"].append(documents.as_text(part, document))
            elif kind == "text" and part.get("text", "").strip():
                found["system" if leading else "texts"].append(part["text"])
            elif kind == "tool-call":
                found["calls"].append(
                    (rename(meta.get("id")), meta["name"], parsed(meta["arguments"]))
                )
            elif kind == "tool-result":
                found["results"].append(
                    (
                        rename(meta.get("tool_call_id")),
                        parsed(documents.result_text(part)),
                        bool(meta.get("is_error")),
                    )
                )
                for nested in meta.get("content") or []:
                    if documents.text_of(nested) is not None:
                        continue  # in the result's text
                    if nested["type"] == "image":
                        found["images"].append(media_source(nested))
                    elif nested["type"] == "file":
                        found["files"].append(media_source(nested))
            elif kind == "image":
                found["images"].append(media_source(part))
            elif kind in ("audio", "video"):
                found["sounds"].append(media_source(part))
            elif kind == "file":
                found["files"].append(media_source(part))
    # Media may move (OpenAI lifts it out of tool results), so it is compared as a multiset.
    found["images"].sort()
    found["files"].sort()
    found["sounds"].sort()
    return found


def media_source(part: dict[str, Any]) -> str:
    meta = part.get("meta") or {}
    if ("data" not in meta and "url" not in meta) or is_gemini_file(meta.get("url")):
        return provider_only(meta)
    return str(meta.get("data") or meta.get("url"))


def is_gemini_file(url: str | None) -> bool:
    return url is not None and url.startswith("https://generativelanguage.googleapis.com/")


def provider_only(meta: dict[str, Any]) -> str:
    """A file known only by its issuer's reference: a Gemini Files API URI, an OpenAI
    file_id, an Anthropic file source."""
    issuer = "gemini" if "url" in meta else "openai" if "openai" in meta else "anthropic"
    return f"provider-only:{issuer}:" + json.dumps(meta, sort_keys=True)


def parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text
