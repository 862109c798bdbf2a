"""The sync's batch lookup in one hand-written statement: the route stops of a batch of visits, with their
canvass and incident, and whether the user walks the route and is a member or coordinator of the team.

Why not the ORM: this runs for every visit a phone sends, with 50 phones sending at once, and building the
same query through Django's compiler (a join, three EXISTS subqueries) cost more CPU than the rest of the
visit together: 1.7 of the 4 ms a one-visit POST took in process (bench/profile_sync.py). The statement
below is plain SQL that SQLite and PostgreSQL both run, its names taken from the models' metadata, and it
returns the same instances `select_related("canvass__incident")` gave, holding only the fields the sync
and `record_visit` read (anything else is loaded on first use, as with `.only()`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import cache

from django.db import connections
from django.db.models import Field, Model

from buurtonderzoek.accounts.models import Membership, Role
from buurtonderzoek.canvass.models import Canvass, Route, RouteStop
from buurtonderzoek.incidents.models import Incident


def _in_model_order(model: type[Model], *attnames: str) -> tuple[str, ...]:
    """`Model.from_db` takes a subset of values in the order of the model's fields, whatever order the names
    are given in."""
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in attnames)


STOP_FIELDS = _in_model_order(RouteStop, "id", "route_id", "canvass_id", "address_id")
CANVASS_FIELDS = _in_model_order(Canvass, "id", "incident_id", "status")
INCIDENT_FIELDS = _in_model_order(Incident, "id", "team_id", "status", "incident_type")


@dataclass(frozen=True)
class StopRights:
    stop: RouteStop  # with .canvass and .canvass.incident attached
    walks: bool  # the user is one of the route's walkers
    member: bool  # volunteer or coordinator of the canvass's team
    coordinates: bool  # coordinator of that team


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column  # a concrete field: the statement names only those
    return connections["default"].ops.quote_name(field.column)


def _table(model: type[Model]) -> str:
    return connections["default"].ops.quote_name(model._meta.db_table)


@cache
def _statement_head() -> str:
    """Everything but the IN lists; the same for every request, so it is built once per process. Only
    names from the models' metadata go into it; every value is a parameter."""
    walkers = Route.members.through
    selected = [
        *(f"s.{_column(RouteStop, f.removesuffix('_id'))}" for f in STOP_FIELDS),
        *(f"c.{_column(Canvass, f.removesuffix('_id'))}" for f in CANVASS_FIELDS),
        *(f"i.{_column(Incident, f.removesuffix('_id'))}" for f in INCIDENT_FIELDS),
    ]
    team_role = (
        f"SELECT 1 FROM {_table(Membership)} m WHERE m.{_column(Membership, 'user')} = %s"
        f" AND m.{_column(Membership, 'team')} = i.{_column(Incident, 'team')} AND m.{_column(Membership, 'role')}"
    )
    walks = (
        f"SELECT 1 FROM {_table(walkers)} w WHERE w.{_column(walkers, 'route')} = s.{_column(RouteStop, 'route')}"
        f" AND w.{_column(walkers, 'user')} = %s"
    )
    return (
        f"SELECT {', '.join(selected)}, EXISTS({walks}), EXISTS({team_role} IN (%s, %s)), EXISTS({team_role} = %s)"
        f" FROM {_table(RouteStop)} s"
        f" JOIN {_table(Canvass)} c ON c.{_column(Canvass, 'id')} = s.{_column(RouteStop, 'canvass')}"
        f" JOIN {_table(Incident)} i ON i.{_column(Incident, 'id')} = c.{_column(Canvass, 'incident')}"
        f" WHERE s.{_column(RouteStop, 'canvass')} IN ({{canvasses}})"
        f" AND s.{_column(RouteStop, 'address')} IN ({{addresses}})"
    )


def stops_with_rights(user_id: int, canvass_ids: Collection[int], address_ids: Collection[int]) -> Iterator[StopRights]:
    """The stops of these canvasses at these addresses (every combination: the caller keeps the pairs it
    asked for), in one statement. Ids must be ints (the sync's serializer made them so)."""
    if not canvass_ids or not address_ids:
        return
    sql = _statement_head().format(
        canvasses=", ".join(["%s"] * len(canvass_ids)), addresses=", ".join(["%s"] * len(address_ids))
    )
    volunteer, coordinator = Role.VOLUNTEER.value, Role.COORDINATOR.value
    params: list[int | str] = [user_id, user_id, volunteer, coordinator, user_id, coordinator]
    params += [int(c) for c in canvass_ids] + [int(a) for a in address_ids]
    n_stop, n_canvass = len(STOP_FIELDS), len(CANVASS_FIELDS)
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for row in rows:
        stop = RouteStop.from_db("default", STOP_FIELDS, row[:n_stop])
        canvass = Canvass.from_db("default", CANVASS_FIELDS, row[n_stop : n_stop + n_canvass])
        incident = Incident.from_db("default", INCIDENT_FIELDS, row[n_stop + n_canvass : -3])
        # What select_related does: the related objects are cached on the instance, no query on access.
        Canvass.incident.field.set_cached_value(canvass, incident)
        RouteStop.canvass.field.set_cached_value(stop, canvass)
        walks, member, coordinates = row[-3:]
        yield StopRights(stop, bool(walks), bool(member), bool(coordinates))
