"""A synthetic street grid with houses and flats, for tests and benchmarks.

Streets run east-west and north-south every `block_m` metres, slightly bent; houses stand on both
sides, odd numbers on one side and even on the other, numbered along the street as in the BAG.
`flats` > 1 stacks that many front doors (toevoegingen) on each plot, as in a city centre. Seeded,
so the same arguments always give the same addresses.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from buurtonderzoek.places.geo import grid_strip, rd_to_wgs84
from buurtonderzoek.places.models import Address

STREET_NAMES = [
    "Kerkstraat", "Dorpsstraat", "Molenweg", "Schoolstraat", "Julianastraat", "Beatrixstraat", "Wilhelminalaan",
    "Lindenlaan", "Eikenlaan", "Berkenlaan", "Merelstraat", "Lijsterstraat", "Vinkenstraat", "Rozenstraat",
    "Tulpstraat", "Irisstraat", "Marktstraat", "Brugstraat", "Havenstraat", "Vaartkade", "Sluisweg",
    "Dijkweg", "Parklaan", "Hoflaan", "Nassaulaan", "Oranjelaan", "Vondelstraat", "Rembrandtlaan",
]  # fmt: skip


@dataclass(frozen=True)
class SyntheticAddress:
    street: str
    huisnummer: int
    toevoeging: str
    x: int
    y: int


def street_grid(
    *,
    centre_x: int,
    centre_y: int,
    half_size_m: int = 200,
    block_m: int = 70,
    plot_m: float = 6.0,
    setback_m: float = 7.0,
    flats: int = 1,
    seed: int = 1,
) -> list[SyntheticAddress]:
    rng = random.Random(seed)
    out: list[SyntheticAddress] = []
    names = iter(STREET_NAMES * 4)
    lines = range(-half_size_m, half_size_m + 1, block_m)
    for horizontal in (True, False):
        for offset in lines:
            name = next(names)
            if not horizontal:
                name = name.replace("straat", "dwarsstraat").replace("laan", "pad").replace("weg", "steeg")
            bend = rng.uniform(-4.0, 4.0)
            length = 2 * half_size_m
            count = int(length // plot_m)
            for i in range(count):
                along = -half_size_m + (i + 0.5) * plot_m
                # Keep plots out of the crossings.
                if min(abs(along - c) for c in lines) < setback_m + 2:
                    continue
                across = offset + bend * math.sin(along / 90.0)
                for side, sign in ((1, -1), (0, 1)):
                    number = 2 * (i + 1) - side  # odd on one side, even on the other
                    px, py = (along, across + sign * setback_m) if horizontal else (across + sign * setback_m, along)
                    jitter = rng.uniform(-0.8, 0.8)
                    for flat in range(flats):
                        out.append(
                            SyntheticAddress(
                                street=name,
                                huisnummer=number,
                                toevoeging=str(flat + 1) if flats > 1 else "",
                                x=round(centre_x + px + jitter),
                                y=round(centre_y + py + jitter),
                            )
                        )
    return out


def create_addresses(
    addresses: list[SyntheticAddress], *, gemeente_code: str, woonplaats: str = "Proefdorp", id_prefix: str = "99"
) -> list[Address]:
    """Store the synthetic addresses as BAG-like rows (bulk insert)."""
    rows = []
    for n, a in enumerate(addresses):
        lat, lon = rd_to_wgs84(a.x, a.y)
        rows.append(
            Address(
                nummeraanduiding_id=f"{id_prefix}{n:014d}"[:16],
                street=a.street,
                huisnummer=a.huisnummer,
                toevoeging=a.toevoeging,
                postcode=f"{9000 + (n // 500) % 999}{chr(65 + (n // 26) % 26)}{chr(65 + n % 26)}",
                woonplaats=woonplaats,
                gemeente_code=gemeente_code,
                x=a.x,
                y=a.y,
                lat=lat,
                lon=lon,
                grid_x=grid_strip(a.x),
            )
        )
    return Address.objects.bulk_create(rows, batch_size=2000)
