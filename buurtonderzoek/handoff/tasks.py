"""Background work for the hand-off (django-tasks; run `manage.py db_worker` in production).

- `generate_report_pdf`: renders the police and team PDFs, storing progress (0-100) on the report
  so the page can show it;
- `generate_supplement_pdf`: the same for a supplement (nagekomen bezoeken);
- `send_notification_emails`: the e-mail copies of in-app notifications;
- `send_witness_outcome`: a short outcome message to witnesses who asked to hear it;
  mail tasks retry transient failures and keep the rest for the admin (`core/mail.py`);
- `apply_retention_task`: the retention rules (also `manage.py apply_retention`, see docs/retention.md).
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks import task

from buurtonderzoek.core.mail import retrying_mail
from buurtonderzoek.handoff.models import PdfStatus, PoliceReport, ReportSupplement


def _progress(report_id: int, percent: int) -> None:
    PoliceReport.objects.filter(pk=report_id).update(pdf_progress=max(0, min(100, percent)))


@task()
def generate_report_pdf(report_id: int) -> int:
    from buurtonderzoek.handoff import pdf

    report = PoliceReport.objects.select_related("incident__team__gemeente", "unit").get(pk=report_id)
    PoliceReport.objects.filter(pk=report_id).update(pdf_status=PdfStatus.RUNNING, pdf_progress=5, pdf_error="")
    try:
        police_pdf, team_pdf = pdf.render_pair(report, progress=lambda p: _progress(report_id, p))
        for field, content in (("pdf_police", police_pdf), ("pdf_team", team_pdf)):
            old = getattr(report, field)
            if old:
                old.delete(save=False)
            getattr(report, field).save(f"{report.number}-{field[4:]}.pdf", ContentFile(content), save=False)
        PoliceReport.objects.filter(pk=report_id).update(
            pdf_police=report.pdf_police.name,
            pdf_team=report.pdf_team.name,
            pdf_status=PdfStatus.DONE,
            pdf_progress=100,
            pdf_generated_at=timezone.now(),
        )
    except Exception as exc:
        PoliceReport.objects.filter(pk=report_id).update(pdf_status=PdfStatus.FAILED, pdf_error=str(exc)[:500])
        raise
    return len(police_pdf) + len(team_pdf)


@task()
def generate_supplement_pdf(supplement_id: int) -> int:
    from buurtonderzoek.handoff import pdf

    rows = ReportSupplement.objects.filter(pk=supplement_id)
    supplement = rows.select_related("report__incident__team__gemeente", "report__unit").get()
    rows.update(pdf_status=PdfStatus.RUNNING, pdf_progress=5, pdf_error="")
    try:

        def progress(percent: int) -> None:
            rows.update(pdf_progress=max(0, min(100, percent)))

        content = pdf.render_supplement(supplement, progress=progress)
        if supplement.pdf:
            supplement.pdf.delete(save=False)
        supplement.pdf.save(f"{supplement.label}.pdf", ContentFile(content), save=False)
        rows.update(pdf=supplement.pdf.name, pdf_status=PdfStatus.DONE, pdf_progress=100)
    except Exception as exc:
        rows.update(pdf_status=PdfStatus.FAILED, pdf_error=str(exc)[:500])
        raise
    return len(content)


@task()
@retrying_mail("e-mailkopie van meldingen")
def send_notification_emails(notification_ids: list[int]) -> int:
    from buurtonderzoek.handoff.notifications import email_notifications

    return email_notifications(notification_ids)


@task()
@retrying_mail("uitkomst aan getuigen")
def send_witness_outcome(report_id: int) -> int:
    from buurtonderzoek.handoff.witnesses import email_outcome_to_witnesses

    return email_outcome_to_witnesses(PoliceReport.objects.select_related("incident__address").get(pk=report_id))


@task()
def apply_retention_task() -> dict[str, Any]:
    from buurtonderzoek.handoff.retention import apply_retention

    return apply_retention().as_dict()
