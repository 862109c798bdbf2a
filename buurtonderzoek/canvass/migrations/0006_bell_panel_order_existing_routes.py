"""Existing routes get the bell-panel order that new routes have had since routing.bell_panel_order:
the doors of one building together where the walk first reaches it, by huisletter and toevoeging
(62-6, 62-7, 62-12). Stops already walked keep their place on the list; only the others are re-sorted
into the remaining places. Self-contained on purpose: a migration must not follow later code."""

import re

from django.db import migrations

OFFSET = 1_000_000  # (route, order) is unique: move the new numbers out of the way first


def _natural(value):
    return re.sub(r"\d+", lambda m: m.group(0).zfill(6), value)


def _key(stop):
    a = stop.address
    return (a.huisnummer, (a.huisletter or "").upper(), _natural((a.toevoeging or "").upper()))


def bell_panel(stops):
    buildings = {}
    for stop in stops:
        buildings.setdefault((stop.address.street, stop.address.huisnummer), []).append(stop)
    ordered = []
    for stop in stops:
        building = buildings.pop((stop.address.street, stop.address.huisnummer), None)
        if building is not None:
            ordered.extend(sorted(building, key=_key))
    return ordered


def resort(apps, schema_editor):
    Route = apps.get_model("canvass", "Route")
    RouteStop = apps.get_model("canvass", "RouteStop")
    DoorVisit = apps.get_model("canvass", "DoorVisit")
    for route in Route.objects.all().iterator():
        stops = list(RouteStop.objects.filter(route=route).select_related("address").order_by("order"))
        walked_addresses = set(
            DoorVisit.objects.filter(canvass_id=route.canvass_id, address_id__in=[s.address_id for s in stops])
            .values_list("address_id", flat=True)
        )
        walked_stops = set(DoorVisit.objects.filter(stop__route=route).values_list("stop_id", flat=True))
        free = [s for s in stops if s.address_id not in walked_addresses and s.pk not in walked_stops]
        if len(free) < 2:
            continue
        slots = [s.order for s in free]
        reordered = bell_panel(free)
        if [s.pk for s in reordered] == [s.pk for s in free]:
            continue
        for stop, order in zip(reordered, slots):
            stop.order = order + OFFSET
        RouteStop.objects.bulk_update(reordered, ["order"], batch_size=500)
        for stop in reordered:
            stop.order -= OFFSET
        RouteStop.objects.bulk_update(reordered, ["order"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("canvass", "0005_route_improvement_tip_privacy_version"),
    ]

    operations = [
        migrations.RunPython(resort, migrations.RunPython.noop),
    ]
