"""The statistics module against statsmodels and scipy, and against a direct per-respondent computation.

statistics.py keeps scipy out of the runtime; these tests check every formula against the reference
implementations on generated data (hypothesis), including the finite-population correction and the
stratified estimators used for wijk and gemeente.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from buurtonderzoek.monitor.statistics import (
    MIN_CELL,
    Estimate,
    Kind,
    Moments,
    Stratum,
    difference,
    mean,
    proportion,
    stratified,
    suppress_hierarchy,
    t_quantile,
    wilson,
)

marks = st.lists(st.integers(min_value=1, max_value=10), min_size=2, max_size=400)
binary = st.lists(st.integers(min_value=0, max_value=1), min_size=1, max_size=400)


@settings(deadline=None)
@given(df=st.floats(min_value=1.0, max_value=5000.0), p=st.sampled_from([0.9, 0.95, 0.975, 0.995]))
def test_it_computes_the_t_quantile_like_scipy(df: float, p: float) -> None:
    assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9, abs=1e-9)


@settings(deadline=None)
@given(successes=st.integers(min_value=0, max_value=2000), extra=st.integers(min_value=0, max_value=2000))
def test_it_matches_statsmodels_wilson_without_population(successes: int, extra: int) -> None:
    n = successes + extra
    assume(n > 0)
    estimate = wilson(successes, n)
    low, high = proportion_confint(successes, n, alpha=0.05, method="wilson")
    assert estimate.low == pytest.approx(low, abs=1e-12)
    assert estimate.high == pytest.approx(high, abs=1e-12)
    assert estimate.value == successes / n


@settings(deadline=None)
@given(values=binary, spare=st.integers(min_value=1, max_value=5000))
def test_it_applies_the_finite_population_correction_to_wilson(values: list[int], spare: int) -> None:
    n, successes = len(values), sum(values)
    population = n + spare
    estimate = proportion(Moments.of(values), population=population)
    assert estimate is not None
    # Wilson with the effective sample size n / FPC, FPC = (N - n) / (N - 1).
    n_eff = n * (population - 1) / (population - n)
    low, high = proportion_confint(successes / n * n_eff, n_eff, alpha=0.05, method="wilson")
    assert estimate.low == pytest.approx(low, abs=1e-10)
    assert estimate.high == pytest.approx(high, abs=1e-10)
    plain = wilson(successes, n)
    assert estimate.high - estimate.low <= plain.high - plain.low + 1e-12


def test_it_has_no_sampling_error_for_a_census() -> None:
    estimate = wilson(30, 100, population=100)
    assert (estimate.low, estimate.value, estimate.high) == (0.3, 0.3, 0.3)


@settings(deadline=None)
@given(values=marks)
def test_it_matches_scipy_t_interval_for_means(values: list[int]) -> None:
    assume(len(set(values)) > 1)
    estimate = mean(Moments.of(values))
    assert estimate is not None
    data = np.array(values, dtype=float)
    low, high = stats.t.interval(0.95, len(data) - 1, loc=data.mean(), scale=stats.sem(data))
    assert estimate.value == pytest.approx(data.mean(), rel=1e-12)
    assert estimate.low == pytest.approx(low, rel=1e-9)
    assert estimate.high == pytest.approx(high, rel=1e-9)


@settings(deadline=None)
@given(values=marks, spare=st.integers(min_value=0, max_value=3000))
def test_it_applies_the_finite_population_correction_to_means(values: list[int], spare: int) -> None:
    assume(len(set(values)) > 1)
    population = len(values) + spare
    estimate = mean(Moments.of(values), population=population)
    assert estimate is not None
    data = np.array(values, dtype=float)
    scale = stats.sem(data) * math.sqrt(1 - len(data) / population)
    if scale == 0:
        assert estimate.low == estimate.high == pytest.approx(data.mean())
        return
    low, high = stats.t.interval(0.95, len(data) - 1, loc=data.mean(), scale=scale)
    assert estimate.low == pytest.approx(low, rel=1e-9)
    assert estimate.high == pytest.approx(high, rel=1e-9)


@settings(deadline=None)
@given(a=binary, b=binary)
def test_it_matches_statsmodels_newcombe_for_a_difference_of_proportions(a: list[int], b: list[int]) -> None:
    first, second = wilson(sum(a), len(a)), wilson(sum(b), len(b))
    diff = difference(first, second)
    low, high = confint_proportions_2indep(sum(a), len(a), sum(b), len(b), method="newcomb", compare="diff")
    assert diff.low == pytest.approx(low, abs=1e-9)
    assert diff.high == pytest.approx(high, abs=1e-9)
    assert diff.significant == (low > 0 or high < 0)


@settings(deadline=None)
@given(a=marks, b=marks)
def test_it_matches_scipy_welch_for_a_difference_of_means(a: list[int], b: list[int]) -> None:
    assume(len(set(a)) > 1 and len(set(b)) > 1)
    first, second = mean(Moments.of(a)), mean(Moments.of(b))
    assert first is not None and second is not None
    diff = difference(first, second)
    result = stats.ttest_ind(a, b, equal_var=False)
    interval = result.confidence_interval(0.95)
    assert diff.low == pytest.approx(interval.low, rel=1e-7, abs=1e-9)
    assert diff.high == pytest.approx(interval.high, rel=1e-7, abs=1e-9)
    assert diff.significant == (result.pvalue < 0.05)


# --- Stratified estimates ---------------------------------------------------------------------


@st.composite
def stratified_samples(draw: st.DrawFn, kind: Kind) -> list[tuple[list[float | None], int]]:
    """Per buurt: respondents' values (None = no value for this indicator) and the population."""
    strata = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        size = draw(st.integers(min_value=1, max_value=60))
        if kind == Kind.PROPORTION:
            value = st.one_of(st.none(), st.sampled_from([0.0, 1.0]))
        else:
            value = st.one_of(st.none(), st.integers(min_value=1, max_value=10).map(float))
        values = draw(st.lists(value, min_size=size, max_size=size))
        population = size + draw(st.integers(min_value=0, max_value=2000))
        strata.append((values, population))
    return strata


