from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from buurtonderzoek.core.models import AppendOnlyError, AuditEvent
from buurtonderzoek.incidents.actions import InvalidTransition, register_incident, transition_incident
from buurtonderzoek.incidents.models import (
    HIC_TYPES,
    TRANSITIONS,
    Incident,
    IncidentStatus,
    IncidentTransition,
    IncidentType,
)
from buurtonderzoek.incidents.tests.fixtures import central_address, make_incident
from conftest import World

pytestmark = pytest.mark.django_db


def test_it_registers_an_incident_at_an_address_with_history_and_audit(world: World, streets) -> None:
    address = central_address(world.gemeente.code)
    incident = make_incident(world.team, by=world.alice, address=address)
    assert (incident.x, incident.y) == (address.x, address.y)
    assert incident.location_label == str(address)
    assert incident.status == IncidentStatus.REGISTERED
    history = list(incident.transitions.all())
    assert [(h.from_status, h.to_status, h.by) for h in history] == [("", "registered", world.alice)]
    assert AuditEvent.objects.filter(object_type="incidents.Incident", object_id=str(incident.pk)).exists()
    assert len(incident.public_token) >= 16


def test_it_registers_an_incident_at_a_map_point_in_rd_and_wgs84(world: World) -> None:
    incident = make_incident(world.team, by=world.alice, point=(52.0300, 5.1700))
    assert incident.address is None
    assert 130_000 < incident.x < 150_000 and 440_000 < incident.y < 460_000
    assert incident.lat == pytest.approx(52.03)


def test_it_refuses_a_point_outside_the_netherlands(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        make_incident(world.team, by=world.alice, point=(40.4, -3.7))
    assert "niet in Nederland" in str(error.value)


def test_it_refuses_an_address_in_another_gemeente(world: World, streets) -> None:
    address = central_address(world.gemeente.code)
    with pytest.raises(ValidationError):
        make_incident(world.other_team, by=world.charlie, address=address)


def test_it_refuses_a_window_that_ends_before_it_starts(world: World) -> None:
    now = timezone.now()
    with pytest.raises(ValidationError):
        register_incident(
            world.team,
            by=world.alice,
            incident_type=IncidentType.FIETSDIEFSTAL,
            occurred_from=now - timedelta(hours=1),
            occurred_until=now - timedelta(hours=2),
            description="Fiets weg",
            victim_consent=True,
            point=(52.03, 5.17),
        )


def test_it_marks_the_high_impact_crimes() -> None:
    assert {IncidentType.WONINGINBRAAK, IncidentType.STRAATROOF, IncidentType.OVERVAL} == HIC_TYPES
    assert Incident(incident_type=IncidentType.OVERVAL).is_hic
    assert not Incident(incident_type=IncidentType.FIETSDIEFSTAL).is_hic


def test_it_walks_the_whole_workflow_and_appends_each_step(world: World, incident: Incident) -> None:
    steps = ["canvass_planned", "canvass_running", "canvass_done", "reported", "closed"]
    for step in steps:
        transition_incident(incident, to=step, by=world.alice, note=f"naar {step}")
    incident.refresh_from_db()
    assert incident.status == "closed"
    rows = list(incident.transitions.values_list("from_status", "to_status"))
    assert rows == [("", "registered"), *zip(["registered", *steps[:-1]], steps, strict=True)]
    assert incident.allowed_transitions() == []


@pytest.mark.parametrize("status", list(IncidentStatus))
def test_it_refuses_every_transition_outside_the_table(world: World, incident: Incident, status: str) -> None:
    Incident.objects.filter(pk=incident.pk).update(status=status)
    incident.refresh_from_db()
    for target in IncidentStatus:
        if target in TRANSITIONS[status]:
            continue
        with pytest.raises(InvalidTransition):
            transition_incident(incident, to=target, by=world.alice)
    assert incident.transitions.count() == 1


def test_it_lets_any_open_incident_be_cancelled_but_nothing_follows(world: World, incident: Incident) -> None:
    transition_incident(incident, to="cancelled", by=world.alice, note="Slachtoffer trekt in")
    with pytest.raises(InvalidTransition):
        transition_incident(incident, to="registered", by=world.alice)
    assert incident.is_final


def test_it_never_edits_or_deletes_history(world: World, incident: Incident) -> None:
    row = incident.transitions.get()
    row.note = "herschreven"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        IncidentTransition.objects.filter(pk=row.pk).update(note="x")
    with pytest.raises(AppendOnlyError):
        IncidentTransition.objects.all().delete()


def test_visible_to_covers_members_and_police_of_the_area_only(world: World, incident: Incident) -> None:
    for user in (world.alice, world.bob, world.petra, world.admin):
        assert Incident.objects.visible_to(user).filter(pk=incident.pk).exists(), user
    for user in (world.charlie, world.gert):
        assert not Incident.objects.visible_to(user).filter(pk=incident.pk).exists(), user
