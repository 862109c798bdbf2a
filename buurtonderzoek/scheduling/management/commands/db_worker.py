"""django-tasks-db's `db_worker`, which also runs the scheduled jobs (scheduling/runner.py).

This app comes before django_tasks_db in INSTALLED_APPS, so `manage.py db_worker` is this command:
every worker checks once a minute for due jobs, and the database makes sure each runs once however
many workers there are. `--no-scheduler` leaves scheduling to cron (`manage.py run_scheduled_jobs`).
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from buurtonderzoek.scheduling.runner import run_due_jobs, start_scheduler_thread


class Command(db_worker.Command):
    help = "Voert achtergrondtaken uit en start elke minuut de geplande taken die aan de beurt zijn."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            help="Geen geplande taken in dit proces (bijvoorbeeld als cron run_scheduled_jobs draait).",
        )

    def handle(self, *args: Any, scheduler: bool = True, **options: Any) -> None:  # type: ignore[override]
        if scheduler:
            if options.get("batch"):
                # A batch run works off what is waiting, the due scheduled jobs included, then stops.
                run_due_jobs()
            elif not options.get("reload") or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                # With --reload only the child process that runs tasks schedules, not the watcher.
                start_scheduler_thread()
        super().handle(*args, **options)
