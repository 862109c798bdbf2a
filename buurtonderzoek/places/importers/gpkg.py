"""Reading (and, for fixtures and the national generator, writing) PDOK's BAG GeoPackage.

The "bag-light" GeoPackage has one table per BAG object type. The addressable ones are
`verblijfsobject` (a point), `ligplaats` and `standplaats` (polygons; we use the centroid). Each
row carries its hoofdadres flattened onto it: `nummeraanduiding_hoofdadres_identificatie`,
`openbare_ruimte_naam`, `huisnummer`, `huisletter`, `toevoeging`, `postcode`, `woonplaats_naam`,
and `bronhouder_identificatie` (the gemeente's four digits). Geometries are GeoPackage binary:
"GP", version, flags, srs_id, an optional envelope, then standard WKB, in RD New (EPSG:28992).

We read it with the standard sqlite3 module, one layer after another, in primary-key order.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterable, Iterator
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from buurtonderzoek.places.importers.base import (
    BATCH_SIZE,
    COLUMNS,
    AddressRow,
    ImportFailed,
    assemble,
    finish_batch,
    valid_nummeraanduiding,
)
from buurtonderzoek.places.models import ObjectType

LAYERS = (
    ("verblijfsobject", ObjectType.VERBLIJFSOBJECT),
    ("ligplaats", ObjectType.LIGPLAATS),
    ("standplaats", ObjectType.STANDPLAATS),
)
# The columns of the addressable layers as PDOK publishes them (verblijfsobject has a few more:
# oppervlakte, gebruiksdoel, bouwjaar, pand_identificatie, pandstatus).
ADDRESS_COLUMNS = (
    "rdf_seealso",
    "identificatie",
    "status",
    "openbare_ruimte_naam",
    "openbare_ruimte_naam_kort",
    "huisnummer",
    "huisletter",
    "toevoeging",
    "postcode",
    "woonplaats_naam",
    "nummeraanduiding_hoofdadres_identificatie",
    "openbare_ruimte_identificatie",
    "woonplaats_identificatie",
    "bronhouder_identificatie",
)
VBO_EXTRA_COLUMNS = ("oppervlakte", "gebruiksdoel", "bouwjaar", "pand_identificatie", "pandstatus")
# Objects that no longer (or never did) exist get no front door to knock on; nor do objects that are
# only "gevormd" (planned, a permit given, not built yet: "Verblijfsobject gevormd").
SKIPPED_STATUS_WORDS = ("ingetrokken", "ten onrechte", "niet gerealiseerd", "gevormd")


def _status_rank(status: str | None) -> int:
    """Which of two objects sharing one nummeraanduiding is the real door: lower is better."""
    text = (status or "").lower()
    if "in gebruik" in text or "aangewezen" in text:
        return 0
    if "verbouwing" in text:
        return 1
    return 2


_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
# The common point: 8-byte header without envelope, little-endian 2D WKB point; 29 bytes.
POINT_RECORD = np.dtype(
    [
        ("magic", "S2"),
        ("version", "u1"),
        ("flags", "u1"),
        ("srs", "<i4"),
        ("order", "u1"),
        ("type", "<u4"),
        ("x", "<f8"),
        ("y", "<f8"),
    ]
)


def _blank(values: list[Any]) -> list[Any]:
    return [v or "" for v in values] if None in set(values) else values


class GeometryError(ValueError):
    pass


def _wkb_offset(blob: bytes) -> int:
    if len(blob) < 8 or blob[0:2] != b"GP":
        raise GeometryError("geen GeoPackage-geometrie (de 'GP'-kop ontbreekt)")
    flags = blob[3]
    if flags & 0b10000:
        raise GeometryError("lege geometrie")
    envelope = (flags >> 1) & 0b111
    if envelope not in _ENVELOPE_BYTES:
        raise GeometryError(f"onbekend envelope-type {envelope}")
    return 8 + _ENVELOPE_BYTES[envelope]


def point_xy(blob: bytes) -> tuple[float, float]:
    """x, y of a GeoPackage point, without shapely: this runs ten million times."""
    off = _wkb_offset(blob)
    order = "<" if blob[off] == 1 else ">"
    (gtype,) = struct.unpack_from(order + "I", blob, off + 1)
    # ISO WKB (1, 1001, 2001, 3001) and EWKB-style flag bits both mean "point".
    if (gtype & 0xFFFF) % 1000 != 1:
        raise GeometryError(f"verwacht een punt, kreeg WKB-type {gtype}")
    x, y = struct.unpack_from(order + "dd", blob, off + 5)
    return x, y


def centroid_xy(blob: bytes) -> tuple[float, float]:
    """Centroid of any GeoPackage geometry (ligplaats and standplaats are polygons)."""
    off = _wkb_offset(blob)
    try:
        geom = shapely.from_wkb(blob[off:])
    except Exception as exc:  # shapely raises its own GEOS error types
        raise GeometryError(f"onleesbare WKB ({exc})") from exc
    if geom.is_empty:
        raise GeometryError("lege geometrie")
    c = geom.centroid
    return float(c.x), float(c.y)


def encode_point(x: float, y: float, *, srs_id: int = 28992, envelope: bool = False) -> bytes:
    flags = 0b1 | (0b10 if envelope else 0)
    head = b"GP" + bytes([0, flags]) + struct.pack("<i", srs_id)
    env = struct.pack("<dddd", x, x, y, y) if envelope else b""
    return head + env + struct.pack("<BIdd", 1, 1, x, y)


def encode_polygon(rings: list[list[tuple[float, float]]], *, srs_id: int = 28992) -> bytes:
    xs = [p[0] for r in rings for p in r]
    ys = [p[1] for r in rings for p in r]
    head = b"GP" + bytes([0, 0b11]) + struct.pack("<i", srs_id)
    head += struct.pack("<dddd", min(xs), max(xs), min(ys), max(ys))
    body = struct.pack("<BII", 1, 3, len(rings))
    for ring in rings:
        body += struct.pack("<I", len(ring))
        for x, y in ring:
            body += struct.pack("<dd", x, y)
    return head + body


def create_bag_light(path: Path) -> sqlite3.Connection:
    """An empty GeoPackage with the tables and columns of PDOK's bag-light (addressable layers)."""
    con = sqlite3.connect(path)
    con.executescript(
        """
        PRAGMA application_id = 1196444487;  -- 'GPKG'
        PRAGMA user_version = 10300;
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
          organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
          description TEXT);
        INSERT INTO gpkg_spatial_ref_sys VALUES ('Amersfoort / RD New', 28992, 'EPSG', 28992, 'undefined', NULL);
        CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
          identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME, min_x DOUBLE,
          min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
        CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
          geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
          CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name));
        """
    )
    for layer, _otype in LAYERS:
        extra = VBO_EXTRA_COLUMNS if layer == "verblijfsobject" else ()
        columns = ", ".join(
            f'"{c}" {"INTEGER" if c in ("huisnummer", "oppervlakte", "bouwjaar") else "TEXT"}'
            for c in (*ADDRESS_COLUMNS, *extra)
        )
        gtype = "POINT" if layer == "verblijfsobject" else "POLYGON"
        con.execute(
            f'CREATE TABLE "{layer}" ("feature_id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, '
            f'"geom" {gtype}, {columns})'
        )
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES (?, 'features', ?, 28992)",
            (layer, layer),
        )
        con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 28992, 0, 0)", (layer, gtype))
    con.commit()
    return con


