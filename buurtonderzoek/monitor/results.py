"""Results of a gemeente's waves: every figure the pages, exports and the PDF report show.

Flow: `load_results(gemeente)` reads, in a fixed number of queries, the waves (with their versions),
their buurten (with wijk and population), the per-buurt running totals (ResultCell) and the pulse
answers. Counts and suppression are settled up front for every area, wave, source and indicator;
estimates are computed lazily, when a page or export asks for a figure, and memoised.

Areas nest gemeente > wijk > buurt. For the invited sample a buurt figure is a simple random sample
estimate with the finite-population correction, a wijk or gemeente figure a stratified estimate
over its buurten (statistics.py). Public-link and pulse answers are not random samples: they are
kept apart, pooled without weights, and shown without intervals or significance.

Everything shown goes through `Figure`, which is empty when suppressed: there is no way to render
a suppressed number by accident.

Release rule (docs/monitor.md, "Geen verschilaanval"): estimates of a wave exist only once the wave
is closed. A closed wave's data never change (no answers after the end date, no reopening), so every
page, export and report about it shows the same numbers, and within that one release the
suppression below holds. A running wave shows fieldwork progress only (suppressed respondent
counts): two downloads before and after one answer can no longer be subtracted into that answer.
Pulse answers given outside any wave are a stream without an end and are never released here; pulse
answers of a wave count only in the whole blocks of 10 that pulse_blocks.py releases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, lru_cache
from typing import Literal

from django.db import router
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from buurtonderzoek.monitor import aggregates, weighting
from buurtonderzoek.monitor.indicators import Indicator, indicator_order, indicators_for
from buurtonderzoek.monitor.models import Response, ResponseStatus, ResultCell, Source, Wave, WaveBuurt, WaveStatus
from buurtonderzoek.monitor.pulse_blocks import released_scores
from buurtonderzoek.monitor.statistics import (
    MIN_CELL,
    Difference,
    Estimate,
    Kind,
    Moments,
    Stratum,
    difference,
    simple,
    stratified,
    suppress_hierarchy,
)
from buurtonderzoek.places.models import Buurt, BuurtPopulation, Gemeente
from buurtonderzoek.questionnaires import engine

Level = Literal["gemeente", "wijk", "buurt"]
# Shown instead of any suppressed count or figure; the legend explains it (fewer than 10 answers, or
# a number that could be worked out from the others).
SUPPRESSED = "•"
AreaKey = tuple[str, int]


@dataclass(frozen=True)
class Area:
    level: Level
    pk: int
    code: str
    name: str
    parent: AreaKey | None

    @property
    def key(self) -> AreaKey:
        return (self.level, self.pk)

    @property
    def slug(self) -> str:
        return f"{self.level}-{self.pk}"


@lru_cache(maxsize=8)
def _decimal_separator(language: str) -> str:
    return str(get_format("DECIMAL_SEPARATOR", language, use_l10n=True))


def fmt_number(value: float, decimals: int) -> str:
    """A number the way the reader's language writes it (7,2 in Dutch), never "-0"."""
    text = f"{value:.{decimals}f}"
    if text.lstrip("-").strip("0.") == "":
        text = text.lstrip("-")
    return text.replace(".", _decimal_separator(get_language() or "nl"))


def clamp(estimate: Estimate, indicator: Indicator) -> Estimate:
    """The interval kept inside the scale: a mark of 1-10 never gets a limit of -0.4 or 10.3."""
    low, high = (0.0, 1.0) if indicator.kind == Kind.PROPORTION else (indicator.low, indicator.high)
    if low is None or high is None:
        return estimate
    return replace(estimate, low=max(float(low), estimate.low), high=min(float(high), estimate.high))


