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
# Gives the blocks of a stored item replayed verbatim, so that it can still be merged: a new
# list, which a merge extends.
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
            _add(
                plan.turns, entry.role, raw_blocks(message.raw), message.id, message.raw, is_result
            )
            continue
        conversation.note_message_data(entry, conversation.target, understood_message_fields)
        blocks = render_blocks(entry, conversation)
        if blocks:
            _add(plan.turns, entry.role, blocks, entry.message.id, None, is_result)
    return plan


def _add(
    turns: list[Turn],
    role: str,
    blocks: list[Any],
    source: str,
    raw: Any,
    is_result: Callable[[Any], bool],
) -> None:
    """Add a message's blocks as a turn, or into the turn before when it has the same role
    (the targets alternate roles): tool results open the merged user turn, and everything
    else keeps its order."""
    previous = turns[-1] if turns else None
    if previous is None or previous.role != role:
        turns.append(Turn(role, blocks, [source], raw, _leading_results(blocks, is_result)))
        return
    previous.raw = None  # no longer exactly one stored message
    results = [block for block in blocks if is_result(block)]
    if results:
        at = previous.results
        previous.blocks[at:at] = results
        previous.results += len(results)
        blocks = [block for block in blocks if not is_result(block)]
    previous.blocks.extend(blocks)
    if source not in previous.sources:
        previous.sources.append(source)


def _leading_results(blocks: list[Any], is_result: Callable[[Any], bool]) -> int:
    count = 0
    for block in blocks:
        if not is_result(block):
            break
        count += 1
    return count
