"""The Communitymonitor around team activity: buurten with an active team against buurten without,
the monitor trend with the teams' start dates and canvasses as events, and the canvass pulse answers.

Only released figures of closed waves (`load_results(..., finished_only=True)` and the wave's release
flag), with the monitor's own suppression: a group or buurt with fewer than 10 respondents shows no
figure. A buurt "has an active team" for a wave when a team covering it started its first canvass
before the wave ended. The comparison is a difference between groups of buurten, not an effect: teams
often start where worries are greatest, so the verdict says what the intervals allow and no more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Min
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import Team
from buurtonderzoek.canvass.models import Canvass
from buurtonderzoek.monitor.indicators import Indicator
from buurtonderzoek.monitor.models import Wave
from buurtonderzoek.monitor.results import Comparison, Figure, GemeenteResults, WaveResult, clamp, load_results
from buurtonderzoek.monitor.statistics import MIN_CELL, Moments, Stratum, difference, stratified
from buurtonderzoek.places.models import Gemeente


@dataclass(frozen=True)
class GroupComparison:
    indicator: Indicator
    with_team: Figure
    without_team: Figure
    comparison: Comparison | None

    @property
    def intervals_overlap(self) -> bool:
        a, b = self.with_team, self.without_team
        if a.low is None or a.high is None or b.low is None or b.high is None:
            return True
        return a.low <= b.high and b.low <= a.high

    @property
    def verdict(self) -> str:
        if not (self.with_team.visible and self.without_team.visible):
            return _("Te weinig antwoorden in een van beide groepen om te vergelijken.")
        if self.intervals_overlap or self.comparison is None or not self.comparison.significant:
            return _(
                "De betrouwbaarheidsintervallen overlappen: we kunnen niet zeggen dat buurten met een actief team "
                "anders scoren dan buurten zonder."
            )
        return _("Verschil: %(text)s, %(verdict)s. Dit is een verschil tussen buurten, geen bewezen effect.") % {
            "text": self.comparison.text,
            "verdict": self.comparison.verdict,
        }


@dataclass(frozen=True)
class TeamStart:
    team: str
    first_canvass: date


@dataclass(frozen=True)
class MonitorEffect:
    results: GemeenteResults
    wave: Wave | None  # the latest released, closed wave
    active_buurten: set[int]
    comparisons: list[GroupComparison]
    starts: list[TeamStart]
    canvasses_per_month: list[tuple[date, int]]


def _group_figure(result: WaveResult, indicator: Indicator, buurten: list[int]) -> Figure:
    """The design-based estimate over a group of buurten, as the monitor computes one for a wijk."""
    strata = []
    for b in buurten:
        respondents, raw = result.strata.get(b, (0, {}))
        values = raw.get(indicator.key)
        moments = Moments(int(values[0]), float(values[1]), float(values[2])) if values else Moments()
        strata.append(Stratum(respondents, moments, result.households.get(b) or None))
    n = sum(s.moments.n for s in strata)
    suppressed = n < MIN_CELL
    estimate = None if suppressed or not n else stratified(indicator.kind, strata)
    if estimate is not None:
        estimate = clamp(estimate, indicator)
    return Figure(indicator, n, estimate, suppressed, True)


def monitor_effect(gemeente: Gemeente) -> MonitorEffect:
    results = load_results(gemeente, finished_only=True)
    wave = results.latest_released
    teams = Team.objects.filter(gemeente=gemeente)
    firsts = dict(
        Canvass.objects.filter(incident__team__in=teams)
        .values("incident__team_id")
        .annotate(first=Min("created_at"))
        .order_by()
        .values_list("incident__team_id", "first")
    )
    starts = sorted(
        (TeamStart(t.name, firsts[t.pk].date()) for t in teams if t.pk in firsts), key=lambda s: s.first_canvass
    )
    per_month = [
        (m.date(), n)
        for m, n in Canvass.objects.filter(incident__team__in=teams)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
        .values_list("month", "n")
    ]
    active: set[int] = set()
    comparisons: list[GroupComparison] = []
    if wave is not None:
        result = results.invited[wave.pk]
        started = {pk for pk, first in firsts.items() if first.date() <= wave.ends_on}
        active = set(Team.buurten.through.objects.filter(team_id__in=started).values_list("buurt_id", flat=True))
        in_wave = list(result.households)
        with_team = [b for b in in_wave if b in active]
        without = [b for b in in_wave if b not in active]
        for indicator in results.indicators:
            a, b = _group_figure(result, indicator, with_team), _group_figure(result, indicator, without)
            comparison = None
            if a.visible and b.visible and a.estimate is not None and b.estimate is not None:
                comparison = Comparison(indicator, a, b, difference(a.estimate, b.estimate))
            comparisons.append(GroupComparison(indicator, a, b, comparison))
    return MonitorEffect(results, wave, active, comparisons, starts, per_month)


@dataclass(frozen=True)
class LatestMonitor:
    """The latest closed, released wave's per-area figures, for shading the grip map by an indicator."""

    wave: Wave
    result: WaveResult
    indicators: list[Indicator]

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(f"monitor:{i.key}", f"{i.label} ({self.wave.name})") for i in self.indicators]

    def indicator(self, figure: str) -> Indicator | None:
        key = figure.removeprefix("monitor:")
        return next((i for i in self.indicators if i.key == key), None) if figure.startswith("monitor:") else None


def latest_monitor(gemeente: Gemeente) -> LatestMonitor | None:
    results = load_results(gemeente, finished_only=True)
    wave = results.latest_released
    if wave is None:
        return None
    return LatestMonitor(wave, results.invited[wave.pk], results.indicators)
