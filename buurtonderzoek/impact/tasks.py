"""Background work for design voor impact (django-tasks; `manage.py db_worker` runs it).

- `make_buurtbeeld_pdf`: the buurtbeeld of a table's area as PDF, with progress on the `Buurtbeeld` row;
- `make_action_report`: the evaluation report of an action as PDF, progress on the action;
- `send_commitment_reminders_task`: reminders for commitments due soon (schedule it daily).
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django_tasks import task

from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction
from buurtonderzoek.impact.models import Action, Buurtbeeld, BuurtbeeldStatus, PartnerTable


def enqueue_buurtbeeld(table: PartnerTable, *, by: Any) -> Buurtbeeld:
    with transaction.atomic():
        job = Buurtbeeld.objects.create(table=table, requested_by=by)
        record(by, AuditAction.EXPORT, table, summary="Buurtbeeld (pdf) aangevraagd")
        transaction.on_commit(lambda: make_buurtbeeld_pdf.enqueue(job.pk))
    return job


@task()
def make_buurtbeeld_pdf(job_id: int) -> int:
    from buurtonderzoek.impact import pdf

    job = Buurtbeeld.objects.select_related("table__gemeente", "table__wijk").get(pk=job_id)
    Buurtbeeld.objects.filter(pk=job_id).update(status=BuurtbeeldStatus.RUNNING, progress=5)
    try:
        content = pdf.buurtbeeld_pdf(
            job.table, progress=lambda p: Buurtbeeld.objects.filter(pk=job_id).update(progress=p)
        )
        job.pdf.save(f"buurtbeeld-{job.table_id}-{job_id}.pdf", ContentFile(content), save=False)
        Buurtbeeld.objects.filter(pk=job_id).update(pdf=job.pdf.name, status=BuurtbeeldStatus.DONE, progress=100)
    except Exception as exc:
        Buurtbeeld.objects.filter(pk=job_id).update(status=BuurtbeeldStatus.FAILED, error=str(exc)[:500])
        raise
    return len(content)


def enqueue_action_report(action: Action, *, by: Any) -> None:
    with transaction.atomic():
        Action.objects.filter(pk=action.pk).update(report_progress=1)
        record(by, AuditAction.EXPORT, action, summary="Evaluatierapport (pdf) aangevraagd")
        transaction.on_commit(lambda: make_action_report.enqueue(action.pk))


@task()
def make_action_report(action_id: int) -> int:
    from buurtonderzoek.impact import pdf

    action = Action.objects.select_related("table__gemeente").get(pk=action_id)
    Action.objects.filter(pk=action_id).update(report_progress=10)
    content = pdf.action_report_pdf(action)
    if action.report_pdf:
        action.report_pdf.delete(save=False)
    action.report_pdf.save(f"evaluatie-{action_id}.pdf", ContentFile(content), save=False)
    Action.objects.filter(pk=action_id).update(report_pdf=action.report_pdf.name, report_progress=100)
    return len(content)


@task()
def send_commitment_reminders_task() -> int:
    from buurtonderzoek.impact.actions import send_commitment_reminders

    return send_commitment_reminders()