@dataclass(frozen=True)
class Figure:
    """One shown number: an estimate for an area, wave, source and indicator, or nothing."""

    indicator: Indicator
    n: int
    estimate: Estimate | None
    suppressed: bool
    random_sample: bool = True
    # True while the wave runs: no estimate exists yet (see the release rule in the module docstring).
    pending: bool = False

    @property
    def visible(self) -> bool:
        return not self.suppressed and self.estimate is not None

    def _scaled(self, value: float) -> float:
        return value * 100.0 if self.indicator.kind == Kind.PROPORTION else value

    @property
    def decimals(self) -> int:
        return 0 if self.indicator.kind == Kind.PROPORTION else 1

    @property
    def value(self) -> float | None:
        return self._scaled(self.estimate.value) if self.visible and self.estimate else None

    @property
    def low(self) -> float | None:
        return self._scaled(self.estimate.low) if self.visible and self.estimate and self.random_sample else None

    @property
    def high(self) -> float | None:
        return self._scaled(self.estimate.high) if self.visible and self.estimate and self.random_sample else None

    @property
    def n_display(self) -> str:
        if self.pending:
            return "\u2013"
        if self.suppressed or 0 < self.n < MIN_CELL:
            return SUPPRESSED
        return fmt_number(self.n, 0)

    @property
    def value_display(self) -> str:
        if self.value is None:
            return "\u2013"
        text = fmt_number(self.value, self.decimals)
        return f"{text}%" if self.indicator.kind == Kind.PROPORTION else text

    @property
    def ci_display(self) -> str:
        if self.low is None or self.high is None:
            return ""
        low, high = fmt_number(self.low, self.decimals), fmt_number(self.high, self.decimals)
        return f"{low}\u2013{high}%" if self.indicator.kind == Kind.PROPORTION else f"{low}\u2013{high}"

    @property
    def text(self) -> str:
        """Value and interval in one string, for tables and screen readers."""
        if self.suppressed:
            return _("• (te weinig antwoorden)")
        if self.pending:
            return _("volgt na afsluiting")
        if self.value is None:
            return "\u2013"
        if not self.ci_display:
            return self.value_display
        return _("%(value)s (95%%-BI %(ci)s)") % {"value": self.value_display, "ci": self.ci_display}

    @property
    def comparable(self) -> bool:
        return self.indicator.reference is not None and not self.indicator.not_comparable

    @property
    def reference_significant(self) -> bool:
        ref = self.indicator.reference
        return bool(
            self.visible
            and self.random_sample
            and self.comparable
            and ref is not None
            and self.estimate
            and self.estimate.excludes(ref)
        )

    @property
    def reference_display(self) -> str:
        ref = self.indicator.reference
        if ref is None:
            return ""
        scaled = self._scaled(ref)
        text = fmt_number(scaled, self.decimals)
        return f"{text}%" if self.indicator.kind == Kind.PROPORTION else text

    @property
    def reference_verdict(self) -> str:
        """How the area compares with the national reference point, in words."""
        ref = self.indicator.reference
        if ref is None or not self.visible or not self.random_sample or self.estimate is None:
            return ""
        if self.indicator.not_comparable:
            return _("niet vergelijkbaar: %(reason)s") % {"reason": self.indicator.not_comparable}
        if not self.estimate.excludes(ref):
            return _("niet significant verschillend van Nederland")
        higher = self.estimate.value > ref
        return _("significant hoger dan Nederland") if higher else _("significant lager dan Nederland")


@dataclass(frozen=True)
class Comparison:
    """first - second for one indicator, with its interval; None-free only when both are visible."""

    indicator: Indicator
    first: Figure
    second: Figure
    diff: Difference

    @property
    def significant(self) -> bool:
        return self.diff.significant

    @property
    def scale(self) -> float:
        return 100.0 if self.indicator.kind == Kind.PROPORTION else 1.0

    @property
    def decimals(self) -> int:
        return 0 if self.indicator.kind == Kind.PROPORTION else 1

    @property
    def text(self) -> str:
        unit = _(" procentpunt") if self.indicator.kind == Kind.PROPORTION else ""
        value = self.diff.value * self.scale
        sign = "+" if value > 0 else ""
        low = fmt_number(self.diff.low * self.scale, self.decimals)
        high = fmt_number(self.diff.high * self.scale, self.decimals)
        return _("%(sign)s%(value)s%(unit)s (95%%-BI %(low)s tot %(high)s)") % {
            "sign": sign,
            "value": fmt_number(value, self.decimals),
            "unit": unit,
            "low": low,
            "high": high,
        }

    @property
    def verdict(self) -> str:
        if not self.significant:
            return _("geen significant verschil")
        higher = self.diff.value > 0
        better = self.indicator.higher_is_better
        if better is None:
            return _("significant hoger") if higher else _("significant lager")
        if higher == better:
            return _("significant hoger (gunstig)") if higher else _("significant lager (gunstig)")
        return _("significant hoger (ongunstig)") if higher else _("significant lager (ongunstig)")

    @property
    def css(self) -> str:
        better = self.indicator.higher_is_better
        if not self.significant or better is None:
            return ""
        return "verdict-good" if (self.diff.value > 0) == better else "verdict-bad"

    @property
    def symbol(self) -> str:
        if not self.significant:
            return "="
        return "▲" if self.diff.value > 0 else "▼"


