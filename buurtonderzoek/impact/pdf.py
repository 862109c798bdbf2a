"""Printable versions (WeasyPrint, A4) of the buurtbeeld and the evaluation report.

They render the same templates' data as the pages (buurtbeeld.build, effect.measure), so the figures
and suppression are the same on paper as on screen.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtonderzoek.impact import buurtbeeld, effect
from buurtonderzoek.impact.access import get_table_for_user
from buurtonderzoek.impact.models import Action, PartnerTable
from buurtonderzoek.impact.triangle import triangle_for
from buurtonderzoek.jobs.kinds import PDF, Document, JobRefused, Progress
from buurtonderzoek.jobs.models import Job


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    content: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return content


def buurtbeeld_pdf(table: PartnerTable, *, progress: Callable[[int], object] = lambda p: None) -> bytes:
    picture = buurtbeeld.build(table)
    progress(40)
    html = render_to_string(
        "impact/pdf/buurtbeeld.html", {"picture": picture, "table": table, "generated": timezone.localtime()}
    )
    progress(60)
    return _pdf(html)


def buurtbeeld_document(job: Job, progress: Progress) -> Document:
    """The background job's producer (jobs.kinds "impact.buurtbeeld"), for someone who may still see the table."""
    try:
        table = get_table_for_user(job.requested_by, int(job.params["table"]))
    except Http404:
        raise JobRefused(
            _(
                "U kunt dit driehoeksoverleg niet meer bekijken. "
                "Hebt u het buurtbeeld nodig? Vraag het aan een deelnemer."
            )
        ) from None
    return Document(buurtbeeld_pdf(table, progress=progress), f"buurtbeeld-{table.pk}.pdf", PDF)


def action_report_pdf(action: Action) -> bytes:
    result = effect.measure(action)
    html = render_to_string(
        "impact/pdf/action_report.html",
        {
            "action": action,
            "result": result,
            "triangle": triangle_for(action),
            "effects": list(action.expected_effects.all()),
            "buurten": list(action.buurten.order_by("name")),
            "commitments": list(action.commitments.all()),
            "transitions": list(action.transitions.all()),
            "generated": timezone.localtime(),
        },
    )
    return _pdf(html)
