"""area_figures: counts per buurt for a period, from a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from buurtonderzoek.accounts.models import PoliceUnit
from buurtonderzoek.accounts.tests.factories import BuurtFactory
from buurtonderzoek.dashboards.grip import (
    AreaFigures,
    area_figures,
    place_map_points,
    refresh_area_months,
    rolled_up_figures,
)
from buurtonderzoek.dashboards.tests import history
from buurtonderzoek.handoff.models import PoliceReport, ReportOutcome, ReportStatus
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.places.geo import rd_to_wgs84
from buurtonderzoek.places.tests.factories import AddressFactory
from conftest import World

pytestmark = pytest.mark.django_db


def test_it_counts_per_buurt_within_the_period(world: World, settings: object) -> None:
    setattr(settings, "MINUTES_PER_DOOR", 6)  # noqa: B010
    north, south = (
        BuurtFactory.create(wijk__gemeente=world.gemeente),
        BuurtFactory.create(wijk__gemeente=world.gemeente),
    )
    north_doors = history.addresses(10, buurt_code=north.code)
    history.addresses(30, buurt_code=south.code)
    now = timezone.now()
    cv = history.walk(world.team, by=world.bob, at=now - timedelta(days=3), doors=north_doors)
    history.walk(world.team, by=world.bob, at=now - timedelta(days=400), doors=north_doors[:4])  # before the period
    PoliceReport.objects.create(
        incident=cv.incident,
        canvass=cv,
        unit=PoliceUnit.objects.get(),
        status=ReportStatus.CLOSED,
        outcome=ReportOutcome.INFORMATION_USED,
    )
    figures = area_figures(
        [north.pk, south.pk], start=timezone.localdate() - timedelta(days=30), end=timezone.localdate()
    )
    assert figures[north.pk] == AreaFigures(
        incidents=1, addresses=10, canvasses=1, doors_visited=10, reports_used=1, hours_saved=Decimal("1.0")
    )
    assert figures[north.pk].incidents_per_1000_addresses == Decimal("100.0")
    assert figures[south.pk] == AreaFigures(addresses=30)
    assert figures[south.pk].incidents_per_1000_addresses == Decimal("0.0")


def test_a_report_not_used_does_not_count(world: World) -> None:
    buurt = BuurtFactory.create(wijk__gemeente=world.gemeente)
    doors = history.addresses(2, buurt_code=buurt.code)
    cv = history.walk(world.team, by=world.bob, at=timezone.now() - timedelta(days=1), doors=doors)
    PoliceReport.objects.create(incident=cv.incident, canvass=cv, unit=PoliceUnit.objects.get())
    today = timezone.localdate()
    assert area_figures([buurt.pk], start=today - timedelta(days=7), end=today)[buurt.pk].reports_used == 0


def test_the_number_of_queries_does_not_grow_with_buurten_or_activity(world: World) -> None:
    buurten = [BuurtFactory.create(wijk__gemeente=world.gemeente) for _ in range(3)]
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as empty:
        area_figures([b.pk for b in buurten], start=today - timedelta(days=7), end=today)
    for b in buurten:
        history.walk(world.team, by=world.bob, at=timezone.now(), doors=history.addresses(3, buurt_code=b.code))
    with CaptureQueriesContext(connection) as busy:
        area_figures([b.pk for b in buurten], start=today - timedelta(days=7), end=today)
    assert len(empty) == len(busy) == 8


def square(x: int, y: int, half: int) -> dict[str, object]:
    """A GeoJSON square (WGS84) around RD point x, y, as the CBS buurt boundaries come."""
    corners = [rd_to_wgs84(x + dx, y + dy) for dx, dy in ((-half, -half), (half, -half), (half, half), (-half, half))]
    ring = [[lon, lat] for lat, lon in corners]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def test_an_incident_at_a_map_point_counts_in_its_buurt(world: World) -> None:
    """No address, only a point: the buurt whose boundary holds it, or else of the nearest address."""
    bounded = BuurtFactory.create(wijk__gemeente=world.gemeente, boundary=square(150_000, 460_000, 300))
    neighbour = BuurtFactory.create(wijk__gemeente=world.gemeente, boundary=square(150_600, 460_000, 300))
    unbounded = BuurtFactory.create(wijk__gemeente=world.gemeente)
    AddressFactory.create(buurt_code=unbounded.code, gemeente_code="GM9999", x=170_040, y=470_000)
    AddressFactory.create(buurt_code=bounded.code, gemeente_code="GM9999", x=170_300, y=470_000)  # further away
    now = timezone.now()
    points = []
    for x, y in ((150_100, 460_250), (170_000, 470_000), (190_000, 490_000)):  # in a boundary, near, nowhere
        incident = history.incident(world.team, at=now - timedelta(days=2), address=None)
        Incident.objects.filter(pk=incident.pk).update(x=x, y=y)
        cv = history.canvass(incident, at=now - timedelta(days=1))
        report = PoliceReport.objects.create(
            incident=incident, canvass=cv, unit=PoliceUnit.objects.get(), status=ReportStatus.USED
        )
        PoliceReport.objects.filter(pk=report.pk).update(submitted_at=now - timedelta(hours=5))
        points.append(incident)
    ids = [bounded.pk, neighbour.pk, unbounded.pk]
    today = timezone.localdate()
    figures = area_figures(ids, start=today - timedelta(days=7), end=today)
    assert (figures[bounded.pk].incidents, figures[bounded.pk].canvasses, figures[bounded.pk].reports_used) == (1, 1, 1)
    assert (figures[unbounded.pk].incidents, figures[unbounded.pk].canvasses) == (1, 1)
    assert figures[neighbour.pk].incidents == 0
    assert place_map_points([bounded.code, neighbour.code, unbounded.code]) == {
        points[0].pk: bounded.code,
        points[1].pk: unbounded.code,
    }
    # The grip pages' monthly roll-up places them the same way.
    refresh_area_months(world.gemeente)
    month = today.replace(day=1)
    rolled = rolled_up_figures(ids, first=month - timedelta(days=40), last=month)
    assert rolled[bounded.pk].incidents == rolled[unbounded.pk].incidents == 1
    assert rolled[bounded.pk].reports_used == 1
    assert rolled[neighbour.pk].incidents == 0


def test_figures_add_up_for_a_wijk() -> None:
    total = AreaFigures(incidents=1, addresses=10, doors_visited=5) + AreaFigures(
        incidents=2, addresses=20, doors_visited=5
    )
    assert total.incidents == 3
    assert total.addresses == 30
    assert total.hours_saved == Decimal("1.0")
    assert AreaFigures().incidents_per_1000_addresses is None
