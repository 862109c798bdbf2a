"""A coordinator loads an ODK Central zip for a canvass in Chromium and reads the result per row."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from buurtonderzoek.canvass.models import Canvass, DoorVisit
from buurtonderzoek.canvass.tests.test_odk_import import central_zip
from buurtonderzoek.questionnaires.standard import load_standard_questionnaires
from conftest import World
from tests.browser.helpers import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _questionnaires(db: None) -> None:
    # Live-server tests empty the database after each test, the migrated standard questionnaires too.
    load_standard_questionnaires()


def test_a_coordinator_loads_odk_visits(
    _questionnaires: None, page: Page, world: World, canvass: Canvass, tmp_path: Path
) -> None:
    path = tmp_path / "buurtonderzoek.zip"
    path.write_bytes(central_zip(canvass))
    log_in(page, world.alice.email)
    page.goto(f"/incidenten/{canvass.incident.pk}/buurtonderzoek/")
    page.get_by_role("link", name="Bezoeken uit ODK of Kobo inlezen").click()
    page.get_by_label("Export uit ODK Central of KoboToolbox").set_input_files(str(path))
    page.get_by_role("button", name="Inlezen").click()
    expect(page.get_by_role("status").last).to_contain_text("1 overgenomen", timeout=60_000)
    expect(page.get_by_role("table")).to_contain_text("minstens twee concrete kenmerken")
    assert_accessible(page)
    screenshot(page, "odk-import-result")
    assert DoorVisit.objects.count() == 1
