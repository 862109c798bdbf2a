from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from buurtonderzoek.accounts.tests.conftest import give_totp
from buurtonderzoek.handoff.tests.fixtures import CanvassSetup, standard_canvass
from buurtonderzoek.incidents.models import Incident
from buurtonderzoek.incidents.tests.fixtures import central_address, make_incident, make_streets
from buurtonderzoek.places.models import Address
from conftest import World


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    # Report PDFs are files: every test writes them to its own directory.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://buurt.example.nl"


@pytest.fixture
def streets(world: World) -> list[Address]:
    return make_streets(world.gemeente.code)


@pytest.fixture
def incident(world: World, streets: list[Address]) -> Incident:
    give_totp(world.petra)
    return make_incident(world.team, by=world.alice, address=central_address(world.gemeente.code))


@pytest.fixture
def canvass_setup(world: World, incident: Incident) -> CanvassSetup:
    return standard_canvass(incident, coordinator=world.alice, volunteer=world.bob)
