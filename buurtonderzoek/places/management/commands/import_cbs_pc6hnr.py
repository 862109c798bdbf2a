from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from buurtonderzoek.places.actions import import_cbs_pc6_huisnummer
from buurtonderzoek.places.importers.base import ImportFailed
from buurtonderzoek.places.management.commands._common import add_import_arguments


class Command(BaseCommand):
    help = (
        "Zet de buurtcode van adressen uit de CBS-tabel 'buurt, wijk en gemeente voor postcode huisnummer' "
        "(PC6;Huisnummer;Buurt;Wijk;Gemeente). Importeer eerst de adressen. Veilig om te herhalen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_import_arguments(parser, "Het CSV-bestand van CBS, bijvoorbeeld pc6hnr20230801_gwb.csv.")

    def handle(self, *args: Any, path: str, database: str, no_progress: bool, **options: Any) -> None:
        try:
            result = import_cbs_pc6_huisnummer(Path(path), using=database, progress=not no_progress)
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.read} regels gelezen; {result.addresses_updated} adressen bijgewerkt; "
                f"{result.rows_without_address} regels zonder bijbehorend adres."
            )
        )
