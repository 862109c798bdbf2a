"""How figures read: intervals stay inside the scale (issue 8: "2,7 (95%-BI -0,4-5,8)")."""

from __future__ import annotations

import pytest

from buurtonderzoek.monitor.indicators import indicators_for
from buurtonderzoek.monitor.results import Figure, clamp
from buurtonderzoek.monitor.statistics import Estimate, Kind, Moments, Stratum, stratified
from buurtonderzoek.questionnaires.models import QuestionnaireVersion

pytestmark = pytest.mark.django_db


def test_a_mark_interval_never_leaves_the_scale(version: QuestionnaireVersion) -> None:
    mark = next(i for i in indicators_for(version.parsed) if i.key == "mark_safety")
    assert (mark.low, mark.high) == (1, 10)
    wide = Estimate(Kind.MEAN, 12, 2.7, -0.4, 5.8, 1.4, 11.0)
    figure = Figure(mark, 12, clamp(wide, mark), False)
    assert (figure.low, figure.high) == (1.0, 5.8)
    assert figure.text == "2,7 (95%-BI 1,0\u20135,8)"
    top = clamp(Estimate(Kind.MEAN, 12, 9.6, 8.9, 10.3, 0.3, 11.0), mark)
    assert (top.low, top.high) == (8.9, 10.0)


def test_real_estimates_of_a_skewed_small_sample_are_clamped(version: QuestionnaireVersion) -> None:
    mark = next(i for i in indicators_for(version.parsed) if i.key == "mark_safety")
    estimate = stratified(Kind.MEAN, [Stratum(12, Moments.of([1.0] * 10 + [10.0, 9.0]), None)])
    assert estimate is not None and estimate.low < 1.0  # what the t interval gives
    assert clamp(estimate, mark).low == 1.0