def reference_stratified(sample: list[tuple[list[float | None], int]]) -> tuple[float, float, int]:
    """Ratio estimator and its linearised variance, written out per respondent (Lohr 2019, 9.1)."""
    weights, ys, xs, strata_ids = [], [], [], []
    for h, (values, population) in enumerate(sample):
        for v in values:
            weights.append(population / len(values))
            ys.append(0.0 if v is None else v)
            xs.append(0.0 if v is None else 1.0)
            strata_ids.append(h)
    w, y, x, ids = np.array(weights), np.array(ys), np.array(xs), np.array(strata_ids)
    ratio = (w * y).sum() / (w * x).sum()
    z = y - ratio * x
    variance = 0.0
    pooled = [np.var(z[ids == h], ddof=1) for h in range(len(sample)) if (ids == h).sum() > 1]
    dofs = [(ids == h).sum() - 1 for h in range(len(sample)) if (ids == h).sum() > 1]
    pooled_var = float(np.dot(pooled, dofs) / sum(dofs)) if dofs else 0.0
    for h, (values, population) in enumerate(sample):
        n_h = len(values)
        s2 = float(np.var(z[ids == h], ddof=1)) if n_h > 1 else pooled_var
        variance += population**2 * (1 - n_h / population) * s2 / n_h
    variance /= (w * x).sum() ** 2
    return float(ratio), variance, int(x.sum())


def to_strata(sample: list[tuple[list[float | None], int]]) -> list[Stratum]:
    return [
        Stratum(len(values), Moments.of(v for v in values if v is not None), population)
        for values, population in sample
    ]


@settings(deadline=None, max_examples=150)
@given(sample=stratified_samples(Kind.MEAN))
def test_it_estimates_a_stratified_mean_like_the_textbook(sample: list[tuple[list[float | None], int]]) -> None:
    assume(sum(v is not None for values, _ in sample for v in values) >= 2)
    estimate = stratified(Kind.MEAN, to_strata(sample))
    assert estimate is not None
    ratio, variance, n = reference_stratified(sample)
    assert estimate.value == pytest.approx(ratio, rel=1e-9)
    assert estimate.se == pytest.approx(math.sqrt(variance), rel=1e-6, abs=1e-9)
    answered_strata = sum(1 for values, _ in sample if any(v is not None for v in values))
    df = max(1, n - answered_strata)
    half = stats.t.ppf(0.975, df) * math.sqrt(variance)
    assert estimate.low == pytest.approx(ratio - half, rel=1e-6, abs=1e-9)


