from __future__ import annotations

import resource
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from buurtonderzoek.places.generators.national import DEFAULT_CENTROIDS, generate


class Command(BaseCommand):
    help = (
        "Maakt een landelijke, verzonnen adressenset rond de echte PC4-middelpunten, voor benchmarks "
        "(standaard 9,9 miljoen adressen). Schrijft een CSV (docs/address-csv.md) en/of een bag-light GeoPackage."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=9_900_000, help="Aantal adressen (standaard 9.900.000).")
        parser.add_argument("--seed", type=int, default=1, help="Zaadgetal; dezelfde waarde geeft dezelfde set.")
        parser.add_argument("--out", type=Path, help="CSV-bestand om te schrijven.")
        parser.add_argument("--gpkg", type=Path, help="GeoPackage (bag-light-structuur) om te schrijven.")
        parser.add_argument("--centroids", type=Path, default=DEFAULT_CENTROIDS, help="pc4-centroids.json")
        parser.add_argument("--no-progress", action="store_true", help="Geen voortgangsbalk tonen.")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path | None = options["out"]
        gpkg: Path | None = options["gpkg"]
        if not out and not gpkg:
            raise CommandError("Geef --out BESTAND.csv en/of --gpkg BESTAND.gpkg op.")
        if options["count"] < 1:
            raise CommandError("--count moet minstens 1 zijn.")
        if not Path(options["centroids"]).exists():
            raise CommandError(f"{options['centroids']}: bestand met PC4-middelpunten niet gevonden.")
        for path in (out, gpkg):
            if path and not path.parent.exists():
                raise CommandError(f"Map {path.parent} bestaat niet; maak hem eerst aan.")
        started = time.perf_counter()
        written = generate(
            options["count"],
            seed=options["seed"],
            csv_path=out,
            gpkg_path=gpkg,
            centroids=options["centroids"],
            progress=not options["no_progress"],
        )
        seconds = time.perf_counter() - started
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            self.style.SUCCESS(f"{written} adressen geschreven in {seconds:.0f} s (piekgeheugen {rss:.0f} MB).")
        )
