"""Every kind of background file, and the function that makes it.

A producer is `produce(job, progress) -> Document`: it reads `job.params`, checks again that
`job.requested_by` may have this file (access can change between asking and making), calls
`progress(percent)` now and then, and returns the whole file. It writes nothing; the task stores the
file. A producer raises `JobRefused` with a Dutch message for a reason the person can act on.

Producers are named by dotted path so this module imports no app: the list below is also the one
place that says which downloads are made in the background.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from buurtonderzoek.jobs.models import Job

Progress = Callable[[int], None]

PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class JobRefused(Exception):
    """The file cannot be made for a reason the person can act on; the message says what to do."""


@dataclass(frozen=True)
class Document:
    content: bytes
    filename: str
    content_type: str


@dataclass(frozen=True)
class Kind:
    label: _StrPromise
    producer: str  # dotted path of produce(job, progress) -> Document
    # Files that hold names (certificates) or addresses are deleted sooner than plain figures.
    keep_days: int = 30

    def produce(self, job: Job, progress: Progress) -> Document:
        function: Callable[[Job, Progress], Document] = import_string(self.producer)
        return function(job, progress)


KINDS: dict[str, Kind] = {
    "dashboards.value_report": Kind(_("waarderapport politie"), "buurtonderzoek.dashboards.pdf.value_report"),
    "dashboards.certificates": Kind(
        _("bewijzen van inzet"), "buurtonderzoek.dashboards.certificates.certificates_pdf", keep_days=30
    ),
    "monitor.csv": Kind(_("monitorresultaten (CSV)"), "buurtonderzoek.monitor.exports.csv_document"),
    "monitor.xlsx": Kind(_("monitorresultaten (Excel)"), "buurtonderzoek.monitor.exports.xlsx_document"),
    "monitor.report": Kind(_("monitorrapport (pdf)"), "buurtonderzoek.monitor.report.report_document"),
    "canvass.leaflet": Kind(_("briefjes met tip-QR-code"), "buurtonderzoek.canvass.pdf.leaflet_document"),
    "canvass.walking_lists": Kind(
        _("alle looplijsten"), "buurtonderzoek.canvass.pdf.walking_lists_document", keep_days=7
    ),
    "impact.buurtbeeld": Kind(_("buurtbeeld (pdf)"), "buurtonderzoek.impact.pdf.buurtbeeld_document"),
}


def kind_of(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError:
        raise ValueError(f"unknown job kind {key!r}") from None
