"""Writes to the places data: every import goes through here and leaves an audit event."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction
from buurtonderzoek.places.importers.base import ImportFailed
from buurtonderzoek.places.importers.cbs import (
    AreaResult,
    Pc6Result,
    import_pc6_huisnummer,
    import_wijk_buurt_geojson,
)
from buurtonderzoek.places.importers.csvsource import CsvAddressSource
from buurtonderzoek.places.importers.gpkg import GpkgAddressSource
from buurtonderzoek.places.importers.kerncijfers import KerncijfersResult, import_kerncijfers
from buurtonderzoek.places.importers.loader import LoadResult, load_addresses


def import_addresses_csv(path: Path, *, by: Any = None, using: str = "default", progress: bool = True) -> LoadResult:
    source = CsvAddressSource(Path(path))
    result = load_addresses(source, using=using, progress=progress)
    _record_addresses(by, "CSV", Path(path), result, skipped=source.skipped)
    return result


def gemeente_area_rd(code: str, margin_m: float, *, using: str = "default") -> Any:
    """The gemeente's border (from the CBS wijk- en buurtkaart) in RD New, widened by `margin_m`
    metres so that a canvass near the border still finds every door."""
    import shapely
    from shapely.geometry import shape

    from buurtonderzoek.places.geo import wgs84_to_rd_array
    from buurtonderzoek.places.models import Gemeente

    gemeente = Gemeente.objects.using(using).filter(code=code.upper()).first()
    if gemeente is None or not gemeente.boundary:
        raise ImportFailed(
            f"Gemeente {code} heeft nog geen grens. Importeer eerst de CBS wijk- en buurtkaart "
            "(manage.py import_cbs_wijkbuurt wijkenbuurten.gpkg); er is niets opgeslagen."
        )

    def to_rd(coords: Any) -> Any:
        x, y = wgs84_to_rd_array(coords[:, 1], coords[:, 0])
        coords[:, 0], coords[:, 1] = x, y
        return coords

    return shapely.transform(shape(gemeente.boundary), to_rd).buffer(margin_m)


def import_bag_gpkg(
    path: Path,
    *,
    by: Any = None,
    using: str = "default",
    progress: bool = True,
    gemeente: str = "",
    margin_m: float = 200,
) -> LoadResult:
    area = gemeente_area_rd(gemeente, margin_m, using=using) if gemeente else None
    source = GpkgAddressSource(Path(path), area=area)
    result = load_addresses(source, using=using, progress=progress)
    _record_addresses(by, "BAG GeoPackage", Path(path), result, skipped=source.skipped)
    result.duplicates = source.duplicates
    return result


def import_cbs_wijk_buurt(path: Path, *, by: Any = None, using: str = "default", progress: bool = True) -> AreaResult:
    result = import_wijk_buurt_geojson(Path(path), using=using, progress=progress)
    record(
        by,
        AuditAction.UPDATE,
        object_type="places.Buurt",
        summary=f"CBS wijk- en buurtkaart geïmporteerd uit {Path(path).name}",
        data={
            "created": result.created,
            "updated": result.updated,
            "skipped_water": result.skipped_water,
            "skipped_foreign": result.skipped_foreign,
        },
    )
    return result


def import_cbs_pc6_huisnummer(
    path: Path, *, by: Any = None, using: str = "default", progress: bool = True
) -> Pc6Result:
    result = import_pc6_huisnummer(Path(path), using=using, progress=progress)
    record(
        by,
        AuditAction.UPDATE,
        object_type="places.Address",
        summary=f"Buurtcodes bijgewerkt uit CBS-tabel {Path(path).name}",
        data={
            "read": result.read,
            "addresses_updated": result.addresses_updated,
            "rows_without_address": result.rows_without_address,
        },
    )
    return result


def _record_addresses(by: Any, kind: str, path: Path, result: LoadResult, *, skipped: int = 0) -> None:
    record(
        by,
        AuditAction.CREATE if result.path == "eerste import" else AuditAction.UPDATE,
        object_type="places.Address",
        summary=f"Adressen geïmporteerd ({kind}) uit {path.name}: {result.read} gelezen",
        data={
            "read": result.read,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "skipped": skipped,
            "seconds": round(result.seconds, 1),
            "path": result.path,
        },
    )


def import_cbs_kerncijfers(path: Path, *, year: int, by: Any = None, progress: bool = True) -> KerncijfersResult:
    result = import_kerncijfers(Path(path), year=year, progress=progress)
    record(
        by,
        AuditAction.UPDATE,
        object_type="places.BuurtPopulation",
        summary=f"Kerncijfers {year} ingelezen uit {Path(path).name}",
        data={"read": result.read, "buurten": result.buurten, "unknown_buurten": result.unknown_buurten},
    )
    return result
