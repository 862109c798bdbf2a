"""Several workers at the same moment: each due job runs once. Real threads with their own database
connections in transactional tests, on a SQLite file in WAL mode (as production) or on PostgreSQL."""

from __future__ import annotations

import threading
import time as clock
from datetime import time, timedelta

import pytest
from django.db import connections
from django.utils import timezone

from buurtonderzoek.monitor.tests.test_concurrency import file_database, run_together
from buurtonderzoek.scheduling import runner
from buurtonderzoek.scheduling.jobs import Job, Schedule
from buurtonderzoek.scheduling.models import ScheduledJob

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["file_database"]  # the fixture, used by every test here


class SlowCounter:
    def __init__(self) -> None:
        self.calls = 0
        self.lock = threading.Lock()

    def __call__(self) -> str:
        with self.lock:
            self.calls += 1
        clock.sleep(0.2)  # long enough for every other worker to look at the row meanwhile
        return "klaar"


def test_workers_racing_for_the_same_jobs_run_each_job_once() -> None:
    counters = [SlowCounter() for _ in range(3)]
    jobs = [Job(f"taak-{i}", Schedule(every=timedelta(hours=1)), counter) for i, counter in enumerate(counters)]
    now = timezone.now()
    results = run_together(lambda _i: runner.run_due_jobs(jobs=jobs, now=now), count=6)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    assert [c.calls for c in counters] == [1, 1, 1]
    assert sorted(o.name for outcomes in results for o in outcomes) == ["taak-0", "taak-1", "taak-2"]
    assert set(ScheduledJob.objects.values_list("runs", flat=True)) == {1}


def test_the_workers_scheduling_thread_runs_due_jobs_until_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = SlowCounter()
    job = Job("elke-seconde", Schedule(every=timedelta(seconds=1)), counter)
    nightly = SlowCounter()
    monkeypatch.setattr(runner, "JOBS", [job, Job("nachtelijk", Schedule(at=time(3, 30)), nightly)])
    stop = threading.Event()
    thread = threading.Thread(target=runner.scheduler_loop, args=(stop,), kwargs={"tick": 0.3})
    thread.start()
    try:
        deadline = clock.monotonic() + 60
        while counter.calls < 2 and clock.monotonic() < deadline:
            clock.sleep(0.1)
    finally:
        stop.set()
        thread.join()
        connections.close_all()
    assert counter.calls >= 2
    assert nightly.calls == 0  # not due before 03:30
    assert ScheduledJob.objects.get(name="elke-seconde").last_result == "klaar"
