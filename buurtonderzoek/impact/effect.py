"""The measured effect of an action: a difference-in-differences on the monitor's stored aggregates.

Flow (docs/adr/0007-effect-of-an-action.md): `measure(action)` picks
- the baseline: the last closed wave of the gemeente that ended before the action started;
- the follow-up: the first closed wave that ended on or after the end of the agreed period;
then, for the buurten surveyed in both waves, splits them into the action's buurten (treated) and the
other buurten of the gemeente (comparison), and per pre-registered indicator estimates each group in
each wave from the invited sample's running totals (`ResultCell`, stratified over buurten with the
finite-population correction, monitor/statistics.py). The effect is

    DiD = (treated after - treated before) - (comparison after - comparison before)

with variance the sum of the four (independent) variances and a normal 95% interval. Without known
populations this equals the interaction coefficient of OLS `y ~ treated * after` with HC2 standard
errors (cross-checked against statsmodels in the tests).

Disclosure: a group with fewer than `MIN_CELL` respondents in either wave suppresses the indicator
(the monitor's rule, applied unchanged); nothing here reads single responses.

Power: with the pooled variance s² of the four cells, the smallest effect detectable with 80% power
is (z₀.₉₇₅ + z₀.₈) · se; when the pre-registered size is smaller, the result warns and says how many
answers per group and wave would be needed: n = 4 s² (z₀.₉₇₅ + z₀.₈)² / δ².
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from buurtonderzoek.impact.models import PROCESS_METRICS, Action, Comparison, Direction, EffectKind, ExpectedEffect
from buurtonderzoek.monitor.indicators import KNOWN, Indicator, indicators_for
from buurtonderzoek.monitor.models import ResultCell, Source, Wave, WaveBuurt
from buurtonderzoek.monitor.statistics import MIN_CELL, Z95, Estimate, Kind, Moments, Stratum, stratified

Z80 = 0.8416212335729143  # the 80% quantile of the standard normal: power 80%


def indicator_choices() -> list[tuple[str, str]]:
    """Monitor indicators an action can pre-register (the standard questionnaire's, labelled)."""
    from buurtonderzoek.questionnaires.models import QuestionnaireVersion

    try:
        version = QuestionnaireVersion.objects.latest_published("communitymonitor")
        found = indicators_for(version.parsed)
    except QuestionnaireVersion.DoesNotExist:
        found = list(KNOWN.values())
    return [(i.key, str(i.label)) for i in found]


def closed_waves(gemeente_id: int, *, today: date) -> list[Wave]:
    """Waves whose fieldwork is over, oldest first: only they give estimates (the monitor's release rule)."""
    rows = Wave.objects.filter(gemeente_id=gemeente_id).finished(today).select_related("version")
    return list(rows.order_by("ends_on", "id"))


@dataclass(frozen=True)
class WaveInfo:
    pk: int
    name: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class GroupFigure:
    respondents: int
    value: float | None  # in display units (percent or points); None when suppressed
    low: float | None
    high: float | None


@dataclass(frozen=True)
class IndicatorEffect:
    key: str
    label: str
    kind: str
    direction: str
    expected: float  # display units, signed by the expected direction
    treated_before: GroupFigure
    treated_after: GroupFigure
    comparison_before: GroupFigure
    comparison_after: GroupFigure
    suppressed: bool
    comparison_buurten: int = 0
    did: float | None = None
    low: float | None = None
    high: float | None = None
    se: float | None = None
    detectable: float | None = None  # the smallest effect detectable with 80% power, display units
    needed_per_group: int | None = None  # answers per group and wave needed for the expected effect
    verdict: str = "suppressed"  # expected | opposite | none | suppressed

    @property
    def underpowered(self) -> bool:
        return self.detectable is not None and abs(self.expected) < self.detectable

    @property
    def unit(self) -> str:
        return _("procentpunt") if self.kind == Kind.PROPORTION else _("punt")

    @property
    def words(self) -> str:
        if self.verdict == "suppressed":
            return _("Niet te tonen: in een van de groepen antwoordden minder dan %(min)s mensen in een meetronde.") % {
                "min": MIN_CELL
            }
        numbers = {"did": _fmt(self.did), "low": _fmt(self.low), "high": _fmt(self.high), "unit": self.unit}
        if self.verdict == "none":
            return (
                _(
                    "Geen aantoonbaar effect: het verschil van %(did)s %(unit)s (95%%-betrouwbaarheidsinterval "
                    "%(low)s tot %(high)s) kan ook toeval zijn."
                )
                % numbers
            )
        if self.verdict == "expected":
            return (
                _(
                    "Aantoonbaar effect in de verwachte richting: %(did)s %(unit)s (95%%-betrouwbaarheidsinterval "
                    "%(low)s tot %(high)s)."
                )
                % numbers
            )
        return (
            _(
                "Aantoonbaar verschil, maar in de andere richting dan verwacht: %(did)s %(unit)s "
                "(95%%-betrouwbaarheidsinterval %(low)s tot %(high)s)."
            )
            % numbers
        )

    @property
    def power_warning(self) -> str:
        if not self.underpowered:
            return ""
        return _(
            "Let op: de steekproeven zijn te klein om het verwachte effect van %(expected)s %(unit)s aan te tonen; "
            "het kleinste aantoonbare effect is %(detectable)s %(unit)s. Daarvoor zijn ongeveer %(needed)s "
            "antwoorden per meetronde nodig in de actiebuurten, en evenveel in de vergelijkingsbuurten."
        ) % {
            "expected": _fmt(abs(self.expected)),
            "detectable": _fmt(self.detectable),
            "needed": self.needed_per_group,
            "unit": self.unit,
        }


@dataclass(frozen=True)
class ProcessFigure:
    key: str
    label: str
    before: float
    during: float
    expected: float | None  # the pre-registered change (signed), if any


@dataclass
class EffectResult:
    action_id: int
    computed_on: date
    baseline: WaveInfo | None
    follow_up: WaveInfo | None
    treated_buurten: int = 0
    comparison_buurten: int = 0
    indicators: list[IndicatorEffect] = field(default_factory=list)
    process: list[ProcessFigure] = field(default_factory=list)

    @property
    def status_words(self) -> str:
        if self.baseline is None:
            return _("Er is geen afgesloten meetronde van vóór de start: het effect is niet te meten.")
        if self.follow_up is None:
            return _(
                "Nulmeting: %(wave)s. Het effect wordt gemeten zodra de eerste meetronde na de afgesproken "
                "periode is afgesloten."
            ) % {"wave": self.baseline.name}
        return _("Gemeten met %(before)s als nulmeting en %(after)s als nameting.") % {
            "before": self.baseline.name,
            "after": self.follow_up.name,
        }

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["computed_on"] = self.computed_on.isoformat()
        for wave in ("baseline", "follow_up"):
            if data[wave]:
                data[wave]["starts_on"] = data[wave]["starts_on"].isoformat()
                data[wave]["ends_on"] = data[wave]["ends_on"].isoformat()
        for item, effect in zip(data["indicators"], self.indicators, strict=True):
            item["words"] = effect.words
            item["power_warning"] = effect.power_warning
        return data


def _fmt(value: float | None) -> str:
    from buurtonderzoek.monitor.results import fmt_number

    return "" if value is None else fmt_number(value, 1)


def pick_waves(action: Action, waves: Sequence[Wave]) -> tuple[Wave | None, Wave | None]:
    """The baseline (last closed wave ended before the start) and follow-up (first ended after the period)."""
    before = [w for w in waves if w.ends_on < action.starts_on]
    after = [w for w in waves if w.ends_on >= action.ends_on and w.starts_on > action.starts_on]
    return (before[-1] if before else None), (after[0] if after else None)


def _info(wave: Wave | None) -> WaveInfo | None:
    return None if wave is None else WaveInfo(wave.pk, wave.name, wave.starts_on, wave.ends_on)


def measure(action: Action, *, today: date | None = None, with_process: bool = True) -> EffectResult:
    """The action's measured effect from stored aggregates: a fixed number of queries."""
    today = today or timezone.localdate()
    baseline, follow_up = pick_waves(action, closed_waves(action.table.gemeente_id, today=today))
    result = EffectResult(action.pk, today, _info(baseline), _info(follow_up))
    expected = list(action.expected_effects.all())
    treated_ids = set(action.buurten.values_list("pk", flat=True))
    if with_process:
        result.process = process_figures(action, sorted(treated_ids), expected)
    if baseline is None or follow_up is None:
        return result

    populations: dict[tuple[int, int], int] = {
        (w, b): h
        for w, b, h in WaveBuurt.objects.filter(wave__in=(baseline, follow_up)).values_list(
            "wave_id", "buurt_id", "households"
        )
    }
    in_both = {b for (w, b) in populations if w == baseline.pk} & {b for (w, b) in populations if w == follow_up.pk}
    treated = in_both & treated_ids
    others = in_both - treated_ids
    cells: dict[tuple[int, int], tuple[int, dict[str, Any]]] = {
        (wave_id, buurt_id): (respondents, moments)
        for wave_id, buurt_id, respondents, moments in ResultCell.objects.filter(
            wave__in=(baseline, follow_up), source=Source.INVITED, buurt_id__in=in_both
        ).values_list("wave_id", "buurt_id", "respondents", "moments")
    }
    by_indicator: dict[str, Indicator] = {i.key: i for i in indicators_for(follow_up.version.parsed)}
    result.treated_buurten, result.comparison_buurten = len(treated), len(others)
    for expectation in (e for e in expected if e.kind == EffectKind.INDICATOR):
        indicator = by_indicator.get(expectation.key) or KNOWN.get(expectation.key)
        if indicator is None:
            continue
        comparison = others
        if action.comparison == Comparison.MATCHED:
            comparison = matched_buurten(expectation.key, treated, others, cells, baseline.pk)
        strata: dict[tuple[bool, int], list[Stratum]] = defaultdict(list)
        counts: dict[tuple[bool, int], int] = defaultdict(int)
        for (wave_id, buurt_id), (respondents, moments) in cells.items():
            if buurt_id not in treated and buurt_id not in comparison:
                continue
            group = (buurt_id in treated, wave_id)
            counts[group] += respondents
            strata[group].append(
                Stratum(respondents, _moments(moments, expectation.key), populations.get((wave_id, buurt_id)) or None)
            )
        result.indicators.append(
            _indicator_effect(expectation, indicator, strata, counts, baseline.pk, follow_up.pk, len(comparison))
        )
    return result


def _moments(raw_cell: dict[str, Any], key: str) -> Moments:
    raw = raw_cell.get(key)
    return Moments(int(raw[0]), float(raw[1]), float(raw[2])) if raw else Moments()


def matched_buurten(
    key: str,
    treated: set[int],
    others: set[int],
    cells: dict[tuple[int, int], tuple[int, dict[str, Any]]],
    baseline_id: int,
) -> set[int]:
    """The comparison buurten nearest to the action's buurten on the baseline value of this indicator:
    twice as many as the action has (at least three), or all when there are fewer."""
    pooled = sum((_moments(cells[(baseline_id, b)][1], key) for b in treated if (baseline_id, b) in cells), Moments())
    if pooled.n == 0:
        return others
    target = pooled.mean
    candidates = []
    for buurt_id in others:
        m = _moments(cells.get((baseline_id, buurt_id), (0, {}))[1], key)
        if m.n:
            candidates.append((abs(m.mean - target), buurt_id))
    wanted = max(3, 2 * len(treated))
    return {buurt_id for _distance, buurt_id in sorted(candidates)[:wanted]}


def _indicator_effect(
    effect: ExpectedEffect,
    indicator: Indicator,
    strata: dict[tuple[bool, int], list[Stratum]],
    counts: dict[tuple[bool, int], int],
    before: int,
    after: int,
    comparison_buurten: int,
) -> IndicatorEffect:
    scale = 100.0 if indicator.kind == Kind.PROPORTION else 1.0
    sign = 1.0 if effect.direction == Direction.UP else -1.0
    groups = [(True, before), (True, after), (False, before), (False, after)]
    suppressed = any(counts.get(g, 0) < MIN_CELL for g in groups)
    estimates: list[Estimate | None] = [
        None if suppressed else stratified(indicator.kind, strata.get((t, w), [])) for t, w in groups
    ]
    suppressed = suppressed or any(e is None or e.n < MIN_CELL for e in estimates)

    def figure(group: tuple[bool, int], estimate: Estimate | None) -> GroupFigure:
        if suppressed or estimate is None:
            return GroupFigure(counts.get(group, 0) if not suppressed else 0, None, None, None)
        return GroupFigure(counts.get(group, 0), estimate.value * scale, estimate.low * scale, estimate.high * scale)

    figures = [figure(g, e) for g, e in zip(groups, estimates, strict=True)]
    base: dict[str, Any] = {
        "key": effect.key,
        "label": str(indicator.label),
        "kind": str(indicator.kind),
        "direction": effect.direction,
        "expected": sign * effect.size,
        "treated_before": figures[0],
        "treated_after": figures[1],
        "comparison_before": figures[2],
        "comparison_after": figures[3],
        "suppressed": suppressed,
        "comparison_buurten": comparison_buurten,
    }
    if suppressed:
        return IndicatorEffect(**base)
    t0, t1, c0, c1 = (e for e in estimates if e is not None)
    did = (t1.value - t0.value) - (c1.value - c0.value)
    se = math.sqrt(t0.se**2 + t1.se**2 + c0.se**2 + c1.se**2)
    low, high = did - Z95 * se, did + Z95 * se
    expected_way = "expected" if (did > 0) == (sign > 0) else "opposite"
    verdict = "none" if low <= 0 <= high else expected_way
    # Power: pooled per-respondent variance of the four cells.
    pooled = sum(e.se**2 * e.n for e in (t0, t1, c0, c1)) / 4
    detectable = (Z95 + Z80) * se
    delta = effect.size / scale
    needed = math.ceil(4 * pooled * (Z95 + Z80) ** 2 / (delta * delta)) if delta > 0 else None
    return IndicatorEffect(
        **base,
        did=did * scale,
        low=low * scale,
        high=high * scale,
        se=se * scale,
        detectable=detectable * scale,
        needed_per_group=needed,
        verdict=verdict,
    )


def process_figures(
    action: Action, buurt_ids: Sequence[int], expected: Sequence[ExpectedEffect]
) -> list[ProcessFigure]:
    """Canvasses, doors, reports used and hours saved in the action's buurten: the same length of time
    before the start against the agreed period (grip.area_figures)."""
    from buurtonderzoek.dashboards.grip import area_figures

    length = (action.ends_on - action.starts_on).days + 1
    before = area_figures(
        buurt_ids, start=action.starts_on - timedelta(days=length), end=action.starts_on - timedelta(days=1)
    )
    during = area_figures(buurt_ids, start=action.starts_on, end=action.ends_on)
    targets = {
        e.key: (e.size if e.direction == Direction.UP else -e.size) for e in expected if e.kind == EffectKind.PROCESS
    }

    def total(figures: dict[int, Any], key: str) -> float:
        return float(sum(getattr(f, key) for f in figures.values()))

    return [
        ProcessFigure(key, str(label), total(before, key), total(during, key), targets.get(key))
        for key, label in PROCESS_METRICS.items()
    ]
