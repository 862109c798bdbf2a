"""Small files in the structure of the real products, written on the fly for importer tests."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buurtonderzoek.places.importers.gpkg import VBO_EXTRA_COLUMNS, create_bag_light, encode_point, encode_polygon

CSV_HEADER = (
    "nummeraanduiding_id;object_id;object_type;straat;huisnummer;huisletter;toevoeging;postcode;woonplaats;"
    "gemeentecode;buurtcode;x;y"
)


@dataclass
class Bag:
    nid: str
    street: str
    nr: int
    x: float
    y: float
    letter: str | None = None
    toev: str | None = None
    postcode: str = "3991AA"
    woonplaats: str = "Lindenhoven"
    bron: str = "9901"
    status: str | None = None


def csv_line(n: int, *, street: str = "Kerkstraat", nr: int | None = None, x: int = 140_000, y: int = 449_000) -> str:
    nr = nr if nr is not None else n
    return f"9901200000{n:06d};9901010000{n:06d};V;{street};{nr};;;3991AA;Lindenhoven;GM9901;;{x + n};{y}"


def write_csv(path: Path, lines: list[str], header: str = CSV_HEADER) -> Path:
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def write_bag_gpkg(
    path: Path,
    vbo: Sequence[Bag],
    ligplaatsen: Sequence[Bag] = (),
    standplaatsen: Sequence[Bag] = (),
    *,
    raw_geometry: dict[str, bytes] | None = None,
    envelopes: bool = True,
) -> Path:
    """A bag-light GeoPackage; `raw_geometry` replaces the geometry of the objects with those ids."""
    con = create_bag_light(path)
    raw_geometry = raw_geometry or {}
    for layer, items in (("verblijfsobject", vbo), ("ligplaats", ligplaatsen), ("standplaats", standplaatsen)):
        for i, a in enumerate(items, start=1):
            if layer == "verblijfsobject":
                geom = encode_point(a.x, a.y, envelope=envelopes and i % 2 == 0)
                type_digits = "01"
            else:
                # A 10 x 4 m berth or pitch centred on the address point.
                ring = [
                    (a.x - 5, a.y - 2),
                    (a.x + 5, a.y - 2),
                    (a.x + 5, a.y + 2),
                    (a.x - 5, a.y + 2),
                    (a.x - 5, a.y - 2),
                ]
                geom = encode_polygon([ring])
                type_digits = "02" if layer == "ligplaats" else "03"
            geom = raw_geometry.get(a.nid, geom)
            values = {
                "geom": geom,
                "rdf_seealso": f"http://bag.basisregistraties.overheid.nl/bag/id/{layer}/{a.bron}{type_digits}{i:010d}",
                "identificatie": f"{a.bron}{type_digits}{i:010d}",
                "status": a.status
                or ("Verblijfsobject in gebruik" if layer == "verblijfsobject" else "Plaats aangewezen"),
                "openbare_ruimte_naam": a.street,
                "openbare_ruimte_naam_kort": a.street[:24],
                "huisnummer": a.nr,
                "huisletter": a.letter,
                "toevoeging": a.toev,
                "postcode": a.postcode,
                "woonplaats_naam": a.woonplaats,
                "nummeraanduiding_hoofdadres_identificatie": a.nid,
                "openbare_ruimte_identificatie": f"{a.bron}300000000001",
                "woonplaats_identificatie": "9999",
                "bronhouder_identificatie": a.bron,
            }
            if layer == "verblijfsobject":
                values.update(dict.fromkeys(VBO_EXTRA_COLUMNS))
                values.update({"oppervlakte": 95, "gebruiksdoel": "woonfunctie", "bouwjaar": 1975})
            columns = ", ".join(f'"{c}"' for c in values)
            marks = ", ".join("?" * len(values))
            con.execute(f'INSERT INTO "{layer}" ({columns}) VALUES ({marks})', list(values.values()))  # noqa: S608
    con.commit()
    con.close()
    return path


def square(x: float, y: float, size: float) -> list[list[float]]:
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def write_geojson(path: Path, features: Sequence[Mapping[str, Any]], *, rd: bool = True) -> Path:
    collection: dict[str, Any] = {"type": "FeatureCollection", "name": "buurten"}
    if rd:
        collection["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}
    collection["features"] = list(features)
    path.write_text(json.dumps(collection, indent=1), encoding="utf-8")
    return path


def buurt_feature(code: str, name: str, ring: list[list[float]], *, water: str = "NEE") -> dict[str, Any]:
    gm = code[2:6]
    return {
        "type": "Feature",
        "properties": {
            "buurtcode": code,
            "buurtnaam": name,
            "wijkcode": "WK" + code[2:8],
            "gemeentecode": "GM" + gm,
            "gemeentenaam": "Lindenhoven",
            "water": water,
            "aantal_inwoners": 1234,
        },
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
