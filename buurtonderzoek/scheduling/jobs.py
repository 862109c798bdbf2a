"""The scheduled jobs: what runs when. Times are Dutch local time (TIME_ZONE), away from the hour the
clocks change (02:00-03:00). Every job is idempotent, so a rerun after a crash or a retry does no harm.

A job returns a short text for the admin's "laatste uitkomst". The apps' own commands (apply_retention,
expire_alerts, ...) stay for operators who prefer cron or want to run one by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Schedule:
    """Every `every`, or daily at `at` (local time), or weekly on `weekday` (0 = Monday) at `at`."""

    every: timedelta | None = None
    at: time | None = None
    weekday: int | None = None

    def __post_init__(self) -> None:
        if (self.every is None) == (self.at is None) or (self.weekday is not None and self.at is None):
            raise ValueError("a schedule is either `every` or `at` (with an optional weekday)")

    def next_after(self, moment: datetime) -> datetime:
        """The first run strictly after `moment`."""
        if self.every is not None:
            return moment + self.every
        assert self.at is not None
        zone = ZoneInfo(settings.TIME_ZONE)
        day: date = moment.astimezone(zone).date()
        while True:
            candidate = datetime.combine(day, self.at, tzinfo=zone)
            if candidate > moment and (self.weekday is None or day.weekday() == self.weekday):
                return candidate
            day += timedelta(days=1)

    def first_run(self, now: datetime) -> datetime:
        # An interval job starts at once; a daily or weekly job waits for its hour.
        return now if self.every is not None else self.next_after(now)


@dataclass(frozen=True)
class Job:
    name: str
    schedule: Schedule
    run: Callable[[], str]
    # A run that has not reported back after this long is presumed dead (the worker was killed) and
    # another worker may start it again.
    lease: timedelta = timedelta(hours=1)


def apply_retention() -> str:
    from buurtonderzoek.handoff.retention import apply_retention as apply

    result = apply()
    return (
        f"contact: {result.contact_visits} bezoeken, {result.contact_tips} tips; "
        f"vrije tekst: {result.free_text_visits} bezoeken, {result.free_text_tips} tips; "
        f"aanmeldingen: {result.subscriptions_deleted}"
    )


def expire_alerts() -> str:
    from buurtonderzoek.signalements.actions import expire_due_alerts

    return f"{expire_due_alerts()} oproepen afgelopen"


def commitment_reminders() -> str:
    from buurtonderzoek.impact.actions import send_commitment_reminders

    return f"{send_commitment_reminders()} herinneringen"


def refresh_grip_figures() -> str:
    """One background task per gemeente, so several workers share the night's recount."""
    from buurtonderzoek.dashboards.tasks import refresh_grip_figures as refresh
    from buurtonderzoek.places.models import Gemeente

    ids = list(Gemeente.objects.filter(teams__isnull=False).distinct().values_list("pk", flat=True))
    for gemeente_id in ids:
        refresh.enqueue(gemeente_id)
    return f"{len(ids)} gemeenten in de wachtrij"


def weekly_digest() -> str:
    from buurtonderzoek.dashboards.digest import due_subscriptions
    from buurtonderzoek.dashboards.tasks import send_digest_email

    users = due_subscriptions()
    for user_id in users:
        send_digest_email.enqueue(user_id)
    return f"{len(users)} samenvattingen in de wachtrij"


def prune() -> str:
    """Expired logins and old background-task results: tables that otherwise only grow."""
    from django.contrib.sessions.models import Session
    from django_tasks_db.models import DBTaskResult

    sessions, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    finished = timezone.now() - timedelta(days=settings.TASK_RESULT_KEEP_DAYS)
    results, _ = DBTaskResult.objects.filter(finished_at__lt=finished).delete()
    return f"{sessions} verlopen sessies, {results} taakresultaten verwijderd"


JOBS = [
    Job("verlopen-oproepen", Schedule(every=timedelta(hours=1)), expire_alerts),
    Job("bewaartermijnen", Schedule(at=time(3, 30)), apply_retention),
    Job("opruimen", Schedule(at=time(4, 0)), prune),
    Job("grip-cijfers", Schedule(at=time(4, 30)), refresh_grip_figures),
    Job("wekelijkse-samenvatting", Schedule(at=time(7, 0), weekday=0), weekly_digest),
    Job("toezegging-herinneringen", Schedule(at=time(8, 0)), commitment_reminders),
]
JOBS_BY_NAME = {job.name: job for job in JOBS}
