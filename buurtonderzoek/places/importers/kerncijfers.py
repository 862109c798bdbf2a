"""CBS "Kerncijfers wijken en buurten" per buurt: population by sex and age group, households, dwellings.

CBS publishes the table in two shapes, both read here as published (semicolon-separated, "." for a
figure that is unknown or kept secret, also -99999999 in some editions):

- the kwb file (kwb-2023.csv, converted from kwb-2023.xlsx): `gwb_code_10;gwb_code_8;regio;gm_naam;recs;
  gwb_code;ind_wbi;a_inw;a_man;a_vrouw;a_00_14;a_15_24;a_25_44;a_45_64;a_65_oo;...;a_hh;...;a_woning;...`
  with `recs` = Land/Gemeente/Wijk/Buurt;
- StatLine's "CSV met statistische symbolen" (table 85984NED and its yearly siblings):
  `ID;WijkenEnBuurten;Gemeentenaam_1;SoortRegio_2;Codering_3;...;AantalInwoners_5;Mannen_6;Vrouwen_7;
  k_0Tot15Jaar_8;k_15Tot25Jaar_9;k_25Tot45Jaar_10;k_45Tot65Jaar_11;k_65JaarOfOuder_12;...;
  HuishoudensTotaal_28;...;Woningvoorraad_34;...` (the numeric suffixes change between years, so
  they are ignored).

Only buurt rows are used; buurten not loaded (import_cbs_wijkbuurt) are counted and skipped. All or
nothing: a bad value stops the import with the line number and nothing is written. Re-running
replaces a buurt's figures (idempotent).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.db import transaction
from tqdm import tqdm

from buurtonderzoek.places.importers.base import NUL_MESSAGE, ImportFailed, has_nul
from buurtonderzoek.places.models import Buurt, BuurtPopulation

# Our field -> the column names CBS uses for it (kwb file, StatLine without the _N suffix).
COLUMNS = {
    "inhabitants": ("a_inw", "aantalinwoners"),
    "men": ("a_man", "mannen"),
    "women": ("a_vrouw", "vrouwen"),
    "age_0_14": ("a_00_14", "k_0tot15jaar"),
    "age_15_24": ("a_15_24", "k_15tot25jaar"),
    "age_25_44": ("a_25_44", "k_25tot45jaar"),
    "age_45_64": ("a_45_64", "k_45tot65jaar"),
    "age_65_plus": ("a_65_oo", "k_65jaarofouder"),
    "households": ("a_hh", "huishoudenstotaal"),
    "dwellings": ("a_woning", "woningvoorraad"),
}
CODE_COLUMNS = ("gwb_code_10", "gwb_code", "codering")
KIND_COLUMNS = ("recs", "soortregio")
MISSING = {"", ".", "x", "-99999999", "-99999997"}
SUFFIX = re.compile(r"_\d+$")


@dataclass
class KerncijfersResult:
    read: int = 0
    buurten: int = 0
    unknown_buurten: int = 0
    year: int = 0


def _header(raw: list[str]) -> tuple[list[str], list[str]]:
    """The column names as given (kwb: a_00_14) and without StatLine's _N suffix (Mannen_6 -> mannen)."""
    names = [h.strip().strip('"').lower() for h in raw]
    return names, [SUFFIX.sub("", h) for h in names]


def _number(value: str, where: str, column: str) -> int | None:
    text = value.strip().replace(" ", "")
    if text in MISSING:
        return None
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise ImportFailed(
            f"{where}: kolom {column} heeft de waarde {value!r}, verwacht een getal of '.'. "
            "Gebruik het bestand zoals CBS het publiceert; er is niets opgeslagen."
        ) from None
    if number < 0 or number != int(number):
        raise ImportFailed(
            f"{where}: kolom {column} heeft de waarde {value!r}, verwacht een aantal; er is niets opgeslagen."
        )
    return int(number)


def _open(path: Path) -> IO[str]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")  # older kwb files converted from Excel
    return io.StringIO(text, newline="")


def import_kerncijfers(path: Path, *, year: int, progress: bool = True) -> KerncijfersResult:
    path = Path(path)
    if not path.exists():
        raise ImportFailed(f"{path}: bestand niet gevonden. Controleer het pad.")
    handle = _open(path)
    reader = csv.reader(handle, delimiter=";")
    header, stripped = _header(next(reader, []))

    def find(names: tuple[str, ...], what: str) -> int:
        for name in names:
            for columns in (header, stripped):
                if name in columns:
                    return columns.index(name)
        raise ImportFailed(
            f"{path.name}, regel 1: kolom {what} ontbreekt ({' of '.join(names)}). Verwacht het CBS-bestand "
            "'Kerncijfers wijken en buurten' (kwb-JJJJ.csv of de StatLine-CSV met statistische symbolen)."
        )

    i_code = find(CODE_COLUMNS, "met de gebiedscode")
    i_kind = next((stripped.index(k) for k in KIND_COLUMNS if k in stripped), None)
    indexes = {field: find(names, names[0]) for field, names in COLUMNS.items()}
    rows: dict[str, dict[str, int | None]] = {}
    result = KerncijfersResult(year=year)
    for row in tqdm(reader, desc=path.name, unit=" regels", disable=not progress):
        if not row or not any(cell.strip() for cell in row):
            continue
        where = f"{path.name}, regel {reader.line_num}"
        if has_nul(row):
            raise ImportFailed(f"{where}: {NUL_MESSAGE}; er is niets opgeslagen.")
        result.read += 1
        try:
            code = row[i_code].strip().upper()
            kind = row[i_kind].strip().lower() if i_kind is not None else ""
        except IndexError:
            raise ImportFailed(f"{where}: te weinig kolommen; er is niets opgeslagen.") from None
        if not code.startswith("BU") or (kind and kind != "buurt"):
            continue
        if len(row) < len(header):
            raise ImportFailed(f"{where}: te weinig kolommen ({len(row)} van {len(header)}); er is niets opgeslagen.")
        rows[code] = {field: _number(row[i], where, header[i]) for field, i in indexes.items()}
    known = dict(Buurt.objects.filter(code__in=list(rows)).values_list("code", "pk"))
    result.unknown_buurten = len(set(rows) - set(known))
    with transaction.atomic():
        BuurtPopulation.objects.filter(buurt_id__in=known.values()).delete()
        BuurtPopulation.objects.bulk_create(
            (
                BuurtPopulation(buurt_id=known[code], year=year, **values)
                for code, values in rows.items()
                if code in known
            ),
            batch_size=2000,
        )
    result.buurten = len(known)
    return result
