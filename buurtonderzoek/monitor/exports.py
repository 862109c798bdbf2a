"""CSV and XLSX exports of a gemeente's results.

Both are built from `export_rows`, which reads only `Figure`s and the suppressed respondent counts
of results.py: a suppressed cell has no number in any column (not its n either), exactly as on the
pages. Text cells are guarded against spreadsheet formula injection (`safe_cell`).

Both are made in the background (`csv_document`, `xlsx_document`, jobs app): on a large gemeente
loading and computing the results takes seconds, and the page must never wait for it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtonderzoek.jobs.kinds import CSV, XLSX, Document, JobRefused, Progress
from buurtonderzoek.jobs.models import Job
from buurtonderzoek.monitor.access import is_officer
from buurtonderzoek.monitor.models import Source
from buurtonderzoek.monitor.results import SUPPRESSED, Area, GemeenteResults, WaveResult, load_results
from buurtonderzoek.monitor.statistics import MIN_CELL, Kind
from buurtonderzoek.places.models import Gemeente

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Prefix text that a spreadsheet would run as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


@dataclass(frozen=True)
class ExportRow:
    wave: str
    period: str
    source: str
    random_sample: bool
    level: str
    area_code: str
    area: str
    indicator_key: str
    indicator: str
    unit: str
    respondents: int | None  # None when suppressed
    n: int | None
    value: float | None
    low: float | None
    high: float | None
    reference: float | None
    reference_source: str
    reference_verdict: str
    change: float | None
    change_low: float | None
    change_high: float | None
    change_verdict: str
    suppressed: bool
    weighting: str  # which weighting the estimates use (results.weighting_text)


LEVELS = {"gemeente": "gemeente", "wijk": "wijk", "buurt": "buurt"}


def _sources(results: GemeenteResults, wave_pk: int) -> Iterator[WaveResult]:
    yield results.invited[wave_pk]
    if wave_pk in results.public:
        yield results.public[wave_pk]
    if wave_pk in results.pulse:
        yield results.pulse[wave_pk]


def export_rows(results: GemeenteResults) -> Iterator[ExportRow]:
    source_labels = dict(Source.choices)
    for wave in results.waves:
        previous = results.previous(wave)
        for wave_result in _sources(results, wave.pk):
            for area in wave_result.areas:
                yield from _area_rows(results, wave_result, area, previous, source_labels)


def _area_rows(
    results: GemeenteResults, wave_result: WaveResult, area: Area, previous: Any, source_labels: dict[str, Any]
) -> Iterator[ExportRow]:
    wave = wave_result.wave
    respondents = wave_result.respondents_shown(area.key)
    for indicator in results.indicators:
        figure = wave_result.figure(area.key, indicator)
        if figure.n == 0 and not figure.suppressed:
            continue
        change = None
        if wave_result.random_sample and previous is not None:
            change = results.compare_waves(area.key, indicator, wave, previous)
        scale = 100.0 if indicator.kind == Kind.PROPORTION else 1.0
        yield ExportRow(
            wave=wave.name,
            period=f"{wave.starts_on:%Y-%m-%d}/{wave.ends_on:%Y-%m-%d}",
            source=str(source_labels[wave_result.source]),
            random_sample=wave_result.random_sample,
            level=area.level,
            area_code=area.code,
            area=area.name,
            indicator_key=indicator.key,
            indicator=str(indicator.label),
            unit="%" if indicator.kind == Kind.PROPORTION else _("gemiddelde"),
            respondents=respondents,
            n=None if figure.suppressed else figure.n,
            value=figure.value,
            low=figure.low,
            high=figure.high,
            reference=indicator.reference * scale if indicator.reference is not None else None,
            reference_source=indicator.reference_source,
            reference_verdict=figure.reference_verdict,
            change=change.diff.value * scale if change else None,
            change_low=change.diff.low * scale if change else None,
            change_high=change.diff.high * scale if change else None,
            change_verdict=change.verdict if change else "",
            suppressed=figure.suppressed,
            weighting=wave_result.weighting
            if wave_result.random_sample
            else _("geen weging: geen aselecte steekproef"),
        )


HEADERS = [
    gettext_lazy("meetronde"),
    gettext_lazy("periode"),
    gettext_lazy("bron"),
    gettext_lazy("aselecte steekproef"),
    gettext_lazy("niveau"),
    gettext_lazy("gebiedscode"),
    gettext_lazy("gebied"),
    gettext_lazy("indicatorcode"),
    gettext_lazy("indicator"),
    gettext_lazy("eenheid"),
    gettext_lazy("respondenten gebied"),
    gettext_lazy("n (met antwoord)"),
    gettext_lazy("waarde"),
    gettext_lazy("95%-BI ondergrens"),
    gettext_lazy("95%-BI bovengrens"),
    gettext_lazy("referentie Nederland"),
    gettext_lazy("bron referentie (jaar, reeks)"),
    gettext_lazy("t.o.v. Nederland"),
    gettext_lazy("verschil met vorige meting"),
    gettext_lazy("verschil ondergrens"),
    gettext_lazy("verschil bovengrens"),
    gettext_lazy("t.o.v. vorige meting"),
    gettext_lazy("onderdrukt"),
    gettext_lazy("weging"),
]


def _number(value: float | None, decimals: int, comma: bool) -> str:
    if value is None:
        return ""
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if comma else text


def _headers() -> list[str]:
    return [str(h) for h in HEADERS]


def results_csv(results: GemeenteResults) -> bytes:
    """Semicolon-separated with decimal commas and a BOM: opens correctly in Dutch spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(_headers())
    yes, no = _("ja"), _("nee")
    for row in export_rows(results):
        decimals = 1 if row.unit == "%" else 2
        writer.writerow(
            [
                safe_cell(row.wave),
                row.period,
                safe_cell(row.source),
                yes if row.random_sample else no,
                row.level,
                safe_cell(row.area_code),
                safe_cell(row.area),
                row.indicator_key,
                safe_cell(row.indicator),
                row.unit,
                SUPPRESSED if row.respondents is None else row.respondents,
                SUPPRESSED if row.n is None else row.n,
                _number(row.value, decimals, True),
                _number(row.low, decimals, True),
                _number(row.high, decimals, True),
                _number(row.reference, decimals, True),
                row.reference_source,
                row.reference_verdict,
                _number(row.change, decimals, True),
                _number(row.change_low, decimals, True),
                _number(row.change_high, decimals, True),
                row.change_verdict,
                yes if row.suppressed else no,
                safe_cell(row.weighting),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def results_xlsx(results: GemeenteResults) -> bytes:
    """Three sheets: indicators, response, and how to read them. Written in openpyxl's streaming mode."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(sheet: WriteOnlyWorksheet, titles: list[str], widths: list[int]) -> None:
        layout: Any = sheet  # streaming sheets accept widths and panes before the first row; the stubs omit them
        for index, width in enumerate(widths):
            layout.column_dimensions[get_column_letter(index + 1)].width = width
        layout.freeze_panes = "A2"
        cells = []
        for title in titles:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    sheet = workbook.create_sheet(_("Indicatoren"))
    header(sheet, _headers(), [16, 22, 22, 10, 10, 12, 24, 26, 50, 10, 12, 12, 9, 9, 9, 9, 40, 10, 10, 10, 34, 10, 60])
    yes, no = _("ja"), _("nee")
    for row in export_rows(results):
        sheet.append(
            [
                safe_cell(row.wave),
                row.period,
                safe_cell(row.source),
                yes if row.random_sample else no,
                row.level,
                safe_cell(row.area_code),
                safe_cell(row.area),
                row.indicator_key,
                safe_cell(row.indicator),
                row.unit,
                SUPPRESSED if row.respondents is None else row.respondents,
                SUPPRESSED if row.n is None else row.n,
                _round(row.value),
                _round(row.low),
                _round(row.high),
                _round(row.reference),
                row.reference_source,
                row.reference_verdict,
                _round(row.change),
                _round(row.change_low),
                _round(row.change_high),
                row.change_verdict,
                yes if row.suppressed else no,
                safe_cell(row.weighting),
            ]
        )

    response = workbook.create_sheet(_("Respons"))
    titles = [
        _("meetronde"),
        _("niveau"),
        _("gebiedscode"),
        _("gebied"),
        _("huishoudens"),
        _("codes"),
        _("antwoorden (uitgenodigd)"),
        _("respons"),
        _("beoogd per buurt"),
    ]
    header(response, titles, [16, 10, 12, 24, 12, 10, 14, 10, 10])
    for wave in results.waves:
        wave_result = results.invited[wave.pk]
        for area in wave_result.areas:
            shown = wave_result.respondents_shown(area.key)
            rate = wave_result.response_rate(area.key)
            response.append(
                [
                    safe_cell(wave.name),
                    area.level,
                    safe_cell(area.code),
                    safe_cell(area.name),
                    wave_result.households_of(area.key),
                    wave_result.codes_of(area.key),
                    SUPPRESSED if shown is None else shown,
                    None if rate is None else round(rate, 4),
                    wave.target_per_buurt if area.level == "buurt" else None,
                ]
            )

    notes: Any = workbook.create_sheet(_("Toelichting"))
    notes.column_dimensions["A"].width = 120
    for line in explanation_lines():
        notes.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def officer_gemeente(job: Job) -> Gemeente:
    """The job's gemeente, if its requester is (still) one of its officers."""
    gemeente = Gemeente.objects.filter(code=job.params.get("gemeente", "")).first()
    if gemeente is None or not is_officer(job.requested_by, gemeente):
        raise JobRefused(_("Alleen medewerkers van de gemeente kunnen de monitorresultaten downloaden."))
    return gemeente


def csv_document(job: Job, progress: Progress) -> Document:
    """The background job's producer (jobs.kinds) for the CSV download."""
    gemeente = officer_gemeente(job)
    results = load_results(gemeente)
    progress(50)
    return Document(results_csv(results), f"communitymonitor-{gemeente.code}.csv", CSV)


def xlsx_document(job: Job, progress: Progress) -> Document:
    """The background job's producer (jobs.kinds) for the Excel download."""
    gemeente = officer_gemeente(job)
    results = load_results(gemeente)
    progress(50)
    return Document(results_xlsx(results), f"communitymonitor-{gemeente.code}.xlsx", XLSX)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def explanation_lines() -> list[str]:
    return [
        _("Communitymonitor veiligheid: toelichting bij de cijfers."),
        _("Percentages en gemiddelden staan met hun 95%-betrouwbaarheidsinterval (BI)."),
        _(
            "Percentages: Wilson-interval; gemiddelden: t-interval; "
            "met eindige-populatiecorrectie (aantal huishoudens)."
        ),
        _(
            "Wijk en gemeente: gewogen naar het aantal huishoudens per buurt (gestratificeerde steekproef), "
            "omdat per buurt een vast aantal antwoorden wordt nagestreefd."
        ),
        _(
            "Zijn de CBS-kerncijfers geladen en vraagt de vragenlijst leeftijd en geslacht, dan tellen de antwoorden "
            "binnen elke buurt mee naar leeftijdsgroep en geslacht van de inwoners van 15 jaar en ouder (raking). "
            "Wie 'zeg ik liever niet' antwoordde, houdt het huishoudgewicht. De kolom 'weging' zegt per meetronde "
            "welke weging is gebruikt; de intervallen rekenen met de effectieve steekproefomvang (Kish)."
        ),
        _(
            "Een verschil heet significant als het 95%-interval van het verschil nul niet bevat "
            "(Newcombe voor percentages, Welch voor gemiddelden)."
        ),
        _("Vergelijking met Nederland: significant als het interval het landelijke cijfer niet bevat."),
        _(
            "%(mark)s = onderdrukt: gebaseerd op minder dan %(min)s antwoorden, of af te leiden uit andere cijfers. "
            "Zo zijn antwoorden nooit tot kleine groepen te herleiden."
        )
        % {"mark": SUPPRESSED, "min": MIN_CELL},
        _(
            "Antwoorden via de openbare link en de veiligheidspols bij buurtonderzoeken zijn geen aselecte steekproef: "
            "ze staan apart, zonder betrouwbaarheidsinterval en zonder significantie."
        ),
    ]
