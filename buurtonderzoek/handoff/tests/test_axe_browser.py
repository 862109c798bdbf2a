"""axe-core on the coordinator's canvass overview (coverage map, route table) and the consolidation page
(scrollable tables), at phone and desktop width: no WCAG 2.0/2.1 A or AA violation (issue 12)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from buurtonderzoek.handoff.tests.fixtures import CanvassSetup
from conftest import World
from tests.browser.helpers import assert_axe_clean, log_in

pytestmark = pytest.mark.browser


def test_the_canvass_overview_and_the_consolidation_are_axe_clean(
    page: Page, world: World, canvass_setup: CanvassSetup
) -> None:
    pk = canvass_setup.incident.pk
    log_in(page, world.alice.email)
    page.goto(f"/incidenten/{pk}/buurtonderzoek/")
    expect(page.locator("#coverage-map.leaflet-container")).to_be_attached()
    expect(page.locator("#coverage-map")).to_have_attribute("role", "region")
    assert_axe_clean(page)
    page.goto(f"/incidenten/{pk}/signalementen/")
    expect(page.locator(".table-scroll").first).to_be_attached()
    assert_axe_clean(page)
