"""The printable results report (PDF, A4) for a gemeente and one wave, via WeasyPrint.

Charts are inline SVG from charts_svg.py; every chart has its numbers printed on it and a table
next to it. Figures come from presenters/results, so suppression is the same as on the pages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from buurtonderzoek.jobs.kinds import PDF, Document, JobRefused, Progress
from buurtonderzoek.jobs.models import Job
from buurtonderzoek.monitor import charts_svg, exports, presenters
from buurtonderzoek.monitor.indicators import Indicator
from buurtonderzoek.monitor.models import Wave
from buurtonderzoek.monitor.results import Figure, GemeenteResults, load_results
from buurtonderzoek.monitor.statistics import Kind

KEY_INDICATORS = (
    "unsafe_general",
    "unsafe_buurt",
    "mark_safety",
    "mark_liveability",
    "cohesion",
    "buurt_change_achteruit",
    "watch_aware",
)


def _point(label: str, figure: Figure) -> charts_svg.Point:
    return charts_svg.Point(
        label, figure.value, figure.low, figure.high, figure.value_display if figure.visible else "•"
    )


def _bounds(indicator: Indicator) -> tuple[float, float] | None:
    if indicator.kind == Kind.PROPORTION:
        return None
    if indicator.low is not None and indicator.high is not None:
        return (float(indicator.low), float(indicator.high))
    return None


def _reference(indicator: Indicator) -> tuple[float | None, str]:
    if indicator.reference is None or indicator.not_comparable:
        return None, ""
    scale = 100.0 if indicator.kind == Kind.PROPORTION else 1.0
    return indicator.reference * scale, presenters.reference_name(indicator)


def _map_areas(data: GemeenteResults, wave: Wave, indicator: Indicator) -> list[charts_svg.MapArea]:
    wave_result = data.invited[wave.pk]
    areas = []
    for area in wave_result.areas_of("buurt"):
        boundary = data.boundaries.get(area.pk)
        geometry = boundary.get("geometry", boundary) if isinstance(boundary, dict) else None
        if geometry:
            figure = wave_result.figure(area.key, indicator)
            text = figure.value_display if figure.visible else "•"
            areas.append(charts_svg.MapArea(area.name, geometry, figure.value, text))
    return areas


def report_context(data: GemeenteResults, wave: Wave) -> dict[str, Any]:
    wave_result = data.invited[wave.pk]
    keys = [data.indicator_by_key[k] for k in KEY_INDICATORS if k in data.indicator_by_key]
    charts = []
    for indicator in keys:
        reference, reference_label = _reference(indicator)
        trend = [_point(w.name, f) for w, f in data.trend(data.root, indicator)]
        bars = [_point(a.name, wave_result.figure(a.key, indicator)) for a in wave_result.areas_of("buurt")]
        charts.append(
            {
                "indicator": indicator,
                "trend": mark_safe(
                    charts_svg.trend_chart(
                        trend,
                        title=str(indicator.label),
                        reference=reference,
                        reference_label=reference_label,
                        bounds=_bounds(indicator),
                    )
                ),
                "bars": mark_safe(
                    charts_svg.bar_chart(
                        bars,
                        title=str(indicator.label),
                        reference=reference,
                        reference_label=reference_label,
                        bounds=_bounds(indicator),
                    )
                ),
                "map": mark_safe(charts_svg.map_chart(_map_areas(data, wave, indicator), title=str(indicator.label))),
                "areas": presenters.area_rows(data, wave, indicator),
            }
        )
    return {
        "gemeente": data.gemeente,
        "wave": wave,
        "previous": data.previous(wave),
        "waves": data.waves,
        "overview": presenters.overview_rows(data, wave),
        "charts": charts,
        "response": [
            {
                "area": area,
                "households": wave_result.households_of(area.key),
                "codes": wave_result.codes_of(area.key),
                "respondents": wave_result.respondents_display(area.key),
                "rate": wave_result.response_rate_display(area.key),
            }
            for area in wave_result.areas
        ],
        "total": wave_result.respondents_display(data.root),
        "weighting": wave_result.weighting,
        "buurt_count": len(wave_result.areas_of("buurt")),
        "public_rows": presenters.nonrandom_rows(data.public.get(wave.pk), data.root),
        "public_result": data.public.get(wave.pk),
        "pulse_rows": presenters.nonrandom_rows(data.pulse.get(wave.pk), data.root),
        "pulse_result": data.pulse.get(wave.pk),
        "explanation": exports.explanation_lines(),
        "generated": timezone.localtime(),
        "root": data.root,
    }


def report_document(job: Job, progress: Progress) -> Document:
    """The background job's producer (jobs.kinds): the report of a closed wave with the waves chosen."""
    gemeente = exports.officer_gemeente(job)
    chosen = set(job.params.get("waves", [])) | {job.params.get("wave")}
    waves = list(Wave.objects.filter(pk__in=chosen, gemeente=gemeente).select_related("version"))
    wave = next((w for w in waves if w.pk == job.params.get("wave")), None)
    if wave is None:
        raise JobRefused(_("Deze meetronde bestaat niet meer. Kies een andere op de resultatenpagina."))
    data = load_results(gemeente, waves=waves, with_boundaries=True)
    if not data.is_released(wave):
        raise JobRefused(_("Het rapport komt beschikbaar als de meetronde is afgesloten."))
    progress(30)
    return Document(results_pdf(data, wave), f"communitymonitor-{gemeente.code}-{wave.pk}.pdf", PDF)


def results_pdf(data: GemeenteResults, wave: Wave) -> bytes:
    from weasyprint import HTML

    html = render_to_string("monitor/pdf/report.html", report_context(data, wave))
    pdf: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return pdf
