"""Post-stratification to CBS totals: raking, trimming, collapsing, and the estimates built on it."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buurtonderzoek.monitor import weighting
from buurtonderzoek.monitor.statistics import Kind, Moments, Stratum, simple, stratified
from buurtonderzoek.monitor.tests.conftest import MonitorWorld, close_wave
from buurtonderzoek.monitor.weighting import AGE_BANDS, SEXES, Method, Person, Reason, Totals

people_st = st.lists(
    st.tuples(st.sampled_from(AGE_BANDS), st.sampled_from(SEXES)), min_size=2 * weighting.MIN_GROUP, max_size=120
)
totals_st = st.tuples(st.tuples(*[st.integers(1, 2000)] * 4), st.tuples(st.integers(1, 3000), st.integers(1, 3000)))


@settings(max_examples=150, deadline=None)
@given(people_st, totals_st)
def test_raked_weights_reproduce_both_margins(pairs: list[tuple[str, str]], totals: Any) -> None:
    """Without trimming, the weights of every age band and every sex add up to the CBS totals
    (scaled to the respondents) whenever every age x sex cell has respondents (then raking converges;
    buurt_weights merges or drops groups that are too small first, tested below)."""
    ages, sexes = totals
    cells = [(AGE_BANDS.index(a), SEXES.index(s)) for a, s in pairs]
    if len(set(cells)) < len(AGE_BANDS) * len(SEXES):
        return
    factors = weighting.rake(cells, [float(a) for a in ages], [float(s) for s in sexes], trim=(0.0, math.inf))
    m = len(cells)
    for index, target in enumerate(ages):
        got = sum(g for (a, _s), g in zip(cells, factors, strict=True) if a == index)
        assert got == pytest.approx(target * m / sum(ages), rel=1e-6)
    for index, target in enumerate(sexes):
        got = sum(g for (_a, s), g in zip(cells, factors, strict=True) if s == index)
        assert got == pytest.approx(target * m / sum(sexes), rel=1e-6)


@settings(max_examples=150, deadline=None)
@given(people_st, totals_st, st.integers(0, 8))
def test_buurt_weights_keep_the_buurt_total_stay_trimmed_and_leave_unknowns_alone(
    pairs: list[tuple[str, str]], totals: Any, unknown: int
) -> None:
    people = [Person(a, s) for a, s in pairs] + [Person(None, None)] * unknown
    (a1, a2, a3, a4), (men, women) = totals
    cbs = Totals((float(a1), float(a2), float(a3), float(a4)), (float(men), float(women)), 2024)
    result = weighting.buurt_weights(people, cbs)
    assert sum(result.factors) == pytest.approx(len(people))  # weight only moves within the buurt
    assert result.factors[len(pairs) :] == [1.0] * unknown  # "zeg ik liever niet" keeps the design weight
    if result.method == Method.RAKED:
        assert all(weighting.TRIM_LOW - 1e-9 <= g <= weighting.TRIM_HIGH + 1e-9 for g in result.factors)
        # Every group raked on has enough respondents after merging.
        for group in result.age_groups:
            assert sum(1 for p in people if p.age in group) >= weighting.MIN_GROUP
    else:
        assert result.factors == [1.0] * len(people)


def test_without_totals_or_questions_every_respondent_keeps_the_design_weight() -> None:
    people = [Person("25_44", "man")] * 20
    assert weighting.buurt_weights(people, None).reason == Reason.NO_TOTALS
    assert weighting.buurt_weights(people, None).factors == [1.0] * 20
    totals = Totals((10.0, 10.0, 10.0, 10.0), (1.0, 1.0), 2024)
    assert weighting.buurt_weights(people, totals, asks=False).reason == Reason.NO_QUESTIONS


def test_small_age_groups_merge_with_a_neighbour_and_too_few_falls_back_to_design() -> None:
    totals = Totals((100.0, 300.0, 300.0, 200.0), (450.0, 450.0), 2024)
    # Two young respondents only: 15-25 merges into 25-45; both sexes have enough respondents.
    people = [Person("15_24", "man")] * 2 + [Person("25_44", SEXES[i % 2]) for i in range(12)]
    people += [Person("45_64", SEXES[i % 2]) for i in range(12)] + [Person("65_plus", SEXES[i % 2]) for i in range(12)]
    result = weighting.buurt_weights(people, totals)
    assert result.method == Method.RAKED and result.sex_used
    assert ("15_24", "25_44") in result.age_groups and len(result.age_groups) == 3
    # Four respondents in all: nothing to rake on.
    few = weighting.buurt_weights([Person("25_44", "man"), Person("65_plus", "vrouw")] * 2, totals)
    assert few.method == Method.DESIGN and few.reason == Reason.TOO_FEW


values_st = st.lists(st.integers(0, 1), min_size=2, max_size=60)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(values_st, st.integers(0, 400)), min_size=1, max_size=5), st.sampled_from(list(Kind)))
def test_with_all_factors_one_the_weighted_estimates_equal_the_design_weighted_ones(
    buurten: list[tuple[list[int], int]], kind: Kind
) -> None:
    """No totals means g = 1 for everyone: the estimates are exactly the household-design ones."""
    plain, weighted = [], []
    for values, extra in buurten:
        ys = [float(v) if kind == Kind.PROPORTION else float(v * 7 + 1) for v in values]
        population = len(ys) + extra
        plain.append(Stratum(len(ys), Moments.of(ys), population))
        weighted.append(Stratum(len(ys), Moments.of_weighted((y, 1.0) for y in ys), population))
    a, b = stratified(kind, plain), stratified(kind, weighted)
    assert (a is None) == (b is None)
    if a is not None and b is not None:
        assert (b.value, b.low, b.high) == pytest.approx((a.value, a.low, a.high), rel=1e-9, abs=1e-12)


def test_weighting_widens_a_buurt_interval_by_its_kish_effective_size() -> None:
    rng = random.Random(3)
    pairs = [(float(rng.random() < 0.3), g) for g in [0.5] * 30 + [2.0] * 30]
    weighted = Moments.of_weighted(pairs)
    assert weighted.kish == pytest.approx((30 * 0.5 + 30 * 2.0) ** 2 / (30 * 0.25 + 30 * 4.0))
    plain = simple(Kind.PROPORTION, Moments.of(v for v, _g in pairs), population=400)
    est = simple(Kind.PROPORTION, weighted, population=400)
    assert plain is not None and est is not None
    assert est.df == pytest.approx(weighted.kish / ((400 - 60) / 399))  # n_eff: Kish over the FPC
    assert est.high - est.low > plain.high - plain.low


def test_the_results_say_which_weighting_was_used_and_weight_to_the_cbs_totals(
    mworld: MonitorWorld, fill: Callable[..., int]
) -> None:
    from buurtonderzoek.monitor import exports
    from buurtonderzoek.monitor.results import load_results
    from buurtonderzoek.places.models import BuurtPopulation

    fill(mworld.wave, {b.pk: 40 for b in mworld.buurten})
    close_wave(mworld.wave)
    design = load_results(mworld.world.gemeente).invited[mworld.wave.pk]
    assert "Huishoudgewichten" in design.weighting and "geen CBS-kerncijfers" in design.weighting
    root = ("gemeente", mworld.world.gemeente.pk)
    indicator = next(i for i in design.indicators if i.key == "unsafe_general")
    before = design.figure(root, indicator)

    # Totals with far more young people than the (mostly older) respondents: the young weigh more.
    for buurt in mworld.buurten:
        BuurtPopulation.objects.create(
            buurt=buurt, year=2024, inhabitants=1000, men=490, women=510, age_0_14=150,
            age_15_24=300, age_25_44=250, age_45_64=200, age_65_plus=100,
        )  # fmt: skip
    raked = load_results(mworld.world.gemeente).invited[mworld.wave.pk]
    assert raked.weighting.startswith("Gewogen naar leeftijd en geslacht (CBS-kerncijfers 2024, raking) in 6 van de 6")
    after = raked.figure(root, indicator)
    assert after.n == before.n  # weighting never changes who is counted (suppression stays on counts)
    assert after.estimate is not None and before.estimate is not None
    assert after.estimate.value != pytest.approx(before.estimate.value)
    assert raked.weighting in exports.results_csv(load_results(mworld.world.gemeente)).decode("utf-8-sig")


def test_the_weighting_is_kept_in_the_cells_and_made_again_only_when_the_totals_change(
    mworld: MonitorWorld, fill: Callable[..., int]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from buurtonderzoek.monitor import aggregates
    from buurtonderzoek.monitor.models import ResultCell
    from buurtonderzoek.monitor.results import load_results
    from buurtonderzoek.places.models import BuurtPopulation

    fill(mworld.wave, {b.pk: 40 for b in mworld.buurten})
    close_wave(mworld.wave)
    for buurt in mworld.buurten:
        BuurtPopulation.objects.create(
            buurt=buurt, year=2024, inhabitants=1000, men=490, women=510, age_0_14=150,
            age_15_24=300, age_25_44=250, age_45_64=200, age_65_plus=100,
        )  # fmt: skip
    root = ("gemeente", mworld.world.gemeente.pk)

    def value(weighing: bool) -> float:
        with CaptureQueriesContext(connection) as queries:
            results = load_results(mworld.world.gemeente)
            indicator = results.indicator_by_key["unsafe_general"]
            estimate = results.invited[mworld.wave.pk].figure(root, indicator).estimate
        weighed = any("age_group" in q["sql"] for q in queries.captured_queries)
        assert weighed == weighing, [q["sql"][:120] for q in queries.captured_queries]
        assert estimate is not None
        return estimate.value

    first = value(weighing=True)  # the first view after closing weighs the answers once
    assert value(weighing=False) == first  # later views read the cells only
    assert all(c.weighted.get("method") == "raked" for c in ResultCell.objects.filter(source="invited"))
    BuurtPopulation.objects.update(age_15_24=100, age_65_plus=300)  # other totals: weighed again
    changed = value(weighing=True)
    assert changed != pytest.approx(first)
    assert value(weighing=False) == changed
    aggregates.rebuild_cells(mworld.wave)  # a rescore empties the cache
    assert not any(c.weighted for c in ResultCell.objects.all())
    assert value(weighing=True) == pytest.approx(changed)
