"""Background work for the monitor (django-tasks; `manage.py db_worker` runs it).

- `make_print_run`: a print run's sample, codes, letters and mail-merge file, with progress on the
  `PrintRun` row (the page polls it). Codes and download appear together or not at all.
- `make_report`: the PDF report of a closed wave (`ReportJob`), with progress.
"""

from __future__ import annotations

from django_tasks import task

from buurtonderzoek.monitor.models import PrintRun, PrintRunStatus, ReportJob


@task()
def make_print_run(run_id: int) -> int:
    from buurtonderzoek.monitor.invitations import build_print_run

    run = PrintRun.objects.select_related("wave__gemeente").get(pk=run_id)
    if run.status not in (PrintRunStatus.PENDING, PrintRunStatus.RUNNING):
        return run.letters  # already made (a task delivered twice) or withdrawn

    def progress(percent: int) -> None:
        PrintRun.objects.filter(pk=run_id).update(progress=max(1, min(99, percent)))

    PrintRun.objects.filter(pk=run_id).update(status=PrintRunStatus.RUNNING, progress=1, error="")
    try:
        return build_print_run(run, progress=progress).letters
    except Exception as exc:
        # finish_print_run stores codes and file in one transaction, so nothing half-made remains.
        PrintRun.objects.filter(pk=run_id).update(status=PrintRunStatus.FAILED, error=str(exc)[:500])
        raise


@task()
def make_report(job_id: int) -> int:
    from django.core.files.base import ContentFile

    from buurtonderzoek.monitor import report
    from buurtonderzoek.monitor.models import Wave
    from buurtonderzoek.monitor.results import load_results

    job = ReportJob.objects.select_related("gemeente", "wave").get(pk=job_id)
    ReportJob.objects.filter(pk=job_id).update(status=PrintRunStatus.RUNNING, progress=10, error="")
    try:
        waves = list(Wave.objects.filter(pk__in=job.waves, gemeente=job.gemeente).select_related("version"))
        data = load_results(job.gemeente, waves=waves, with_boundaries=True)
        ReportJob.objects.filter(pk=job_id).update(progress=30)
        content = report.results_pdf(data, job.wave)
        job.file.save(f"communitymonitor-{job.gemeente.code}-{job.wave_id}.pdf", ContentFile(content), save=False)
        ReportJob.objects.filter(pk=job_id).update(file=job.file.name, status=PrintRunStatus.DONE, progress=100)
    except Exception as exc:
        ReportJob.objects.filter(pk=job_id).update(status=PrintRunStatus.FAILED, error=str(exc)[:500])
        raise
    return len(content)
