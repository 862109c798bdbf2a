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
