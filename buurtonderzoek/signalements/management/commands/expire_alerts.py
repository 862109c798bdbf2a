"""End published alerts whose time is up and send their afloopbericht. Idempotent; schedule it daily
(or hourly) next to apply_retention, see docs/retention.md."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from buurtonderzoek.signalements.actions import expire_due_alerts


class Command(BaseCommand):
    help = "Laat verlopen oproepen aflopen en verstuurt het afloopbericht."

    def handle(self, *args: Any, **options: Any) -> None:
        count = expire_due_alerts()
        self.stdout.write(f"oproepen afgelopen: {count}")
