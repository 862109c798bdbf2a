"""What every address source hands the loader: batches of rows in one canonical column order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

import numpy as np

from buurtonderzoek.places.geo import RD_X_MAX, RD_X_MIN, RD_Y_MAX, RD_Y_MIN, FloatArray, rd_to_wgs84_array
from buurtonderzoek.places.models import GRID_STRIP_METRES

# The order of a row tuple, the same as the columns of places_address (without id).
COLUMNS = (
    "nummeraanduiding_id",
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
)
AddressRow = tuple[Any, ...]
BATCH_SIZE = 50_000


NUL_MESSAGE = (
    "er staat een NUL-teken (\\x00) in; dat hoort niet in tekst en wijst op een beschadigd of binair bestand. "
    "Exporteer het bestand opnieuw als tekst"
)


def has_nul(values: Iterable[Any]) -> bool:
    return any(isinstance(value, str) and "\x00" in value for value in values)


class ImportFailed(Exception):
    """Bad input: the message is Dutch, names the line or feature, and says what to do."""

    def __init__(self, message: str, *, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index  # position in the batch, when raised for one row of a batch


class AddressSource(Protocol):
    label: str
    provides: frozenset[str]  # columns the source knows; the others are left alone on update
    rows_total: int  # for the progress bar; 0 when unknown
    bytes_total: int
    bytes_read: int

    def batches(self) -> Iterator[list[AddressRow]]: ...

    def locate(self, nummeraanduiding_id: str) -> list[str]: ...


def valid_nummeraanduiding(value: str) -> bool:
    return len(value) == 16 and value.isdigit()


def finish_batch(
    partial: Sequence[tuple[Any, ...]],
    xs: Sequence[float],
    ys: Sequence[float],
    lats: Sequence[float] | None = None,
    lons: Sequence[float] | None = None,
) -> list[AddressRow]:
    """Add x, y, lat, lon and grid_x to a batch of rows that end at buurt_code (row-wise input)."""
    if not partial:
        return []
    return assemble(
        list(zip(*partial, strict=True)),
        np.asarray(xs, dtype=np.float64),
        np.asarray(ys, dtype=np.float64),
        None if lats is None else np.asarray(lats, dtype=np.float64),
        None if lons is None else np.asarray(lons, dtype=np.float64),
    )


def assemble(
    columns: Sequence[Iterable[Any]],
    ax: FloatArray,
    ay: FloatArray,
    glat: FloatArray | None = None,
    glon: FloatArray | None = None,
) -> list[AddressRow]:
    """Rows from columns: the eleven up to buurt_code, then RD x/y as float arrays.

    Works on whole batches: the coordinate maths and the assembly of tuples run in numpy and in
    C (zip), which is what makes ten million rows affordable. Given lat/lon are checked against
    x/y, so a file with swapped or shifted columns is refused instead of putting addresses in the
    wrong place. ImportFailed.index points at the offending row.
    """
    outside = (ax < RD_X_MIN) | (ax > RD_X_MAX) | (ay < RD_Y_MIN) | (ay > RD_Y_MAX) | np.isnan(ax) | np.isnan(ay)
    if outside.any():
        i = int(np.argmax(outside))
        raise ImportFailed(
            f"coördinaat x={ax[i]:g}, y={ay[i]:g} ligt niet in Nederland (RD New, EPSG:28992, in meters)", index=i
        )
    lat, lon = rd_to_wgs84_array(ax, ay)
    if glat is not None and glon is not None:
        # 0.0005 degrees is about 35-55 m: generous for rounding, strict for mixed-up columns.
        off = (np.abs(glat - lat) > 0.0005) | (np.abs(glon - lon) > 0.0005) | np.isnan(glat) | np.isnan(glon)
        if off.any():
            i = int(np.argmax(off))
            raise ImportFailed(
                f"lat/lon {glat[i]:g}, {glon[i]:g} past niet bij x/y {ax[i]:g}, {ay[i]:g} "
                f"(verwacht ongeveer {lat[i]:.5f}, {lon[i]:.5f})",
                index=i,
            )
        lat, lon = glat, glon
    # Seven decimals is about a centimetre: enough, and stable when the same point arrives via a
    # different route (a polygon's centroid, a decimal in a CSV), so re-imports see no change.
    lat = np.round(lat, 7)
    lon = np.round(lon, 7)
    ix = np.rint(ax).astype(np.int64)
    iy = np.rint(ay).astype(np.int64)
    gx = np.floor_divide(ix, GRID_STRIP_METRES)
    # Not strict: absent columns come in as itertools.repeat("").
    return list(zip(*columns, ix.tolist(), iy.tolist(), lat.tolist(), lon.tolist(), gx.tolist(), strict=False))
