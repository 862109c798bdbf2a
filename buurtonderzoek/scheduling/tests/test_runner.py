"""Scheduled jobs: when they are due, that a claimed job runs once, failures retried and logged."""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from buurtonderzoek.scheduling import runner
from buurtonderzoek.scheduling.jobs import JOBS, Job, Schedule
from buurtonderzoek.scheduling.models import ScheduledJob

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


class TestSchedule:
    def test_a_daily_job_runs_at_its_local_hour_today_or_tomorrow(self) -> None:
        nightly = Schedule(at=time(3, 30))
        assert nightly.next_after(at("2026-03-10 01:00")) == at("2026-03-10 03:30")
        assert nightly.next_after(at("2026-03-10 03:30")) == at("2026-03-11 03:30")

    def test_a_daily_job_keeps_its_local_hour_across_the_clock_change(self) -> None:
        nightly = Schedule(at=time(3, 30))
        # Summer time starts on 29 March 2026: 03:30 is 02:30 UTC before, 01:30 UTC after.
        assert nightly.next_after(at("2026-03-27 12:00")).astimezone(UTC).hour == 2
        assert nightly.next_after(at("2026-03-29 00:00")).astimezone(UTC).hour == 1

    def test_a_weekly_job_waits_for_its_weekday(self) -> None:
        monday = Schedule(at=time(7, 0), weekday=0)
        assert monday.next_after(at("2026-12-02 09:00")) == at("2026-12-07 07:00")  # Wednesday -> Monday
        assert monday.next_after(at("2026-12-07 06:59")) == at("2026-12-07 07:00")
        assert monday.next_after(at("2026-12-07 07:00")) == at("2026-12-14 07:00")

    @given(
        st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)),
        st.times(),
        st.none() | st.integers(0, 6),
    )
    def test_the_next_run_is_the_first_matching_moment_after_now(
        self, moment: datetime, hour: time, weekday: int | None
    ) -> None:
        schedule = Schedule(at=hour.replace(tzinfo=None), weekday=weekday)
        following = schedule.next_after(moment)
        assert moment < following <= moment + timedelta(days=7 if weekday is not None else 1, hours=1)
        local = following.astimezone(AMSTERDAM)
        if weekday is not None:
            assert local.weekday() == weekday
        # Only a time that does not exist (the hour the clocks skip) may move.
        assert local.time().replace(tzinfo=None) == hour.replace(tzinfo=None) or local.hour == hour.hour + 1

    def test_a_schedule_is_either_an_interval_or_a_time(self) -> None:
        with pytest.raises(ValueError):
            Schedule()
        with pytest.raises(ValueError):
            Schedule(every=timedelta(hours=1), at=time(3))
        with pytest.raises(ValueError):
            Schedule(weekday=1)


class Counter:
    def __init__(self, fail: int = 0) -> None:
        self.calls = 0
        self.fail = fail

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.fail:
            raise RuntimeError("de database van de partner is weg")
        return f"run {self.calls}"


pytestmark = pytest.mark.django_db


def test_an_interval_job_runs_at_once_and_then_after_its_interval() -> None:
    count = Counter()
    job = Job("tellen", Schedule(every=timedelta(hours=1)), count)
    now = timezone.now()
    [outcome] = runner.run_due_jobs(jobs=[job], now=now)
    assert (outcome.ok, outcome.result, count.calls) == (True, "run 1", 1)
    assert runner.run_due_jobs(jobs=[job], now=now + timedelta(minutes=59)) == []
    row = ScheduledJob.objects.get(name="tellen")
    assert row.next_run_at > now + timedelta(minutes=59)
    assert (row.last_result, row.failures, row.runs) == ("run 1", 0, 1)
    assert [o.ok for o in runner.run_due_jobs(jobs=[job], now=row.next_run_at)] == [True]
    assert count.calls == 2


def test_a_daily_job_waits_for_its_hour() -> None:
    count = Counter()
    job = Job("nachtelijk", Schedule(at=time(3, 30)), count)
    runner.run_due_jobs(jobs=[job], now=at("2026-12-07 12:00"))
    assert count.calls == 0
    runner.run_due_jobs(jobs=[job], now=at("2026-12-08 03:30"))
    assert count.calls == 1
    assert ScheduledJob.objects.get(name="nachtelijk").next_run_at.astimezone(AMSTERDAM).date().day == 9


