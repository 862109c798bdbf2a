"""What waits for the platform admin (beheerder): locked accounts, failed mail and background tasks,
retention that is due but has not run. Each item counts a few rows and links to where it is handled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from buurtonderzoek.handoff.models import RetentionMark
from buurtonderzoek.handoff.retention import closed_before

FAILED_TASK_DAYS = 30


@dataclass(frozen=True)
class AdminWaiting:
    locked_accounts: int
    failed_mail: int
    failed_tasks: int
    contacts_due: int
    free_text_due: int

    @property
    def retention_due(self) -> int:
        return self.contacts_due + self.free_text_due

    @property
    def anything(self) -> bool:
        return bool(self.locked_accounts or self.failed_mail or self.failed_tasks or self.retention_due)


def admin_waiting(*, now: datetime | None = None) -> AdminWaiting:
    now = now or timezone.now()
    cooloff = timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    locked = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=now - cooloff
    ).count()
    failed = DBTaskResult.objects.failed().filter(finished_at__gte=now - timedelta(days=FAILED_TASK_DAYS))
    mail = Q(task_path__icontains="mail")
    contact_due = set(closed_before(now - timedelta(days=settings.RETENTION_CONTACT_DAYS)))
    text_due = set(closed_before(now - timedelta(days=settings.RETENTION_FREE_TEXT_DAYS)))
    marks = RetentionMark.objects.filter(incident__in=contact_due | text_due).values_list(
        "incident_id", "contacts_removed_at", "free_text_pseudonymised_at"
    )
    contacts_done = {pk for pk, contacts, _text in marks if contacts is not None}
    text_done = {pk for pk, _contacts, text in marks if text is not None}
    return AdminWaiting(
        locked_accounts=locked,
        failed_mail=failed.filter(mail).count(),
        failed_tasks=failed.exclude(mail).count(),
        contacts_due=len(contact_due - contacts_done),
        free_text_due=len(text_due - text_done),
    )
