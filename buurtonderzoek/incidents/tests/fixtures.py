"""Test data shared by the incidents and canvass tests: a street grid in Demodorp and incidents."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from buurtonderzoek.accounts.models import Team
from buurtonderzoek.canvass.synthetic import create_addresses, street_grid
from buurtonderzoek.incidents.actions import register_incident
from buurtonderzoek.incidents.models import Incident, IncidentType
from buurtonderzoek.places.models import Address

# Somewhere in the polder; the RD grid is valid here and nothing else in the tests lives nearby.
CENTRE_X = 140_000
CENTRE_Y = 449_000


def make_streets(gemeente_code: str, *, half_size_m: int = 160, flats: int = 1, seed: int = 1) -> list[Address]:
    grid = street_grid(centre_x=CENTRE_X, centre_y=CENTRE_Y, half_size_m=half_size_m, flats=flats, seed=seed)
    return create_addresses(grid, gemeente_code=gemeente_code, woonplaats="Demodorp")


def central_address(gemeente_code: str) -> Address:
    """The address closest to the middle of the grid: the victim's in most tests."""
    candidates = Address.objects.filter(gemeente_code=gemeente_code).in_rd_box(
        x_min=CENTRE_X - 40, y_min=CENTRE_Y - 40, x_max=CENTRE_X + 40, y_max=CENTRE_Y + 40
    )
    return min(candidates, key=lambda a: (a.x - CENTRE_X) ** 2 + (a.y - CENTRE_Y) ** 2)


def make_incident(
    team: Team, *, by: Any, address: Address | None = None, consent: bool = True, **extra: Any
) -> Incident:
    now = timezone.now()
    return register_incident(
        team,
        by=by,
        incident_type=extra.pop("incident_type", IncidentType.WONINGINBRAAK),
        occurred_from=extra.pop("occurred_from", now - timedelta(hours=20)),
        occurred_until=extra.pop("occurred_until", now - timedelta(hours=18)),
        description=extra.pop("description", "Inbraak via de achterdeur, sieraden weg."),
        victim_consent=consent,
        address=address,
        **extra,
    )