@dataclass
class WaveResult:
    """One wave and one source: counts, suppression and (lazily) estimates for every area."""

    wave: Wave
    source: str
    areas: list[Area]
    children: dict[AreaKey, list[AreaKey]]
    strata: dict[int, tuple[int, aggregates.Raw]]  # buurt pk -> (respondents, raw moments per indicator)
    households: dict[int, int]
    codes_issued: dict[int, int]
    indicators: list[Indicator]
    released: bool = True  # False while the wave runs: counts only, no estimates
    # Every area of the wave, when `areas` shows only some (load_results(buurten=...)): suppression is
    # always decided on the whole wave, so a partial view never shows what the full one hides.
    all_areas: list[Area] | None = None
    # Which weighting the estimates use, in words (weighting_text); empty for non-random sources.
    weighting: str = ""
    _figures: dict[tuple[AreaKey, str], Figure] = field(default_factory=dict)
    _hidden: dict[str, set[AreaKey]] = field(default_factory=dict)

    @property
    def random_sample(self) -> bool:
        return self.source == Source.INVITED

    @cached_property
    def area_by_key(self) -> dict[AreaKey, Area]:
        return {a.key: a for a in self.universe}

    @property
    def universe(self) -> list[Area]:
        return self.all_areas if self.all_areas is not None else self.areas

    @cached_property
    def _under(self) -> dict[AreaKey, list[int]]:
        """The buurten (pks) of each area of this wave, computed once."""
        under: dict[AreaKey, list[int]] = {}

        def collect(key: AreaKey) -> list[int]:
            if key not in under:
                if key[0] == "buurt":
                    under[key] = [key[1]] if key[1] in self.households else []
                else:
                    under[key] = [b for child in self.children.get(key, []) for b in collect(child)]
            return under[key]

        for area in self.universe:
            collect(area.key)
        return under

    def buurten_under(self, key: AreaKey) -> list[int]:
        return self._under.get(key) or []

    def _total(self, counts: dict[int, int]) -> dict[AreaKey, int]:
        return {a.key: sum(counts.get(b, 0) for b in self._under[a.key]) for a in self.universe}

    @cached_property
    def respondents(self) -> dict[AreaKey, int]:
        return self._total({b: respondents for b, (respondents, _m) in self.strata.items()})

    @cached_property
    def hidden_respondents(self) -> set[AreaKey]:
        return suppress_hierarchy(self.respondents, self.children)

    @property
    def total(self) -> int:
        return sum(r for r, _m in self.strata.values())

    def hidden_for(self, key: str) -> set[AreaKey]:
        if key not in self._hidden:
            per_buurt = {b: int(m[key][0]) for b, (_r, m) in self.strata.items() if key in m}
            counts = self._total(per_buurt)
            self._hidden[key] = suppress_hierarchy(counts, self.children, hidden=self.hidden_respondents)
        return self._hidden[key]

    def respondents_display(self, area: AreaKey) -> str:
        count = self.respondents.get(area, 0)
        if area in self.hidden_respondents:
            return SUPPRESSED
        return fmt_number(count, 0)

    def respondents_shown(self, area: AreaKey) -> int | None:
        return None if area in self.hidden_respondents else self.respondents.get(area, 0)

    def households_of(self, area: AreaKey) -> int:
        return sum(self.households.get(b, 0) for b in self.buurten_under(area))

    def codes_of(self, area: AreaKey) -> int:
        return sum(self.codes_issued.get(b, 0) for b in self.buurten_under(area))

    def response_rate(self, area: AreaKey) -> float | None:
        """Completed responses per code issued (invited sample), when the count may be shown."""
        shown = self.respondents_shown(area)
        codes = self.codes_of(area)
        if shown is None or not codes or not self.random_sample:
            return None
        return shown / codes

    def response_rate_display(self, area: AreaKey) -> str:
        rate = self.response_rate(area)
        return "\u2013" if rate is None else f"{fmt_number(rate * 100, 0)}%"

    def figure(self, area: AreaKey, indicator: Indicator) -> Figure:
        memo = (area, indicator.key)
        if memo in self._figures:
            return self._figures[memo]
        if not self.released:
            pending = Figure(indicator, 0, None, False, self.random_sample, pending=True)
            self._figures[memo] = pending
            return pending
        buurten = self.buurten_under(area)
        strata = []
        for b in buurten:
            respondents, raw = self.strata.get(b, (0, {}))
            values = raw.get(indicator.key)
            moments = _moments(values) if values else Moments()
            strata.append(Stratum(respondents, moments, self.households.get(b) or None))
        n = sum(s.moments.n for s in strata)
        suppressed = area in self.hidden_for(indicator.key)
        estimate: Estimate | None = None
        if not suppressed and n:
            if not self.random_sample:
                estimate = simple(indicator.kind, sum((s.moments for s in strata), Moments()))
            else:
                # A buurt is a stratum of its own: the same design-based estimate as a wijk, so a
                # subgroup indicator gets the buurt's sampling fraction in its correction.
                estimate = stratified(indicator.kind, strata)
        if estimate is not None:
            estimate = clamp(estimate, indicator)
        figure = Figure(indicator, n, estimate, suppressed, self.random_sample)
        self._figures[memo] = figure
        return figure

    def areas_of(self, level: Level) -> list[Area]:
        return [a for a in self.areas if a.level == level]


