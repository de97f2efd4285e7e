"""Pages: converted messages as bubbles (one format) and rows (side by side), with each
message's stored position and warnings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import conversion
from sessions_app.services import ConvertedMessages

from .blocks import (
    FORMAT_LABELS,
    ROLE_STYLES,
    Block,
    pretty_json,
)
from .formats import present_item, present_system


@dataclass(frozen=True, slots=True)
class StoredPosition:
    """Where a stored message sits: its seq (the conversation order) and the format it came in,
    when it was stored and its o200k_base token count."""

    message_id: str
    seq: int
    format: str
    created_at: datetime | None = None
    tokens: int = 0

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS.get(self.format, self.format)


@dataclass(frozen=True, slots=True)
class ShownWarning:
    """A conversion warning with the seq of the stored message it concerns."""

    seq: int | None
    part_index: int | None
    code: str
    detail: str

    @classmethod
    def of(
        cls, warning: conversion.ConversionWarning, positions: Mapping[str, StoredPosition]
    ) -> ShownWarning:
        position = positions.get(warning.message_id)
        return cls(
            seq=position.seq if position is not None else None,
            part_index=warning.part_index,
            code=warning.code,
            detail=warning.detail,
        )


@dataclass(slots=True)
class Bubble:
    """One converted item, ready to draw, with the stored messages it comes from."""

    role: str
    style: str
    name: str
    blocks: list[Block]
    message_id: str
    seq: int | None
    source_seqs: list[int]
    meta_json: str
    item_json: str
    warnings: list[ShownWarning] = field(default_factory=list)
    # When its (first) stored message was stored, and the tokens of every message it covers.
    created_at: datetime | None = None
    tokens: int = 0

    @property
    def covered_range(self) -> str:
        """The stored messages this item comes from, when there are several ("#4–#5")."""
        return seq_range(self.source_seqs) if len(self.source_seqs) > 1 else ""

    @property
    def also_covers(self) -> str:
        return seq_range(self.source_seqs[1:])


def seq_range(seqs: Sequence[int]) -> str:
    ordered = sorted(seqs)
    if not ordered:
        return ""
    if len(ordered) == 1:
        return f"#{ordered[0]}"
    if ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"#{ordered[0]}–#{ordered[-1]}"
    return ", ".join(f"#{seq}" for seq in ordered)


@dataclass(slots=True)
class PresentedPage:
    target_format: str
    system: list[Block]
    bubbles: list[Bubble]
    # Warnings about stored messages that no item of this page comes from.
    loose_warnings: list[ShownWarning]


def _bubbles(
    target_format: str, page: ConvertedMessages, positions: Mapping[str, StoredPosition]
) -> list[Bubble]:
    def seq_of(message_id: str) -> int | None:
        position = positions.get(message_id)
        return position.seq if position is not None else None

    # The SDK's public_urls: the links that the page's read made for its uploaded files.
    asset_urls = {sha256: link["url"] for sha256, link in (page.public_urls or {}).items()}
    bubbles = []
    for item, message_id, meta, sources in zip(
        page.items, page.ids, page.metas, page.sources, strict=True
    ):
        presented = present_item(target_format, item, asset_urls)
        first = positions.get(message_id)
        bubbles.append(
            Bubble(
                role=presented.role,
                style=ROLE_STYLES.get(presented.role, "other"),
                name=presented.name,
                blocks=presented.blocks,
                message_id=message_id,
                seq=seq_of(message_id),
                source_seqs=[seq for seq in map(seq_of, sources) if seq is not None],
                meta_json=pretty_json(meta),
                item_json=pretty_json(item),
                created_at=first.created_at if first is not None else None,
                tokens=sum(positions[source].tokens for source in sources if source in positions),
            )
        )
    return bubbles


def present_page(
    target_format: str, page: ConvertedMessages, positions: Mapping[str, StoredPosition]
) -> PresentedPage:
    """A page (oldest first) as bubbles, each warning on the first item of its message."""
    bubbles = _bubbles(target_format, page, positions)
    first_bubble_of: dict[str, Bubble] = {}
    for bubble, sources in zip(bubbles, page.sources, strict=True):
        for message_id in sources:
            first_bubble_of.setdefault(message_id, bubble)
    loose = []
    for warning in page.warnings:
        shown = ShownWarning.of(warning, positions)
        owner = first_bubble_of.get(warning.message_id)
        if owner is None:
            loose.append(shown)
        else:
            owner.warnings.append(shown)
    return PresentedPage(
        target_format=target_format,
        system=present_system(target_format, page.system),
        bubbles=bubbles,
        loose_warnings=loose,
    )


@dataclass(slots=True)
class Cell:
    """One format's items for one stored message (a row of the side-by-side table)."""

    target_format: str
    bubbles: list[Bubble] = field(default_factory=list)
    warnings: list[ShownWarning] = field(default_factory=list)
    rowspan: int = 1
    # Drawn by a cell above whose item also comes from this row's message.
    covered: bool = False
    # The message went into the format's separate system prompt (the first row of the table).
    in_system: bool = False


