"""The sync's hand-written batch lookup (sync_lookup.py) answers exactly what the ORM query it replaced did.

The reference below is that ORM query, kept here: for every person in the World (walker, other walker,
coordinator, a member of the team who walks nothing, an outsider, police, gemeente, admin), after roles
change and members leave, and for stops of two canvasses at once, both must give the same stops with the
same canvass, incident and rights. It runs on SQLite and, with DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Exists, OuterRef

from buurtonderzoek.accounts.models import Membership, Role, User
from buurtonderzoek.accounts.tests.factories import MembershipFactory
from buurtonderzoek.canvass.actions import assign_route_members, plan_canvass
from buurtonderzoek.canvass.models import Route, RouteStop
from buurtonderzoek.canvass.sync_lookup import stops_with_rights
from buurtonderzoek.canvass.synthetic import create_addresses, street_grid
from buurtonderzoek.canvass.tests.test_field_support import Field, make_field
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.incidents.tests.fixtures import CENTRE_X, CENTRE_Y, central_address, make_incident

Row = tuple[int, int, int, int, int, str, int, str, str, bool, bool, bool]


def reference(user_id: int, canvass_ids: set[int], address_ids: set[int]) -> set[Row]:
    """The ORM query sync.py used before (select_related plus three EXISTS)."""
    team_roles = Membership.objects.filter(user_id=user_id, team_id=OuterRef("canvass__incident__team_id"))
    found = (
        RouteStop.objects.filter(canvass_id__in=canvass_ids, address_id__in=address_ids)
        .select_related("canvass__incident")
        .annotate(
            walks=Exists(Route.members.through.objects.filter(route_id=OuterRef("route_id"), user_id=user_id)),
            member=Exists(team_roles.filter(role__in=(Role.VOLUNTEER, Role.COORDINATOR))),
            coordinates=Exists(team_roles.filter(role=Role.COORDINATOR)),
        )
    )
    return {_row(s, s.walks, s.member, s.coordinates) for s in found}


def hand_written(user_id: int, canvass_ids: set[int], address_ids: set[int]) -> set[Row]:
    return {
        _row(r.stop, r.walks, r.member, r.coordinates) for r in stops_with_rights(user_id, canvass_ids, address_ids)
    }


def _row(stop: RouteStop, walks: Any, member: Any, coordinates: Any) -> Row:
    canvass, incident = stop.canvass, stop.canvass.incident
    return (
        stop.pk,
        stop.route_id,
        stop.address_id,
        canvass.pk,
        canvass.incident_id,
        canvass.status,
        incident.team_id,
        incident.status,
        incident.incident_type,
        bool(walks),
        bool(member),
        bool(coordinates),
    )


def people(field: Field) -> list[User]:
    w = field.world
    return [w.alice, w.bob, field.vera, w.charlie, w.petra, w.gert, w.admin]


def assert_same_for_everyone(field: Field, canvass_ids: set[int], address_ids: set[int]) -> None:
    for user in people(field):
        expected = reference(user.pk, canvass_ids, address_ids)
        assert expected, "the reference finds stops: the comparison means something"
        assert hand_written(user.pk, canvass_ids, address_ids) == expected, user.email


@pytest.mark.django_db
def test_same_stops_and_rights_as_the_orm_for_every_person(world: Any, incident: Incident) -> None:
    field = make_field(world, incident)
    stops = list(RouteStop.objects.filter(canvass=field.canvass))
    assert_same_for_everyone(field, {field.canvass.pk}, {s.address_id for s in stops})
    # A few addresses only, and an address of no stop: the IN lists of any length.
    assert_same_for_everyone(field, {field.canvass.pk, 987654}, {stops[0].address_id, stops[-1].address_id, 1})


@pytest.mark.django_db
def test_same_after_roles_change_and_a_walker_leaves(world: Any, incident: Incident) -> None:
    field = make_field(world, incident)
    addresses = set(RouteStop.objects.filter(canvass=field.canvass).values_list("address_id", flat=True))
    # Bob becomes a coordinator, vera leaves the team (still on her route), charlie joins as volunteer.
    Membership.objects.filter(user=world.bob, team=world.team).update(role=Role.COORDINATOR)
    Membership.objects.filter(user=field.vera, team=world.team).delete()
    MembershipFactory.create(user=world.charlie, role=Role.VOLUNTEER, team=world.team)
    assert_same_for_everyone(field, {field.canvass.pk}, addresses)
    vera = hand_written(field.vera.pk, {field.canvass.pk}, addresses)
    assert {row[9:] for row in vera} == {(True, False, False), (False, False, False)}  # walks her route, no member


@pytest.mark.django_db
def test_same_across_two_canvasses_of_two_teams(world: Any, incident: Incident) -> None:
    field = make_field(world, incident)
    grid = street_grid(centre_x=CENTRE_X, centre_y=CENTRE_Y, half_size_m=80, flats=1, seed=1)
    create_addresses(grid, gemeente_code=world.other_gemeente.code, id_prefix="98")
    elsewhere = make_incident(world.other_team, by=world.charlie, address=central_address(world.other_gemeente.code))
    other = plan_canvass(elsewhere, by=world.charlie, route_count=1, radius_m=60)
    assign_route_members(other.routes.get(), by=world.charlie, members=[world.charlie])
    addresses = set(RouteStop.objects.filter(canvass__in=[field.canvass, other]).values_list("address_id", flat=True))
    assert_same_for_everyone(field, {field.canvass.pk, other.pk}, addresses)
    teams = {row[6] for row in hand_written(world.charlie.pk, {field.canvass.pk, other.pk}, addresses)}
    assert teams == {world.team.pk, world.other_team.pk}
