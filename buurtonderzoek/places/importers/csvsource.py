"""The address CSV format (docs/address-csv.md): one address per line, a header naming the columns.

Column names are matched case-insensitively and may use the names of a bag-light export
(openbare_ruimte_naam, woonplaats_naam, nummeraanduiding_hoofdadres_identificatie, ...), so an
ogr2ogr CSV of the GeoPackage imports as it is. The delimiter (";", "," or tab) is taken from the
header line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from itertools import repeat
from operator import methodcaller
from pathlib import Path
from typing import IO

import numpy as np

from buurtonderzoek.places.geo import wgs84_to_rd_array
from buurtonderzoek.places.importers.base import (
    NUL_MESSAGE,
    AddressRow,
    ImportFailed,
    assemble,
    finish_batch,
    valid_nummeraanduiding,
)
from buurtonderzoek.places.importers.gpkg import SKIPPED_STATUS_WORDS
from buurtonderzoek.places.models import ObjectType

ALIASES: dict[str, tuple[str, ...]] = {
    "nummeraanduiding_id": ("nummeraanduiding_id", "nummeraanduiding", "nummeraanduiding_hoofdadres_identificatie"),
    "object_id": ("object_id", "identificatie", "adresseerbaar_object_identificatie"),
    "object_type": ("object_type", "soort", "adresseerbaar_object_type"),
    "street": ("straat", "straatnaam", "openbare_ruimte_naam", "street"),
    "huisnummer": ("huisnummer",),
    "huisletter": ("huisletter",),
    "toevoeging": ("toevoeging", "huisnummertoevoeging"),
    "postcode": ("postcode",),
    "woonplaats": ("woonplaats", "woonplaats_naam", "woonplaatsnaam"),
    "gemeente_code": ("gemeentecode", "gemeente_code", "bronhouder_identificatie"),
    "buurt_code": ("buurtcode", "buurt_code"),
    "x": ("x", "rd_x"),
    "y": ("y", "rd_y"),
    "lat": ("lat", "latitude", "breedtegraad"),
    "lon": ("lon", "longitude", "lengtegraad"),
    "status": ("status", "verblijfsobjectstatus", "objectstatus"),
}


def _no_door(status: str) -> bool:
    """The same status filter as the GeoPackage: no door for objects gevormd, ingetrokken..."""
    text = status.lower()
    return any(word in text for word in SKIPPED_STATUS_WORDS)


REQUIRED = ("nummeraanduiding_id", "street", "huisnummer", "woonplaats", "x", "y")
OBJECT_TYPES = {
    "": ObjectType.VERBLIJFSOBJECT.value,
    "v": ObjectType.VERBLIJFSOBJECT.value,
    "vbo": ObjectType.VERBLIJFSOBJECT.value,
    "verblijfsobject": ObjectType.VERBLIJFSOBJECT.value,
    "l": ObjectType.LIGPLAATS.value,
    "lig": ObjectType.LIGPLAATS.value,
    "ligplaats": ObjectType.LIGPLAATS.value,
    "s": ObjectType.STANDPLAATS.value,
    "sta": ObjectType.STANDPLAATS.value,
    "standplaats": ObjectType.STANDPLAATS.value,
}
POSTCODE = re.compile(r"[1-9][0-9]{3}[A-Z]{2}")
BUURTCODE = re.compile(r"BU[0-9A-Z]{8}")
GEMEENTECODE = re.compile(r"GM[0-9]{4}")
WHAT_TO_DO = "Verbeter het bestand en importeer opnieuw; er is niets opgeslagen."
# About 4 MB of text per chunk: some 40,000 lines.
CHUNK_CHARS = 4 << 20


def _fix_postcode(value: str) -> str | None:
    """The stored form of a postcode ("1234 ab" -> "1234AB"), "" for none, None if invalid."""
    if not value or (len(value) == 6 and POSTCODE.fullmatch(value)):
        return value
    fixed = value.replace(" ", "").upper()
    return fixed if POSTCODE.fullmatch(fixed) else None


def _fix_gemeente(value: str) -> str | None:
    if not value:
        return value
    fixed = "GM" + value if len(value) == 4 else value
    return fixed if GEMEENTECODE.fullmatch(fixed) else None


def _fix_buurt(value: str) -> str | None:
    return value if not value or BUURTCODE.fullmatch(value) else None


def _fix_object_type(value: str) -> str | None:
    return OBJECT_TYPES.get(value.lower())


class CsvAddressSource:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.label = self.path.name
        if not self.path.exists():
            raise ImportFailed(f"{self.path}: bestand niet gevonden. Controleer het pad.")
        self.bytes_total = self.path.stat().st_size
        self.bytes_read = 0
        self.rows_total = 0
        self.skipped = 0  # rows whose BAG status is no door (gevormd, ingetrokken, ...)
        try:
            with self._open() as f:
                header_line = f.readline()
        except UnicodeDecodeError as exc:
            raise ImportFailed(
                f"{self.label}: het bestand is niet in UTF-8 ({exc.reason}). "
                "Sla het op als UTF-8 (in Excel: 'CSV UTF-8') en importeer opnieuw; er is niets opgeslagen."
            ) from exc
        self.delimiter = max((";", ",", "\t"), key=header_line.count)
        header = next(csv.reader([header_line], delimiter=self.delimiter))
        self.width = len(header)
        names = {h.strip().lower(): i for i, h in enumerate(header)}
        self.index: dict[str, int] = {}
        for column, aliases in ALIASES.items():
            found = next((names[a] for a in aliases if a in names), None)
            if found is not None:
                self.index[column] = found
        missing = [c for c in REQUIRED if c not in self.index]
        if "x" in missing and "y" in missing and "lat" in self.index and "lon" in self.index:
            missing = [c for c in missing if c not in ("x", "y")]
        if missing:
            wanted = ", ".join(ALIASES[c][0] for c in missing)
            raise ImportFailed(
                f"{self.label}, regel 1: kolom {wanted} ontbreekt in de kopregel. "
                "Zie docs/address-csv.md voor de kolommen die nodig zijn."
            )
        self.provides = frozenset(c for c in self.index if c != "status") | {"x", "y", "lat", "lon", "grid_x"}

    def _open(self) -> IO[str]:
        # utf-8-sig: Excel puts a byte order mark in front of the header.
        return open(self.path, encoding="utf-8-sig", newline="")

    def batches(self) -> Iterator[list[AddressRow]]:
        raw = open(self.path, "rb")  # noqa: SIM115 (closed below; the text wrapper reads through it)
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        line_no = 1
        try:
            text.readline()  # the header, checked in __init__
            while True:
                lines = text.readlines(CHUNK_CHARS)
                if not lines:
                    break
                # A quoted field may hold a line break: read on until the quotes pair up.
                while "".join(lines).count('"') % 2:
                    more = text.readline()
                    if not more:
                        break
                    lines.append(more)
                for offset, line in enumerate(lines):
                    if "\x00" in line:
                        # PostgreSQL cannot store it and no address holds one: a damaged or binary file.
                        raise self._fout(line_no + 1 + offset, NUL_MESSAGE)
                rows = self._fast(lines, line_no + 1)
                if rows is None:
                    rows = self._slow(lines, line_no + 1)
                line_no += len(lines)
                self.bytes_read = raw.tell()
                if rows:
                    yield rows
            self.bytes_read = self.bytes_total
        except UnicodeDecodeError as exc:
            raise ImportFailed(
                f"{self.label}, rond regel {line_no + 1}: het bestand is niet in UTF-8 ({exc.reason}). "
                "Sla het op als UTF-8 (in Excel: 'CSV UTF-8') en importeer opnieuw; er is niets opgeslagen."
            ) from exc
        finally:
            text.close()

    def _fast(self, lines: list[str], first_line: int) -> list[AddressRow] | None:
        """The common case, column by column in C: no quotes, every line the same number of fields.

        Returns None whenever anything is unusual or wrong; the row-by-row path then handles the
        chunk and names the line.
        """
        sep = self.delimiter
        joined = "".join(lines)
        if '"' in joined:
            return None
        if "\r" in joined:
            joined = joined.replace("\r", "")
            lines = joined.splitlines(keepends=True)
        if set(map(methodcaller("count", sep), lines)) != {self.width - 1}:
            return None  # blank lines, short or long lines
        n = len(lines)
        if not joined.endswith("\n"):
            joined += "\n"
        flat = joined.replace("\n", sep).split(sep)
        w = self.width
        ix = self.index

        def col(name: str) -> list[str]:
            return flat[ix[name] : n * w : w]

        def optional(name: str) -> Iterable[str]:
            return col(name) if name in ix else repeat("")

        if "status" in ix and any(_no_door(status) for status in set(col("status"))):
            return None  # the row-by-row path leaves those rows out
        nid = col("nummeraanduiding_id")
        if set(map(len, nid)) != {16} or not "".join(nid).isdigit():
            return None
        street, woonplaats = col("street"), col("woonplaats")
        for values in (street, woonplaats):
            lengths = set(map(len, values))
            if min(lengths) < 1 or max(lengths) > 80:
                return None
        try:
            huisnummer = list(map(int, col("huisnummer")))
        except ValueError:
            return None
        if min(huisnummer) < 1 or max(huisnummer) > 99_999:
            return None
        letter, toev = optional("huisletter"), optional("toevoeging")
        if "huisletter" in ix and max(map(len, letter)) > 1:
            return None
        if "toevoeging" in ix and max(map(len, toev)) > 4:
            return None
        columns = {"postcode": optional("postcode"), "gemeente_code": optional("gemeente_code")}
        columns["buurt_code"] = optional("buurt_code")
        columns["object_type"] = optional("object_type") if "object_type" in ix else repeat("V")
        for name, fix in (
            ("postcode", _fix_postcode),
            ("gemeente_code", _fix_gemeente),
            ("buurt_code", _fix_buurt),
            ("object_type", _fix_object_type),
        ):
            if name not in ix:
                continue
            present = columns[name]
            mapping = {}
            for value in set(present):
                fixed = fix(value)
                if fixed is None:
                    return None
                if fixed != value:
                    mapping[value] = fixed
            if mapping:
                columns[name] = [mapping.get(v, v) for v in present]
        try:
            if "x" in ix and "y" in ix:
                ax = np.array(col("x"), dtype=np.float64)
                ay = np.array(col("y"), dtype=np.float64)
            glat = np.array(col("lat"), dtype=np.float64) if "lat" in ix else None
            glon = np.array(col("lon"), dtype=np.float64) if "lon" in ix else None
        except ValueError:
            return None
        if "x" not in ix or "y" not in ix:
            assert glat is not None and glon is not None  # __init__ demands x/y or lat/lon
            ax, ay = wgs84_to_rd_array(glat, glon)
        ordered = [
            nid,
            optional("object_id"),
            columns["object_type"],
            street,
            huisnummer,
            letter,
            toev,
            columns["postcode"],
            woonplaats,
            columns["gemeente_code"],
            columns["buurt_code"],
        ]
        try:
            return assemble(ordered, ax, ay, glat, glon)
        except ImportFailed as exc:
            raise self._fout(first_line + (exc.index or 0), str(exc)) from exc

    def _slow(self, lines: list[str], first_line: int) -> list[AddressRow]:
        """Row by row, with a precise message for the first bad line."""
        reader = csv.reader(lines, delimiter=self.delimiter)
        ix = self.index
        i_nid, i_street, i_hnr, i_wpl = ix["nummeraanduiding_id"], ix["street"], ix["huisnummer"], ix["woonplaats"]
        i_oid = ix.get("object_id")
        i_type = ix.get("object_type")
        i_letter = ix.get("huisletter")
        i_toev = ix.get("toevoeging")
        i_pc = ix.get("postcode")
        i_gm = ix.get("gemeente_code")
        i_bu = ix.get("buurt_code")
        i_x, i_y = ix.get("x"), ix.get("y")
        i_lat, i_lon = ix.get("lat"), ix.get("lon")
        i_status = ix.get("status")
        has_xy = i_x is not None and i_y is not None
        has_ll = i_lat is not None and i_lon is not None
        partial: list[tuple[object, ...]] = []
        numbers: list[int] = []
        xs: list[float] = []
        ys: list[float] = []
        lats: list[float] = []
        lons: list[float] = []
        try:
            for row in reader:
                line = first_line - 1 + reader.line_num
                if not row or row == [""]:
                    continue
                if i_status is not None and i_status < len(row) and _no_door(row[i_status]):
                    self.skipped += 1
                    continue
                try:
                    nid = row[i_nid]
                    street = row[i_street]
                    hnr = int(row[i_hnr])
                    woonplaats = row[i_wpl]
                    letter = row[i_letter] if i_letter is not None else ""
                    toev = row[i_toev] if i_toev is not None else ""
                    postcode = _fix_postcode(row[i_pc]) if i_pc is not None else ""
                    gm = _fix_gemeente(row[i_gm]) if i_gm is not None else ""
                    bu = _fix_buurt(row[i_bu]) if i_bu is not None else ""
                    otype = _fix_object_type(row[i_type]) if i_type is not None else "V"
                    if has_xy:
                        xs.append(float(row[i_x]))  # type: ignore[index]
                        ys.append(float(row[i_y]))  # type: ignore[index]
                    if has_ll:
                        lats.append(float(row[i_lat]))  # type: ignore[index]
                        lons.append(float(row[i_lon]))  # type: ignore[index]
                except (ValueError, IndexError):
                    raise self._explain(row, line) from None
                if postcode is None:
                    raise self._fout(line, f"postcode {row[i_pc]!r} is geen postcode als 1234AB")  # type: ignore[index]
                if (
                    not valid_nummeraanduiding(nid)
                    or not 0 < len(street) <= 80
                    or not 0 < len(woonplaats) <= 80
                    or not 0 < hnr < 100_000
                    or len(letter) > 1
                    or len(toev) > 4
                    or gm is None
                    or bu is None
                    or otype is None
                ):
                    raise self._explain(row, line)
                oid = row[i_oid] if i_oid is not None else ""
                partial.append((nid, oid, otype, street, hnr, letter, toev, postcode, woonplaats, gm, bu))
                numbers.append(line)
        except csv.Error as exc:
            raise self._fout(first_line - 1 + reader.line_num, f"de regel is geen geldige CSV ({exc})") from exc
        if not partial:
            return []
        return self._finish(partial, numbers, xs, ys, lats, lons)

    def _finish(
        self,
        partial: list[tuple[object, ...]],
        lines: list[int],
        xs: list[float],
        ys: list[float],
        lats: list[float],
        lons: list[float],
    ) -> list[AddressRow]:
        if not xs:
            # Only lat/lon in the file: RD follows from them.
            ax, ay = wgs84_to_rd_array(np.asarray(lats, dtype=np.float64), np.asarray(lons, dtype=np.float64))
            xs, ys = ax.tolist(), ay.tolist()
        try:
            return finish_batch(partial, xs, ys, lats or None, lons or None)
        except ImportFailed as exc:
            raise self._fout(lines[exc.index or 0], str(exc)) from exc

    def _fout(self, line: int, what: str) -> ImportFailed:
        return ImportFailed(f"{self.label}, regel {line}: {what}. {WHAT_TO_DO}")

    def _explain(self, row: list[str], line: int) -> ImportFailed:
        """Find the first thing wrong with a row that failed the fast checks."""
        expected = max(self.index.values()) + 1
        if len(row) < expected:
            return self._fout(
                line, f"{len(row)} kolommen, er zijn er minstens {expected} nodig (scheidingsteken '{self.delimiter}')"
            )
        ix = self.index
        nid = row[ix["nummeraanduiding_id"]]
        if not valid_nummeraanduiding(nid):
            return self._fout(line, f"nummeraanduiding_id {nid!r} is geen BAG-id van 16 cijfers")
        hnr = row[ix["huisnummer"]]
        if not hnr.isdigit() or not 0 < int(hnr) < 100_000:
            return self._fout(line, f"huisnummer {hnr!r} is geen geheel getal van 1 tot 99999")
        for column, limit in (("street", 80), ("woonplaats", 80)):
            value = row[ix[column]]
            if not value or len(value) > limit:
                name = ALIASES[column][0]
                return self._fout(line, f"{name} is leeg of langer dan {limit} tekens")
        for column, limit in (("huisletter", 1), ("toevoeging", 4)):
            if column in ix and len(row[ix[column]]) > limit:
                return self._fout(line, f"{column} {row[ix[column]]!r} is langer dan {limit} teken(s)")
        if "object_type" in ix and row[ix["object_type"]].lower() not in OBJECT_TYPES:
            return self._fout(
                line, f"object_type {row[ix['object_type']]!r} is niet verblijfsobject, ligplaats of standplaats"
            )
        if "gemeente_code" in ix:
            gm = row[ix["gemeente_code"]]
            if gm and not GEMEENTECODE.fullmatch(gm if len(gm) != 4 else "GM" + gm):
                return self._fout(line, f"gemeentecode {gm!r} is geen CBS-code als GM0363")
        if "buurt_code" in ix:
            bu = row[ix["buurt_code"]]
            if bu and not BUURTCODE.fullmatch(bu):
                return self._fout(line, f"buurtcode {bu!r} is geen CBS-code als BU03630000")
        for column in ("x", "y", "lat", "lon"):
            if column in ix:
                value = row[ix[column]]
                try:
                    float(value)
                except ValueError:
                    return self._fout(line, f"{column} {value!r} is geen getal (gebruik een punt als decimaalteken)")
        return self._fout(line, "de regel is ongeldig")

    def locate(self, nummeraanduiding_id: str) -> list[str]:
        found = []
        with self._open() as f:
            reader = csv.reader(f, delimiter=self.delimiter)
            i = self.index["nummeraanduiding_id"]
            for row in reader:
                if len(row) > i and row[i] == nummeraanduiding_id:
                    found.append(f"regel {reader.line_num}")
        return found