@dataclass
class GemeenteResults:
    gemeente: Gemeente
    waves: list[Wave]
    indicators: list[Indicator]
    invited: dict[int, WaveResult]
    public: dict[int, WaveResult]
    pulse: dict[int | None, WaveResult]
    areas: list[Area]
    boundaries: dict[int, object]

    @cached_property
    def indicator_by_key(self) -> dict[str, Indicator]:
        return {i.key: i for i in self.indicators}

    @cached_property
    def root(self) -> AreaKey:
        return ("gemeente", self.gemeente.pk)

    def previous(self, wave: Wave) -> Wave | None:
        earlier = [w for w in self.waves if (w.starts_on, w.pk) < (wave.starts_on, wave.pk)]
        return earlier[-1] if earlier else None

    def wave_by_pk(self, pk: int | None) -> Wave | None:
        for wave in self.waves:
            if wave.pk == pk:
                return wave
        return None

    @property
    def latest(self) -> Wave | None:
        return self.waves[-1] if self.waves else None

    @property
    def latest_released(self) -> Wave | None:
        released = [w for w in self.waves if self.invited[w.pk].released]
        return released[-1] if released else None

    def is_released(self, wave: Wave) -> bool:
        return wave.pk in self.invited and self.invited[wave.pk].released

    def compare(self, first: Figure, second: Figure) -> Comparison | None:
        if not (first.visible and second.visible and first.random_sample and second.random_sample):
            return None
        assert first.estimate is not None and second.estimate is not None
        return Comparison(first.indicator, first, second, difference(first.estimate, second.estimate))

    def compare_waves(self, area: AreaKey, indicator: Indicator, wave: Wave, other: Wave | None) -> Comparison | None:
        if other is None or other.pk not in self.invited or wave.pk not in self.invited:
            return None
        return self.compare(
            self.invited[wave.pk].figure(area, indicator), self.invited[other.pk].figure(area, indicator)
        )

    def trend(self, area: AreaKey, indicator: Indicator) -> list[tuple[Wave, Figure]]:
        return [(w, self.invited[w.pk].figure(area, indicator)) for w in self.waves if w.pk in self.invited]


