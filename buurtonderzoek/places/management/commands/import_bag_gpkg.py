from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from buurtonderzoek.places.actions import import_bag_gpkg
from buurtonderzoek.places.importers.base import ImportFailed
from buurtonderzoek.places.management.commands._common import add_import_arguments, address_summary


class Command(BaseCommand):
    help = (
        "Importeert de adressen uit de BAG GeoPackage van PDOK (bag-light.gpkg: verblijfsobjecten, "
        "ligplaatsen en standplaatsen). Veilig om te herhalen: bestaande adressen worden bijgewerkt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_import_arguments(parser, "Het bestand bag-light.gpkg.")
        parser.add_argument(
            "--gemeente",
            default="",
            help="Alleen de adressen van deze gemeente (bijvoorbeeld GM0344); de grens komt uit de CBS-kaart.",
        )
        parser.add_argument(
            "--margin",
            type=float,
            default=200,
            help="Meters buiten de gemeentegrens die ook worden ingelezen (standaard 200).",
        )

    def handle(self, *args: Any, path: str, database: str, no_progress: bool, **options: Any) -> None:
        try:
            result = import_bag_gpkg(
                Path(path),
                using=database,
                progress=not no_progress,
                gemeente=options["gemeente"],
                margin_m=options["margin"],
            )
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(address_summary(result)))
        for nid, kept, dropped in result.duplicates:
            self.stdout.write(
                f"Nummeraanduiding {nid} stond op meer dan één object: {kept} gehouden, "
                f"{' en '.join(dropped)} overgeslagen."
            )
