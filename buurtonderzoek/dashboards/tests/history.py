"""Constructed team histories for the health and grip tests: incidents, canvasses and door visits
at chosen moments in the past, written straight to the database (timestamps that actions would set
to "now" are what these tests are about)."""

from __future__ import annotations

from datetime import datetime, timedelta

from buurtonderzoek.accounts.models import Team, User
from buurtonderzoek.canvass.models import Canvass, CanvassStatus, DoorVisit, Outcome, ReviewStatus
from buurtonderzoek.incidents.models import Incident, IncidentType
from buurtonderzoek.places.models import Address
from buurtonderzoek.places.tests.factories import AddressFactory


def addresses(n: int, *, buurt_code: str = "", gemeente_code: str = "GM9999") -> list[Address]:
    return [
        AddressFactory.create(buurt_code=buurt_code, gemeente_code=gemeente_code, x=155_000 + i, y=463_000)
        for i in range(n)
    ]


def incident(team: Team, *, at: datetime, address: Address | None = None, consent: bool = True) -> Incident:
    x, y = (address.x, address.y) if address else (155_000, 463_000)
    obj = Incident.objects.create(
        team=team,
        incident_type=IncidentType.FIETSDIEFSTAL,
        occurred_from=at - timedelta(hours=2),
        occurred_until=at - timedelta(hours=1),
        address=address,
        location_label="Proefstraat",
        x=x,
        y=y,
        lat=52.0,
        lon=5.0,
        description="Fiets weg.",
        victim_consent=consent,
    )
    Incident.objects.filter(pk=obj.pk).update(created_at=at)
    obj.refresh_from_db()
    return obj


def canvass(of: Incident, *, at: datetime) -> Canvass:
    obj = Canvass.objects.create(
        incident=of,
        status=CanvassStatus.PLANNED,
        centre_x=of.x,
        centre_y=of.y,
        centre_lat=of.lat,
        centre_lon=of.lon,
        radius_m=150,
    )
    Canvass.objects.filter(pk=obj.pk).update(created_at=at)
    return obj


def visits(
    of: Canvass,
    *,
    by: User,
    at: datetime,
    doors: list[Address],
    review: str = ReviewStatus.APPROVED,
) -> list[DoorVisit]:
    made = DoorVisit.objects.bulk_create(
        DoorVisit(canvass=of, address=a, volunteer=by, outcome=Outcome.GESPROKEN, visited_at=at, review_status=review)
        for a in doors
    )
    DoorVisit.objects.filter(pk__in=[v.pk for v in made]).update(created_at=at)
    return made


def walk(team: Team, *, by: User, at: datetime, doors: list[Address]) -> Canvass:
    """An incident the day before `at`, canvassed on `at` by one walker."""
    inc = incident(team, at=at - timedelta(hours=12), address=doors[0])
    cv = canvass(inc, at=at - timedelta(hours=6))
    visits(cv, by=by, at=at, doors=doors)
    return cv