@settings(deadline=None, max_examples=150)
@given(sample=stratified_samples(Kind.PROPORTION))
def test_it_estimates_a_stratified_proportion_with_an_effective_sample_size(
    sample: list[tuple[list[float | None], int]],
) -> None:
    assume(sum(v is not None for values, _ in sample for v in values) >= 1)
    assume(len(sample) > 1)
    estimate = stratified(Kind.PROPORTION, to_strata(sample))
    assert estimate is not None
    ratio, variance, _n = reference_stratified(sample)
    assert estimate.value == pytest.approx(ratio, rel=1e-9)
    if variance > 0 and 0 < ratio < 1:
        n_eff = ratio * (1 - ratio) / variance
        low, high = proportion_confint(ratio * n_eff, n_eff, alpha=0.05, method="wilson")
        assert estimate.low == pytest.approx(low, abs=1e-7)
        assert estimate.high == pytest.approx(high, abs=1e-7)
    assert 0.0 <= estimate.low <= estimate.value <= estimate.high <= 1.0


@settings(deadline=None)
@given(values=marks, spare=st.integers(min_value=0, max_value=500))
def test_it_reduces_to_the_simple_estimate_for_one_complete_stratum(values: list[int], spare: int) -> None:
    assume(len(set(values)) > 1)
    moments = Moments.of(values)
    population = len(values) + spare
    one = stratified(Kind.MEAN, [Stratum(len(values), moments, population)])
    assert one == mean(moments, population=population)


@settings(deadline=None)
@given(values=st.lists(st.integers(min_value=1, max_value=10), min_size=4, max_size=200), k=st.integers(2, 5))
def test_it_equals_the_pooled_mean_when_sampling_is_proportional(values: list[int], k: int) -> None:
    """Equal sampling fractions make the weighted estimate self-weighting (the plain mean)."""
    size = len(values) // k
    assume(size >= 2)
    sample = [values[i * size : (i + 1) * size] for i in range(k)]
    strata = [Stratum(len(part), Moments.of(part), len(part) * 7) for part in sample]
    estimate = stratified(Kind.MEAN, strata)
    assert estimate is not None
    assert estimate.value == pytest.approx(np.mean([v for part in sample for v in part]), rel=1e-12)


def test_it_weights_buurten_by_their_households() -> None:
    # A small buurt (100 households, everyone unsafe) and a large one (900, nobody unsafe), 50 answers each.
    strata = [Stratum(50, Moments.of([1.0] * 50), 100), Stratum(50, Moments.of([0.0] * 50), 900)]
    estimate = stratified(Kind.PROPORTION, strata)
    assert estimate is not None
    assert estimate.value == pytest.approx(0.1)


def test_it_pools_without_correction_when_a_population_is_unknown() -> None:
    strata = [
        Stratum(20, Moments.of([1.0] * 5 + [0.0] * 15), None),
        Stratum(30, Moments.of([1.0] * 15 + [0.0] * 15), 500),
    ]
    estimate = stratified(Kind.PROPORTION, strata)
    low, high = proportion_confint(20, 50, method="wilson")
    assert estimate is not None
    assert estimate.low == pytest.approx(low)
    assert estimate.high == pytest.approx(high)


def test_it_marks_a_reference_point_outside_the_interval() -> None:
    estimate = wilson(30, 100)
    assert estimate.excludes(0.14)
    assert not estimate.excludes(0.35)
    assert isinstance(estimate, Estimate)


# --- Suppression ------------------------------------------------------------------------------


@st.composite
def trees(draw: st.DrawFn, smallest: int = 0) -> tuple[dict[str, int], dict[str, list[str]]]:
    counts: dict[str, int] = {}
    children: dict[str, list[str]] = {"G": []}
    for w in range(draw(st.integers(1, 5))):
        wijk = f"W{w}"
        children["G"].append(wijk)
        children[wijk] = []
        for b in range(draw(st.integers(1, 6))):
            buurt = f"B{w}.{b}"
            children[wijk].append(buurt)
            counts[buurt] = draw(st.integers(smallest, 40))
        counts[wijk] = sum(counts[b] for b in children[wijk])
    counts["G"] = sum(counts[w] for w in children["G"])
    return counts, children


def uncovered(cell: str, counts: dict[str, int], children: dict[str, list[str]], hidden: set[str]) -> int:
    def shown_parts(node: str) -> int:
        return sum(counts[c] if c not in hidden else shown_parts(c) for c in children.get(node, []))

    return counts[cell] - shown_parts(cell)


@settings(deadline=None, max_examples=300)
@given(tree=trees())
def test_it_never_shows_or_implies_a_cell_under_ten(tree: tuple[dict[str, int], dict[str, list[str]]]) -> None:
    counts, children = tree
    hidden = suppress_hierarchy(counts, children)
    for cell, count in counts.items():
        if cell in hidden:
            continue
        assert count == 0 or count >= MIN_CELL
        if children.get(cell):
            remainder = uncovered(cell, counts, children, hidden)
            assert remainder == 0 or remainder >= MIN_CELL


