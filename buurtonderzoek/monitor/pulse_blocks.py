"""The release rule of safety-pulse answers: disjoint groups, whole blocks of 10 (see pulse.py).

Apart from pulse.py because results.py (the wave results page, CSV, XLSX, PDF) uses it too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import Any, TypeVar

from buurtonderzoek.monitor.statistics import MIN_CELL

T = TypeVar("T")


def _has_value(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float)


def _whole_blocks(items: list[T]) -> list[T]:
    return items[: len(items) - len(items) % MIN_CELL]


def released_scores(answers: Iterable[tuple[int, Hashable, dict[str, Any]]]) -> dict[int, dict[str, Any]]:
    """The released pulse answers: {response id: its released scores} from (id, group, scores).

    `group` is the disjoint group of the answer: (canvass id, buurt id, wave id). An answer missing
    from the result is not released at all; a released answer carries only the indicators whose block
    of 10 is complete. See the module docstring for why.
    """
    groups: dict[Hashable, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for pk, group, scores in answers:
        groups[group].append((pk, scores))
    released: dict[int, dict[str, Any]] = {}
    for own in groups.values():
        kept = _whole_blocks(sorted(own, key=lambda row: row[0]))
        with_value: dict[str, list[tuple[int, Any]]] = defaultdict(list)
        for pk, scores in kept:
            released[pk] = {}
            for key, value in scores.items():
                if _has_value(value):
                    with_value[key].append((pk, value))
        for key, values in with_value.items():
            for pk, value in _whole_blocks(values):
                released[pk][key] = value
    return released
