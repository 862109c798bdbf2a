"""Rows and chart data for the results page, the buurt summary and the PDF report.

Templates only loop over what these functions return, so a page never queries the database while
rendering and every number passes through results.Figure (suppression included).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from buurtonderzoek.monitor.indicators import GROUPS, Indicator
from buurtonderzoek.monitor.models import Wave
from buurtonderzoek.monitor.results import Area, AreaKey, Comparison, Figure, GemeenteResults, WaveResult
from buurtonderzoek.monitor.statistics import Kind

DEFAULT_INDICATOR = "unsafe_buurt"


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    group: str  # set on the first row of a group, for a group heading
    figures: list[Figure]  # one per wave, in wave order
    current: Figure
    change: Comparison | None


@dataclass(frozen=True)
class AreaRow:
    area: Area
    figure: Figure
    change: Comparison | None
    respondents: str
    response_rate: str
    households: int
    codes: int


@dataclass(frozen=True)
class CompareRow:
    indicator: Indicator
    first: Figure
    second: Figure
    comparison: Comparison | None


def reference_name(indicator: Indicator) -> str:
    """ "Nederland 2019": the national reference point's name, with its year when known."""
    if indicator.reference is None:
        return ""
    year = str(indicator.reference_label)
    return _("Nederland %(year)s") % {"year": year} if year else _("Nederland")


def pick_indicator(results: GemeenteResults, key: str | None) -> Indicator | None:
    if key and key in results.indicator_by_key:
        return results.indicator_by_key[key]
    if DEFAULT_INDICATOR in results.indicator_by_key:
        return results.indicator_by_key[DEFAULT_INDICATOR]
    return results.indicators[0] if results.indicators else None


def indicator_groups(results: GemeenteResults) -> list[tuple[str, list[Indicator]]]:
    groups: list[tuple[str, list[Indicator]]] = []
    for indicator in results.indicators:
        label = str(GROUPS.get(indicator.group, indicator.group))
        if not groups or groups[-1][0] != label:
            groups.append((label, []))
        groups[-1][1].append(indicator)
    return groups


def overview_rows(
    results: GemeenteResults, wave: Wave, area: AreaKey | None = None, *, groups: tuple[str, ...] | None = None
) -> list[IndicatorRow]:
    """Each indicator for one area (default: the gemeente) in every wave, and the change since the last."""
    area = area or results.root
    previous = results.previous(wave)
    current_result = results.invited[wave.pk]
    rows: list[IndicatorRow] = []
    last_group = ""
    for indicator in results.indicators:
        if groups is not None and indicator.group not in groups:
            continue
        current = current_result.figure(area, indicator)
        figures = [results.invited[w.pk].figure(area, indicator) for w in results.waves]
        if all(f.n == 0 for f in figures):
            continue
        group = str(GROUPS.get(indicator.group, "")) if indicator.group != last_group else ""
        last_group = indicator.group
        rows.append(
            IndicatorRow(indicator, group, figures, current, results.compare_waves(area, indicator, wave, previous))
        )
    return rows


def area_rows(results: GemeenteResults, wave: Wave, indicator: Indicator) -> list[AreaRow]:
    wave_result = results.invited[wave.pk]
    previous = results.previous(wave)
    rows = []
    for area in wave_result.areas:
        rows.append(
            AreaRow(
                area=area,
                figure=wave_result.figure(area.key, indicator),
                change=results.compare_waves(area.key, indicator, wave, previous),
                respondents=wave_result.respondents_display(area.key),
                response_rate=wave_result.response_rate_display(area.key),
                households=wave_result.households_of(area.key),
                codes=wave_result.codes_of(area.key),
            )
        )
    return rows


def compare_rows(results: GemeenteResults, wave: Wave, first: AreaKey, second: AreaKey) -> list[CompareRow]:
    wave_result = results.invited[wave.pk]
    rows = []
    for indicator in results.indicators:
        a, b = wave_result.figure(first, indicator), wave_result.figure(second, indicator)
        if a.n == 0 and b.n == 0:
            continue
        rows.append(CompareRow(indicator, a, b, results.compare(a, b)))
    return rows


def nonrandom_rows(wave_result: WaveResult | None, root: AreaKey) -> list[tuple[Indicator, Figure]]:
    if wave_result is None:
        return []
    rows = []
    for indicator in wave_result.indicators:
        figure = wave_result.figure(root, indicator)
        if figure.n:
            rows.append((indicator, figure))
    return rows


def _point(label: str, figure: Figure) -> dict[str, Any]:
    return {
        "label": label,
        "value": _r(figure.value),
        "low": _r(figure.low),
        "high": _r(figure.high),
        "text": figure.text,
    }


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def chart_data(
    results: GemeenteResults, wave: Wave, indicator: Indicator, area: AreaKey | None = None
) -> dict[str, Any]:
    """JSON for the page's charts: the trend over waves and one bar per buurt for the chosen wave."""
    area = area or results.root
    scale = 100.0 if indicator.kind == Kind.PROPORTION else 1.0
    wave_result = results.invited[wave.pk]
    return {
        "indicator": str(indicator.label),
        "unit": "%" if indicator.kind == Kind.PROPORTION else "",
        # No reference line where the comparison would cross a series break or a definition.
        "reference": indicator.reference * scale
        if indicator.reference is not None and not indicator.not_comparable
        else None,
        "referenceLabel": reference_name(indicator),
        "min": 0 if indicator.kind == Kind.PROPORTION else indicator.low,
        "max": None if indicator.kind == Kind.PROPORTION else indicator.high,
        "trend": [_point(w.name, f) for w, f in results.trend(area, indicator)],
        "bars": [_point(a.name, wave_result.figure(a.key, indicator)) for a in wave_result.areas_of("buurt")],
        "labels": {
            "value": _("waarde"),
            "interval": _("95%-betrouwbaarheidsinterval"),
            "suppressed": _("onderdrukt"),
        },
    }


def map_data(results: GemeenteResults, wave: Wave, indicator: Indicator) -> dict[str, Any]:
    """GeoJSON of the wave's buurten with the indicator's value and its text (also for screen readers)."""
    wave_result = results.invited[wave.pk]
    features = []
    for area in wave_result.areas_of("buurt"):
        boundary = results.boundaries.get(area.pk)
        if not boundary:
            continue
        geometry = boundary.get("geometry", boundary) if isinstance(boundary, dict) else None
        if not geometry:
            continue
        figure = wave_result.figure(area.key, indicator)
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {"name": area.name, "value": _r(figure.value), "text": figure.text},
            }
        )
    return {"type": "FeatureCollection", "features": features}
