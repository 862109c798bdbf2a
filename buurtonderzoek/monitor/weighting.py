"""Post-stratification weights to CBS population totals per buurt (pure functions, no Django).

The CBS Veiligheidsmonitor describes persons of 15 and older and weights its respondents to
population totals. We do the same per buurt when the CBS "Kerncijfers wijken en buurten" are loaded
(places.BuurtPopulation): CBS publishes the age bands (15-25, 25-45, 45-65, 65+) and the sexes as
two separate margins, not their cross-table, so the weights are fitted to both margins by raking
(iterative proportional fitting, Deming & Stephan 1940).

Rules (docs/monitor.md, "Weging"):

- The weights are factors g on top of the household design weight N_h / n_h of the buurt. They
  only move weight between respondents of one buurt: the respondents who gave both their age band
  and their sex share the weight they had (mean g = 1), so a buurt's total weight never changes.
- Respondents who said "zeg ik liever niet" (or "anders" for sex, which CBS does not count apart),
  or who answered a version without these questions, keep g = 1: the design weight only.
- Too few respondents in a group: an age band with fewer than `MIN_GROUP` respondents is merged
  with its neighbour (and its population with it); a sex with fewer than `MIN_GROUP` drops the sex
  margin. When nothing is left to rake on, or the totals are missing, the buurt keeps the design
  weights and the reason is reported.
- Extreme weights are trimmed to [`TRIM_LOW`, `TRIM_HIGH`] and raked again (a few rounds), so one
  respondent never counts for more than three "average" ones; margins then hold approximately.
- The CBS sex margin counts all ages; we assume the share of men among the 15+ equals that of all
  inhabitants (CBS does not publish sex by age per buurt).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

AGE_BANDS = ("15_24", "25_44", "45_64", "65_plus")
SEXES = ("man", "vrouw")
MIN_GROUP = 5  # respondents needed in every raking group
TRIM_LOW = 0.3
TRIM_HIGH = 3.0
ROUNDS = 5  # rake-then-trim rounds
ITERATIONS = 200  # raking sweeps per round
TOLERANCE = 1e-10


class Method(StrEnum):
    RAKED = "raked"
    DESIGN = "design"


class Reason(StrEnum):
    NONE = ""
    NO_QUESTIONS = "no_questions"  # the questionnaire version does not ask age and sex
    NO_TOTALS = "no_totals"  # no CBS kerncijfers for this buurt (or unknown "." values)
    TOO_FEW = "too_few"  # too few respondents per group, even after merging


@dataclass(frozen=True)
class Totals:
    """Population 15+ per age band and the sex shares, from CBS kerncijfers."""

    age: tuple[float, float, float, float]
    sex: tuple[float, float]  # men, women (all ages; used as shares)
    year: int


def totals_from(
    *,
    year: int,
    age_15_24: int | None,
    age_25_44: int | None,
    age_45_64: int | None,
    age_65_plus: int | None,
    men: int | None,
    women: int | None,
) -> Totals | None:
    """Totals when every needed figure is known and positive in sum; else None (design weights)."""
    ages = (age_15_24, age_25_44, age_45_64, age_65_plus)
    if any(a is None for a in ages) or men is None or women is None:
        return None
    age = tuple(float(a or 0) for a in ages)
    if sum(age) <= 0 or men + women <= 0:
        return None
    return Totals((age[0], age[1], age[2], age[3]), (float(men), float(women)), year)


@dataclass(frozen=True)
class BuurtWeights:
    factors: list[float]  # g per respondent, in input order
    method: Method
    reason: Reason = Reason.NONE
    age_groups: tuple[tuple[str, ...], ...] = ()  # the age bands raked on, after merging
    sex_used: bool = False


@dataclass(frozen=True)
class Person:
    age: str | None  # one of AGE_BANDS, or None (not asked, "zeg ik liever niet")
    sex: str | None  # one of SEXES, or None ("anders", "zeg ik liever niet", not asked)


def _merge_small(counts: list[int], targets: list[float], labels: list[tuple[str, ...]]) -> list[int]:
    """Merge the smallest too-small age group into its smaller neighbour until every group has at least
    MIN_GROUP respondents and a positive target. Returns the group index of each original band."""
    mapping = list(range(len(counts)))
    while len(counts) > 1:
        bad = [i for i in range(len(counts)) if counts[i] < MIN_GROUP or targets[i] <= 0]
        if not bad:
            break
        i = min(bad, key=lambda k: (counts[k], k))
        if i == 0:
            j = 1
        elif i == len(counts) - 1:
            j = i - 1
        else:
            j = i - 1 if counts[i - 1] <= counts[i + 1] else i + 1
        low, high = min(i, j), max(i, j)
        counts[low] += counts[high]
        targets[low] += targets[high]
        labels[low] = labels[low] + labels[high]
        del counts[high], targets[high], labels[high]
        mapping = [m if m < high else (low if m == high else m - 1) for m in mapping]
    return mapping


def rake(
    cells: Sequence[tuple[int, int | None]],
    age_targets: Sequence[float],
    sex_targets: Sequence[float] | None,
    *,
    trim: tuple[float, float] = (TRIM_LOW, TRIM_HIGH),
) -> list[float]:
    """Raking factors (mean 1) for respondents in (age group, sex group or None) cells.

    The targets are scaled to the number of respondents, so the factors average 1. Each round rakes
    to convergence; factors inside `trim` are returned as they are (both margins exact), others are
    trimmed and raked again, and after the last round the trimmed factors are rescaled to mean 1.
    """
    m = len(cells)
    if m == 0:
        return []
    weights = [1.0] * m
    margins: list[tuple[list[int], list[float]]] = []
    age_total = sum(age_targets)
    margins.append(([a for a, _s in cells], [t * m / age_total for t in age_targets]))
    if sex_targets is not None:
        sex_total = sum(sex_targets)
        margins.append(([s if s is not None else 0 for _a, s in cells], [t * m / sex_total for t in sex_targets]))
    low, high = trim
    for _round in range(ROUNDS):
        for _sweep in range(ITERATIONS):
            change = 0.0
            for groups, targets in margins:
                sums = [0.0] * len(targets)
                for i, group in enumerate(groups):
                    sums[group] += weights[i]
                factors = [targets[g] / sums[g] if sums[g] > 0 else 1.0 for g in range(len(targets))]
                for i, group in enumerate(groups):
                    weights[i] *= factors[group]
                change = max(change, max(abs(f - 1.0) for f in factors))
            if change < TOLERANCE:
                break
        if all(low <= w <= high for w in weights):
            return weights  # both margins hold exactly
        weights = [min(high, max(low, w)) for w in weights]
    # Still outside the bounds after every round: keep the trimmed factors and rescale them to mean 1
    # (the buurt's total weight is unchanged), trimming again until both hold; the margins then hold
    # approximately. Mean 1 inside [low, high] is always reachable because low <= 1 <= high.
    for _step in range(1000):
        scale = m / sum(weights)
        weights = [min(high, max(low, w * scale)) for w in weights]
        if abs(sum(weights) - m) < 1e-9 * m:
            break
    return weights


def buurt_weights(people: Sequence[Person], totals: Totals | None, *, asks: bool = True) -> BuurtWeights:
    """The factors g for one buurt's respondents (see the module docstring for the rules)."""
    ones = [1.0] * len(people)
    if not asks:
        return BuurtWeights(ones, Method.DESIGN, Reason.NO_QUESTIONS)
    if totals is None:
        return BuurtWeights(ones, Method.DESIGN, Reason.NO_TOTALS)
    known = [i for i, p in enumerate(people) if p.age in AGE_BANDS and p.sex in SEXES]
    age_counts = [sum(1 for i in known if people[i].age == band) for band in AGE_BANDS]
    age_targets = list(totals.age)
    labels: list[tuple[str, ...]] = [(band,) for band in AGE_BANDS]
    mapping = _merge_small(age_counts, age_targets, labels)
    sex_counts = [sum(1 for i in known if people[i].sex == sex) for sex in SEXES]
    use_sex = min(sex_counts) >= MIN_GROUP and min(totals.sex) > 0
    if not known or (len(age_targets) < 2 and not use_sex):
        return BuurtWeights(ones, Method.DESIGN, Reason.TOO_FEW)
    cells = []
    for i in known:
        age = people[i].age
        sex = people[i].sex
        assert age is not None and sex is not None
        cells.append((mapping[AGE_BANDS.index(age)], SEXES.index(sex) if use_sex else None))
    factors = rake(cells, age_targets, totals.sex if use_sex else None)
    result = list(ones)
    for i, g in zip(known, factors, strict=True):
        result[i] = g
    return BuurtWeights(result, Method.RAKED, Reason.NONE, tuple(labels), use_sex)


def person_from(answers: Mapping[str, object]) -> Person:
    """Age band and sex from a response's answers (`age_group`, `sex`); anything else is unknown."""
    age = answers.get("age_group")
    sex = answers.get("sex")
    return Person(
        age if isinstance(age, str) and age in AGE_BANDS else None,
        sex if isinstance(sex, str) and sex in SEXES else None,
    )
