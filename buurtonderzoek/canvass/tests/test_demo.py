from __future__ import annotations

import random

import pytest

from buurtonderzoek.canvass.coverage import coverage_for
from buurtonderzoek.canvass.demo import DEMO_DESCRIPTION, demo_answers, seed_demo_canvass
from buurtonderzoek.canvass.models import DoorVisit, Outcome
from buurtonderzoek.incidents.models import Incident, IncidentStatus
from buurtonderzoek.places.models import Address
from buurtonderzoek.questionnaires.engine import validate
from buurtonderzoek.questionnaires.models import QuestionnaireVersion
from buurtonderzoek.questionnaires.standard import load_standard_questionnaires
from conftest import World

pytestmark = pytest.mark.django_db


def test_the_demo_canvass_is_under_way_with_visits_assignments_and_a_tip(world: World, streets: list[Address]) -> None:
    load_standard_questionnaires()
    canvass = seed_demo_canvass(world.team, by=world.alice, seed=3)
    incident = canvass.incident
    assert incident.description == DEMO_DESCRIPTION and incident.address_id in canvass.excluded_address_ids
    assert incident.status == IncidentStatus.CANVASS_RUNNING
    assert all(route.members.exists() for route in canvass.routes.all())
    visits = DoorVisit.objects.filter(canvass=canvass)
    assert visits.count() > 10
    spoken = visits.filter(outcome=Outcome.GESPROKEN)
    assert spoken.exists() and all(v.questionnaire_version_id for v in spoken)
    coverage = coverage_for(canvass, canvass.routes.all())
    assert coverage.totals.visited == len({v.address_id for v in visits}) and coverage.revisit_stops()
    assert incident.tips.count() == 1


def test_seeding_twice_keeps_one_demo_incident(world: World, streets: list[Address]) -> None:
    first = seed_demo_canvass(world.team, by=world.alice)
    again = seed_demo_canvass(world.team, by=world.alice)
    assert first.pk == again.pk
    assert Incident.objects.filter(team=world.team).count() == 1


def test_demo_answers_are_valid_for_the_standard_questionnaire(world: World) -> None:
    load_standard_questionnaires()
    version = QuestionnaireVersion.objects.latest_published("buurtonderzoek")
    context = {"incident_type": "woninginbraak"}
    for seed in range(20):
        answers = demo_answers(version.schema, context, random.Random(seed))
        assert answers is not None
        assert validate(version.schema, answers, context) == {}