def _moments(values: Sequence[float]) -> Moments:
    """Raw cell moments: [n, sum, sum of squares], plus the six weighted sums when weighted."""
    if len(values) == 9:
        w = tuple(float(v) for v in values[3:9])
        return Moments(int(values[0]), float(values[1]), float(values[2]), (w[0], w[1], w[2], w[3], w[4], w[5]))
    return Moments(int(values[0]), float(values[1]), float(values[2]))


def asks_age_and_sex(schema: engine.SchemaLike) -> bool:
    """Whether a questionnaire version asks the two weighting questions (age_group and sex)."""
    kinds = {q.meta.get("weighting") for q in engine.as_schema(schema).iter_questions()}
    return {"age", "sex"} <= kinds


def weighting_text(methods: Sequence[tuple[weighting.Method, weighting.Reason]], year: int | None) -> str:
    """One sentence for the page, the exports and the PDF: which weighting the estimates use."""
    reasons = {
        weighting.Reason.NO_QUESTIONS: _("deze vragenlijstversie vraagt geen leeftijd en geslacht"),
        weighting.Reason.NO_TOTALS: _("geen CBS-kerncijfers geladen"),
        weighting.Reason.TOO_FEW: _("te weinig antwoorden per leeftijdsgroep of geslacht"),
    }
    raked = sum(1 for method, _reason in methods if method == weighting.Method.RAKED)
    why = sorted({str(reasons[r]) for m, r in methods if m == weighting.Method.DESIGN and r in reasons})
    if raked == 0:
        return _("Huishoudgewichten per buurt (ontwerpgewichten): %(why)s.") % {"why": "; ".join(why) or "-"}
    text = _(
        "Gewogen naar leeftijd en geslacht (CBS-kerncijfers %(year)s, raking) in %(raked)s van de %(total)s buurten"
    ) % {"year": year or "?", "raked": raked, "total": len(methods)}
    if raked < len(methods):
        text += _("; overige buurten huishoudgewichten (%(why)s)") % {"why": "; ".join(why)}
    return f"{text}."


# Bump when the weighting rules change: every cached weighting is then made again.
WEIGHTING_VERSION = 1
WeightedCache = dict[tuple[int, int], tuple[int, dict[str, object]]]  # (wave, buurt) -> (respondents, cache)


def _cache_key(totals: weighting.Totals, respondents: int) -> str:
    return f"v{WEIGHTING_VERSION}:{totals.year}:{totals.age}:{totals.sex}:{respondents}"


def _weighted_strata(
    waves: Sequence[Wave], per_wave: dict[int, list[WaveBuurt]], cells: WeightedCache
) -> tuple[dict[int, dict[int, tuple[int, aggregates.Raw]]], dict[int, str]]:
    """Post-stratified moments of the raked buurten of closed waves, and each closed wave's weighting text.

    The weighting is kept in the wave's invited cells (`ResultCell.weighted`): a results page reads
    it with the cells, so it costs no query. Only a closed wave whose cache does not match the loaded
    CBS totals (first view after closing, or new totals) is weighed again from its invited answers:
    one query for the answers, one for its cells and one to store the result. See weighting.py.
    """
    texts: dict[int, str] = {}
    strata: dict[int, dict[int, tuple[int, aggregates.Raw]]] = {}
    for wave in waves:
        rows = per_wave.get(wave.pk, [])
        asks = asks_age_and_sex(wave.version.parsed)
        totals = {r.buurt_id: _totals(r.buurt) for r in rows} if asks else {}
        years = {t.year for t in totals.values() if t is not None}
        counts = {b: cells.get((wave.pk, b), (0, {}))[0] for b in totals}
        # Buurten with totals and answers are weighed; the key says with which totals and count.
        expected = {b: _cache_key(t, counts[b]) for b, t in totals.items() if t is not None and counts[b] > 0}
        if any(cells.get((wave.pk, b), (0, {}))[1].get("key") != key for b, key in expected.items()):
            cells.update(_weigh_wave(wave, totals, expected))
        methods: list[tuple[weighting.Method, weighting.Reason]] = []
        wave_strata: dict[int, tuple[int, aggregates.Raw]] = {}
        for row in rows:
            if not asks:
                methods.append((weighting.Method.DESIGN, weighting.Reason.NO_QUESTIONS))
                continue
            if row.buurt_id not in expected:
                reason = weighting.Reason.NO_TOTALS if totals.get(row.buurt_id) is None else weighting.Reason.TOO_FEW
                methods.append((weighting.Method.DESIGN, reason))
                continue
            respondents, cache = cells.get((wave.pk, row.buurt_id), (0, {}))
            method = weighting.Method(str(cache.get("method", weighting.Method.DESIGN)))
            methods.append((method, weighting.Reason(str(cache.get("reason", weighting.Reason.TOO_FEW)))))
            moments = cache.get("moments")
            if method == weighting.Method.RAKED and isinstance(moments, dict):
                wave_strata[row.buurt_id] = (respondents, moments)
        if wave_strata:
            strata[wave.pk] = wave_strata
        texts[wave.pk] = weighting_text(methods, max(years) if years else None)
    return strata, texts


