"""The admin handles a request in Chromium: search, look at what was found, erase after confirming."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from buurtonderzoek.canvass.models import DoorVisit
from buurtonderzoek.privacy.tests.conftest import People
from buurtonderzoek.questionnaires.standard import load_standard_questionnaires
from conftest import ADMIN_TOTP_SECRET, World
from tests.browser.helpers import SLOW_MS, assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _questionnaires(db: None) -> None:
    # Live-server tests empty the database after each test, the migrated standard questionnaires too.
    load_standard_questionnaires()


def test_an_admin_searches_and_erases_a_witness(page: Page, world: World, people: People) -> None:
    log_in(page, world.admin.email, totp_secret=ADMIN_TOTP_SECRET)
    page.goto("/beheer/")
    page.get_by_role("link", name="Verzoeken van betrokkenen (AVG)").click()
    page.get_by_label("Telefoonnummer").fill("+31 6 1234 5678")
    page.get_by_label("Referentie van het verzoek").fill("AVG-2026-017")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("heading", name="Contactgegevens als getuige (deurbezoeken)")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "privacy-search")
    page.get_by_role("button", name="Verwijderen…").click()
    page.get_by_label("Typ de referentie nog een keer ter bevestiging").fill("AVG-2026-017")
    assert_accessible(page)
    screenshot(page, "privacy-confirm")
    # The erasure makes the affected police report's PDF again, inside this request.
    with page.expect_navigation(timeout=SLOW_MS):
        page.get_by_role("button", name="Definitief verwijderen").click()
    expect(page.get_by_role("status")).to_contain_text("Verzoek AVG-2026-017 uitgevoerd")
    assert "contact_phone" not in DoorVisit.objects.get(pk=people.witness_visit.pk).answers
