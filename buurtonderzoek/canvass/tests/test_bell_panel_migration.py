"""Migration 0006 re-sorts the stops of existing routes the bell-panel way; walked stops keep their place."""

from __future__ import annotations

import importlib
import random
import uuid

from django.apps import apps
from django.utils import timezone

from buurtonderzoek.canvass.actions import plan_canvass, record_visit
from buurtonderzoek.canvass.models import RouteStop
from buurtonderzoek.incidents.tests.fixtures import central_address, make_incident, make_streets
from conftest import World

migration = importlib.import_module("buurtonderzoek.canvass.migrations.0006_bell_panel_order_existing_routes")


def bell_key(stop: RouteStop) -> tuple[int, str, str]:
    a = stop.address
    return (a.huisnummer, a.huisletter.upper(), migration._natural(a.toevoeging.upper()))


def test_old_routes_get_the_bell_panel_order_and_walked_stops_stay_put(world: World) -> None:
    make_streets(world.gemeente.code, half_size_m=60, flats=12)
    incident = make_incident(world.team, by=world.alice, address=central_address(world.gemeente.code))
    canvass = plan_canvass(incident, by=world.alice, route_count=1, radius_m=25)
    route = canvass.routes.get()
    stops = list(route.stops.select_related("address").order_by("order"))
    # The flat order of old routes: shuffle the stops, as the walk used to leave them.
    rng = random.Random(4)
    orders = [s.order for s in stops]
    rng.shuffle(stops)
    for offset, stop in enumerate(stops):
        RouteStop.objects.filter(pk=stop.pk).update(order=100_000 + offset)
    for stop, order in zip(stops, orders, strict=True):
        RouteStop.objects.filter(pk=stop.pk).update(order=order)
    before = list(route.stops.select_related("address").order_by("order"))
    walked = before[3]
    record_visit(
        canvass, by=world.alice, client_uuid=uuid.uuid4(), address_id=walked.address_id, outcome="niet_thuis",
        visited_at=timezone.now(),
    )  # fmt: skip

    migration.resort(apps, None)

    after = list(route.stops.select_related("address").order_by("order"))
    assert sorted(s.order for s in after) == sorted(s.order for s in before)  # the same places, no gaps
    assert next(s for s in after if s.pk == walked.pk).order == walked.order
    free = [s for s in after if s.pk != walked.pk]
    buildings: dict[tuple[str, int], list[int]] = {}
    for index, stop in enumerate(free):
        buildings.setdefault((stop.address.street, stop.address.huisnummer), []).append(index)
    assert any(len(b) > 1 for b in buildings.values()), "the area should hold flats"
    for positions in buildings.values():
        assert positions == list(range(positions[0], positions[0] + len(positions)))  # one bell panel together
        assert [bell_key(free[i]) for i in positions] == sorted(bell_key(free[i]) for i in positions)
    # Running it again changes nothing.
    migration.resort(apps, None)
    assert [s.pk for s in route.stops.order_by("order")] == [s.pk for s in after]
