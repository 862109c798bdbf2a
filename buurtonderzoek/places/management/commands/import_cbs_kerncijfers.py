from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from buurtonderzoek.places.actions import import_cbs_kerncijfers
from buurtonderzoek.places.importers.base import ImportFailed
from buurtonderzoek.places.management.commands._common import add_import_arguments


class Command(BaseCommand):
    help = (
        "Lees de CBS 'Kerncijfers wijken en buurten' in: per buurt inwoners naar geslacht en leeftijdsgroep, "
        "huishoudens en woningen (kwb-JJJJ.csv of de StatLine-CSV, met ; en '.' voor onbekend). Importeer eerst "
        "de buurten (import_cbs_wijkbuurt). Veilig om te herhalen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_import_arguments(parser, "Het CSV-bestand van CBS, bijvoorbeeld kwb-2023.csv.")
        parser.add_argument("--year", type=int, required=True, help="Het jaar van de kerncijfers, bijvoorbeeld 2023.")

    def handle(self, *args: Any, path: str, year: int, no_progress: bool, **options: Any) -> None:
        try:
            result = import_cbs_kerncijfers(Path(path), year=year, progress=not no_progress)
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.read} regels gelezen; kerncijfers {result.year} voor {result.buurten} buurten opgeslagen; "
                f"{result.unknown_buurten} buurten uit het bestand zijn (nog) niet ingelezen en overgeslagen."
            )
        )
