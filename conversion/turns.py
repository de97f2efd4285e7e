"""Turn building for the targets whose roles must alternate (Anthropic, Gemini).

Both take the system prompt out of the conversation, merge consecutive same-role messages
into one turn, and want tool results at the start of the user turn that answers the calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conversion.conversation import Conversation, Entry, Piece

# Renders the pieces of one turn into target blocks (content blocks / parts).
BlockRenderer = Callable[[Entry, Conversation], list[Any]]
# Gives the blocks of a stored item replayed verbatim, so that it can still be merged.
RawBlocks = Callable[[Any], list[Any]]


@dataclass(slots=True)
class Turn:
    role: str  # "user" or "assistant"
    blocks: list[Any]
    sources: list[str]
    raw: Any = None  # the stored item, when this turn is exactly one stored message
    results: int = 0  # how many leading blocks are tool results


@dataclass(slots=True)
class TurnPlan:
    system_pieces: list[Piece] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)


def plan_turns(
    conversation: Conversation,
    *,
    render_blocks: BlockRenderer,
    raw_blocks: RawBlocks,
    can_replay: Callable[[Entry], bool],
    is_result: Callable[[Any], bool],
    understood_message_fields: frozenset[str],
) -> TurnPlan:
    plan = TurnPlan()
    leading = True
    for entry in conversation.entries:
        if entry.role == "system":
            if leading:
                conversation.note_message_data(entry, conversation.target, frozenset())
                plan.system_pieces.extend(entry.pieces)
                continue
            conversation.warn_message(
                entry.message,
                "system_moved",
                "a system message in the middle of the conversation is given as user text",
            )
            entry = Entry(entry.message, entry.position, "user", entry.pieces)
        leading = False
        message = conversation.verbatim(entry)
        if message is not None and can_replay(entry):
            blocks = raw_blocks(message.raw)
            turn = Turn(entry.role, blocks, [message.id], message.raw)
            turn.results = _leading_results(blocks, is_result)
            plan.turns.append(turn)
            continue
        conversation.note_message_data(entry, conversation.target, understood_message_fields)
        blocks = render_blocks(entry, conversation)
        if blocks:
            turn = Turn(entry.role, blocks, [entry.message.id])
            turn.results = _leading_results(blocks, is_result)
            plan.turns.append(turn)
    plan.turns = _merge_same_role(plan.turns, is_result)
    return plan


def _leading_results(blocks: list[Any], is_result: Callable[[Any], bool]) -> int:
    count = 0
    for block in blocks:
        if not is_result(block):
            break
        count += 1
    return count


def _merge_same_role(turns: list[Turn], is_result: Callable[[Any], bool]) -> list[Turn]:
    merged: list[Turn] = []
    for turn in turns:
        if not merged or merged[-1].role != turn.role:
            merged.append(turn)
            continue
        previous = merged[-1]
        results = [block for block in turn.blocks if is_result(block)]
        others = [block for block in turn.blocks if not is_result(block)]
        # Tool results must open the user turn; everything else keeps its order.
        blocks = (
            previous.blocks[: previous.results]
            + results
            + previous.blocks[previous.results :]
            + others
        )
        sources = previous.sources + [s for s in turn.sources if s not in previous.sources]
        merged[-1] = Turn(previous.role, blocks, sources, None, previous.results + len(results))
    return merged