class GpkgAddressSource:
    """Addresses from a bag-light GeoPackage, in batches of canonical rows."""

    provides = frozenset(c for c in COLUMNS if c != "buurt_code")

    def __init__(self, path: Path, *, area: Any = None) -> None:
        """`area`: a shapely (Multi)Polygon in RD New; only addresses inside it are read (a
        per-gemeente load, its border widened by a margin)."""
        self.path = Path(path)
        self.area = area
        if area is not None:
            shapely.prepare(area)  # millions of point-in-polygon tests
        self.outside = 0
        self.label = self.path.name
        self.bytes_total = 0
        self.bytes_read = 0
        self.rows_total = 0
        self.skipped = 0
        # (nummeraanduiding, kept "laag x, feature y (status)", dropped ones): one address on two
        # objects, which real BAG data has; the load keeps the one in use and reports the pair.
        self.duplicates: list[tuple[str, str, list[str]]] = []
        self._dropped: set[tuple[str, Any]] = set()
        self._check()
        self._resolve_duplicates()

    def _connect(self) -> sqlite3.Connection:
        # Read-only and immutable: never touch (or lock) the file we import from.
        return sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True)

    def _check(self) -> None:
        if not self.path.exists():
            raise ImportFailed(f"{self.path}: bestand niet gevonden. Controleer het pad.")
        try:
            con = self._connect()
            tables = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
        except sqlite3.DatabaseError as exc:
            raise ImportFailed(
                f"{self.label}: dit is geen GeoPackage ({exc}). Download bag-light.gpkg opnieuw van PDOK."
            ) from exc
        missing = [layer for layer, _t in LAYERS if layer not in tables]
        if missing:
            raise ImportFailed(
                f"{self.label}: laag {', '.join(missing)} ontbreekt. Gebruik de BAG GeoPackage "
                "(bag-light.gpkg) van PDOK, met de lagen verblijfsobject, ligplaats en standplaats."
            )
        self._layers: list[tuple[str, str, str, str]] = []
        for layer, otype in LAYERS:
            info = {r[1]: r for r in con.execute(f'PRAGMA table_info("{layer}")')}
            need = {"identificatie", "nummeraanduiding_hoofdadres_identificatie", "huisnummer", "openbare_ruimte_naam"}
            lacking = sorted(need - set(info))
            if lacking:
                raise ImportFailed(
                    f"{self.label}, laag {layer}: kolom {', '.join(lacking)} ontbreekt. "
                    "Is dit wel de bag-light GeoPackage van PDOK?"
                )
            pk = next((name for name, r in info.items() if r[5] == 1), "rowid")
            geom = con.execute(
                "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)
            ).fetchone()
            self._layers.append((layer, str(otype), pk, geom[0] if geom else "geom"))
            self.rows_total += con.execute(f'SELECT COUNT(*) FROM "{layer}"').fetchone()[0]
        con.close()

    def _resolve_duplicates(self) -> None:
        con = self._connect()
        try:
            union = " UNION ALL ".join(
                f'SELECT nummeraanduiding_hoofdadres_identificatie AS n, status FROM "{layer}"'
                for layer, _o, _pk, _g in self._layers
            )
            skip = " AND ".join(f"lower(coalesce(status, '')) NOT LIKE '%{w}%'" for w in SKIPPED_STATUS_WORDS)
            ids = [n for (n,) in con.execute(f"SELECT n FROM ({union}) WHERE {skip} GROUP BY n HAVING COUNT(*) > 1")]
            for nid in ids:
                candidates = []
                for layer, _otype, pk, _geom in self._layers:
                    for fid, status, oid in con.execute(
                        f'SELECT "{pk}", status, identificatie FROM "{layer}" '
                        "WHERE nummeraanduiding_hoofdadres_identificatie = ?",
                        (nid,),
                    ):
                        if status and any(w in status.lower() for w in SKIPPED_STATUS_WORDS):
                            continue
                        candidates.append((_status_rank(status), str(oid or ""), layer, fid, status or "?"))
                # In use wins; between equals the newest object (the highest BAG id).
                candidates.sort(key=lambda c: (c[0], [-ord(ch) for ch in c[1]]))
                kept, *dropped = candidates
                for _rank, _oid, layer, fid, _status in dropped:
                    self._dropped.add((layer, fid))
                self.duplicates.append(
                    (
                        str(nid),
                        f"laag {kept[2]}, feature {kept[3]} ({kept[4]})",
                        [f"laag {d[2]}, feature {d[3]} ({d[4]})" for d in dropped],
                    )
                )
        finally:
            con.close()

    def batches(self) -> Iterator[list[AddressRow]]:
        con = self._connect()
        try:
            for layer, otype, pk, geom_col in self._layers:
                yield from self._layer_batches(con, layer, otype, pk, geom_col)
        finally:
            con.close()

    def _layer_batches(
        self, con: sqlite3.Connection, layer: str, otype: str, pk: str, geom_col: str
    ) -> Iterator[list[AddressRow]]:
        cursor = con.execute(
            f'SELECT "{pk}", "{geom_col}", nummeraanduiding_hoofdadres_identificatie, identificatie, '
            "openbare_ruimte_naam, huisnummer, huisletter, toevoeging, postcode, woonplaats_naam, "
            f'bronhouder_identificatie, status FROM "{layer}" ORDER BY "{pk}"'
        )
        while True:
            fetched = cursor.fetchmany(BATCH_SIZE)
            if not fetched:
                return
            if self._dropped:
                before = len(fetched)
                fetched = [row for row in fetched if (layer, row[0]) not in self._dropped]
                self.skipped += before - len(fetched)
                if not fetched:
                    continue
            rows = self._fast(fetched, layer, otype)
            if rows is None:
                rows = self._slow(fetched, layer, otype)
            yield self._inside(rows) if self.area is not None else rows

    def _inside(self, rows: list[AddressRow]) -> list[AddressRow]:
        if not rows:
            return rows
        x, y = COLUMNS.index("x"), COLUMNS.index("y")
        xs = np.fromiter((r[x] for r in rows), dtype=np.float64, count=len(rows))
        ys = np.fromiter((r[y] for r in rows), dtype=np.float64, count=len(rows))
        inside = shapely.contains_xy(self.area, xs, ys)
        self.outside += len(rows) - int(inside.sum())
        return [row for row, keep in zip(rows, inside, strict=True) if keep]

    def _fast(self, fetched: list[tuple[Any, ...]], layer: str, otype: str) -> list[AddressRow] | None:
        """Column by column: the usual, clean batch. None sends the batch to the row-by-row path."""
        fids, blobs, nids, oids, streets, hnrs, letters, toevs, postcodes, woonplaatsen, brons, statuses = (
            list(c) for c in zip(*fetched, strict=True)
        )
        skip = {st for st in set(statuses) if st and any(w in st.lower() for w in SKIPPED_STATUS_WORDS)}
        if skip:
            keep = [i for i, st in enumerate(statuses) if st not in skip]
            self.skipped += len(statuses) - len(keep)
            if not keep:
                return []
            columns = [fids, blobs, nids, oids, streets, hnrs, letters, toevs, postcodes, woonplaatsen, brons]
            fids, blobs, nids, oids, streets, hnrs, letters, toevs, postcodes, woonplaatsen, brons = (
                [c[i] for i in keep] for c in columns
            )
        if otype != ObjectType.VERBLIJFSOBJECT or set(map(type, blobs)) != {bytes} or set(map(len, blobs)) != {29}:
            return None  # polygons, envelopes, 3D points, gaps: row by row
        points = np.frombuffer(b"".join(blobs), dtype=POINT_RECORD)
        if not (
            (points["magic"] == b"GP").all()
            and (points["flags"] == 1).all()
            and (points["order"] == 1).all()
            and (points["type"] == 1).all()
        ):
            return None
        if set(map(type, nids)) != {str} or set(map(len, nids)) != {16} or not "".join(nids).isdigit():
            return None
        for names in (streets, woonplaatsen):
            if set(map(type, names)) != {str} or min(map(len, names)) < 1 or max(map(len, names)) > 80:
                return None
        if set(map(type, hnrs)) != {int} or min(hnrs) < 1 or max(hnrs) > 99_999:
            return None
        letters, toevs, oids = _blank(letters), _blank(toevs), _blank(oids)
        if max(map(len, letters)) > 1 or max(map(len, toevs)) > 4:
            return None
        codes = {p: (p or "").replace(" ", "").upper() for p in set(postcodes)}
        gemeenten = {b: f"GM{b}" if b and len(b) == 4 else (b or "") for b in set(brons)}
        ordered: list[Iterable[Any]] = [
            nids,
            oids,
            repeat(otype),
            streets,
            hnrs,
            letters,
            toevs,
            list(map(codes.__getitem__, postcodes)),
            woonplaatsen,
            list(map(gemeenten.__getitem__, brons)),
            repeat(""),
        ]
        try:
            return assemble(ordered, points["x"].astype(np.float64), points["y"].astype(np.float64))
        except ImportFailed as exc:
            raise self._fout(layer, fids[exc.index or 0], str(exc)) from exc

    def _slow(self, fetched: list[tuple[Any, ...]], layer: str, otype: str) -> list[AddressRow]:
        to_xy = point_xy if otype == ObjectType.VERBLIJFSOBJECT else centroid_xy
        partial: list[tuple[Any, ...]] = []
        fids: list[Any] = []
        xs: list[float] = []
        ys: list[float] = []
        for fid, blob, nid, oid, street, hnr, letter, toev, postcode, woonplaats, bron, status in fetched:
            if status and any(w in status.lower() for w in SKIPPED_STATUS_WORDS):
                self.skipped += 1
                continue
            if isinstance(hnr, str) and hnr.strip().isdigit():
                hnr = int(hnr)  # some exports store the huisnummer as text
            elif isinstance(hnr, float) and hnr.is_integer():
                hnr = int(hnr)
            try:
                x, y = to_xy(blob)
            except (GeometryError, TypeError, struct.error) as exc:
                raise self._fout(layer, fid, f"geometrie onbruikbaar: {exc}") from exc
            if not (nid and valid_nummeraanduiding(nid)):
                raise self._fout(layer, fid, f"nummeraanduiding {nid!r} is geen BAG-id van 16 cijfers")
            if not street or not woonplaats or not isinstance(hnr, int) or not 0 < hnr < 100_000:
                raise self._fout(layer, fid, "straat, huisnummer of woonplaats ontbreekt of is ongeldig")
            letter = letter or ""
            toev = toev or ""
            if len(letter) > 1 or len(toev) > 4:
                raise self._fout(layer, fid, f"huisletter {letter!r} of toevoeging {toev!r} is te lang")
            partial.append(
                (
                    nid,
                    oid or "",
                    otype,
                    street[:80],
                    hnr,
                    letter,
                    toev,
                    (postcode or "").replace(" ", "").upper(),
                    woonplaats[:80],
                    f"GM{bron}" if bron and len(bron) == 4 else (bron or ""),
                    "",
                )
            )
            fids.append(fid)
            xs.append(x)
            ys.append(y)
        try:
            return finish_batch(partial, xs, ys)
        except ImportFailed as exc:
            raise self._fout(layer, fids[exc.index or 0], str(exc)) from exc

    def _fout(self, layer: str, fid: Any, what: str) -> ImportFailed:
        return ImportFailed(
            f"{self.label}, laag {layer}, feature {fid}: {what}. "
            "Controleer of het bestand volledig gedownload is en importeer opnieuw; er is niets opgeslagen."
        )

    def locate(self, nummeraanduiding_id: str) -> list[str]:
        """Where an id occurs, for the message about a duplicate."""
        con = self._connect()
        found = []
        try:
            for layer, _otype, pk, _geom in self._layers:
                for (fid,) in con.execute(
                    f'SELECT "{pk}" FROM "{layer}" WHERE nummeraanduiding_hoofdadres_identificatie = ?',
                    (nummeraanduiding_id,),
                ):
                    found.append(f"laag {layer}, feature {fid}")
        finally:
            con.close()
        return found
