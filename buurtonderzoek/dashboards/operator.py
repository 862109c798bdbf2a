"""What waits for the platform admin (beheerder): locked accounts, failed mail and background tasks,
retention that is due but has not run, data-subject requests begun but not finished. Each item counts
a few rows and links to where it is handled.

Data-subject requests have no register of their own: each step is an audit event under the request's
reference (privacy/actions.py). A request whose data was looked up but neither exported nor erased in
the last `OPEN_REQUEST_DAYS` counts as open; the AVG gives a month to answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from buurtonderzoek.core.models import AuditAction, AuditEvent
from buurtonderzoek.handoff.models import RetentionMark
from buurtonderzoek.handoff.retention import closed_before

FAILED_TASK_DAYS = 30
OPEN_REQUEST_DAYS = 60
REQUEST_OBJECT_TYPE = "privacy.DataSubjectRequest"  # privacy.actions.OBJECT_TYPE


@dataclass(frozen=True)
class AdminWaiting:
    locked_accounts: int
    failed_mail: int
    failed_tasks: int
    contacts_due: int
    free_text_due: int
    open_requests: int = 0
    oldest_request: datetime | None = None

    @property
    def retention_due(self) -> int:
        return self.contacts_due + self.free_text_due

    @property
    def anything(self) -> bool:
        return bool(
            self.locked_accounts or self.failed_mail or self.failed_tasks or self.retention_due or self.open_requests
        )


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
    requests = (
        AuditEvent.objects.filter(object_type=REQUEST_OBJECT_TYPE, at__gte=now - timedelta(days=OPEN_REQUEST_DAYS))
        .values("object_id")
        .annotate(
            first=Min("at"),
            finished=Count("id", filter=Q(action__in=(AuditAction.EXPORT, AuditAction.DELETE))),
        )
        .filter(finished=0)
        .values_list("first", flat=True)
    )
    open_since = list(requests)
    return AdminWaiting(
        open_requests=len(open_since),
        oldest_request=min(open_since) if open_since else None,
        locked_accounts=locked,
        failed_mail=failed.filter(mail).count(),
        failed_tasks=failed.exclude(mail).count(),
        contacts_due=len(contact_due - contacts_done),
        free_text_due=len(text_due - text_done),
    )
