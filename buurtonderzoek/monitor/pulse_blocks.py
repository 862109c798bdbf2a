"""The release rule of safety-pulse answers: frozen places in disjoint groups, whole blocks of 10.

Apart from pulse.py because results.py (the wave results page, CSV, XLSX, PDF) uses it too; the
reasons are in pulse.py's docstring.

Every pulse answer gets its place when it is written (`place`, called under the group's row lock by
actions.record_pulse): its group (canvass x buurt x wave as they were then, `PulseGroup`), its
position among the group's answers, and per indicator its position among the group's answers with a
value for it. Position p lies in block (p - 1) // 10. Nothing about an answer's place is derived at
read time, so deleting a canvass, closing a wave or deleting other answers never moves an answer
into another block.

Release: a block is released when all 10 of its places hold a live answer. An indicator block is
released when all 10 of its answers are released answers that still have a value for it. When an
answer disappears (deleted, or its wave deleted), its blocks are withdrawn as a whole, never shown
with 9: its place is never given again (the group's counters only go up), so the other 9 are never
shown again, neither alone nor with someone new. A release before and after the deletion therefore
differ by exactly the withdrawn blocks, each 10 people.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, MutableMapping
from typing import Any

from buurtonderzoek.monitor.statistics import MIN_CELL

# One pulse answer as the release reads it: (id, group id, position, {indicator: position}, scores).
# The database requires a group and a position of every pulse answer; unplaced, it is never released.
PulseRow = tuple[int, int | None, int | None, dict[str, int], dict[str, Any]]


def has_value(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float)


def _block(position: int) -> int:
    return (position - 1) // MIN_CELL


def place(
    given: int, given_per_indicator: MutableMapping[str, int], scores: dict[str, Any]
) -> tuple[int, dict[str, int]]:
    """The next answer's position in its group and per indicator; counts it in `given_per_indicator`.

    `given` is the number of positions the group handed out so far (the caller stores position as
    the new count).
    """
    positions = {}
    for key in sorted(key for key, value in scores.items() if has_value(value)):
        given_per_indicator[key] = given_per_indicator.get(key, 0) + 1
        positions[key] = given_per_indicator[key]
    return given + 1, positions


def released_scores(answers: Iterable[PulseRow]) -> dict[int, dict[str, Any]]:
    """The released pulse answers: {response id: its released scores}.

    `answers` must hold every live answer of each group it touches (a block is whole only if all its
    answers are there). An answer missing from the result is not released at all; a released answer
    carries only the indicators whose block is released. See the module docstring.
    """
    placed = [
        (pk, group, position, positions, scores)
        for pk, group, position, positions, scores in answers
        if position is not None
    ]
    whole = Counter((group, _block(position)) for _pk, group, position, _p, _s in placed)
    released = [row for row in placed if whole[(row[1], _block(row[2]))] == MIN_CELL]
    per_indicator: Counter[tuple[int | None, str, int]] = Counter()
    for _pk, group, _position, positions, scores in released:
        for key, position in positions.items():
            if has_value(scores.get(key)):
                per_indicator[(group, key, _block(position))] += 1
    return {
        pk: {
            key: scores[key]
            for key, position in positions.items()
            if has_value(scores.get(key)) and per_indicator[(group, key, _block(position))] == MIN_CELL
        }
        for pk, group, _position, positions, scores in released
    }
