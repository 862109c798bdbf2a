"""Survey statistics for the Communitymonitor: pure functions, no Django, no scipy.

Every figure is an estimate with a 95% confidence interval, following DOMAIN.md section 6:

- A buurt is treated as a simple random sample of its households. Proportions get the Wilson score
  interval, means a Student t interval. When the number of households (the population) is known, a
  finite-population correction (FPC) narrows the interval: for proportions the Wilson interval is
  computed with the effective sample size n (N - 1) / (N - n); for means the variance is multiplied by
  (1 - n / N). A census (n = N) has no sampling error. An indicator asked of a subgroup only (victims:
  reported_*; those who know the team: watch_trust) is a domain estimate: its correction uses the
  buurt's sampling fraction n / N of *all* respondents, not the subgroup's n (which would leave the
  interval too wide); results.py therefore sends a buurt through `stratified` as one stratum.
- A wijk or the gemeente is a stratified sample with the buurten as strata, because a wave sets a target
  per buurt and therefore over-represents small buurten. Estimates are weighted ratio means with design
  weight N_h / n_h per respondent; their variance comes from Taylor linearisation (Cochran 1977, 6.11;
  Lohr 2019, 9.1). Proportions then get a Wilson interval with the effective sample size p (1 - p) / V
  (Korn & Graubard 1998); means a t interval with n - H degrees of freedom. When p is 0 or 1 the
  effective sample size is Kish's (sum w)^2 / sum w^2 divided by the overall FPC, which for a single
  buurt is the simple path's n (N - 1) / (N - n). When a population is unknown
  the strata are pooled as one simple random sample without FPC.
- A difference between two independent estimates is significant only when its 95% interval excludes
  zero: Newcombe's hybrid score interval (built from the two Wilson intervals) for proportions, the
  Welch interval for means. An estimate differs from a national reference point when its own interval
  excludes that point.
- Cells about fewer than `MIN_CELL` respondents are suppressed, and so is any cell whose value could be
  recovered by subtraction from a shown total (`suppress_hierarchy`).

The aggregates come from one pass (or one SQL GROUP BY) as count, sum and sum of squares per stratum:
`Moments`. Sums of squares lose precision only for values far larger than ours (0-10 marks and 0/1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TypeVar

Z95 = 1.959963984540054  # the 97.5% quantile of the standard normal distribution
MIN_CELL = 10  # DOMAIN.md 6 and 8: never show a figure about fewer than 10 respondents


class Kind(StrEnum):
    PROPORTION = "proportion"
    MEAN = "mean"


@dataclass(frozen=True, slots=True)
class Moments:
    """Count, sum and sum of squares of the values of one indicator in one cell.

    Under post-stratification (weighting.py) every respondent also carries an adjustment factor g
    (mean 1 within the buurt) and `weighted` holds (sum g, sum g y, sum g y^2, sum g^2, sum g^2 y,
    sum g^2 y^2). None means every g is 1: the weighted sums are then n, sum and sum of squares, so
    all formulas below reduce exactly to the unweighted ones.
    """

    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0
    weighted: tuple[float, float, float, float, float, float] | None = None

    @property
    def sums(self) -> tuple[float, float, float, float, float, float]:
        if self.weighted is not None:
            return self.weighted
        return (float(self.n), self.total, self.total_sq, float(self.n), self.total, self.total_sq)

    def __add__(self, other: Moments) -> Moments:
        weighted = None
        if self.weighted is not None or other.weighted is not None:
            a, b = self.sums, other.sums
            weighted = (a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4], a[5] + b[5])
        return Moments(self.n + other.n, self.total + other.total, self.total_sq + other.total_sq, weighted)

    @classmethod
    def of(cls, values: Iterable[float]) -> Moments:
        n, total, total_sq = 0, 0.0, 0.0
        for value in values:
            n += 1
            total += value
            total_sq += value * value
        return cls(n, total, total_sq)

    @classmethod
    def of_weighted(cls, pairs: Iterable[tuple[float, float]]) -> Moments:
        """Moments of (value, adjustment factor g) pairs."""
        n, total, total_sq = 0, 0.0, 0.0
        sg = sgy = sgy2 = sg2 = sg2y = sg2y2 = 0.0
        for value, g in pairs:
            n += 1
            total += value
            total_sq += value * value
            sg += g
            sgy += g * value
            sgy2 += g * value * value
            sg2 += g * g
            sg2y += g * g * value
            sg2y2 += g * g * value * value
        return cls(n, total, total_sq, (sg, sgy, sgy2, sg2, sg2y, sg2y2))

    @property
    def mean(self) -> float:
        sg, sgy = self.sums[0], self.sums[1]
        return sgy / sg if sg else math.nan

    @property
    def variance(self) -> float:
        """The unbiased sample variance (divisor n - 1); never negative despite rounding."""
        if self.n < 2:
            return math.nan
        return max(0.0, (self.total_sq - self.total * self.total / self.n) / (self.n - 1))

    @property
    def kish(self) -> float:
        """Kish's effective sample size (sum g)^2 / sum g^2: n when every g is 1."""
        sg, sg2 = self.sums[0], self.sums[3]
        return sg * sg / sg2 if sg2 else 0.0

    @property
    def is_weighted(self) -> bool:
        return self.weighted is not None and not math.isclose(self.kish, self.n, rel_tol=1e-12)


