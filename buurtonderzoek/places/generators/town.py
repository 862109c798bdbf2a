"""Lindenhoven: a fictional but believable Dutch town for the demo and for tests.

The flow: lay out a street network in metres around a centre (a slightly curved grid of rows and
columns, cut into named streets), place houses along both sides (odd numbers on the left of the
street's direction, even on the right), then draw a town outline around the houses and cut it into
2 wijken and 6 buurten. Each address gets its buurt by point-in-polygon on the stored WGS84
boundaries, so the codes agree with whatever the map shows. Everything is derived from one seeded
random generator, so the same seed always yields the same ids, and re-running upserts instead of
duplicating.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.ops import unary_union
from shapely.prepared import prep
from tqdm import tqdm

from buurtonderzoek.places.geo import grid_strip, rd_to_wgs84
from buurtonderzoek.places.models import Address, Buurt, Gemeente, ObjectType, Wijk
from buurtonderzoek.places.queries import rd_polygon_from_geojson

GEMEENTE_CODE = "GM9901"
GEMEENTE_NAME = "Lindenhoven"
WOONPLAATS = "Lindenhoven"
# RD New of the town centre (about lat 52.03, lon 5.17: polder land south-east of Utrecht).
CENTRE_X = 140_100
CENTRE_Y = 449_100
TARGET_ADDRESSES = 2_800

WIJKEN = (
    ("WK990101", "Lindenhoven-West"),
    ("WK990102", "Lindenhoven-Oost"),
)
# (code, name, wijk code, cell): cell is (west/east, north/middle/south) of the town.
BUURTEN = (
    ("BU99010101", "De Akkers", "WK990101", ("W", "N")),
    ("BU99010102", "Oude Dorp", "WK990101", ("W", "M")),
    ("BU99010103", "Molenkwartier", "WK990101", ("W", "S")),
    ("BU99010201", "Vaartzicht", "WK990102", ("E", "N")),
    ("BU99010202", "Lindenhof", "WK990102", ("E", "M")),
    ("BU99010203", "Het Broek", "WK990102", ("E", "S")),
)
# Street names follow a theme per part of town, as Dutch towns do; the pool catches overflow.
THEMES: dict[tuple[str, str], list[str]] = {
    ("W", "N"): ["Rozenstraat", "Tulpstraat", "Narcisstraat", "Irisstraat", "Goudsbloemstraat", "Korenbloemstraat"],
    ("W", "M"): ["Kerkstraat", "Marktstraat", "Schoolstraat", "Brugstraat", "Kerkpad", "Raadhuisstraat"],
    ("W", "S"): ["Molenweg", "Akkerweg", "Veldweg", "Boerenerf", "Korenschuur", "Molenzicht"],
    ("E", "N"): ["Vaartkade", "Sluisweg", "Dijkweg", "Kanaalstraat", "Schippersstraat", "Veerweg"],
    ("E", "M"): ["Lindenlaan", "Eikenlaan", "Beukenlaan", "Berkenlaan", "Kastanjelaan", "Esdoornstraat"],
    ("E", "S"): ["Merelstraat", "Lijsterstraat", "Spreeuwstraat", "Vinkenstraat", "Zwaluwstraat", "Kievitstraat"],
}
POOL = [
    "Julianastraat",
    "Wilhelminastraat",
    "Beatrixlaan",
    "Oranjelaan",
    "Nassaulaan",
    "Prins Bernhardstraat",
    "Burgemeester de Vriesstraat",
    "Rembrandtlaan",
    "Vermeerstraat",
    "Frans Halsstraat",
    "Jan Steenstraat",
    "Vondellaan",
    "Bilderdijkstraat",
    "Hoflaan",
    "Parklaan",
    "Wilgenlaan",
    "Populierenlaan",
    "Meidoornstraat",
]
# PC4 per part of town; the letters run along each street, side by side.
PC4 = {("W", "N"): "3991", ("E", "N"): "3992", ("W", "S"): "3993", ("E", "S"): "3994", ("W", "M"): "3995"}
PC4[("E", "M")] = "3995"
# PostNL does not use these letter pairs.
SKIPPED_LETTERS = {"SA", "SD", "SS"}

# House spacing along the street in metres, by housing type, with the chance of each type.
HOUSING = (("rij", 6.5, 0.45), ("twee-onder-een-kap", 11.0, 0.3), ("vrijstaand", 19.0, 0.15), ("centrum", 7.5, 0.1))


@dataclass
class Street:
    name: str
    line: LineString  # metres relative to the centre, in numbering direction
    cell: tuple[str, str]
    housing: str
    spacing: float
    sides: tuple[bool, bool]  # (left/odd has houses, right/even has houses)
    crossings: list[float] = field(default_factory=list)  # distances along the line to skip
    kind: str = "normal"  # "vaart": ligplaatsen on the water side; "kamp": standplaatsen


@dataclass
class Plot:
    street: Street
    huisnummer: int
    huisletter: str
    toevoeging: str
    dx: float
    dy: float
    object_type: str
    side: int  # 0 left/odd, 1 right/even


def _cell(x: float, y: float) -> tuple[str, str]:
    return ("W" if x < _divider_x(y) else "E", "N" if y > 240 else ("S" if y < -240 else "M"))


def _divider_x(y: float) -> float:
    # The wijk border bends a little, like a road or a ditch would.
    return 20.5 + 60.0 * math.sin(y / 450.0)


def _street_network(rng: random.Random) -> list[Street]:
    streets: list[Street] = []
    rows = [-560 + 160 * k for k in range(8)]
    cols = [-880 + 320 * j for j in range(6)]
    row_phase = [rng.uniform(0, 2 * math.pi) for _ in rows]

    def row_y(k: int, x: float) -> float:
        return rows[k] + 14.0 * math.sin(x / 280.0 + row_phase[k])

    def half_width(y: float) -> float:
        return 950.0 * math.sqrt(max(0.0, 1 - (y / 720.0) ** 2))

    def half_height(x: float) -> float:
        return 640.0 * math.sqrt(max(0.0, 1 - (x / 1050.0) ** 2))

    def pick_housing(cell: tuple[str, str]) -> tuple[str, float]:
        if cell[1] == "M" and rng.random() < 0.5:
            return "centrum", 7.5
        r = rng.random()
        for name, spacing, chance in HOUSING:
            if r < chance:
                return name, spacing
            r -= chance
        return HOUSING[0][0], HOUSING[0][1]

    def add(points: list[tuple[float, float]], crossings: list[float]) -> None:
        line = LineString(points)
        mid = line.interpolate(0.5, normalized=True)
        cell = _cell(mid.x, mid.y)
        housing, spacing = pick_housing(cell)
        # Some streets face a park, a ditch or the edge of town on one side.
        one_sided = rng.random() < 0.2
        sides = (True, rng.random() < 0.5) if one_sided else (True, True)
        if one_sided and not sides[1] and rng.random() < 0.5:
            sides = (False, True)
        streets.append(Street("", line, cell, housing, spacing, sides, crossings))

    for k in range(len(rows)):
        hw = half_width(rows[k])
        # Cut each row into streets of 350-750 m at random points between the columns.
        x = -hw
        while x < hw - 100:
            end = min(hw, x + rng.uniform(300, 600))
            if hw - end < 200:
                end = hw
            xs = [x + (end - x) * t / 12 for t in range(13)]
            pts = [(xi, row_y(k, xi)) for xi in xs]
            crossings = [c - x for c in cols if x < c < end]
            add(pts, crossings)
            x = end
    for j, cx in enumerate(cols):
        hh = half_height(cx)
        y = -hh
        while y < hh - 100:
            end = min(hh, y + rng.uniform(400, 800))
            if hh - end < 250:
                end = hh
            ys = [y + (end - y) * t / 8 for t in range(9)]
            pts = [(cx + 10.0 * math.sin(yi / 200.0 + j), yi) for yi in ys]
            # Columns run south to north; crossings are the rows.
            crossings = [r - y for r in rows if y < r < end]
            add(pts, crossings)
            y = end

    # Names: the theme of the street's part of town first, then the general pool.
    pools = {cell: list(names) for cell, names in THEMES.items()}
    for names in pools.values():
        rng.shuffle(names)
    general = list(POOL)
    rng.shuffle(general)
    # The water-side street on the northern edge is the Vaartkade with its house boats.
    north = max((s for s in streets if s.cell == ("E", "N")), key=lambda s: s.line.centroid.y)
    north.name, north.kind, north.sides = "Vaartkade", "vaart", (True, True)
    pools[("E", "N")].remove("Vaartkade")
    for street in sorted(streets, key=lambda s: (s.cell, s.line.centroid.x, s.line.centroid.y)):
        if street.name:
            continue
        street.name = pools[street.cell].pop() if pools[street.cell] else general.pop()
    # A short caravan site (standplaatsen) off the southern edge.
    south = min(streets, key=lambda s: s.line.centroid.y)
    sx, sy = south.line.coords[0]
    camp = LineString([(sx + 40 + 15 * t, sy - 70) for t in range(11)])
    streets.append(Street("De Kampen", camp, _cell(sx, sy), "woonwagen", 14.0, (True, True), [], "kamp"))
    return streets


def _plots(streets: list[Street], rng: random.Random, spacing_factor: float) -> list[Plot]:
    plots: list[Plot] = []
    for street in streets:
        length = street.line.length
        for side in (0, 1):
            if not street.sides[side]:
                continue
            number = 1 if side == 0 else 2
            d = 15.0 + rng.uniform(0, 6)
            while d < length - 15:
                if any(abs(d - c) < 22 for c in street.crossings):
                    d = min(c for c in street.crossings if abs(d - c) < 22) + 22 + rng.uniform(0, 4)
                    continue
                # Parks, a school or a playground: now and then a stretch without front doors.
                if street.kind == "normal" and rng.random() < 0.015:
                    d += rng.uniform(40, 90)
                    continue
                dx, dy = _offset(street.line, d, 12.0 + rng.uniform(-1.5, 1.5), left=side == 0)
                otype = ObjectType.VERBLIJFSOBJECT
                if street.kind == "vaart" and side == 0:
                    # House boats lie in the water, further from the quay.
                    dx, dy = _offset(street.line, d, 24.0, left=True)
                    otype = ObjectType.LIGPLAATS
                elif street.kind == "kamp":
                    otype = ObjectType.STANDPLAATS
                plots.extend(_numbered(street, number, dx, dy, str(otype), side, rng))
                number += 2
                if number == 13 and rng.random() < 0.3:
                    number += 2  # some streets skip 13
                d += street.spacing * spacing_factor * rng.uniform(0.9, 1.1)
                if street.kind == "vaart" and side == 0:
                    d += 12  # boats need more room than houses
    return plots


def _numbered(
    street: Street, number: int, dx: float, dy: float, otype: str, side: int, rng: random.Random
) -> Iterator[Plot]:
    r = rng.random()
    if otype == ObjectType.VERBLIJFSOBJECT and street.housing in ("rij", "centrum") and r < 0.025:
        # An apartment block behind one number: 1..n as toevoeging, stacked at one spot.
        for t in range(1, rng.randint(8, 24) + 1):
            yield Plot(street, number, "", str(t), dx + rng.uniform(-3, 3), dy + rng.uniform(-3, 3), otype, side)
        return
    if otype == ObjectType.VERBLIJFSOBJECT and street.housing == "centrum" and r < 0.2:
        # A shop with upstairs flats: 23, 23A, 23B.
        yield Plot(street, number, "", "", dx, dy, otype, side)
        for letter in "AB"[: rng.randint(1, 2)]:
            yield Plot(street, number, letter, "", dx + rng.uniform(-1, 1), dy + rng.uniform(-1, 1), otype, side)
        return
    yield Plot(street, number, "", "", dx, dy, otype, side)
    if otype == ObjectType.VERBLIJFSOBJECT and r > 0.985:
        # A house split later, or built in a garden: 12 and 12A, or 12-bis style toevoeging.
        if rng.random() < 0.7:
            yield Plot(street, number, "A", "", dx + 3, dy, otype, side)
        else:
            yield Plot(street, number, "", "bis", dx + 3, dy, otype, side)


def _offset(line: LineString, d: float, dist: float, *, left: bool) -> tuple[float, float]:
    p = line.interpolate(d)
    q = line.interpolate(min(d + 1.0, line.length))
    if q.distance(p) < 1e-9:
        q = p
        p = line.interpolate(max(d - 1.0, 0.0))
    tx, ty = q.x - p.x, q.y - p.y
    n = math.hypot(tx, ty) or 1.0
    # Left of the direction of travel is the normal (-ty, tx).
    sign = 1.0 if left else -1.0
    here = line.interpolate(d)
    return here.x + sign * dist * -ty / n, here.y + sign * dist * tx / n


def _letters() -> Iterator[str]:
    for a in "ABCDEFGHJKLMNPRSTVWXZ":
        for b in "ABCDEFGHJKLMNPRSTVWXZ":
            if a + b not in SKIPPED_LETTERS:
                yield a + b


def _postcodes(plots: list[Plot], rng: random.Random) -> list[str]:
    """A PC6 per stretch of 10-25 addresses on one side of a street, letters running along."""
    counters: dict[str, Iterator[str]] = {}
    result: list[str] = []
    current: tuple[str, int] | None = None
    code = ""
    left = 0
    for plot in plots:
        pc4 = PC4[plot.street.cell]
        key = (plot.street.name, plot.side)
        if key != current or left <= 0:
            letters = counters.setdefault(pc4, _letters())
            code = pc4 + next(letters)
            left = rng.randint(10, 25)
            current = key
        result.append(code)
        left -= 1
    return result


def _boundaries(streets: list[Street]) -> dict[str, Any]:
    """Town outline around the streets, cut into the six buurt cells. Geometry in relative metres."""
    # Houses stand at most 25 m from their street, well inside the 60 m this leaves.
    network = unary_union([s.line for s in streets])
    outline = network.buffer(110.0, quad_segs=4).buffer(-50.0, quad_segs=4)
    if isinstance(outline, MultiPolygon):
        outline = max(outline.geoms, key=lambda g: g.area)
    outline = Polygon(outline.exterior).simplify(8.0)
    far = 5000.0
    ys = [-far + k * 100.0 for k in range(int(2 * far / 100) + 1)]
    west_half = Polygon([(-far, -far), *[(_divider_x(y), y) for y in ys], (-far, far)])
    # Half-metre offsets keep the borders off the whole-metre points houses stand on.
    north_band = Polygon([(-far, 240.5), (far, 240.5), (far, far), (-far, far)])
    south_band = Polygon([(-far, -240.5), (far, -240.5), (far, -far), (-far, -far)])
    cells: dict[tuple[str, str], Any] = {}
    for ew, half in (("W", outline.intersection(west_half)), ("E", outline.difference(west_half))):
        cells[(ew, "N")] = half.intersection(north_band)
        cells[(ew, "S")] = half.intersection(south_band)
        cells[(ew, "M")] = half.difference(north_band).difference(south_band)
    return {"outline": outline, "cells": cells}


def _to_wgs84_geojson(geom: Any) -> dict[str, Any]:
    def ring(coords: Any) -> list[list[float]]:
        out = []
        for x, y in coords:
            lat, lon = rd_to_wgs84(CENTRE_X + x, CENTRE_Y + y)
            out.append([round(lon, 7), round(lat, 7)])
        return out

    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    parts = [[ring(p.exterior.coords), *[ring(i.coords) for i in p.interiors]] for p in polys]
    if len(parts) == 1:
        return {"type": "Polygon", "coordinates": parts[0]}
    return {"type": "MultiPolygon", "coordinates": parts}


def generate_town(*, seed: int = 7, progress: bool = True) -> Gemeente:
    """Create or refresh Lindenhoven (GM9901) with its wijken, buurten and about 3,000 addresses."""
    rng = random.Random(seed)
    streets = _street_network(rng)
    # First pass counts the houses at normal spacing; the second scales spacing to hit the target.
    trial = _plots(streets, random.Random(seed + 1), 1.0)
    plots = _plots(streets, random.Random(seed + 1), len(trial) / TARGET_ADDRESSES)
    postcodes = _postcodes(plots, rng)
    geoms = _boundaries(streets)
    buurt_shapes = {code: _to_wgs84_geojson(geoms["cells"][cell]) for code, _n, _w, cell in BUURTEN}
    wijk_shapes = {
        wcode: _to_wgs84_geojson(unary_union([geoms["cells"][cell] for _c, _n, w, cell in BUURTEN if w == wcode]))
        for wcode, _name in WIJKEN
    }
    # Point-in-polygon on the stored boundaries, read back the way the polygon query reads them,
    # so a buurt's addresses and "addresses within the buurt's polygon" always agree.
    prepared = [(code, prep(rd_polygon_from_geojson(geo))) for code, geo in buurt_shapes.items()]

    addresses: list[Address] = []
    seq = {str(t): 0 for t in ObjectType}
    type_digits = {ObjectType.VERBLIJFSOBJECT: "01", ObjectType.LIGPLAATS: "02", ObjectType.STANDPLAATS: "03"}
    for n, (plot, postcode) in enumerate(
        tqdm(list(zip(plots, postcodes, strict=True)), desc="Lindenhoven", unit="adres", disable=not progress),
        start=1,
    ):
        x = round(CENTRE_X + plot.dx)
        y = round(CENTRE_Y + plot.dy)
        lat, lon = rd_to_wgs84(x, y)
        point = Point(x, y)
        buurt_code = next((code for code, poly in prepared if poly.covers(point)), "")
        seq[plot.object_type] += 1
        addresses.append(
            Address(
                nummeraanduiding_id=f"9901200{n:09d}",
                object_id=f"9901{type_digits[ObjectType(plot.object_type)]}0{seq[plot.object_type]:09d}",
                object_type=plot.object_type,
                street=plot.street.name,
                huisnummer=plot.huisnummer,
                huisletter=plot.huisletter,
                toevoeging=plot.toevoeging,
                postcode=postcode,
                woonplaats=WOONPLAATS,
                gemeente_code=GEMEENTE_CODE,
                buurt_code=buurt_code,
                x=x,
                y=y,
                lat=lat,
                lon=lon,
                grid_x=grid_strip(x),
            )
        )

    with transaction.atomic():
        gemeente, _created = Gemeente.objects.update_or_create(
            code=GEMEENTE_CODE,
            defaults={"name": GEMEENTE_NAME, "boundary": _to_wgs84_geojson(geoms["outline"])},
        )
        wijken = {}
        for code, name in WIJKEN:
            wijken[code], _created = Wijk.objects.update_or_create(
                code=code, defaults={"name": name, "gemeente": gemeente, "boundary": wijk_shapes[code]}
            )
        for code, name, wcode, _cell_key in BUURTEN:
            Buurt.objects.update_or_create(
                code=code,
                defaults={"name": name, "wijk": wijken[wcode], "gemeente": gemeente, "boundary": buurt_shapes[code]},
            )
        Address.objects.bulk_create(
            addresses,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["nummeraanduiding_id"],
            update_fields=[
                "object_id",
                "object_type",
                "street",
                "huisnummer",
                "huisletter",
                "toevoeging",
                "postcode",
                "woonplaats",
                "gemeente_code",
                "buurt_code",
                "x",
                "y",
                "lat",
                "lon",
                "grid_x",
            ],
        )
        # A different seed lays out a different town: drop what this layout no longer has.
        # Ids are sequential and equally long, so everything past the last one is stale.
        last_id = addresses[-1].nummeraanduiding_id
        Address.objects.filter(gemeente_code=GEMEENTE_CODE, nummeraanduiding_id__gt=last_id).delete()
    return gemeente
