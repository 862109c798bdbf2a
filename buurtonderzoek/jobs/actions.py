"""Every write of background jobs: asking for a file, and asking again after a failure."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction
from buurtonderzoek.jobs.kinds import kind_of
from buurtonderzoek.jobs.models import Job


def request_job(kind: str, *, by: Any, params: dict[str, Any], title: str, back_url: str = "") -> Job:
    """Queue the making of one file for `by`. The caller has checked that `by` may have it; the
    producer checks again when it runs. The task is queued when the transaction commits, so the
    worker always finds the row."""
    kind_of(kind)  # an unknown kind is a programming error: fail here, not in the worker
    with transaction.atomic():
        job = Job.objects.create(kind=kind, requested_by=by, params=params, title=title[:200], back_url=back_url)
        record(by, AuditAction.CREATE, job, summary=f"Aangevraagd: {job.title}", data={"kind": kind})
        _enqueue_on_commit(job.pk)
    return job


def retry_job(job: Job, *, by: Any) -> Job:
    """A new job with the same order, for a job that failed or stalled; the old one stays as it was."""
    if job.requested_by_id != by.pk:
        raise PermissionDenied(_("Alleen wie de opdracht gaf, kan haar opnieuw starten."))
    return request_job(job.kind, by=by, params=job.params, title=job.title, back_url=job.back_url)


def _enqueue_on_commit(job_id: int) -> None:
    def enqueue() -> None:
        from buurtonderzoek.jobs.tasks import run_job

        run_job.enqueue(job_id)

    transaction.on_commit(enqueue)