def _weigh_wave(wave: Wave, totals: dict[int, weighting.Totals | None], keys: dict[int, str]) -> WeightedCache:
    """Weigh one closed wave's invited answers per buurt, store the result in its cells and return it."""
    answered: dict[int, list[tuple[weighting.Person, dict[str, float]]]] = defaultdict(list)
    rows = (
        Response.objects.filter(wave=wave, source=Source.INVITED, status=ResponseStatus.COMPLETED)
        .values_list("buurt_id", "scores", "answers__age_group", "answers__sex")
        .iterator(chunk_size=5000)
    )
    for buurt_id, scores, age, sex in rows:
        answered[buurt_id].append((weighting.person_from({"age_group": age, "sex": sex}), scores))
    # Cells are read and written on the primary database (results pages may read from a replica,
    # which refuses writes and may lag). Two first views at once compute the same values: no lock.
    primary = router.db_for_write(ResultCell)
    cells = list(ResultCell.objects.using(primary).filter(wave=wave, source=Source.INVITED))
    for cell in cells:
        if cell.buurt_id not in keys:
            cell.weighted = {}
            continue
        people = answered.get(cell.buurt_id, [])
        result = weighting.buurt_weights([p for p, _s in people], totals.get(cell.buurt_id))
        cell.weighted = {
            "key": keys[cell.buurt_id],
            "method": str(result.method),
            "reason": str(result.reason),
            "moments": _weighted_raw(people, result.factors) if result.method == weighting.Method.RAKED else {},
        }
    ResultCell.objects.using(primary).bulk_update(cells, ["weighted"], batch_size=500)
    return {(wave.pk, cell.buurt_id): (cell.respondents, cell.weighted) for cell in cells}


def _totals(buurt: Buurt) -> weighting.Totals | None:
    pop = _population(buurt)
    if pop is None:
        return None
    return weighting.totals_from(
        year=pop.year,
        age_15_24=pop.age_15_24,
        age_25_44=pop.age_25_44,
        age_45_64=pop.age_45_64,
        age_65_plus=pop.age_65_plus,
        men=pop.men,
        women=pop.women,
    )


def _population(buurt: Buurt) -> BuurtPopulation | None:
    try:
        return buurt.population
    except BuurtPopulation.DoesNotExist:
        return None


def _weighted_raw(answered: list[tuple[weighting.Person, dict[str, float]]], factors: list[float]) -> aggregates.Raw:
    """Per indicator [n, sum, sum of squares, sum g, sum g y, sum g y^2, sum g^2, sum g^2 y, sum g^2 y^2]."""
    raw: aggregates.Raw = {}
    for (_person, scores), g in zip(answered, factors, strict=True):
        for key, value in scores.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            y = float(value)
            entry = raw.setdefault(key, [0.0] * 9)
            entry[0] += 1
            entry[1] += y
            entry[2] += y * y
            entry[3] += g
            entry[4] += g * y
            entry[5] += g * y * y
            entry[6] += g * g
            entry[7] += g * g * y
            entry[8] += g * g * y * y
    return raw


