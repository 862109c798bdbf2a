"""Recount the grip pages' monthly figures per buurt, the team-health roll-up of door visits per walker
and day, and each team's health (run nightly; the pages also start it when stale)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from buurtonderzoek.dashboards.grip import refresh_area_months
from buurtonderzoek.dashboards.health import refresh_team_health
from buurtonderzoek.dashboards.walkers import refresh_walker_days
from buurtonderzoek.places.models import Gemeente


class Command(BaseCommand):
    help = "Recount the monthly figures per buurt, the door visits per walker and day, and each team's health."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--full", action="store_true", help="recount every door visit, not only new ones")

    def handle(self, *args: Any, **options: Any) -> None:
        for gemeente in Gemeente.objects.filter(teams__isnull=False).distinct():
            rows = refresh_area_months(gemeente)
            walker_days = refresh_walker_days(gemeente, full=options["full"] or None)
            teams = refresh_team_health(gemeente)
            self.stdout.write(
                f"{gemeente.name}: {rows} buurt-maanden, {walker_days} loper-dagen, {teams} teams bijgewerkt"
            )
