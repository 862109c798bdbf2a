"""Background work for the monitor (django-tasks; `manage.py db_worker` runs it).

- `make_print_run`: a print run's sample, codes, letters and mail-merge file, with progress on the
  `PrintRun` row (the page polls it). Codes and download appear together or not at all.

The results report and the CSV/Excel downloads are background jobs (jobs app; producers in
report.py and exports.py).
"""

from __future__ import annotations

from django_tasks import task

from buurtonderzoek.monitor.models import PrintRun, PrintRunStatus


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
