"""Background work for the dashboards (django-tasks): printable documents with their progress stored
on the `PrintJob`, so the page can show a progress bar and the request never waits for the PDF."""

from __future__ import annotations

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks import task

from buurtonderzoek.core.mail import retrying_mail
from buurtonderzoek.dashboards.models import JobStatus, PrintJob

# Certificates carry volunteers' names: a printed file is kept this long, then deleted with its job.
KEEP_DAYS = 30


def _progress(job_id: int, percent: int) -> None:
    PrintJob.objects.filter(pk=job_id).update(progress=max(0, min(99, percent)))


@task()
def make_print_job(job_id: int) -> int:
    from buurtonderzoek.dashboards import pdf

    job = PrintJob.objects.select_related("requested_by").get(pk=job_id)
    PrintJob.objects.filter(pk=job_id).update(status=JobStatus.RUNNING, progress=2, error="")
    try:
        content, filename = pdf.render_job(job, progress=lambda p: _progress(job_id, p))
        job.file.save(filename, ContentFile(content), save=False)
        PrintJob.objects.filter(pk=job_id).update(
            file=job.file.name, status=JobStatus.DONE, progress=100, finished_at=timezone.now()
        )
    except Exception as exc:
        PrintJob.objects.filter(pk=job_id).update(status=JobStatus.FAILED, error=str(exc)[:500])
        raise
    delete_old_print_jobs()
    return len(content)


def delete_old_print_jobs() -> int:
    """Delete print jobs older than KEEP_DAYS and their files; runs after each new job."""
    old = list(PrintJob.objects.filter(created_at__lt=timezone.now() - timedelta(days=KEEP_DAYS)))
    for job in old:
        if job.file:
            job.file.delete(save=False)
    PrintJob.objects.filter(pk__in=[j.pk for j in old]).delete()
    return len(old)


@task()
def refresh_grip_figures(gemeente_id: int) -> int:
    """Bring a gemeente's roll-ups up to date: the monthly figures per buurt for the grip pages
    (grip.refresh_area_months) and the door visits per walker and day for team health
    (walkers.refresh_walker_days). Returns the rows written."""
    from buurtonderzoek.dashboards.grip import refresh_area_months
    from buurtonderzoek.dashboards.walkers import refresh_walker_days
    from buurtonderzoek.places.models import Gemeente

    gemeente = Gemeente.objects.filter(pk=gemeente_id).first()
    return refresh_area_months(gemeente) + refresh_walker_days(gemeente) if gemeente else 0


@task()
@retrying_mail("wekelijkse samenvatting")
def send_digest_email(user_id: int) -> bool:
    """Build and send one subscriber's weekly digest; mark it sent so a rerun skips them this week."""
    from django.core.mail import send_mail

    from buurtonderzoek.accounts.models import User
    from buurtonderzoek.dashboards.digest import build_digest, render_digest
    from buurtonderzoek.dashboards.models import DigestSubscription

    user = User.objects.filter(pk=user_id, is_active=True).first()
    digest = build_digest(user) if user else None
    if user is None or digest is None:
        return False
    subject, body = render_digest(digest)
    send_mail(subject, body, None, [user.email])
    DigestSubscription.objects.filter(user=user).update(last_sent_at=timezone.now())
    return True
