"""CBS reference data: the wijk- en buurtkaart (GeoPackage, shapefile or GeoJSON) and the postcode-huisnummer table.

Wijk- en buurtkaart: the GeoPackage CBS publishes (read directly with sqlite3: every feature table,
gemeenten, wijken and buurten, geometries as GeoPackage WKB, 2D or 3D), one of its shapefiles
(read with pyogrio, whose wheel brings GDAL), or a GeoJSON
FeatureCollection of gemeenten, wijken or buurten (one layer per file, or mixed), with the
properties CBS uses since 2022 (`buurtcode`, `buurtnaam`, `wijkcode`,
`wijknaam`, `gemeentecode`, `gemeentenaam`, `water`) or the older upper-case ones (`BU_CODE`,
`BU_NAAM`, `WK_CODE`, ...). Coordinates in RD New (as CBS publishes them) or WGS84; boundaries are
stored as WGS84 GeoJSON. The file is read one feature at a time, so a national file of hundreds of
megabytes never sits in memory whole. Features that are the water part of an area (`water` = JA)
are skipped: a canvass never knocks on water. So is Belgian territory (`water` = B, gemeente
GM0998 "Buitenland", around Baarle). PDOK's gebiedsindelingen carry only `statcode`/`statnaam`:
wijk and gemeente are derived from the code. CBS's -99999999 ("no data") counts as empty. Two land
features with the same code are merged.

Postcode-huisnummer table ("Buurt, wijk en gemeente voor postcode huisnummer"): semicolon CSV
`PC6;Huisnummer;Buurt2023;Wijk2023;Gemeente2023`, the codes without their BU/WK/GM prefix (and in
older editions without leading zeros). It sets `buurt_code` on every address with that postcode and
number (and `gemeente_code` where it was empty), in one statement from a staging table.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import shapely
from django.db import connections, transaction
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from tqdm import tqdm

from buurtonderzoek.places.geo import rd_to_wgs84_array
from buurtonderzoek.places.importers.base import NUL_MESSAGE, ImportFailed, has_nul
from buurtonderzoek.places.importers.loader import backend_for
from buurtonderzoek.places.models import Address, Buurt, Gemeente, Wijk

CHUNK = 1 << 20
PROPS = {
    "buurtcode": ("buurtcode", "bu_code", "statcode"),
    "buurtnaam": ("buurtnaam", "bu_naam"),
    "wijkcode": ("wijkcode", "wk_code"),
    "wijknaam": ("wijknaam", "wk_naam"),
    "gemeentecode": ("gemeentecode", "gm_code"),
    "gemeentenaam": ("gemeentenaam", "gm_naam"),
    "water": ("water", "h2o"),
}
CODE = {
    "buurt": re.compile(r"BU[0-9A-Z]{8}"),
    "wijk": re.compile(r"WK[0-9A-Z]{6}"),
    "gemeente": re.compile(r"GM[0-9]{4}"),
}


def iter_geojson_features(path: Path) -> Iterator[tuple[int, dict[str, Any], bool, int]]:
    """(number, feature, in_rd, bytes read so far) for each feature of a FeatureCollection, streamed.

    `in_rd` comes from the collection's "crs" member when it precedes the features (as GDAL and
    PDOK write it); otherwise the caller looks at the coordinates themselves.
    """
    decoder = json.JSONDecoder()
    with open(path, "rb") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig") as f:
        buf = f.read(CHUNK)
        start = buf.find('"features"')
        while start < 0:
            more = f.read(CHUNK)
            if not more:
                raise ImportFailed(f'{path.name}: geen GeoJSON FeatureCollection ("features" ontbreekt).')
            buf += more
            start = buf.find('"features"')
        crs = re.search(r'"crs"\s*:\s*\{.*?"name"\s*:\s*"([^"]+)"', buf[:start], re.S)
        in_rd = bool(crs and "28992" in crs.group(1))
        pos = buf.find("[", start)
        while pos < 0:
            more = f.read(CHUNK)
            if not more:
                raise ImportFailed(f'{path.name}: de lijst "features" is niet afgesloten.')
            buf += more
            pos = buf.find("[", start)
        pos += 1
        number = 0
        eof = False
        while True:
            # Skip separators; top up the buffer when it runs dry.
            while True:
                while pos < len(buf) and buf[pos] in " \t\r\n,":
                    pos += 1
                if pos < len(buf) or eof:
                    break
                buf, pos = f.read(CHUNK), 0
                eof = not buf
            if pos >= len(buf) or buf[pos] == "]":
                return
            number += 1
            while True:
                try:
                    feature, end = decoder.raw_decode(buf, pos)
                    break
                except json.JSONDecodeError as exc:
                    if eof:
                        raise ImportFailed(
                            f"{path.name}, feature {number}: geen geldige JSON ({exc.msg}, teken {exc.pos}). "
                            "Download het bestand opnieuw; er is niets opgeslagen."
                        ) from exc
                    buf = buf[pos:]
                    pos = 0
                    more = f.read(max(CHUNK, len(buf)))
                    eof = not more
                    buf += more
            yield number, feature, in_rd, raw.tell()
            pos = end
            if pos > CHUNK:
                buf, pos = buf[pos:], 0


NO_DATA = {"-99999999", "-99999998", "-99999997", "-99997"}  # CBS: no data / secret / not applicable
FOREIGN_GEMEENTE = "GM0998"  # "Buitenland": the Belgian enclaves around Baarle, not a Dutch gemeente


def _prop(props: dict[str, Any], key: str) -> str:
    lowered = {k.lower(): v for k, v in props.items()}
    for alias in PROPS[key]:
        value = lowered.get(alias)
        if value not in (None, "") and str(value).strip() not in NO_DATA:
            return str(value).strip()
    return ""


def _derive_codes(props: dict[str, Any]) -> dict[str, Any]:
    """PDOK's gebiedsindelingen have only `statcode`/`statnaam`: the wijk and gemeente follow from
    the code itself (BU03440101 lies in WK034401 in GM0344)."""
    lowered = {str(k).lower(): v for k, v in props.items()}
    code = str(lowered.get("statcode") or "").strip().upper()
    if not code or any(lowered.get(k) for k in ("buurtcode", "bu_code", "wijkcode", "wk_code", "gemeentecode")):
        return props
    derived = dict(props)
    name = str(lowered.get("statnaam") or "").strip()
    if code.startswith("BU"):
        derived.update(buurtcode=code, buurtnaam=name, wijkcode="WK" + code[2:8], gemeentecode="GM" + code[2:6])
    elif code.startswith("WK"):
        derived.update(wijkcode=code, wijknaam=name, gemeentecode="GM" + code[2:6])
    elif code.startswith("GM"):
        derived.update(gemeentecode=code, gemeentenaam=name)
    derived.pop("statcode", None)
    return derived


def iter_gpkg_features(path: Path) -> Iterator[tuple[int, dict[str, Any], bool, int]]:
    """(number, feature, in_rd, rows read) for every feature of every feature table of a GeoPackage.

    Read with sqlite3 (a GeoPackage is an SQLite database); each geometry is the GeoPackage
    header (magic, flags, srs id, optional envelope) followed by WKB, 2D or 3D, which shapely reads.
    """
    import sqlite3

    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        tables = db.execute(
            "SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c "
            "JOIN gpkg_geometry_columns g ON g.table_name = c.table_name WHERE c.data_type = 'features'"
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise ImportFailed(f"{path.name}: geen leesbare GeoPackage ({exc}); er is niets opgeslagen.") from None
    number = 0
    try:
        for table, column, srs_id in tables:
            cursor = db.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cursor.description]
            for row in cursor:
                number += 1
                record = dict(zip(names, row, strict=True))
                blob = record.pop(column)
                geometry = None
                if blob:
                    try:
                        geometry = mapping(shapely.from_wkb(_gpkg_wkb(bytes(blob))))
                    except Exception as exc:  # shapely raises several types for malformed WKB
                        raise ImportFailed(
                            f"{path.name}, laag {table}, feature {number}: de geometrie is onleesbaar ({exc}); "
                            "er is niets opgeslagen."
                        ) from None
                yield number, {"properties": record, "geometry": geometry}, srs_id == 28992, number
    finally:
        db.close()


def iter_shapefile_features(path: Path) -> tuple[Iterator[tuple[int, dict[str, Any], bool, int]], int]:
    """The features of a shapefile, read with pyogrio (GDAL in its wheel), and how many there are."""
    import pyogrio.raw  # type: ignore[import-untyped]

    if not path.exists():
        raise ImportFailed(f"{path}: bestand niet gevonden (een shapefile is .shp met .dbf en .shx ernaast).")
    try:
        meta, _fids, geometries, values = pyogrio.raw.read(path)
    except Exception as exc:  # GDAL reports any damage as its own error types
        raise ImportFailed(f"{path.name}: de shapefile is onleesbaar ({exc}); er is niets opgeslagen.") from None
    names = list(meta["fields"])
    in_rd = "28992" in str(meta.get("crs") or "")

    def features() -> Iterator[tuple[int, dict[str, Any], bool, int]]:
        for number, wkb in enumerate(geometries, start=1):
            props = {name: column[number - 1] for name, column in zip(names, values, strict=True)}
            geometry = mapping(shapely.from_wkb(wkb)) if wkb is not None else None
            yield number, {"properties": props, "geometry": geometry}, in_rd, number

    return features(), len(geometries)


def _gpkg_wkb(blob: bytes) -> bytes:
    if blob[:2] != b"GP":
        return blob  # plain WKB, as some writers store it
    envelope = (blob[3] >> 1) & 0b111
    return blob[8 + {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get(envelope, 0) :]


def _gpkg_count(path: Path) -> int:
    import sqlite3

    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        tables = [t for (t,) in db.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")]
        total = sum(db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables)
        db.close()
        return int(total)
    except sqlite3.DatabaseError as exc:
        raise ImportFailed(f"{path.name}: geen leesbare GeoPackage ({exc}); er is niets opgeslagen.") from None


def _is_gpkg(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(16) == b"SQLite format 3\x00"


def _to_wgs84(geom: Any, in_rd: bool) -> dict[str, Any]:
    minx, miny, _maxx, _maxy = geom.bounds
    if in_rd or minx > 180 or miny > 90:

        def convert(coords: Any) -> Any:
            lat, lon = rd_to_wgs84_array(coords[:, 0], coords[:, 1])
            coords[:, 0] = lon
            coords[:, 1] = lat
            return coords

        geom = shapely.transform(geom, convert)
    geom = shapely.set_precision(geom, 1e-7)
    result: dict[str, Any] = json.loads(json.dumps(mapping(geom)))
    return result


@dataclass
class AreaResult:
    created: dict[str, int] = field(default_factory=lambda: {"gemeente": 0, "wijk": 0, "buurt": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"gemeente": 0, "wijk": 0, "buurt": 0})
    skipped_water: int = 0
    skipped_foreign: int = 0


def import_wijk_buurt_geojson(path: Path, *, using: str = "default", progress: bool = True) -> AreaResult:
    """Upsert gemeenten, wijken and buurten with their boundaries from a CBS GeoJSON file."""
    path = Path(path)
    if not path.exists():
        raise ImportFailed(f"{path}: bestand niet gevonden. Controleer het pad.")
    if path.suffix.lower() in (".dbf", ".shx", ".prj", ".cpg"):
        path = path.with_suffix(".shp")
    gpkg = _is_gpkg(path)
    if path.suffix.lower() == ".shp":
        features, total = iter_shapefile_features(path)
        gpkg = True  # counted in features, like a GeoPackage
    elif gpkg:
        features, total = iter_gpkg_features(path), _gpkg_count(path)
    else:
        features, total = iter_geojson_features(path), path.stat().st_size
    unit = "it" if gpkg else "B"
    result = AreaResult()
    seen: set[str] = set()
    with (
        tqdm(total=total, unit=unit, unit_scale=not gpkg, desc=path.name, disable=not progress) as bar,
        transaction.atomic(using=using),
    ):
        for number, feature, in_rd, read in features:
            props = _derive_codes(feature.get("properties") or {})
            water = _prop(props, "water").upper()
            if water == "JA":
                result.skipped_water += 1
                continue
            if water == "B" or _prop(props, "gemeentecode").upper() == FOREIGN_GEMEENTE:
                result.skipped_foreign += 1  # Belgian territory (Baarle-Hertog), not a Dutch area
                continue
            level, code = _level(props)
            where = f"{path.name}, feature {number}" + (f" ({code})" if code else "")
            if has_nul(props.values()):
                raise ImportFailed(f"{where}: {NUL_MESSAGE}; er is niets opgeslagen.")
            if not level:
                raise ImportFailed(
                    f"{where}: geen buurtcode, wijkcode of gemeentecode in de eigenschappen. "
                    "Gebruik de wijk- en buurtkaart van CBS (GeoJSON); er is niets opgeslagen."
                )
            if not CODE[level].fullmatch(code):
                raise ImportFailed(f"{where}: {code!r} is geen geldige CBS-{level}code; er is niets opgeslagen.")
            boundary = _boundary(feature, in_rd, where)
            if code in seen and boundary is not None:
                boundary = _merge(level, code, boundary, using)
            seen.add(code)
            created = _upsert(level, code, props, boundary, where, using)
            (result.created if created else result.updated)[level] += 1
            bar.update(read - bar.n)
        bar.update((bar.total or 0) - bar.n)
    return result


def _level(props: dict[str, Any]) -> tuple[str, str]:
    for level, key in (("buurt", "buurtcode"), ("wijk", "wijkcode"), ("gemeente", "gemeentecode")):
        code = _prop(props, key)
        if code:
            if level == "buurt" and not code.startswith("BU") and code.startswith(("WK", "GM")):
                continue  # an old "statcode" that names a wijk or gemeente
            return level, code.upper()
    return "", ""


def _boundary(feature: dict[str, Any], in_rd: bool, where: str) -> dict[str, Any] | None:
    geometry = feature.get("geometry")
    if geometry is None:
        return None
    try:
        geom = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed input
        raise ImportFailed(f"{where}: de geometrie is onleesbaar ({exc}); er is niets opgeslagen.") from exc
    if not isinstance(geom, Polygon | MultiPolygon):
        raise ImportFailed(f"{where}: verwacht een (Multi)Polygon, kreeg {geom.geom_type}; er is niets opgeslagen.")
    return _to_wgs84(geom, in_rd)


def _merge(level: str, code: str, boundary: dict[str, Any], using: str) -> dict[str, Any]:
    model: Any = {"gemeente": Gemeente, "wijk": Wijk, "buurt": Buurt}[level]
    existing = model.objects.using(using).filter(code=code).values_list("boundary", flat=True).first()
    if not existing:
        return boundary
    merged = shapely.union(shape(existing), shape(boundary))
    result: dict[str, Any] = json.loads(json.dumps(mapping(merged)))
    return result


def _gemeente(props: dict[str, Any], where: str, using: str) -> Gemeente:
    code = _prop(props, "gemeentecode").upper()
    if not CODE["gemeente"].fullmatch(code):
        raise ImportFailed(f"{where}: gemeentecode {code!r} ontbreekt of is ongeldig; er is niets opgeslagen.")
    name = _prop(props, "gemeentenaam") or code
    gemeente, created = Gemeente.objects.using(using).get_or_create(code=code, defaults={"name": name})
    if not created and name != code and gemeente.name != name:
        gemeente.name = name
        gemeente.save(update_fields=["name"])
    return gemeente


def _upsert(
    level: str, code: str, props: dict[str, Any], boundary: dict[str, Any] | None, where: str, using: str
) -> bool:
    if level == "gemeente":
        name = _prop(props, "gemeentenaam") or code
        _obj, created = Gemeente.objects.using(using).update_or_create(
            code=code, defaults={"name": name, "boundary": boundary}
        )
        return created
    gemeente = _gemeente(props, where, using)
    if level == "wijk":
        name = _prop(props, "wijknaam") or code
        _wijk, created = Wijk.objects.using(using).update_or_create(
            code=code, defaults={"name": name, "gemeente": gemeente, "boundary": boundary}
        )
        return created
    wijk_code = _prop(props, "wijkcode").upper() or "WK" + code[2:8]
    # A buurt may arrive before its wijk: create the wijk with its code as a name for now.
    wijk, _c = Wijk.objects.using(using).get_or_create(
        code=wijk_code, defaults={"name": wijk_code, "gemeente": gemeente}
    )
    name = _prop(props, "buurtnaam") or code
    _buurt, created = Buurt.objects.using(using).update_or_create(
        code=code, defaults={"name": name, "wijk": wijk, "gemeente": gemeente, "boundary": boundary}
    )
    return created


# --- postcode + huisnummer -> buurt ----------------------------------------------------------------

PC6 = re.compile(r"[1-9][0-9]{3}[A-Z]{2}")
PC6_STAGE = "places_pc6hnr_stage"


@dataclass
class Pc6Result:
    read: int = 0
    addresses_updated: int = 0
    rows_without_address: int = 0


def _cbs_code(prefix: str, value: str, width: int) -> str:
    value = value.strip().upper()
    if value.startswith(prefix):
        value = value[len(prefix) :]
    if value.isdigit():
        value = value.zfill(width)  # older editions dropped leading zeros
    return prefix + value


def _csv_rows(path: Path, reader: Any) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as exc:  # e.g. a field larger than csv's limit
        raise ImportFailed(
            f"{path.name}, regel {reader.line_num}: geen geldige CSV ({exc}). Sla het bestand opnieuw op als CSV "
            "met ; als scheidingsteken; er is niets opgeslagen."
        ) from None


def _pc6_rows(path: Path, handle: IO[str]) -> Iterator[list[tuple[str, int, str, str]]]:
    reader = csv.reader(handle, delimiter=";")
    header = [h.strip().lower() for h in next(reader, [])]

    def col(*names: str) -> int:
        # Every edition's spelling: PC6;Huisnummer;Buurt2023;Wijk2023;Gemeente2023, Gem2017 in the
        # 2017 edition, pc;huisnummer;gwb_code;wijkcode;gemeentecode in others: a name, or a name
        # followed by a year.
        for name in names:
            for i, h in enumerate(header):
                if h == name or (h.startswith(name) and h[len(name) :].isdigit()):
                    return i
        raise ImportFailed(
            f"{path.name}, regel 1: kolom {names[0].upper()}... ontbreekt. Verwacht de CBS-kopregel "
            "PC6;Huisnummer;Buurt2023;Wijk2023;Gemeente2023 (of die van een andere editie)."
        )

    i_pc = col("pc6", "pc", "postcode")
    i_nr = col("huisnummer", "huisnr")
    i_bu = col("buurt", "buurtcode", "gwb_code", "bu_code")
    i_gm = col("gemeente", "gemeentecode", "gem", "gm_code")
    batch: list[tuple[str, int, str, str]] = []
    for row in _csv_rows(path, reader):
        if not row:
            continue
        if has_nul(row):
            raise ImportFailed(f"{path.name}, regel {reader.line_num}: {NUL_MESSAGE}; er is niets opgeslagen.")
        try:
            pc = row[i_pc].replace(" ", "").upper()
            nr = int(row[i_nr])
            bu = _cbs_code("BU", row[i_bu], 8)
            gm = _cbs_code("GM", row[i_gm], 4)
        except (IndexError, ValueError):
            raise ImportFailed(
                f"{path.name}, regel {reader.line_num}: verwacht PC6;Huisnummer;Buurt;Wijk;Gemeente met een "
                "geheel huisnummer. Verbeter de regel en importeer opnieuw; er is niets opgeslagen."
            ) from None
        if not PC6.fullmatch(pc) or not CODE["buurt"].fullmatch(bu) or not CODE["gemeente"].fullmatch(gm):
            raise ImportFailed(
                f"{path.name}, regel {reader.line_num}: postcode {pc!r}, buurt {bu!r} of gemeente {gm!r} is "
                "ongeldig. Verbeter de regel en importeer opnieuw; er is niets opgeslagen."
            )
        batch.append((pc, nr, bu, gm))
        if len(batch) >= 50_000:
            yield batch
            batch = []
    if batch:
        yield batch


def import_pc6_huisnummer(path: Path, *, using: str = "default", progress: bool = True) -> Pc6Result:
    """Set buurt codes on addresses from the CBS postcode-huisnummer table; all or nothing.

    A zip (as CBS publishes some editions, the CSV in a subfolder) is read from its CSV member."""
    import tempfile
    import zipfile

    path = Path(path)
    if not path.exists():
        raise ImportFailed(f"{path}: bestand niet gevonden. Controleer het pad.")
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith(".csv") and "__macosx" not in m.lower()]
            if not members:
                raise ImportFailed(f"{path.name}: er staat geen CSV-bestand in het zip-bestand.")
            with tempfile.TemporaryDirectory() as tmp:
                target = Path(tmp) / Path(max(members, key=lambda m: archive.getinfo(m).file_size)).name
                with archive.open(max(members, key=lambda m: archive.getinfo(m).file_size)) as src:
                    target.write_bytes(src.read())
                return import_pc6_huisnummer(target, using=using, progress=progress)
    backend = backend_for(using)
    vendor = connections[using].vendor
    table = Address._meta.db_table
    result = Pc6Result()
    p = "?" if vendor == "sqlite" else "%s"
    backend.execute(f"DROP TABLE IF EXISTS {PC6_STAGE}")
    backend.execute(
        f"CREATE TEMP TABLE {PC6_STAGE} (postcode VARCHAR(6), huisnummer INTEGER, "
        "buurt_code VARCHAR(10), gemeente_code VARCHAR(6))"
    )
    try:
        with (
            tqdm(total=path.stat().st_size, unit="B", unit_scale=True, desc=path.name, disable=not progress) as bar,
            open(path, "rb") as raw,
            io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as handle,
        ):
            backend.begin_staging()
            try:
                for batch in _pc6_rows(path, handle):
                    cursor = backend.raw.cursor()
                    cursor.executemany(f"INSERT INTO {PC6_STAGE} VALUES ({p}, {p}, {p}, {p})", batch)
                    result.read += len(batch)
                    bar.update(min(raw.tell(), bar.total or 0) - bar.n)
            finally:
                backend.end_staging()
        backend.execute(f"CREATE INDEX {PC6_STAGE}_key ON {PC6_STAGE} (postcode, huisnummer)")
        dup = backend.execute(
            f"SELECT postcode, huisnummer FROM {PC6_STAGE} GROUP BY postcode, huisnummer HAVING COUNT(*) > 1 LIMIT 1"
        ).fetchone()
        if dup:
            raise ImportFailed(
                f"{path.name}: postcode {dup[0]} huisnummer {dup[1]} staat er meer dan eens in. "
                "Gebruik het ongewijzigde CBS-bestand; er is niets opgeslagen."
            )
        with transaction.atomic(using=using):
            result.addresses_updated = backend.execute(
                f"UPDATE {table} SET buurt_code = s.buurt_code, "
                f"gemeente_code = CASE WHEN {table}.gemeente_code = '' THEN s.gemeente_code "
                f"ELSE {table}.gemeente_code END "
                f"FROM {PC6_STAGE} s WHERE {table}.postcode = s.postcode AND {table}.huisnummer = s.huisnummer "
                f"AND ({table}.buurt_code <> s.buurt_code OR {table}.gemeente_code = '')"
            ).rowcount
        result.rows_without_address = backend.one(
            f"SELECT COUNT(*) FROM {PC6_STAGE} s WHERE NOT EXISTS (SELECT 1 FROM {table} a "
            "WHERE a.postcode = s.postcode AND a.huisnummer = s.huisnummer)"
        )
    finally:
        backend.execute(f"DROP TABLE IF EXISTS {PC6_STAGE}")
    return result
