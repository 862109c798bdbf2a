"""Run the scheduled jobs that are due, from any number of workers at once, each job once.

Every `db_worker` process (our subclass of django-tasks-db's, scheduling/management/commands) calls
`run_due_jobs` about once a minute in a thread beside its task loop; `manage.py run_scheduled_jobs`
does the same once, for cron. The flow for each due job:

1. claim: one UPDATE that moves `next_run_at` from the value this worker read to now + the job's lease,
   only if it still has that value. The database runs conflicting UPDATEs of a row one after the other,
   so of several workers that read the same row exactly one changes it; the others see 0 rows and skip.
   The same statement on SQLite and PostgreSQL, and no lock is held while the job runs.
2. run the job outside any transaction (it makes its own).
3. report: success sets `next_run_at` to the next regular time; failure logs the traceback, keeps it on
   the row (admin: Geplande taken) and retries after a short wait that doubles per failure.
   A worker killed mid-run reports nothing: after the lease another worker starts the job again.
"""

from __future__ import annotations

import logging
import random
import threading
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connections
from django.db.models import F
from django.utils import timezone

from buurtonderzoek.scheduling.jobs import JOBS, Job
from buurtonderzoek.scheduling.models import ScheduledJob

logger = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=1)
TICK_SECONDS = 60


@dataclass(frozen=True)
class Outcome:
    name: str
    ok: bool
    result: str


def ensure_rows(jobs: list[Job], now: datetime) -> None:
    """A row for every job; ignore_conflicts because another worker may be adding the same rows."""
    rows = [ScheduledJob(name=job.name, next_run_at=job.schedule.first_run(now)) for job in jobs]
    ScheduledJob.objects.bulk_create(rows, ignore_conflicts=True)


def claim(row: ScheduledJob, job: Job, now: datetime) -> bool:
    won = ScheduledJob.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(
        next_run_at=now + job.lease, last_started_at=now, runs=F("runs") + 1
    )
    return won == 1


def retry_delay(failures: int) -> timedelta:
    wait: timedelta = FIRST_RETRY * 2 ** max(failures - 1, 0)
    return min(wait, LAST_RETRY)


def run_claimed(row: ScheduledJob, job: Job, claimed_at: datetime) -> Outcome:
    """Run a job this worker claimed; the next regular run counts from the claim, not from the finish."""
    try:
        result = job.run()
    except Exception:
        logger.exception("Geplande taak %s is mislukt; hij wordt later opnieuw geprobeerd", job.name)
        now = timezone.now()
        failures = row.failures + 1
        ScheduledJob.objects.filter(pk=row.pk).update(
            next_run_at=min(now + retry_delay(failures), job.schedule.next_after(claimed_at)),
            last_finished_at=now,
            last_error=traceback.format_exc()[-4000:],
            failures=failures,
        )
        return Outcome(job.name, False, "")
    now = timezone.now()
    ScheduledJob.objects.filter(pk=row.pk).update(
        next_run_at=job.schedule.next_after(claimed_at),
        last_finished_at=now,
        last_succeeded_at=now,
        last_result=str(result)[:200],
        last_error="",
        failures=0,
    )
    logger.info("Geplande taak %s klaar: %s", job.name, result)
    return Outcome(job.name, True, str(result))


def run_due_jobs(*, jobs: list[Job] | None = None, now: datetime | None = None, force: bool = False) -> list[Outcome]:
    """Run every job that is due (every job, with `force`) and that no other worker claimed first."""
    jobs = JOBS if jobs is None else jobs
    now = now or timezone.now()
    ensure_rows(jobs, now)
    by_name = {job.name: job for job in jobs}
    rows = ScheduledJob.objects.filter(name__in=by_name)
    if not force:
        rows = rows.filter(next_run_at__lte=now)
    outcomes = []
    for row in rows.order_by("next_run_at"):
        job = by_name[row.name]
        if claim(row, job, now):
            outcomes.append(run_claimed(row, job, now))
    return outcomes


def scheduler_loop(stop: threading.Event, *, tick: float = TICK_SECONDS) -> None:
    """The worker's scheduling thread: run due jobs every `tick` seconds until `stop` is set."""
    # Workers started together spread out instead of all asking the database in the same second.
    delay = random.uniform(0, min(tick, 5.0))
    while not stop.wait(delay):
        try:
            run_due_jobs()
        except Exception:
            # The database may be away for a moment (a failover, a restart): try again next tick.
            logger.exception("Geplande taken konden niet worden gecontroleerd")
        finally:
            # This thread's own connections; the task loop's are untouched.
            connections.close_all()
        delay = tick


def start_scheduler_thread() -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=scheduler_loop, args=(stop,), name="scheduler", daemon=True).start()
    return stop