@dataclass(frozen=True, slots=True)
class Stratum:
    """One buurt inside a wijk or gemeente estimate.

    `respondents` counts everyone who answered the survey in this buurt, `moments` only those with a
    value for the indicator (item non-response and skip logic make them fewer).
    """

    respondents: int
    moments: Moments
    population: int | None = None


@dataclass(frozen=True, slots=True)
class Estimate:
    kind: Kind
    n: int  # respondents with a value
    value: float
    low: float
    high: float
    se: float  # standard error after the finite-population correction and design
    df: float  # degrees of freedom of the t quantile (means); effective sample size (proportions)

    def excludes(self, point: float) -> bool:
        return point < self.low or point > self.high


@dataclass(frozen=True, slots=True)
class Difference:
    """`first - second` with its 95% interval."""

    value: float
    low: float
    high: float

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0


# --- Student's t distribution (we keep scipy out of the runtime) ------------------------------


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    tail = 0.5 * _betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def _t_pdf(t: float, df: float) -> float:
    log_c = math.lgamma((df + 1.0) / 2.0) - math.lgamma(df / 2.0) - 0.5 * math.log(df * math.pi)
    return math.exp(log_c - (df + 1.0) / 2.0 * math.log1p(t * t / df))


@lru_cache(maxsize=4096)
def t_quantile(p: float, df: float) -> float:
    """The p-quantile (0.5 < p < 1) of Student's t with `df` (possibly fractional) degrees of freedom."""
    if not 0.5 < p < 1.0 or df <= 0:
        raise ValueError("t_quantile needs 0.5 < p < 1 and df > 0")
    if df > 1e7:
        return Z95 if p == 0.975 else _normal_quantile(p)
    z = Z95 if p == 0.975 else _normal_quantile(p)
    # Cornish-Fisher start, then Newton on the exact CDF; safe-guarded by bisection bounds.
    t = z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df * df)
    low, high = 0.0, max(t * 4.0, 1e3 if df < 1.5 else 100.0)
    for _ in range(100):
        if not low < t < high:
            t = (low + high) / 2.0
        error = t_cdf(t, df) - p
        if error > 0:
            high = t
        else:
            low = t
        step = error / _t_pdf(t, df)
        t -= step
        if abs(step) < 1e-12 * max(1.0, abs(t)):
            break
    return t


def _normal_quantile(p: float) -> float:
    """Inverse of the standard normal CDF by bisection on erf (only used for non-95% levels)."""
    low, high = -40.0, 40.0
    for _ in range(200):
        mid = (low + high) / 2.0
        if 0.5 * math.erfc(-mid / math.sqrt(2.0)) < p:
            low = mid
        else:
            high = mid
    return (low + high) / 2.0


# --- Simple random samples (a buurt) ----------------------------------------------------------


def finite_population_factor(n: float, population: int | None) -> float | None:
    """(N - n) / (N - 1), the FPC for a proportion's binomial variance; None when N is unknown."""
    if population is None or population <= 1:
        return None
    return max(0.0, (population - n) / (population - 1))


def wilson(successes: float, n: float, *, population: int | None = None, z: float = Z95) -> Estimate:
    """Wilson score interval; with a known population the interval uses n_eff = n / FPC."""
    if n <= 0:
        raise ValueError("wilson needs at least one observation")
    p = successes / n
    factor = finite_population_factor(n, population)
    n_eff = n if factor is None else (math.inf if factor == 0 else n / factor)
    return _wilson_from(p, n_eff, n=round(n), z=z)


def _wilson_from(p: float, n_eff: float, *, n: int, z: float = Z95) -> Estimate:
    p = min(1.0, max(0.0, p))
    if math.isinf(n_eff):
        return Estimate(Kind.PROPORTION, n, p, p, p, 0.0, n_eff)
    z2 = z * z
    denominator = 1.0 + z2 / n_eff
    centre = (p + z2 / (2.0 * n_eff)) / denominator
    half = z / denominator * math.sqrt(p * (1.0 - p) / n_eff + z2 / (4.0 * n_eff * n_eff))
    se = math.sqrt(p * (1.0 - p) / n_eff)
    # Rounding can put a limit a hair on the wrong side of p at 0 or 1; the interval always holds p.
    low, high = min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half))
    return Estimate(Kind.PROPORTION, n, p, low, high, se, n_eff)