@settings(deadline=None, max_examples=200)
@given(tree=trees(smallest=MIN_CELL))
def test_it_hides_no_more_than_needed_when_nothing_is_small(tree: tuple[dict[str, int], dict[str, list[str]]]) -> None:
    counts, children = tree
    assert suppress_hierarchy(counts, children) == set()


def test_it_hides_a_second_buurt_when_one_could_be_worked_out_from_the_wijk() -> None:
    counts = {"G": 70, "W": 70, "a": 8, "b": 30, "c": 32}
    children = {"G": ["W"], "W": ["a", "b", "c"]}
    hidden = suppress_hierarchy(counts, children)
    assert hidden == {"a", "b"}  # a is small; b (the smallest other part) goes too, so W - c = 38


@settings(deadline=None)
@given(n=st.integers(min_value=1, max_value=5000), population=st.one_of(st.none(), st.integers(1, 10_000)))
def test_it_keeps_the_estimate_inside_its_interval_at_the_edges(n: int, population: int | None) -> None:
    for successes in (0, n):
        estimate = wilson(successes, n, population=population)
        assert 0.0 <= estimate.low <= estimate.value <= estimate.high <= 1.0
    assert wilson(0, n).low == 0.0
    assert wilson(n, n).high == 1.0


# --- Subgroup indicators and p = 0 or 1 (issue 8): known answers ------------------------------


def test_a_subgroup_proportion_in_a_buurt_uses_the_buurts_sampling_fraction() -> None:
    """200 households, 80 answered, 20 were victims of whom 8 reported: a domain estimate.

    Linearised: z = y - p d is 0.6 for the 8, -0.4 for the 12 other victims and 0 for the other 60,
    so sum z = 0 and sum z^2 = 4.8; V = (1 - 80/200) * (4.8 / 79) * 80 / 20^2 and the Wilson interval
    uses n_eff = p (1 - p) / V = 32.92 (the old code used the subgroup's own n: 22.1, too wide).
    """
    estimate = stratified(Kind.PROPORTION, [Stratum(80, Moments.of([1] * 8 + [0] * 12), 200)])
    assert estimate is not None
    variance = (1 - 80 / 200) * (4.8 / 79) * 80 / 20**2
    assert estimate.df == pytest.approx(0.24 / variance) == pytest.approx(32.9167, abs=1e-4)
    low, high = proportion_confint(0.4 * estimate.df, estimate.df, method="wilson")
    assert [estimate.low, estimate.high] == pytest.approx([low, high])
    assert [estimate.low, estimate.high] == pytest.approx([0.2517, 0.5692], abs=1e-4)
    old = wilson(8, 20, population=200)
    assert (old.high - old.low) - (estimate.high - estimate.low) > 0.03


def test_a_subgroup_mean_in_a_buurt_uses_the_buurts_sampling_fraction() -> None:
    values = [6.0, 7.0, 8.0, 5.0, 9.0, 7.0, 6.0, 8.0, 7.0, 7.0]
    estimate = stratified(Kind.MEAN, [Stratum(40, Moments.of(values), 50)])
    assert estimate is not None
    z = np.array([v - 7.0 for v in values] + [0.0] * 30)
    se = math.sqrt((1 - 40 / 50) * z.var(ddof=1) * 40 / 10**2)
    half = stats.t.ppf(0.975, 9) * se
    assert estimate.value == pytest.approx(7.0)
    assert [estimate.low, estimate.high] == pytest.approx([7.0 - half, 7.0 + half])


@pytest.mark.parametrize("value", [0, 1])
def test_p_zero_or_one_reads_the_same_in_a_buurt_and_in_a_stratified_estimate(value: int) -> None:
    # Everyone in the subgroup: the buurt path (simple) and the stratified path agree.
    whole = stratified(Kind.PROPORTION, [Stratum(50, Moments.of([value] * 50), 200)])
    assert whole == wilson(50 * value, 50, population=200)
    # A subgroup of 20 of 80: n_eff = 20 (N - 1) / (N - n) with the buurt's n, like a p in (0, 1).
    sub = stratified(Kind.PROPORTION, [Stratum(80, Moments.of([value] * 20), 200)])
    assert sub is not None and sub.df == pytest.approx(20 * 199 / 120)
    # Two buurten sampled at the same fraction are one simple random sample: the same interval.
    two = stratified(Kind.PROPORTION, [Stratum(20, Moments.of([value] * 20), 100)] * 2)
    pooled = wilson(40 * value, 40, population=200)
    assert two is not None and [two.low, two.high] == pytest.approx([pooled.low, pooled.high])