@dataclass(slots=True)
class Row:
    position: StoredPosition
    cells: list[Cell]


@dataclass(slots=True)
class SystemCell:
    target_format: str
    blocks: list[Block]
    system_json: str  # the separate system prompt as the API returns it, for the raw view


@dataclass(slots=True)
class SideBySide:
    formats: list[str]
    system: list[SystemCell]  # empty when no format has a separate system prompt
    rows: list[Row]


def present_side_by_side(
    pages: Mapping[str, ConvertedMessages], positions: Mapping[str, StoredPosition]
) -> SideBySide:
    """Every format's items aligned on the stored messages they come from, one row each."""
    ordered = sorted(positions.values(), key=lambda position: position.seq)
    row_index = {position.message_id: index for index, position in enumerate(ordered)}
    rows = [Row(position=position, cells=[]) for position in ordered]
    system: list[SystemCell] = []
    for target_format, page in pages.items():
        cells = _column(target_format, page, positions, row_index)
        for row, cell in zip(rows, cells, strict=True):
            row.cells.append(cell)
        system.append(
            SystemCell(
                target_format=target_format,
                blocks=present_system(target_format, page.system),
                system_json=pretty_json(page.system) if page.system is not None else "",
            )
        )
    if not any(cell.blocks for cell in system):
        system = []
    return SideBySide(formats=list(pages), system=system, rows=rows)


def _column(
    target_format: str,
    page: ConvertedMessages,
    positions: Mapping[str, StoredPosition],
    row_index: Mapping[str, int],
) -> list[Cell]:
    """One format's cells, one per row.

    An item sits in the row of its first source. When it comes from several consecutive
    messages (Anthropic and Gemini merge tool results) and no other item of its format starts
    in those rows, its cell spans them; otherwise its note says which messages it also covers.
    """
    cells = [Cell(target_format=target_format) for _ in row_index]
    spans: list[tuple[int, list[int]]] = []
    for bubble, sources in zip(_bubbles(target_format, page, positions), page.sources, strict=True):
        anchor = row_index[bubble.message_id]
        cells[anchor].bubbles.append(bubble)
        spans.append((anchor, sorted(row_index[source] for source in sources)))
    for anchor, source_rows in spans:
        later = source_rows[1:]
        contiguous = source_rows == list(range(anchor, anchor + len(source_rows)))
        if later and contiguous and not any(cells[row].bubbles for row in later):
            cells[anchor].rowspan = max(cells[anchor].rowspan, len(source_rows))
            for row in later:
                cells[row].covered = True

    for warning in page.warnings:
        if warning.message_id not in row_index:
            continue
        drawn_in = row_index[warning.message_id]
        # A covered row's warnings go to the spanning cell that draws that row.
        while cells[drawn_in].covered:
            drawn_in -= 1
        cells[drawn_in].warnings.append(ShownWarning.of(warning, positions))

    if page.system is not None:
        # Leading messages without an item are the ones that became the system prompt.
        for cell in cells:
            if cell.bubbles or cell.covered:
                break
            cell.in_system = True
    return cells
