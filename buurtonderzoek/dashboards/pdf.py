"""Printable documents of the dashboards (WeasyPrint): the police's value report for the
driehoeksoverleg and the certificates of contribution ("Bewijs van inzet") for volunteers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from buurtonderzoek.accounts.models import Membership, Role
from buurtonderzoek.dashboards.models import PrintJob
from buurtonderzoek.dashboards.police import Period, police_totals

Progress = Callable[[int], None]


def _write(html: str) -> bytes:
    from weasyprint import HTML

    content: bytes = HTML(string=html, base_url=str(settings.BASE_DIR / "static")).write_pdf()
    return content


def value_report(job: PrintJob, progress: Progress) -> tuple[bytes, str]:
    period = Period(date.fromisoformat(job.params["start"]), date.fromisoformat(job.params["end"]))
    user = job.requested_by
    totals = police_totals(user, period)
    progress(30)
    units = Membership.objects.filter(user=user, role=Role.POLICE, police_unit__isnull=False).select_related(
        "police_unit"
    )
    html = render_to_string(
        "dashboards/value_report_pdf.html",
        {
            "t": totals,
            "units": [m.police_unit for m in units],
            "printed_at": timezone.now(),
            "by": user,
        },
    )
    progress(50)
    return _write(html), f"waarderapport-{period.slug}.pdf"


def render_job(job: PrintJob, *, progress: Progress) -> tuple[bytes, str]:
    if job.kind == PrintJob.VALUE_REPORT:
        return value_report(job, progress)
    if job.kind == PrintJob.CERTIFICATES:
        from buurtonderzoek.dashboards.certificates import certificates_pdf

        return certificates_pdf(job, progress)
    raise ValueError(f"unknown print job kind {job.kind}")