def proportion(moments: Moments, *, population: int | None = None) -> Estimate | None:
    if moments.n == 0:
        return None
    return wilson(moments.total, moments.n, population=population)


def mean(moments: Moments, *, population: int | None = None, confidence: float = 0.95) -> Estimate | None:
    """Mean with a t interval; the variance is multiplied by (1 - n/N) when N is known."""
    if moments.n < 2:
        return None
    variance = moments.variance / moments.n
    if population is not None and population > 0:
        variance *= max(0.0, 1.0 - moments.n / population)
    se = math.sqrt(variance)
    df = float(moments.n - 1)
    half = t_quantile(0.5 + confidence / 2.0, df) * se
    return Estimate(Kind.MEAN, moments.n, moments.mean, moments.mean - half, moments.mean + half, se, df)


def simple(kind: Kind, moments: Moments, *, population: int | None = None) -> Estimate | None:
    if moments.is_weighted:
        return _weighted_simple(kind, moments, population=population)
    return (
        proportion(moments, population=population) if kind == Kind.PROPORTION else mean(moments, population=population)
    )


def _weighted_simple(kind: Kind, moments: Moments, *, population: int | None) -> Estimate | None:
    """One buurt under post-stratification weights: Kish's effective sample size replaces n.

    Proportions: Wilson with n_eff = kish / FPC (the FPC as in `wilson`). Means: the weighted
    variance over kish, times (1 - n/N), with kish - 1 degrees of freedom. With every g = 1 both are
    exactly the unweighted formulas.
    """
    if moments.n == 0:
        return None
    sg, sgy, sgy2 = moments.sums[0], moments.sums[1], moments.sums[2]
    kish = moments.kish
    value = sgy / sg
    if kind == Kind.PROPORTION:
        factor = finite_population_factor(moments.n, population)
        n_eff = kish if factor is None else (math.inf if factor == 0 else kish / factor)
        return _wilson_from(value, n_eff, n=moments.n)
    if moments.n < 2 or kish <= 1.0:
        return None
    spread = max(0.0, sgy2 / sg - value * value) * moments.n / (moments.n - 1)
    variance = spread / kish
    if population is not None and population > 0:
        variance *= max(0.0, 1.0 - moments.n / population)
    se = math.sqrt(variance)
    df = max(1.0, kish - 1.0)
    half = t_quantile(0.975, df) * se
    return Estimate(Kind.MEAN, moments.n, value, value - half, value + half, se, df)


# --- Stratified samples (a wijk, the gemeente) ------------------------------------------------


def stratified(kind: Kind, strata: Sequence[Stratum]) -> Estimate | None:
    """Weighted estimate over buurten (strata) with linearised variance; see the module docstring.

    Strata without respondents drop out (the estimate covers the buurten that answered). When any
    population is unknown, the respondents are pooled as one simple random sample without FPC.
    """
    strata = [s for s in strata if s.respondents > 0]
    total = sum((s.moments for s in strata), Moments())
    if total.n == 0:
        return None
    if any(s.population is None or s.population <= 0 for s in strata):
        return simple(kind, total)
    if len(strata) == 1:
        only = strata[0]
        if only.respondents == only.moments.n:
            return simple(kind, only.moments, population=only.population)

    # Design weight N_h / n_h per buurt, times each respondent's post-stratification factor g
    # (Moments.sums; all 1 without weighting): z_i = g_i (y_i - R) for respondents with a value.
    weights = [max(s.population or 0, s.respondents) / s.respondents for s in strata]
    sums = [s.moments.sums for s in strata]
    domain_size = sum(w * m[0] for w, m in zip(weights, sums, strict=True))
    if domain_size <= 0:
        return None
    ratio = sum(w * m[1] for w, m in zip(weights, sums, strict=True)) / domain_size

    # Linearised values z_i = y_i - R for respondents with a value, 0 for the others.
    z_variances: list[float | None] = []
    for s, m in zip(strata, sums, strict=True):
        if s.respondents < 2:
            z_variances.append(None)
            continue
        sum_z = m[1] - ratio * m[0]
        sum_z2 = m[5] - 2.0 * ratio * m[4] + ratio * ratio * m[3]
        z_variances.append(max(0.0, (sum_z2 - sum_z * sum_z / s.respondents) / (s.respondents - 1)))
    # A buurt with a single respondent has no variance of its own: borrow the pooled one.
    known = [(v, s.respondents - 1) for v, s in zip(z_variances, strata, strict=True) if v is not None]
    pooled = sum(v * d for v, d in known) / sum(d for _, d in known) if known else 0.0

    variance = 0.0
    census = True
    for s, v in zip(strata, z_variances, strict=True):
        population = max(s.population or 0, s.respondents)
        keep = 1.0 - s.respondents / population
        census = census and keep == 0.0
        variance += population * population * keep * (pooled if v is None else v) / s.respondents
    variance /= domain_size * domain_size
    se = math.sqrt(variance)

    if kind == Kind.PROPORTION:
        if variance > 0 and 0.0 < ratio < 1.0:
            n_eff = ratio * (1.0 - ratio) / variance
        elif census:
            n_eff = math.inf
        else:
            # p = 0 or 1 has no variance to learn the design effect from. Use Kish's effective size
            # of the weights with the overall finite-population factor: for one buurt exactly the
            # n (N - 1) / (N - n) of the simple path, so p = 0 reads the same at every level.
            kish = domain_size**2 / sum(w * w * m[3] for w, m in zip(weights, sums, strict=True))
            sampled = sum(s.respondents for s in strata)
            population_total = sum(max(s.population or 0, s.respondents) for s in strata)
            factor = finite_population_factor(sampled, population_total) or 1.0
            n_eff = kish / factor
        return _wilson_from(ratio, n_eff, n=total.n)

    df = float(max(1, total.n - sum(1 for s in strata if s.moments.n > 0)))
    half = t_quantile(0.975, df) * se
    return Estimate(Kind.MEAN, total.n, ratio, ratio - half, ratio + half, se, df)


