"""The one task that makes every background file (django-tasks; `manage.py db_worker` runs it).

`run_job` claims the job (a task delivered twice makes the file once), asks the kind's producer for
the whole file, writes it through Django's storage (local disk or an S3 store, settings.STORAGES) and
only then marks the job done, in one update with the file name. A failure leaves no file: anything
written is deleted and the job says in Dutch what to do.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from buurtonderzoek.jobs.kinds import KINDS, Document, JobRefused, kind_of
from buurtonderzoek.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)


def _progress(job_id: int, percent: int) -> None:
    # 100 only with the file: the bar never reaches the end before the download is there.
    Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        progress=max(1, min(99, int(percent))), heartbeat_at=timezone.now()
    )


def _mark_done(job_id: int, stored: str, document: Document) -> None:
    Job.objects.filter(pk=job_id).update(
        file=stored,
        filename=document.filename,
        content_type=document.content_type,
        size=len(document.content),
        status=JobStatus.DONE,
        progress=100,
        heartbeat_at=timezone.now(),
        finished_at=timezone.now(),
    )


def _fail(job_id: int, message: str) -> None:
    Job.objects.filter(pk=job_id).update(status=JobStatus.FAILED, error=message[:500], finished_at=timezone.now())


@task()
def run_job(job_id: int) -> int:
    """Make the job's file; returns its size in bytes (0 when the job was not ours to make)."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, progress=1, heartbeat_at=timezone.now(), error=""
    )
    if not claimed:
        return 0  # made already (delivered twice), or gone
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    kind = kind_of(job.kind)
    stored = ""
    try:
        # Files are Dutch first, as the pages are; the worker has no request to take a language from.
        with override("nl"):
            document = kind.produce(job, lambda p: _progress(job_id, p))
        stored = job.file.storage.save(job_path_for(job, document.filename), ContentFile(document.content))
        _mark_done(job_id, stored, document)
    except JobRefused as refusal:
        _discard(job, stored)
        _fail(job_id, str(refusal))
        return 0
    except Exception:
        log.exception("background job %s (%s) failed", job_id, job.kind)
        _discard(job, stored)
        _fail(
            job_id,
            _(
                "Het maken is mislukt door een fout op de server. Probeer het opnieuw; "
                "lukt het dan nog niet, meld het de beheerder (opdracht %(pk)s)."
            )
            % {"pk": job_id},
        )
        raise
    delete_old_jobs()
    return len(document.content)


def job_path_for(job: Job, filename: str) -> str:
    name: str = job.file.field.generate_filename(job, filename)
    return name


def _discard(job: Job, name: str) -> None:
    if name:
        try:
            job.file.storage.delete(name)
        except Exception:  # the job fails either way; an orphan file is logged, not raised
            log.exception("could not delete the half-made file %s of job %s", name, job.pk)


def delete_old_jobs() -> int:
    """Delete jobs, and their files, older than their kind's keep_days; runs after every job."""
    now = timezone.now()
    deleted = 0
    for key, kind in KINDS.items():
        old = list(Job.objects.filter(kind=key, created_at__lt=now - timedelta(days=kind.keep_days)))
        for job in old:
            if job.file:
                job.file.delete(save=False)
        deleted += Job.objects.filter(pk__in=[j.pk for j in old]).delete()[0]
    return deleted