def test_of_two_workers_that_saw_the_same_due_row_only_one_claims_it() -> None:
    job = Job("eenmaal", Schedule(every=timedelta(hours=1)), Counter())
    now = timezone.now()
    runner.ensure_rows([job], now)
    seen_by_first = ScheduledJob.objects.get(name="eenmaal")
    seen_by_second = ScheduledJob.objects.get(name="eenmaal")
    assert runner.claim(seen_by_first, job, now) is True
    assert runner.claim(seen_by_second, job, now) is False
    assert ScheduledJob.objects.get(name="eenmaal").runs == 1


def test_a_job_that_fails_is_logged_kept_and_retried_next_time(caplog: pytest.LogCaptureFixture) -> None:
    count = Counter(fail=2)
    job = Job("wankel", Schedule(at=time(3, 30)), count)
    now = at("2026-12-08 03:30")
    runner.ensure_rows([job], now - timedelta(days=1))
    with caplog.at_level(logging.ERROR, logger="buurtonderzoek.scheduling.runner"):
        [outcome] = runner.run_due_jobs(jobs=[job], now=now)
    assert not outcome.ok
    assert "wankel" in caplog.text and "de database van de partner is weg" in caplog.text
    row = ScheduledJob.objects.get(name="wankel")
    assert row.failures == 1 and "RuntimeError: de database van de partner is weg" in row.last_error
    # Retried a minute later (not tomorrow at 03:30), then after two minutes, then it works.
    first_retry = row.next_run_at
    assert timedelta(seconds=50) < first_retry - timezone.now() <= timedelta(minutes=1)
    runner.run_due_jobs(jobs=[job], now=first_retry)
    row.refresh_from_db()
    assert row.failures == 2 and timedelta(seconds=110) < row.next_run_at - timezone.now() <= timedelta(minutes=2)
    [outcome] = runner.run_due_jobs(jobs=[job], now=row.next_run_at)
    assert outcome.ok and count.calls == 3
    row.refresh_from_db()
    assert (row.failures, row.last_error, row.last_result) == (0, "", "run 3")
    assert row.last_succeeded_at is not None


def test_a_job_whose_worker_died_is_started_again_after_its_lease() -> None:
    job = Job("verweesd", Schedule(at=time(3, 30)), Counter(), lease=timedelta(minutes=30))
    now = timezone.now()
    runner.ensure_rows([job], now)
    ScheduledJob.objects.filter(name="verweesd").update(next_run_at=now)
    assert runner.claim(ScheduledJob.objects.get(name="verweesd"), job, now)  # ...and then the worker is killed
    assert runner.run_due_jobs(jobs=[job], now=now + timedelta(minutes=29)) == []
    assert [o.ok for o in runner.run_due_jobs(jobs=[job], now=now + timedelta(minutes=30))] == [True]


def test_the_retry_wait_doubles_up_to_an_hour() -> None:
    waits = [runner.retry_delay(n) for n in range(1, 10)]
    assert waits[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert waits[-1] == timedelta(hours=1)


def test_every_real_job_runs_on_an_empty_database() -> None:
    outcomes = runner.run_due_jobs(force=True)
    assert sorted(o.name for o in outcomes) == sorted(job.name for job in JOBS)
    assert all(o.ok for o in outcomes), outcomes


def test_the_command_lists_the_jobs_and_runs_one_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("run_scheduled_jobs", "--list")
    listing = capsys.readouterr().out
    assert all(job.name in listing for job in JOBS)
    call_command("run_scheduled_jobs", "--job", "verlopen-oproepen")
    assert "verlopen-oproepen: 0 oproepen afgelopen" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Onbekende taak: bestaat-niet"):
        call_command("run_scheduled_jobs", "--job", "bestaat-niet")


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def own_signal_handlers() -> Iterator[None]:
    """db_worker installs its own SIGINT/SIGTERM handlers; give pytest its own back afterwards."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


# The worker closes "old" connections between tasks, as after a request: inside a test's transaction that
# would close the test's own connection on PostgreSQL, so these run as transactional tests.
@pytest.mark.django_db(transaction=True)
def test_a_batch_worker_runs_the_due_jobs_before_it_stops(settings: Any) -> None:
    settings.TASKS = DATABASE_TASKS
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    ran = ScheduledJob.objects.get(name="verlopen-oproepen")
    assert ran.last_succeeded_at is not None and ran.runs == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_without_scheduler_leaves_the_jobs_to_cron(settings: Any) -> None:
    settings.TASKS = DATABASE_TASKS
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--no-scheduler", verbosity=0)
    assert not ScheduledJob.objects.exists()