# --- Comparisons ------------------------------------------------------------------------------


def difference(first: Estimate, second: Estimate) -> Difference:
    """Difference first - second of two independent estimates with its 95% interval."""
    delta = first.value - second.value
    if first.kind == Kind.PROPORTION and second.kind == Kind.PROPORTION:
        # Newcombe (1998) method 10: combine the distances to each Wilson limit.
        low = delta - math.sqrt((first.value - first.low) ** 2 + (second.high - second.value) ** 2)
        high = delta + math.sqrt((first.high - first.value) ** 2 + (second.value - second.low) ** 2)
        return Difference(delta, low, high)
    v1, v2 = first.se**2, second.se**2
    se = math.sqrt(v1 + v2)
    if se == 0:
        return Difference(delta, delta, delta)
    # Welch-Satterthwaite degrees of freedom.
    denominator = (v1 * v1 / first.df if v1 else 0.0) + (v2 * v2 / second.df if v2 else 0.0)
    df = (v1 + v2) ** 2 / denominator if denominator > 0 else 1e9
    half = t_quantile(0.975, max(1.0, df)) * se
    return Difference(delta, delta - half, delta + half)


# --- Suppression (statistical disclosure control) ---------------------------------------------

N = TypeVar("N", bound=Hashable)


def suppress_hierarchy(
    counts: Mapping[N, int],
    children: Mapping[N, Sequence[N]],
    *,
    hidden: Iterable[N] = (),
    minimum: int = MIN_CELL,
) -> set[N]:
    """Return the cells to hide so that no figure about fewer than `minimum` respondents shows.

    Primary suppression hides every cell with 1 to `minimum` - 1 respondents (an empty cell says
    nothing about anyone and shows as 0). Secondary suppression then makes sure no
    hidden group can be recovered by subtraction: for every shown cell with sub-cells, the respondents
    not covered by its shown parts (shown children, or for hidden children their shown parts, and so
    on) must number 0 or at least `minimum`. While that fails, the smallest shown part is hidden too.
    `counts` holds every cell; `children` maps a cell to its sub-cells (which partition it).
    """
    result: set[N] = set(hidden) | {cell for cell, count in counts.items() if 0 < count < minimum}

    def cover(cell: N) -> list[N]:
        parts: list[N] = []
        for child in children.get(cell, ()):
            if child in result:
                parts.extend(cover(child))
            else:
                parts.append(child)
        return parts

    changed = True
    while changed:
        changed = False
        for cell in counts:
            if cell in result or not children.get(cell):
                continue
            while True:
                parts = cover(cell)
                remainder = counts[cell] - sum(counts.get(p, 0) for p in parts)
                if remainder == 0 or remainder >= minimum or not parts:
                    break
                result.add(min(parts, key=_smallest(counts)))
                changed = True
    return result


def _smallest(counts: Mapping[N, int]) -> Callable[[N], tuple[int, str]]:
    return lambda cell: (counts.get(cell, 0), repr(cell))
