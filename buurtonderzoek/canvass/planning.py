"""Which doors a canvass visits: the addresses in a radius or a drawn polygon around the incident.

The victim's own address is always left out; the coordinator may leave out more (a school, a
known hostile address) by clicking them on the map. The spatial work is done by
`buurtonderzoek.places.queries` over the (grid_x, y, x) index.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from buurtonderzoek.canvass.models import MAX_RADIUS_M, MIN_RADIUS_M, Canvass
from buurtonderzoek.canvass.routing import Door
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.places.geo import wgs84_to_rd
from buurtonderzoek.places.models import Address
from buurtonderzoek.places.queries import addresses_within_polygon, addresses_within_radius

# A canvass of more doors than this is not a canvass but a leaflet campaign.
MAX_PLAN_DOORS = 5000
MAX_POLYGON_VERTICES = 200
MAX_POLYGON_AREA_M2 = 3_000_000  # a radius of MAX_RADIUS_M covers about 3.1 km²


@dataclass
class PlanPreview:
    addresses: list[Address]
    excluded_ids: set[int]

    @property
    def included(self) -> list[Address]:
        return [a for a in self.addresses if a.pk not in self.excluded_ids]

    @property
    def door_count(self) -> int:
        return sum(1 for a in self.addresses if a.pk not in self.excluded_ids)

    @property
    def excluded_count(self) -> int:
        return len(self.addresses) - self.door_count


def parse_polygon(raw: str | dict[str, Any] | None) -> dict[str, Any] | None:
    """A GeoJSON Polygon (WGS84) from the map, checked; None when nothing was drawn."""
    if raw in (None, "", {}):
        return None
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        raise ValidationError(_("Het getekende gebied is onleesbaar. Teken het opnieuw.")) from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") != "Polygon":
        raise ValidationError(_("Teken één aaneengesloten gebied (een veelhoek)."))
    rings = data.get("coordinates")
    if not isinstance(rings, list) or not rings or not isinstance(rings[0], list):
        raise ValidationError(_("Het getekende gebied is onleesbaar. Teken het opnieuw."))
    ring = rings[0]
    if not 4 <= len(ring) <= MAX_POLYGON_VERTICES:
        raise ValidationError(_("Een gebied heeft minstens drie en hoogstens 200 hoekpunten."))
    for point in ring:
        if (
            not isinstance(point, list)
            or len(point) < 2
            or not all(isinstance(v, int | float) for v in point[:2])
            or not (2.0 <= point[0] <= 8.0 and 50.0 <= point[1] <= 54.0)
        ):
            raise ValidationError(_("Het getekende gebied ligt niet in Nederland. Teken het opnieuw."))
    clean = [[float(p[0]), float(p[1])] for p in ring]
    if _rd_area(clean) > MAX_POLYGON_AREA_M2:
        # Checked before any query: a drawing of half the town would load every address in it.
        raise ValidationError(_("Het getekende gebied is te groot (meer dan 3 km²). Teken een kleiner gebied."))
    return {"type": "Polygon", "coordinates": [clean]}


def _rd_area(ring: list[list[float]]) -> float:
    """Area in m² of a lon/lat ring, by the shoelace formula in RD metres."""
    points = [wgs84_to_rd(lat, lon) for lon, lat in ring]
    twice = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise([*points, points[0]]))
    return abs(twice) / 2


def check_radius(radius_m: int) -> int:
    if not MIN_RADIUS_M <= radius_m <= MAX_RADIUS_M:
        raise ValidationError(
            _("Kies een straal tussen %(min)d en %(max)d meter.") % {"min": MIN_RADIUS_M, "max": MAX_RADIUS_M}
        )
    return radius_m


def preview_plan(
    incident: Incident,
    *,
    radius_m: int | None = None,
    polygon: dict[str, Any] | None = None,
    excluded_ids: Collection[int] = (),
) -> PlanPreview:
    """The addresses of the area, with the victim's and the chosen exclusions marked."""
    if polygon is not None:
        addresses = addresses_within_polygon(polygon)
    else:
        addresses = addresses_within_radius(incident.x, incident.y, check_radius(radius_m or 0))
    if len(addresses) > MAX_PLAN_DOORS:
        raise ValidationError(
            _("Dit gebied telt %(n)d adressen; het maximum is %(max)d. Kies een kleiner gebied.")
            % {"n": len(addresses), "max": MAX_PLAN_DOORS}
        )
    present = {a.pk for a in addresses}
    excluded = {pk for pk in excluded_ids if pk in present}
    if incident.address_id is not None:
        excluded.add(incident.address_id)
    return PlanPreview(addresses, excluded)


def preview_payload(preview: PlanPreview, *, victim_address_id: int | None) -> dict[str, Any]:
    """Compact JSON for the plan map: [id, lat, lon, label, flag] with flag 0 in, 1 excluded, 2 victim."""
    rows = []
    for a in preview.addresses:
        flag = 2 if a.pk == victim_address_id else (1 if a.pk in preview.excluded_ids else 0)
        rows.append([a.pk, round(a.lat, 6), round(a.lon, 6), f"{a.street} {a.house_number_label}", flag])
    return {"door_count": preview.door_count, "excluded_count": preview.excluded_count, "addresses": rows}


def doors_for(addresses: Collection[Address]) -> list[Door]:
    return [Door(a.pk, a.x, a.y, a.street, a.huisnummer, a.huisletter, a.toevoeging) for a in addresses]


def current_area(canvass: Canvass) -> dict[str, Any]:
    return {"radius_m": canvass.radius_m, "polygon": canvass.polygon, "excluded_ids": canvass.excluded_address_ids}
