"""Per-cell running totals (ResultCell) and their one-pass rebuild.

A cell's `moments` maps an indicator key to `[n, sum, sum of squares]` of the respondents' scores.
`add_response` folds one completed response in (inside the completing transaction, under a row lock
on the cell); `rebuild_cells` recomputes a wave from its responses in a single pass over
`values_list` rows and must always agree with the incremental totals (tested).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction

from buurtonderzoek.monitor.models import Response, ResponseStatus, ResultCell, Source, Wave, WaveBuurt
from buurtonderzoek.monitor.statistics import Moments

CELL_SOURCES = (Source.INVITED, Source.PUBLIC)
Raw = dict[str, list[float]]


def fold(moments: Raw, scores: Mapping[str, Any]) -> Raw:
    """Add one respondent's scores to raw moments (in place) and return them."""
    for key, value in scores.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        entry = moments.get(key)
        if entry is None:
            moments[key] = [1, value, value * value]
        else:
            entry[0] += 1
            entry[1] += value
            entry[2] += value * value
    return moments


def as_moments(raw: Mapping[str, Any]) -> dict[str, Moments]:
    return {key: Moments(int(v[0]), float(v[1]), float(v[2])) for key, v in raw.items()}


def ensure_cells(wave: Wave, buurt_ids: Iterable[int]) -> None:
    ResultCell.objects.bulk_create(
        [ResultCell(wave=wave, buurt_id=b, source=s) for b in buurt_ids for s in CELL_SOURCES],
        ignore_conflicts=True,
    )


def add_response(response: Response) -> None:
    """Fold a just-completed response into its cell. Call inside the completing transaction."""
    if response.source not in CELL_SOURCES or response.wave_id is None:
        return
    lookup = {"wave_id": response.wave_id, "buurt_id": response.buurt_id, "source": response.source}
    cell = ResultCell.objects.select_for_update().filter(**lookup).first()
    if cell is None:
        try:
            with transaction.atomic():
                ResultCell.objects.create(**lookup)
        except IntegrityError:
            pass  # created concurrently; lock it below
        cell = ResultCell.objects.select_for_update().get(**lookup)
    cell.respondents += 1
    cell.moments = fold(dict(cell.moments), response.scores)
    cell.weighted = {}  # the weighting cache no longer matches the answers
    cell.save(update_fields=["respondents", "moments", "weighted"])


def compute_cells(wave: Wave) -> dict[tuple[int, str], tuple[int, Raw]]:
    """(buurt id, source) -> (respondents, raw moments), in one pass over the completed responses."""
    totals: dict[tuple[int, str], tuple[int, Raw]] = {}
    counts: dict[tuple[int, str], int] = defaultdict(int)
    moments: dict[tuple[int, str], Raw] = defaultdict(dict)
    rows = (
        Response.objects.filter(wave=wave, status=ResponseStatus.COMPLETED, source__in=CELL_SOURCES)
        .values_list("buurt_id", "source", "scores")
        .iterator(chunk_size=5000)
    )
    for buurt_id, source, scores in rows:
        key = (buurt_id, source)
        counts[key] += 1
        fold(moments[key], scores)
    for key, count in counts.items():
        totals[key] = (count, moments[key])
    return totals


def rebuild_cells(wave: Wave) -> None:
    """Recompute every cell of a wave from its responses (after a bulk load or rescoring)."""
    buurt_ids = list(WaveBuurt.objects.filter(wave=wave).values_list("buurt_id", flat=True))
    with transaction.atomic():
        ensure_cells(wave, buurt_ids)
        totals = compute_cells(wave)
        cells = list(ResultCell.objects.select_for_update().filter(wave=wave))
        for cell in cells:
            cell.respondents, cell.moments = totals.get((cell.buurt_id, cell.source), (0, {}))
            cell.weighted = {}  # scores may have changed (rescore_wave): weigh again when next shown
        ResultCell.objects.bulk_update(cells, ["respondents", "moments", "weighted"], batch_size=500)
