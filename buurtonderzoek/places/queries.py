"""Which addresses lie within a radius or a polygon.

Both queries first narrow down with the (grid_x, y, x) index: the 100 m x-strips the shape
touches, listed with `grid_x IN (...)` so SQLite and PostgreSQL each do one index seek per strip,
and a y range within each strip. The radius query then keeps rows by integer squared distance in
SQL, so a point exactly r metres away is included and no floating point rounding decides the edge.
The polygon query tests the candidates with shapely in RD metres; points on the boundary count
as inside.

`ids_within_radius` is the fast path (ids only, an index-only scan, no model instances);
the other functions return `Address` objects in walking order: street, then number, letter and
toevoeging (numeric toevoegingen in numeric order: 2 before 10).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import Any

import numpy as np
import shapely
from django.db import connections
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

from buurtonderzoek.places.geo import grid_strip, wgs84_to_rd, wgs84_to_rd_array
from buurtonderzoek.places.models import Address


def strips_for(x_min: float, x_max: float) -> list[int]:
    """The 100 m strips an x-range touches, both ends included."""
    return list(range(grid_strip(int(x_min // 1)), grid_strip(int(x_max // 1)) + 1))


def _radius_sql(n_strips: int, table: str, vendor: str) -> str:
    """The radius query. The WHERE clause is the same plain SQL everywhere; what differs is how the
    ids come back: thousands of one-column rows cost more to hand to Python than the database
    spends finding them, so SQLite returns one comma-separated string and PostgreSQL one array.
    Only placeholders and the model's own table name are interpolated."""
    placeholders = ", ".join(["%s"] * n_strips)
    box = f"grid_x IN ({placeholders}) AND y BETWEEN %s AND %s"
    if vendor == "sqlite":
        # SQLite integers are 64-bit: the squared distance cannot overflow.
        where = f"{box} AND (x - %s) * (x - %s) + (y - %s) * (y - %s) <= %s"
        return f"SELECT group_concat(id) FROM {table} WHERE {where}"  # noqa: S608
    # CAST keeps PostgreSQL from overflowing int4 should a plan ever evaluate far-away rows.
    where = f"{box} AND CAST(x - %s AS BIGINT) * (x - %s) + CAST(y - %s AS BIGINT) * (y - %s) <= %s"
    if vendor == "postgresql":
        return f"SELECT array_agg(id) FROM {table} WHERE {where}"  # noqa: S608
    return f"SELECT id FROM {table} WHERE {where}"  # noqa: S608


def ids_within_radius(
    x: int, y: int, radius: int, *, exclude: Collection[int] = (), using: str = "default"
) -> list[int]:
    """Ids of addresses at most `radius` whole metres from RD point (x, y); unordered."""
    if radius < 0:
        return []
    connection = connections[using]
    strips = strips_for(x - radius, x + radius)
    params: list[int] = [*strips, y - radius, y + radius, x, x, y, y, radius * radius]
    with connection.cursor() as cursor:
        cursor.execute(_radius_sql(len(strips), Address._meta.db_table, connection.vendor), params)
        if connection.vendor == "sqlite":
            joined = cursor.fetchone()[0]
            ids: list[int] = np.fromstring(joined, sep=",", dtype=np.int64).tolist() if joined else []
        elif connection.vendor == "postgresql":
            ids = cursor.fetchone()[0] or []
        else:
            ids = [row[0] for row in cursor.fetchall()]
    if exclude:
        return [i for i in ids if i not in exclude]
    return ids


def addresses_within_radius(
    x: int, y: int, radius: int, *, exclude: Collection[int] = (), using: str = "default"
) -> list[Address]:
    """Addresses at most `radius` whole metres from RD point (x, y), in walking order."""
    if radius < 0:
        return []
    found = Address.objects.using(using).within_radius(x, y, radius)
    return sort_addresses(a for a in found if a.pk not in exclude)


def addresses_near(
    lat: float, lon: float, radius: int, *, exclude: Collection[int] = (), using: str = "default"
) -> list[Address]:
    """Addresses within `radius` metres of a WGS84 point (a map click, a geocoded incident)."""
    fx, fy = wgs84_to_rd(lat, lon)
    return addresses_within_radius(round(fx), round(fy), radius, exclude=exclude, using=using)


def rd_polygon_from_geojson(geojson: dict[str, Any]) -> BaseGeometry:
    """A GeoJSON Polygon/MultiPolygon (or Feature) in WGS84 as a shapely geometry in RD metres."""
    if geojson.get("type") == "Feature":
        geojson = geojson["geometry"]
    geom = shape(geojson)
    if not isinstance(geom, Polygon | MultiPolygon):
        raise ValueError(f"Verwacht een (Multi)Polygon, kreeg {geom.geom_type}.")
    return shapely.transform(geom, _lonlat_to_rd_array)


def _lonlat_to_rd_array(coords: Any) -> Any:
    x, y = wgs84_to_rd_array(coords[:, 1], coords[:, 0])
    coords[:, 0] = x
    coords[:, 1] = y
    return coords


def addresses_within_polygon(
    polygon: BaseGeometry | dict[str, Any], *, exclude: Collection[int] = (), using: str = "default"
) -> list[Address]:
    """Addresses inside or on the edge of a polygon, in walking order.

    A dict is read as GeoJSON in WGS84 (what the map sends); a shapely geometry is taken to be in
    RD metres already.
    """
    geom = rd_polygon_from_geojson(polygon) if isinstance(polygon, dict) else polygon
    if geom.is_empty:
        return []
    if not geom.is_valid:
        # A self-touching drawing: buffer(0) repairs it the way users expect.
        geom = geom.buffer(0)
    min_x, min_y, max_x, max_y = geom.bounds
    candidates = list(
        Address.objects.using(using).in_rd_box(
            x_min=_floor(min_x), y_min=_floor(min_y), x_max=_ceil(max_x), y_max=_ceil(max_y)
        )
    )
    if not candidates:
        return []
    shapely.prepare(geom)
    inside = shapely.intersects_xy(geom, [a.x for a in candidates], [a.y for a in candidates])
    return sort_addresses(a for a, keep in zip(candidates, inside, strict=True) if keep and a.pk not in exclude)


def _floor(v: float) -> int:
    return int(v // 1)


def _ceil(v: float) -> int:
    return -int(-v // 1)


_DIGITS = re.compile(r"(\d+)")


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    # "2" < "10", and numbers sort before letters ("1" < "A" < "bis").
    return tuple((0, int(p)) if p.isdigit() else (1, p.casefold()) for p in _DIGITS.split(text) if p)


def address_sort_key(a: Address) -> tuple[Any, ...]:
    return (
        a.street.casefold(),
        a.woonplaats.casefold(),
        a.huisnummer,
        a.huisletter.casefold(),
        _natural(a.toevoeging),
        a.pk or 0,
    )


def sort_addresses(addresses: Iterable[Address]) -> list[Address]:
    """Walking order: street, then huisnummer, huisletter, toevoeging."""
    return sorted(addresses, key=address_sort_key)
