"""Run the scheduled jobs that are due, once: for cron, when the workers run with --no-scheduler."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from buurtonderzoek.scheduling.jobs import JOBS, JOBS_BY_NAME
from buurtonderzoek.scheduling.models import ScheduledJob
from buurtonderzoek.scheduling.runner import ensure_rows, run_due_jobs


class Command(BaseCommand):
    help = "Start de geplande taken die aan de beurt zijn (elke minuut vanuit cron, of --list / --job NAAM)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", action="store_true", help="Toon de taken en wanneer ze weer draaien.")
        parser.add_argument(
            "--job", action="append", default=[], help="Draai deze taak nu, ook als hij nog niet aan de beurt is."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            ensure_rows(JOBS, timezone.now())
            for row in ScheduledJob.objects.all():
                state = "mislukt" if row.failures else ("gelukt" if row.last_succeeded_at else "nog niet gedraaid")
                when = timezone.localtime(row.next_run_at).strftime("%Y-%m-%d %H:%M")
                self.stdout.write(f"{row.name:28} volgende keer {when}  ({state})")
            return
        unknown = set(options["job"]) - set(JOBS_BY_NAME)
        if unknown:
            raise CommandError(f"Onbekende taak: {', '.join(sorted(unknown))}. Kies uit: {', '.join(JOBS_BY_NAME)}")
        jobs = [JOBS_BY_NAME[name] for name in options["job"]] or JOBS
        outcomes = run_due_jobs(jobs=jobs, force=bool(options["job"]))
        for outcome in outcomes:
            self.stdout.write(f"{outcome.name}: {outcome.result if outcome.ok else 'MISLUKT (zie het log)'}")
        if any(not outcome.ok for outcome in outcomes):
            raise CommandError("Een of meer geplande taken zijn mislukt.")
