"""Printable documents of the dashboards (WeasyPrint): the police's value report for the
driehoeksoverleg and the certificates of contribution ("Bewijs van inzet") for volunteers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtonderzoek.accounts.models import Membership, Role
from buurtonderzoek.dashboards.police import Period, police_totals
from buurtonderzoek.jobs.kinds import PDF, Document, JobRefused
from buurtonderzoek.jobs.models import Job

Progress = Callable[[int], None]


def _write(html: str) -> bytes:
    from weasyprint import HTML

    content: bytes = HTML(string=html, base_url=str(settings.BASE_DIR / "static")).write_pdf()
    return content


def value_report(job: Job, progress: Progress) -> Document:
    """The background job's producer (jobs.kinds): figures of the requester's own units only."""
    period = Period(date.fromisoformat(job.params["start"]), date.fromisoformat(job.params["end"]))
    user = job.requested_by
    if not Membership.objects.filter(user=user, role=Role.POLICE).exists():
        raise JobRefused(_("Het waarderapport is er voor de politie; u bent geen lid (meer) van een eenheid."))
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
    return Document(_write(html), f"waarderapport-{period.slug}.pdf", PDF)
