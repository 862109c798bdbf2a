from __future__ import annotations

import pytest

from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.incidents.tests.fixtures import central_address, make_incident, make_streets
from buurtonderzoek.places.models import Address
from conftest import World

# The shared browser fixtures (Chromium, pages at phone and desktop width, only-local requests).
from tests.browser.conftest import _fresh_cache, browser, desktop_page, new_page, page, phone_page  # noqa: F401


@pytest.fixture
def streets(world: World) -> list[Address]:
    return make_streets(world.gemeente.code)


@pytest.fixture
def incident(world: World, streets: list[Address]) -> Incident:
    return make_incident(world.team, by=world.alice, address=central_address(world.gemeente.code))


@pytest.fixture
def canvass(world: World, incident: Incident):
    from buurtonderzoek.canvass.actions import plan_canvass

    return plan_canvass(incident, by=world.alice, route_count=4, radius_m=150)


@pytest.fixture
def questionnaire_version(world: World):
    from buurtonderzoek.questionnaires.actions import create_draft_version, create_questionnaire, publish_version

    questionnaire = create_questionnaire(by=world.admin, slug="test-canvass", title="Test", purpose="canvass")
    draft = create_draft_version(questionnaire, by=world.admin, schema=SCHEMA)
    return publish_version(draft, by=world.admin)


SCHEMA = {
    "sections": [
        {
            "id": "observations",
            "title": "Waarnemingen",
            "questions": [
                {
                    "id": "seen_anything",
                    "type": "single",
                    "label": "Heeft u iets ongewoons gezien of gehoord?",
                    "required": True,
                    "choices": [["ja", "Ja"], ["nee", "Nee"]],
                },
                {
                    "id": "what",
                    "type": "text",
                    "label": "Wat, wanneer en waar?",
                    "required": True,
                    "relevant": {"==": [{"var": "seen_anything"}, "ja"]},
                },
            ],
        }
    ]
}
