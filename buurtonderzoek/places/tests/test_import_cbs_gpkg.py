"""The CBS wijk- en buurtkaart as CBS and PDOK publish it.

The GeoPackage fixture is written by test code in the structure of CBS's `wijkenbuurten_2024_v1.gpkg`:
the GeoPackage tables (gpkg_spatial_ref_sys, gpkg_contents, gpkg_geometry_columns), three feature
layers `gemeenten`, `wijken`, `buurten` in RD New (EPSG:28992) with lower-case columns, geometries as
GeoPackage binary (a "GP" header with an envelope, then WKB) as multipolygons, one of them 3D, the
water flag JA/NEE/B and -99999999 for "no data". The real PDOK fragment comes from
../shared/data/realworld/cbs/ (statcode/statnaam only).
"""

from __future__ import annotations

import sqlite3
import struct
from pathlib import Path
from typing import Any

import pytest
import shapely
from django.core.management import call_command
from shapely.geometry import MultiPolygon, Polygon

from buurtonderzoek.places.actions import import_cbs_wijk_buurt
from buurtonderzoek.places.importers.base import ImportFailed
from buurtonderzoek.places.models import Buurt, Gemeente, Wijk

pytestmark = pytest.mark.django_db

X, Y = 120_000, 385_000
REAL_PDOK = Path("/work/shared/data/realworld/cbs/cartomap_buurt_2024_rd_first5.geojson")


def gp_blob(geom: shapely.Geometry, srs_id: int = 28992) -> bytes:
    """GeoPackage binary: magic, version 0, flags (little endian, envelope [minx,maxx,miny,maxy]), srs id."""
    minx, miny, maxx, maxy = geom.bounds
    flags = 0b0000_0011  # envelope code 1, little-endian
    header = b"GP" + bytes([0, flags]) + struct.pack("<i", srs_id) + struct.pack("<4d", minx, maxx, miny, maxy)
    wkb: bytes = shapely.to_wkb(geom, output_dimension=3 if geom.has_z else 2, flavor="iso")
    return header + wkb


def square(x: float, y: float, size: float, z: float | None = None) -> MultiPolygon:
    flat = [(x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)]
    if z is None:
        return MultiPolygon([Polygon(flat)])
    return MultiPolygon([Polygon([(cx, cy, z) for cx, cy in flat])])


def write_gpkg(path: Path, layers: dict[str, list[dict[str, Any]]]) -> Path:
    db = sqlite3.connect(path)
    db.execute("PRAGMA application_id = 1196444487")  # 'GPKG'
    db.executescript(
        """
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT,
            organization_coordsys_id INTEGER, definition TEXT, description TEXT);
        INSERT INTO gpkg_spatial_ref_sys VALUES ('Amersfoort / RD New', 28992, 'EPSG', 28992, 'PROJCS[...]', '');
        CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT,
            description TEXT, last_change TEXT, min_x REAL, min_y REAL, max_x REAL, max_y REAL, srs_id INTEGER);
        CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT,
            srs_id INTEGER, z TINYINT, m TINYINT);
        """
    )
    for name, rows in layers.items():
        columns = [c for c in rows[0] if c != "geom"]
        db.execute(
            f'CREATE TABLE "{name}" (fid INTEGER PRIMARY KEY, geom BLOB, ' + ", ".join(f'"{c}"' for c in columns) + ")"
        )
        db.execute("INSERT INTO gpkg_contents VALUES (?, 'features', ?, '', '', 0, 0, 0, 0, 28992)", (name, name))
        db.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'MULTIPOLYGON', 28992, 2, 0)", (name,))
        for row in rows:
            values = [gp_blob(row["geom"])] + [row[c] for c in columns]
            db.execute(
                f'INSERT INTO "{name}" (geom, {", ".join(columns)}) VALUES ({", ".join("?" * (len(columns) + 1))})',  # noqa: S608
                values,
            )
    db.commit()
    db.close()
    return path


def cbs_2024(tmp_path: Path) -> Path:
    gemeente = {"gemeentecode": "GM0744", "gemeentenaam": "Baarle-Nassau", "water": "NEE", "aantal_inwoners": 7000}
    return write_gpkg(
        tmp_path / "wijkenbuurten_2024_v1.gpkg",
        {
            "gemeenten": [
                {**gemeente, "geom": square(X, Y, 2000)},
                {"gemeentecode": "GM0998", "gemeentenaam": "Buitenland", "water": "B", "aantal_inwoners": -99999999,
                 "geom": square(X + 3000, Y, 100)},
            ],
            "wijken": [
                {"wijkcode": "WK074400", "wijknaam": "Baarle-Nassau", "gemeentecode": "GM0744",
                 "gemeentenaam": "Baarle-Nassau", "water": "NEE", "geom": square(X, Y, 2000)},
            ],
            "buurten": [
                {"buurtcode": "BU07440000", "buurtnaam": "Baarle-Nassau-Centrum", "wijkcode": "WK074400",
                 "gemeentecode": "GM0744", "gemeentenaam": "Baarle-Nassau", "water": "NEE",
                 "aantal_inwoners": -99999999, "geom": square(X, Y, 1000, z=0.0)},
                {"buurtcode": "BU07440001", "buurtnaam": "Castelré", "wijkcode": "WK074400",
                 "gemeentecode": "GM0744", "gemeentenaam": "Baarle-Nassau", "water": "NEE",
                 "aantal_inwoners": 120, "geom": square(X + 1000, Y, 1000)},
                {"buurtcode": "BU07440099", "buurtnaam": "Water", "wijkcode": "WK074400",
                 "gemeentecode": "GM0744", "gemeentenaam": "Baarle-Nassau", "water": "JA",
                 "aantal_inwoners": -99999999, "geom": square(X, Y + 1000, 500)},
                {"buurtcode": "BU09980001", "buurtnaam": "Baarle-Hertog (België)", "wijkcode": "WK099800",
                 "gemeentecode": "GM0998", "gemeentenaam": "Buitenland", "water": "B",
                 "aantal_inwoners": -99999999, "geom": square(X + 3000, Y, 100)},
            ],
        },
    )  # fmt: skip


