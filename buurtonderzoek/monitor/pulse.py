"""Safety-pulse answers of one canvass: a small summary for the coordinator and the gemeente.

Pulse answers are given at the door during a canvass (actions.record_pulse keeps the canvass). They
are not a random sample: the summary shows counts and values without intervals or significance and
says so ("geen steekproef").

Answers arrive one by one, so a summary recomputed after every answer would let a reader subtract
two summaries and read the latest resident's answers. The summary is therefore made over the first
answers in blocks of `MIN_CELL` (10, 20, 30, ... in the order they were given): two summaries
differ by 0 or at least 10 respondents, and each indicator with fewer than 10 answers in the block
is suppressed. Under 10 answers in all, nothing but "fewer than 10" is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from buurtonderzoek.monitor.indicators import Indicator, indicator_order, indicators_for
from buurtonderzoek.monitor.models import Response, ResponseStatus, Source
from buurtonderzoek.monitor.results import Figure, clamp
from buurtonderzoek.monitor.statistics import MIN_CELL, Moments, simple
from buurtonderzoek.questionnaires.models import QuestionnaireVersion


@dataclass(frozen=True)
class PulseSummary:
    total: int  # pulse answers of the canvass (shown only as "fewer than 10" below MIN_CELL)
    released: int  # answers the figures are about: a multiple of MIN_CELL
    figures: list[Figure]

    @property
    def too_few(self) -> bool:
        return self.released == 0


def canvass_pulse(canvass: Any) -> PulseSummary:
    """The released pulse figures of one canvass (see the module docstring). Two queries."""
    rows = list(
        Response.objects.filter(canvass=canvass, source=Source.PULSE, status=ResponseStatus.COMPLETED)
        .order_by("completed_at", "pk")
        .values_list("version_id", "scores")
    )
    return _summary(rows, _indicators({v for v, _s in rows}))


@dataclass(frozen=True)
class CanvassPulse:
    """One canvass of a gemeente with its released pulse figures, for the municipal officer."""

    canvass_id: int
    when: date
    buurten: list[str]  # the buurten its pulse answers came from (names only)
    summary: PulseSummary


@dataclass(frozen=True)
class BuurtPulse:
    """All pulse answers of one buurt (with or without a canvass or a running wave)."""

    code: str
    name: str
    summary: PulseSummary


@dataclass(frozen=True)
class GemeentePulse:
    canvasses: list[CanvassPulse]
    buurten: list[BuurtPulse]


def gemeente_pulse(gemeente: Any) -> GemeentePulse:
    """The pulse answers of a gemeente per canvass (newest first) and per buurt. Two queries in all.

    No incident, address or team: a canvass is named by its date and the buurten of its answers. Per
    buurt every pulse answer counts, also those given where no wave ran; each grouping is released in
    blocks of 10 in the order the answers were given.
    """
    rows = list(
        Response.objects.filter(source=Source.PULSE, status=ResponseStatus.COMPLETED, buurt__gemeente=gemeente)
        .order_by("completed_at", "pk")
        .values_list(
            "canvass_id",
            "canvass__planned_at",
            "canvass__created_at",
            "buurt__name",
            "version_id",
            "scores",
            "buurt__code",
        )
    )
    indicators = _indicators({row[4] for row in rows})
    per_canvass: dict[int, list[tuple[Any, ...]]] = {}
    per_buurt: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
    for row in rows:
        if row[0] is not None:
            per_canvass.setdefault(row[0], []).append(row)
        per_buurt.setdefault((row[6], row[3]), []).append((row[4], row[5]))
    buurten = [BuurtPulse(code, name, _summary(own, indicators)) for (code, name), own in sorted(per_buurt.items())]
    return GemeentePulse(_canvasses(per_canvass, indicators), buurten)


def _canvasses(
    per_canvass: dict[int, list[tuple[Any, ...]]], indicators: dict[int, list[Indicator]]
) -> list[CanvassPulse]:
    found = []
    for canvass_id, own in per_canvass.items():
        planned, created = own[0][1], own[0][2]
        moment = timezone.localtime(planned or created)
        buurten = sorted({row[3] for row in own})
        summary = _summary([(row[4], row[5]) for row in own], indicators)
        found.append(CanvassPulse(canvass_id, moment.date(), buurten, summary))
    return sorted(found, key=lambda c: (c.when, c.canvass_id), reverse=True)


def _indicators(version_ids: set[int]) -> dict[int, list[Indicator]]:
    return {v.pk: indicators_for(v.parsed) for v in QuestionnaireVersion.objects.filter(pk__in=version_ids)}


def _summary(rows: list[tuple[int, dict[str, Any]]], per_version: dict[int, list[Indicator]]) -> PulseSummary:
    """Figures over the first answers in blocks of MIN_CELL (rows in the order they were given)."""
    released = len(rows) - len(rows) % MIN_CELL
    block = rows[:released]
    indicators: dict[str, Indicator] = {}
    for version_id in dict.fromkeys(v for v, _s in block):
        for indicator in per_version.get(version_id, []):
            indicators.setdefault(indicator.key, indicator)
    figures = []
    for indicator in sorted(indicators.values(), key=indicator_order):
        values = [float(s[indicator.key]) for _v, s in block if isinstance(s.get(indicator.key), int | float)]
        if not values:
            continue
        suppressed = len(values) < MIN_CELL
        estimate = None if suppressed else simple(indicator.kind, Moments.of(values))
        if estimate is not None:
            estimate = clamp(estimate, indicator)
        figures.append(Figure(indicator, len(values), estimate, suppressed, random_sample=False))
    return PulseSummary(len(rows), released, figures)
