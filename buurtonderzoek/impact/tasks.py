"""Background work for design voor impact (django-tasks; `manage.py db_worker` runs it). The buurtbeeld PDF
is a download like any other and is made by the jobs app (kind "impact.buurtbeeld", `pdf.buurtbeeld_document`).

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
from buurtonderzoek.impact.models import Action


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
