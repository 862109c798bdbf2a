"""Safety-pulse answers: released in whole blocks of 10, for the coordinator, the gemeente and the monitor.

Pulse answers are given at the door during a canvass (actions.record_pulse keeps the canvass). They
are not a random sample: the summaries show counts and values without intervals or significance and
say so ("geen steekproef").

Answers arrive one by one and are shown in overlapping groupings (per canvass, per buurt, per wave,
gemeente totals), so "only in blocks of 10 per figure" would not be enough: buurt minus canvass, or
today minus yesterday, could be about one resident. The rule therefore holds by construction:

- The answers are split into disjoint groups: canvass x buurt x wave (no canvass and no wave are
  groups of their own), fixed when the answer is written (`PulseGroup`), as is its position in the
  group. Positions 1-10 are the first block, 11-20 the second, and so on; a block is released when
  all 10 of its answers are there.
- Per indicator the same, over the answers with a value for it (an answer block where only one
  person answered the burglary question would otherwise reveal that person's answer when the block
  is added); an indicator block counts only when its 10 answers are released.
- Every figure anywhere (canvass overview, the gemeente pulse page, the wave results page, CSV, XLSX,
  PDF, effect dashboard) is a sum over released blocks (`pulse_blocks.released_scores`). The difference of any two
  releases, at any two moments, is then a union of whole blocks of at least 10 respondents.

Answers that disappear. Deleting a canvass (with its incident) keeps its answers in their groups:
they leave the canvass panel, which goes, and still count, unchanged, for their buurt and wave. A
deleted answer (or a deleted wave's answers) withdraws its blocks as a whole: the other 9 are not
shown again, alone or with someone new (pulse_blocks.py), so releases before and after differ by
whole blocks of 10. Closing a wave sends later answers to other groups; the wave's last unfinished
block stays unreleased. The data-subject erasure and retention do not reach pulse answers at all:
they carry no name, contact or address and no link to the visit they came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from buurtonderzoek.monitor.indicators import Indicator, indicator_order, indicators_for
from buurtonderzoek.monitor.models import Response, ResponseStatus, Source
from buurtonderzoek.monitor.pulse_blocks import released_scores
from buurtonderzoek.monitor.results import Figure, clamp
from buurtonderzoek.monitor.statistics import Moments, simple
from buurtonderzoek.questionnaires.models import QuestionnaireVersion


@dataclass(frozen=True)
class PulseSummary:
    total: int  # pulse answers (the pages only say "none" or "not enough yet" with it)
    released: int  # answers the figures are about: a sum of whole blocks of MIN_CELL
    figures: list[Figure]

    @property
    def too_few(self) -> bool:
        return self.released == 0


def canvass_pulse(canvass: Any) -> PulseSummary:
    """The released pulse figures of one canvass (see the module docstring). Two queries."""
    rows = list(
        Response.objects.filter(canvass=canvass, source=Source.PULSE, status=ResponseStatus.COMPLETED)
        .order_by("pk")
        .values_list("pk", "pulse_group_id", "pulse_position", "pulse_positions", "scores", "version_id")
    )
    released = released_scores(row[:5] for row in rows)
    own = [(row[5], row[0]) for row in rows]
    return _summary(own, released, _indicators({v for v, _pk in own}))


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
    buurt every pulse answer counts, also those given where no wave ran; every figure is a sum of the
    released blocks of the disjoint groups (module docstring).
    """
    rows = list(
        Response.objects.filter(source=Source.PULSE, status=ResponseStatus.COMPLETED, buurt__gemeente=gemeente)
        .order_by("pk")
        .values_list(
            "pk",
            "canvass_id",
            "canvass__planned_at",
            "canvass__created_at",
            "buurt__name",
            "version_id",
            "scores",
            "buurt__code",
            "pulse_group_id",
            "pulse_position",
            "pulse_positions",
        )
    )
    released = released_scores((row[0], row[8], row[9], row[10], row[6]) for row in rows)
    indicators = _indicators({row[5] for row in rows})
    per_canvass: dict[int, list[tuple[Any, ...]]] = {}
    per_buurt: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for row in rows:
        if row[1] is not None:
            per_canvass.setdefault(row[1], []).append(row)
        per_buurt.setdefault((row[7], row[4]), []).append((row[5], row[0]))
    buurten = [
        BuurtPulse(code, name, _summary(own, released, indicators)) for (code, name), own in sorted(per_buurt.items())
    ]
    return GemeentePulse(_canvasses(per_canvass, released, indicators), buurten)


def _canvasses(
    per_canvass: dict[int, list[tuple[Any, ...]]],
    released: dict[int, dict[str, Any]],
    indicators: dict[int, list[Indicator]],
) -> list[CanvassPulse]:
    found = []
    for canvass_id, own in per_canvass.items():
        planned, created = own[0][2], own[0][3]
        moment = timezone.localtime(planned or created)
        buurten = sorted({row[4] for row in own})
        summary = _summary([(row[5], row[0]) for row in own], released, indicators)
        found.append(CanvassPulse(canvass_id, moment.date(), buurten, summary))
    return sorted(found, key=lambda c: (c.when, c.canvass_id), reverse=True)


def _indicators(version_ids: set[int]) -> dict[int, list[Indicator]]:
    return {v.pk: indicators_for(v.parsed) for v in QuestionnaireVersion.objects.filter(pk__in=version_ids)}


def _summary(
    own: list[tuple[int, int]], released: dict[int, dict[str, Any]], per_version: dict[int, list[Indicator]]
) -> PulseSummary:
    """Figures over the released answers among `own` ((version id, response id) pairs): sums of blocks."""
    block = [(version_id, released[pk]) for version_id, pk in own if pk in released]
    indicators: dict[str, Indicator] = {}
    for version_id in dict.fromkeys(v for v, _s in block):
        for indicator in per_version.get(version_id, []):
            indicators.setdefault(indicator.key, indicator)
    figures = []
    for indicator in sorted(indicators.values(), key=indicator_order):
        values = [float(s[indicator.key]) for _v, s in block if indicator.key in s]
        if not values:
            continue  # no whole block of 10 answers to this question yet
        estimate = simple(indicator.kind, Moments.of(values))
        if estimate is not None:
            estimate = clamp(estimate, indicator)
        figures.append(Figure(indicator, len(values), estimate, False, random_sample=False))
    return PulseSummary(len(own), len(block), figures)