def test_it_reads_the_cbs_geopackage_directly(tmp_path):
    result = import_cbs_wijk_buurt(cbs_2024(tmp_path), progress=False)
    assert result.created == {"gemeente": 1, "wijk": 1, "buurt": 2}
    assert (result.skipped_water, result.skipped_foreign) == (1, 2)
    buurt = Buurt.objects.get(code="BU07440000")
    assert (buurt.name, buurt.wijk.code, buurt.gemeente.name) == ("Baarle-Nassau-Centrum", "WK074400", "Baarle-Nassau")
    assert buurt.boundary is not None
    lon, lat = buurt.boundary["coordinates"][0][0][0][:2]
    assert 4.5 < lon < 5.5 and 51.0 < lat < 52.0  # RD New converted to WGS84, the 3D point flattened
    assert not Gemeente.objects.filter(code="GM0998").exists()  # no gemeente "Buitenland"


def test_a_second_run_changes_nothing(tmp_path):
    path = cbs_2024(tmp_path)
    import_cbs_wijk_buurt(path, progress=False)
    again = import_cbs_wijk_buurt(path, progress=False)
    assert again.created == {"gemeente": 0, "wijk": 0, "buurt": 0}
    assert (Gemeente.objects.count(), Wijk.objects.count(), Buurt.objects.count()) == (1, 1, 2)


@pytest.mark.skipif(not REAL_PDOK.exists(), reason="the real-world fragment is not on this machine")
def test_the_real_pdok_gebiedsindeling_imports_with_derived_codes():
    result = import_cbs_wijk_buurt(REAL_PDOK, progress=False)
    assert result.created["buurt"] == 5
    buurt = Buurt.objects.get(code="BU00340101")
    assert (buurt.name, buurt.wijk.code, buurt.gemeente.code) == ("Centrum Haven Noord", "WK003401", "GM0034")


def test_a_damaged_geopackage_is_refused_in_dutch(tmp_path):
    path = tmp_path / "kapot.gpkg"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(ImportFailed, match="geen leesbare GeoPackage"):
        import_cbs_wijk_buurt(path, progress=False)
    assert not Buurt.objects.exists()


def test_it_reads_a_cbs_shapefile_with_the_old_upper_case_columns(tmp_path):
    import numpy as np
    import pyogrio.raw  # type: ignore[import-untyped]

    # As in CBS's shapefile editions: BU_CODE, BU_NAAM, WK_CODE, GM_CODE, GM_NAAM, WATER (10-character
    # dBase names), RD New, multipolygons, a .cpg saying UTF-8.
    path = tmp_path / "buurt_2021_v1.shp"
    geoms = [square(X, Y, 1000), square(X + 1000, Y, 1000), square(X, Y + 1000, 500)]
    fields = ["BU_CODE", "BU_NAAM", "WK_CODE", "GM_CODE", "GM_NAAM", "WATER", "AANT_INW"]
    values = [
        np.array(["BU07440000", "BU07440001", "BU07440099"], dtype=object),
        np.array(["Centrum", "Castelré", "Mark"], dtype=object),
        np.array(["WK074400"] * 3, dtype=object),
        np.array(["GM0744"] * 3, dtype=object),
        np.array(["Baarle-Nassau"] * 3, dtype=object),
        np.array(["NEE", "NEE", "JA"], dtype=object),
        np.array([1200, -99999999, -99999999], dtype=np.int64),
    ]
    pyogrio.raw.write(
        path,
        np.array([shapely.to_wkb(g) for g in geoms], dtype=object),
        values,
        fields,
        driver="ESRI Shapefile",
        geometry_type="MultiPolygon",
        crs="EPSG:28992",
        encoding="UTF-8",
    )
    result = import_cbs_wijk_buurt(path, progress=False)
    assert (result.created["buurt"], result.skipped_water) == (2, 1)
    assert Buurt.objects.get(code="BU07440001").name == "Castelré"


def test_a_damaged_shapefile_is_refused_in_dutch(tmp_path):
    path = tmp_path / "buurten.shp"
    path.write_bytes(b"\x00\x00\x27\x0a")
    with pytest.raises(ImportFailed, match="de shapefile is onleesbaar"):
        import_cbs_wijk_buurt(path, progress=False)


def test_the_command_reports_the_skipped_belgian_areas(tmp_path, capsys):
    call_command("import_cbs_wijkbuurt", str(cbs_2024(tmp_path)), "--no-progress")
    assert "2 Belgische gebieden (Baarle) overgeslagen" in capsys.readouterr().out
