"""Apply the retention rules now. Idempotent: schedule it daily (docs/retention.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from buurtonderzoek.handoff.retention import apply_retention


class Command(BaseCommand):
    help = "Verwijdert contactgegevens en pseudonimiseert vrije tekst volgens de bewaartermijnen (AVG)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Laat zien wat er zou gebeuren, verander niets.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = apply_retention(dry_run=options["dry_run"])
        prefix = "[proefdraai] " if result.dry_run else ""
        self.stdout.write(
            f"{prefix}contactgegevens: {result.contact_visits} bezoeken en {result.contact_tips} tips "
            f"in {len(result.contact_incidents)} zaken"
        )
        self.stdout.write(
            f"{prefix}vrije tekst: {result.free_text_visits} bezoeken en {result.free_text_tips} tips "
            f"in {len(result.free_text_incidents)} zaken"
        )
        self.stdout.write(f"{prefix}onbevestigde aanmeldingen verwijderd: {result.subscriptions_deleted}")
        if not result.dry_run:
            self.stdout.write(f"verslagen opnieuw opgemaakt: {result.reports_rerendered}")