def load_results(
    gemeente: Gemeente,
    *,
    waves: Iterable[Wave] | None = None,
    today: date | None = None,
    finished_only: bool = False,
    buurten: Sequence[Buurt] | None = None,
    with_boundaries: bool = False,
) -> GemeenteResults:
    """Everything needed for a gemeente's results in a fixed number of queries (see the module docstring)."""
    today = today or timezone.localdate()
    if waves is None:
        queryset = Wave.objects.filter(gemeente=gemeente).select_related("version__questionnaire")
        if finished_only:
            queryset = queryset.finished(today)
        wave_list = list(queryset.order_by("starts_on", "pk"))
    else:
        wave_list = sorted(waves, key=lambda w: (w.starts_on, w.pk))
    wave_ids = [w.pk for w in wave_list]
    # Boundaries are large: not with every row, but once per buurt below.
    wave_buurten = (
        WaveBuurt.objects.filter(wave_id__in=wave_ids)
        .select_related("buurt__wijk", "buurt__population")
        .defer("buurt__boundary", "buurt__wijk__boundary")
    )
    # `buurten` narrows what is shown, not what is computed: suppression needs the whole wave.
    only = {("buurt", b.pk) for b in buurten} if buurten is not None else None
    rows = list(wave_buurten.order_by("buurt__wijk__code", "buurt__code"))
    cells = ResultCell.objects.filter(wave_id__in=wave_ids).values_list(
        "wave_id", "buurt_id", "source", "respondents", "moments", "weighted"
    )
    pulse_rows = Response.objects.filter(
        source=Source.PULSE, status=ResponseStatus.COMPLETED, buurt__gemeente=gemeente
    ).values_list("pk", "pulse_group_id", "pulse_position", "pulse_positions", "scores", "wave_id", "buurt_id")

    # Indicators: the union over the versions the waves used, in report order.
    indicators: dict[str, Indicator] = {}
    versions = {w.version_id: w.version for w in wave_list}
    for version in versions.values():
        for indicator in indicators_for(version.parsed):
            indicators.setdefault(indicator.key, indicator)
    indicator_list = sorted(indicators.values(), key=indicator_order)

    # Areas: gemeente > wijk > buurt, over all buurten of all waves.
    root: AreaKey = ("gemeente", gemeente.pk)
    areas: dict[AreaKey, Area] = {root: Area("gemeente", gemeente.pk, gemeente.code, gemeente.name, None)}
    boundaries: dict[int, object] = {}
    per_wave: dict[int, list[WaveBuurt]] = defaultdict(list)
    for row in rows:
        buurt = row.buurt
        wijk = buurt.wijk
        areas.setdefault(("wijk", wijk.pk), Area("wijk", wijk.pk, wijk.code, wijk.name, root))
        areas.setdefault(("buurt", buurt.pk), Area("buurt", buurt.pk, buurt.code, buurt.name, ("wijk", wijk.pk)))
        per_wave[row.wave_id].append(row)
    buurt_pks = {row.buurt_id for row in rows if only is None or ("buurt", row.buurt_id) in only}
    if with_boundaries and buurt_pks:
        boundaries.update(Buurt.objects.filter(pk__in=buurt_pks).values_list("pk", "boundary"))
    area_list = [
        areas[root],
        *sorted(
            (a for a in areas.values() if a.level != "gemeente"),
            key=lambda a: (a.code if a.level == "wijk" else _wijk_code(areas, a), a.level != "wijk", a.code),
        ),
    ]

    strata: dict[tuple[int, str], dict[int, tuple[int, aggregates.Raw]]] = defaultdict(dict)
    weighted_cache: WeightedCache = {}
    for wave_id, buurt_id, source, respondents, raw, weighted_cell in cells:
        strata[(wave_id, source)][buurt_id] = (respondents, raw)
        if source == Source.INVITED:
            weighted_cache[(wave_id, buurt_id)] = (respondents, weighted_cell)
    pulse_raw: dict[int | None, dict[int, tuple[int, aggregates.Raw]]] = defaultdict(dict)
    # Only the released blocks of pulse answers (pulse_blocks.py): the same answers the canvass and
    # gemeente pulse pages show, so no figure here minus one there is about fewer than 10 people.
    pulse_list = list(pulse_rows)
    released_pulse = released_scores(row[:5] for row in pulse_list)
    for pk, *_placed, wave_id, buurt_id in pulse_list:
        if pk not in released_pulse:
            continue
        count, raw_moments = pulse_raw[wave_id].get(buurt_id, (0, {}))
        pulse_raw[wave_id][buurt_id] = (count + 1, aggregates.fold(raw_moments, released_pulse[pk]))

    def wanted(area: Area, children: dict[AreaKey, list[AreaKey]]) -> bool:
        assert only is not None
        if area.level == "buurt":
            return area.key in only
        return area.level == "gemeente" or any(child in only for child in children.get(area.key, []))

    released_waves = [w for w in wave_list if w.status(today) == WaveStatus.FINISHED]
    weighted, weighting_texts = _weighted_strata(released_waves, per_wave, weighted_cache)
    for wave_id, by_buurt in weighted.items():
        # Raked buurten get their weighted moments; the others keep the running totals (design weights).
        strata[(wave_id, Source.INVITED)].update(by_buurt)

    def build(
        wave: Wave, source: str, wave_strata: dict[int, tuple[int, aggregates.Raw]], rows_: list[WaveBuurt]
    ) -> WaveResult:
        buurt_keys = {("buurt", r.buurt_id) for r in rows_}
        children: dict[AreaKey, list[AreaKey]] = defaultdict(list)
        members: list[Area] = [areas[root]]
        seen: set[AreaKey] = set()
        for area in area_list:
            if area.level == "buurt" and area.key in buurt_keys:
                assert area.parent is not None
                children[area.parent].append(area.key)
                if area.parent not in seen:
                    seen.add(area.parent)
                    children[root].append(area.parent)
        for area in area_list:
            if area.key in buurt_keys or area.key in seen:
                members.append(area)
        return WaveResult(
            released=wave.pk is not None and wave.status(today) == WaveStatus.FINISHED,
            wave=wave,
            source=source,
            areas=members if only is None else [a for a in members if wanted(a, children)],
            all_areas=None if only is None else members,
            children=dict(children),
            strata=wave_strata,
            households={r.buurt_id: r.households for r in rows_},
            codes_issued={r.buurt_id: r.codes_issued for r in rows_},
            indicators=indicator_list,
            weighting=weighting_texts.get(wave.pk, "") if source == Source.INVITED else "",
        )

    invited = {w.pk: build(w, Source.INVITED, strata[(w.pk, Source.INVITED)], per_wave[w.pk]) for w in wave_list}
    public = {
        w.pk: build(w, Source.PUBLIC, strata[(w.pk, Source.PUBLIC)], per_wave[w.pk])
        for w in wave_list
        if strata.get((w.pk, Source.PUBLIC)) and any(r for r, _m in strata[(w.pk, Source.PUBLIC)].values())
    }
    pulse: dict[int | None, WaveResult] = {}
    for pulse_wave_id, by_buurt in pulse_raw.items():
        wave_obj = next((w for w in wave_list if w.pk == pulse_wave_id), None)
        if pulse_wave_id is not None and wave_obj is None:
            continue
        converted = dict(by_buurt)
        pulse_rows_for = per_wave[pulse_wave_id] if pulse_wave_id is not None else _pseudo_rows(rows, by_buurt)
        pulse[pulse_wave_id] = build(wave_obj or _NO_WAVE, Source.PULSE, converted, pulse_rows_for)
    if only is not None:
        keep = {a.key for result in invited.values() for a in result.areas} | {root}
        area_list = [a for a in area_list if a.key in keep]
    return GemeenteResults(gemeente, wave_list, indicator_list, invited, public, pulse, area_list, boundaries)


_NO_WAVE = Wave(name="", starts_on=date.min, ends_on=date.min)


def _pseudo_rows(rows: list[WaveBuurt], by_buurt: dict[int, tuple[int, aggregates.Raw]]) -> list[WaveBuurt]:
    """Pulse answers outside any wave: use the buurten seen in the gemeente's waves."""
    seen: dict[int, WaveBuurt] = {}
    for row in rows:
        if row.buurt_id in by_buurt:
            seen.setdefault(row.buurt_id, WaveBuurt(buurt=row.buurt, households=0, codes_issued=0))
    return list(seen.values())


def _wijk_code(areas: dict[AreaKey, Area], area: Area) -> str:
    return areas[area.parent].code if area.parent in areas else ""
