from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from buurtonderzoek.places.actions import import_cbs_wijk_buurt
from buurtonderzoek.places.importers.base import ImportFailed
from buurtonderzoek.places.management.commands._common import add_import_arguments


class Command(BaseCommand):
    help = (
        "Importeert gemeenten, wijken en buurten met hun grenzen uit de CBS wijk- en buurtkaart "
        "(GeoPackage of GeoJSON, ook PDOK-gebiedsindelingen). "
        "Veilig om te herhalen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_import_arguments(parser, "Een GeoPackage (.gpkg) of GeoJSON-bestand met gemeenten, wijken en/of buurten.")

    def handle(self, *args: Any, path: str, database: str, no_progress: bool, **options: Any) -> None:
        try:
            result = import_cbs_wijk_buurt(Path(path), using=database, progress=not no_progress)
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        parts = [
            f"{level}: {result.created[level]} nieuw, {result.updated[level]} bijgewerkt"
            for level in ("gemeente", "wijk", "buurt")
            if result.created[level] or result.updated[level]
        ]
        if result.skipped_water:
            parts.append(f"{result.skipped_water} watervlakken overgeslagen")
        if result.skipped_foreign:
            parts.append(f"{result.skipped_foreign} Belgische gebieden (Baarle) overgeslagen")
        self.stdout.write(self.style.SUCCESS("; ".join(parts) or "Geen gebieden gevonden."))
