"""Recount the grip pages' monthly figures per buurt (run nightly; the pages also start it when stale)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from buurtonderzoek.dashboards.grip import refresh_area_months
from buurtonderzoek.places.models import Gemeente


class Command(BaseCommand):
    help = "Recount the monthly figures per buurt for the gemeente grip pages."

    def handle(self, *args: Any, **options: Any) -> None:
        for gemeente in Gemeente.objects.filter(teams__isnull=False).distinct():
            rows = refresh_area_months(gemeente)
            self.stdout.write(f"{gemeente.name}: {rows} buurt-maanden")
