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
from typing import Any

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
    released = len(rows) - len(rows) % MIN_CELL
    block = rows[:released]
    indicators: dict[str, Indicator] = {}
    version_ids = {version_id for version_id, _scores in block}
    for version in QuestionnaireVersion.objects.filter(pk__in=version_ids):
        for indicator in indicators_for(version.parsed):
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
