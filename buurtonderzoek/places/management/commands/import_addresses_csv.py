from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from buurtonderzoek.places.actions import import_addresses_csv
from buurtonderzoek.places.importers.base import ImportFailed
from buurtonderzoek.places.management.commands._common import add_import_arguments, address_summary


class Command(BaseCommand):
    help = "Importeert adressen uit een CSV-bestand (formaat: docs/address-csv.md). Veilig om te herhalen."

    def add_arguments(self, parser: CommandParser) -> None:
        add_import_arguments(parser, "Het CSV-bestand met adressen.")

    def handle(self, *args: Any, path: str, database: str, no_progress: bool, **options: Any) -> None:
        try:
            result = import_addresses_csv(Path(path), using=database, progress=not no_progress)
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(address_summary(result)))
