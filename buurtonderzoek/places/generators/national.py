"""A national-scale synthetic address set for benchmarks: about 9.9 million addresses.

The flow: take the 4,766 real PC4 centroids (places/data/pc4-centroids.json), repair the noisy
ones, give each PC4 a share of the total (bigger cities get fuller postcodes) and an area (half
the distance to its nearest neighbours), then lay a street grid over that area from the centre
outwards until the share is used up. Houses stand on both sides of each street, odd numbers left
and even right, with huisletters, apartment blocks (toevoegingen), and a six-character postcode per
stretch of 10-25 addresses on one side of a street, as PostNL assigns them. Ids look like BAG ids:
a four-digit gemeente number, the object type, a sequence.

Everything derives from the seed and the PC4 code, so a run is reproducible. Output streams to a
CSV (docs/address-csv.md) and/or a bag-light GeoPackage; memory stays flat.
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from buurtonderzoek.places.geo import RD_X_MAX, RD_X_MIN, RD_Y_MAX, RD_Y_MIN, wgs84_to_rd
from buurtonderzoek.places.importers.gpkg import create_bag_light, encode_point, encode_polygon

DEFAULT_CENTROIDS = Path(__file__).resolve().parents[1] / "data" / "pc4-centroids.json"
# PostNL leaves out F, I, O, Q, U and Y, and never issues SA, SD or SS.
LETTERS = [a + b for a in "ABCDEGHJKLMNPRSTVWXZ" for b in "ABCDEGHJKLMNPRSTVWXZ" if a + b not in ("SA", "SD", "SS")]
ROOTS = [
    "Kerk",
    "Molen",
    "Linden",
    "Eiken",
    "Beuken",
    "Berken",
    "Wilgen",
    "Populieren",
    "Kastanje",
    "Esdoorn",
    "Iepen",
    "Elzen",
    "Platanen",
    "Acacia",
    "Hazelaar",
    "Meidoorn",
    "Vlier",
    "Rozen",
    "Tulpen",
    "Narcissen",
    "Irissen",
    "Lelie",
    "Seringen",
    "Anjer",
    "Dahlia",
    "Krokus",
    "Zonnebloem",
    "Klaver",
    "Heide",
    "Duin",
    "Merel",
    "Lijster",
    "Spreeuw",
    "Vinken",
    "Zwaluw",
    "Kievit",
    "Meeuwen",
    "Reiger",
    "Ooievaar",
    "Uilen",
    "Valk",
    "Havik",
    "Buizerd",
    "Koekoek",
    "Specht",
    "School",
    "Markt",
    "Brug",
    "Haven",
    "Sluis",
    "Dijk",
    "Veld",
    "Akker",
    "Weide",
    "Beemd",
    "Hof",
    "Park",
    "Bosch",
    "Berg",
    "Dal",
    "Beek",
    "Vaart",
    "Gracht",
    "Kanaal",
    "Stations",
    "Spoor",
    "Veer",
    "Tol",
    "Poort",
    "Wal",
    "Burcht",
    "Slot",
    "Abdij",
    "Klooster",
    "Kapel",
    "Pastorie",
    "Raadhuis",
    "Waag",
    "Smederij",
    "Bakkers",
    "Schepen",
    "Vissers",
    "Boeren",
    "Wevers",
    "Lakens",
    "Touw",
    "Zeilmakers",
    "Kuipers",
    "Jonker",
    "Ridder",
    "Graaf",
    "Prinsen",
    "Oranje",
    "Nassau",
    "Juliana",
    "Beatrix",
    "Wilhelmina",
    "Emma",
    "Willem",
    "Frederik",
    "Hendrik",
    "Maurits",
    "Bernhard",
    "Margriet",
    "Irene",
    "Christina",
    "Amalia",
    "Rembrandt",
    "Vermeer",
    "Frans",
    "Hals",
    "Steen",
    "Mondriaan",
    "Escher",
    "Breitner",
    "Israels",
    "Mesdag",
    "Vondel",
    "Bilderdijk",
    "Tollens",
    "Cats",
    "Huygens",
    "Erasmus",
    "Spinoza",
    "Grotius",
    "Lorentz",
    "Zeeman",
    "Kamerlingh",
    "Onnes",
    "Buys",
    "Ballot",
    "Thorbecke",
    "Drees",
    "Schaepman",
    "Troelstra",
]
SUFFIXES = ("straat", "laan", "weg", "plein", "hof", "singel", "dreef", "pad", "kade", "steeg", "erf", "park")
PREFIXES = ("", "Nieuwe ", "Oude ", "Korte ", "Lange ", "Eerste ", "Tweede ", "Derde ", "Kleine ", "Grote ")


@dataclass
class Pc4Plan:
    pc4: str
    city: str
    gemeente: int
    x: float
    y: float
    radius: float
    share: int = 0


def load_centroids(path: Path = DEFAULT_CENTROIDS) -> dict[str, tuple[str, float, float]]:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return {pc4: (v["city"], float(v["c"][0]), float(v["c"][1])) for pc4, v in sorted(raw.items())}


def plan(count: int, seed: int, centroids: dict[str, tuple[str, float, float]]) -> list[Pc4Plan]:
    """Where each PC4 lies, how large it is and how many addresses it gets (summing to `count`)."""
    rng = random.Random(f"{seed}-plan")
    # Centroids shared by PC4s of different cities are placeholders, and a few lie abroad: move
    # those PC4s to a real PC4 of their own city, or leave them out when the city has none.
    by_point: dict[tuple[float, float], set[str]] = defaultdict(set)
    for city, lat, lon in centroids.values():
        by_point[(round(lat, 4), round(lon, 4))].add(city)
    good: dict[str, list[tuple[float, float]]] = defaultdict(list)
    placed: dict[str, tuple[str, float, float]] = {}
    for pc4, (city, lat, lon) in centroids.items():
        x, y = wgs84_to_rd(lat, lon)
        bogus = len(by_point[(round(lat, 4), round(lon, 4))]) > 1 or not (
            RD_X_MIN + 5000 < x < RD_X_MAX - 5000 and RD_Y_MIN + 5000 < y < RD_Y_MAX - 5000 and 50.7 < lat < 53.6
        )
        if not bogus:
            good[city].append((x, y))
            placed[pc4] = (city, x, y)
    for pc4, (city, _lat, _lon) in centroids.items():
        if pc4 not in placed and good[city]:
            x, y = rng.choice(good[city])
            placed[pc4] = (city, x + rng.uniform(-800, 800), y + rng.uniform(-800, 800))
    codes = sorted(placed)
    xy = np.array([placed[c][1:] for c in codes])
    # Area: 0.6 times the mean distance to the three nearest other centroids (duplicates count
    # once). Half the distance would be the inscribed circle; 0.6 covers about the Voronoi cell,
    # so the densest city centres come out near the real maximum of some 12,000-15,000 addresses
    # per km2 instead of twice that.
    radius = np.empty(len(codes))
    for start in range(0, len(codes), 512):
        block = xy[start : start + 512]
        d = np.sqrt(((block[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
        d[d < 50] = np.inf
        nearest = np.sort(d, axis=1)[:, :3]
        radius[start : start + 512] = np.clip(nearest.mean(axis=1) * 0.6, 350, 2500)
    # PC4s sharing one spot within a city (PO box ranges, say) share its area too.
    same_spot: dict[tuple[int, int], int] = defaultdict(int)
    for c in codes:
        same_spot[(round(placed[c][1]), round(placed[c][2]))] += 1
    cities = sorted({placed[c][0] for c in codes})
    gemeente = {city: i + 1 for i, city in enumerate(cities)}
    city_size: dict[str, int] = defaultdict(int)
    for c in codes:
        city_size[placed[c][0]] += 1
    plans = []
    for i, c in enumerate(codes):
        city, x, y = placed[c]
        k = same_spot[(round(x), round(y))]
        r = float(radius[i]) * math.sqrt(k)
        if k > 1:
            angle = rng.uniform(0, 2 * math.pi)
            x, y = x + r / 2 * math.cos(angle), y + r / 2 * math.sin(angle)
        plans.append(Pc4Plan(c, city, gemeente[city], x, y, r))
    # Bigger cities have fuller postcodes: weight by city size to the power 0.3.
    weights = np.array([city_size[p.city] ** 0.3 for p in plans])
    exact = weights / weights.sum() * count
    shares = np.floor(exact).astype(int)
    rest = count - int(shares.sum())
    for i in np.argsort(-(exact - shares), kind="stable")[:rest]:
        shares[i] += 1
    for p, s in zip(plans, shares.tolist(), strict=True):
        p.share = int(s)
    return plans


class _Names:
    """Street names, unique within a woonplaats."""

    def __init__(self) -> None:
        self.used: dict[str, set[str]] = defaultdict(set)

    def new(self, city: str, rng: random.Random) -> str:
        used = self.used[city]
        for prefix in PREFIXES:
            for _ in range(6):
                name = f"{prefix}{rng.choice(ROOTS)}{rng.choice(SUFFIXES)}"
                if name not in used:
                    used.add(name)
                    return name
        name = f"{rng.choice(ROOTS)}{rng.choice(SUFFIXES)} {len(used)}"
        used.add(name)
        return name


Row = tuple[str, str, str, str, int, str, str, str, str, str, float, float]


def addresses(plans: list[Pc4Plan], seed: int) -> Iterator[Row]:
    """All addresses, PC4 by PC4: (nid, object id, type, street, nr, letter, toevoeging, postcode,
    woonplaats, gemeentecode, x, y)."""
    names = _Names()
    sequence: dict[int, int] = defaultdict(int)
    objects: dict[tuple[int, str], int] = defaultdict(int)
    type_digits = {"V": "01", "L": "02", "S": "03"}
    for p in plans:
        if p.share <= 0:
            continue
        rng = random.Random(f"{seed}-{p.pc4}")
        gm = f"{p.gemeente:04d}"
        gemeentecode = "GM" + gm
        letters = iter(LETTERS)
        # Full postcodes get longer stretches, so the 397 letter pairs last, as PostNL's do.
        shortest = max(10, p.share // 250)
        current: tuple[str, int] | None = None
        stretch_left = 0
        postcode = ""
        for street, nr, letter, toev, side, otype, x, y in _pc4_addresses(p, rng, names):
            # A new postcode for each side of each street, and again every 10-25 addresses.
            if (street, side) != current or stretch_left <= 0:
                postcode = p.pc4 + next(letters, LETTERS[-1])
                stretch_left = rng.randint(shortest, shortest + 15)
                current = (street, side)
            stretch_left -= 1
            sequence[p.gemeente] += 1
            objects[(p.gemeente, otype)] += 1
            yield (
                f"{gm}20{sequence[p.gemeente]:010d}",
                f"{gm}{type_digits[otype]}{objects[(p.gemeente, otype)]:010d}",
                otype,
                street,
                nr,
                letter,
                toev,
                postcode,
                p.city,
                gemeentecode,
                x,
                y,
            )


def _pc4_addresses(
    p: Pc4Plan, rng: random.Random, names: _Names
) -> Iterator[tuple[str, int, str, str, int, str, float, float]]:
    """(street, nr, letter, toevoeging, side, type, x, y) for one PC4, streets from the centre out."""
    density = max(p.share / (math.pi * (p.radius / 1000) ** 2), 20.0)  # addresses per km2
    # City: terraces 6 m apart with flats; town: 9 m; countryside: a house every 25 m along
    # roads far apart. The distance between parallel streets follows from the density.
    urban = density > 3000
    target = 6.0 if urban else (9.0 if density > 800 else 25.0)
    flats = 0.12 if urban else (0.03 if density > 800 else 0.0)
    mean_per_slot = 1 + flats * 14
    # Metres of street per km2 is 1e6 / block, with houses on two sides.
    block = min(1000.0, max(60.0, 2 * mean_per_slot * 1e6 / (density * target)))
    spacing = max(5.0, 2 * mean_per_slot * 1e6 / block / density)
    longest = 500.0 if density > 800 else 1500.0
    angle = rng.uniform(0, math.pi / 2)
    ca, sa = math.cos(angle), math.sin(angle)
    # Grid lines across the disk, nearest to the centre first, alternating directions.
    offsets = sorted((k * block for k in range(-80, 81)), key=lambda o: (abs(o), o))
    lines = [(o, horizontal) for o in offsets for horizontal in (True, False)]
    left = p.share
    for offset, horizontal in lines:
        if left <= 0:
            return
        # Keep well inside the disk: a full grid fills the circle, the quota ends it earlier.
        reach = 1.4 * p.radius
        if abs(offset) >= reach:
            continue
        half = math.sqrt(reach**2 - offset**2)
        start = -half
        while start < half - 30 and left > 0:
            length = min(half - start, rng.uniform(120, longest))
            street = names.new(p.city, rng)
            for side in (0, 1):
                if left <= 0:
                    break
                nr = 1 + side
                d = start + 12.0
                while d < start + length - 12.0 and left > 0:
                    across = (
                        offset + (9.0 if side == 0 else -9.0) if horizontal else offset - (9.0 if side == 0 else -9.0)
                    )
                    ux, uy = (d, across) if horizontal else (across, d)
                    x = p.x + ux * ca - uy * sa + rng.uniform(-1.5, 1.5)
                    y = p.y + ux * sa + uy * ca + rng.uniform(-1.5, 1.5)
                    r = rng.random()
                    otype = "V" if r > 0.012 else ("L" if r < 0.004 else "S")
                    if otype == "V" and r < flats + 0.012:
                        for t in range(1, min(left, rng.randint(4, 24)) + 1):
                            yield street, nr, "", str(t), side, "V", round(x, 3), round(y + t * 0.1, 3)
                            left -= 1
                    else:
                        yield street, nr, "", "", side, otype, round(x, 3), round(y, 3)
                        left -= 1
                        if left > 0 and r > 0.985:
                            yield street, nr, "A", "", side, "V", round(x + 2, 3), round(y, 3)
                            left -= 1
                    nr += 2
                    d += spacing * rng.uniform(0.85, 1.15)
            start += length + 15.0
    # A PC4 whose grid ran out (tiny radius, huge share) stacks the rest as flats at its centre.
    n = 1
    while left > 0:
        for t in range(1, min(left, 40) + 1):
            yield "Centrumplein", n, "", str(t), 0, "V", round(p.x, 3), round(p.y + t * 0.1, 3)
            left -= 1
        n += 1


# --- output -------------------------------------------------------------------------------------

CSV_HEADER = (
    "nummeraanduiding_id;object_id;object_type;straat;huisnummer;huisletter;toevoeging;postcode;"
    "woonplaats;gemeentecode;buurtcode;x;y\n"
)


class CsvOut:
    def __init__(self, path: Path) -> None:
        self.handle: IO[str] = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.handle.write(CSV_HEADER)
        self.buffer: list[str] = []

    def add(self, row: Row) -> None:
        self.buffer.append("%s;%s;%s;%s;%d;%s;%s;%s;%s;%s;;%.3f;%.3f\n" % row)  # noqa: UP031 (fastest here)
        if len(self.buffer) >= 20_000:
            self.flush()

    def flush(self) -> None:
        self.handle.write("".join(self.buffer))
        self.buffer = []

    def close(self) -> None:
        self.flush()
        self.handle.close()


class GpkgOut:
    def __init__(self, path: Path) -> None:
        if path.exists():
            path.unlink()
        self.con = create_bag_light(path)
        self.con.execute("PRAGMA journal_mode = OFF")
        self.con.execute("PRAGMA synchronous = OFF")
        self.buffers: dict[str, list[tuple[Any, ...]]] = {"V": [], "L": [], "S": []}

    def add(self, row: Row) -> None:
        nid, oid, otype, street, nr, letter, toev, postcode, woonplaats, gm, x, y = row
        if otype == "V":
            geom = encode_point(x, y)
        else:
            geom = encode_polygon([[(x - 6, y - 2), (x + 6, y - 2), (x + 6, y + 2), (x - 6, y + 2), (x - 6, y - 2)]])
        status = "Verblijfsobject in gebruik" if otype == "V" else "Plaats aangewezen"
        self.buffers[otype].append(
            (geom, oid, status, street, nr, letter or None, toev or None, postcode, woonplaats, nid, gm[2:])
        )
        if len(self.buffers[otype]) >= 50_000:
            self._flush(otype)

    def _flush(self, otype: str) -> None:
        layer = {"V": "verblijfsobject", "L": "ligplaats", "S": "standplaats"}[otype]
        self.con.executemany(
            f'INSERT INTO "{layer}" (geom, identificatie, status, openbare_ruimte_naam, huisnummer, huisletter, '  # noqa: S608
            "toevoeging, postcode, woonplaats_naam, nummeraanduiding_hoofdadres_identificatie, "
            "bronhouder_identificatie) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.buffers[otype],
        )
        self.buffers[otype] = []

    def close(self) -> None:
        for otype in self.buffers:
            self._flush(otype)
        self.con.commit()
        self.con.close()


def generate(
    count: int,
    *,
    seed: int = 1,
    csv_path: Path | None = None,
    gpkg_path: Path | None = None,
    centroids: Path = DEFAULT_CENTROIDS,
    progress: bool = True,
) -> int:
    """Write `count` addresses to a CSV and/or a GeoPackage; returns the number written."""
    from tqdm import tqdm

    outputs: list[CsvOut | GpkgOut] = []
    if csv_path:
        outputs.append(CsvOut(csv_path))
    if gpkg_path:
        outputs.append(GpkgOut(gpkg_path))
    written = 0
    try:
        with tqdm(total=count, unit=" adressen", unit_scale=True, disable=not progress) as bar:
            for row in addresses(plan(count, seed, load_centroids(centroids)), seed):
                for out in outputs:
                    out.add(row)
                written += 1
                if written % 10_000 == 0:
                    bar.update(10_000)
            bar.update(written - bar.n)
    finally:
        for out in outputs:
            out.close()
    return written
