"""Correcting an incident in Chromium, at phone and desktop width: the form, its errors, the history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from buurtonderzoek.incidents.models import Incident
from conftest import World
from tests.browser.helpers import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser

LOCAL = "%Y-%m-%dT%H:%M"


def test_a_coordinator_corrects_the_time_window_and_the_description(
    page: Page, world: World, incident: Incident
) -> None:
    log_in(page, world.alice.email)
    page.goto(f"/incidenten/{incident.pk}/")
    page.get_by_role("link", name="Gegevens wijzigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gegevens wijzigen")
    assert_accessible(page)

    # A window that ends before it starts is refused; what was typed stays in the form.
    start = timezone.localtime() - timedelta(hours=30)
    page.fill("#id_occurred_from", start.strftime(LOCAL))
    page.fill("#id_occurred_until", (start - timedelta(hours=1)).strftime(LOCAL))
    page.fill("#id_description", "Inbraak via het keukenraam, niet de achterdeur.")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#id_description")).to_have_value("Inbraak via het keukenraam, niet de achterdeur.")
    assert_accessible(page)
    screenshot(page, "incident-edit-error")

    page.fill("#id_occurred_until", (start + timedelta(hours=3)).strftime(LOCAL))
    with page.expect_navigation():
        page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Gewijzigde gegevens")
    assert_accessible(page)
    screenshot(page, "incident-after-edit")

    incident.refresh_from_db()
    assert incident.description == "Inbraak via het keukenraam, niet de achterdeur."
    assert incident.occurred_until - incident.occurred_from == timedelta(hours=3)
