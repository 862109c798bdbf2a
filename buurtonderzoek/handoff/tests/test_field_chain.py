"""Ages, lengths and a map point sent by the field app reach consolidation, the alert text and the
police report; impossible ranges are refused by the server with the same Dutch messages as the phone.

The answers have the shape the phone's form stores (tests/browser/answering.py checks that typing
produces exactly this shape): ranges as {"min", "max"}, a point as {"lat", "lon"}.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from buurtonderzoek.canvass.models import DoorVisit, ReviewStatus
from buurtonderzoek.canvass.tests.test_field_support import Field, make_field
from buurtonderzoek.handoff.actions import submit_report
from buurtonderzoek.handoff.review import review_visit
from buurtonderzoek.handoff.tests.fixtures import answers, person
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.signalements.actions import compose_alert
from conftest import World

pytestmark = pytest.mark.django_db

SYNC = "/api/v1/field/sync/"


def send(field: Field, block: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data = answers(persons=[block], what_point={"lat": 52.0907, "lon": 5.1214}, **extra)
    visit = field.visit(field.stops[0], outcome="gesproken", answers=data)
    client = APIClient()
    client.force_login(field.world.bob)
    response = client.post(SYNC, {"visits": [visit]}, format="json")
    assert response.status_code == 200
    result: dict[str, Any] = response.json()["results"][0]
    return result


@pytest.fixture
def field(world: World, incident: Incident) -> Field:
    return make_field(world, incident)


@pytest.mark.parametrize(
    ("height", "message"),
    [
        ({"min": 180, "max": 170}, "Het getal bij 'van' is hoger dan bij 'tot en met'. Pas een van de twee aan."),
        ({"min": 170, "max": 240}, "Vul een getal van hoogstens 230 in."),
        ({"min": 90, "max": 170}, "Vul een getal van minstens 100 in."),
        ({"min": 170}, "Vul twee getallen in: van en tot en met."),
    ],
)
def test_the_server_refuses_an_impossible_length_with_the_phones_message(
    field: Field, height: dict[str, int], message: str
) -> None:
    result = send(field, person(height=height))
    assert result["status"] == "rejected"
    assert result["problem"]["errors"]["answers.persons.0.height"] == [message]
    assert not DoorVisit.objects.exists()


def test_an_age_and_length_typed_on_the_phone_reach_the_alert_and_the_police_report(world: World, field: Field) -> None:
    result = send(field, person(age_range={"min": 25, "max": 35}, height={"min": 170, "max": 175}))
    assert result["status"] == "accepted"
    visit = DoorVisit.objects.get()
    assert visit.answers["persons"][0]["height"] == {"min": 170, "max": 175}
    assert visit.answers["what_point"] == {"lat": 52.0907, "lon": 5.1214}
    review_visit(visit, by=world.alice, status=ReviewStatus.APPROVED)

    alert = compose_alert(field.incident, by=world.alice, signalement_ref="P1")
    assert "25-35 jaar" in alert.text and "170-175 cm" in alert.text

    field.incident.refresh_from_db()  # the first visit moved it to "buurtonderzoek loopt"
    report = submit_report(field.incident, by=world.alice)
    document = json.dumps(report.document, ensure_ascii=False)
    assert "170-175 cm" in document and "25-35 jaar" in document
